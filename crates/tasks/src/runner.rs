//! Running one task: lock it, drive the engine, fold its events into the record
//! (saved and broadcast at most once a second while copying), honour cancel requests
//! from any process, then send the notification.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mailshift_engine::imap::{Side, Timeouts};
use mailshift_engine::migrate::{self, Event, MigrateError, Migration, Options, Report};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::migrator::Inner;
use crate::notice;
use crate::record::{FailureKind, StepKind, StepState, TaskRecord, TaskState};
use crate::spec::Credentials;
use crate::store::RunLock;

const MAX_PROBLEMS: usize = 50;
const MAX_RATE_SAMPLES: usize = 60;

/// What one run of a task holds.
pub(crate) struct Run {
    pub creds: Credentials,
    pub cancel: CancellationToken,
    /// The run lock, released when the run ends.
    pub lock: RunLock,
    /// Where to copy the engine's raw events (the CLI's live line).
    pub forward: Option<mpsc::UnboundedSender<Event>>,
    /// The task stops only to continue in another process.
    pub handing_off: Arc<AtomicBool>,
}

/// Run `rec` to its end.
pub(crate) async fn drive(inner: Arc<Inner>, mut rec: TaskRecord, run: Run) -> TaskRecord {
    let Run {
        creds,
        cancel,
        lock,
        forward,
        handing_off,
    } = run;
    let now = inner.clock.now();
    rec.state = TaskState::Running;
    rec.started.get_or_insert(now);
    rec.ended = None;
    rec.error = None;
    rec.failure = None;
    rec.runs += 1;
    for s in rec.steps.iter_mut() {
        if s.state != StepState::Done || s.kind != StepKind::Notify {
            s.state = StepState::Pending;
            s.detail = None;
        }
    }
    rec.set_step(StepKind::Connect, StepState::Running, None);
    inner.publish(&mut rec);

    let spec = rec.spec.clone();
    let t = &spec.tuning;
    let inflight = t.inflight_mib.max(2) * 1024 * 1024;
    let migration = Migration {
        src: spec.source.endpoint(Side::Source, creds.source.clone()),
        dst: spec
            .destination
            .endpoint(Side::Destination, creds.destination.clone()),
        options: Options {
            include: t.include.clone(),
            exclude: t.exclude.clone(),
            connections: t.connections.max(1),
            batch_messages: t.batch_messages.max(1),
            inflight_bytes: inflight,
            batch_bytes: (inflight / 4).min(4 * 1024 * 1024),
            timeouts: Timeouts::limited(t.timeout_secs),
            ..Options::default()
        },
        task_id: rec.id.clone(),
        state_dir: inner.state_dir.clone(),
    };

    // Cancel requests from other processes arrive as a file.
    let watcher = {
        let (inner, id, cancel) = (inner.clone(), rec.id.clone(), cancel.clone());
        tokio::spawn(async move {
            loop {
                if inner.store.cancel_requested(&id) {
                    tracing::info!(task = %id, "cancel requested");
                    cancel.cancel();
                    return;
                }
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_millis(300)) => {}
                }
            }
        })
    };

    let (tx, mut rx) = mpsc::unbounded_channel();
    let engine = tokio::spawn(migrate::run(migration, tx, cancel.clone()));
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut done_at_tick = rec.progress.messages_done;
    let mut dirty = false;
    loop {
        tokio::select! {
            ev = rx.recv() => match ev {
                Some(ev) => {
                    fold(&mut rec, &ev);
                    if let Some(f) = &forward {
                        let _ = f.send(ev);
                    }
                    dirty = true;
                }
                None => break,
            },
            _ = tick.tick() => {
                let p = &mut rec.progress;
                p.rate.push(p.messages_done.saturating_sub(done_at_tick));
                if p.rate.len() > MAX_RATE_SAMPLES {
                    p.rate.remove(0);
                }
                done_at_tick = p.messages_done;
                if dirty || rec.state == TaskState::Running {
                    inner.publish(&mut rec);
                    dirty = false;
                }
            }
        }
    }
    watcher.abort();
    let result = match engine.await {
        Ok(Ok(report)) => Ok(report),
        Ok(Err(e)) => {
            let (step, kind) = match &e {
                MigrateError::Imap(i) if i.is_auth() => (StepKind::Connect, FailureKind::Auth),
                MigrateError::Imap(i) if i.is_connect() => {
                    (StepKind::Connect, FailureKind::Connect)
                }
                MigrateError::Imap(_) => (StepKind::Connect, FailureKind::Other),
                MigrateError::Journal(_) => (StepKind::Emails, FailureKind::State),
                MigrateError::Filter(_) => (StepKind::Emails, FailureKind::Usage),
            };
            Err((step, kind, e.to_string()))
        }
        Err(e) => Err((
            StepKind::Emails,
            FailureKind::Other,
            format!("the migration stopped unexpectedly ({e}); run the task again to continue"),
        )),
    };
    let cancelled = cancel.is_cancelled();
    if handing_off.load(Ordering::SeqCst) && result.is_ok() {
        // Not an end: another process continues from the journal.
        rec.state = TaskState::Interrupted;
        rec.set_step(
            StepKind::Emails,
            StepState::Pending,
            Some("handed over to a background mailshift process".into()),
        );
        inner.publish(&mut rec);
        drop(lock);
        return rec;
    }
    finish(&mut rec, result, cancelled);
    rec.ended = Some(inner.clock.now());
    inner.store.clear_cancel(&rec.id);
    inner.publish(&mut rec);
    drop(lock);

    notice::send_for(&inner, &mut rec).await;
    inner.publish(&mut rec);
    rec
}

