use serde::{Deserialize, Serialize};

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Record {
    /// A task started on this pair.
    Task { task: String, started: String },
    /// Source folder `src` maps to destination folder `dst` (raw names);
    /// `created` when this task created `dst`.
    Folder {
        task: String,
        src: String,
        dst: String,
        created: bool,
    },
    /// Messages now on the destination: (source UID, destination UID when
    /// the server reported it). `fps` holds fingerprints for those without.
    Copied {
        task: String,
        src: String,
        suv: u32,
        dst: String,
        duv: u32,
        pairs: Vec<(u32, Option<u32>)>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        fps: Vec<String>,
        /// The bytes each message had when we appended it, in `pairs` order
        /// (empty in journals of earlier versions and for messages found
        /// already there): verification compares against these, never
        /// against a size the source advertised.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        sizes: Vec<u32>,
    },
    /// Written before a batch is appended (write-ahead): if the run dies
    /// before the batch's `Copied`, whatever of it reached `dst` (found by
    /// these fingerprints at UIDs from `uid_next` on) is `task`'s, so that a
    /// resume does not call it "found there" and rollback removes it.
    Pending {
        task: String,
        src: String,
        suv: u32,
        dst: String,
        duv: u32,
        /// The destination folder's UIDNEXT before this run wrote to it:
        /// messages below it were there before and are never claimed.
        uid_next: u32,
        /// Source UIDs, and the fingerprint of each in the same order.
        uids: Vec<u32>,
        fps: Vec<String>,
    },
    /// Source folder fully copied and verified as of these readings.
    Done {
        src: String,
        suv: u32,
        uid_next: u32,
        messages: u32,
        dst: String,
        duv: u32,
        /// The destination folder as verification saw it (0: not recorded,
        /// by earlier versions; such a mark never skips a folder).
        #[serde(default)]
        dst_uid_next: u32,
        #[serde(default)]
        dst_messages: u32,
    },
    /// Rollback of `task` removed these messages from `dst` (written as it
    /// goes, so an interrupted rollback is continued, not forgotten).
    Removed {
        task: String,
        dst: String,
        duv: u32,
        uids: Vec<u32>,
        /// Found by the fingerprints recorded for `dst`: those are settled.
        #[serde(default)]
        by_fingerprint: bool,
    },
    /// Rollback of `task` deleted this folder it had created.
    FolderRemoved { task: String, dst: String },
    /// Everything `task` added was removed again.
    RolledBack { task: String },
    /// `task`'s run ended (whatever its outcome): no APPEND of it is in flight.
    End { task: String },
}
