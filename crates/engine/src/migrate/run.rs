//! The coordinator: prepare (connect, list, namespaces, journal, folder
//! map), create the missing destination folders, then three phases on the
//! worker pool (plan, copy, verify), recording every step in the journal so
//! that any later run continues where this one stopped.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::imap::{self, Conn, Endpoint, ImapError, ListedFolder, Namespaces, Timeouts};
use crate::journal::{journal_for, Journal, JournalError, Record};

use super::context::Ctx;
use super::filter::{FilterError, FolderFilter};
use super::folder_map::{self, FolderMap, MapInput};
use super::message::{batches, MessageRef};
use super::pool::{JobResult, Pool, Turn};
use super::progress::Event;
use super::report::{FolderReport, FolderState, Report};
use super::verify::{Verified, VerifyJob, VerifyMode};
use super::worker::{CopyOutcome, FolderPlan, Worker};

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
    /// How much content verification compares byte for byte.
    pub verify: VerifyMode,
    /// Copy other users' and shared folders into this destination folder
    /// (`/` between levels) instead of leaving them out.
    pub other_namespaces_into: Option<String>,
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
            verify: VerifyMode::Sampled,
            other_namespaces_into: None,
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

impl MigrateError {
    /// What the user can change so that the next attempt may succeed.
    pub fn remedy(&self) -> Option<mailshift_net::Remedy> {
        match self {
            MigrateError::Imap(e) => e.remedy(),
            MigrateError::Journal(_) | MigrateError::Filter(_) => None,
        }
    }
}

async fn connect_pair(m: &Migration) -> Result<(Conn, Conn), ImapError> {
    let t = m.options.timeouts;
    let (s, d) = tokio::join!(imap::connect(&m.src, t), imap::connect(&m.dst, t));
    Ok((s?, d?))
}

/// Both sides listed and understood, the journal open, the folders mapped.
struct Prepared {
    first: Worker,
    journal: Journal,
    map: FolderMap,
}

async fn prepare(m: &Migration, filter: &FolderFilter) -> Result<Prepared, MigrateError> {
    // Nothing is written before both sides accepted our login.
    let (mut src, mut dst) = connect_pair(m).await?;
    let src_folders: Vec<ListedFolder> = src.list().await?;
    let dst_folders: Vec<ListedFolder> = dst.list().await?;
    let src_ns: Namespaces = src.namespaces(&src_folders).await?;
    let dst_ns: Namespaces = dst.namespaces(&dst_folders).await?;
    tracing::info!(?src_ns, ?dst_ns, "namespaces");

    // Keyed by the mailboxes, not by how their hosts were spelled: a second
    // run of the same pair finds the journal locked and says so.
    let src_id = src.identity(&m.src.user, m.src.port).await?;
    let dst_id = dst.identity(&m.dst.user, m.dst.port).await?;
    // A resumed task keeps the journal it started: its mailboxes may be reached at
    // another address now (a sandbox restarted on other ports), and its rollback must
    // find every message it added in one journal.
    let earlier = (!m.options.dry_run && !m.task_id.is_empty())
        .then(|| crate::journal::journal_of_task(&m.state_dir, &m.task_id))
        .flatten();
    let jpath = earlier.unwrap_or_else(|| {
        journal_for(
            &m.state_dir,
            &src_id,
            &dst_id,
            (&m.src.label(), &m.dst.label()),
            m.options.dry_run,
        )
    });
    let journal = if m.options.dry_run {
        Journal::read_only(&jpath)?
    } else {
        Journal::open(&jpath)?
    };
    if !m.options.dry_run && journal.state.has_unfinished() {
        // The batch a killed run had in flight may be in any folder: watch them all.
        let all: Vec<String> = dst_folders
            .iter()
            .filter(|f| !f.noselect)
            .map(|f| f.raw.clone())
            .collect();
        settle(&mut dst, &all).await;
    }
    let map = folder_map::plan(&MapInput {
        src: &src_folders,
        src_ns: &src_ns,
        dst: &dst_folders,
        dst_ns: &dst_ns,
        previous: &|raw| journal.state.folder_mapping(raw).map(str::to_string),
        keep: &|path| filter.keeps(path, Some('/')),
        others_into: m.options.other_namespaces_into.as_deref(),
    });
    Ok(Prepared {
        first: Worker::new(src, dst),
        journal,
        map,
    })
}

