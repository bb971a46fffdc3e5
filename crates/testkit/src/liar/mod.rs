//! A small lying IMAP4rev1 source server for tests, on 127.0.0.1 (plain text, threads only):
//! it serves a fixed account read-only and, when asked, misreports sizes, answers UID FETCH
//! with unrequested UIDs, or says STATUS 0 while SELECT says otherwise; it counts mutations.

mod command;
mod content;
mod mailbox;
mod parse;
mod render;
mod session;

use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

pub use content::{LiarConfig, LiarFolder, LiarMessage, Lies};

use crate::TestkitError;

/// Connections served at once; more are greeted with BYE.
const MAX_CONNECTIONS: usize = 64;
/// Entries kept for `commands_seen`.
const MAX_RECORDED: usize = 100_000;

/// What every connection shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: LiarConfig,
    lies: Mutex<Lies>,
    mutations: AtomicUsize,
    commands: Mutex<Vec<String>>,
    connections: AtomicUsize,
    active: AtomicUsize,
    stopping: AtomicBool,
    /// Open connections by number, to shut them down on drop.
    live: Mutex<Vec<(usize, TcpStream)>>,
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    pub(crate) fn lies(&self) -> Lies {
        *locked(&self.lies)
    }

    pub(crate) fn count_mutation(&self) {
        self.mutations.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn record(&self, command: String) {
        let mut seen = locked(&self.commands);
        if seen.len() < MAX_RECORDED {
            seen.push(command);
        }
    }

    pub(crate) fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }
}

/// A running liar. Dropping it closes the listener and every connection.
#[derive(Debug)]
pub struct LiarServer {
    port: u16,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl LiarServer {
    /// Check `config`, listen on 127.0.0.1 (ephemeral port) and serve on background threads.
    pub fn start(config: LiarConfig) -> Result<LiarServer, TestkitError> {
        config.check()?;
        let setup = |what: &str, e: std::io::Error| {
            TestkitError::Setup(format!("the liar IMAP server could not {what}: {e}"))
        };
        let listener =
            TcpListener::bind("127.0.0.1:0").map_err(|e| setup("listen on 127.0.0.1", e))?;
        let port = listener
            .local_addr()
            .map_err(|e| setup("read its port", e))?
            .port();
        let shared = Arc::new(Shared {
            lies: Mutex::new(config.lies),
            config,
            mutations: AtomicUsize::new(0),
            commands: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
            active: AtomicUsize::new(0),
            stopping: AtomicBool::new(false),
            live: Mutex::new(Vec::new()),
        });
        let s = shared.clone();
        let accept = std::thread::Builder::new()
            .name(format!("liar-imap-{port}"))
            .spawn(move || accept_loop(listener, s))
            .map_err(|e| setup("start its thread", e))?;
        Ok(LiarServer {
            port,
            shared,
            accept: Some(accept),
        })
    }

    /// The port clients connect to (on 127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Always `127.0.0.1`.
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    /// The account being served.
    pub fn config(&self) -> &LiarConfig {
        &self.shared.config
    }

    /// The lies told now.
    pub fn lies(&self) -> Lies {
        self.shared.lies()
    }

    /// Tell other lies (or none) from the next command on, on every connection.
    pub fn set_lies(&self, lies: Lies) {
        *locked(&self.shared.lies) = lies;
    }

    /// Commands that would have modified the source (APPEND, STORE, EXPUNGE, COPY, MOVE,
    /// CREATE, DELETE, RENAME, (UN)SUBSCRIBE, and a FETCH setting `\Seen` in a read-write
    /// mailbox), all refused.
    pub fn mutations(&self) -> usize {
        self.shared.mutations.load(Ordering::SeqCst)
    }

    /// Every command received, in order of arrival, without its tag or literal bytes
    /// (literals show as `{n}`), passwords masked as `****`; e.g. `UID FETCH 1:* (UID FLAGS)`.
    pub fn commands_seen(&self) -> Vec<String> {
        locked(&self.shared.commands).clone()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }
}

impl Drop for LiarServer {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake the blocking accept.
        let _ = TcpStream::connect_timeout(
            &SocketAddr::from(([127, 0, 0, 1], self.port)),
            Duration::from_secs(1),
        );
        for (_, s) in locked(&self.shared.live).drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for conn in listener.incoming() {
        if shared.stopping() {
            return;
        }
        let Ok(stream) = conn else { continue };
        let id = shared.connections.fetch_add(1, Ordering::SeqCst);
        if shared.active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            shared.active.fetch_sub(1, Ordering::SeqCst);
            session::refuse(stream);
            continue;
        }
        if let Ok(s) = stream.try_clone() {
            locked(&shared.live).push((id, s));
        }
        let s = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("liar-imap-conn".into())
            .spawn(move || {
                session::serve(stream, &s);
                locked(&s.live).retain(|(i, _)| *i != id);
                s.active.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            locked(&shared.live).retain(|(i, _)| *i != id);
            shared.active.fetch_sub(1, Ordering::SeqCst);
        }
    }
}
