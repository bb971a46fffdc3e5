//! What can go wrong in the Maildir store, worded for the person who has to
//! act on it (a trainee in the panel, a client's user, a test author).

use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::name::NameError;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot access {path}: {source} (check the sandbox data directory's permissions and free space)")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("the folder index {path} is damaged ({reason}): delete it and the folder will be re-indexed with a new UIDVALIDITY")]
    CorruptIndex { path: PathBuf, reason: String },
    #[error("invalid name: {0}")]
    BadName(#[from] NameError),
    #[error("there is no sandbox account {0:?}: create it first")]
    AccountNotFound(String),
    #[error("the sandbox account {0:?} already exists: pick another name or reset it")]
    AccountExists(String),
    #[error("there is no folder {0:?} in this account: create it first or check the name")]
    FolderNotFound(String),
    #[error("the folder {0:?} already exists")]
    FolderExists(String),
    #[error("the folder {0:?} has subfolders: delete them first")]
    FolderHasChildren(String),
    #[error("INBOX cannot be deleted or renamed")]
    InboxIsSpecial,
    #[error("message UID {0} does not exist (it may have been expunged)")]
    MessageNotFound(u32),
    #[error("the message contains a NUL byte, which IMAP literals cannot carry: send it without NUL bytes")]
    NulInMessage,
    #[error("quota exceeded for {login}: {used} of {quota} bytes used, the message needs {size} more; delete mail or raise the quota")]
    OverQuota {
        login: String,
        used: u64,
        quota: u64,
        size: u64,
    },
}

impl StoreError {
    pub(crate) fn io(path: &Path, source: io::Error) -> Self {
        StoreError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
