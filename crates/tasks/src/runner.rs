//! Running one task: lock it, drive the engine, fold its events into the record
//! (saved and broadcast at most once a second while copying), honour cancel requests
//! from any process, then send the notification.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mailshift_engine::migrate::{self, Event, MigrateError, Report};
use mailshift_net::Failure;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use mailshift_panel::migration::MigrationOption;

use crate::groupware;
use crate::migrator::Inner;
use crate::notice;
use crate::record::{FailureKind, FolderProgress, StepKind, StepState, TaskRecord, TaskState};
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
    rec.remedy = None;
    rec.failure = None;
    rec.runs += 1;
    // Each run plans again from what the destination holds: its counters start over
    // (what an earlier run copied is among the messages already there), else a
    // resumed task's totals would add up twice and end short of 100 %. The folder
    // lines stay: the new plan replaces each one.
    rec.progress = crate::record::Progress {
        folders: std::mem::take(&mut rec.progress.folders),
        ..Default::default()
    };
    for s in rec.steps.iter_mut() {
        if s.state != StepState::Done || s.kind != StepKind::Notify {
            s.state = StepState::Pending;
            s.detail = None;
        }
    }
    rec.set_step(StepKind::Connect, StepState::Running, None);
    inner.publish(&mut rec);

    let spec = rec.spec.clone();
    let gw_steps = groupware::wanted_steps(&spec);
    let mail = spec.options.contains(MigrationOption::Emails);

    // Before anything moves: both sides' groupware is reachable and can hold what is asked.
    if !gw_steps.is_empty() {
        rec.set_step(
            StepKind::Connect,
            StepState::Running,
            Some("checking calendars, contacts and Sieve on both sides".into()),
        );
        inner.publish(&mut rec);
        let rehearsal = match groupware::rehearse(&spec, &creds).await {
            Ok(t) => t,
            Err(f) => {
                finish(
                    &mut rec,
                    Some(Err((
                        StepKind::Connect,
                        f.kind,
                        Failure::new(f.text, f.remedy),
                    ))),
                    false,
                );
                return end(&inner, rec, lock).await;
            }
        };
        for (step, notes) in &rehearsal.notes {
            rec.set_step(
                *step,
                StepState::Pending,
                Some(format!("known before the start: {}", notes.join("; "))),
            );
        }
        if !mail {
            rec.set_step(
                StepKind::Connect,
                StepState::Done,
                Some("logged in to both sides' groupware services".into()),
            );
        }
        inner.publish(&mut rec);
    }

    let watcher = watch_cancel(&inner, &rec.id, &cancel);
    let mail_result = match mail {
        true => Some(run_mail(&inner, &mut rec, &creds, &cancel, forward.as_ref()).await),
        false => None,
    };
    let cancelled = cancel.is_cancelled();
    if handing_off.load(Ordering::SeqCst) && mail_result.as_ref().is_none_or(|r| r.is_ok()) {
        watcher.abort();
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
    let mail_ok = mail_result
        .as_ref()
        .is_none_or(|r| r.as_ref().is_ok_and(|rep| !rep.cancelled));
    let tally = if !gw_steps.is_empty() && mail_ok && !cancelled {
        Some(run_groupware(&inner, &mut rec, &creds, &cancel).await)
    } else {
        None
    };
    watcher.abort();
    let cancelled = cancel.is_cancelled();
    finish(&mut rec, mail_result, cancelled);
    if let Some(t) = &tally {
        settle_groupware(&mut rec, t, true);
    }
    end(&inner, rec, lock).await
}

/// Stamp the end, save, release the lock, send the notification.
async fn end(inner: &Arc<Inner>, mut rec: TaskRecord, lock: RunLock) -> TaskRecord {
    rec.ended = Some(inner.clock.now());
    inner.store.clear_cancel(&rec.id);
    inner.publish(&mut rec);
    drop(lock);
    notice::send_for(inner, &mut rec).await;
    inner.publish(&mut rec);
    rec
}

/// Cancel requests from other processes arrive as a file.
fn watch_cancel(
    inner: &Arc<Inner>,
    id: &str,
    cancel: &CancellationToken,
) -> tokio::task::JoinHandle<()> {
    let (inner, id, cancel) = (inner.clone(), id.to_string(), cancel.clone());
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
}

type MailResult = Result<Report, (StepKind, FailureKind, Failure)>;

