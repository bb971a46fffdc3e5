//! mailshift-testkit: the test bench for the migration engine.
//! Owns throwaway Dovecot and Cyrus servers, an independent synchronous IMAP client (the oracle that
//! judges results, sharing no code with the engine), and deterministic realistic seed mail.

pub mod cyrus;
pub mod dovecot;
mod error;
pub mod fault;
pub mod liar;
pub mod oracle;
pub mod radicale;
pub mod seed;
pub mod skip;
mod workdir;

pub use cyrus::{Cyrus, CyrusNamespace, CyrusOptions};
pub use dovecot::{Dovecot, DovecotOptions, Layout};
pub use error::TestkitError;
pub use liar::{LiarConfig, LiarFolder, LiarMessage, LiarServer, Lies};
pub use oracle::{
    FolderInfo, MailboxSnapshot, MessageFacts, Namespace, NamespaceKind, Namespaces, Oracle,
    SeedMessage, SnapshotDiff,
};
pub use seed::{generate_message, seed, seed_at, SeedReport, SeedRng, SeedSpec, SizeProfile};
pub use skip::require;
