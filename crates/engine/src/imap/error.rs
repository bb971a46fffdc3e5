//! Errors of the connection layer, each naming the side and what to fix.

use super::endpoint::Side;

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("{side}: cannot resolve host {host}: check the --{flag}-host spelling", flag = side.flag())]
    UnknownHost { side: Side, host: String },
    #[error("{side}: connection refused by {host}:{port}: check --{flag}-port and that the IMAP server runs", flag = side.flag())]
    Refused { side: Side, host: String, port: u16 },
    #[error("{side}: no answer from {host}:{port} within {secs} s: check the host, the port and any firewall")]
    ConnectTimeout {
        side: Side,
        host: String,
        port: u16,
        secs: u64,
    },
    #[error("{side}: cannot connect to {host}:{port}: {reason}")]
    Connect {
        side: Side,
        host: String,
        port: u16,
        reason: String,
    },
    #[error("{side}: TLS with {host}:{port} failed: {reason}; {hint}")]
    Tls {
        side: Side,
        host: String,
        port: u16,
        reason: String,
        hint: &'static str,
    },
    #[error("{side}: {host}:{port} does not offer STARTTLS; refusing to send the password in clear (use --{flag}-security tls, or none only on a trusted network)", flag = side.flag())]
    StartTlsRefused { side: Side, host: String, port: u16 },
    #[error("{side}: login refused by {host} for {user}: check the password (MAILSHIFT_{env}_PASSWORD or --{flag}-password-file){detail}", env = side.flag().to_uppercase(), flag = side.flag())]
    AuthFailed {
        side: Side,
        host: String,
        user: String,
        detail: String,
    },
    #[error("{side}: {host} does not support {method} authentication: use --{flag}-auth login or plain", flag = side.flag())]
    AuthUnsupported {
        side: Side,
        host: String,
        method: &'static str,
    },
    #[error("{side}: {host} did not greet as an IMAP server: is {port} an IMAP port?")]
    NotImap { side: Side, host: String, port: u16 },
    #[error("{side}: {what} timed out after {secs} s")]
    Timeout { side: Side, what: String, secs: u64 },
    #[error("{side}: connection lost during {what}: {reason}")]
    Lost {
        side: Side,
        what: String,
        reason: String,
    },
    #[error("{side}: server refused {what}: {reason}")]
    Refusal {
        side: Side,
        what: String,
        reason: String,
    },
    #[error("{side}: over quota while {what}: {reason}")]
    OverQuota {
        side: Side,
        what: String,
        reason: String,
    },
}

impl ImapError {
    pub fn side(&self) -> Side {
        match self {
            ImapError::UnknownHost { side, .. }
            | ImapError::Refused { side, .. }
            | ImapError::ConnectTimeout { side, .. }
            | ImapError::Connect { side, .. }
            | ImapError::Tls { side, .. }
            | ImapError::StartTlsRefused { side, .. }
            | ImapError::AuthFailed { side, .. }
            | ImapError::AuthUnsupported { side, .. }
            | ImapError::NotImap { side, .. }
            | ImapError::Timeout { side, .. }
            | ImapError::Lost { side, .. }
            | ImapError::Refusal { side, .. }
            | ImapError::OverQuota { side, .. } => *side,
        }
    }

    /// Authentication problems: retrying will not help, the user must act.
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            ImapError::AuthFailed { .. } | ImapError::AuthUnsupported { .. }
        )
    }

    /// Could not establish a connection at all (host, port, TLS, not IMAP).
    pub fn is_connect(&self) -> bool {
        matches!(
            self,
            ImapError::UnknownHost { .. }
                | ImapError::Refused { .. }
                | ImapError::ConnectTimeout { .. }
                | ImapError::Connect { .. }
                | ImapError::Tls { .. }
                | ImapError::StartTlsRefused { .. }
                | ImapError::NotImap { .. }
        )
    }

    /// The connection is dead (or in an unknown state): reconnect before retrying.
    pub fn is_transient(&self) -> bool {
        matches!(self, ImapError::Timeout { .. } | ImapError::Lost { .. })
    }
}

/// How long a busy server asks us to wait, from the words of its refusal:
/// `[UNAVAILABLE]`, `[INUSE]`, `[LIMIT]`, "too many connections", or Office
/// 365's "Suggested Backoff Time: N milliseconds". The one place such words
/// are recognised (login, commands, retries).
pub(crate) fn busy_hint(text: &str) -> Option<std::time::Duration> {
    let lower = text.to_ascii_lowercase();
    if let Some(i) = lower.find("suggested backoff time:") {
        let digits: String = lower[i + "suggested backoff time:".len()..]
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(ms) = digits.parse::<u64>() {
            return Some(std::time::Duration::from_millis(ms.min(120_000)));
        }
    }
    let busy = [
        "[unavailable]",
        "[inuse]",
        "[limit]",
        "too many connections",
        "maximum number of connections",
        "too many simultaneous",
        "try again later",
    ];
    busy.iter()
        .any(|b| lower.contains(b))
        .then_some(std::time::Duration::from_secs(2))
}
