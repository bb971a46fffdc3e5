//! Modified UTF-7 (RFC 3501 §5.1.3), the encoding of IMAP mailbox names.
//! A strict codec that returns errors instead of panicking on bad input.

use base64::alphabet::Alphabet;
use base64::engine::{GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Utf7Error {
    #[error("mailbox name {0:?} has a shift sequence without its closing '-'")]
    Unterminated(String),
    #[error("mailbox name {0:?} has an invalid modified base64 run")]
    BadBase64(String),
    #[error("mailbox name {0:?} encodes invalid UTF-16")]
    BadUtf16(String),
    #[error("mailbox name {0:?} contains a raw character that modified UTF-7 forbids")]
    RawNonAscii(String),
}

fn engine() -> GeneralPurpose {
    let alphabet =
        Alphabet::new("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,")
            .expect("valid alphabet");
    GeneralPurpose::new(
        &alphabet,
        GeneralPurposeConfig::new()
            .with_encode_padding(false)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone)
            .with_decode_allow_trailing_bits(false),
    )
}

/// Encode a UTF-8 mailbox name into modified UTF-7.
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    let flush = |pending: &mut Vec<u16>, out: &mut String| {
        if pending.is_empty() {
            return;
        }
        let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
        out.push('&');
        out.push_str(&engine().encode(bytes));
        out.push('-');
        pending.clear();
    };
    for c in name.chars() {
        if ('\x20'..='\x7e').contains(&c) {
            flush(&mut pending, &mut out);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut buf = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut buf));
        }
    }
    flush(&mut pending, &mut out);
    out
}

/// Decode a modified UTF-7 mailbox name into UTF-8.
pub fn decode(name: &str) -> Result<String, Utf7Error> {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(pos) = rest.find(|c: char| c == '&' || !('\x20'..='\x7e').contains(&c)) {
        let c = rest[pos..].chars().next().expect("found a char");
        if c != '&' {
            return Err(Utf7Error::RawNonAscii(name.to_string()));
        }
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let end = after
            .find('-')
            .ok_or_else(|| Utf7Error::Unterminated(name.to_string()))?;
        let run = &after[..end];
        if run.is_empty() {
            out.push('&');
        } else {
            let bytes = engine()
                .decode(run)
                .map_err(|_| Utf7Error::BadBase64(name.to_string()))?;
            if bytes.len() % 2 != 0 {
                return Err(Utf7Error::BadBase64(name.to_string()));
            }
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|p| u16::from_be_bytes([p[0], p[1]]))
                .collect();
            let s =
                String::from_utf16(&units).map_err(|_| Utf7Error::BadUtf16(name.to_string()))?;
            if s.chars().any(|c| ('\x20'..='\x7e').contains(&c)) {
                // RFC 3501: printable ASCII must not be base64-encoded.
                return Err(Utf7Error::BadBase64(name.to_string()));
            }
            out.push_str(&s);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_examples_round_trip() {
        assert_eq!(
            encode("~peter/mail/台北/日本語"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
        );
        assert_eq!(
            decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-").unwrap(),
            "~peter/mail/台北/日本語"
        );
        assert_eq!(encode("Projets & Idées"), "Projets &- Id&AOk-es");
        for s in [
            "INBOX",
            "Société Générale",
            "Ελληνικά",
            "a&b&&c",
            "😀 emoji",
            "",
            "&",
            "x-&-y",
        ] {
            assert_eq!(decode(&encode(s)).unwrap(), s, "{s}");
        }
    }

    #[test]
    fn rejects_bad_input_without_panicking() {
        assert!(matches!(decode("abc&Jjo"), Err(Utf7Error::Unterminated(_))));
        assert!(matches!(decode("abc&!!!-"), Err(Utf7Error::BadBase64(_))));
        assert!(matches!(decode("Société"), Err(Utf7Error::RawNonAscii(_))));
        assert!(matches!(decode("&2D0-"), Err(Utf7Error::BadUtf16(_)))); // lone surrogate
        assert!(
            decode("&AGEAYgBj-").is_err(),
            "encoded ASCII is not canonical"
        );
    }
}
