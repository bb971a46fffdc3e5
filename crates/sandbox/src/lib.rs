//! mailshift-sandbox: the simulated provider. A Maildir store (`maildir`), a login
//! directory (`directory`), an IMAP4rev1 server on loopback (`imap`), and the provider
//! itself (`provider`): panel, servers, DNS zones and demo seed kept in step.

pub mod directory;
pub mod imap;
pub mod maildir;
pub mod provider;

pub use directory::{Directory, DirectoryError};
pub use imap::{SandboxImap, SandboxImapHandle, ServerConfig, ServerError};
pub use maildir::{
    Appended, FlagChange, FolderInfo, FolderSnapshot, FolderStatus, MailStore, MessageMeta,
    SpecialUse, StoreError,
};
pub use provider::{Sandbox, SandboxError, SandboxOptions};
