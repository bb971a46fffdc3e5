use std::collections::HashMap;

use super::record::Record;

/// What the journal knows of one copied source message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownCopy {
    /// The destination UID (None when the server gave no APPENDUID).
    pub dst: Option<u32>,
    /// The bytes we appended (None when not recorded).
    pub size: Option<u32>,
}

/// Source UID -> what became of it on the destination.
pub type Known = HashMap<u32, KnownCopy>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoneMark {
    pub suv: u32,
    pub uid_next: u32,
    pub messages: u32,
    pub dst: String,
    pub duv: u32,
    pub dst_uid_next: u32,
    pub dst_messages: u32,
}

#[derive(Debug, Clone, Default)]
struct CopiedSet {
    dst: String,
    duv: u32,
    /// suid -> (copy, task)
    map: HashMap<u32, (KnownCopy, String)>,
}

/// A batch written ahead of its APPEND whose fate is not on record yet.
#[derive(Debug, Clone)]
struct PendingBatch {
    task: String,
    src: String,
    suv: u32,
    dst: String,
    duv: u32,
    uid_next: u32,
    /// Source UID -> fingerprint, for those not yet on record as copied.
    open: HashMap<u32, String>,
}

/// Messages of a pending batch (see `Record::Pending`) in one destination folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingIn {
    pub dst: String,
    pub duv: u32,
    /// The lowest UIDNEXT the batches saw: only UIDs from here on are claimed.
    pub uid_next: u32,
    pub fps: Vec<String>,
}

/// What the journal knows, rebuilt by replaying its records.
#[derive(Debug, Clone, Default)]
pub struct JournalState {
    /// src raw -> (dst raw, created by task)
    folders: HashMap<String, (String, Option<String>)>,
    /// (src raw, suv) -> copies
    copied: HashMap<(String, u32), CopiedSet>,
    done: HashMap<String, DoneMark>,
    tasks: Vec<String>,
    /// task -> (dst raw, duv, fingerprint) of messages appended without a UID.
    fps: HashMap<String, Vec<(String, u32, String)>>,
    /// The task of a run that never recorded its end.
    unfinished: Option<String>,
    /// task -> (messages removed by rollback so far, folders deleted so far).
    removed: HashMap<String, (u64, Vec<String>)>,
    /// Batches written ahead of their APPEND, not yet settled.
    pending: Vec<PendingBatch>,
}

impl JournalState {
    pub fn apply(&mut self, r: Record) {
        match r {
            Record::Task { task, .. } => {
                self.unfinished = Some(task.clone());
                self.tasks.push(task)
            }
            Record::End { task } => {
                if self.unfinished.as_ref() == Some(&task) {
                    self.unfinished = None;
                }
            }
            Record::Folder {
                task,
                src,
                dst,
                created,
            } => {
                let entry = self.folders.entry(src).or_insert((dst.clone(), None));
                entry.0 = dst;
                if created {
                    entry.1 = Some(task);
                }
            }
            Record::Pending {
                task,
                src,
                suv,
                dst,
                duv,
                uid_next,
                uids,
                fps,
            } => {
                let open: HashMap<u32, String> = uids.into_iter().zip(fps).collect();
                if !open.is_empty() {
                    self.pending.push(PendingBatch {
                        task,
                        src,
                        suv,
                        dst,
                        duv,
                        uid_next,
                        open,
                    });
                }
            }
            Record::Copied {
                task,
                src,
                suv,
                dst,
                duv,
                pairs,
                fps,
                sizes,
            } => {
                // On record now: no longer in doubt.
                for b in self
                    .pending
                    .iter_mut()
                    .filter(|b| b.src == src && b.suv == suv)
                {
                    for (s, _) in &pairs {
                        b.open.remove(s);
                    }
                }
                self.pending.retain(|b| !b.open.is_empty());
                if !fps.is_empty() {
                    let list = self.fps.entry(task.clone()).or_default();
                    list.extend(fps.into_iter().map(|fp| (dst.clone(), duv, fp)));
                }
                let set = self.copied.entry((src, suv)).or_default();
                if set.dst != dst || set.duv != duv {
                    // The destination folder changed identity: old entries are void.
                    *set = CopiedSet {
                        dst,
                        duv,
                        map: HashMap::new(),
                    };
                }
                for (i, (s, d)) in pairs.into_iter().enumerate() {
                    let copy = KnownCopy {
                        dst: d,
                        size: sizes.get(i).copied(),
                    };
                    set.map.insert(s, (copy, task.clone()));
                }
            }
            Record::Done {
                src,
                suv,
                uid_next,
                messages,
                dst,
                duv,
                dst_uid_next,
                dst_messages,
            } => {
                self.done.insert(
                    src,
                    DoneMark {
                        suv,
                        uid_next,
                        messages,
                        dst,
                        duv,
                        dst_uid_next,
                        dst_messages,
                    },
                );
            }
            Record::Removed {
                task,
                dst,
                duv,
                uids,
                by_fingerprint,
            } => {
                if by_fingerprint {
                    if let Some(list) = self.fps.get_mut(&task) {
                        list.retain(|(d, uv, _)| !(*d == dst && *uv == duv));
                    }
                }
                let gone: std::collections::HashSet<u32> = uids.iter().copied().collect();
                for set in self
                    .copied
                    .values_mut()
                    .filter(|s| s.dst == dst && s.duv == duv)
                {
                    set.map.retain(|_, (c, t)| {
                        !(*t == task && c.dst.is_some_and(|d| gone.contains(&d)))
                    });
                }
                self.done.retain(|_, m| m.dst != dst);
                self.removed.entry(task).or_default().0 += uids.len() as u64;
            }
            Record::FolderRemoved { task, dst } => {
                self.folders
                    .retain(|_, (d, t)| !(t.as_deref() == Some(task.as_str()) && *d == dst));
                self.removed.entry(task).or_default().1.push(dst);
            }
            Record::RolledBack { task } => {
                self.fps.remove(&task);
                self.pending.retain(|b| b.task != task);
                for set in self.copied.values_mut() {
                    set.map.retain(|_, (_, t)| *t != task);
                }
                self.folders
                    .retain(|_, (_, t)| t.as_deref() != Some(task.as_str()));
                self.done.clear();
            }
        }
    }

