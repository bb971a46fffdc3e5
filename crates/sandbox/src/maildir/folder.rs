//! Folder operations: list (with special use), create (with missing
//! parents), delete, rename (with subfolders).

use std::fs;
use std::path::Path;

use super::special_use::AccountMeta;
use super::{folder_dir_in, make_maildir, name, MailStore, SpecialUse, StoreError};

/// A folder as LIST shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderInfo {
    /// Canonical name with `/` as separator (`INBOX`, `Sent`, `Work/2024`).
    pub name: String,
    pub special_use: Option<SpecialUse>,
    pub has_children: bool,
}

impl MailStore {
    /// All folders of the account, INBOX first, then by name.
    pub fn folders(&self, login: &str) -> Result<Vec<FolderInfo>, StoreError> {
        let account = self.existing_account_dir(login)?;
        let _guard = self.lock();
        let names = self.folder_names(login, &account)?;
        let meta = AccountMeta::load(&account)?;
        Ok(names
            .iter()
            .map(|n| FolderInfo {
                name: n.clone(),
                special_use: meta.special_use.get(n).copied(),
                has_children: names.iter().any(|c| is_child(c, n)),
            })
            .collect())
    }

    pub(super) fn folder_names(
        &self,
        _login: &str,
        account: &Path,
    ) -> Result<Vec<String>, StoreError> {
        let entries = fs::read_dir(account).map_err(|e| StoreError::io(account, e))?;
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().join("cur").is_dir())
            .filter_map(|e| name::folder_from_dir(&e.file_name().to_string_lossy()))
            .collect();
        names.sort();
        names.insert(0, "INBOX".to_string());
        Ok(names)
    }

    /// Creates a folder and any missing parent (`a/b/c` creates `a`, `a/b`).
    pub fn create_folder(&self, login: &str, folder: &str) -> Result<(), StoreError> {
        let account = self.existing_account_dir(login)?;
        let canonical = name::canonical_folder(folder)?;
        let _guard = self.lock();
        let dir = folder_dir_in(&account, &canonical);
        if dir.join("cur").is_dir() {
            return Err(StoreError::FolderExists(canonical));
        }
        create_with_parents(&account, &canonical)
    }

    /// Deletes an empty-of-children folder and its mail.
    pub fn delete_folder(&self, login: &str, folder: &str) -> Result<(), StoreError> {
        let (dir, canonical) = self.existing_folder_dir(login, folder)?;
        if canonical == "INBOX" {
            return Err(StoreError::InboxIsSpecial);
        }
        let account = self.existing_account_dir(login)?;
        let mut state = self.lock();
        if self
            .folder_names(login, &account)?
            .iter()
            .any(|n| is_child(n, &canonical))
        {
            return Err(StoreError::FolderHasChildren(canonical));
        }
        state.forget(&dir);
        state.used.remove(&account);
        fs::remove_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
        let mut meta = AccountMeta::load(&account)?;
        if meta.special_use.remove(&canonical).is_some() {
            meta.save(&account)?;
        }
        Ok(())
    }

    /// Renames a folder and its subfolders; messages and UIDs are kept.
    pub fn rename_folder(&self, login: &str, from: &str, to: &str) -> Result<(), StoreError> {
        let (_, from) = self.existing_folder_dir(login, from)?;
        let to = name::canonical_folder(to)?;
        if from == "INBOX" || to == "INBOX" {
            return Err(StoreError::InboxIsSpecial);
        }
        if to == from || is_child(&to, &from) {
            return Err(StoreError::FolderExists(to));
        }
        let account = self.existing_account_dir(login)?;
        let mut state = self.lock();
        if folder_dir_in(&account, &to).join("cur").is_dir() {
            return Err(StoreError::FolderExists(to));
        }
        if let Some((parent, _)) = to.rsplit_once(name::SEPARATOR) {
            if !folder_dir_in(&account, parent).join("cur").is_dir() {
                create_with_parents(&account, parent)?;
            }
        }
        let mut meta = AccountMeta::load(&account)?;
        let moving: Vec<String> = self
            .folder_names(login, &account)?
            .into_iter()
            .filter(|n| *n == from || is_child(n, &from))
            .collect();
        for old in moving {
            let new = format!("{to}{}", &old[from.len()..]);
            let old_dir = folder_dir_in(&account, &old);
            let new_dir = folder_dir_in(&account, &new);
            state.forget(&old_dir);
            fs::rename(&old_dir, &new_dir).map_err(|e| StoreError::io(&old_dir, e))?;
            if let Some(use_) = meta.special_use.remove(&old) {
                meta.special_use.insert(new, use_);
            }
        }
        meta.save(&account)
    }
}

/// Whether `name` is below `parent` in the hierarchy.
fn is_child(name: &str, parent: &str) -> bool {
    name.len() > parent.len() + 1
        && name.starts_with(parent)
        && name[parent.len()..].starts_with(name::SEPARATOR)
}

fn create_with_parents(account: &Path, canonical: &str) -> Result<(), StoreError> {
    let mut prefix = String::new();
    for level in canonical.split(name::SEPARATOR) {
        if !prefix.is_empty() {
            prefix.push(name::SEPARATOR);
        }
        prefix.push_str(level);
        let dir = folder_dir_in(account, &prefix);
        if !dir.join("cur").is_dir() {
            make_maildir(&dir, prefix != "INBOX")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::is_child;

    #[test]
    fn child_detection_respects_level_boundaries() {
        assert!(is_child("a/b", "a"));
        assert!(is_child("a/b/c", "a/b"));
        assert!(!is_child("ab", "a"));
        assert!(!is_child("a", "a"));
    }
}
