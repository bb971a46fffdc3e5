//! Messages: append (Maildir delivery tmp/ -> cur/, quota checked), read
//! the exact stored bytes, flags, expunge, and folder snapshots/status.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, FixedOffset, Local, TimeZone, Utc};

use super::index::{FolderIndex, MessageEntry};
use super::special_use::AccountMeta;
use super::{index_of, new_uid_validity, MailStore, StoreError};

/// Where an appended message landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    pub uid_validity: u32,
    pub uid: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageMeta {
    pub uid: u32,
    pub flags: Vec<String>,
    pub internal_date: DateTime<FixedOffset>,
    pub size: u64,
}

/// A folder's messages at one instant (sorted by UID).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderSnapshot {
    pub uid_validity: u32,
    pub uid_next: u32,
    pub messages: Vec<MessageMeta>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderStatus {
    pub uid_validity: u32,
    pub uid_next: u32,
    pub messages: u32,
    pub unseen: u32,
}

/// How STORE changes flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagChange {
    Replace,
    Add,
    Remove,
}

static DELIVERY_COUNTER: AtomicU64 = AtomicU64::new(0);

impl MailStore {
    /// Stores a message with its flags and INTERNALDATE (now when `None`).
    /// Refused with [`StoreError::OverQuota`] when it would exceed the quota.
    pub fn append(
        &self,
        login: &str,
        folder: &str,
        bytes: &[u8],
        flags: &[String],
        date: Option<DateTime<FixedOffset>>,
    ) -> Result<Appended, StoreError> {
        if bytes.contains(&0) {
            return Err(StoreError::NulInMessage);
        }
        let (dir, _) = self.existing_folder_dir(login, folder)?;
        let account = self.existing_account_dir(login)?;
        let size = bytes.len() as u64;
        let mut state = self.lock();
        if let Some(quota) = AccountMeta::load(&account)?.quota_bytes {
            let used = self.used_locked(&mut state, login, &account)?;
            if used.saturating_add(size) > quota {
                return Err(StoreError::OverQuota {
                    login: login.to_string(),
                    used,
                    quota,
                    size,
                });
            }
        }
        let file = unique_file_name();
        let tmp = dir.join("tmp").join(&file);
        let cur = dir.join("cur").join(&file);
        crate::private_file::write(&tmp, bytes).map_err(|e| StoreError::io(&tmp, e))?;
        fs::rename(&tmp, &cur).map_err(|e| StoreError::io(&cur, e))?;
        let index = index_of(&mut state, &dir)?;
        let uid = index.uid_next;
        let entry = MessageEntry {
            uid,
            file,
            flags: normalise_flags(flags),
            internal_date: date.unwrap_or_else(now),
            size,
        };
        if let Err(e) = index.add(&dir, entry) {
            let _ = fs::remove_file(&cur);
            return Err(e);
        }
        let uid_validity = index.uid_validity;
        if let Some(used) = state.used.get_mut(&account) {
            *used += size;
        }
        Ok(Appended { uid_validity, uid })
    }

    /// The exact bytes stored for a message.
    pub fn read_message(&self, login: &str, folder: &str, uid: u32) -> Result<Vec<u8>, StoreError> {
        let (dir, _) = self.existing_folder_dir(login, folder)?;
        let mut state = self.lock();
        let index = index_of(&mut state, &dir)?;
        let entry = index.find(uid).ok_or(StoreError::MessageNotFound(uid))?;
        let path = dir.join("cur").join(&entry.file);
        fs::read(&path).map_err(|e| StoreError::io(&path, e))
    }

    pub fn snapshot(&self, login: &str, folder: &str) -> Result<FolderSnapshot, StoreError> {
        let (dir, _) = self.existing_folder_dir(login, folder)?;
        let mut state = self.lock();
        let index = index_of(&mut state, &dir)?;
        Ok(FolderSnapshot {
            uid_validity: index.uid_validity,
            uid_next: index.uid_next,
            messages: index
                .messages
                .iter()
                .map(|m| MessageMeta {
                    uid: m.uid,
                    flags: m.flags.clone(),
                    internal_date: m.internal_date,
                    size: m.size,
                })
                .collect(),
        })
    }

    pub fn status(&self, login: &str, folder: &str) -> Result<FolderStatus, StoreError> {
        let (dir, _) = self.existing_folder_dir(login, folder)?;
        let mut state = self.lock();
        let index = index_of(&mut state, &dir)?;
        Ok(FolderStatus {
            uid_validity: index.uid_validity,
            uid_next: index.uid_next,
            messages: index.messages.len() as u32,
            unseen: index
                .messages
                .iter()
                .filter(|m| !m.flags.iter().any(|f| f == "\\Seen"))
                .count() as u32,
        })
    }

    /// Changes the flags of the given UIDs (missing ones are skipped) and
    /// returns the new flags of each message changed.
    pub fn store_flags(
        &self,
        login: &str,
        folder: &str,
        uids: &[u32],
        change: FlagChange,
        flags: &[String],
    ) -> Result<Vec<(u32, Vec<String>)>, StoreError> {
        let (dir, _) = self.existing_folder_dir(login, folder)?;
        let flags = normalise_flags(flags);
        let mut state = self.lock();
        let index = index_of(&mut state, &dir)?;
        let mut changed = Vec::new();
        for &uid in uids {
            let Some(entry) = index.find(uid) else {
                continue;
            };
            let mut new = match change {
                FlagChange::Replace => flags.clone(),
                FlagChange::Add => {
                    let mut all = entry.flags.clone();
                    all.extend(flags.iter().cloned());
                    all
                }
                FlagChange::Remove => entry
                    .flags
                    .iter()
                    .filter(|f| !flags.iter().any(|r| r.eq_ignore_ascii_case(f)))
                    .cloned()
                    .collect(),
            };
            new = normalise_flags(&new);
            if new != entry.flags {
                index.set_flags(&dir, uid, new.clone())?;
            }
            changed.push((uid, new));
        }
        Ok(changed)
    }

