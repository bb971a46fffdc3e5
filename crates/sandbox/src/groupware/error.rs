//! What the groupware store refuses, worded for the person (or client) who asked.

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum GroupwareError {
    #[error("cannot read or write the sandbox groupware file {path}: {source} (check permissions and free space)")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the sandbox groupware file {path} is damaged: {reason} (run `mailshift sandbox reset`)"
    )]
    Damaged { path: PathBuf, reason: String },
    #[error("{what} name {name:?} is not allowed: use 1 to 200 bytes, no '/', no control characters, not starting with '.'")]
    BadName { what: &'static str, name: String },
    #[error("{what} {name:?} does not exist")]
    NotFound { what: &'static str, name: String },
    #[error("{what} {name:?} already exists")]
    Exists { what: &'static str, name: String },
    #[error(
        "the Sieve script {0:?} is the active one: activate another (or none) before deleting it"
    )]
    ActiveScript(String),
}

impl GroupwareError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        GroupwareError::Io {
            path: path.into(),
            source,
        }
    }
}