/// What the copy phase did for one folder, for its verification.
#[derive(Debug, Clone, Default)]
struct Tally {
    appended: u64,
    fragile: Vec<u32>,
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
    let dry_run = m.options.dry_run;

    let Prepared {
        mut first,
        journal,
        map,
    } = prepare(&m, &filter).await?;
    let ctx = Arc::new(Ctx::new(
        &m,
        map.pairs.clone(),
        journal,
        events,
        cancel.clone(),
    ));
    let mut report = Report {
        task_id: m.task_id.clone(),
        dry_run,
        connections,
        verify_mode: m.options.verify,
        left_out: map
            .left_out
            .iter()
            .map(|(n, why)| format!("{n}: {why}"))
            .collect(),
        remedies: map
            .others_left_out
            .then_some(mailshift_net::Remedy::OtherNamespaces)
            .into_iter()
            .collect(),
        ..Default::default()
    };
    let mut folders: Vec<FolderReport> = ctx
        .pairs
        .iter()
        .map(|p| FolderReport {
            folder: p.src_name.clone(),
            destination: p.dst_name.clone(),
            ..Default::default()
        })
        .collect();

    // Folders the destination cannot take: predicted, or refused by CREATE.
    let mut blocked: Vec<Option<String>> = vec![None; ctx.pairs.len()];
    for (name, why) in &map.refused {
        for (i, p) in ctx.pairs.iter().enumerate() {
            if &p.dst_name == name {
                blocked[i] = Some(format!("cannot create destination folder {name:?}: {why}"));
            }
        }
    }
    if dry_run {
        report.created_folders = map.to_create.iter().map(|r| decoded(r)).collect();
    } else {
        ctx.record(Record::Task {
            task: m.task_id.clone(),
            started: chrono::Utc::now().to_rfc3339(),
        });
        create_folders(&ctx, &mut first.dst, &map, &mut report, &mut blocked).await?;
    }

    let mut pool = Pool::new(open_workers(&m, &ctx, first, connections).await);
    ctx.set_live(pool.len());
    report.connections = pool.len();
    ctx.emit(Event::Connected {
        connections: pool.len(),
    });
    let mut fatal: Option<ImapError> = None;

    let plans = plan_phase(
        &mut pool,
        &ctx,
        &blocked,
        &mut folders,
        &mut report,
        &mut fatal,
    )
    .await;
    let mut tallies = vec![Tally::default(); ctx.pairs.len()];
    if !dry_run && fatal.is_none() {
        copy_phase(
            &mut pool,
            &ctx,
            &plans,
            &mut folders,
            &mut tallies,
            &mut report,
            &mut fatal,
        )
        .await;
    }
    let stopped = ctx.stopping();
    if !dry_run && fatal.is_none() {
        let t = Instant::now();
        verify_phase(
            &mut pool,
            &ctx,
            &plans,
            &tallies,
            stopped,
            &mut folders,
            &mut report,
        )
        .await;
        report.verify_secs = t.elapsed().as_secs_f64();
    }
    for w in pool.into_workers() {
        w.src.logout().await;
        w.dst.logout().await;
    }
    if let Some(e) = fatal {
        return Err(e.into());
    }
    finish(&ctx, &plans, folders, report, started)
}

fn decoded(raw: &str) -> String {
    imap::utf7::decode(raw).unwrap_or_else(|_| raw.to_string())
}

