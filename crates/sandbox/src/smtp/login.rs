//! The one relay login the listener accepts: the user name and a salted SHA-256 of
//! the password (the clear password is not kept), and decoding of AUTH PLAIN / LOGIN.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The credential clients must give with AUTH.
#[derive(Clone)]
pub struct RelayLogin {
    user: String,
    salt: [u8; 16],
    hash: [u8; 32],
}

impl RelayLogin {
    pub fn new(user: &str, password: &str) -> Self {
        let salt: [u8; 16] = rand::random();
        RelayLogin {
            user: user.to_string(),
            salt,
            hash: digest(&salt, password),
        }
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    /// Constant-time check of both the user and the password.
    pub fn verify(&self, user: &str, password: &str) -> bool {
        let got = digest(&self.salt, password);
        let same = self
            .hash
            .iter()
            .zip(got.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
        same & (user == self.user)
    }
}

impl fmt::Debug for RelayLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RelayLogin")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

fn digest(salt: &[u8], password: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(password.as_bytes());
    h.finalize().into()
}

/// AUTH PLAIN response: base64 of `authzid NUL authcid NUL password` -> (authcid, password).
pub(crate) fn decode_plain(b64: &str) -> Option<(String, String)> {
    let raw = decode_text(b64)?;
    let mut parts = raw.split('\0');
    let (_authzid, user, password) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || user.is_empty() {
        return None;
    }
    Some((user.to_string(), password.to_string()))
}

/// A base64 line of the AUTH exchange decoded as UTF-8 text.
pub(crate) fn decode_text(b64: &str) -> Option<String> {
    let bytes = STANDARD.decode(b64.trim()).ok()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_user_and_password_and_hides_the_hash() {
        let login = RelayLogin::new("relay@sandbox.invalid", "s3cret");
        assert!(login.verify("relay@sandbox.invalid", "s3cret"));
        assert!(!login.verify("relay@sandbox.invalid", "S3cret"));
        assert!(!login.verify("other@sandbox.invalid", "s3cret"));
        let debug = format!("{login:?}");
        assert!(
            debug.contains("relay@sandbox.invalid") && !debug.contains("hash"),
            "{debug}"
        );
    }

    #[test]
    fn plain_responses_decode() {
        let b64 = STANDARD.encode(b"\0alice\0pa ss");
        assert_eq!(decode_plain(&b64), Some(("alice".into(), "pa ss".into())));
        let with_authzid = STANDARD.encode(b"admin\0alice\0pw");
        assert_eq!(
            decode_plain(&with_authzid),
            Some(("alice".into(), "pw".into()))
        );
        assert_eq!(decode_plain(&STANDARD.encode(b"alice\0pw")), None);
        assert_eq!(decode_plain("not base64!"), None);
        assert_eq!(decode_text("YWxpY2U="), Some("alice".into()));
    }
}
