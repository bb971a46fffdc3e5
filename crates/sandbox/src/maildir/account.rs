//! Account operations the panel drives: create, rename (mail kept), reset
//! (wiped and recreated empty), delete, usage and quota.

use std::fs;

use super::special_use::AccountMeta;
use super::{index_of, make_maildir, name, MailStore, SpecialUse, StoreError};

impl MailStore {
    /// Creates an empty account with INBOX and the special-use folders.
    pub fn create_account(&self, login: &str) -> Result<(), StoreError> {
        let dir = self.account_dir(login)?;
        let _guard = self.lock();
        if dir.exists() {
            return Err(StoreError::AccountExists(login.to_string()));
        }
        build_account(&dir, AccountMeta::default())
    }

    pub fn account_exists(&self, login: &str) -> bool {
        self.account_dir(login).map(|d| d.is_dir()).unwrap_or(false)
    }

    /// Logins of every account in the store, sorted.
    pub fn accounts(&self) -> Result<Vec<String>, StoreError> {
        let dir = self.root.join("accounts");
        let entries = fs::read_dir(&dir).map_err(|e| StoreError::io(&dir, e))?;
        let mut logins: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
            .filter_map(|e| name::decode_level(&e.file_name().to_string_lossy()))
            .collect();
        logins.sort();
        Ok(logins)
    }

    /// Renames an account; its mail, folders, UIDs and quota are kept.
    pub fn rename_account(&self, old: &str, new: &str) -> Result<(), StoreError> {
        let from = self.existing_account_dir(old)?;
        let to = self.account_dir(new)?;
        let mut state = self.lock();
        if to.exists() {
            return Err(StoreError::AccountExists(new.to_string()));
        }
        state.forget(&from);
        fs::rename(&from, &to).map_err(|e| StoreError::io(&from, e))
    }

    /// Wipes all mail and folders of an account and recreates it empty
    /// (the quota setting is kept).
    pub fn reset_account(&self, login: &str) -> Result<(), StoreError> {
        let dir = self.existing_account_dir(login)?;
        let mut state = self.lock();
        let quota = AccountMeta::load(&dir)?.quota_bytes;
        state.forget(&dir);
        fs::remove_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
        build_account(
            &dir,
            AccountMeta {
                quota_bytes: quota,
                ..AccountMeta::default()
            },
        )
    }

    pub fn delete_account(&self, login: &str) -> Result<(), StoreError> {
        let dir = self.existing_account_dir(login)?;
        let mut state = self.lock();
        state.forget(&dir);
        fs::remove_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))
    }

    /// Bytes of mail stored in all folders of the account.
    pub fn used_bytes(&self, login: &str) -> Result<u64, StoreError> {
        let account = self.existing_account_dir(login)?;
        let mut state = self.lock();
        self.used_locked(&mut state, login, &account)
    }

    pub(super) fn used_locked(
        &self,
        state: &mut super::State,
        login: &str,
        account: &std::path::Path,
    ) -> Result<u64, StoreError> {
        if let Some(used) = state.used.get(account) {
            return Ok(*used);
        }
        let mut total = 0;
        for folder in self.folder_names(login, account)? {
            let dir = super::folder_dir_in(account, &folder);
            total += index_of(state, &dir)?
                .messages
                .iter()
                .map(|m| m.size)
                .sum::<u64>();
        }
        state.used.insert(account.to_path_buf(), total);
        Ok(total)
    }

    /// Sets (or with `None` lifts) the account's quota in bytes.
    pub fn set_quota(&self, login: &str, bytes: Option<u64>) -> Result<(), StoreError> {
        let dir = self.existing_account_dir(login)?;
        let _guard = self.lock();
        let mut meta = AccountMeta::load(&dir)?;
        meta.quota_bytes = bytes;
        meta.save(&dir)
    }

    pub fn quota(&self, login: &str) -> Result<Option<u64>, StoreError> {
        let dir = self.existing_account_dir(login)?;
        Ok(AccountMeta::load(&dir)?.quota_bytes)
    }
}

fn build_account(dir: &std::path::Path, mut meta: AccountMeta) -> Result<(), StoreError> {
    make_maildir(dir, false)?;
    for use_ in SpecialUse::ALL {
        let folder = use_.default_folder();
        let sub = name::folder_dir(folder).expect("special-use folders are not INBOX");
        make_maildir(&dir.join(sub), true)?;
        meta.special_use.insert(folder.to_string(), use_);
    }
    meta.save(dir)
}
