//! The migration journal: an append-only, fsynced JSON-lines file per
//! (source account, destination account) pair recording which source UID
//! became which destination UID, which folders we created, which are done.

mod record;
mod state;

pub use record::Record;
pub use state::{DoneMark, JournalState, Known, KnownCopy, PendingIn};

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("journal {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("another mailshift run is migrating this mailbox pair right now (journal {path} is locked); wait for it or cancel it")]
    Locked { path: PathBuf },
}

/// An open journal, exclusively locked for this process.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    /// None for a read-only view (dry runs): records only update the state.
    file: Option<File>,
    pub state: JournalState,
    /// Lines that could not be read (not trusted; fingerprints cover them).
    pub damaged_lines: usize,
}

/// The journal file name for a pair of accounts (no secret in it).
pub fn journal_path(dir: &Path, src_label: &str, dst_label: &str) -> PathBuf {
    let mut h = Sha256::new();
    h.update(src_label.as_bytes());
    h.update(b"\0->\0");
    h.update(dst_label.as_bytes());
    let digest = hex::encode(&h.finalize()[..12]);
    dir.join("journals").join(format!("{digest}.jsonl"))
}

/// The journal of a pair of mailboxes, named after what identifies them
/// (see `Conn::identity`), so that two spellings of one host or login share
/// one journal and one lock. A journal an earlier version kept under the
/// spelled labels is taken over (renamed) unless `read_only`.
pub fn journal_for(
    dir: &Path,
    src_identity: &str,
    dst_identity: &str,
    legacy_labels: (&str, &str),
    read_only: bool,
) -> PathBuf {
    let path = journal_path(dir, src_identity, dst_identity);
    if !path.exists() {
        let legacy = journal_path(dir, legacy_labels.0, legacy_labels.1);
        if legacy.exists() {
            if read_only {
                return legacy;
            }
            if let Err(e) = std::fs::rename(&legacy, &path) {
                tracing::warn!(error = %e, "could not take over the older journal; using it in place");
                return legacy;
            }
        }
    }
    path
}

/// The journal that holds `task`'s records, if any.
pub fn journal_of_task(dir: &Path, task: &str) -> Option<PathBuf> {
    let needle = format!(
        "{{\"t\":\"task\",\"task\":{}",
        serde_json::to_string(task).ok()?
    );
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir.join("journals"))
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .filter(|p| {
            std::fs::read(p)
                .map(|b| memfind(&b, needle.as_bytes()))
                .unwrap_or(false)
        })
        .collect();
    found.sort();
    found.into_iter().next()
}

