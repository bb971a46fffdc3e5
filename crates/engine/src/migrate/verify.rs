//! After the copy, compare each folder on both sides: every source message
//! present on the destination (by the UID recorded at APPEND, or by
//! fingerprint where the server gave none) with the size we sent, nothing
//! more on the destination than this run added, and the bytes themselves
//! for a deterministic sample, every fragile message and every size that
//! does not match (all of them with `--verify full`).

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::imap::{ImapError, MailboxState};
use crate::journal::Record;

use super::context::Ctx;
use super::fingerprint::fingerprint;
use super::message::{batches, MessageRef};
use super::progress::Event;
use super::retry::Backoff;
use super::worker::{again, FolderPlan, Worker};

/// How much of the content verification compares byte for byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VerifyMode {
    /// Counts, UIDs and sizes of every message; bytes of a sample.
    #[default]
    Sampled,
    /// Counts, UIDs, sizes and the bytes of every message.
    Full,
}

impl std::str::FromStr for VerifyMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "sampled" | "sample" => Ok(VerifyMode::Sampled),
            "full" => Ok(VerifyMode::Full),
            other => Err(format!(
                "unknown verification {other:?}: use sampled or full"
            )),
        }
    }
}

/// What one folder's verification compared and found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderCheck {
    /// Source messages checked by UID and size.
    pub messages: u64,
    /// Messages compared byte for byte.
    pub bytes_compared: u64,
    /// Source messages not on the destination.
    pub missing: u64,
    /// Messages on the destination beyond those this run added.
    pub extra: u64,
    /// Messages the destination stores with other bytes than the source's.
    pub altered: u64,
    /// Source UIDs of the first altered messages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub altered_uids: Vec<u32>,
}

impl FolderCheck {
    pub fn ok(&self) -> bool {
        self.missing == 0 && self.extra == 0 && self.altered == 0
    }

    /// One sentence on what was found wrong (None when all is well).
    pub fn problem(&self) -> Option<String> {
        if self.ok() {
            return None;
        }
        let mut parts = Vec::new();
        if self.missing > 0 {
            parts.push(format!(
                "{} message(s) missing on the destination",
                self.missing
            ));
        }
        if self.extra > 0 {
            parts.push(format!(
                "{} message(s) more on the destination than this run added",
                self.extra
            ));
        }
        if self.altered > 0 {
            let uids: Vec<String> = self.altered_uids.iter().map(u32::to_string).collect();
            parts.push(format!(
                "{} message(s) altered by the destination (stored bytes differ from the source's; source UIDs {})",
                self.altered,
                uids.join(", ")
            ));
        }
        Some(parts.join("; "))
    }
}

/// A folder's check and the destination as it was when checked.
#[derive(Debug, Clone)]
pub(crate) struct Verified {
    pub check: FolderCheck,
    pub dst_now: MailboxState,
}

/// A verification job: the plan and what the copy did for that folder.
#[derive(Debug, Clone)]
pub(crate) struct VerifyJob {
    pub plan: std::sync::Arc<FolderPlan>,
    /// Messages this run's APPENDs added to the folder.
    pub appended: u64,
    /// Fragile messages copied by this run (always compared byte for byte).
    pub fragile: Vec<u32>,
}

/// The deterministic sample size for a folder of `n` messages.
fn sample_size(n: usize) -> usize {
    n.min(3 + n / 100)
}

