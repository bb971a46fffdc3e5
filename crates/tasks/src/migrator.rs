//! The one entry point the TUI and the headless commands use: start, resume, list,
//! follow, cancel and roll back tasks. Records live on disk (shared with other
//! mailshift processes) and in memory (for this process's running tasks).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use mailshift_engine::imap::Secret;
use mailshift_engine::migrate::Event;
use mailshift_notify::Relay;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::error::TaskError;
use crate::places::{Places, SidePlatforms};
use crate::record::{new_task_id, TaskRecord, TaskState};
use crate::spec::{Credentials, TaskSpec};
use crate::store::{RunLock, TaskListing, TaskStore};

/// How long after its end a task may be rolled back.
pub const ROLLBACK_WINDOW_HOURS: i64 = 48;

pub(crate) struct Running {
    pub cancel: CancellationToken,
    pub creds: Credentials,
    /// Set when the task stops only to continue in another process.
    pub handing_off: Arc<AtomicBool>,
}

pub(crate) struct Inner {
    pub store: TaskStore,
    pub state_dir: PathBuf,
    pub clock: Clock,
    pub relay: Mutex<Option<Relay>>,
    /// Where the local provider's platforms listen (see `places`).
    pub places: Mutex<Option<Arc<dyn Places>>>,
    cache: Mutex<HashMap<String, (TaskRecord, Option<SystemTime>)>>,
    pub running: Mutex<HashMap<String, Running>>,
    updates: broadcast::Sender<TaskRecord>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Inner {
    /// Stamp, save and broadcast a record. A failed save is logged: the task goes on
    /// (the journal, not this file, is what guarantees no loss and no duplicate).
    pub fn publish(&self, rec: &mut TaskRecord) {
        rec.updated = self.clock.now();
        if let Err(e) = self.store.save(rec) {
            tracing::warn!(task = %rec.id, "could not save the task record: {e}");
        }
        let mtime = self.store.modified(&rec.id);
        lock(&self.cache).insert(rec.id.clone(), (rec.clone(), mtime));
        let _ = self.updates.send(rec.clone());
    }
}

/// A task started by this process.
#[derive(Debug)]
pub struct TaskHandle {
    pub id: String,
    join: JoinHandle<TaskRecord>,
}

impl TaskHandle {
    /// Wait for the task's end (its notification included).
    pub async fn wait(self) -> TaskRecord {
        match self.join.await {
            Ok(r) => r,
            Err(e) => panic!("task {} runner stopped: {e}", self.id),
        }
    }
}

/// A task queued by this process and held (its run lock taken) until it starts or is
/// cancelled; dropping it releases the task (other processes then see it interrupted).
#[derive(Debug)]
pub struct QueuedTask {
    pub record: TaskRecord,
    lock: RunLock,
}

/// Tasks of this state dir. Cheap to clone.
#[derive(Clone)]
pub struct Migrator {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Migrator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Migrator({})", self.inner.state_dir.display())
    }
}

impl Migrator {
    /// Open the tasks under `state_dir`. Tasks left `running` or `queued` by a
    /// process that is gone become `interrupted` (resumable).
    pub fn open(state_dir: &Path, clock: Clock) -> Result<Migrator, TaskError> {
        let store = TaskStore::open(state_dir)?;
        let (updates, _) = broadcast::channel(1024);
        let inner = Arc::new(Inner {
            store,
            state_dir: state_dir.to_path_buf(),
            clock,
            relay: Mutex::new(None),
            places: Mutex::new(None),
            cache: Mutex::new(HashMap::new()),
            running: Mutex::new(HashMap::new()),
            updates,
        });
        let m = Migrator { inner };
        let listing = m.inner.store.list()?;
        for d in &listing.damaged {
            tracing::warn!("{d}");
        }
        for mut rec in listing.records {
            if matches!(rec.state, TaskState::Running | TaskState::Queued)
                && !m.inner.store.is_locked(&rec.id)
            {
                tracing::info!(task = %rec.id, "found interrupted");
                rec.state = TaskState::Interrupted;
                for s in rec.steps.iter_mut() {
                    if s.state == crate::record::StepState::Running {
                        s.state = crate::record::StepState::Pending;
                    }
                }
                m.inner.publish(&mut rec);
            } else {
                let mtime = m.inner.store.modified(&rec.id);
                lock(&m.inner.cache).insert(rec.id.clone(), (rec, mtime));
            }
        }
        Ok(m)
    }

