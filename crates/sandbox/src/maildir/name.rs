//! Folder and account names: validation of what a client sends and the safe,
//! reversible encoding used on disk (never a client string used as a path).

use thiserror::Error;

/// The hierarchy separator exposed over IMAP.
pub const SEPARATOR: char = '/';

/// Longest folder or login name accepted, in bytes.
pub const MAX_NAME_LEN: usize = 200;
/// Longest name once encoded for the file system: one directory entry must stay under
/// the usual 255-byte limit of a file name, with room for temporary names.
const MAX_STORED_LEN: usize = 240;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum NameError {
    #[error("the name is empty: give the folder or account a name")]
    Empty,
    #[error("the name is too long (max {MAX_NAME_LEN} bytes; spaces, dots and non-ASCII characters count three bytes each): choose a shorter one")]
    TooLong,
    #[error("the name {0:?} has an empty level or a level named \".\" or \"..\": remove it")]
    BadLevel(String),
    #[error("the name {0:?} contains a control character, NUL or wildcard (* %): remove it")]
    BadCharacter(String),
}

/// Checks a folder name as received over IMAP and returns it canonicalised
/// (`inbox` in any case becomes `INBOX`, also as the first level).
pub fn canonical_folder(name: &str) -> Result<String, NameError> {
    check_common(name)?;
    let levels: Vec<&str> = name.split(SEPARATOR).collect();
    if levels
        .iter()
        .any(|l| l.is_empty() || *l == "." || *l == "..")
    {
        return Err(NameError::BadLevel(name.to_string()));
    }
    let stored: usize = levels.iter().map(|l| 1 + encoded_len(l)).sum();
    if stored > MAX_STORED_LEN {
        return Err(NameError::TooLong);
    }
    if levels[0].eq_ignore_ascii_case("INBOX") {
        let mut out = String::from("INBOX");
        for level in &levels[1..] {
            out.push(SEPARATOR);
            out.push_str(level);
        }
        Ok(out)
    } else {
        Ok(name.to_string())
    }
}

/// Checks an account login (e.g. `john@example.net`).
pub fn check_login(login: &str) -> Result<(), NameError> {
    check_common(login)?;
    if login.contains(SEPARATOR) || login == "." || login == ".." {
        return Err(NameError::BadCharacter(login.to_string()));
    }
    if encoded_len(login) > MAX_STORED_LEN {
        return Err(NameError::TooLong);
    }
    Ok(())
}

fn check_common(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.len() > MAX_NAME_LEN {
        return Err(NameError::TooLong);
    }
    if name
        .chars()
        .any(|c| c.is_control() || c == '*' || c == '%' || c == '\\')
    {
        return Err(NameError::BadCharacter(name.to_string()));
    }
    Ok(())
}

/// Length of [`encode_level`]'s result, without building it.
fn encoded_len(level: &str) -> usize {
    level.bytes().map(|b| if kept(b) { 1 } else { 3 }).sum()
}

fn kept(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(byte, b'-' | b'_' | b'@' | b'+' | b'&' | b',' | b'=' | b'~')
}

/// Encodes one level of a name for the file system: ASCII letters, digits and
/// a few harmless signs stay, every other byte becomes `%XX` (so `.`, `%` and
/// `/` can never appear raw).
pub fn encode_level(level: &str) -> String {
    let mut out = String::with_capacity(level.len());
    for byte in level.bytes() {
        if kept(byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Reverses [`encode_level`]; `None` when the text is not one of ours.
pub fn decode_level(encoded: &str) -> Option<String> {
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = encoded.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Maildir++ directory name of a folder: `None` for INBOX (the account
/// root), `.Level1.Level2` otherwise. `name` must be canonical.
pub fn folder_dir(name: &str) -> Option<String> {
    if name == "INBOX" {
        return None;
    }
    let mut out = String::new();
    for level in name.split(SEPARATOR) {
        out.push('.');
        out.push_str(&encode_level(level));
    }
    Some(out)
}

/// Reverses [`folder_dir`] for a directory entry such as `.Sent.2024`.
pub fn folder_from_dir(dir: &str) -> Option<String> {
    let rest = dir.strip_prefix('.')?;
    if rest.is_empty() {
        return None;
    }
    let levels: Option<Vec<String>> = rest.split('.').map(decode_level).collect();
    let name = levels?.join(&SEPARATOR.to_string());
    canonical_folder(&name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_traversal_and_nul() {
        assert_eq!(canonical_folder(""), Err(NameError::Empty));
        assert!(matches!(
            canonical_folder(".."),
            Err(NameError::BadLevel(_))
        ));
        assert!(matches!(
            canonical_folder("a/../b"),
            Err(NameError::BadLevel(_))
        ));
        assert!(matches!(
            canonical_folder("a//b"),
            Err(NameError::BadLevel(_))
        ));
        assert!(matches!(
            canonical_folder("a\0b"),
            Err(NameError::BadCharacter(_))
        ));
        assert!(matches!(
            canonical_folder("a*"),
            Err(NameError::BadCharacter(_))
        ));
        assert!(check_login("../etc").is_err());
    }

    #[test]
    fn names_too_long_to_store_are_refused() {
        assert_eq!(canonical_folder(&"a".repeat(201)), Err(NameError::TooLong));
        assert!(canonical_folder(&"a".repeat(200)).is_ok());
        // 100 spaces are stored as 300 bytes.
        assert_eq!(canonical_folder(&" ".repeat(100)), Err(NameError::TooLong));
        let dir = folder_dir(&canonical_folder(&"a/".repeat(100)[..199]).unwrap()).unwrap();
        assert!(dir.len() <= 255);
    }

    #[test]
    fn inbox_is_canonicalised() {
        assert_eq!(canonical_folder("inbox").unwrap(), "INBOX");
        assert_eq!(canonical_folder("Inbox/Sub").unwrap(), "INBOX/Sub");
        assert_eq!(canonical_folder("Sent").unwrap(), "Sent");
    }

    #[test]
    fn dir_names_round_trip_and_never_contain_dots_or_slashes() {
        for name in ["Sent", "a.b/c d", "100 x/y~z", "Été/..x", "INBOX/Sub"] {
            let dir = folder_dir(name).unwrap();
            assert!(!dir[1..].split('.').any(|l| l.contains('/') || l.is_empty()));
            assert_eq!(folder_from_dir(&dir).unwrap(), name);
        }
        assert_eq!(folder_dir("INBOX"), None);
        assert_eq!(
            encode_level("john.doe@example.net"),
            "john%2Edoe@example%2Enet"
        );
        assert_eq!(decode_level("john%2Edoe@x").unwrap(), "john.doe@x");
        assert_eq!(decode_level("%zz"), None);
    }
}
