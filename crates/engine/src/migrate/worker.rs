//! A worker owns one source and one destination connection and runs jobs:
//! plan a folder, copy a batch, verify a folder. Broken connections are
//! replaced (with backoff) and the job retried; never duplicating, because
//! a batch whose fate is unknown is checked by fingerprint before retrying.

use std::collections::{HashMap, HashSet};

use crate::imap::{self, Conn, Endpoint, ImapError, MailboxState, OutMessage};
use crate::journal::{Known, Record};

use super::context::Ctx;
use super::fingerprint::fingerprint;
use super::folder_map::FolderPair;
use super::message::{is_fragile, MessageRef};
use super::progress::Event;
use super::retry::{retryable, server_hint, Backoff};

fn out_message(m: &imap::FetchedMessage) -> OutMessage<'_> {
    OutMessage {
        body: m.body(),
        flags: &m.flags,
        internaldate: m.internaldate.as_deref(),
    }
}

/// Task name recorded for messages found already on the destination: they
/// were not added by any task we know, so rollback never removes them.
pub const FOUND: &str = "-";

pub(crate) struct Worker {
    pub src: Conn,
    pub dst: Conn,
    /// A server refused this worker another connection as busy (too many
    /// connections, [UNAVAILABLE], [LIMIT]) while other workers remain:
    /// it leaves the pool and its job goes to them.
    pub leaving: bool,
}

impl Worker {
    pub fn new(src: Conn, dst: Conn) -> Worker {
        Worker {
            src,
            dst,
            leaving: false,
        }
    }
}

/// What planning found for one folder.
#[derive(Debug, Clone)]
pub(crate) struct FolderPlan {
    pub idx: usize,
    /// Same UIDVALIDITY, UIDNEXT and count as when it was last verified.
    pub unchanged: bool,
    /// The source as EXAMINE saw it (never STATUS alone: servers lie).
    pub src_state: MailboxState,
    /// The destination before this run wrote to it.
    pub dst_state: MailboxState,
    pub src_list: Vec<MessageRef>,
    pub to_copy: Vec<MessageRef>,
    pub skipped: u64,
    /// Why the destination cannot take this folder (CREATE refused).
    pub blocked: Option<String>,
}

/// A source message found already on the destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    pub src: u32,
    pub dst: u32,
}

/// A message not copied, with the reason ("refused by the destination: ...").
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    pub uid: u32,
    pub reason: String,
    /// What the user can change to copy it next time.
    pub remedy: Option<mailshift_net::Remedy>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct CopyOutcome {
    /// Requested messages now on the destination (appended or found there).
    pub copied: u64,
    /// Bytes actually received from the source for them.
    pub bytes: u64,
    /// Messages the APPENDs of this batch added.
    pub appended: u64,
    pub failed: Vec<Refused>,
    pub vanished: u64,
    /// Messages servers are known to store differently (see `is_fragile`).
    pub fragile: Vec<u32>,
    /// Not attempted: this worker left the pool; another one copies them.
    pub rest: Vec<MessageRef>,
}

/// Connect again with backoff. A server that refuses as busy while other
/// workers remain makes this worker leave (`left` set): fewer connections,
/// not a failed job.
pub(crate) async fn reconnect(
    ep: &Endpoint,
    ctx: &Ctx,
    left: &mut bool,
) -> Result<Conn, ImapError> {
    let mut backoff = Backoff::new();
    loop {
        match imap::connect(ep, ctx.options.timeouts).await {
            Ok(c) => return Ok(c),
            Err(e) if e.is_auth() => return Err(e),
            Err(e) if server_hint(&e).is_some() && ctx.leave(&e) => {
                *left = true;
                return Err(e);
            }
            Err(e) => match backoff.after_failure(false, &e) {
                Some(wait) => {
                    tracing::warn!(error = %e, ?wait, "reconnect failed; retrying");
                    tokio::time::sleep(wait).await;
                }
                None => return Err(e),
            },
        }
    }
}

