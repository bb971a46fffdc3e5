//! Undo one task on the destination: remove exactly the messages it appended (by
//! the UIDs recorded at APPEND time, by fingerprint where the server gave none)
//! and the folders it created once they are empty. The source is never opened.

use std::collections::HashMap;
use std::path::Path;

use crate::imap::{self, Endpoint, ImapError, Timeouts};
use crate::journal::{journal_of_task, journal_path, Journal, JournalError, Record};

use super::fingerprint::{fingerprint, legacy_fingerprint};

/// What a rollback did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rolled {
    /// Messages this attempt removed.
    pub messages_removed: u64,
    /// Decoded names of the folders this attempt deleted.
    pub folders_removed: Vec<String>,
    /// What earlier, interrupted or repeated, rollbacks of the task removed.
    pub earlier_messages_removed: u64,
    pub earlier_folders_removed: Vec<String>,
    /// What was left in place, each with the reason.
    pub kept: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RollbackError {
    #[error(transparent)]
    Imap(#[from] ImapError),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(
        "the journal of {0} has no record of task {1}: nothing to roll back on this destination"
    )]
    UnknownTask(String, String),
}

fn name(raw: &str) -> String {
    imap::utf7::decode(raw).unwrap_or_else(|_| raw.to_string())
}

/// Roll back `task_id` on `dst`; `src_label` names the source the journal was kept for.
pub async fn rollback(
    dst: &Endpoint,
    src_label: &str,
    state_dir: &Path,
    task_id: &str,
    timeouts: Timeouts,
) -> Result<Rolled, RollbackError> {
    let jpath = journal_of_task(state_dir, task_id)
        .unwrap_or_else(|| journal_path(state_dir, src_label, &dst.label()));
    let mut journal = Journal::open(&jpath)?;
    if !journal.state.tasks().iter().any(|t| t == task_id) {
        return Err(RollbackError::UnknownTask(dst.label(), task_id.to_string()));
    }
    let (earlier, earlier_folders) = journal.state.removed_by_rollback(task_id);
    let by_uid = journal.state.appended_by(task_id);
    let by_fp = journal.state.fingerprints_by(task_id);
    let created = journal.state.created_by(task_id);
    let pending = journal.state.pending_by(task_id);
    let unfinished = journal.state.has_unfinished();

    let mut conn = imap::connect(dst, timeouts).await?;
    let mut out = Rolled {
        earlier_messages_removed: earlier,
        earlier_folders_removed: earlier_folders.iter().map(|r| name(r)).collect(),
        ..Rolled::default()
    };

    for (raw, duv, uids) in by_uid {
        let state = match conn.open(&raw, true).await {
            Ok(s) => s,
            Err(ImapError::Refusal { .. }) => {
                out.kept.push(format!(
                    "{}: no longer exists; nothing to remove",
                    name(&raw)
                ));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        if state.uid_validity != duv {
            out.kept.push(format!(
                "{}: recreated since the task (UIDVALIDITY changed); nothing removed there",
                name(&raw)
            ));
            continue;
        }
        let present = conn.existing(&uids).await?;
        let gone = remove(&mut conn, &raw, &present, &mut out.kept).await?;
        out.messages_removed += gone;
        if gone > 0 {
            // On record before the next folder: a rollback cut here resumes.
            journal.append(Record::Removed {
                task: task_id.to_string(),
                dst: raw.clone(),
                duv,
                uids: present,
                by_fingerprint: false,
            })?;
        }
    }

    for (raw, duv, fps) in by_fp {
        let state = match conn.open(&raw, true).await {
            Ok(s) => s,
            Err(ImapError::Refusal { .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        if state.uid_validity != duv {
            out.kept.push(format!(
                "{}: recreated since the task (UIDVALIDITY changed); nothing removed there",
                name(&raw)
            ));
            continue;
        }
        // Each recorded fingerprint claims one message; duplicates that were on the
        // destination before keep the lowest UIDs (the task appended after them).
        let mut wanted: HashMap<String, usize> = HashMap::new();
        for fp in fps {
            *wanted.entry(fp).or_default() += 1;
        }
        let mut facts = conn.header_facts(None).await?;
        facts.sort_by_key(|f| std::cmp::Reverse(f.uid));
        let mut uids = Vec::new();
        for f in facts {
            // Journals before version 2 recorded the size-bearing fingerprint.
            for fp in [
                fingerprint(&f.header),
                legacy_fingerprint(&f.header, f.size),
            ] {
                if let Some(n) = wanted.get_mut(&fp).filter(|n| **n > 0) {
                    *n -= 1;
                    uids.push(f.uid);
                    break;
                }
            }
        }
        uids.sort_unstable();
        let gone = remove(&mut conn, &raw, &uids, &mut out.kept).await?;
        out.messages_removed += gone;
        if gone > 0 {
            journal.append(Record::Removed {
                task: task_id.to_string(),
                dst: raw.clone(),
                duv,
                uids,
                by_fingerprint: true,
            })?;
        }
    }

    // Batches a killed run had in flight: what of them landed is the task's.
    if !pending.is_empty() && unfinished {
        let folders: Vec<String> = pending.iter().map(|p| p.dst.clone()).collect();
        super::run::settle(&mut conn, &folders).await;
    }
    for p in pending {
        let state = match conn.open(&p.dst, true).await {
            Ok(s) => s,
            Err(ImapError::Refusal { .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        if state.uid_validity != p.duv || state.uid_next <= p.uid_next {
            continue;
        }
        let explained = journal.state.explained_in(&p.dst, p.duv);
        let candidates: Vec<u32> = conn
            .uid_sizes()
            .await?
            .into_iter()
            .map(|m| m.uid)
            .filter(|u| *u >= p.uid_next && !explained.contains(u))
            .collect();
        let mut wanted: HashMap<String, usize> = HashMap::new();
        for fp in p.fps {
            *wanted.entry(fp).or_default() += 1;
        }
        let mut uids = Vec::new();
        for f in conn.header_facts(Some(&candidates)).await? {
            if let Some(n) = wanted.get_mut(&fingerprint(&f.header)).filter(|n| **n > 0) {
                *n -= 1;
                uids.push(f.uid);
            }
        }
        uids.sort_unstable();
        let gone = remove(&mut conn, &p.dst, &uids, &mut out.kept).await?;
        out.messages_removed += gone;
        if gone > 0 {
            journal.append(Record::Removed {
                task: task_id.to_string(),
                dst: p.dst.clone(),
                duv: p.duv,
                uids,
                by_fingerprint: false,
            })?;
        }
    }

    // Created folders, children first, only when empty and without children.
    let mut created = created;
    created.sort_by_key(|r| std::cmp::Reverse(r.len()));
    let listed = conn.list().await?;
    for raw in created {
        let delim = listed
            .iter()
            .find(|f| f.raw == raw)
            .and_then(|f| f.delimiter);
        if !listed.iter().any(|f| f.raw == raw) {
            continue;
        }
        let has_children = delim.is_some_and(|d| {
            let prefix = format!("{raw}{d}");
            listed
                .iter()
                .any(|f| f.raw.starts_with(&prefix) && !out.folders_removed.contains(&name(&f.raw)))
        });
        if has_children {
            out.kept
                .push(format!("{}: has subfolders; left in place", name(&raw)));
            continue;
        }
        let st = conn.status(&raw).await?;
        if st.messages > 0 {
            out.kept.push(format!(
                "{}: holds {} messages the task did not add; left in place",
                name(&raw),
                st.messages
            ));
            continue;
        }
        conn.delete(&raw).await?;
        journal.append(Record::FolderRemoved {
            task: task_id.to_string(),
            dst: raw.clone(),
        })?;
        out.folders_removed.push(name(&raw));
    }

    journal.append(Record::RolledBack {
        task: task_id.to_string(),
    })?;
    conn.logout().await;
    Ok(out)
}

/// Flag and expunge exactly `uids` in the selected mailbox; returns how many went.
async fn remove(
    conn: &mut imap::Conn,
    raw: &str,
    uids: &[u32],
    kept: &mut Vec<String>,
) -> Result<u64, ImapError> {
    if uids.is_empty() {
        return Ok(0);
    }
    if conn.caps.uidplus {
        conn.mark_deleted(uids, true).await?;
        conn.uid_expunge(uids).await?;
        return Ok(uids.len() as u64);
    }
    // Without UIDPLUS a plain EXPUNGE removes every \Deleted message: only safe when
    // nothing else in the folder is marked \Deleted.
    let others: Vec<u32> = conn
        .uid_search("DELETED")
        .await?
        .into_iter()
        .filter(|u| !uids.contains(u))
        .collect();
    if !others.is_empty() {
        kept.push(format!(
            "{}: {} messages the task added were left because the server lacks UIDPLUS and {} other messages are marked deleted there",
            name(raw),
            uids.len(),
            others.len()
        ));
        return Ok(0);
    }
    conn.mark_deleted(uids, true).await?;
    conn.expunge_all().await?;
    Ok(uids.len() as u64)
}
