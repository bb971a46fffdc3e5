//! A message's identity when the journal cannot vouch for it: Message-ID
//! and Date, or (without a Message-ID) a hash of the identifying headers.
//! Never the advertised size (Exchange's RFC822.SIZE is not the bytes) and
//! never 8-bit bytes as such (Cyrus rewrites them to `X`). Pure.

use sha2::{Digest, Sha256};

/// Hex fingerprint from a header block (or a whole message).
pub fn fingerprint(header_or_message: &[u8]) -> String {
    let mut h = identifying_hash(header_or_message, true);
    h.update(b"\0v2");
    hex::encode(&h.finalize()[..16])
}

/// The fingerprint journals written before version 2 recorded (it included
/// the size the server advertised). Rollback still recognises it.
pub fn legacy_fingerprint(header_or_message: &[u8], size: u32) -> String {
    let mut h = identifying_hash(header_or_message, false);
    h.update(b"\0size\0");
    h.update(size.to_be_bytes());
    hex::encode(&h.finalize()[..16])
}

fn identifying_hash(header_or_message: &[u8], fold_8bit: bool) -> Sha256 {
    let fields = identifying_fields(header_or_message);
    let mut h = Sha256::new();
    let put = |h: &mut Sha256, v: &[u8]| {
        if fold_8bit {
            let folded: Vec<u8> = v
                .iter()
                .map(|&b| if b >= 0x80 { b'X' } else { b })
                .collect();
            h.update(folded);
        } else {
            h.update(v);
        }
    };
    match fields.iter().find(|(k, _)| k == "message-id") {
        Some((_, mid)) => {
            h.update(b"mid\0");
            put(&mut h, trim(mid));
            if let Some((_, d)) = fields.iter().find(|(k, _)| k == "date") {
                h.update(b"\0date\0");
                put(&mut h, trim(d));
            }
        }
        None => {
            h.update(b"hdr\0");
            for key in ["date", "from", "to", "subject"] {
                if let Some((_, v)) = fields.iter().find(|(k, _)| k == key) {
                    h.update(key.as_bytes());
                    h.update(b"\0");
                    put(&mut h, trim(v));
                    h.update(b"\0");
                }
            }
        }
    }
    h
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
        assert_eq!(fingerprint(A), fingerprint(header_only));
        assert_eq!(
            legacy_fingerprint(A, 80),
            legacy_fingerprint(header_only, 80)
        );
    }

    #[test]
    fn date_distinguishes_duplicate_message_ids_and_size_does_not_matter() {
        let other = b"Message-ID: <1@x>\r\nDate: Tue, 2 Jan 2024 10:00:00 +0000\r\n\r\n";
        assert_ne!(fingerprint(A), fingerprint(other));
        assert_ne!(legacy_fingerprint(A, 80), legacy_fingerprint(A, 81));
        assert_ne!(fingerprint(A), legacy_fingerprint(A, 80));
    }

    #[test]
    fn eight_bit_bytes_rewritten_by_the_destination_still_match() {
        let sent = b"Subject: caf\xc3\xa9\r\nFrom: a@x\r\n\r\nbody";
        let stored = b"Subject: cafXX\r\nFrom: a@x\r\n\r\nbody";
        assert_eq!(fingerprint(sent), fingerprint(stored));
    }

    #[test]
    fn folded_headers_bare_lf_and_bad_utf8_work_without_message_id() {
        let folded = b"Subject: a\r\n  long\r\nFrom: \xff\xfe@x\r\n\r\n";
        let bare = b"Subject: a long\nFrom: \xff\xfe@x\n\n";
        assert_eq!(fingerprint(folded), fingerprint(bare));
        assert_ne!(fingerprint(folded), fingerprint(b"Subject: b\r\n\r\n"));
    }
}