/// Fold one engine event into the record.
fn fold(rec: &mut TaskRecord, ev: &Event) {
    let p = &mut rec.progress;
    match ev {
        Event::Connected { connections } => {
            rec.set_step(
                StepKind::Connect,
                StepState::Done,
                Some(format!(
                    "logged in to both sides ({connections} connections)"
                )),
            );
            rec.set_step(StepKind::Emails, StepState::Running, None);
        }
        Event::Planned {
            to_copy,
            bytes,
            skipped,
            ..
        } => {
            p.folders_planned += 1;
            p.messages_total += to_copy;
            p.bytes_total += bytes;
            p.skipped += skipped;
        }
        Event::Copied {
            messages, bytes, ..
        } => {
            p.messages_done += messages;
            p.bytes_done += bytes;
        }
        Event::Verified { .. } => p.folders_verified += 1,
        Event::Problem { message } => {
            p.problems.push(message.clone());
            if p.problems.len() > MAX_PROBLEMS {
                p.problems.remove(0);
            }
        }
    }
}

/// The end state from the engine's result.
fn finish(
    rec: &mut TaskRecord,
    result: Result<Report, (StepKind, FailureKind, String)>,
    cancelled: bool,
) {
    match result {
        Ok(report) => {
            let complete = report.complete();
            let emails = format!(
                "{} copied, {} already there, {} failed, {} folders",
                report.copied, report.skipped, report.failed, report.folders
            );
            if report.cancelled || (cancelled && !complete) {
                rec.state = TaskState::Cancelled;
                rec.set_step(StepKind::Connect, StepState::Done, None);
                rec.set_step(
                    StepKind::Emails,
                    StepState::Skipped,
                    Some(format!("cancelled after the batch in progress: {emails}")),
                );
                rec.set_step(
                    StepKind::Verify,
                    StepState::Skipped,
                    Some("cancelled".into()),
                );
            } else {
                rec.set_step(StepKind::Connect, StepState::Done, None);
                let emails_ok = report.failed == 0 && report.errors.is_empty();
                rec.set_step(
                    StepKind::Emails,
                    if emails_ok {
                        StepState::Done
                    } else {
                        StepState::Failed
                    },
                    Some(emails),
                );
                rec.set_step(
                    StepKind::Verify,
                    if report.verified {
                        StepState::Done
                    } else {
                        StepState::Failed
                    },
                    Some(if report.verified {
                        "source and destination match folder by folder".into()
                    } else {
                        "some folders differ: see the report".into()
                    }),
                );
                if complete {
                    rec.state = TaskState::Finished;
                } else {
                    rec.state = TaskState::Failed;
                    rec.failure = Some(FailureKind::Other);
                    rec.error = Some(failure_text(&report));
                }
            }
            rec.report = Some(report);
        }
        Err((step, kind, text)) => {
            rec.state = TaskState::Failed;
            rec.failure = Some(kind);
            for s in rec.steps.iter_mut() {
                if s.state == StepState::Running || s.state == StepState::Pending {
                    s.state = StepState::Skipped;
                }
            }
            rec.set_step(step, StepState::Failed, Some(text.clone()));
            rec.error = Some(text);
        }
    }
    if let Some(s) = rec.step_mut(StepKind::Notify) {
        s.state = StepState::Pending;
    }
}

fn failure_text(r: &Report) -> String {
    if let Some(first) = r.errors.first() {
        if r.errors.len() > 1 {
            format!("{first} (and {} more problems)", r.errors.len() - 1)
        } else {
            first.clone()
        }
    } else if r.failed > 0 {
        format!(
            "{} messages could not be copied; run the task again to retry them",
            r.failed
        )
    } else {
        "verification found differences between source and destination; run the task again".into()
    }
}
