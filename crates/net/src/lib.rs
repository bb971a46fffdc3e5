//! What every mailshift client (IMAP engine, DAV, ManageSieve, SMTP notify) shares:
//! the secret type, `Security`, `AuthMethod`, `Side`, the e-mail address check, TLS
//! options and — with the `tls` feature — the rustls client configuration and the
//! plain-or-TLS byte stream. Knows no protocol.

pub mod address;
mod auth;
pub mod remedy;
pub mod reply;
mod secret;
mod security;
mod side;
pub mod tls;
#[cfg(feature = "tls")]
mod transport;

pub use address::{check_address, AddressError};
pub use auth::AuthMethod;
pub use remedy::{Failure, Remedy};
pub use reply::{classify, ReplyKind};
pub use secret::Secret;
pub use security::Security;
pub use side::Side;
pub use tls::TlsOptions;
#[cfg(feature = "tls")]
pub use tls::{client_config, tls_failure_reason, TlsConfigError};
#[cfg(feature = "tls")]
pub use transport::Transport;

/// A word that names none of a closed set of choices, with the choices.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{given}': use {choices}")]
pub struct UnknownChoice {
    /// What was being chosen ("security", "authentication", ...).
    pub what: &'static str,
    /// The word as given.
    pub given: String,
    /// The accepted words, as a sentence ("tls, starttls or none").
    pub choices: &'static str,
}
