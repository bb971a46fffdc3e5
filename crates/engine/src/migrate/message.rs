//! A source message as the plan knows it, and how a folder's work is cut
//! into batches. Pure.

pub use crate::imap::MessageRef;

/// Cut a folder's work into batches bounded by count and bytes.
pub fn batches(items: &[MessageRef], max_count: usize, max_bytes: u64) -> Vec<Vec<MessageRef>> {
    let mut out = Vec::new();
    let mut cur: Vec<MessageRef> = Vec::new();
    let mut bytes = 0u64;
    for &it in items {
        if !cur.is_empty() && (cur.len() >= max_count || bytes + it.size as u64 > max_bytes) {
            out.push(std::mem::take(&mut cur));
            bytes = 0;
        }
        bytes += it.size as u64;
        cur.push(it);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether servers are known to store such a message differently from the
/// bytes they received: 8-bit or NUL bytes in the header, bare LF, lines
/// longer than RFC 5322 allows. Verification compares these byte for byte.
pub fn is_fragile(body: &[u8]) -> bool {
    let header_end = memchr::memmem::find(body, b"\r\n\r\n").unwrap_or(body.len());
    if body[..header_end].iter().any(|&b| b >= 0x80 || b == 0) {
        return true;
    }
    // Every line break (SIMD search: this runs on every byte copied).
    let mut line_start = 0;
    for i in memchr::memchr_iter(b'\n', body) {
        if i == 0 || body[i - 1] != b'\r' || i - line_start > 1000 {
            return true;
        }
        line_start = i + 1;
    }
    body.len() - line_start > 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(uid: u32, size: u32) -> MessageRef {
        MessageRef { uid, size }
    }

    #[test]
    fn batches_respect_count_and_bytes_and_let_big_messages_travel_alone() {
        let items = vec![m(1, 10), m(2, 10), m(3, 10), m(4, 1000), m(5, 10)];
        let b = batches(&items, 2, 100);
        assert_eq!(
            b,
            vec![
                vec![m(1, 10), m(2, 10)],
                vec![m(3, 10)],
                vec![m(4, 1000)],
                vec![m(5, 10)]
            ]
        );
        assert!(batches(&[], 10, 10).is_empty());
    }

    #[test]
    fn fragile_messages_are_recognised() {
        assert!(!is_fragile(b"Subject: hi\r\n\r\nbody\r\n"));
        assert!(is_fragile(b"Subject: caf\xc3\xa9\r\n\r\nbody\r\n"));
        assert!(
            !is_fragile(b"Subject: hi\r\n\r\ncaf\xc3\xa9\r\n"),
            "8-bit body is fine"
        );
        assert!(is_fragile(b"Subject: hi\n\nbody\n"));
        assert!(is_fragile(b"Subject: a\0b\r\n\r\n"));
        let long = format!("Subject: x\r\n\r\n{}\r\n", "a".repeat(1200));
        assert!(is_fragile(long.as_bytes()));
    }
}
