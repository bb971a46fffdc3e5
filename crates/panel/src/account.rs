//! An email account slot on a platform, and the inputs and outcomes of the
//! operations on it (create, modify, rename, reset).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::PasswordHash;

/// Whether an account slot is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    /// A real mailbox with a login and a password.
    Configured,
    /// A paid slot not set up yet (address `slotNN@configureme.me`).
    Unconfigured,
}

/// An email account (or an unconfigured slot) on a platform.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The login, as typed (compared case-insensitively).
    pub local_part: String,
    /// The domain, lower case.
    pub domain: String,
    /// The name shown to correspondents.
    pub display_name: String,
    /// Configured or not.
    pub state: AccountState,
    /// Mailbox size limit in bytes.
    pub quota_bytes: u64,
    /// Bytes used by the mailbox.
    pub used_bytes: u64,
    /// Salted hash of the password; `None` on unconfigured slots.
    pub password: Option<PasswordHash>,
}

impl Account {
    /// `local@domain`.
    pub fn address(&self) -> String {
        format!("{}@{}", self.local_part, self.domain)
    }

    /// Whether this account's address is `address` (case-insensitive).
    pub fn has_address(&self, address: &str) -> bool {
        match address.rsplit_once('@') {
            Some((l, d)) => {
                l.eq_ignore_ascii_case(&self.local_part) && d.eq_ignore_ascii_case(&self.domain)
            }
            None => false,
        }
    }

    /// Whether the account is configured.
    pub fn is_configured(&self) -> bool {
        self.state == AccountState::Configured
    }

    /// Whether `password` opens this account (always false when unconfigured).
    pub fn verify_password(&self, password: &str) -> bool {
        self.is_configured() && self.password.as_ref().is_some_and(|h| h.verify(password))
    }
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("address", &self.address())
            .field("display_name", &self.display_name)
            .field("state", &self.state)
            .field("quota_bytes", &self.quota_bytes)
            .field("used_bytes", &self.used_bytes)
            .field("password", &self.password.as_ref().map(|_| "<hash>"))
            .finish()
    }
}

/// What a person fills in to create an account.
#[derive(Clone, PartialEq, Eq)]
pub struct NewAccount {
    /// The login (before `@`).
    pub local_part: String,
    /// A domain associated with the platform.
    pub domain: String,
    /// The name shown to correspondents (empty: the login).
    pub display_name: String,
    /// Clear text, only in memory: hashed before it is stored.
    pub password: String,
    /// `None`: the platform's maximum.
    pub quota_bytes: Option<u64>,
}

impl fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewAccount")
            .field("local_part", &self.local_part)
            .field("domain", &self.domain)
            .field("display_name", &self.display_name)
            .field("password", &"<hidden>")
            .field("quota_bytes", &self.quota_bytes)
            .finish()
    }
}

/// Changes to an existing account; `None` leaves a field as it is.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AccountChanges {
    /// New display name.
    pub display_name: Option<String>,
    /// Clear text, only in memory: hashed before it is stored.
    pub password: Option<String>,
    /// New quota in bytes (at least the used size, at most the platform max).
    pub quota_bytes: Option<u64>,
}

impl fmt::Debug for AccountChanges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountChanges")
            .field("display_name", &self.display_name)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .field("quota_bytes", &self.quota_bytes)
            .finish()
    }
}

/// The outcome of a rename: the sandbox moves the mailbox from `old` to `new`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rename {
    /// The address before.
    pub old: String,
    /// The address after.
    pub new: String,
}

/// What a reset wipes: named in the confirmation dialog, acted on by the sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wipe {
    /// The address whose mailbox is emptied and freed.
    pub address: String,
    /// Its display name.
    pub display_name: String,
    /// The bytes of mail that will be deleted.
    pub used_bytes: u64,
    /// The placeholder address the slot takes once reset.
    pub placeholder: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        Account {
            local_part: "John.Smith".into(),
            domain: "example.com".into(),
            display_name: "John Smith".into(),
            state: AccountState::Configured,
            quota_bytes: 10,
            used_bytes: 1,
            password: Some(PasswordHash::with_salt("Sunny-Day42", b"s")),
        }
    }

    #[test]
    fn address_matching_is_case_insensitive() {
        let a = account();
        assert_eq!(a.address(), "John.Smith@example.com");
        assert!(a.has_address("john.smith@EXAMPLE.com"));
        assert!(!a.has_address("john.smith@example.org"));
        assert!(!a.has_address("john.smith"));
    }

    #[test]
    fn password_verification_and_debug_hide_secrets() {
        let mut a = account();
        assert!(a.verify_password("Sunny-Day42"));
        assert!(!a.verify_password("wrong"));
        assert!(format!("{a:?}").contains("<hash>"));
        a.state = AccountState::Unconfigured;
        assert!(
            !a.verify_password("Sunny-Day42"),
            "unconfigured slots never log in"
        );
        let n = NewAccount {
            local_part: "x".into(),
            domain: "example.com".into(),
            display_name: "X".into(),
            password: "Sunny-Day42".into(),
            quota_bytes: None,
        };
        assert!(!format!("{n:?}").contains("Sunny"));
        let c = AccountChanges {
            password: Some("Sunny-Day42".into()),
            ..Default::default()
        };
        assert!(!format!("{c:?}").contains("Sunny"));
    }
}
