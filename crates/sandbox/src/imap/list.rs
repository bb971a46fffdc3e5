//! LIST pattern matching: `*` matches anything, `%` anything but the
//! hierarchy separator; INBOX matches in any case.

use crate::maildir::name::SEPARATOR;

/// The pattern LIST applies: the reference name followed by the mailbox
/// pattern (RFC 3501 6.3.8), INBOX canonicalised.
pub fn full_pattern(reference: &str, pattern: &str) -> String {
    let joined = if reference.is_empty() || pattern.starts_with(SEPARATOR) {
        pattern.to_string()
    } else {
        format!("{reference}{pattern}")
    };
    if joined.len() >= 5 && joined[..5].eq_ignore_ascii_case("INBOX") {
        let rest = &joined[5..];
        if rest.is_empty() || rest.starts_with(SEPARATOR) {
            return format!("INBOX{rest}");
        }
    }
    joined
}

pub fn matches(pattern: &str, name: &str) -> bool {
    matches_bytes(pattern.as_bytes(), name.as_bytes())
}

fn matches_bytes(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|i| matches_bytes(rest, &name[i..])),
        Some((b'%', rest)) => {
            let limit = name
                .iter()
                .position(|&b| b == SEPARATOR as u8)
                .unwrap_or(name.len());
            (0..=limit).any(|i| matches_bytes(rest, &name[i..]))
        }
        Some((p, rest)) => name.first() == Some(p) && matches_bytes(rest, &name[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_and_percent() {
        assert!(matches("*", "Work/2024"));
        assert!(!matches("%", "Work/2024"));
        assert!(matches("%", "Work"));
        assert!(matches("Work/%", "Work/2024"));
        assert!(!matches("Work/%", "Work"));
        assert!(matches("W*4", "Work/2024"));
    }

    #[test]
    fn reference_and_inbox() {
        assert_eq!(full_pattern("", "inbox"), "INBOX");
        assert_eq!(full_pattern("Work/", "%"), "Work/%");
        assert_eq!(full_pattern("", "Inboxes"), "Inboxes");
    }
}
