//! The sandbox's mail store: one Maildir++ tree per account under a root
//! directory, with a per-folder JSON index that keeps UIDs stable across
//! restarts. Thread-safe: every mutation happens under one store lock.

mod account;
mod error;
mod folder;
mod index;
mod message;
pub mod name;
mod special_use;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

pub use error::StoreError;
pub use folder::FolderInfo;
pub use message::{Appended, FlagChange, FolderSnapshot, FolderStatus, MessageMeta};
pub use special_use::SpecialUse;

use index::FolderIndex;

/// A Maildir store rooted at a directory (accounts live in `root/accounts`).
#[derive(Debug)]
pub struct MailStore {
    root: PathBuf,
    state: Mutex<State>,
}

/// What the store keeps in memory; only touched under the lock.
#[derive(Debug, Default)]
struct State {
    /// Loaded folder indexes, by folder directory.
    indexes: HashMap<PathBuf, FolderIndex>,
    /// Bytes used per account directory, computed on first need.
    used: HashMap<PathBuf, u64>,
}

impl State {
    /// Forgets everything cached under `dir` (an account or folder directory).
    fn forget(&mut self, dir: &Path) {
        self.indexes.retain(|path, _| !path.starts_with(dir));
        self.used.retain(|path, _| !path.starts_with(dir));
    }
}

impl MailStore {
    /// Opens (creating if needed) a store rooted at `root`.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let root = root.into();
        let accounts = root.join("accounts");
        mailshift_store::create_private_dir(&accounts).map_err(|e| StoreError::io(&accounts, e))?;
        Ok(Self {
            root,
            state: Mutex::new(State::default()),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves the cache possibly stale but
        // the disk consistent; keep serving.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn account_dir(&self, login: &str) -> Result<PathBuf, StoreError> {
        name::check_login(login)?;
        Ok(self.root.join("accounts").join(name::encode_level(login)))
    }

    fn existing_account_dir(&self, login: &str) -> Result<PathBuf, StoreError> {
        let dir = self.account_dir(login)?;
        if dir.is_dir() {
            Ok(dir)
        } else {
            Err(StoreError::AccountNotFound(login.to_string()))
        }
    }

    /// The directory of an existing folder and its canonical name.
    fn existing_folder_dir(
        &self,
        login: &str,
        folder: &str,
    ) -> Result<(PathBuf, String), StoreError> {
        let account = self.existing_account_dir(login)?;
        let canonical = name::canonical_folder(folder)?;
        let dir = folder_dir_in(&account, &canonical);
        if dir.join("cur").is_dir() {
            Ok((dir, canonical))
        } else {
            Err(StoreError::FolderNotFound(canonical))
        }
    }
}

fn folder_dir_in(account: &Path, canonical: &str) -> PathBuf {
    match name::folder_dir(canonical) {
        None => account.to_path_buf(),
        Some(sub) => account.join(sub),
    }
}

/// Loads (or builds, for a Maildir that has none yet) the index of `dir`.
fn index_of<'a>(state: &'a mut State, dir: &Path) -> Result<&'a mut FolderIndex, StoreError> {
    if !state.indexes.contains_key(dir) {
        let index = match FolderIndex::load(dir)? {
            Some(index) => index,
            None => message::index_existing_files(dir)?,
        };
        state.indexes.insert(dir.to_path_buf(), index);
    }
    Ok(state.indexes.get_mut(dir).expect("index was just inserted"))
}

/// Creates the `cur/ new/ tmp/` directories and an empty index.
fn make_maildir(dir: &Path, subfolder: bool) -> Result<(), StoreError> {
    for sub in ["cur", "new", "tmp"] {
        let path = dir.join(sub);
        mailshift_store::create_private_dir(&path).map_err(|e| StoreError::io(&path, e))?;
    }
    if subfolder {
        let marker = dir.join("maildirfolder");
        crate::private_file::write(&marker, b"").map_err(|e| StoreError::io(&marker, e))?;
    }
    let mut index = FolderIndex::new(new_uid_validity());
    index.save(dir)
}

