//! Folder names as IMAP carries them: the demo's Unicode names (`Équipe`) encoded in
//! modified UTF-7 (RFC 3501 5.1.3), the form the store keeps and clients send.

use base64::alphabet::IMAP_MUTF7;
use base64::engine::general_purpose::NO_PAD;
use base64::engine::GeneralPurpose;
use base64::Engine;

const MUTF7: GeneralPurpose = GeneralPurpose::new(&IMAP_MUTF7, NO_PAD);

/// `name` in modified UTF-7: printable ASCII as is (`&` as `&-`), other runs as
/// `&` + base64 of their UTF-16 + `-`.
pub fn to_imap_name(name: &str) -> String {
    let mut out = String::new();
    let mut run: Vec<u16> = Vec::new();
    let flush = |run: &mut Vec<u16>, out: &mut String| {
        if !run.is_empty() {
            let bytes: Vec<u8> = run.iter().flat_map(|u| u.to_be_bytes()).collect();
            out.push('&');
            out.push_str(&MUTF7.encode(bytes));
            out.push('-');
            run.clear();
        }
    };
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut run, &mut out);
            out.push(c);
            if c == '&' {
                out.push('-');
            }
        } else {
            let mut buf = [0u16; 2];
            run.extend_from_slice(c.encode_utf16(&mut buf));
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_rfc_3501() {
        assert_eq!(to_imap_name("Projets/2024/Q1"), "Projets/2024/Q1");
        assert_eq!(to_imap_name("Équipe"), "&AMk-quipe");
        assert_eq!(
            to_imap_name("Clients/Société Générale"),
            "Clients/Soci&AOk-t&AOk- G&AOk-n&AOk-rale"
        );
        assert_eq!(to_imap_name("R&D"), "R&-D");
        assert_eq!(to_imap_name("台北"), "&U,BTFw-");
        assert_eq!(to_imap_name("😀"), "&2D3eAA-");
    }
}
