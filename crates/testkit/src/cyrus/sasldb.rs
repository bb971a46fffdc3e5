//! The private SASL database of one Cyrus instance (`saslpasswd2 -f`). Note: sasldb keeps
//! passwords in clear, so only throwaway test passwords belong there.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

use super::install::SASLPASSWD2;
use crate::TestkitError;

/// Create `user` (or change their password) in the sasldb at `path`, in `realm` (the server's
/// `servername`, which is the realm Cyrus looks users up in).
pub(crate) fn set_password(
    path: &Path,
    realm: &str,
    user: &str,
    password: &str,
) -> Result<(), TestkitError> {
    if password.contains(['\r', '\n', '\0']) {
        return Err(TestkitError::Setup(
            "passwords may not contain CR, LF or NUL".into(),
        ));
    }
    let mut child = Command::new(SASLPASSWD2)
        .arg("-f")
        .arg(path)
        .args(["-u", realm, "-c", "-p", user])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| TestkitError::io(SASLPASSWD2, e))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(format!("{password}\n").as_bytes())
            .map_err(|e| TestkitError::io(SASLPASSWD2, e))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| TestkitError::io(SASLPASSWD2, e))?;
    if !out.status.success() {
        return Err(TestkitError::Setup(format!(
            "saslpasswd2 could not store user {user:?} in {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

/// A user name Cyrus takes in both namespaces (no `.`, `/`, `@`: they are hierarchy or
/// domain separators there).
pub(crate) fn valid_user(user: &str) -> bool {
    !user.is_empty()
        && user.len() <= 64
        && user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A fresh random-enough secret for the admin account (hex).
pub(crate) fn fresh_secret() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut h = Sha256::new();
    h.update(nanos.to_le_bytes());
    h.update(n.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    hex::encode(&h.finalize()[..12])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_exclude_separators() {
        assert!(valid_user("alice"));
        assert!(valid_user("bob_2-x"));
        assert!(!valid_user("a.b"));
        assert!(!valid_user("a/b"));
        assert!(!valid_user("a@b"));
        assert!(!valid_user(""));
    }

    #[test]
    fn secrets_differ() {
        assert_ne!(fresh_secret(), fresh_secret());
        assert_eq!(fresh_secret().len(), 24);
    }
}