    pub fn state_dir(&self) -> &Path {
        &self.inner.state_dir
    }

    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// The relay completion e-mails go through (None: notifications are recorded as not sent).
    pub fn set_relay(&self, relay: Option<Relay>) {
        *lock(&self.inner.relay) = relay;
    }

    /// Where the platforms of a provider served from this data dir (the sandbox) listen:
    /// new tasks record which platform each side is on, and resume and rollback reach
    /// it where it listens then.
    pub fn set_places(&self, places: Option<Arc<dyn Places>>) {
        *lock(&self.inner.places) = places;
    }

    /// A new record for `spec`, naming the local platforms its sides are on.
    fn new_record(&self, spec: TaskSpec) -> TaskRecord {
        let mut rec = TaskRecord::new(new_task_id(), spec, self.inner.clock.now());
        if let Some(p) = lock(&self.inner.places).clone() {
            rec.platforms = SidePlatforms::of(p.as_ref(), &rec.spec);
        }
        rec
    }

    /// Point `rec`'s named sides at where their platforms listen now, and save the
    /// record when that moved them.
    pub(crate) fn relocate(&self, rec: &mut TaskRecord) {
        let Some(p) = lock(&self.inner.places).clone() else {
            return;
        };
        let platforms = rec.platforms.clone();
        if platforms.relocate(p.as_ref(), &mut rec.spec) {
            tracing::info!(task = %rec.id, "endpoints moved to where their platforms listen now");
            self.inner.publish(rec);
        }
    }

    /// Check a spec before anything starts.
    pub fn validate(spec: &TaskSpec) -> Result<(), TaskError> {
        if spec.options.is_empty() {
            return Err(TaskError::Invalid(
                "no option chosen: pick at least e-mails".into(),
            ));
        }
        if let Some((_, why)) = spec.unsupported().into_iter().next() {
            return Err(TaskError::Unheld(why));
        }
        for (side, ep) in [("source", &spec.source), ("destination", &spec.destination)] {
            if ep.host.trim().is_empty() {
                return Err(TaskError::Invalid(format!("the {side} server is empty")));
            }
            if ep.login.trim().is_empty() {
                return Err(TaskError::Invalid(format!("the {side} login is empty")));
            }
        }
        if spec
            .source
            .host
            .eq_ignore_ascii_case(&spec.destination.host)
            && spec.source.port == spec.destination.port
            && spec
                .source
                .login
                .eq_ignore_ascii_case(&spec.destination.login)
        {
            return Err(TaskError::Invalid(
                "source and destination are the same mailbox".into(),
            ));
        }
        if let Some(addr) = &spec.notify {
            mailshift_notify::check_address(addr).map_err(|e| TaskError::Invalid(e.to_string()))?;
        }
        Ok(())
    }

    /// Create a task for `spec` and start running it in the background.
    pub fn start(&self, spec: TaskSpec, creds: Credentials) -> Result<TaskHandle, TaskError> {
        self.start_with_events(spec, creds, None)
    }

    /// `start`, also forwarding the engine's raw events (the CLI's live line).
    pub fn start_with_events(
        &self,
        spec: TaskSpec,
        creds: Credentials,
        events: Option<mpsc::UnboundedSender<Event>>,
    ) -> Result<TaskHandle, TaskError> {
        Self::validate(&spec)?;
        let mut rec = self.new_record(spec);
        self.inner.publish(&mut rec);
        self.launch(rec, creds, events)
    }

    /// Create the record of a task without running it (projects queue their rows).
    pub fn enqueue(&self, spec: TaskSpec) -> Result<TaskRecord, TaskError> {
        Self::validate(&spec)?;
        let mut rec = self.new_record(spec);
        self.inner.publish(&mut rec);
        Ok(rec)
    }

    /// Create the record of a task that this process will run later (a project row),
    /// holding its run lock meanwhile: other processes see it queued (not interrupted),
    /// and a cancel from any of them is recorded by this one, before the task starts.
    pub fn enqueue_held(&self, spec: TaskSpec) -> Result<QueuedTask, TaskError> {
        Self::validate(&spec)?;
        let mut rec = self.new_record(spec);
        let lock = self.inner.store.lock(&rec.id)?;
        self.inner.publish(&mut rec);
        Ok(QueuedTask { record: rec, lock })
    }

