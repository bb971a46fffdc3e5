//! The sandbox's ManageSieve server (RFC 5804) on loopback, one per groupware platform:
//! AUTHENTICATE PLAIN against the platform's logins, then each login's Sieve scripts in
//! the [`crate::GroupwareStore`] (plain TCP: loopback only, no STARTTLS).

mod command;
mod session;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::connection_limit::{self, ConnectionLimit, DEFAULT_MAX_CONNECTIONS};
use crate::{Directory, GroupwareStore};

/// The largest script accepted (PUTSCRIPT, CHECKSCRIPT, HAVESPACE).
pub const MAX_SCRIPT_SIZE: usize = 1024 * 1024;

/// The Sieve extensions scripts may require (advertised in the SIEVE capability).
pub const EXTENSIONS: &[&str] = &[
    "fileinto",
    "reject",
    "envelope",
    "encoded-character",
    "vacation",
    "vacation-seconds",
    "imap4flags",
    "copy",
    "include",
    "variables",
    "body",
    "relational",
    "subaddress",
    "date",
    "regex",
];

/// A running ManageSieve server; [`SandboxSieveHandle::shutdown`] stops it (drop too).
pub struct SandboxSieveHandle {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl SandboxSieveHandle {
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for SandboxSieveHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

/// Start serving the scripts of `store` on `bind` (e.g. `127.0.0.1:0`).
pub async fn start(
    store: Arc<GroupwareStore>,
    directory: Arc<Directory>,
    bind: &str,
) -> std::io::Result<SandboxSieveHandle> {
    start_with(store, directory, bind, DEFAULT_MAX_CONNECTIONS).await
}

/// [`start`], serving at most `max_connections` at once (more are told `BYE`).
pub async fn start_with(
    store: Arc<GroupwareStore>,
    directory: Arc<Directory>,
    bind: &str,
    max_connections: usize,
) -> std::io::Result<SandboxSieveHandle> {
    let limit = ConnectionLimit::new(max_connections);
    let listener = TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    let (stop, mut stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        loop {
            let (stream, _) = tokio::select! {
                _ = stopped.changed() => break,
                accepted = listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        tracing::debug!("sandbox ManageSieve accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            let Some(slot) = limit.try_admit() else {
                connection_limit::turn_away(stream, b"BYE \"Too many connections\"\r\n");
                continue;
            };
            let session = session::Session::new(store.clone(), directory.clone());
            let mut conn_stop = stopped.clone();
            tokio::spawn(async move {
                let _slot = slot;
                tokio::select! {
                    _ = session.run(stream) => {}
                    _ = conn_stop.changed() => {}
                }
            });
        }
    });
    Ok(SandboxSieveHandle {
        addr,
        stop,
        task: Some(task),
    })
}
