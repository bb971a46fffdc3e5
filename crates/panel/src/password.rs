//! Account passwords: the strength rule and the salted hash that is stored
//! instead of the password (never the clear text).

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::PanelError;

/// Shortest password accepted.
const MIN_LEN: usize = 9;
/// SHA-256 rounds applied to salt + password (slows guessing from a stolen file).
const ROUNDS: u32 = 10_000;

/// Check the strength rule: at least 9 characters with an upper-case letter,
/// a lower-case letter and a digit, and not containing the login.
pub fn check_strength(password: &str, login: &str) -> Result<(), PanelError> {
    let strong = password.chars().count() >= MIN_LEN
        && password.chars().any(|c| c.is_uppercase())
        && password.chars().any(|c| c.is_lowercase())
        && password.chars().any(|c| c.is_ascii_digit());
    if !strong {
        return Err(PanelError::WeakPassword);
    }
    if !login.is_empty() && password.to_lowercase().contains(&login.to_lowercase()) {
        return Err(PanelError::PasswordHoldsLogin);
    }
    Ok(())
}

/// An iterated, salted SHA-256 of a password. Compare with [`PasswordHash::verify`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordHash {
    /// Random salt, hex.
    salt: String,
    /// Number of SHA-256 rounds.
    rounds: u32,
    /// The digest, hex.
    digest: String,
}

impl PasswordHash {
    /// Hash `password` with a fresh random salt.
    pub fn new(password: &str) -> Self {
        let salt: [u8; 16] = rand::random();
        Self::with_salt(password, &salt)
    }

    /// Hash with a given salt: for reproducible fixtures (the demo seed) only.
    pub fn with_salt(password: &str, salt: &[u8]) -> Self {
        PasswordHash {
            salt: hex::encode(salt),
            rounds: ROUNDS,
            digest: hex::encode(digest(password, salt, ROUNDS)),
        }
    }

    /// Whether `password` is the one that was hashed (constant-time compare).
    pub fn verify(&self, password: &str) -> bool {
        let (Ok(salt), Ok(expected)) = (hex::decode(&self.salt), hex::decode(&self.digest)) else {
            return false;
        };
        let got = digest(password, &salt, self.rounds);
        expected.len() == got.len()
            && expected
                .iter()
                .zip(got.iter())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

fn digest(password: &str, salt: &[u8], rounds: u32) -> [u8; 32] {
    let mut h: [u8; 32] = Sha256::new()
        .chain_update(salt)
        .chain_update(password.as_bytes())
        .finalize()
        .into();
    for _ in 1..rounds.max(1) {
        h = Sha256::new()
            .chain_update(salt)
            .chain_update(h)
            .finalize()
            .into();
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strength_rule() {
        check_strength("Sunny-Day42", "john.smith").unwrap();
        for weak in [
            "Short1A",
            "alllowercase1",
            "ALLUPPERCASE1",
            "NoDigitsHere",
            "",
        ] {
            assert_eq!(
                check_strength(weak, "john").unwrap_err().to_string(),
                "password too weak: use at least 9 characters with upper case, lower case and a digit",
                "{weak}"
            );
        }
        assert_eq!(
            check_strength("John.Smith2024", "john.smith")
                .unwrap_err()
                .to_string(),
            "password must not contain the login: pick another"
        );
    }

    #[test]
    fn hash_verifies_only_the_right_password_and_hides_it() {
        let h = PasswordHash::new("Sunny-Day42");
        assert!(h.verify("Sunny-Day42"));
        assert!(!h.verify("sunny-day42"));
        assert!(!h.verify(""));
        let stored = toml::to_string(&h).unwrap();
        assert!(!stored.contains("Sunny"), "{stored}");
        assert_eq!(format!("{h:?}"), "PasswordHash(..)");
        // two hashes of one password differ (random salt)
        assert_ne!(PasswordHash::new("Sunny-Day42"), h);
        // fixed salt is reproducible
        assert_eq!(
            PasswordHash::with_salt("Sunny-Day42", b"salt"),
            PasswordHash::with_salt("Sunny-Day42", b"salt")
        );
    }
}
