//! How many project tasks may run at once: a global bound on tasks, a bound on the
//! connections open to each server (`host:port`, lowercased) and a gate that pauses the
//! whole project. Slots are taken in one fixed order (servers sorted, then global).

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

/// The key a server is counted under: `host:port`, lowercased.
pub fn server_key(host: &str, port: u16) -> String {
    format!("{}:{port}", host.trim().to_ascii_lowercase())
}

/// Bounded concurrency for a project's tasks. Cloning shares the same bounds.
#[derive(Clone)]
pub struct Limits {
    inner: Arc<Inner>,
}

struct Inner {
    global: Arc<Semaphore>,
    per_server: usize,
    servers: Mutex<HashMap<String, Arc<Semaphore>>>,
    running: AtomicUsize,
    gate: Gate,
}

impl fmt::Debug for Limits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Limits")
            .field("running", &self.running())
            .field("per_server", &self.inner.per_server)
            .field("paused", &self.inner.gate.is_paused())
            .finish()
    }
}

impl Limits {
    /// At most `global` tasks at once, and at most `per_server` connections open to any
    /// one server ([`acquire`](Self::acquire) counts one per server a task uses, i.e.
    /// tasks). A bound of 0 is taken as 1 (a project must be able to progress).
    pub fn new(global: usize, per_server: usize) -> Limits {
        Limits {
            inner: Arc::new(Inner {
                global: Arc::new(Semaphore::new(global.max(1))),
                per_server: per_server.max(1),
                servers: Mutex::new(HashMap::new()),
                running: AtomicUsize::new(0),
                gate: Gate::new(),
            }),
        }
    }

    /// This project's pause gate; [`acquire`](Self::acquire) waits while it is paused.
    pub fn gate(&self) -> &Gate {
        &self.inner.gate
    }

    /// The most connections open to one server at once.
    pub fn per_server(&self) -> usize {
        self.inner.per_server
    }

    /// Wait for one unit on every server in `servers` (`host:port`; case and duplicates
    /// do not matter) and a global slot, while the gate is open. Dropping the future
    /// before it completes gives back whatever it had taken.
    pub async fn acquire(&self, servers: &[String]) -> Slot {
        let uses: Vec<(String, usize)> = servers.iter().map(|s| (s.clone(), 1)).collect();
        let mut keys = server_uses(&uses);
        for k in keys.iter_mut() {
            k.1 = 1;
        }
        self.take(keys).await
    }

    /// Wait until every `(server, connections)` fits under its server's bound, and for a
    /// global slot. Uses of the same server add up (a task whose source and destination
    /// are one server opens both sides' connections there). A task that alone needs more
    /// than a server allows takes that server's whole bound: it runs alone there.
    pub async fn acquire_connections(&self, uses: &[(String, usize)]) -> Slot {
        let mut keys = server_uses(uses);
        for k in keys.iter_mut() {
            k.1 = k.1.clamp(1, self.inner.per_server);
        }
        self.take(keys).await
    }

    async fn take(&self, keys: Vec<(String, usize)>) -> Slot {
        loop {
            self.inner.gate.wait_open().await;
            let mut permits = Vec::with_capacity(keys.len() + 1);
            for (key, n) in &keys {
                permits.push(acquire_many_owned(self.server(key), *n).await);
            }
            permits.push(acquire_owned(self.inner.global.clone()).await);
            // Paused while we waited: give the slots back and wait for the gate again.
            if self.inner.gate.is_paused() {
                continue;
            }
            self.inner.running.fetch_add(1, Ordering::SeqCst);
            return Slot {
                _permits: permits,
                inner: self.inner.clone(),
            };
        }
    }

    /// How many slots are held right now.
    pub fn running(&self) -> usize {
        self.inner.running.load(Ordering::SeqCst)
    }

    fn server(&self, key: &str) -> Arc<Semaphore> {
        let mut servers = self.inner.servers.lock().unwrap_or_else(|p| p.into_inner());
        servers
            .entry(key.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(self.inner.per_server)))
            .clone()
    }
}

