//! The passwd-file user database: salted SHA-256 hashes only, never clear-text passwords.

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// One `user:{SSHA256}hash` line, salted with the given bytes.
pub(crate) fn entry(user: &str, password: &str, salt: &[u8; 8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(password.as_bytes());
    hasher.update(salt);
    let mut raw = hasher.finalize().to_vec();
    raw.extend_from_slice(salt);
    let hash = base64::engine::general_purpose::STANDARD.encode(raw);
    format!("{user}:{{SSHA256}}{hash}::::::")
}

/// A user name Dovecot and the passwd-file can hold safely.
pub(crate) fn valid_user(user: &str) -> bool {
    !user.is_empty()
        && user.len() <= 200
        && user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@._+-".contains(c))
}

/// Eight salt bytes that differ between calls (no need for cryptographic strength here).
pub(crate) fn fresh_salt() -> [u8; 8] {
    use std::time::{SystemTime, UNIX_EPOCH};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut hasher = Sha256::new();
    hasher.update(nanos.to_le_bytes());
    hasher.update(n.to_le_bytes());
    hasher.update(std::process::id().to_le_bytes());
    let digest = hasher.finalize();
    let mut salt = [0u8; 8];
    salt.copy_from_slice(&digest[..8]);
    salt
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_is_salted_sha256_without_the_password() {
        let line = entry("alice", "s3cret", &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert!(line.starts_with("alice:{SSHA256}"));
        assert!(!line.contains("s3cret"));
        let b64 = line
            .trim_start_matches("alice:{SSHA256}")
            .trim_end_matches("::::::");
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(raw.len(), 32 + 8);
        assert_eq!(&raw[32..], &[1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn user_names_are_checked() {
        assert!(valid_user("alice@example.test"));
        assert!(!valid_user("a:b"));
        assert!(!valid_user(""));
        assert!(!valid_user("a b"));
    }

    #[test]
    fn salts_differ() {
        assert_ne!(fresh_salt(), fresh_salt());
    }
}