    /// The destination folder previously chosen for `src`, if any.
    pub fn folder_mapping(&self, src: &str) -> Option<&str> {
        self.folders.get(src).map(|(d, _)| d.as_str())
    }

    /// Messages of (src, suv) known to be in (dst, duv).
    pub fn known(&self, src: &str, suv: u32, dst: &str, duv: u32) -> Known {
        match self.copied.get(&(src.to_string(), suv)) {
            Some(set) if set.dst == dst && set.duv == duv => {
                set.map.iter().map(|(s, (c, _))| (*s, *c)).collect()
            }
            _ => Known::new(),
        }
    }

    pub fn done_mark(&self, src: &str) -> Option<&DoneMark> {
        self.done.get(src)
    }

    /// Everything a task appended: (dst folder, duv, duids) for rollback.
    pub fn appended_by(&self, task: &str) -> Vec<(String, u32, Vec<u32>)> {
        let mut out = Vec::new();
        for set in self.copied.values() {
            let uids: Vec<u32> = set
                .map
                .values()
                .filter(|(_, t)| t == task)
                .filter_map(|(c, _)| c.dst)
                .collect();
            if !uids.is_empty() {
                out.push((set.dst.clone(), set.duv, uids));
            }
        }
        out.sort();
        out
    }

    /// Did the last run stop without recording its end (killed)? APPENDs it
    /// sent may still land on the destination.
    pub fn has_unfinished(&self) -> bool {
        self.unfinished.is_some()
    }

    /// The task whose pending batch held source message `suid` of (src, suv)
    /// bound for (dst, duv), with the destination UIDNEXT before that batch.
    pub fn pending_task(
        &self,
        src: &str,
        suv: u32,
        dst: &str,
        duv: u32,
        suid: u32,
    ) -> Option<(&str, u32)> {
        self.pending
            .iter()
            .rev()
            .find(|b| {
                b.src == src
                    && b.suv == suv
                    && b.dst == dst
                    && b.duv == duv
                    && b.open.contains_key(&suid)
            })
            .map(|b| (b.task.as_str(), b.uid_next))
    }

    /// What `task`'s pending batches may have left on the destination, by folder.
    pub fn pending_by(&self, task: &str) -> Vec<PendingIn> {
        let mut out: Vec<PendingIn> = Vec::new();
        for b in self.pending.iter().filter(|b| b.task == task) {
            let i = match out.iter().position(|p| p.dst == b.dst && p.duv == b.duv) {
                Some(i) => i,
                None => {
                    out.push(PendingIn {
                        dst: b.dst.clone(),
                        duv: b.duv,
                        uid_next: b.uid_next,
                        fps: Vec::new(),
                    });
                    out.len() - 1
                }
            };
            out[i].uid_next = out[i].uid_next.min(b.uid_next);
            out[i].fps.extend(b.open.values().cloned());
        }
        out.sort_by(|a, b| (&a.dst, a.duv).cmp(&(&b.dst, b.duv)));
        out
    }

    /// Destination UIDs of (dst, duv) the journal accounts for (any task,
    /// and messages found there): never claimed for a pending batch.
    pub fn explained_in(&self, dst: &str, duv: u32) -> std::collections::HashSet<u32> {
        self.copied
            .values()
            .filter(|s| s.dst == dst && s.duv == duv)
            .flat_map(|s| s.map.values().filter_map(|(c, _)| c.dst))
            .collect()
    }

    /// Fingerprints of what a task appended without a UID: (dst folder, duv, fps).
    pub fn fingerprints_by(&self, task: &str) -> Vec<(String, u32, Vec<String>)> {
        let mut grouped: HashMap<(String, u32), Vec<String>> = HashMap::new();
        for (dst, duv, fp) in self.fps.get(task).into_iter().flatten() {
            grouped
                .entry((dst.clone(), *duv))
                .or_default()
                .push(fp.clone());
        }
        let mut out: Vec<_> = grouped
            .into_iter()
            .map(|((d, uv), fps)| (d, uv, fps))
            .collect();
        out.sort();
        out
    }

    /// Folders a task created (dst raw names).
    pub fn created_by(&self, task: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .folders
            .values()
            .filter(|(_, t)| t.as_deref() == Some(task))
            .map(|(d, _)| d.clone())
            .collect();
        v.sort();
        v
    }

    /// What earlier rollback attempts of `task` already removed:
    /// (messages, raw names of the folders deleted).
    pub fn removed_by_rollback(&self, task: &str) -> (u64, Vec<String>) {
        self.removed.get(task).cloned().unwrap_or_default()
    }

    pub fn tasks(&self) -> &[String] {
        &self.tasks
    }
}