    /// Has someone (any process) asked to cancel this queued task?
    pub fn cancel_requested(&self, q: &QueuedTask) -> bool {
        self.inner.store.cancel_requested(&q.record.id)
    }

    /// Start a task queued by [`enqueue_held`](Self::enqueue_held), unless a cancel was
    /// requested meanwhile: then it never starts and ends `cancelled` (`Ok(None)`).
    pub fn start_queued(
        &self,
        q: QueuedTask,
        creds: Credentials,
    ) -> Result<Option<TaskHandle>, TaskError> {
        if self.cancel_requested(&q) {
            self.cancel_queued(q);
            return Ok(None);
        }
        let QueuedTask { record, lock } = q;
        let rec = match self.load(&record.id)? {
            Some(r) if r.state == TaskState::Queued => r,
            Some(r) => {
                return Err(TaskError::WrongState {
                    id: r.id,
                    state: r.state.to_string(),
                    what: "it is no longer queued".into(),
                })
            }
            None => return Err(TaskError::NoSuchTask),
        };
        let mut rec = rec;
        self.relocate(&mut rec);
        self.launch_locked(rec, creds, None, lock).map(Some)
    }

    /// End a queued task without running it: recorded `cancelled`, its steps skipped.
    pub fn cancel_queued(&self, q: QueuedTask) {
        let QueuedTask { record, lock } = q;
        let id = record.id.clone();
        let rec = match self.load(&id) {
            Ok(Some(r)) => r,
            _ => record,
        };
        if !rec.state.is_ended() {
            self.end_unrun(rec);
        }
        self.inner.store.clear_cancel(&id);
        drop(lock);
    }

    /// Run a queued, interrupted, failed or cancelled task again: it continues where
    /// its journal stops (nothing copied twice).
    pub fn resume(&self, id: &str, creds: Credentials) -> Result<TaskHandle, TaskError> {
        self.resume_with_events(id, creds, None)
    }

    pub fn resume_with_events(
        &self,
        id: &str,
        creds: Credentials,
        events: Option<mpsc::UnboundedSender<Event>>,
    ) -> Result<TaskHandle, TaskError> {
        let mut rec = self.load(id)?.ok_or(TaskError::NoSuchTask)?;
        match rec.state {
            TaskState::Queued
            | TaskState::Interrupted
            | TaskState::Failed
            | TaskState::Cancelled => {}
            TaskState::Running => {
                return Err(TaskError::Busy {
                    what: "it is already running: follow it, or cancel it and wait for it to end"
                        .into(),
                    id: rec.id,
                })
            }
            s => {
                return Err(TaskError::WrongState {
                    id: rec.id,
                    state: s.to_string(),
                    what: "there is nothing left to resume; start a new migration instead".into(),
                })
            }
        }
        self.inner.store.clear_cancel(id);
        self.relocate(&mut rec);
        self.launch(rec, creds, events)
    }

    fn launch(
        &self,
        rec: TaskRecord,
        creds: Credentials,
        events: Option<mpsc::UnboundedSender<Event>>,
    ) -> Result<TaskHandle, TaskError> {
        let run_lock = self.inner.store.lock(&rec.id)?;
        self.launch_locked(rec, creds, events, run_lock)
    }

    fn launch_locked(
        &self,
        rec: TaskRecord,
        creds: Credentials,
        events: Option<mpsc::UnboundedSender<Event>>,
        run_lock: RunLock,
    ) -> Result<TaskHandle, TaskError> {
        let cancel = CancellationToken::new();
        let handing_off = Arc::new(AtomicBool::new(false));
        let id = rec.id.clone();
        lock(&self.inner.running).insert(
            id.clone(),
            Running {
                cancel: cancel.clone(),
                creds: creds.clone(),
                handing_off: handing_off.clone(),
            },
        );
        let inner = self.inner.clone();
        let join = tokio::spawn(async move {
            let id = rec.id.clone();
            let run = crate::runner::Run {
                creds,
                cancel,
                lock: run_lock,
                forward: events,
                handing_off,
            };
            let out = crate::runner::drive(inner.clone(), rec, run).await;
            lock(&inner.running).remove(&id);
            out
        });
        Ok(TaskHandle { id, join })
    }

