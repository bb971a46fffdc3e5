//! Special-use folders (RFC 6154) and the small per-account settings file
//! that remembers them together with the account's quota.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::StoreError;

const ACCOUNT_FILE: &str = "mailshift-account.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SpecialUse {
    Sent,
    Drafts,
    Trash,
    Junk,
    Archive,
}

impl SpecialUse {
    /// Every special-use folder a new account gets, named after its use.
    pub const ALL: [SpecialUse; 5] = [
        SpecialUse::Sent,
        SpecialUse::Drafts,
        SpecialUse::Trash,
        SpecialUse::Junk,
        SpecialUse::Archive,
    ];

    /// The LIST attribute without its backslash (`Sent` for `\Sent`).
    pub fn attribute(self) -> &'static str {
        match self {
            SpecialUse::Sent => "Sent",
            SpecialUse::Drafts => "Drafts",
            SpecialUse::Trash => "Trash",
            SpecialUse::Junk => "Junk",
            SpecialUse::Archive => "Archive",
        }
    }

    /// The folder name a new account gets for this use.
    pub fn default_folder(self) -> &'static str {
        self.attribute()
    }
}

/// Per-account settings stored next to the mail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountMeta {
    pub quota_bytes: Option<u64>,
    /// Folder name -> its special use.
    pub special_use: BTreeMap<String, SpecialUse>,
}

impl AccountMeta {
    pub fn load(account: &Path) -> Result<Self, StoreError> {
        let path = account.join(ACCOUNT_FILE);
        match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| StoreError::CorruptIndex {
                path,
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(StoreError::io(&path, e)),
        }
    }

    pub fn save(&self, account: &Path) -> Result<(), StoreError> {
        let path = account.join(ACCOUNT_FILE);
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| StoreError::CorruptIndex {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        mailshift_store::write_atomic(&path, &bytes).map_err(|e| StoreError::io(&path, e.source))
    }
}
