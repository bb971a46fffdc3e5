//! Who may log in to the sandbox: login -> salted SHA-256 password hash.
//! Passwords are never kept in clear, in memory or on disk. (Quotas live
//! with the mail, in [`crate::MailStore`].)

use std::collections::HashMap;
use std::path::Path;
use std::sync::RwLock;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum DirectoryError {
    #[error("cannot read or write the sandbox directory file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("there is no sandbox login {0:?}")]
    UnknownLogin(String),
    #[error("the sandbox login {0:?} already exists")]
    LoginExists(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Credential {
    /// Hex of 16 random bytes.
    salt: String,
    /// Hex of SHA-256(salt bytes || password).
    hash: String,
}

impl Credential {
    fn new(password: &str) -> Self {
        let salt: [u8; 16] = rand::random();
        Self {
            salt: hex::encode(salt),
            hash: hex::encode(digest(&salt, password)),
        }
    }

    fn matches(&self, password: &str) -> bool {
        let Ok(salt) = hex::decode(&self.salt) else {
            return false;
        };
        let Ok(expected) = hex::decode(&self.hash) else {
            return false;
        };
        let got = digest(&salt, password);
        // Constant-time comparison.
        expected.len() == got.len()
            && expected
                .iter()
                .zip(got.iter())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

fn digest(salt: &[u8], password: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(password.as_bytes());
    hasher.finalize().into()
}

/// The sandbox's user database (thread-safe).
#[derive(Debug, Default)]
pub struct Directory {
    users: RwLock<HashMap<String, Credential>>,
}

impl Directory {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a login's password.
    pub fn set_password(&self, login: &str, password: &str) {
        self.write()
            .insert(login.to_string(), Credential::new(password));
    }

    /// Whether `password` is the login's password (false for unknown logins).
    pub fn verify(&self, login: &str, password: &str) -> bool {
        self.read().get(login).is_some_and(|c| c.matches(password))
    }

    pub fn contains(&self, login: &str) -> bool {
        self.read().contains_key(login)
    }

    pub fn logins(&self) -> Vec<String> {
        let mut logins: Vec<String> = self.read().keys().cloned().collect();
        logins.sort();
        logins
    }

    /// Moves a login's password to a new login (the panel's account rename).
    pub fn rename(&self, old: &str, new: &str) -> Result<(), DirectoryError> {
        let mut users = self.write();
        if users.contains_key(new) {
            return Err(DirectoryError::LoginExists(new.to_string()));
        }
        let credential = users
            .remove(old)
            .ok_or_else(|| DirectoryError::UnknownLogin(old.to_string()))?;
        users.insert(new.to_string(), credential);
        Ok(())
    }

    pub fn remove(&self, login: &str) -> bool {
        self.write().remove(login).is_some()
    }

    /// Loads a directory saved by [`Directory::save`] (hashes only).
    pub fn load(path: &Path) -> Result<Self, DirectoryError> {
        let err = |reason: String| DirectoryError::File {
            path: path.display().to_string(),
            reason,
        };
        let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
        let users: HashMap<String, Credential> =
            serde_json::from_slice(&bytes).map_err(|e| err(e.to_string()))?;
        Ok(Self {
            users: RwLock::new(users),
        })
    }

    /// Saves the salted hashes (never the passwords) as a 0600 file.
    pub fn save(&self, path: &Path) -> Result<(), DirectoryError> {
        let err = |reason: String| DirectoryError::File {
            path: path.display().to_string(),
            reason,
        };
        let bytes = serde_json::to_vec_pretty(&*self.read()).map_err(|e| err(e.to_string()))?;
        mailshift_store::write_atomic(path, &bytes).map_err(|e| err(e.source.to_string()))
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Credential>> {
        self.users.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Credential>> {
        self.users.write().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_and_never_saves_clear_passwords() {
        let dir = Directory::new();
        dir.set_password("a@example.net", "s3cret-pass");
        assert!(dir.verify("a@example.net", "s3cret-pass"));
        assert!(!dir.verify("a@example.net", "wrong"));
        assert!(!dir.verify("b@example.net", "s3cret-pass"));

        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("users.json");
        dir.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("s3cret-pass"));
        let loaded = Directory::load(&path).unwrap();
        assert!(loaded.verify("a@example.net", "s3cret-pass"));
    }

    #[test]
    fn rename_moves_the_password() {
        let dir = Directory::new();
        dir.set_password("old@x", "pw");
        dir.rename("old@x", "new@x").unwrap();
        assert!(dir.verify("new@x", "pw"));
        assert!(!dir.contains("old@x"));
        assert!(matches!(
            dir.rename("old@x", "z@x"),
            Err(DirectoryError::UnknownLogin(_))
        ));
    }

    #[test]
    fn same_password_gets_different_salts() {
        let a = Credential::new("pw");
        let b = Credential::new("pw");
        assert_ne!(a.hash, b.hash);
    }
}
