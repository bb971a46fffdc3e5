//! The coordinator: connect, map folders, create what is missing, then plan,
//! copy and verify with N workers in parallel, recording every step in the
//! journal so that any later run continues where this one stopped.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tokio::sync::{mpsc, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::imap::{self, Conn, Endpoint, ImapError, Timeouts};
use crate::journal::{journal_path, Journal, JournalError, Record};

use super::filter::{FilterError, FolderFilter};
use super::folder_map::{self, FolderPair};
use super::progress::Event;
use super::report::{FolderReport, Report};
use super::worker::{CopyOutcome, FolderPlan, VerifyOutcome, Worker};

/// Tuning knobs; the defaults suit most servers.
#[derive(Debug, Clone)]
pub struct Options {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Connections per side.
    pub connections: usize,
    pub dry_run: bool,
    /// Most messages in one APPEND (MULTIAPPEND) batch.
    pub batch_messages: usize,
    /// Most bytes in one batch (a larger message travels alone).
    pub batch_bytes: u64,
    /// Most message bytes held in memory across all workers.
    pub inflight_bytes: u64,
    pub timeouts: Timeouts,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            include: Vec::new(),
            exclude: Vec::new(),
            connections: 4,
            dry_run: false,
            batch_messages: 200,
            batch_bytes: 4 * 1024 * 1024,
            inflight_bytes: 24 * 1024 * 1024,
            timeouts: Timeouts::default(),
        }
    }
}

/// One account-to-account migration.
#[derive(Debug, Clone)]
pub struct Migration {
    pub src: Endpoint,
    pub dst: Endpoint,
    pub options: Options,
    pub task_id: String,
    /// Where journals live (the data dir).
    pub state_dir: PathBuf,
}

/// Why a migration could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(transparent)]
    Imap(#[from] ImapError),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Filter(#[from] FilterError),
}

/// Shared by the coordinator and the workers.
pub(crate) struct Ctx {
    pub src: Endpoint,
    pub dst: Endpoint,
    pub options: Options,
    pub task_id: String,
    pub pairs: Vec<FolderPair>,
    pub created: Mutex<HashSet<usize>>,
    journal: Mutex<Journal>,
    journal_failed: Mutex<Option<String>>,
    events: mpsc::UnboundedSender<Event>,
    cancel: CancellationToken,
    over_quota: Mutex<Option<String>>,
    pub copied: AtomicU64,
    budget: Arc<Semaphore>,
    budget_kib: u32,
    halted: AtomicBool,
}

