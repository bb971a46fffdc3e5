//! mailshift's migration engine: the IMAP connection layer (`imap`), the
//! append-only migration journal (`journal`) and the copy engine itself
//! (`migrate`: plan, copy, dedupe, verify, progress events).

pub mod imap;
pub mod journal;
pub mod migrate;