/// A fresh UIDVALIDITY: random, so a folder deleted and re-created never
/// reuses the old value.
fn new_uid_validity() -> u32 {
    rand::random_range(1..=u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, MailStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = MailStore::open(dir.path()).unwrap();
        store.create_account("a@example.net").unwrap();
        (dir, store)
    }

    #[test]
    fn new_accounts_get_special_use_folders() {
        let (_d, store) = store();
        let folders = store.folders("a@example.net").unwrap();
        assert_eq!(folders[0].name, "INBOX");
        for use_ in SpecialUse::ALL {
            let f = folders
                .iter()
                .find(|f| f.name == use_.default_folder())
                .unwrap();
            assert_eq!(f.special_use, Some(use_));
        }
        assert!(matches!(
            store.create_account("a@example.net"),
            Err(StoreError::AccountExists(_))
        ));
    }

    #[test]
    fn hostile_names_never_leave_the_account_directory() {
        let (dir, store) = store();
        assert!(store.create_folder("a@example.net", "../../etc").is_err());
        assert!(store.create_account("../evil").is_err());
        store
            .create_folder("a@example.net", "dots.and/..more")
            .unwrap();
        let account = dir.path().join("accounts").join("a@example%2Enet");
        assert!(account.join(".dots%2Eand.%2E%2Emore").join("cur").is_dir());
        let names: Vec<String> = store
            .folders("a@example.net")
            .unwrap()
            .into_iter()
            .map(|f| f.name)
            .collect();
        assert!(names.contains(&"dots.and/..more".to_string()), "{names:?}");
    }

    #[test]
    fn append_rejects_nul_and_tracks_usage() {
        let (_d, store) = store();
        assert!(matches!(
            store.append("a@example.net", "INBOX", b"a\0b", &[], None),
            Err(StoreError::NulInMessage)
        ));
        store
            .append("a@example.net", "INBOX", b"12345", &[], None)
            .unwrap();
        store
            .append("a@example.net", "Sent", b"123", &[], None)
            .unwrap();
        assert_eq!(store.used_bytes("a@example.net").unwrap(), 8);
        store
            .store_flags(
                "a@example.net",
                "INBOX",
                &[1],
                FlagChange::Add,
                &["\\Deleted".into()],
            )
            .unwrap();
        assert_eq!(
            store.expunge("a@example.net", "INBOX", None).unwrap(),
            vec![1]
        );
        assert_eq!(store.used_bytes("a@example.net").unwrap(), 3);
    }

    #[test]
    fn deleting_a_special_folder_forgets_its_use_and_rename_carries_it() {
        let (_d, store) = store();
        store
            .rename_folder("a@example.net", "Sent", "Sent Items")
            .unwrap();
        let f = store.folders("a@example.net").unwrap();
        assert!(f
            .iter()
            .any(|f| f.name == "Sent Items" && f.special_use == Some(SpecialUse::Sent)));
        store.delete_folder("a@example.net", "Sent Items").unwrap();
        store.create_folder("a@example.net", "Sent Items").unwrap();
        let f = store.folders("a@example.net").unwrap();
        assert!(f
            .iter()
            .any(|f| f.name == "Sent Items" && f.special_use.is_none()));
    }

    #[test]
    fn mail_dropped_into_a_maildir_is_indexed_with_flags() {
        let (dir, store) = store();
        let account = dir.path().join("accounts").join("a@example%2Enet");
        std::fs::write(
            account.join("new").join("1700000000.x.host"),
            b"Subject: a\r\n\r\nhi",
        )
        .unwrap();
        std::fs::write(
            account.join("cur").join("1700000001.y.host:2,FS"),
            b"Subject: b\r\n\r\nho",
        )
        .unwrap();
        std::fs::remove_file(account.join(index::SNAPSHOT_FILE)).unwrap();
        let snap = store.snapshot("a@example.net", "INBOX").unwrap();
        assert_eq!(snap.messages.len(), 2);
        assert_eq!(snap.uid_next, 3);
        assert_eq!(
            snap.messages[1].flags,
            vec!["\\Flagged".to_string(), "\\Seen".to_string()]
        );
        assert_eq!(
            store.read_message("a@example.net", "INBOX", 1).unwrap(),
            b"Subject: a\r\n\r\nhi"
        );
    }
}