/// Create missing destination folders, parents first, on one connection.
async fn create_folders(
    ctx: &Ctx,
    dst: &mut Conn,
    map: &FolderMap,
    report: &mut Report,
    blocked: &mut [Option<String>],
) -> Result<(), MigrateError> {
    for raw in &map.to_create {
        match dst.create(raw).await {
            Ok(created) => {
                if created {
                    report.created_folders.push(decoded(raw));
                }
                for (i, p) in ctx.pairs.iter().enumerate() {
                    if &p.dst_raw == raw {
                        ctx.mark_created(i);
                        ctx.record(Record::Folder {
                            task: ctx.task_id.clone(),
                            src: p.src_raw.clone(),
                            dst: raw.clone(),
                            created,
                        });
                    }
                }
            }
            Err(e) if e.is_transient() => return Err(e.into()),
            Err(e) => {
                for (i, p) in ctx.pairs.iter().enumerate() {
                    if &p.dst_raw == raw {
                        blocked[i] = Some(format!(
                            "cannot create destination folder {:?}: {e}",
                            decoded(raw)
                        ));
                    }
                }
            }
        }
    }
    for p in ctx.pairs.iter() {
        if p.dst_exists && ctx.journal().state.folder_mapping(&p.src_raw).is_none() {
            ctx.record(Record::Folder {
                task: ctx.task_id.clone(),
                src: p.src_raw.clone(),
                dst: p.dst_raw.clone(),
                created: false,
            });
        }
    }
    Ok(())
}

/// The first pair of connections plus `n - 1` more.
async fn open_workers(m: &Migration, ctx: &Ctx, first: Worker, n: usize) -> Vec<Worker> {
    let mut workers = vec![first];
    let extra: Vec<_> = (1..n).map(|_| connect_pair(m)).collect();
    for r in futures::future::join_all(extra).await {
        match r {
            Ok((src, dst)) => workers.push(Worker::new(src, dst)),
            Err(e) => ctx.problem(format!(
                "could not open an extra connection ({e}); continuing with fewer connections"
            )),
        }
    }
    workers
}

fn fatal_or_error(
    e: ImapError,
    what: String,
    fatal: &mut Option<ImapError>,
    report: &mut Report,
) -> bool {
    if e.is_auth() || e.is_connect() {
        fatal.get_or_insert(e);
        true
    } else {
        report.errors.push(format!("{what}: {e}"));
        false
    }
}

/// Phase 1: what each folder still needs.
async fn plan_phase(
    pool: &mut Pool<Worker>,
    ctx: &Arc<Ctx>,
    blocked: &[Option<String>],
    folders: &mut [FolderReport],
    report: &mut Report,
    fatal: &mut Option<ImapError>,
) -> Vec<Option<Arc<FolderPlan>>> {
    let n = ctx.pairs.len();
    let mut plans: Vec<Option<Arc<FolderPlan>>> = vec![None; n];
    let jobs: Vec<(usize, Option<String>)> = (0..n).map(|i| (i, blocked[i].clone())).collect();
    let c = ctx.clone();
    pool.run(
        jobs.clone(),
        move |mut w: Worker, (i, why): (usize, Option<String>)| {
            let ctx = c.clone();
            async move {
                let r = w.plan(&ctx, i, why.clone()).await;
                if w.leaving {
                    return Turn {
                        worker: None,
                        result: None,
                        rest: Some((i, why)),
                    };
                }
                Turn::done(w, r)
            }
        },
        |j, r: JobResult<Result<FolderPlan, ImapError>>| {
            let i = jobs[j].0;
            let name = ctx.pairs[i].src_name.clone();
            let fr = &mut folders[i];
            match r {
                Ok(Ok(p)) => {
                    fr.source_messages = if p.unchanged {
                        p.src_state.messages as u64
                    } else {
                        p.src_list.len() as u64
                    };
                    fr.skipped = p.skipped;
                    fr.state = if p.unchanged {
                        FolderState::Unchanged
                    } else {
                        FolderState::Planned
                    };
                    if let Some(why) = &p.blocked {
                        fr.state = FolderState::Failed;
                        fr.failed = p.to_copy.len() as u64;
                        fr.note = Some(why.clone());
                        report.errors.push(format!("{name}: {why}"));
                    }
                    ctx.emit(Event::Planned {
                        folder: name,
                        to_copy: p.to_copy.len() as u64,
                        bytes: p.to_copy.iter().map(|x| x.size as u64).sum(),
                        skipped: p.skipped,
                    });
                    plans[i] = Some(Arc::new(p));
                }
                Ok(Err(e)) => {
                    fr.state = FolderState::Failed;
                    fatal_or_error(e, name, fatal, report);
                }
                Err(panic) => {
                    fr.state = FolderState::Failed;
                    report.errors.push(format!("{name}: planning: {panic}"));
                }
            }
        },
    )
    .await;
    plans
}

