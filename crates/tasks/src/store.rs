//! Task files under `<state dir>/tasks/`: `<ID>.json` (the record, written atomically,
//! 0600), `<ID>.cancel` (a cancel request any process may drop), `<ID>.lock` (held with
//! flock by the process running the task, with its pid inside).

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::error::TaskError;
use crate::record::{is_task_id, TaskRecord, RECORD_VERSION};

/// A task record file that exists but cannot be used (unreadable, corrupt, written by a
/// newer mailshift). Listings name it instead of leaving the task out silently.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DamagedRecord {
    pub id: String,
    pub path: PathBuf,
    /// What is wrong and what to do, naming the file.
    pub reason: String,
}

impl std::fmt::Display for DamagedRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "task {}: {}", self.id, self.reason)
    }
}

/// Every task record of a state dir: the good ones, and the files that could not be read.
#[derive(Debug, Clone, Default)]
pub struct TaskListing {
    /// Newest first.
    pub records: Vec<TaskRecord>,
    pub damaged: Vec<DamagedRecord>,
}

#[derive(Debug, Clone)]
pub struct TaskStore {
    dir: PathBuf,
}

/// Held while this process runs a task; dropping it releases the lock.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
    path: PathBuf,
}

impl Drop for RunLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn state_err(path: &Path, reason: impl ToString) -> TaskError {
    TaskError::State {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

impl TaskStore {
    /// The store under `state_dir` (created 0700 when missing).
    pub fn open(state_dir: &Path) -> Result<TaskStore, TaskError> {
        let dir = state_dir.join("tasks");
        mailshift_store::create_private_dir(&dir).map_err(|e| state_err(&dir, e))?;
        // A process killed between writing and renaming leaves `.ID.json.tmp.PID`
        // behind: never read, swept here.
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let name = e.file_name();
                let name = name.to_string_lossy();
                if name.starts_with(".MS-") && name.contains(".tmp") {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        Ok(TaskStore { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, id: &str, ext: &str) -> PathBuf {
        self.dir.join(format!("{id}.{ext}"))
    }

    pub fn record_path(&self, id: &str) -> PathBuf {
        self.path(id, "json")
    }

    pub fn save(&self, rec: &TaskRecord) -> Result<(), TaskError> {
        let path = self.record_path(&rec.id);
        mailshift_store::save_versioned(&path, RECORD_VERSION, rec).map_err(|e| state_err(&path, e))
    }

    /// The record of `id`; `Ok(None)` when there is none; [`TaskError::Damaged`] when its
    /// file exists but cannot be used.
    pub fn load(&self, id: &str) -> Result<Option<TaskRecord>, TaskError> {
        if !is_task_id(id) {
            return Err(TaskError::BadId(id.to_string()));
        }
        let path = self.record_path(id);
        mailshift_store::load_versioned(&path, RECORD_VERSION).map_err(|e| match e {
            mailshift_store::StateError::Write(w) => state_err(&path, w),
            other => TaskError::Damaged(DamagedRecord {
                id: id.to_string(),
                path: path.clone(),
                reason: other.to_string(),
            }),
        })
    }

    /// IDs of the record files in the store (whatever their content).
    pub fn ids(&self) -> Result<Vec<String>, TaskError> {
        let entries = std::fs::read_dir(&self.dir).map_err(|e| state_err(&self.dir, e))?;
        let mut ids: Vec<String> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name();
                let id = name.to_str()?.strip_suffix(".json")?;
                is_task_id(id).then(|| id.to_string())
            })
            .collect();
        ids.sort();
        Ok(ids)
    }

    /// Every record, and every record file that could not be read (named, left alone).
    pub fn list(&self) -> Result<TaskListing, TaskError> {
        let mut out = TaskListing::default();
        for id in self.ids()? {
            match self.load(&id) {
                Ok(Some(r)) => out.records.push(r),
                Ok(None) => {}
                Err(TaskError::Damaged(d)) => out.damaged.push(d),
                Err(e) => return Err(e),
            }
        }
        out.records
            .sort_by(|a, b| b.created.cmp(&a.created).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// Modification time of a record file (to reload only what changed).
    pub fn modified(&self, id: &str) -> Option<std::time::SystemTime> {
        std::fs::metadata(self.record_path(id))
            .and_then(|m| m.modified())
            .ok()
    }

    /// Ask whoever runs `id` to stop after the operation in progress.
    pub fn request_cancel(&self, id: &str) -> Result<(), TaskError> {
        let path = self.path(id, "cancel");
        mailshift_store::write_atomic(&path, b"cancel\n").map_err(|e| state_err(&path, e))
    }

    pub fn cancel_requested(&self, id: &str) -> bool {
        self.path(id, "cancel").exists()
    }

    pub fn clear_cancel(&self, id: &str) {
        let _ = std::fs::remove_file(self.path(id, "cancel"));
    }

    /// Take the run lock of `id`; fails with the holder's pid when another process runs it.
    pub fn lock(&self, id: &str) -> Result<RunLock, TaskError> {
        let path = self.path(id, "lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(|e| state_err(&path, e))?;
        // SAFETY: flock on a valid, open file descriptor.
        let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if locked != 0 {
            let mut s = String::new();
            let _ = file.read_to_string(&mut s);
            return Err(TaskError::RunningElsewhere {
                id: id.to_string(),
                pid: s.trim().parse().unwrap_or(0),
            });
        }
        let _ = file.set_len(0);
        let _ = file.seek(SeekFrom::Start(0));
        let _ = writeln!(file, "{}", std::process::id());
        let _ = file.flush();
        Ok(RunLock { _file: file, path })
    }

    /// Is some process (this one included) running `id` right now?
    pub fn is_locked(&self, id: &str) -> bool {
        let path = self.path(id, "lock");
        let Ok(file) = OpenOptions::new().read(true).open(&path) else {
            return false;
        };
        // SAFETY: flock on a valid, open file descriptor; released right away.
        let got = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_SH | libc::LOCK_NB) };
        if got == 0 {
            // SAFETY: as above.
            unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_UN) };
            false
        } else {
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::new_task_id;

    fn record() -> TaskRecord {
        let text = "src_type,src_host,src_port,src_security,src_login,src_password,dst_type,\
                    dst_host,dst_port,dst_security,dst_login,dst_password,options,notify\n\
                    imap,a.example,,,u1,pw1,imap,b.example,,,u2,pw2,,\n";
        let no_env = |_: &str| None;
        let file = crate::project::parse_project(text, Path::new("."), &no_env).unwrap();
        let spec = file.rows[0].spec.clone();
        TaskRecord::new(new_task_id(), spec, chrono::Utc::now())
    }

    #[test]
    fn damaged_record_files_are_named_and_the_good_ones_still_listed() {
        let d = tempfile::tempdir().unwrap();
        let store = TaskStore::open(d.path()).unwrap();
        let good = record();
        store.save(&good).unwrap();
        let corrupt = new_task_id();
        std::fs::write(store.record_path(&corrupt), b"{\"format\":1,\"da").unwrap();
        let unreadable = new_task_id();
        std::fs::create_dir(store.record_path(&unreadable)).unwrap();

        let listing = store.list().unwrap();
        assert_eq!(listing.records.len(), 1);
        assert_eq!(listing.records[0].id, good.id);
        let mut named: Vec<&str> = listing.damaged.iter().map(|d| d.id.as_str()).collect();
        named.sort();
        let mut expected = vec![corrupt.as_str(), unreadable.as_str()];
        expected.sort();
        assert_eq!(named, expected);
        for dmg in &listing.damaged {
            let text = dmg.to_string();
            assert!(
                text.contains(&store.record_path(&dmg.id).display().to_string()),
                "{text}"
            );
        }
        let e = store.load(&corrupt).unwrap_err();
        assert!(matches!(e, TaskError::Damaged(_)), "{e}");
        assert!(e.to_string().contains("corrupt"), "{e}");
    }
}
