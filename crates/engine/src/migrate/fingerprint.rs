//! A message's identity when the journal cannot vouch for it: Message-ID,
//! Date and size, or (without a Message-ID) a hash of the identifying
//! headers and the size. Pure.

use sha2::{Digest, Sha256};

/// Hex fingerprint from a header block (or a whole message) and its size.
pub fn fingerprint(header_or_message: &[u8], size: u32) -> String {
    let fields = identifying_fields(header_or_message);
    let mut h = Sha256::new();
    match fields.iter().find(|(k, _)| k == "message-id") {
        Some((_, mid)) => {
            h.update(b"mid\0");
            h.update(trim(mid));
            if let Some((_, d)) = fields.iter().find(|(k, _)| k == "date") {
                h.update(b"\0date\0");
                h.update(trim(d));
            }
        }
        None => {
            h.update(b"hdr\0");
            for key in ["date", "from", "to", "subject"] {
                if let Some((_, v)) = fields.iter().find(|(k, _)| k == key) {
                    h.update(key.as_bytes());
                    h.update(b"\0");
                    h.update(trim(v));
                    h.update(b"\0");
                }
            }
        }
    }
    h.update(b"\0size\0");
    h.update(size.to_be_bytes());
    hex::encode(&h.finalize()[..16])
}

/// Unfolded (lower-case name, raw value) pairs of the headers we care about,
/// up to the blank line. Works on bytes: invalid UTF-8 or bare LF are fine.
fn identifying_fields(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    const WANTED: [&str; 5] = ["message-id", "date", "from", "to", "subject"];
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let mut current: Option<usize> = None;
    for line in data.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if let Some(i) = current {
                out[i].1.push(b' ');
                out[i].1.extend_from_slice(trim(line));
            }
            continue;
        }
        current = None;
        if let Some(colon) = line.iter().position(|&b| b == b':') {
            let name = String::from_utf8_lossy(&line[..colon])
                .trim()
                .to_ascii_lowercase();
            if WANTED.contains(&name.as_str()) && !out.iter().any(|(k, _)| *k == name) {
                out.push((name, trim(&line[colon + 1..]).to_vec()));
                current = Some(out.len() - 1);
            }
        }
    }
    out
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &[u8] = b"From: a@x\r\nMessage-ID: <1@x>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\nSubject: hi\r\n\r\nbody";

    #[test]
    fn header_block_and_whole_message_agree() {
        let header_only = b"Message-ID: <1@x>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\n";
        assert_eq!(fingerprint(A, 80), fingerprint(header_only, 80));
    }

    #[test]
    fn size_and_date_distinguish_duplicate_message_ids() {
        assert_ne!(fingerprint(A, 80), fingerprint(A, 81));
        let other = b"Message-ID: <1@x>\r\nDate: Tue, 2 Jan 2024 10:00:00 +0000\r\n\r\n";
        assert_ne!(fingerprint(A, 80), fingerprint(other, 80));
    }

    #[test]
    fn folded_headers_bare_lf_and_bad_utf8_work_without_message_id() {
        let folded = b"Subject: a\r\n  long\r\nFrom: \xff\xfe@x\r\n\r\n";
        let bare = b"Subject: a long\nFrom: \xff\xfe@x\n\n";
        assert_eq!(fingerprint(folded, 5), fingerprint(bare, 5));
        assert_ne!(
            fingerprint(folded, 5),
            fingerprint(b"Subject: b\r\n\r\n", 5)
        );
    }
}