/// Between attempts of a job that cannot make partial progress (planning,
/// verifying): wait and say so, or hand the error back when it is final.
pub(crate) async fn again(
    backoff: &mut Backoff,
    ctx: &Ctx,
    what: &str,
    e: ImapError,
) -> Result<(), ImapError> {
    if !retryable(&e) {
        return Err(e);
    }
    match backoff.after_failure(false, &e) {
        Some(wait) => {
            ctx.problem_with(
                format!("{e} ({what}: reconnecting and resuming)"),
                e.remedy(),
            );
            tokio::time::sleep(wait).await;
            Ok(())
        }
        None => Err(e),
    }
}

fn known_of(ctx: &Ctx, pair: &FolderPair, suv: u32, duv: u32) -> Known {
    ctx.journal()
        .state
        .known(&pair.src_raw, suv, &pair.dst_raw, duv)
}

/// Put messages found on the destination on record: those of a batch a
/// killed or failed run had in flight (see `Record::Pending`) as that
/// batch's task's, when they sit above the UIDNEXT it saw; the rest as
/// `default_task`'s.
fn record_found(
    ctx: &Ctx,
    pair: &FolderPair,
    suv: u32,
    duv: u32,
    found: &[Found],
    default_task: &str,
) {
    if found.is_empty() {
        return;
    }
    // task -> (source UID, destination UID) pairs, in the order met
    type Pairs = Vec<(u32, Option<u32>)>;
    let mut by_task: Vec<(String, Pairs)> = Vec::new();
    {
        let journal = ctx.journal();
        for f in found {
            let task =
                match journal
                    .state
                    .pending_task(&pair.src_raw, suv, &pair.dst_raw, duv, f.src)
                {
                    Some((t, uid_next)) if f.dst >= uid_next => t.to_string(),
                    _ => default_task.to_string(),
                };
            match by_task.iter_mut().find(|(t, _)| *t == task) {
                Some((_, v)) => v.push((f.src, Some(f.dst))),
                None => by_task.push((task, vec![(f.src, Some(f.dst))])),
            }
        }
    }
    for (task, pairs) in by_task {
        if task != default_task {
            ctx.debug(format!(
                "{}: {} message(s) of a batch task {task} had in flight are on the destination: on record as its own",
                pair.src_name,
                pairs.len()
            ));
        }
        ctx.record(Record::Copied {
            task,
            src: pair.src_raw.clone(),
            suv,
            dst: pair.dst_raw.clone(),
            duv,
            pairs,
            fps: Vec::new(),
            sizes: Vec::new(),
        });
    }
}

impl Worker {
    /// Replace whichever connection is broken.
    pub async fn heal(&mut self, ctx: &Ctx) -> Result<(), ImapError> {
        if self.src.is_broken() {
            self.src = reconnect(&ctx.src, ctx, &mut self.leaving).await?;
        }
        if self.dst.is_broken() {
            self.dst = reconnect(&ctx.dst, ctx, &mut self.leaving).await?;
        }
        Ok(())
    }

    /// Run `plan_once` with reconnect-and-retry on transient failures.
    pub async fn plan(
        &mut self,
        ctx: &Ctx,
        idx: usize,
        blocked: Option<String>,
    ) -> Result<FolderPlan, ImapError> {
        let mut backoff = Backoff::new();
        loop {
            let attempt = async {
                self.heal(ctx).await?;
                self.plan_once(ctx, idx, blocked.clone()).await
            };
            match attempt.await {
                Err(e) if self.leaving => return Err(e),
                Err(e) => again(&mut backoff, ctx, "planning", e).await?,
                ok => return ok,
            }
        }
    }