/// Phase 2: copy, in batches spread over the workers.
#[allow(clippy::too_many_arguments)]
async fn copy_phase(
    pool: &mut Pool<Worker>,
    ctx: &Arc<Ctx>,
    plans: &[Option<Arc<FolderPlan>>],
    folders: &mut [FolderReport],
    tallies: &mut [Tally],
    report: &mut Report,
    fatal: &mut Option<ImapError>,
) {
    // (plan, batch, handed over by a worker that left the pool)
    let mut jobs: Vec<(Arc<FolderPlan>, Vec<MessageRef>, bool)> = Vec::new();
    for p in plans.iter().flatten().filter(|p| p.blocked.is_none()) {
        for batch in batches(
            &p.to_copy,
            ctx.options.batch_messages,
            ctx.options.batch_bytes,
        ) {
            jobs.push((p.clone(), batch, false));
        }
    }
    let keys: Vec<(usize, u64)> = jobs
        .iter()
        .map(|(p, b, _)| (p.idx, b.len() as u64))
        .collect();
    let c = ctx.clone();
    pool.run(
        jobs,
        move |mut w: Worker, (plan, batch, handed): (Arc<FolderPlan>, Vec<MessageRef>, bool)| {
            let ctx = c.clone();
            async move {
                // The byte budget is reserved per attempt inside `copy`.
                let mut r = w.copy(&ctx, &plan, &batch, handed).await;
                if w.leaving {
                    let rest = match &mut r {
                        Ok(o) => std::mem::take(&mut o.rest),
                        Err(_) => batch,
                    };
                    let result = r.ok();
                    return Turn {
                        worker: None,
                        result: result.map(Ok),
                        rest: (!rest.is_empty()).then_some((plan, rest, true)),
                    };
                }
                Turn::done(w, r)
            }
        },
        |j, r: JobResult<Result<CopyOutcome, ImapError>>| {
            let (i, size) = keys[j];
            let name = ctx.pairs[i].src_name.clone();
            let fr = &mut folders[i];
            match r {
                Ok(Ok(o)) => {
                    fr.copied += o.copied;
                    fr.bytes += o.bytes;
                    fr.failed += o.failed.len() as u64;
                    tallies[i].appended += o.appended;
                    tallies[i].fragile.extend(o.fragile);
                    for r in o.failed {
                        report
                            .errors
                            .push(format!("{name}: message UID {} {}", r.uid, r.reason));
                        if let Some(remedy) = r.remedy {
                            if !report.remedies.contains(&remedy) {
                                report.remedies.push(remedy);
                            }
                        }
                    }
                    if o.vanished > 0 {
                        fr.note = Some(format!(
                            "{} message(s) deleted on the source during the copy",
                            o.vanished
                        ));
                    }
                }
                Ok(Err(e)) => {
                    fr.failed += size;
                    if fatal_or_error(e, name, fatal, report) {
                        ctx.cancel.cancel();
                    }
                }
                Err(panic) => {
                    fr.failed += size;
                    report.errors.push(format!("{name}: copying: {panic}"));
                }
            }
        },
    )
    .await;
}

