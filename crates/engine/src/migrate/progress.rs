//! Progress events the engine emits while it works.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Both sides logged in; folder plan under way.
    Connected { connections: usize },
    /// A folder's work is known.
    Planned {
        folder: String,
        to_copy: u64,
        bytes: u64,
        skipped: u64,
    },
    /// A batch landed on the destination.
    Copied {
        folder: String,
        messages: u64,
        bytes: u64,
    },
    /// Verification of a folder finished.
    Verified { folder: String, ok: bool },
    /// Something went wrong that did not stop the run.
    Problem {
        message: String,
        /// What the user can change about it (worded by the CLI or the panel).
        #[serde(skip_serializing_if = "Option::is_none")]
        remedy: Option<mailshift_net::Remedy>,
    },
}