    async fn plan_once(
        &mut self,
        ctx: &Ctx,
        idx: usize,
        blocked: Option<String>,
    ) -> Result<FolderPlan, ImapError> {
        let pair = &ctx.pairs[idx];
        // EXAMINE, not STATUS: a server may say MESSAGES 0 in STATUS and
        // hold mail all the same.
        let src_state = self.src.open(&pair.src_raw, false).await?;
        let dst_exists = ctx.dst_exists(idx);
        let dst_state = if dst_exists {
            self.dst.open(&pair.dst_raw, false).await?
        } else {
            MailboxState::default()
        };
        let mark = ctx.journal().state.done_mark(&pair.src_raw).cloned();
        if let Some(m) = mark {
            if dst_exists
                && m.suv == src_state.uid_validity
                && m.uid_next == src_state.uid_next
                && m.messages == src_state.messages
                && m.dst == pair.dst_raw
                && m.duv == dst_state.uid_validity
                // The destination too: mail removed there (even if replaced
                // by as many other messages) means the folder needs work.
                && m.dst_uid_next != 0
                && m.dst_uid_next == dst_state.uid_next
                && m.dst_messages == dst_state.messages
            {
                return Ok(FolderPlan {
                    idx,
                    unchanged: true,
                    src_state,
                    dst_state,
                    src_list: Vec::new(),
                    to_copy: Vec::new(),
                    skipped: src_state.messages as u64,
                    blocked: None,
                });
            }
        }
        let src_list = self.src.uid_sizes().await?;
        let dst_list = if dst_state.messages > 0 {
            self.dst.uid_sizes().await?
        } else {
            Vec::new()
        };
        let known = known_of(ctx, pair, src_state.uid_validity, dst_state.uid_validity);
        let (to_copy, found) = if blocked.is_some() {
            (src_list.clone(), Vec::new())
        } else {
            self.dedupe(ctx, pair, &src_list, &dst_list, &known).await?
        };
        if !ctx.options.dry_run {
            record_found(
                ctx,
                pair,
                src_state.uid_validity,
                dst_state.uid_validity,
                &found,
                FOUND,
            );
        }
        let skipped = (src_list.len() - to_copy.len()) as u64;
        Ok(FolderPlan {
            idx,
            unchanged: false,
            src_state,
            dst_state,
            src_list,
            to_copy,
            skipped,
            blocked,
        })
    }

    /// Split `candidates` into those still to copy and those already on the
    /// destination (source UID, destination UID): first by the journal
    /// (validated against the destination's UIDs), then by fingerprint
    /// against the destination messages the journal does not explain.
    /// Sizes play no part: a source may advertise sizes that are not its bytes.
    async fn dedupe(
        &mut self,
        ctx: &Ctx,
        pair: &FolderPair,
        candidates: &[MessageRef],
        dst_list: &[MessageRef],
        known: &Known,
    ) -> Result<(Vec<MessageRef>, Vec<Found>), ImapError> {
        let dst_uids: HashSet<u32> = dst_list.iter().map(|p| p.uid).collect();
        let valid: HashMap<u32, Option<u32>> = known
            .iter()
            .filter(|(_, c)| c.dst.is_none_or(|d| dst_uids.contains(&d)))
            .map(|(s, c)| (*s, c.dst))
            .collect();
        let explained: HashSet<u32> = valid.values().filter_map(|d| *d).collect();
        let rest: Vec<MessageRef> = candidates
            .iter()
            .filter(|m| !valid.contains_key(&m.uid))
            .copied()
            .collect();
        let unexplained: Vec<u32> = dst_list
            .iter()
            .filter(|m| !explained.contains(&m.uid))
            .map(|m| m.uid)
            .collect();
        if rest.is_empty() || unexplained.is_empty() {
            return Ok((rest, Vec::new()));
        }
        self.dst.open(&pair.dst_raw, false).await?;
        let dst_facts = self.dst.header_facts(Some(&unexplained)).await?;
        let mut pool: HashMap<String, Vec<u32>> = HashMap::new();
        for f in dst_facts.iter().rev() {
            pool.entry(fingerprint(&f.header)).or_default().push(f.uid);
        }
        self.src.open(&pair.src_raw, false).await?;
        let probe: Vec<u32> = rest.iter().map(|m| m.uid).collect();
        let src_facts = self.src.header_facts(Some(&probe)).await?;
        let mut found = Vec::new();
        let mut matched: HashSet<u32> = HashSet::new();
        for f in &src_facts {
            if let Some(d) = pool.get_mut(&fingerprint(&f.header)).and_then(|v| v.pop()) {
                found.push(Found { src: f.uid, dst: d });
                matched.insert(f.uid);
            }
        }
        let left = rest
            .into_iter()
            .filter(|m| !matched.contains(&m.uid))
            .collect();
        ctx.debug(format!(
            "{}: {} message(s) already on the destination, found by fingerprint",
            pair.src_name,
            found.len()
        ));
        Ok((left, found))
    }