/// `(server, units)` per distinct lowercased server, summed, sorted by server.
fn server_uses(uses: &[(String, usize)]) -> Vec<(String, usize)> {
    let mut keys: Vec<(String, usize)> = Vec::new();
    for (server, n) in uses {
        let key = server.trim().to_ascii_lowercase();
        match keys.iter_mut().find(|k| k.0 == key) {
            Some(k) => k.1 += n,
            None => keys.push((key, *n)),
        }
    }
    keys.sort();
    keys
}

async fn acquire_many_owned(semaphore: Arc<Semaphore>, n: usize) -> OwnedSemaphorePermit {
    // `n` is at most the semaphore's size (clamped by the callers).
    semaphore
        .acquire_many_owned(n as u32)
        .await
        .expect("project limit semaphores are never closed")
}

async fn acquire_owned(semaphore: Arc<Semaphore>) -> OwnedSemaphorePermit {
    // The semaphores live as long as `Inner` and are never closed.
    semaphore
        .acquire_owned()
        .await
        .expect("project limit semaphores are never closed")
}

/// The right to run one task; gives its slots back when dropped.
pub struct Slot {
    _permits: Vec<OwnedSemaphorePermit>,
    inner: Arc<Inner>,
}

impl fmt::Debug for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Slot { .. }")
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.inner.running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Pause / resume for a whole project: while paused, no new task starts (running
/// ones carry on). Cloning shares the same gate.
#[derive(Clone)]
pub struct Gate {
    paused: Arc<watch::Sender<bool>>,
    /// Waiters parked at the closed gate right now.
    parked: Arc<AtomicUsize>,
}

/// Counts one waiter parked at the gate for as long as it lives (also when the wait is
/// dropped half-way).
struct Parked(Arc<AtomicUsize>);

impl Drop for Parked {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Gate {
    pub fn new() -> Gate {
        Gate {
            paused: Arc::new(watch::Sender::new(false)),
            parked: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub fn pause(&self) {
        self.paused.send_replace(true);
    }

    pub fn resume(&self) {
        self.paused.send_replace(false);
    }

    pub fn is_paused(&self) -> bool {
        *self.paused.borrow()
    }

    /// How many waiters are parked at the closed gate: each holds back the rows queued
    /// behind it until [`resume`](Self::resume), so a project with one parked and none
    /// running cannot start anything.
    pub fn parked(&self) -> usize {
        self.parked.load(Ordering::SeqCst)
    }

    /// Return once the gate is open (at once if it is).
    pub async fn wait_open(&self) {
        let mut rx = self.paused.subscribe();
        if !*rx.borrow_and_update() {
            return;
        }
        self.parked.fetch_add(1, Ordering::SeqCst);
        let _parked = Parked(self.parked.clone());
        // The sender lives in `self`, so the channel cannot close while we wait.
        let _ = rx.wait_for(|paused| !*paused).await;
    }
}

impl Default for Gate {
    fn default() -> Self {
        Gate::new()
    }
}

impl fmt::Debug for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gate")
            .field("paused", &self.is_paused())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const SAFETY: Duration = Duration::from_secs(30);

    /// Counts tasks inside their slot, overall and per server, and keeps the maxima.
    #[derive(Default)]
    struct Observed {
        now: AtomicUsize,
        max: AtomicUsize,
        per_server_now: Mutex<HashMap<String, usize>>,
        per_server_max: Mutex<HashMap<String, usize>>,
    }

    impl Observed {
        fn enter(&self, servers: &[String]) {
            let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
            self.max.fetch_max(n, Ordering::SeqCst);
            let mut now = self.per_server_now.lock().unwrap();
            let mut max = self.per_server_max.lock().unwrap();
            let mut keys: Vec<&String> = servers.iter().collect();
            keys.dedup();
            for s in keys {
                let n = now.entry(s.clone()).or_default();
                *n += 1;
                let m = max.entry(s.clone()).or_default();
                *m = (*m).max(*n);
            }
        }
        fn leave(&self, servers: &[String]) {
            let mut now = self.per_server_now.lock().unwrap();
            let mut keys: Vec<&String> = servers.iter().collect();
            keys.dedup();
            for s in keys {
                *now.get_mut(s).unwrap() -= 1;
            }
            self.now.fetch_sub(1, Ordering::SeqCst);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn twenty_tasks_on_two_servers_respect_both_bounds_and_all_finish() {
        let limits = Limits::new(3, 2);
        let observed = Arc::new(Observed::default());
        let a = server_key("IMAP.A.example", 993);
        let b = server_key("imap.b.example", 993);
        let mut handles = Vec::new();
        for i in 0..20 {
            // Mixed shapes: A->B, B->A, A->A (same server twice), B->B.
            let servers = match i % 4 {
                0 => vec![a.clone(), b.clone()],
                1 => vec![b.clone(), a.clone()],
                2 => vec![a.clone(), a.to_uppercase()],
                _ => vec![b.clone(), b.clone()],
            };
            let (limits, observed) = (limits.clone(), observed.clone());
            handles.push(tokio::spawn(async move {
                let slot = limits.acquire(&servers).await;
                let keys: Vec<String> = {
                    let mut k: Vec<String> = servers.iter().map(|s| s.to_lowercase()).collect();
                    k.sort();
                    k
                };
                observed.enter(&keys);
                assert!(limits.running() <= 3);
                tokio::time::sleep(Duration::from_millis(3)).await;
                observed.leave(&keys);
                drop(slot);
                i
            }));
        }
        let mut done = Vec::new();
        for h in handles {
            done.push(
                tokio::time::timeout(SAFETY, h)
                    .await
                    .expect("a task never got a slot")
                    .unwrap(),
            );
        }
        done.sort();
        assert_eq!(done, (0..20).collect::<Vec<_>>());
        let max = observed.max.load(Ordering::SeqCst);
        assert!(max <= 3, "global bound exceeded: {max}");
        assert!(max >= 2, "tasks never ran in parallel");
        for (server, m) in observed.per_server_max.lock().unwrap().iter() {
            assert!(*m <= 2, "{server} had {m} tasks at once");
        }
        assert_eq!(limits.running(), 0);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_paused_gate_blocks_new_acquisitions_until_resumed() {
        let limits = Limits::new(2, 2);
        let servers = vec![server_key("a", 993)];
        let first = limits.acquire(&servers).await;
        assert_eq!(limits.running(), 1);

        limits.gate().pause();
        assert!(limits.gate().is_paused());
        let waiting = {
            let (limits, servers) = (limits.clone(), servers.clone());
            tokio::spawn(async move { limits.acquire(&servers).await })
        };
        for _ in 0..50 {
            tokio::task::yield_now().await;
        }
        assert!(!waiting.is_finished(), "acquired through a paused gate");
        assert_eq!(
            limits.running(),
            1,
            "running tasks carry on, no new one starts"
        );

        limits.gate().resume();
        let second = tokio::time::timeout(SAFETY, waiting)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(limits.running(), 2);
        drop((first, second));
        assert_eq!(limits.running(), 0);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_task_waiting_for_a_server_slot_when_paused_waits_for_resume_too() {
        let limits = Limits::new(5, 1);
        let servers = vec![server_key("a", 143)];
        let first = limits.acquire(&servers).await;
        let waiting = {
            let (limits, servers) = (limits.clone(), servers.clone());
            tokio::spawn(async move { limits.acquire(&servers).await })
        };
        tokio::task::yield_now().await;
        limits.gate().pause();
        drop(first);
        for _ in 0..50 {
            tokio::task::yield_now().await;
        }
        assert!(!waiting.is_finished());
        assert_eq!(limits.running(), 0);
        limits.gate().resume();
        let _slot = tokio::time::timeout(SAFETY, waiting)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(limits.running(), 1);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn an_abandoned_acquisition_gives_its_slots_back() {
        let limits = Limits::new(1, 1);
        let servers = vec![server_key("a", 993), server_key("b", 993)];
        let held = limits.acquire(&servers[1..]).await;
        // Takes a's slot (servers go in sorted order), then waits for b's: abandoned.
        let abandoned =
            tokio::time::timeout(Duration::from_millis(20), limits.acquire(&servers)).await;
        assert!(abandoned.is_err());
        drop(held);
        let slot = tokio::time::timeout(SAFETY, limits.acquire(&servers[..1])).await;
        assert!(slot.is_ok(), "server a's slot leaked");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_task_whose_source_and_destination_share_a_server_takes_one_slot_there() {
        let limits = Limits::new(1, 1);
        let same = vec![server_key("a", 993), server_key("A", 993)];
        let slot = tokio::time::timeout(SAFETY, limits.acquire(&same)).await;
        assert!(slot.is_ok(), "deadlocked on its own server");
        assert_eq!(limits.running(), 1);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn connections_are_counted_and_a_task_on_one_server_counts_both_sides_there() {
        // Each server allows 4 connections; tasks open 2 per side.
        let limits = Limits::new(10, 4);
        let (a, b, c) = (
            server_key("a", 993),
            server_key("b", 993),
            server_key("c", 993),
        );
        let same = limits
            .acquire_connections(&[(a.clone(), 2), (a.to_uppercase(), 2)])
            .await;
        // a is full (2 + 2): a task touching a waits, one elsewhere does not.
        let blocked = tokio::time::timeout(
            Duration::from_millis(20),
            limits.acquire_connections(&[(a.clone(), 2), (b.clone(), 2)]),
        )
        .await;
        assert!(
            blocked.is_err(),
            "5th and 6th connections to a were allowed"
        );
        let elsewhere = tokio::time::timeout(
            SAFETY,
            limits.acquire_connections(&[(b.clone(), 2), (c.clone(), 2)]),
        )
        .await;
        assert!(elsewhere.is_ok());
        drop(same);
        let after = tokio::time::timeout(
            SAFETY,
            limits.acquire_connections(&[(a.clone(), 2), (b.clone(), 2)]),
        )
        .await;
        assert!(after.is_ok(), "a's connections were not given back");
        assert_eq!(limits.running(), 2);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_task_needing_more_than_a_server_allows_runs_alone_instead_of_waiting_forever() {
        let limits = Limits::new(10, 3);
        let a = server_key("a", 993);
        let alone = tokio::time::timeout(
            SAFETY,
            limits.acquire_connections(&[(a.clone(), 2), (a.clone(), 2)]),
        )
        .await
        .expect("deadlocked on a task larger than the bound");
        let next = tokio::time::timeout(
            Duration::from_millis(20),
            limits.acquire_connections(&[(a.clone(), 1)]),
        )
        .await;
        assert!(next.is_err(), "ran beside a task holding the whole bound");
        drop(alone);
        assert_eq!(limits.running(), 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn open_connections_never_exceed_a_servers_bound() {
        let limits = Limits::new(8, 6);
        let (a, b) = (server_key("a", 993), server_key("b", 143));
        let open: Arc<Mutex<HashMap<String, (usize, usize)>>> = Arc::default();
        let mut handles = Vec::new();
        for i in 0..40 {
            let c = 1 + i % 3;
            let uses = match i % 3 {
                0 => vec![(a.clone(), c), (b.clone(), c)],
                1 => vec![(b.clone(), c), (a.clone(), c)],
                _ => vec![(a.clone(), c), (a.clone(), c)],
            };
            let (limits, open) = (limits.clone(), open.clone());
            handles.push(tokio::spawn(async move {
                let slot = limits.acquire_connections(&uses).await;
                for (s, n) in &uses {
                    let mut o = open.lock().unwrap();
                    let e = o.entry(s.clone()).or_default();
                    e.0 += n;
                    e.1 = e.1.max(e.0);
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
                for (s, n) in &uses {
                    open.lock().unwrap().get_mut(s).unwrap().0 -= n;
                }
                drop(slot);
            }));
        }
        for h in handles {
            tokio::time::timeout(SAFETY, h).await.unwrap().unwrap();
        }
        for (server, (now, max)) in open.lock().unwrap().iter() {
            assert_eq!(*now, 0);
            assert!(*max <= 6, "{server} had {max} connections open at once");
            assert!(*max >= 3, "{server}: tasks never overlapped ({max})");
        }
    }

    #[test]
    fn server_keys_are_lowercased() {
        assert_eq!(
            server_key(" IMAP.Example.NET ", 993),
            "imap.example.net:993"
        );
    }
}