    /// Removes the messages flagged `\Deleted` (only those in `only` when
    /// given) and returns their UIDs in ascending order.
    pub fn expunge(
        &self,
        login: &str,
        folder: &str,
        only: Option<&[u32]>,
    ) -> Result<Vec<u32>, StoreError> {
        let (dir, _) = self.existing_folder_dir(login, folder)?;
        let account = self.existing_account_dir(login)?;
        let mut state = self.lock();
        let index = index_of(&mut state, &dir)?;
        let doomed: Vec<(u32, String, u64)> = index
            .messages
            .iter()
            .filter(|m| m.flags.iter().any(|f| f == "\\Deleted"))
            .filter(|m| only.is_none_or(|set| set.contains(&m.uid)))
            .map(|m| (m.uid, m.file.clone(), m.size))
            .collect();
        let uids: Vec<u32> = doomed.iter().map(|d| d.0).collect();
        index.remove(&dir, uids.clone())?;
        let freed: u64 = doomed.iter().map(|d| d.2).sum();
        for (_, file, _) in &doomed {
            let path = dir.join("cur").join(file);
            let _ = fs::remove_file(&path);
        }
        if let Some(used) = state.used.get_mut(&account) {
            *used = used.saturating_sub(freed);
        }
        Ok(uids)
    }
}

/// Canonical spelling of system flags, duplicates and `\Recent` removed.
fn normalise_flags(flags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for flag in flags {
        let canonical = match flag.to_ascii_lowercase().as_str() {
            "\\seen" => "\\Seen".to_string(),
            "\\answered" => "\\Answered".to_string(),
            "\\flagged" => "\\Flagged".to_string(),
            "\\deleted" => "\\Deleted".to_string(),
            "\\draft" => "\\Draft".to_string(),
            "\\recent" => continue,
            _ => flag.clone(),
        };
        if !out.iter().any(|f| f.eq_ignore_ascii_case(&canonical)) {
            out.push(canonical);
        }
    }
    out
}

fn now() -> DateTime<FixedOffset> {
    let now = Local::now().fixed_offset();
    // IMAP dates have whole seconds.
    now.offset()
        .timestamp_opt(now.timestamp(), 0)
        .single()
        .unwrap_or_else(|| Utc::now().fixed_offset())
}

fn unique_file_name() -> String {
    let now = Utc::now();
    let n = DELIVERY_COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "{}.M{}P{}Q{}.mailshift:2,",
        now.timestamp(),
        now.timestamp_subsec_micros(),
        std::process::id(),
        n
    )
}

/// Builds an index for a Maildir that has none (mail dropped in by hand):
/// files in `new/` move to `cur/`, UIDs follow the file names' order, flags
/// come from the `:2,` suffix.
pub(super) fn index_existing_files(dir: &Path) -> Result<FolderIndex, StoreError> {
    for sub in ["cur", "new", "tmp"] {
        let path = dir.join(sub);
        mailshift_store::create_private_dir(&path).map_err(|e| StoreError::io(&path, e))?;
    }
    let new = dir.join("new");
    for entry in fs::read_dir(&new)
        .map_err(|e| StoreError::io(&new, e))?
        .flatten()
    {
        let target = dir.join("cur").join(entry.file_name());
        fs::rename(entry.path(), &target).map_err(|e| StoreError::io(&target, e))?;
    }
    let cur = dir.join("cur");
    let mut files: Vec<_> = fs::read_dir(&cur)
        .map_err(|e| StoreError::io(&cur, e))?
        .flatten()
        .filter(|e| e.path().is_file())
        .collect();
    files.sort_by_key(|e| e.file_name());
    let mut index = FolderIndex::new(new_uid_validity());
    for (i, file) in files.iter().enumerate() {
        let meta = file
            .metadata()
            .map_err(|e| StoreError::io(&file.path(), e))?;
        let name = file.file_name().to_string_lossy().into_owned();
        let date: DateTime<Utc> = meta
            .modified()
            .map(Into::into)
            .unwrap_or_else(|_| Utc::now());
        let flags = name
            .rsplit_once(":2,")
            .map(|(_, f)| maildir_flags(f))
            .unwrap_or_default();
        index.messages.push(MessageEntry {
            uid: i as u32 + 1,
            file: name,
            flags,
            internal_date: Utc
                .timestamp_opt(date.timestamp(), 0)
                .single()
                .unwrap_or(date)
                .fixed_offset(),
            size: meta.len(),
        });
    }
    index.uid_next = index.messages.len() as u32 + 1;
    index.save(dir)?;
    Ok(index)
}

fn maildir_flags(info: &str) -> Vec<String> {
    info.chars()
        .filter_map(|c| match c {
            'S' => Some("\\Seen"),
            'R' => Some("\\Answered"),
            'F' => Some("\\Flagged"),
            'T' => Some("\\Deleted"),
            'D' => Some("\\Draft"),
            _ => None,
        })
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_normalised() {
        let flags = normalise_flags(&[
            "\\SEEN".into(),
            "\\Seen".into(),
            "\\Recent".into(),
            "$Work".into(),
        ]);
        assert_eq!(flags, vec!["\\Seen".to_string(), "$Work".to_string()]);
    }

    #[test]
    fn maildir_info_flags_are_read() {
        assert_eq!(
            maildir_flags("FS"),
            vec!["\\Flagged".to_string(), "\\Seen".to_string()]
        );
    }
}