    /// Copy one batch of one folder. Never returns an error for a single
    /// message: those land in `failed`. Errors are connection-level only.
    pub async fn copy(
        &mut self,
        ctx: &Ctx,
        plan: &FolderPlan,
        batch: &[MessageRef],
        handed_over: bool,
    ) -> Result<CopyOutcome, ImapError> {
        let pair = &ctx.pairs[plan.idx];
        let mut out = CopyOutcome::default();
        let mut pending: Vec<MessageRef> = batch.to_vec();
        // Handed over by a worker that left: its last APPEND may have landed.
        let mut uncertain = handed_over;
        let mut backoff = Backoff::new();
        // Messages per attempt: halved after an attempt that moved nothing
        // (a link that breaks every few MB still lets small pieces through),
        // doubled back after one that completed.
        let mut chunk = pending.len().max(1);
        // From a refused answer: the bytes the next attempt must reserve.
        let mut need: Option<u64> = None;
        let mut alone = false;
        let mut last_take = 0usize;
        while !pending.is_empty() {
            if ctx.stopping() {
                return Ok(out);
            }
            let before = out.copied;
            let attempt: Result<(), ImapError> = async {
                self.heal(ctx).await?;
                if uncertain {
                    // The previous APPEND may or may not have landed.
                    let found = self.landed_meanwhile(ctx, plan, &pending).await?;
                    out.copied += found.len() as u64;
                    out.appended += found.len() as u64;
                    let found: HashSet<u32> = found.iter().map(|f| f.src).collect();
                    pending.retain(|m| !found.contains(&m.uid));
                    uncertain = false;
                    if pending.is_empty() {
                        return Ok(());
                    }
                }
                let take = chunk.min(pending.len());
                last_take = take;
                let piece: Vec<MessageRef> = pending[..take].to_vec();
                // The byte budget, held against what the source actually
                // sends: reserve what it announced (plus slack), or what a
                // refused answer showed it needs; the stream refuses an
                // answer that would bring more (see `imap::limit`).
                let announced: u64 = piece.iter().map(|m| m.size as u64).sum();
                let want = need
                    .take()
                    .unwrap_or(announced + announced / 8 + 4096 * take as u64);
                let kib = want.div_ceil(1024).clamp(1, ctx.budget_kib as u64) as u32;
                let _held = ctx.budget.clone().acquire_many_owned(kib).await;
                let budget = ctx.budget_kib as u64 * 1024;
                alone = kib == ctx.budget_kib;
                // Holding the whole budget, a message larger than the budget
                // travels alone, if the source announced it so large.
                let allowed = if alone {
                    budget.max(announced + budget / 4)
                } else {
                    kib as u64 * 1024
                };
                self.copy_once(ctx, plan, &piece, allowed, &mut out).await?;
                pending.drain(..take);
                Ok(())
            }
            .await;
            let refused = match &attempt {
                Err(_) => self.src.take_refused(),
                Ok(()) => None,
            };
            match attempt {
                Err(_) if refused.is_some() => {
                    // Nothing of this piece was appended; the source
                    // connection is dropped (heal replaces it).
                    let needed = refused.unwrap_or_default();
                    if !alone {
                        need = Some(needed + needed / 8 + 4096);
                    } else if last_take > 1 {
                        chunk = (last_take / 2).max(1);
                    } else {
                        let m = pending.remove(0);
                        out.failed.push(Refused {
                            uid: m.uid,
                            reason: format!(
                                "not copied: the source announced {} bytes for it but sends more than {needed}, beyond the {} MiB allowed for messages in flight",
                                m.size,
                                ctx.budget_kib / 1024
                            ),
                            remedy: Some(mailshift_net::Remedy::MaxInflight),
                        });
                    }
                }
                Ok(()) => chunk = (chunk * 2).min(batch.len().max(1)),
                Err(e) if retryable(&e) => {
                    uncertain = true;
                    // What copy_once finished before the failure is in the journal.
                    let done = known_of(
                        ctx,
                        pair,
                        plan.src_state.uid_validity,
                        plan.dst_state.uid_validity,
                    );
                    pending.retain(|m| !done.contains_key(&m.uid));
                    if self.leaving {
                        // Another worker takes the rest; whether the last
                        // APPEND landed is settled there (it starts uncertain).
                        out.rest = pending;
                        return Ok(out);
                    }
                    let progressed = out.copied > before;
                    // A smaller piece is a new chance, not another stall:
                    // only a single message that keeps failing gives up.
                    let shrunk = !progressed && chunk > 1;
                    if shrunk {
                        chunk = (chunk / 2).max(1);
                    }
                    match backoff.after_failure(progressed || shrunk, &e) {
                        Some(wait) => {
                            ctx.problem_with(
                                format!("{e} (reconnecting and resuming)"),
                                e.remedy(),
                            );
                            tokio::time::sleep(wait).await;
                        }
                        None => return Err(e),
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// After an attempt whose fate is unknown: which of `pending` reached
    /// the destination anyway (recorded as this task's).
    async fn landed_meanwhile(
        &mut self,
        ctx: &Ctx,
        plan: &FolderPlan,
        pending: &[MessageRef],
    ) -> Result<Vec<Found>, ImapError> {
        let pair = &ctx.pairs[plan.idx];
        self.dst.open(&pair.dst_raw, false).await?;
        let dst_list = self.dst.uid_sizes().await?;
        let known = known_of(
            ctx,
            pair,
            plan.src_state.uid_validity,
            plan.dst_state.uid_validity,
        );
        let (_, found) = self.dedupe(ctx, pair, pending, &dst_list, &known).await?;
        record_found(
            ctx,
            pair,
            plan.src_state.uid_validity,
            plan.dst_state.uid_validity,
            &found,
            &ctx.task_id,
        );
        Ok(found)
    }

    async fn copy_once(
        &mut self,
        ctx: &Ctx,
        plan: &FolderPlan,
        batch: &[MessageRef],
        allowed: u64,
        out: &mut CopyOutcome,
    ) -> Result<(), ImapError> {
        let pair = &ctx.pairs[plan.idx];
        self.src.open(&pair.src_raw, false).await?;
        let uids: Vec<u32> = batch.iter().map(|m| m.uid).collect();
        // Only the UIDs asked for come back, whatever the server sends;
        // and at most `allowed` bytes of them.
        let msgs = self.src.fetch_messages_within(&uids, allowed).await?;
        let got: HashSet<u32> = msgs.iter().map(|m| m.uid).collect();
        out.vanished += uids.iter().filter(|u| !got.contains(u)).count() as u64;
        if msgs.is_empty() {
            return Ok(());
        }
        // Write-ahead: if this process dies before the batch is on record,
        // a resume or a rollback knows these messages were this task's.
        ctx.record(Record::Pending {
            task: ctx.task_id.clone(),
            src: pair.src_raw.clone(),
            suv: plan.src_state.uid_validity,
            dst: pair.dst_raw.clone(),
            duv: plan.dst_state.uid_validity,
            uid_next: plan.dst_state.uid_next,
            uids: msgs.iter().map(|m| m.uid).collect(),
            fps: msgs.iter().map(|m| fingerprint(m.body())).collect(),
        });
        if ctx.journal_broken() {
            // The journal could not take the record: nothing is appended
            // that could not be accounted for.
            return Ok(());
        }
        if !self.dst.caps.multiappend && self.dst.caps.literal_plus && msgs.len() > 1 {
            return self.copy_pipelined(ctx, plan, &msgs, out).await;
        }
        let groups: Vec<&[imap::FetchedMessage]> = if self.dst.caps.multiappend {
            vec![&msgs[..]]
        } else {
            msgs.chunks(1).collect()
        };
        for group in groups {
            let outgoing: Vec<OutMessage<'_>> = group.iter().map(out_message).collect();
            match self.dst.append_batch(&pair.dst_raw, &outgoing).await {
                Ok(appended) => self.landed(ctx, plan, group, appended, out),
                Err(ImapError::OverQuota { reason, .. }) => {
                    let remaining: u64 = group.iter().map(|m| m.body().len() as u64).sum();
                    ctx.over_quota(format!(
                        "destination mailbox {} is full ({reason}); {} message(s) of {} ({} bytes) could not be added: free space or raise the quota, then run again to continue",
                        ctx.dst.label(),
                        group.len(),
                        pair.src_name,
                        remaining
                    ));
                    return Ok(());
                }
                Err(ImapError::Refusal { reason, .. }) if group.len() > 1 => {
                    tracing::info!(%reason, "batch refused; retrying message by message");
                    for single in group.chunks(1) {
                        match self
                            .dst
                            .append_batch(&pair.dst_raw, &[out_message(&single[0])])
                            .await
                        {
                            Ok(a) => self.landed(ctx, plan, single, a, out),
                            Err(ImapError::Refusal { reason, .. }) => {
                                out.failed.push(Refused {
                                    uid: single[0].uid,
                                    reason: format!("refused by the destination: {reason}"),
                                    remedy: None,
                                });
                            }
                            Err(ImapError::OverQuota { reason, .. }) => {
                                self.full(ctx, &reason);
                            }
                            Err(e) => return Err(e),
                        }
                    }
                }
                Err(ImapError::Refusal { reason, .. }) => {
                    out.failed.push(Refused {
                        uid: group[0].uid,
                        reason: format!("refused by the destination: {reason}"),
                        remedy: None,
                    });
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn full(&self, ctx: &Ctx, reason: &str) {
        ctx.over_quota(format!(
            "destination mailbox {} is full ({reason}): free space or raise the quota, then run again to continue",
            ctx.dst.label()
        ));
    }

    /// One APPEND per message, pipelined (servers without MULTIAPPEND).
    async fn copy_pipelined(
        &mut self,
        ctx: &Ctx,
        plan: &FolderPlan,
        msgs: &[imap::FetchedMessage],
        out: &mut CopyOutcome,
    ) -> Result<(), ImapError> {
        let pair = &ctx.pairs[plan.idx];
        let outgoing: Vec<OutMessage<'_>> = msgs.iter().map(out_message).collect();
        let results = self.dst.append_pipelined(&pair.dst_raw, &outgoing).await?;
        for (m, r) in msgs.iter().zip(results) {
            match r {
                Ok(a) => self.landed(ctx, plan, std::slice::from_ref(m), a, out),
                Err(reason)
                    if mailshift_net::classify(&reason) == mailshift_net::ReplyKind::OverQuota =>
                {
                    self.full(ctx, &reason)
                }
                Err(reason) => out.failed.push(Refused {
                    uid: m.uid,
                    reason: format!("refused by the destination: {reason}"),
                    remedy: None,
                }),
            }
        }
        Ok(())
    }

    fn landed(
        &self,
        ctx: &Ctx,
        plan: &FolderPlan,
        group: &[imap::FetchedMessage],
        appended: imap::Appended,
        out: &mut CopyOutcome,
    ) {
        let pair = &ctx.pairs[plan.idx];
        let (duv, pairs, fps) = match appended.uids {
            Some((uv, duids)) => (
                uv,
                group
                    .iter()
                    .zip(duids)
                    .map(|(m, d)| (m.uid, Some(d)))
                    .collect::<Vec<_>>(),
                Vec::new(),
            ),
            None => (
                plan.dst_state.uid_validity,
                group.iter().map(|m| (m.uid, None)).collect(),
                group.iter().map(|m| fingerprint(m.body())).collect(),
            ),
        };
        let sizes: Vec<u32> = group
            .iter()
            .map(|m| u32::try_from(m.body().len()).unwrap_or(u32::MAX))
            .collect();
        let bytes: u64 = group.iter().map(|m| m.body().len() as u64).sum();
        ctx.record(Record::Copied {
            task: ctx.task_id.clone(),
            src: pair.src_raw.clone(),
            suv: plan.src_state.uid_validity,
            dst: pair.dst_raw.clone(),
            duv,
            pairs,
            fps,
            sizes,
        });
        out.fragile
            .extend(group.iter().filter(|m| is_fragile(m.body())).map(|m| m.uid));
        out.copied += group.len() as u64;
        out.appended += group.len() as u64;
        out.bytes += bytes;
        ctx.emit(Event::Copied {
            folder: pair.src_name.clone(),
            messages: group.len() as u64,
            bytes,
        });
    }
}
