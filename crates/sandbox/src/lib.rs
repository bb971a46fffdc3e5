//! mailshift-sandbox: the simulated provider. A Maildir store (`maildir`), a login
//! directory (`directory`), IMAP4rev1 and SMTP servers on loopback (`imap`, `smtp`), and
//! the provider itself (`provider`): panel, servers, DNS zones and demo seed kept in step.

pub mod directory;
pub mod imap;
pub mod maildir;
pub mod provider;
pub mod smtp;

pub use directory::{Directory, DirectoryError};
pub use imap::{SandboxImap, SandboxImapHandle, ServerConfig, ServerError};
pub use maildir::{
    Appended, FlagChange, FolderInfo, FolderSnapshot, FolderStatus, MailStore, MessageMeta,
    SpecialUse, StoreError,
};
pub use provider::{Sandbox, SandboxError, SandboxOptions};
pub use smtp::{
    Mailbox, RelayLogin, SandboxRelay, SandboxSmtp, SandboxSmtpHandle, SmtpConfig, SmtpError,
    NOTIFICATIONS_LOGIN,
};