    /// A record change each time one happens (at most about once a second per task
    /// while copying). Tasks of other processes are seen through `tasks()`.
    pub fn subscribe(&self) -> broadcast::Receiver<TaskRecord> {
        self.inner.updates.subscribe()
    }

    fn load(&self, id: &str) -> Result<Option<TaskRecord>, TaskError> {
        if let Some((rec, _)) = lock(&self.inner.cache).get(id) {
            if lock(&self.inner.running).contains_key(id) {
                return Ok(Some(rec.clone()));
            }
        }
        let rec = self.inner.store.load(id)?;
        if let Some(r) = &rec {
            let mtime = self.inner.store.modified(id);
            lock(&self.inner.cache).insert(id.to_string(), (r.clone(), mtime));
        }
        Ok(rec)
    }

    /// Whether a mailshift process (this one or another) holds task `id`: it runs, or
    /// waits in a project's queue. A record left `running` by a process that died is not.
    pub fn is_held(&self, id: &str) -> bool {
        self.inner.store.is_locked(id)
    }

    /// Every task, newest first; files changed by other processes are read again.
    /// Damaged record files are left out: [`listing`](Self::listing) names them.
    pub fn tasks(&self) -> Vec<TaskRecord> {
        self.listing().records
    }

    /// Every task, newest first, and every record file that cannot be read.
    pub fn listing(&self) -> TaskListing {
        let running: Vec<String> = lock(&self.inner.running).keys().cloned().collect();
        let mut damaged = Vec::new();
        let mut cache = lock(&self.inner.cache);
        match self.inner.store.ids() {
            Ok(ids) => {
                for id in ids {
                    if running.contains(&id) {
                        continue;
                    }
                    let mtime = self.inner.store.modified(&id);
                    let fresh =
                        matches!(cache.get(&id), Some((_, m)) if *m == mtime && mtime.is_some());
                    if fresh {
                        continue;
                    }
                    match self.inner.store.load(&id) {
                        Ok(Some(r)) => {
                            cache.insert(id, (r, mtime));
                        }
                        Ok(None) => {
                            cache.remove(&id);
                        }
                        Err(TaskError::Damaged(d)) => {
                            cache.remove(&id);
                            damaged.push(d);
                        }
                        Err(e) => tracing::warn!("{e}"),
                    }
                }
            }
            Err(e) => tracing::warn!("{e}"),
        }
        let mut records: Vec<TaskRecord> = cache.values().map(|(r, _)| r.clone()).collect();
        records.sort_by(|a, b| b.created.cmp(&a.created).then(a.id.cmp(&b.id)));
        TaskListing { records, damaged }
    }

    /// The record of `id`: `Ok(None)` when there is none, an error naming the file when
    /// it cannot be read.
    pub fn find(&self, id: &str) -> Result<Option<TaskRecord>, TaskError> {
        self.load(id)
    }

    /// The record of `id` as this process knows it (reads the file when needed).
    pub fn get(&self, id: &str) -> Option<TaskRecord> {
        self.load(id).ok().flatten()
    }

    /// The task `id` if its source login is `login`; the same refusal otherwise,
    /// whether or not the ID exists.
    pub fn follow(&self, id: &str, login: &str) -> Result<TaskRecord, TaskError> {
        let id = id.trim().to_ascii_uppercase();
        if !crate::record::is_task_id(&id) {
            return Err(TaskError::NoSuchTask);
        }
        match self.load(&id) {
            Ok(Some(rec)) if rec.login_matches(login) => Ok(rec),
            // A damaged file cannot say whose task it is: name it, so it gets repaired.
            Err(e @ TaskError::Damaged(_)) => Err(e),
            _ => Err(TaskError::NoSuchTask),
        }
    }

