//! The connection layer over async-imap: TLS / STARTTLS / plain, LOGIN /
//! PLAIN / XOAUTH2, timeouts on every call, APPEND with APPENDUID and
//! MULTIAPPEND, modified UTF-7 names. Knows nothing of migrations.

mod append;
mod commands;
mod connect;
mod endpoint;
mod error;
mod expunge;
mod fetch;
mod limit;
pub mod namespace;
mod quirks;
mod raw;
mod session;
pub mod uidset;
pub mod utf7;

pub use append::{Appended, OutMessage};
pub use connect::connect;
pub use endpoint::{AuthMethod, Endpoint, Secret, Security, Side, TlsOptions};
pub use error::ImapError;
pub use fetch::{BodyDigest, FetchedMessage, HeaderFacts, MessageRef};
pub use mailshift_net::{client_config, tls_failure_reason, TlsConfigError, Transport};
pub use namespace::{Namespace, NamespaceKind, Namespaces};
pub use session::{Caps, Conn, ListedFolder, MailboxState, SpecialUse, Timeouts};