impl Ctx {
    pub fn journal(&self) -> MutexGuard<'_, Journal> {
        self.journal.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Write a journal record; a failure to write stops the run (we would
    /// otherwise copy without being able to remember it).
    pub fn record(&self, r: Record) {
        if let Err(e) = self.journal().append(r) {
            tracing::error!(error = %e, "journal write failed; stopping");
            *self
                .journal_failed
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
            self.halted.store(true, Ordering::SeqCst);
        }
    }

    pub fn emit(&self, e: Event) {
        let _ = self.events.send(e);
    }

    pub fn problem(&self, message: String) {
        tracing::warn!("{message}");
        self.emit(Event::Problem { message });
    }

    pub fn debug(&self, message: String) {
        tracing::info!("{message}");
    }

    pub fn over_quota(&self, message: String) {
        let mut q = self.over_quota.lock().unwrap_or_else(|p| p.into_inner());
        if q.is_none() {
            self.problem(message.clone());
            *q = Some(message);
        }
        self.halted.store(true, Ordering::SeqCst);
    }

    /// No new batch should start: cancelled, destination full, journal broken.
    pub fn stopping(&self) -> bool {
        self.cancel.is_cancelled() || self.halted.load(Ordering::SeqCst)
    }

    pub fn dst_exists(&self, idx: usize) -> bool {
        self.pairs[idx].dst_exists
            || self
                .created
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains(&idx)
    }
}

enum Job {
    Plan(usize),
    Copy(Arc<FolderPlan>, Vec<(u32, u32)>),
    Verify(Arc<FolderPlan>),
}

enum Done {
    Plan(usize, Result<FolderPlan, ImapError>),
    Copy(usize, Result<CopyOutcome, ImapError>, u64),
    Verify(usize, Result<VerifyOutcome, ImapError>),
}

async fn connect_pair(m: &Migration) -> Result<(Conn, Conn), ImapError> {
    let t = m.options.timeouts;
    let (s, d) = tokio::join!(imap::connect(&m.src, t), imap::connect(&m.dst, t));
    Ok((s?, d?))
}

/// Run a migration to the end (or to cancellation). Only a failure to reach
/// or log in to either side, or to open the journal, is an `Err`; everything
/// else is reported in the `Report`.
pub async fn run(
    m: Migration,
    events: mpsc::UnboundedSender<Event>,
    cancel: CancellationToken,
) -> Result<Report, MigrateError> {
    let started = Instant::now();
    let filter = FolderFilter::new(&m.options.include, &m.options.exclude)?;
    let connections = m.options.connections.clamp(1, 16);

    // Nothing is written before both sides accepted our login.
    let (mut src0, mut dst0) = connect_pair(&m).await?;
    let src_folders = src0.list().await?;
    let dst_folders = dst0.list().await?;

    let jpath = journal_path(&m.state_dir, &m.src.label(), &m.dst.label());
    let journal = if m.options.dry_run {
        Journal::read_only(&jpath)?
    } else {
        Journal::open(&jpath)?
    };
    if !m.options.dry_run {
        // The batch a killed run had in flight may be in any folder: watch them all.
        if journal.state.has_unfinished() {
            let all: Vec<String> = dst_folders
                .iter()
                .filter(|f| !f.noselect)
                .map(|f| f.raw.clone())
                .collect();
            settle(&mut dst0, &all).await;
        }
    }
    let src_delim = src_folders.iter().find_map(|f| f.delimiter);
    let map = folder_map::plan(
        &src_folders,
        &dst_folders,
        &|raw| journal.state.folder_mapping(raw).map(str::to_string),
        &|name| filter.keeps(name, src_delim),
    );

    let mut report = Report {
        task_id: m.task_id.clone(),
        dry_run: m.options.dry_run,
        connections,
        left_out: map
            .left_out
            .iter()
            .map(|(n, why)| format!("{n}: {why}"))
            .collect(),
        ..Default::default()
    };

    let (budget_kib, budget) = {
        let kib = (m.options.inflight_bytes / 1024).clamp(1, u32::MAX as u64 / 2) as u32;
        (kib, Arc::new(Semaphore::new(kib as usize)))
    };
    let ctx = Arc::new(Ctx {
        src: m.src.clone(),
        dst: m.dst.clone(),
        options: m.options.clone(),
        task_id: m.task_id.clone(),
        pairs: map.pairs.clone(),
        created: Mutex::new(HashSet::new()),
        journal: Mutex::new(journal),
        journal_failed: Mutex::new(None),
        events,
        cancel: cancel.clone(),
        over_quota: Mutex::new(None),
        copied: AtomicU64::new(0),
        budget,
        budget_kib,
        halted: AtomicBool::new(false),
    });

    if !m.options.dry_run {
        ctx.record(Record::Task {
            task: m.task_id.clone(),
            started: chrono::Utc::now().to_rfc3339(),
        });
        // Create missing destination folders, parents first, on one connection.
        for raw in &map.to_create {
            match dst0.create(raw).await {
                Ok(created) => {
                    if created {
                        report
                            .created_folders
                            .push(imap::utf7::decode(raw).unwrap_or(raw.clone()));
                    }
                    for (i, p) in ctx.pairs.iter().enumerate() {
                        if &p.dst_raw == raw {
                            ctx.created
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .insert(i);
                            ctx.record(Record::Folder {
                                task: m.task_id.clone(),
                                src: p.src_raw.clone(),
                                dst: raw.clone(),
                                created,
                            });
                        }
                    }
                }
                Err(e) if e.is_transient() => return Err(e.into()),
                Err(e) => report.errors.push(format!(
                    "cannot create destination folder {:?}: {e}",
                    imap::utf7::decode(raw).unwrap_or(raw.clone())
                )),
            }
        }
        for p in ctx.pairs.iter() {
            if p.dst_exists && ctx.journal().state.folder_mapping(&p.src_raw).is_none() {
                ctx.record(Record::Folder {
                    task: m.task_id.clone(),
                    src: p.src_raw.clone(),
                    dst: p.dst_raw.clone(),
                    created: false,
                });
            }
        }
    }

    // Open the other connections.
    let mut workers = vec![Worker {
        src: src0,
        dst: dst0,
    }];
    let extra: Vec<_> = (1..connections).map(|_| connect_pair(&m)).collect();
    for r in futures::future::join_all(extra).await {
        match r {
            Ok((s, d)) => workers.push(Worker { src: s, dst: d }),
            Err(e) => ctx.problem(format!(
                "could not open an extra connection ({e}); continuing with fewer"
            )),
        }
    }
    report.connections = workers.len();
    ctx.emit(Event::Connected {
        connections: workers.len(),
    });

    let (job_tx, job_rx) = async_channel::unbounded::<Job>();
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Done>();
    let mut handles = Vec::new();
    for mut w in workers {
        let ctx = ctx.clone();
        let jobs = job_rx.clone();
        let done = done_tx.clone();
        handles.push(tokio::spawn(async move {
            while let Ok(job) = jobs.recv().await {
                let d = match job {
                    Job::Plan(i) => Done::Plan(i, w.plan(&ctx, i).await),
                    Job::Copy(plan, batch) => {
                        let bytes: u64 = batch.iter().map(|p| p.1 as u64).sum();
                        let kib = ((bytes / 1024) as u32).clamp(1, ctx.budget_kib);
                        let permit = ctx.budget.clone().acquire_many_owned(kib).await;
                        let r = w.copy(&ctx, &plan, &batch).await;
                        drop(permit);
                        Done::Copy(plan.idx, r, batch.len() as u64)
                    }
                    Job::Verify(plan) => Done::Verify(plan.idx, w.verify(&ctx, &plan).await),
                };
                if done.send(d).is_err() {
                    break;
                }
            }
            w.src.logout().await;
            w.dst.logout().await;
        }));
    }
    drop(done_tx);

    let n = ctx.pairs.len();
    let mut folder_reports: Vec<FolderReport> = ctx
        .pairs
        .iter()
        .map(|p| FolderReport {
            folder: p.src_name.clone(),
            destination: p.dst_name.clone(),
            ..Default::default()
        })
        .collect();
    let mut fatal: Option<ImapError> = None;

    // Phase 1: plan every folder.
    let mut plans: Vec<Option<Arc<FolderPlan>>> = vec![None; n];
    for (i, fr) in folder_reports.iter_mut().enumerate() {
        if ctx.dst_exists(i) || m.options.dry_run {
            let _ = job_tx.send(Job::Plan(i)).await;
        } else {
            fr.state = "failed".into();
            fr.note = Some("destination folder could not be created".into());
        }
    }
    let expected = (0..n)
        .filter(|i| ctx.dst_exists(*i) || m.options.dry_run)
        .count();
    for _ in 0..expected {
        let Some(Done::Plan(i, r)) = done_rx.recv().await else {
            break;
        };
        match r {
            Ok(p) => {
                let fr = &mut folder_reports[i];
                fr.source_messages = if p.unchanged {
                    p.src_state.messages as u64
                } else {
                    p.src_list.len() as u64
                };
                fr.skipped = p.skipped;
                fr.state = if p.unchanged { "unchanged" } else { "planned" }.into();
                ctx.emit(Event::Planned {
                    folder: ctx.pairs[i].src_name.clone(),
                    to_copy: p.to_copy.len() as u64,
                    bytes: p.to_copy.iter().map(|x| x.1 as u64).sum(),
                    skipped: p.skipped,
                });
                plans[i] = Some(Arc::new(p));
            }
            Err(e) if e.is_auth() || e.is_connect() => {
                fatal.get_or_insert(e);
            }
            Err(e) => {
                folder_reports[i].state = "failed".into();
                report
                    .errors
                    .push(format!("{}: {e}", ctx.pairs[i].src_name));
            }
        }
    }

    // Phase 2: copy, in batches spread over the workers.
    if !m.options.dry_run && fatal.is_none() {
        let mut sent = 0;
        for p in plans.iter().flatten() {
            for batch in batches(&p.to_copy, m.options.batch_messages, m.options.batch_bytes) {
                let _ = job_tx.send(Job::Copy(p.clone(), batch)).await;
                sent += 1;
            }
        }
        for _ in 0..sent {
            let Some(Done::Copy(i, r, size)) = done_rx.recv().await else {
                break;
            };
            let fr = &mut folder_reports[i];
            match r {
                Ok(o) => {
                    fr.copied += o.copied;
                    fr.bytes += o.bytes;
                    fr.failed += o.failed.len() as u64;
                    for (uid, why) in o.failed {
                        report.errors.push(format!(
                            "{}: message UID {uid} refused by the destination: {why}",
                            ctx.pairs[i].src_name
                        ));
                    }
                    if o.vanished > 0 {
                        fr.note = Some(format!(
                            "{} message(s) deleted on the source during the copy",
                            o.vanished
                        ));
                    }
                }
                Err(e) => {
                    fr.failed += size;
                    if e.is_auth() || e.is_connect() {
                        fatal.get_or_insert(e);
                        cancel.cancel();
                    } else {
                        report
                            .errors
                            .push(format!("{}: {e}", ctx.pairs[i].src_name));
                    }
                }
            }
        }
    }

    // Phase 3: verify.
    let stopped = ctx.stopping();
    if !m.options.dry_run && fatal.is_none() {
        let mut sent = 0;
        for p in plans.iter().flatten() {
            let _ = job_tx.send(Job::Verify(p.clone())).await;
            sent += 1;
        }
        for _ in 0..sent {
            let Some(Done::Verify(i, r)) = done_rx.recv().await else {
                break;
            };
            let fr = &mut folder_reports[i];
            match r {
                Ok(v) => {
                    fr.verified = v.ok;
                    if let Some(note) = v.note {
                        fr.note = Some(note);
                    }
                    if v.ok && fr.state != "unchanged" {
                        fr.state = "copied".into();
                    }
                    if v.ok && fr.failed == 0 && !stopped {
                        if let Some(p) = &plans[i] {
                            if !p.unchanged {
                                ctx.record(Record::Done {
                                    src: ctx.pairs[i].src_raw.clone(),
                                    suv: p.src_state.uid_validity,
                                    uid_next: p.src_state.uid_next,
                                    messages: p.src_state.messages,
                                    dst: ctx.pairs[i].dst_raw.clone(),
                                    duv: p.dst_state.uid_validity,
                                });
                            }
                        }
                    }
                }
                Err(e) => {
                    report
                        .errors
                        .push(format!("verifying {}: {e}", ctx.pairs[i].src_name));
                }
            }
        }
    }
    job_tx.close();
    for h in handles {
        let _ = h.await;
    }

    if let Some(e) = fatal {
        return Err(e.into());
    }
    if let Some(q) = ctx
        .over_quota
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
    {
        // Say how much space the rest needs, so the person knows what to free.
        let planned: (u64, u64) = plans.iter().flatten().fold((0, 0), |acc, p| {
            (
                acc.0 + p.to_copy.len() as u64,
                acc.1 + p.to_copy.iter().map(|x| x.1 as u64).sum::<u64>(),
            )
        });
        let done: (u64, u64) = folder_reports
            .iter()
            .fold((0, 0), |acc, f| (acc.0 + f.copied, acc.1 + f.bytes));
        report.errors.push(format!(
            "{q} ({} message(s) still to copy: about {} more bytes are needed)",
            planned.0.saturating_sub(done.0),
            planned.1.saturating_sub(done.1)
        ));
    }
    if let Some(j) = ctx
        .journal_failed
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
    {
        report.errors.push(format!("journal: {j}"));
    }
    if m.options.dry_run {
        for (i, p) in plans.iter().enumerate() {
            if let Some(p) = p {
                folder_reports[i].copied = p.to_copy.len() as u64;
                folder_reports[i].bytes = p.to_copy.iter().map(|x| x.1 as u64).sum();
            }
        }
    }
    report.cancelled = cancel.is_cancelled();
    report.copied = folder_reports.iter().map(|f| f.copied).sum();
    report.skipped = folder_reports.iter().map(|f| f.skipped).sum();
    report.bytes = folder_reports.iter().map(|f| f.bytes).sum();
    report.failed = folder_reports.iter().map(|f| f.failed).sum();
    report.folders = n;
    report.verified =
        !m.options.dry_run && !report.cancelled && folder_reports.iter().all(|f| f.verified);
    report.folder_reports = folder_reports;
    report.duration_secs = started.elapsed().as_secs_f64();
    if !m.options.dry_run {
        ctx.record(Record::End {
            task: m.task_id.clone(),
        });
    }
    Ok(report)
}

/// A previous run was killed while writing to `folders`: the server may still be
/// committing APPENDs it had fully received. Wait until the folders stop changing
/// (two equal STATUS readings 1.5 s apart, at most ~20 s) so the plan sees them.
async fn settle(dst: &mut Conn, folders: &[String]) {
    let mut previous = None;
    for _ in 0..14 {
        let mut now = Vec::with_capacity(folders.len());
        for f in folders {
            now.push(dst.status(f).await.ok());
        }
        if previous.as_ref() == Some(&now) {
            return;
        }
        previous = Some(now);
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    }
}

/// Cut a folder's work into batches bounded by count and bytes.
pub fn batches(items: &[(u32, u32)], max_count: usize, max_bytes: u64) -> Vec<Vec<(u32, u32)>> {
    let mut out = Vec::new();
    let mut cur: Vec<(u32, u32)> = Vec::new();
    let mut bytes = 0u64;
    for &it in items {
        if !cur.is_empty() && (cur.len() >= max_count || bytes + it.1 as u64 > max_bytes) {
            out.push(std::mem::take(&mut cur));
            bytes = 0;
        }
        bytes += it.1 as u64;
        cur.push(it);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_respect_count_and_bytes_and_let_big_messages_travel_alone() {
        let items = vec![(1, 10), (2, 10), (3, 10), (4, 1000), (5, 10)];
        let b = batches(&items, 2, 100);
        assert_eq!(
            b,
            vec![
                vec![(1, 10), (2, 10)],
                vec![(3, 10)],
                vec![(4, 1000)],
                vec![(5, 10)]
            ]
        );
        assert!(batches(&[], 10, 10).is_empty());
    }
}