/// Phase 3: compare both sides, folder by folder.
#[allow(clippy::too_many_arguments)]
async fn verify_phase(
    pool: &mut Pool<Worker>,
    ctx: &Arc<Ctx>,
    plans: &[Option<Arc<FolderPlan>>],
    tallies: &[Tally],
    stopped: bool,
    folders: &mut [FolderReport],
    report: &mut Report,
) {
    let jobs: Vec<VerifyJob> = plans
        .iter()
        .flatten()
        .filter(|p| p.blocked.is_none())
        .map(|p| VerifyJob {
            plan: p.clone(),
            appended: tallies[p.idx].appended,
            fragile: tallies[p.idx].fragile.clone(),
        })
        .collect();
    let keys: Vec<usize> = jobs.iter().map(|j| j.plan.idx).collect();
    let c = ctx.clone();
    pool.run(
        jobs,
        move |mut w: Worker, job: VerifyJob| {
            let ctx = c.clone();
            async move {
                let r = w.verify(&ctx, &job).await;
                if w.leaving {
                    return Turn {
                        worker: None,
                        result: None,
                        rest: Some(job),
                    };
                }
                Turn::done(w, r)
            }
        },
        |j, r: JobResult<Result<Verified, ImapError>>| {
            let i = keys[j];
            let name = ctx.pairs[i].src_name.clone();
            let fr = &mut folders[i];
            match r {
                Ok(Ok(Verified { check, dst_now })) => {
                    fr.verified = check.ok();
                    if let Some(problem) = check.problem() {
                        fr.note = Some(problem.clone());
                        report.errors.push(format!("{name}: {problem}"));
                    }
                    if fr.verified && fr.state != FolderState::Unchanged {
                        fr.state = FolderState::Copied;
                    }
                    if fr.verified && fr.failed == 0 && !stopped {
                        if let Some(p) = plans[i].as_ref().filter(|p| !p.unchanged) {
                            ctx.record(Record::Done {
                                src: ctx.pairs[i].src_raw.clone(),
                                suv: p.src_state.uid_validity,
                                uid_next: p.src_state.uid_next,
                                messages: p.src_state.messages,
                                dst: ctx.pairs[i].dst_raw.clone(),
                                duv: dst_now.uid_validity,
                                dst_uid_next: dst_now.uid_next,
                                dst_messages: dst_now.messages,
                            });
                        }
                    }
                    fr.check = Some(check);
                }
                Ok(Err(e)) => report.errors.push(format!("verifying {name}: {e}")),
                Err(panic) => report.errors.push(format!("verifying {name}: {panic}")),
            }
        },
    )
    .await;
}

/// Totals, the quota and journal stops, the closing journal record.
fn finish(
    ctx: &Ctx,
    plans: &[Option<Arc<FolderPlan>>],
    mut folders: Vec<FolderReport>,
    mut report: Report,
    started: Instant,
) -> Result<Report, MigrateError> {
    if let Some(q) = ctx.quota_stop() {
        // Say how much space the rest needs, so the person knows what to free.
        let planned: (u64, u64) = plans.iter().flatten().fold((0, 0), |acc, p| {
            (
                acc.0 + p.to_copy.len() as u64,
                acc.1 + p.to_copy.iter().map(|x| x.size as u64).sum::<u64>(),
            )
        });
        let done: (u64, u64) = folders
            .iter()
            .fold((0, 0), |acc, f| (acc.0 + f.copied, acc.1 + f.bytes));
        report.errors.push(format!(
            "{q} ({} message(s) still to copy: about {} more bytes are needed)",
            planned.0.saturating_sub(done.0),
            planned.1.saturating_sub(done.1)
        ));
    }
    if let Some(j) = ctx.journal_failure() {
        report.errors.push(format!("journal: {j}"));
    }
    let dry_run = ctx.options.dry_run;
    if dry_run {
        for p in plans.iter().flatten().filter(|p| p.blocked.is_none()) {
            folders[p.idx].copied = p.to_copy.len() as u64;
            folders[p.idx].bytes = p.to_copy.iter().map(|x| x.size as u64).sum();
        }
    }
    report.cancelled = ctx.cancel.is_cancelled();
    report.copied = folders.iter().map(|f| f.copied).sum();
    report.skipped = folders.iter().map(|f| f.skipped).sum();
    report.bytes = folders.iter().map(|f| f.bytes).sum();
    report.failed = folders.iter().map(|f| f.failed).sum();
    report.folders = folders.len();
    report.verified = !dry_run && !report.cancelled && folders.iter().all(|f| f.verified);
    report.folder_reports = folders;
    report.duration_secs = started.elapsed().as_secs_f64();
    if !dry_run {
        ctx.record(Record::End {
            task: ctx.task_id.clone(),
        });
    }
    Ok(report)
}

/// A previous run was killed while writing to `folders`: the server may still be
/// committing APPENDs it had fully received. Wait until the folders stop changing
/// (two equal STATUS readings 1.5 s apart, at most ~20 s) so the plan sees them.
pub(crate) async fn settle(dst: &mut Conn, folders: &[String]) {
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
