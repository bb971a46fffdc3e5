//! Errors of the test kit, worded so the person running the tests knows what to fix.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum TestkitError {
    #[error(
        "dovecot is not installed (looked for {0}); install the Debian package `dovecot-imapd`"
    )]
    DovecotMissing(PathBuf),

    #[error(
        "Cyrus IMAP is not unpacked at {0} (or `saslpasswd2` is missing): run `.ci/run`, which \
         downloads Debian's cyrus-common and cyrus-imapd and unpacks them there, or point \
         MAILSHIFT_CYRUS_ROOT at another unpack root"
    )]
    CyrusMissing(PathBuf),

    #[error(
        "Cyrus did not start: {reason} (instance directory {dir}; Cyrus logs to syslog only, \
         so run its master under strace to see why)"
    )]
    CyrusStart {
        reason: String,
        dir: PathBuf,
        /// Did the master process exit (rather than stay silent)?
        exited: bool,
    },

    #[error("could not prepare the Dovecot directory {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{0}")]
    Setup(String),

    #[error("Dovecot did not start: {reason}\n--- last lines of {log} ---\n{log_tail}")]
    DovecotStart {
        reason: String,
        log: PathBuf,
        log_tail: String,
    },

    #[error("could not generate the self-signed certificate: {0}")]
    Certificate(String),

    #[error("IMAP connection to {addr} failed: {source}")]
    Connect {
        addr: String,
        #[source]
        source: std::io::Error,
    },

    #[error("IMAP I/O error during {during}: {source}")]
    Wire {
        during: String,
        #[source]
        source: std::io::Error,
    },

    #[error("the server closed the IMAP connection during {0}")]
    Closed(String),

    #[error("the server refused `{command}`: {response}")]
    Refused { command: String, response: String },

    #[error("could not understand the server's reply to `{command}`: {detail}")]
    Protocol { command: String, detail: String },
}

impl TestkitError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        TestkitError::Io {
            path: path.into(),
            source,
        }
    }

    /// The server's response text when it refused a command (e.g. to look for `[OVERQUOTA]`).
    pub fn server_response(&self) -> Option<&str> {
        match self {
            TestkitError::Refused { response, .. } => Some(response),
            _ => None,
        }
    }
}
