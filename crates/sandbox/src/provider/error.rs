//! What can go wrong running the simulated provider, worded so the person at the
//! keyboard knows what to do next.

use std::path::PathBuf;

use mailshift_dns::DnsError;
use mailshift_panel::{PanelError, PlatformId};
use mailshift_store::StateError;
use thiserror::Error;

use crate::{DirectoryError, GroupwareError, ServerError, StoreError};

#[derive(Debug, Error)]
pub enum SandboxError {
    /// A panel rule refused the operation (the message says what to do instead).
    #[error("{0}")]
    Panel(#[from] PanelError),
    /// A state file of the sandbox cannot be read or written.
    #[error("{0}")]
    State(#[from] StateError),
    #[error("the sandbox mailboxes of {platform} refused the operation: {source}")]
    Mail {
        platform: String,
        #[source]
        source: StoreError,
    },
    #[error("the sandbox logins of {platform} cannot be updated: {source}")]
    Logins {
        platform: String,
        #[source]
        source: DirectoryError,
    },
    #[error("{0}")]
    Imap(#[from] ServerError),
    #[error("the sandbox DNS server refused: {0}")]
    Dns(#[from] DnsError),
    #[error("cannot prepare the sandbox data directory {path}: {source} (check its permissions and free space)")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} exists but holds no panel state (a sandbox set-up was interrupted): run `mailshift sandbox reset` to start from the demo again")]
    Incomplete { path: PathBuf },
    #[error("the demo data assets/demo/{file} is invalid: {reason} (fix the file and rebuild)")]
    DemoData { file: &'static str, reason: String },
    #[error("platform {0} has no sandbox IMAP server (it was added after the sandbox started): restart the sandbox")]
    NoServer(PlatformId),
    #[error(
        "the sandbox calendars, contacts or rules of {platform} refused the operation: {source}"
    )]
    Groupware {
        platform: String,
        #[source]
        source: GroupwareError,
    },
    #[error("cannot start the sandbox CalDAV/CardDAV or ManageSieve server of {platform}: {source} (is the port free?)")]
    GroupwareServer {
        platform: String,
        #[source]
        source: std::io::Error,
    },
    #[error("platform {0} has no calendars, contacts or rules (only Exchange platforms do)")]
    NoGroupware(PlatformId),
    #[error("the sandbox's {what} keeps port {port} (so tasks recorded earlier still reach it), but another program listens there: stop that program (a handed-off mailshift runner hosts the sandbox until its tasks end), or choose ports with MAILSHIFT_SANDBOX_IMAP_PORT, MAILSHIFT_SANDBOX_DNS_PORT, MAILSHIFT_SANDBOX_SMTP_PORT or `mailshift sandbox serve --imap-port`")]
    PortTaken { what: String, port: u16 },
    #[error("the sandbox's {what} cannot listen on port {port}: {reason}")]
    PortUnusable {
        what: String,
        port: u16,
        reason: String,
    },
    #[error("the sandbox setup task failed: {0}")]
    Task(String),
}

impl SandboxError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        SandboxError::Io {
            path: path.into(),
            source,
        }
    }
}
