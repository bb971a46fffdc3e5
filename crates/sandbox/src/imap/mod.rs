//! The sandbox's IMAP4rev1 server: a listener on loopback that spawns one
//! task per connection; each drives an imap-next `Server` over a tokio
//! stream and a `Session` that answers commands from the Maildir store.

mod budget;
mod capability;
mod connection;
mod fetch;
mod input;
mod list;
mod sequence;
mod session;
mod transport;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::connection_limit::{self, ConnectionLimit, DEFAULT_MAX_CONNECTIONS};
use crate::{Directory, MailStore};

#[derive(Debug, Error)]
pub enum ServerError {
    #[error("cannot listen on {bind} for the sandbox IMAP server {name:?}: {source} (is the address valid and the port free?)")]
    Bind {
        bind: String,
        name: String,
        #[source]
        source: std::io::Error,
    },
}

/// Limits and timeouts of one server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest literal (message) accepted after login; bigger ones are refused. Before
    /// login no command may exceed a few KiB, whatever this says.
    pub max_literal_bytes: u32,
    /// Connections served at once; more are answered `* BYE Too many connections`.
    pub max_connections: usize,
    /// A connection that has not logged in after this long is closed.
    pub login_timeout: Duration,
    /// Bytes of commands in progress (APPEND literals) held at once over all connections;
    /// a connection waits for room (at least one largest command always fits).
    pub input_budget_bytes: u64,
    /// A connection with no traffic for this long is closed (not during IDLE).
    pub idle_timeout: Duration,
    /// During IDLE, how often the selected folder is checked for changes.
    pub idle_poll: Duration,
    /// IDLE is ended by the server after this long (RFC 2177 suggests 29 min).
    pub idle_max: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_literal_bytes: 64 * 1024 * 1024,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            login_timeout: Duration::from_secs(60),
            input_budget_bytes: 256 * 1024 * 1024,
            idle_timeout: Duration::from_secs(30 * 60),
            idle_poll: Duration::from_secs(1),
            idle_max: Duration::from_secs(29 * 60),
        }
    }
}

/// Entry point: `SandboxImap::start(store, directory, "127.0.0.1:0", "Exchange")`.
pub struct SandboxImap;

impl SandboxImap {
    /// Starts a server with the default [`ServerConfig`].
    pub async fn start(
        store: Arc<MailStore>,
        directory: Arc<Directory>,
        bind: &str,
        name: &str,
    ) -> Result<SandboxImapHandle, ServerError> {
        Self::start_with(store, directory, bind, name, ServerConfig::default()).await
    }

    pub async fn start_with(
        store: Arc<MailStore>,
        directory: Arc<Directory>,
        bind: &str,
        name: &str,
        config: ServerConfig,
    ) -> Result<SandboxImapHandle, ServerError> {
        let listener = TcpListener::bind(bind)
            .await
            .map_err(|source| ServerError::Bind {
                bind: bind.to_string(),
                name: name.to_string(),
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| ServerError::Bind {
            bind: bind.to_string(),
            name: name.to_string(),
            source,
        })?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let limit = ConnectionLimit::new(config.max_connections);
        let budget = budget::InputBudget::new(
            config.input_budget_bytes,
            u64::from(connection::max_command_size(&config)),
        );
        let shared = Arc::new(connection::Shared {
            store,
            directory,
            config,
            name: name.to_string(),
            budget: budget.clone(),
        });
        let task = tokio::spawn(accept_loop(listener, shared, limit, shutdown_rx));
        tracing::info!(server = name, %local_addr, "sandbox IMAP server listening");
        Ok(SandboxImapHandle {
            local_addr,
            name: name.to_string(),
            budget,
            shutdown: shutdown_tx,
            task: Some(task),
        })
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<connection::Shared>,
    limit: ConnectionLimit,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((socket, peer)) => {
                    let Some(slot) = limit.try_admit() else {
                        tracing::debug!(%peer, "sandbox IMAP connection refused: too many open");
                        connection_limit::turn_away(socket, b"* BYE Too many connections\r\n");
                        continue;
                    };
                    let shared = shared.clone();
                    let stop = shutdown.clone();
                    tokio::spawn(async move {
                        connection::serve(socket, peer, shared, stop, slot).await;
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "sandbox IMAP accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
}

/// A running server. Dropping it shuts it down too.
pub struct SandboxImapHandle {
    local_addr: SocketAddr,
    name: String,
    budget: budget::InputBudget,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl SandboxImapHandle {
    /// The address actually bound (the port chosen when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Bytes the server holds for commands in progress (its input budget in use).
    pub fn input_in_use(&self) -> u64 {
        self.budget.in_use()
    }

    /// Connections waiting for room in the input budget.
    pub fn input_waiters(&self) -> usize {
        self.budget.waiters()
    }

    /// Stops accepting, closes every open connection and waits for the
    /// listener to be released.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SandboxImapHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
