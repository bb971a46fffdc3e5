//! The per-folder index: UIDVALIDITY, UIDNEXT and uid -> file, flags,
//! INTERNALDATE, size. A JSON snapshot (atomic writes) plus a JSON-lines log
//! of idempotent operations, folded into the snapshot now and then.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::StoreError;

pub const SNAPSHOT_FILE: &str = "mailshift-index.json";
pub const LOG_FILE: &str = "mailshift-index.log";
/// Log lines after which the log is folded into the snapshot.
const COMPACT_AFTER: usize = 2000;

/// One message as the index knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageEntry {
    pub uid: u32,
    /// File name inside `cur/`.
    pub file: String,
    pub flags: Vec<String>,
    pub internal_date: DateTime<FixedOffset>,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderIndex {
    pub uid_validity: u32,
    pub uid_next: u32,
    /// Sorted by uid.
    pub messages: Vec<MessageEntry>,
    #[serde(skip)]
    log_lines: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum LogOp {
    Add { entry: MessageEntry },
    Flags { uid: u32, flags: Vec<String> },
    Remove { uids: Vec<u32> },
}

impl FolderIndex {
    pub fn new(uid_validity: u32) -> Self {
        Self {
            uid_validity,
            uid_next: 1,
            messages: Vec::new(),
            log_lines: 0,
        }
    }

    /// Loads the index of the folder directory `dir`; `None` when it has none.
    pub fn load(dir: &Path) -> Result<Option<Self>, StoreError> {
        let snapshot = dir.join(SNAPSHOT_FILE);
        let text = match fs::read(&snapshot) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::io(&snapshot, e)),
        };
        let mut index: FolderIndex =
            serde_json::from_slice(&text).map_err(|e| StoreError::CorruptIndex {
                path: snapshot.clone(),
                reason: e.to_string(),
            })?;
        let log = dir.join(LOG_FILE);
        match fs::read_to_string(&log) {
            Ok(text) => {
                for line in text.lines() {
                    // A torn last line (crash mid-write) is ignored: its
                    // operation never completed from the client's view.
                    if let Ok(op) = serde_json::from_str::<LogOp>(line) {
                        index.apply(op);
                        index.log_lines += 1;
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::io(&log, e)),
        }
        Ok(Some(index))
    }

    /// Writes the whole index as a fresh snapshot and empties the log.
    pub fn save(&mut self, dir: &Path) -> Result<(), StoreError> {
        let path = dir.join(SNAPSHOT_FILE);
        let bytes = serde_json::to_vec(self).map_err(|e| StoreError::CorruptIndex {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        mailshift_store::write_atomic(&path, &bytes)
            .map_err(|e| StoreError::io(&path, e.source))?;
        let log = dir.join(LOG_FILE);
        match fs::remove_file(&log) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::io(&log, e)),
        }
        self.log_lines = 0;
        Ok(())
    }

    pub fn find(&self, uid: u32) -> Option<&MessageEntry> {
        self.messages
            .binary_search_by_key(&uid, |m| m.uid)
            .ok()
            .map(|i| &self.messages[i])
    }

    /// Records a new message (its uid must be `uid_next`).
    pub fn add(&mut self, dir: &Path, entry: MessageEntry) -> Result<(), StoreError> {
        self.record(dir, LogOp::Add { entry })
    }

    pub fn set_flags(
        &mut self,
        dir: &Path,
        uid: u32,
        flags: Vec<String>,
    ) -> Result<(), StoreError> {
        self.record(dir, LogOp::Flags { uid, flags })
    }

    pub fn remove(&mut self, dir: &Path, uids: Vec<u32>) -> Result<(), StoreError> {
        if uids.is_empty() {
            return Ok(());
        }
        self.record(dir, LogOp::Remove { uids })
    }

    fn record(&mut self, dir: &Path, op: LogOp) -> Result<(), StoreError> {
        let path: PathBuf = dir.join(LOG_FILE);
        let mut line = serde_json::to_vec(&op).map_err(|e| StoreError::CorruptIndex {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        line.push(b'\n');
        let mut file = crate::private_file::append(&path).map_err(|e| StoreError::io(&path, e))?;
        file.write_all(&line)
            .map_err(|e| StoreError::io(&path, e))?;
        self.apply(op);
        self.log_lines += 1;
        if self.log_lines >= COMPACT_AFTER {
            self.save(dir)?;
        }
        Ok(())
    }

    /// Applies an operation; every operation is idempotent so a log replayed
    /// over a snapshot that already contains it changes nothing.
    fn apply(&mut self, op: LogOp) {
        match op {
            LogOp::Add { entry } => {
                self.uid_next = self.uid_next.max(entry.uid.saturating_add(1));
                if let Err(pos) = self.messages.binary_search_by_key(&entry.uid, |m| m.uid) {
                    self.messages.insert(pos, entry);
                }
            }
            LogOp::Flags { uid, flags } => {
                if let Ok(pos) = self.messages.binary_search_by_key(&uid, |m| m.uid) {
                    self.messages[pos].flags = flags;
                }
            }
            LogOp::Remove { uids } => self.messages.retain(|m| !uids.contains(&m.uid)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::OpenOptions;

    fn entry(uid: u32) -> MessageEntry {
        MessageEntry {
            uid,
            file: format!("m{uid}"),
            flags: vec!["\\Seen".into()],
            internal_date: DateTime::parse_from_rfc3339("2024-05-01T10:00:00+02:00").unwrap(),
            size: 10,
        }
    }

    #[test]
    fn log_replay_restores_state_and_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = FolderIndex::new(42);
        index.save(dir.path()).unwrap();
        index.add(dir.path(), entry(1)).unwrap();
        index.add(dir.path(), entry(2)).unwrap();
        index.set_flags(dir.path(), 1, vec![]).unwrap();
        index.remove(dir.path(), vec![2]).unwrap();
        let loaded = FolderIndex::load(dir.path()).unwrap().unwrap();
        assert_eq!(loaded.uid_next, 3);
        assert_eq!(loaded.messages.len(), 1);
        assert!(loaded.messages[0].flags.is_empty());

        // A snapshot written before the log was removed: replay is harmless.
        let mut snap = loaded.clone();
        let log = fs::read(dir.path().join(LOG_FILE)).unwrap();
        snap.save(dir.path()).unwrap();
        fs::write(dir.path().join(LOG_FILE), log).unwrap();
        let again = FolderIndex::load(dir.path()).unwrap().unwrap();
        assert_eq!(again.messages, loaded.messages);
        assert_eq!(again.uid_next, 3);
    }

    #[test]
    fn torn_last_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = FolderIndex::new(7);
        index.save(dir.path()).unwrap();
        index.add(dir.path(), entry(1)).unwrap();
        let mut file = OpenOptions::new()
            .append(true)
            .open(dir.path().join(LOG_FILE))
            .unwrap();
        file.write_all(b"{\"op\":\"add\",\"ent").unwrap();
        let loaded = FolderIndex::load(dir.path()).unwrap().unwrap();
        assert_eq!(loaded.messages.len(), 1);
        assert_eq!(loaded.uid_validity, 7);
    }
}
