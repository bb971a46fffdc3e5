//! HTTP Basic authentication against the platform's login directory. The header is
//! never logged; a failed check says nothing about which half was wrong.

use base64::Engine;

use crate::Directory;

/// The login (lower case) when `header` carries valid Basic credentials.
pub fn authenticate(directory: &Directory, header: Option<&[u8]>) -> Option<String> {
    let value = std::str::from_utf8(header?).ok()?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    let login = user.to_ascii_lowercase();
    directory.verify(&login, password).then_some(login)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_right_password_gets_in() {
        let d = Directory::new();
        d.set_password("a@x.org", "pw:with colon");
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let good = format!("Basic {}", b64("A@x.org:pw:with colon"));
        assert_eq!(
            authenticate(&d, Some(good.as_bytes())).as_deref(),
            Some("a@x.org")
        );
        let bad = format!("Basic {}", b64("a@x.org:nope"));
        assert_eq!(authenticate(&d, Some(bad.as_bytes())), None);
        assert_eq!(authenticate(&d, Some(b"Bearer x")), None);
        assert_eq!(authenticate(&d, None), None);
    }
}