/// The e-mail part: the engine, its events folded into the record.
async fn run_mail(
    inner: &Arc<Inner>,
    rec: &mut TaskRecord,
    creds: &Credentials,
    cancel: &CancellationToken,
    forward: Option<&mpsc::UnboundedSender<Event>>,
) -> MailResult {
    let migration = rec.spec.migration(creds, &rec.id, &inner.state_dir, false);
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
                    fold(rec, &ev);
                    if let Some(f) = forward {
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
                    inner.publish(rec);
                    dirty = false;
                }
            }
        }
    }
    match engine.await {
        Ok(Ok(report)) => Ok(report),
        Ok(Err(e)) => {
            let step = match &e {
                MigrateError::Imap(_) => StepKind::Connect,
                _ => StepKind::Emails,
            };
            Err((
                step,
                FailureKind::of(&e),
                Failure::new(e.to_string(), e.remedy()),
            ))
        }
        Err(e) => Err((
            StepKind::Emails,
            FailureKind::Other,
            Failure::from(format!(
                "the migration stopped unexpectedly ({e}); run the task again to continue"
            )),
        )),
    }
}

/// The groupware steps, their counters published at most once a second.
async fn run_groupware(
    inner: &Arc<Inner>,
    rec: &mut TaskRecord,
    creds: &Credentials,
    cancel: &CancellationToken,
) -> groupware::Tally {
    let spec = rec.spec.clone();
    let id = rec.id.clone();
    let pass = groupware::Pass {
        spec: &spec,
        creds,
        state_dir: &inner.state_dir,
        task_id: &id,
        cancel: cancel.clone(),
        dry: false,
    };
    let mut last = std::time::Instant::now();
    let mut on_progress = |t: &groupware::Tally| {
        settle_groupware(rec, t, false);
        if last.elapsed() >= Duration::from_secs(1) {
            inner.publish(rec);
            last = std::time::Instant::now();
        }
    };
    let tally = groupware::run(&pass, &mut on_progress).await;
    inner.publish(rec);
    tally
}

/// Put a groupware tally into the record's steps; `last` sets each step's end state.
fn settle_groupware(rec: &mut TaskRecord, t: &groupware::Tally, last: bool) {
    let mut first_failure: Option<(FailureKind, Failure)> = None;
    for step in groupware::wanted_steps(&rec.spec) {
        let counts = t.counts.get(&step).copied().unwrap_or_default();
        let mut detail = counts.sentence(noun(step));
        if let Some(notes) = t.notes.get(&step) {
            detail.push_str("; ");
            detail.push_str(&notes.join("; "));
        }
        let state = if let Some(f) = t.failed.get(&step) {
            detail = f.text.clone();
            first_failure.get_or_insert((f.kind, Failure::new(f.text.clone(), f.remedy)));
            StepState::Failed
        } else if !last {
            if counts.total > 0 {
                StepState::Running
            } else {
                StepState::Pending
            }
        } else if t.cancelled && counts.total == 0 {
            detail = "cancelled before it started".into();
            StepState::Skipped
        } else if counts.failed > 0 {
            first_failure.get_or_insert((
                FailureKind::Other,
                Failure::from(format!(
                    "{} {} could not be copied; run the task again to retry them",
                    counts.failed,
                    noun(step)
                )),
            ));
            StepState::Failed
        } else {
            StepState::Done
        };
        if let Some(s) = rec.step_mut(step) {
            s.state = state;
            s.detail = Some(detail);
            s.counts = Some(counts);
        }
    }
    rec.progress.problems = merge_problems(&rec.progress.problems, &t.problems);
    if !last {
        return;
    }
    if let Some((kind, f)) = first_failure {
        if rec.state == TaskState::Finished {
            rec.state = TaskState::Failed;
            rec.failure = Some(kind);
            rec.error = Some(f.text);
            rec.remedy = f.remedy;
        }
    }
    if t.cancelled && rec.state == TaskState::Finished {
        rec.state = TaskState::Cancelled;
    }
}

fn merge_problems(have: &[String], new: &[String]) -> Vec<String> {
    let mut out: Vec<String> = have.to_vec();
    for p in new {
        if !out.contains(p) {
            out.push(p.clone());
        }
    }
    let excess = out.len().saturating_sub(MAX_PROBLEMS);
    out.drain(..excess);
    out
}

fn noun(step: StepKind) -> &'static str {
    match step {
        StepKind::Calendars => "events",
        StepKind::Tasks => "tasks",
        StepKind::Contacts => "contacts",
        StepKind::ContactGroups => "contact groups",
        StepKind::InboxRules => "rule scripts",
        StepKind::OutOfOffice => "out-of-office scripts",
        _ => "items",
    }
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
            folder,
            to_copy,
            bytes,
            skipped,
        } => {
            p.folders_planned += 1;
            p.messages_total += to_copy;
            p.bytes_total += bytes;
            p.skipped += skipped;
            // A resumed run plans again: its plan replaces the folder's line (what the
            // earlier run copied is now among the messages already there).
            let line = folder_line(&mut p.folders, folder);
            line.total = to_copy + skipped;
            line.done = *skipped;
            line.verified = None;
        }
        Event::Copied {
            folder,
            messages,
            bytes,
        } => {
            p.messages_done += messages;
            p.bytes_done += bytes;
            let line = folder_line(&mut p.folders, folder);
            line.done += messages;
        }
        Event::Verified { folder, ok } => {
            p.folders_verified += 1;
            folder_line(&mut p.folders, folder).verified = Some(*ok);
        }
        Event::Problem { message, .. } => {
            p.problems.push(message.clone());
            if p.problems.len() > MAX_PROBLEMS {
                p.problems.remove(0);
            }
        }
    }
}

