//! Between the store's plain strings and imap-types' validated values (names, flags).

use std::num::NonZeroU32;

use imap_next::imap_types::flag::{Flag, FlagFetch};
use imap_next::imap_types::mailbox::{ListMailbox, Mailbox};

use super::reply::Reply;

pub(super) fn mailbox_name(mailbox: &Mailbox<'_>) -> Result<String, Reply> {
    match mailbox {
        Mailbox::Inbox => Ok("INBOX".to_string()),
        Mailbox::Other(other) => String::from_utf8(other.inner().as_ref().to_vec())
            .map_err(|_| Reply::Bad("folder names must be 7-bit (modified UTF-7) text".into())),
    }
}

pub(super) fn list_pattern(pattern: &ListMailbox<'_>) -> Result<String, Reply> {
    let bytes: &[u8] = match pattern {
        ListMailbox::Token(t) => t.as_ref(),
        ListMailbox::String(s) => s.as_ref(),
    };
    String::from_utf8(bytes.to_vec())
        .map_err(|_| Reply::Bad("the LIST pattern must be 7-bit text".into()))
}

pub(super) fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

pub(super) fn imap_flag(flag: &str) -> Option<Flag<'static>> {
    Flag::try_from(flag.to_string().as_str()).ok().map(|f| {
        use imap_next::imap_types::IntoStatic;
        f.into_static()
    })
}

pub(super) fn flag_fetch(flags: &[String]) -> Vec<FlagFetch<'static>> {
    flags
        .iter()
        .filter_map(|f| imap_flag(f))
        .map(FlagFetch::Flag)
        .collect()
}

pub(super) fn system_flags() -> Vec<Flag<'static>> {
    vec![
        Flag::Answered,
        Flag::Flagged,
        Flag::Deleted,
        Flag::Seen,
        Flag::Draft,
    ]
}