    /// Ask the task to stop after the operation in progress; works whichever
    /// mailshift process runs it. A queued or interrupted task ends cancelled at once.
    pub fn cancel(&self, id: &str) -> Result<(), TaskError> {
        let rec = self.load(id)?.ok_or(TaskError::NoSuchTask)?;
        match rec.state {
            TaskState::Running
                if !lock(&self.inner.running).contains_key(id)
                    && !self.inner.store.is_locked(id) =>
            {
                // Its process is gone: nothing runs it, so it ends here.
                self.end_unrun(rec);
                Ok(())
            }
            TaskState::Running => {
                if let Some(r) = lock(&self.inner.running).get(id) {
                    r.cancel.cancel();
                }
                self.inner.store.request_cancel(id)
            }
            TaskState::Queued | TaskState::Interrupted => {
                if self.inner.store.is_locked(id) {
                    return self.inner.store.request_cancel(id);
                }
                self.end_unrun(rec);
                Ok(())
            }
            s => Err(TaskError::WrongState {
                id: rec.id,
                state: s.to_string(),
                what: "it has already ended".into(),
            }),
        }
    }

    fn end_unrun(&self, mut rec: TaskRecord) {
        rec.state = TaskState::Cancelled;
        rec.ended = Some(self.inner.clock.now());
        for s in rec.steps.iter_mut() {
            if s.state != crate::record::StepState::Done {
                s.state = crate::record::StepState::Skipped;
            }
        }
        self.inner.publish(&mut rec);
    }

    /// IDs of the tasks this process runs.
    pub fn running_here(&self) -> Vec<String> {
        let mut v: Vec<String> = lock(&self.inner.running).keys().cloned().collect();
        v.sort();
        v
    }

    /// Cancel every task this process runs (each finishes its batch in progress).
    pub fn cancel_all_here(&self) {
        let ids = self.running_here();
        for id in ids {
            let _ = self.cancel(&id);
        }
    }

    /// Until when `rec` may be rolled back, or why it may not.
    pub fn rollback_until(&self, rec: &TaskRecord) -> Result<DateTime<Utc>, TaskError> {
        if rec.state == TaskState::Running {
            return Err(TaskError::Busy {
                id: rec.id.clone(),
                what: "cancel it first and wait for it to end, then roll back what it added".into(),
            });
        }
        if !rec.state.is_ended() || rec.state == TaskState::RolledBack {
            let what = match rec.state {
                TaskState::RolledBack => "it was already rolled back",
                TaskState::Interrupted => "resume it or cancel it first",
                _ => "cancel it first and wait for it to end",
            };
            return Err(TaskError::WrongState {
                id: rec.id.clone(),
                state: rec.state.to_string(),
                what: what.into(),
            });
        }
        let ended = rec.ended.unwrap_or(rec.updated);
        let until = ended + chrono::Duration::hours(ROLLBACK_WINDOW_HOURS);
        if self.inner.clock.now() > until {
            return Err(TaskError::RollbackExpired {
                id: rec.id.clone(),
                ended,
                until,
            });
        }
        Ok(until)
    }

    /// Remove from the destination exactly what task `id` added. `login` must be the
    /// task's source login; `dst_secret` logs in to the destination.
    pub async fn rollback(
        &self,
        id: &str,
        login: &str,
        dst_secret: Secret,
    ) -> Result<crate::record::RollbackOutcome, TaskError> {
        crate::rollback::run(self, id, login, dst_secret).await
    }

    /// Let the tasks this process runs continue in detached `mailshift` processes
    /// (the TUI quitting with tasks running): each stops after its batch in progress,
    /// becomes `interrupted`, and a child `mailshift resume ID --secrets-stdin` takes
    /// it over with the secrets passed through a pipe (never argv, env or disk).
    pub async fn hand_off(&self) -> Vec<(String, Result<u32, String>)> {
        let stopping: Vec<(String, Credentials)> = {
            let running = lock(&self.inner.running);
            running
                .iter()
                .map(|(id, r)| {
                    r.handing_off.store(true, Ordering::SeqCst);
                    r.cancel.cancel();
                    (id.clone(), r.creds.clone())
                })
                .collect()
        };
        let mut out = Vec::new();
        for (id, creds) in stopping {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
            while lock(&self.inner.running).contains_key(&id)
                && std::time::Instant::now() < deadline
            {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            let res = crate::handoff::spawn_child(&self.inner.state_dir, &id, &creds);
            out.push((id, res));
        }
        out
    }

    pub(crate) fn publish(&self, rec: &mut TaskRecord) {
        self.inner.publish(rec);
    }
}
