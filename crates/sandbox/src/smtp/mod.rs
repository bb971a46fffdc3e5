//! The sandbox's SMTP listener on loopback (RFC 5321 subset, STARTTLS, AUTH PLAIN /
//! LOGIN): one task per connection, limits on lines, sizes and time, and delivery
//! through a [`Mailbox`] so the server runs and tests on its own.

mod certificate;
mod command;
mod data;
mod line;
mod local_delivery;
mod login;
mod relay;
mod session;
mod stream;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::connection_limit::{self, ConnectionLimit};

pub use login::RelayLogin;
pub(crate) use relay::SandboxRelayService;
pub use relay::{RelayStartError, SandboxRelay, NOTIFICATIONS_LOGIN, RELAY_FROM, RELAY_USER};

/// Where accepted mail goes.
pub trait Mailbox: Send + Sync + 'static {
    /// Checked at RCPT TO: `Err(reason)` refuses the recipient with 550.
    fn accepts(&self, _rcpt: &str) -> Result<(), String> {
        Ok(())
    }

    /// Stores one message (trace headers added) for one recipient.
    fn deliver(&self, rcpt: &str, raw: &[u8]) -> Result<(), String>;
}

#[derive(Debug, Error)]
pub enum SmtpError {
    #[error("the sandbox SMTP server listens on loopback only, not on {0}: use 127.0.0.1")]
    NotLoopback(SocketAddr),
    #[error("cannot listen on {bind} for the sandbox SMTP server: {source} (is the port free?)")]
    Bind {
        bind: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot make the sandbox SMTP server's TLS certificate: {0}")]
    Certificate(String),
}

/// Limits and identity of one listener.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// The name in the greeting, EHLO reply and Received header.
    pub hostname: String,
    /// Largest message accepted after DATA (552 beyond).
    pub max_message_bytes: usize,
    /// Longest line of a message, CRLF included (RFC 5321 says 1000; we allow more).
    pub max_line_bytes: usize,
    pub max_recipients: usize,
    /// A client silent (or not reading) for this long is dropped.
    pub idle_timeout: Duration,
    /// A connection is closed after this long whatever it does.
    pub session_timeout: Duration,
    /// Offer STARTTLS with a fresh self-signed certificate.
    pub starttls: bool,
    /// Connections served at once; more are answered `421` and closed.
    pub max_connections: usize,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            hostname: "smtp.sandbox.invalid".to_string(),
            max_message_bytes: 25 * 1024 * 1024,
            max_line_bytes: 8 * 1024,
            max_recipients: 100,
            idle_timeout: Duration::from_secs(5 * 60),
            session_timeout: Duration::from_secs(30 * 60),
            starttls: true,
            max_connections: crate::connection_limit::DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// Entry point: `SandboxSmtp::start(addr, mailbox, login, config)`.
pub struct SandboxSmtp;

impl SandboxSmtp {
    /// Listens on `bind` (a 127.0.0.1 address; port 0 picks one). With `login`, every
    /// transaction needs AUTH first (530 otherwise).
    pub async fn start(
        bind: SocketAddr,
        mailbox: Arc<dyn Mailbox>,
        login: Option<RelayLogin>,
        config: SmtpConfig,
    ) -> Result<SandboxSmtpHandle, SmtpError> {
        if !bind.ip().is_loopback() {
            return Err(SmtpError::NotLoopback(bind));
        }
        let identity = if config.starttls {
            Some(certificate::self_signed()?)
        } else {
            None
        };
        let listener = TcpListener::bind(bind)
            .await
            .map_err(|source| SmtpError::Bind { bind, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| SmtpError::Bind { bind, source })?;
        let (certificate_pem, tls) = match identity {
            Some(id) => (Some(id.pem), Some(id.config)),
            None => (None, None),
        };
        let shared = Arc::new(session::Shared {
            mailbox,
            login,
            tls,
            config,
        });
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, shared, stopped));
        tracing::info!(%local_addr, "sandbox SMTP server listening");
        Ok(SandboxSmtpHandle {
            local_addr,
            certificate_pem,
            stop,
            task: Some(task),
        })
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<session::Shared>,
    mut stopped: watch::Receiver<bool>,
) {
    let limit = ConnectionLimit::new(shared.config.max_connections);
    loop {
        tokio::select! {
            _ = stopped.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((socket, peer)) => {
                    let Some(slot) = limit.try_admit() else {
                        connection_limit::turn_away(socket, b"421 4.7.0 Too many connections, try again later\r\n");
                        continue;
                    };
                    let shared = shared.clone();
                    let mut stop = stopped.clone();
                    tokio::spawn(async move {
                        let _slot = slot;
                        let limit = shared.config.session_timeout;
                        tokio::select! {
                            _ = stop.changed() => {}
                            _ = tokio::time::timeout(limit, session::serve(socket, peer, shared)) => {}
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "sandbox SMTP accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
}

/// A running listener. Dropping it stops it too.
pub struct SandboxSmtpHandle {
    local_addr: SocketAddr,
    certificate_pem: Option<String>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl SandboxSmtpHandle {
    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The STARTTLS certificate (PEM) for clients to pin; `None` without STARTTLS.
    pub fn certificate_pem(&self) -> Option<&str> {
        self.certificate_pem.as_deref()
    }

    /// Stops accepting, closes open sessions and waits for the listener to go.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SandboxSmtpHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
