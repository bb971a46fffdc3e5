//! What the coordinator and the workers share during one run: endpoints,
//! options, the folder pairs, the journal, progress events, the stop switch
//! and the byte budget.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{mpsc, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::imap::Endpoint;
use crate::journal::{Journal, Record};

use super::folder_map::FolderPair;
use super::progress::Event;
use super::run::Options;

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
    pub cancel: CancellationToken,
    over_quota: Mutex<Option<String>>,
    pub budget: Arc<Semaphore>,
    pub budget_kib: u32,
    halted: AtomicBool,
    /// Workers in the pool (see `leave`).
    live: AtomicUsize,
}

impl Ctx {
    pub fn new(
        m: &super::run::Migration,
        pairs: Vec<FolderPair>,
        journal: Journal,
        events: mpsc::UnboundedSender<Event>,
        cancel: CancellationToken,
    ) -> Ctx {
        let kib = (m.options.inflight_bytes / 1024).clamp(1, u32::MAX as u64 / 2) as u32;
        Ctx {
            src: m.src.clone(),
            dst: m.dst.clone(),
            options: m.options.clone(),
            task_id: m.task_id.clone(),
            pairs,
            created: Mutex::new(HashSet::new()),
            journal: Mutex::new(journal),
            journal_failed: Mutex::new(None),
            events,
            cancel,
            over_quota: Mutex::new(None),
            budget: Arc::new(Semaphore::new(kib as usize)),
            budget_kib: kib,
            halted: AtomicBool::new(false),
            live: AtomicUsize::new(0),
        }
    }

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

    /// Whether a journal write failed (without taking the message).
    pub fn journal_broken(&self) -> bool {
        self.journal_failed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    pub fn journal_failure(&self) -> Option<String> {
        self.journal_failed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    pub fn emit(&self, e: Event) {
        let _ = self.events.send(e);
    }

    pub fn problem(&self, message: String) {
        self.problem_with(message, None);
    }

    /// A problem the user can do something about.
    pub fn problem_with(&self, message: String, remedy: Option<mailshift_net::Remedy>) {
        tracing::warn!("{message}");
        self.emit(Event::Problem { message, remedy });
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

    pub fn quota_stop(&self) -> Option<String> {
        self.over_quota
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    /// No new batch should start: cancelled, destination full, journal broken.
    pub fn stopping(&self) -> bool {
        self.cancel.is_cancelled() || self.halted.load(Ordering::SeqCst)
    }

    /// The pool starts with `n` workers.
    pub fn set_live(&self, n: usize) {
        self.live.store(n, Ordering::SeqCst);
    }

    /// A server refused a worker another connection as busy: may it leave
    /// the pool? Yes while another worker remains (the last one waits and
    /// retries instead); the run says it goes on with fewer connections.
    pub fn leave(&self, why: &crate::imap::ImapError) -> bool {
        let left = self
            .live
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n > 1).then(|| n - 1)
            });
        match left {
            Ok(n) => {
                self.problem(format!(
                    "{why}: the server accepts fewer connections; continuing with {} connection(s) per side",
                    n - 1
                ));
                true
            }
            Err(_) => false,
        }
    }

    pub fn mark_created(&self, idx: usize) {
        self.created
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(idx);
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