fn memfind(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

impl Journal {
    /// Open (creating, 0600) and lock the journal, replaying what it holds.
    /// A torn last line (crash mid-write) is cut off; damaged lines elsewhere
    /// are skipped and counted.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let io = |source| JournalError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            mailshift_store::create_private_dir(dir).map_err(io)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .mode(0o600)
            .open(path)
            .map_err(io)?;
        // SAFETY: flock on a valid, open file descriptor.
        let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if locked != 0 {
            return Err(JournalError::Locked {
                path: path.to_path_buf(),
            });
        }
        let mut state = JournalState::default();
        let mut damaged = 0;
        let mut good_len: u64 = 0;
        let mut torn = false;
        {
            file.seek(SeekFrom::Start(0)).map_err(io)?;
            let mut reader = BufReader::new(&file);
            let mut line = Vec::new();
            loop {
                line.clear();
                let n = reader.read_until(b'\n', &mut line).map_err(io)?;
                if n == 0 {
                    break;
                }
                if line.last() != Some(&b'\n') {
                    torn = true;
                    break;
                }
                match serde_json::from_slice::<Record>(&line) {
                    Ok(r) => state.apply(r),
                    Err(_) => damaged += 1,
                }
                good_len += n as u64;
            }
        }
        if torn {
            tracing::warn!(path = %path.display(), "journal ends with a torn line (interrupted write); cutting it off");
            file.set_len(good_len).map_err(io)?;
        }
        if damaged > 0 {
            tracing::warn!(path = %path.display(), damaged, "journal has damaged lines; they are ignored and fingerprints take over");
        }
        Ok(Journal {
            path: path.to_path_buf(),
            file: Some(file),
            state,
            damaged_lines: damaged,
        })
    }

    /// A read-only view for dry runs: replays the file if there is one,
    /// creates nothing, locks nothing, and never writes.
    pub fn read_only(path: &Path) -> Result<Journal, JournalError> {
        let mut state = JournalState::default();
        let mut damaged = 0;
        match std::fs::read(path) {
            Ok(bytes) => {
                for line in bytes.split_inclusive(|&b| b == b'\n') {
                    if line.last() != Some(&b'\n') {
                        break;
                    }
                    match serde_json::from_slice::<Record>(line) {
                        Ok(r) => state.apply(r),
                        Err(_) => damaged += 1,
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(JournalError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        }
        Ok(Journal {
            path: path.to_path_buf(),
            file: None,
            state,
            damaged_lines: damaged,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append a record durably (write + fdatasync) and apply it to the state.
    pub fn append(&mut self, record: Record) -> Result<(), JournalError> {
        if let Some(file) = self.file.as_mut() {
            let mut line = serde_json::to_vec(&record).expect("records serialize");
            line.push(b'\n');
            let io = |source| JournalError::Io {
                path: self.path.clone(),
                source,
            };
            file.write_all(&line).map_err(io)?;
            file.sync_data().map_err(io)?;
        }
        self.state.apply(record);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copied(task: &str, pairs: Vec<(u32, Option<u32>)>) -> Record {
        Record::Copied {
            task: task.into(),
            src: "INBOX".into(),
            suv: 7,
            dst: "INBOX".into(),
            duv: 9,
            pairs,
            fps: vec![],
            sizes: vec![],
        }
    }

    #[test]
    fn replays_records_and_survives_a_torn_tail() {
        let d = tempfile::tempdir().unwrap();
        let p = journal_path(d.path(), "a@h:1", "b@h:2");
        {
            let mut j = Journal::open(&p).unwrap();
            j.append(copied("t1", vec![(1, Some(101)), (2, Some(102))]))
                .unwrap();
        }
        // Simulate a crash in the middle of writing the next record.
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(b"{\"t\":\"copied\",\"task\":\"t1\",\"src\":\"IN")
            .unwrap();
        drop(f);
        let j = Journal::open(&p).unwrap();
        let known = j.state.known("INBOX", 7, "INBOX", 9);
        assert_eq!(known.len(), 2);
        assert_eq!(known.get(&2).and_then(|c| c.dst), Some(102));
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.ends_with("}\n"), "torn tail cut off: {text:?}");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn damaged_middle_line_is_skipped_not_trusted() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("j.jsonl");
        {
            let mut j = Journal::open(&p).unwrap();
            j.append(copied("t1", vec![(1, Some(101))])).unwrap();
        }
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(b"garbage\n").unwrap();
        drop(f);
        {
            let mut j = Journal::open(&p).unwrap();
            assert_eq!(j.damaged_lines, 1);
            j.append(copied("t1", vec![(3, Some(103))])).unwrap();
        }
        let j = Journal::open(&p).unwrap();
        assert_eq!(j.state.known("INBOX", 7, "INBOX", 9).len(), 2);
    }

    #[test]
    fn a_second_opener_is_refused_while_locked() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("j.jsonl");
        let _j = Journal::open(&p).unwrap();
        // flock locks are per open file description, so a second open conflicts.
        assert!(matches!(
            Journal::open(&p),
            Err(JournalError::Locked { .. })
        ));
    }

    #[test]
    fn uidvalidity_change_invalidates_entries() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("j.jsonl");
        let mut j = Journal::open(&p).unwrap();
        j.append(copied("t1", vec![(1, Some(101))])).unwrap();
        assert!(
            j.state.known("INBOX", 8, "INBOX", 9).is_empty(),
            "source UIDVALIDITY changed"
        );
        assert!(
            j.state.known("INBOX", 7, "INBOX", 10).is_empty(),
            "destination recreated"
        );
    }

    #[test]
    fn a_journal_kept_under_spelled_labels_is_taken_over_and_found_by_task() {
        let d = tempfile::tempdir().unwrap();
        let legacy = journal_path(d.path(), "a@h:1", "b@h:2");
        {
            let mut j = Journal::open(&legacy).unwrap();
            j.append(Record::Task {
                task: "MS-1".into(),
                started: "now".into(),
            })
            .unwrap();
        }
        let dry = journal_for(d.path(), "ida", "idb", ("a@h:1", "b@h:2"), true);
        assert_eq!(dry, legacy, "a dry run reads the old one in place");
        let p = journal_for(d.path(), "ida", "idb", ("a@h:1", "b@h:2"), false);
        assert_ne!(p, legacy);
        assert!(p.exists() && !legacy.exists());
        assert_eq!(journal_of_task(d.path(), "MS-1"), Some(p.clone()));
        assert_eq!(journal_of_task(d.path(), "MS-2"), None);
        // Two spellings, one identity: one path, one lock.
        let again = journal_for(d.path(), "ida", "idb", ("a@localhost:1", "b@h:2"), false);
        assert_eq!(again, p);
        let _held = Journal::open(&p).unwrap();
        assert!(matches!(
            Journal::open(&again),
            Err(JournalError::Locked { .. })
        ));
    }

    #[test]
    fn a_pending_batch_stays_in_doubt_until_its_messages_are_on_record() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("j.jsonl");
        {
            let mut j = Journal::open(&p).unwrap();
            j.append(Record::Pending {
                task: "t1".into(),
                src: "INBOX".into(),
                suv: 7,
                dst: "INBOX".into(),
                duv: 9,
                uid_next: 40,
                uids: vec![1, 2, 3],
                fps: vec!["a".into(), "b".into(), "c".into()],
            })
            .unwrap();
            j.append(copied("t1", vec![(1, Some(40))])).unwrap();
        }
        // As a resume after a kill sees it: 2 and 3 are still in doubt.
        let j = Journal::open(&p).unwrap();
        assert_eq!(j.state.pending_task("INBOX", 7, "INBOX", 9, 1), None);
        assert_eq!(
            j.state.pending_task("INBOX", 7, "INBOX", 9, 2),
            Some(("t1", 40))
        );
        assert_eq!(j.state.pending_task("INBOX", 7, "INBOX", 10, 2), None);
        let by = j.state.pending_by("t1");
        assert_eq!(by.len(), 1);
        let mut fps = by[0].fps.clone();
        fps.sort();
        assert_eq!((by[0].uid_next, fps), (40, vec!["b".into(), "c".into()]));
        assert!(j.state.explained_in("INBOX", 9).contains(&40));
        let mut j = j;
        j.append(Record::RolledBack { task: "t1".into() }).unwrap();
        assert!(j.state.pending_by("t1").is_empty());
    }
}
