//! mailshift-sandbox: the simulated provider. A Maildir store and logins (`maildir`, `directory`),
//! IMAP4rev1, SMTP, CalDAV/CardDAV and ManageSieve servers on loopback over them and the
//! groupware store (`imap`, `smtp`, `dav`, `sieve`, `groupware`), and the `provider` keeping all in step.

pub mod connection_limit;
pub mod dav;
pub mod directory;
pub mod groupware;
pub mod imap;
pub mod maildir;
mod private_file;
pub mod provider;
pub mod sieve;
pub mod smtp;

pub use directory::{Directory, DirectoryError};
pub use groupware::{GroupwareEndpoints, GroupwareError, GroupwareStore, GroupwareSummary};
pub use imap::{SandboxImap, SandboxImapHandle, ServerConfig, ServerError};
pub use maildir::{
    Appended, FlagChange, FolderInfo, FolderSnapshot, FolderStatus, MailStore, MessageMeta,
    SpecialUse, StoreError,
};
pub use provider::{
    sandbox_greets, KeptPorts, PanelStore, PlatformPorts, Sandbox, SandboxError, SandboxHost,
    SandboxOptions, ServedSandbox, PORTS_FILE,
};
pub use smtp::{
    Mailbox, RelayLogin, SandboxRelay, SandboxSmtp, SandboxSmtpHandle, SmtpConfig, SmtpError,
    NOTIFICATIONS_LOGIN,
};
