//! A logged-in IMAP connection: its types (time limits, capabilities, listed
//! folders, mailbox state). Opening one is `connect`, its commands `commands`, the
//! servers' and async-imap's quirks `quirks`.

use std::time::Duration;

use super::endpoint::Side;
use super::limit::{Limited, ReadLimit};

pub type Session = async_imap::Session<Limited>;

/// Per-operation time limits.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub command: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(15),
            command: Duration::from_secs(120),
        }
    }
}

impl Timeouts {
    /// The same limit for connecting and for each command, or the defaults.
    pub fn limited(secs: Option<u64>) -> Timeouts {
        match secs {
            Some(s) => Timeouts {
                connect: Duration::from_secs(s),
                command: Duration::from_secs(s),
            },
            None => Timeouts::default(),
        }
    }
}

/// What the server can do that changes how we talk to it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Caps {
    pub multiappend: bool,
    pub literal_plus: bool,
    pub uidplus: bool,
    pub namespace: bool,
}

/// A folder as LIST reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedFolder {
    /// The name exactly as the server sent it (modified UTF-7).
    pub raw: String,
    pub delimiter: Option<char>,
    pub noselect: bool,
    pub special: Option<SpecialUse>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum SpecialUse {
    Sent,
    Drafts,
    Trash,
    Junk,
    Archive,
}

/// STATUS / SELECT numbers of one mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MailboxState {
    pub messages: u32,
    pub uid_next: u32,
    pub uid_validity: u32,
}

pub struct Conn {
    pub(crate) session: Session,
    pub side: Side,
    /// The address actually reached (names a server however it was spelled).
    pub peer: Option<std::net::SocketAddr>,
    pub host: String,
    pub caps: Caps,
    pub timeouts: Timeouts,
    /// The mailbox currently selected (raw name) and whether read-only.
    pub(crate) selected: Option<(String, bool)>,
    /// Set once an operation failed mid-way: the session must be replaced.
    pub(crate) broken: bool,
    /// EXISTS of the selected mailbox when it was opened.
    pub(crate) selected_exists: u32,
    /// What the answer being read may bring (see `limit`).
    pub(crate) limit: std::sync::Arc<ReadLimit>,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn")
            .field("side", &self.side)
            .field("host", &self.host)
            .field("caps", &self.caps)
            .finish()
    }
}