/// A stable pseudo-random rank for sampling (splitmix64).
fn rank(uid_validity: u32, uid: u32) -> u64 {
    let mut z = ((uid_validity as u64) << 32 | uid as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const MAX_ALTERED_LISTED: usize = 20;

impl Worker {
    pub async fn verify(&mut self, ctx: &Ctx, job: &VerifyJob) -> Result<Verified, ImapError> {
        let mut backoff = Backoff::new();
        loop {
            let attempt = async {
                self.heal(ctx).await?;
                self.verify_once(ctx, job).await
            };
            match attempt.await {
                Err(e) if self.leaving => return Err(e),
                Err(e) => again(&mut backoff, ctx, "verifying", e).await?,
                ok => return ok,
            }
        }
    }

    async fn verify_once(&mut self, ctx: &Ctx, job: &VerifyJob) -> Result<Verified, ImapError> {
        let plan = &job.plan;
        let pair = &ctx.pairs[plan.idx];
        let mut check = FolderCheck::default();

        // Both sides as they are now (messages deleted on the source during
        // the run are not expected on the destination).
        let src_now: MailboxState = self.src.open(&pair.src_raw, false).await?;
        let src_list: Vec<MessageRef> = if src_now.uid_validity == plan.src_state.uid_validity {
            self.src.uid_sizes().await?
        } else {
            Vec::new()
        };
        let dst_now = self.dst.open(&pair.dst_raw, false).await?;
        let dst_list = if dst_now.messages > 0 {
            self.dst.uid_sizes().await?
        } else {
            Vec::new()
        };
        let dst_sizes: HashMap<u32, u32> = dst_list.iter().map(|m| (m.uid, m.size)).collect();
        let known = ctx.journal().state.known(
            &pair.src_raw,
            plan.src_state.uid_validity,
            &pair.dst_raw,
            dst_now.uid_validity,
        );

        // Every source message by the UID recorded at APPEND, with its size.
        let mut mapped: Vec<(MessageRef, u32)> = Vec::new(); // (source, destination UID)
        let mut suspect: HashSet<u32> = HashSet::new();
        let mut by_fingerprint: Vec<u32> = Vec::new();
        for m in &src_list {
            match known.get(&m.uid) {
                Some(c) => match c.dst {
                    Some(d) => match dst_sizes.get(&d) {
                        None => check.missing += 1,
                        Some(&dsize) => {
                            // The size we sent when we know it; the source's
                            // advertised size only for older records.
                            if dsize != c.size.unwrap_or(m.size) {
                                suspect.insert(m.uid);
                            }
                            mapped.push((*m, d));
                        }
                    },
                    None => by_fingerprint.push(m.uid),
                },
                // Not in the journal: an APPEND whose answer was lost may
                // still have landed. The fingerprint decides.
                None => by_fingerprint.push(m.uid),
            }
        }
        // Servers without UIDPLUS, and answers lost: match the rest by fingerprint.
        let mut recovered: Vec<(u32, u32)> = Vec::new();
        if !by_fingerprint.is_empty() {
            let explained: HashSet<u32> = known.values().filter_map(|c| c.dst).collect();
            let unexplained: Vec<u32> = dst_list
                .iter()
                .filter(|m| !explained.contains(&m.uid))
                .map(|m| m.uid)
                .collect();
            let dst_facts = self.dst.header_facts(Some(&unexplained)).await?;
            let mut pool: HashMap<String, Vec<u32>> = HashMap::new();
            for f in dst_facts.iter().rev() {
                pool.entry(fingerprint(&f.header)).or_default().push(f.uid);
            }
            let src_facts = self.src.header_facts(Some(&by_fingerprint)).await?;
            let sizes: HashMap<u32, u32> = src_list.iter().map(|m| (m.uid, m.size)).collect();
            let unknown: HashSet<u32> = by_fingerprint
                .iter()
                .copied()
                .filter(|u| !known.contains_key(u))
                .collect();
            for f in &src_facts {
                match pool.get_mut(&fingerprint(&f.header)).and_then(|v| v.pop()) {
                    Some(d) => {
                        if unknown.contains(&f.uid) {
                            recovered.push((f.uid, d));
                        }
                        mapped.push((
                            MessageRef {
                                uid: f.uid,
                                size: sizes.get(&f.uid).copied().unwrap_or(f.size),
                            },
                            d,
                        ))
                    }
                    None => check.missing += 1,
                }
            }
            // Asked for but not answered: gone from the source meanwhile.
        }
        if !recovered.is_empty() {
            // Appended by this run, their answer lost: now on record, so that
            // rollback removes them and the next run does not look again.
            ctx.record(Record::Copied {
                task: ctx.task_id.clone(),
                src: pair.src_raw.clone(),
                suv: plan.src_state.uid_validity,
                dst: pair.dst_raw.clone(),
                duv: dst_now.uid_validity,
                pairs: recovered.iter().map(|(s, d)| (*s, Some(*d))).collect(),
                fps: Vec::new(),
                sizes: Vec::new(),
            });
        }
        check.messages = src_list.len() as u64;
        let grown = dst_now.messages as i64 - plan.dst_state.messages as i64;
        if dst_now.uid_validity == plan.dst_state.uid_validity || plan.dst_state.uid_validity == 0 {
            check.extra = (grown - job.appended as i64 - recovered.len() as i64).max(0) as u64;
        }

        // Bytes: the sample, fragile messages, and sizes that do not match.
        let mut compare: Vec<(MessageRef, u32)> = match ctx.options.verify {
            VerifyMode::Full => mapped.clone(),
            VerifyMode::Sampled => {
                let fragile: HashSet<u32> = job.fragile.iter().copied().collect();
                let mut by_rank = mapped.clone();
                by_rank.sort_by_key(|(m, _)| rank(plan.src_state.uid_validity, m.uid));
                let k = sample_size(mapped.len());
                let mut chosen: HashSet<u32> = by_rank[..k].iter().map(|(m, _)| m.uid).collect();
                chosen.extend(fragile.iter().copied());
                chosen.extend(suspect.iter().copied());
                mapped
                    .iter()
                    .filter(|(m, _)| chosen.contains(&m.uid))
                    .copied()
                    .collect()
            }
        };
        compare.sort();
        let to_dst: HashMap<u32, u32> = compare.iter().map(|(m, d)| (m.uid, *d)).collect();
        for batch in batches(
            &compare.iter().map(|(m, _)| *m).collect::<Vec<_>>(),
            ctx.options.batch_messages,
            ctx.options.batch_bytes,
        ) {
            let src_uids: Vec<u32> = batch.iter().map(|m| m.uid).collect();
            let src_digests = self.src.body_digests(&src_uids).await?;
            let mut dst_uids: Vec<u32> = src_digests
                .iter()
                .filter_map(|d| to_dst.get(&d.uid).copied())
                .collect();
            dst_uids.sort_unstable();
            let dst_digests: HashMap<u32, [u8; 32]> = self
                .dst
                .body_digests(&dst_uids)
                .await?
                .into_iter()
                .map(|d| (d.uid, d.sha256))
                .collect();
            for s in &src_digests {
                let Some(d) = to_dst.get(&s.uid) else {
                    continue;
                };
                check.bytes_compared += 1;
                match dst_digests.get(d) {
                    None => check.missing += 1,
                    Some(h) if *h == s.sha256 => {}
                    Some(_) => {
                        check.altered += 1;
                        if check.altered_uids.len() < MAX_ALTERED_LISTED {
                            check.altered_uids.push(s.uid);
                        }
                    }
                }
            }
        }
        ctx.emit(Event::Verified {
            folder: pair.src_name.clone(),
            ok: check.ok(),
        });
        Ok(Verified { check, dst_now })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_is_small_deterministic_and_spread() {
        assert_eq!(sample_size(0), 0);
        assert_eq!(sample_size(2), 2);
        assert_eq!(sample_size(1000), 13);
        assert_eq!(rank(7, 1), rank(7, 1));
        assert_ne!(rank(7, 1), rank(7, 2));
        assert_ne!(rank(7, 1), rank(8, 1));
        let mut uids: Vec<u32> = (1..=1000).collect();
        uids.sort_by_key(|u| rank(42, *u));
        let picked = &uids[..13];
        assert!(picked.iter().any(|u| *u < 500) && picked.iter().any(|u| *u > 500));
    }

    #[test]
    fn a_check_is_ok_only_when_nothing_is_missing_extra_or_altered() {
        let mut c = FolderCheck::default();
        assert!(c.ok() && c.problem().is_none());
        c.altered = 2;
        c.altered_uids = vec![4, 9];
        let p = c.problem().unwrap();
        assert!(
            p.contains("altered by the destination") && p.contains("4, 9"),
            "{p}"
        );
        c.altered = 0;
        c.extra = 1;
        assert!(!c.ok());
        assert!("full".parse::<VerifyMode>().is_ok() && "x".parse::<VerifyMode>().is_err());
    }
}