/// The progress line of `folder`, added at the end if the plan did not name it.
fn folder_line<'a>(folders: &'a mut Vec<FolderProgress>, folder: &str) -> &'a mut FolderProgress {
    let i = match folders.iter().position(|f| f.folder == folder) {
        Some(i) => i,
        None => {
            folders.push(FolderProgress {
                folder: folder.to_string(),
                ..FolderProgress::default()
            });
            folders.len() - 1
        }
    };
    &mut folders[i]
}

/// The end state from the engine's result.
fn finish(rec: &mut TaskRecord, result: Option<MailResult>, cancelled: bool) {
    match result {
        None => {
            rec.set_step(StepKind::Connect, StepState::Done, None);
            rec.state = if cancelled {
                TaskState::Cancelled
            } else {
                TaskState::Finished
            };
        }
        Some(Ok(report)) => {
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
        Some(Err((step, kind, Failure { text, remedy }))) => {
            rec.state = TaskState::Failed;
            rec.failure = Some(kind);
            for s in rec.steps.iter_mut() {
                if s.state == StepState::Running || s.state == StepState::Pending {
                    s.state = StepState::Skipped;
                }
            }
            rec.set_step(step, StepState::Failed, Some(text.clone()));
            rec.error = Some(text);
            rec.remedy = remedy;
        }
    }
    if rec.state == TaskState::Cancelled {
        for s in rec.steps.iter_mut() {
            if matches!(s.state, StepState::Pending | StepState::Running) {
                s.state = StepState::Skipped;
                s.detail.get_or_insert_with(|| "cancelled".into());
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::new_task_id;
    use std::path::Path;

    fn record() -> TaskRecord {
        let text = "src_type,src_host,src_port,src_security,src_login,src_password,dst_type,\
                    dst_host,dst_port,dst_security,dst_login,dst_password,options,notify\n\
                    imap,a.example,,,u1,pw1,imap,b.example,,,u2,pw2,,\n";
        let no_env = |_: &str| None;
        let file = crate::project::parse_project(text, Path::new("."), &no_env).unwrap();
        TaskRecord::new(new_task_id(), file.rows[0].spec.clone(), chrono::Utc::now())
    }

    fn planned(folder: &str, to_copy: u64, skipped: u64) -> Event {
        Event::Planned {
            folder: folder.into(),
            to_copy,
            bytes: to_copy * 100,
            skipped,
        }
    }

    fn copied(folder: &str, messages: u64) -> Event {
        Event::Copied {
            folder: folder.into(),
            messages,
            bytes: messages * 100,
        }
    }

    /// Issue #15: the dashboard had no per-folder detail while copying. The engine's
    /// events fold into one line per folder, counted as they land.
    #[test]
    fn each_folder_is_counted_while_it_copies() {
        let mut rec = record();
        for ev in [
            planned("INBOX", 30, 0),
            planned("Sent", 8, 2),
            copied("INBOX", 10),
            copied("Sent", 8),
        ] {
            fold(&mut rec, &ev);
        }
        let line = |rec: &TaskRecord, name: &str| {
            let f = rec.progress.folders.iter().find(|f| f.folder == name);
            f.map(|f| (f.done, f.total, f.verified)).unwrap()
        };
        assert_eq!(line(&rec, "INBOX"), (10, 30, None));
        assert_eq!(line(&rec, "Sent"), (10, 10, None));
        fold(
            &mut rec,
            &Event::Verified {
                folder: "Sent".into(),
                ok: true,
            },
        );
        assert_eq!(line(&rec, "Sent"), (10, 10, Some(true)));
        let names: Vec<&str> = rec
            .progress
            .folders
            .iter()
            .map(|f| f.folder.as_str())
            .collect();
        assert_eq!(names, ["INBOX", "Sent"], "plan order");
        // A resumed run plans again: the 10 copied are now already there.
        fold(&mut rec, &planned("INBOX", 20, 10));
        assert_eq!(line(&rec, "INBOX"), (10, 30, None));
        assert_eq!(rec.progress.folders.len(), 2);
    }
}
