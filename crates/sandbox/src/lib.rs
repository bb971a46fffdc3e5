//! mailshift-sandbox: the simulated provider's IMAP side. A Maildir store
//! (`maildir`), a login directory (`directory`) and an IMAP4rev1 server on
//! loopback built on imap-next (`imap`) that serves the store to any client.

pub mod directory;
pub mod imap;
pub mod maildir;

pub use directory::{Directory, DirectoryError};
pub use imap::{SandboxImap, SandboxImapHandle, ServerConfig, ServerError};
pub use maildir::{
    Appended, FlagChange, FolderInfo, FolderSnapshot, FolderStatus, MailStore, MessageMeta,
    SpecialUse, StoreError,
};
