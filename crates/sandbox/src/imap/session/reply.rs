//! How a command ends: the tagged NO/BAD a failure becomes, and valid IMAP text for any
//! message (store errors are worded for the client, never with a file path).

use imap_next::imap_types::core::Tag;
use imap_next::imap_types::response::{Code, CodeOther, Status};

use crate::maildir::name::{NameError, MAX_NAME_LEN};
use crate::maildir::StoreError;

pub(super) type Res = Result<(), Reply>;

/// A tagged NO or BAD ending a command early.
pub(super) enum Reply {
    No(Option<Code<'static>>, String),
    Bad(String),
}

impl From<StoreError> for Reply {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::OverQuota { .. } => Reply::No(Some(Code::OverQuota), e.to_string()),
            StoreError::FolderNotFound(_) => {
                Reply::No(Some(code_other("NONEXISTENT")), e.to_string())
            }
            StoreError::BadName(NameError::TooLong) => Reply::No(
                Some(code_other("CANNOT")),
                format!("mailbox name too long (max {MAX_NAME_LEN} bytes; spaces, dots and non-ASCII characters count three)"),
            ),
            StoreError::BadName(_) => Reply::Bad(e.to_string()),
            // A fault of the sandbox, not of the client: the details (with the file's
            // path) go to the log, the client gets a sentence.
            StoreError::Io { .. } | StoreError::CorruptIndex { .. } => {
                tracing::error!(error = %e, "sandbox store failure");
                Reply::No(
                    Some(code_other("SERVERBUG")),
                    "the sandbox could not read or write its mail files (its log has the details)"
                        .into(),
                )
            }
            _ => Reply::No(None, e.to_string()),
        }
    }
}

pub(super) fn code_other(atom: &'static str) -> Code<'static> {
    Code::Other(CodeOther::unvalidated(atom.as_bytes()))
}

/// Turns any message into valid IMAP `text` (one line, not empty).
pub(super) fn text(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let t = t.trim().trim_start_matches('[').to_string();
    if t.is_empty() {
        "done".to_string()
    } else {
        t
    }
}

pub fn status_ok(
    tag: Option<Tag<'static>>,
    code: Option<Code<'static>>,
    msg: &str,
) -> Status<'static> {
    Status::ok(tag, code, text(msg)).expect("sanitised text is valid")
}

pub fn status_no(
    tag: Option<Tag<'static>>,
    code: Option<Code<'static>>,
    msg: &str,
) -> Status<'static> {
    Status::no(tag, code, text(msg)).expect("sanitised text is valid")
}

pub fn status_bad(tag: Option<Tag<'static>>, msg: &str) -> Status<'static> {
    Status::bad(tag, None, text(msg)).expect("sanitised text is valid")
}
