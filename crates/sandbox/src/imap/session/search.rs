//! SEARCH and UID SEARCH over what the index knows of each message: sequence
//! numbers, UIDs, flags, keywords, size and INTERNALDATE (rollback asks `UID
//! SEARCH UID set` and `UID SEARCH DELETED`). Keys that need the message text
//! (FROM, SUBJECT, BODY, HEADER, SENT*) are refused with NO rather than
//! answered wrongly.

use chrono::NaiveDate;
use imap_next::imap_types::core::Vec1;
use imap_next::imap_types::response::Data;
use imap_next::imap_types::search::SearchKey;
use imap_next::server::Server;

use super::convert::nz;
use super::reply::{Reply, Res};
use super::Session;
use crate::imap::sequence;
use crate::maildir::MessageMeta;

/// One message as a search sees it.
struct Candidate<'a> {
    seq: u32,
    meta: &'a MessageMeta,
}

/// The folder's state the keys are evaluated against.
struct View<'a> {
    /// UIDs in sequence-number order (the session's view).
    uids: &'a [u32],
}

impl Session {
    pub(super) fn search(
        &mut self,
        server: &mut Server,
        criteria: &Vec1<SearchKey<'_>>,
        uid: bool,
    ) -> Res {
        let login = self.login()?;
        self.selected()?;
        if !criteria.as_ref().iter().all(supported) {
            return Err(text_refused());
        }
        // Bring the view up to date first, as STORE does, so numbers match what the
        // client has been told.
        self.sync(server, uid);
        let sel = self.selected()?;
        let snap = self.shared.store.snapshot(&login, &sel.folder)?;
        let view = View { uids: &sel.uids };
        let mut hits = Vec::new();
        for (i, &u) in sel.uids.iter().enumerate() {
            let Ok(at) = snap.messages.binary_search_by_key(&u, |m| m.uid) else {
                // Expunged by another session and not yet reported: it matches nothing.
                continue;
            };
            let c = Candidate {
                seq: i as u32 + 1,
                meta: &snap.messages[at],
            };
            let mut all = true;
            for key in criteria.as_ref() {
                if !matches(key, &c, &view)? {
                    all = false;
                    break;
                }
            }
            if all {
                hits.push(nz(if uid { u } else { c.seq }));
            }
        }
        server.enqueue_data(Data::Search(hits));
        Ok(())
    }
}

fn text_refused() -> Reply {
    Reply::No(
        None,
        "the sandbox searches flags, UIDs, sizes and dates only, not message text or headers"
            .into(),
    )
}

/// Whether `matches` can answer `key` (checked up front so an empty folder refuses
/// the same keys as a full one).
fn supported(key: &SearchKey<'_>) -> bool {
    use SearchKey as K;
    match key {
        K::And(keys) => keys.as_ref().iter().all(supported),
        K::Not(k) => supported(k),
        K::Or(a, b) => supported(a) && supported(b),
        K::All
        | K::SequenceSet(_)
        | K::Uid(_)
        | K::Answered
        | K::Unanswered
        | K::Deleted
        | K::Undeleted
        | K::Draft
        | K::Undraft
        | K::Flagged
        | K::Unflagged
        | K::Seen
        | K::Unseen
        | K::Keyword(_)
        | K::Unkeyword(_)
        | K::Recent
        | K::New
        | K::Old
        | K::Larger(_)
        | K::Smaller(_)
        | K::Before(_)
        | K::On(_)
        | K::Since(_) => true,
        _ => false,
    }
}

fn has(meta: &MessageMeta, flag: &str) -> bool {
    meta.flags.iter().any(|f| f.eq_ignore_ascii_case(flag))
}

fn in_set(
    set: &imap_next::imap_types::sequence::SequenceSet,
    c: &Candidate<'_>,
    view: &View<'_>,
    uid: bool,
) -> Result<bool, Reply> {
    // Out-of-range sequence numbers simply match nothing in a search.
    let picked = match sequence::resolve(set, view.uids, uid) {
        Ok(p) => p,
        Err(_) if !uid => return Ok(false),
        Err(e) => return Err(Reply::Bad(format!("invalid UID set near {}", e.0))),
    };
    Ok(picked.iter().any(|(seq, _)| *seq == c.seq))
}

fn date_of(c: &Candidate<'_>) -> NaiveDate {
    c.meta.internal_date.date_naive()
}

fn matches(key: &SearchKey<'_>, c: &Candidate<'_>, view: &View<'_>) -> Result<bool, Reply> {
    use SearchKey as K;
    let m = c.meta;
    Ok(match key {
        K::And(keys) => {
            for k in keys.as_ref() {
                if !matches(k, c, view)? {
                    return Ok(false);
                }
            }
            true
        }
        K::Not(k) => !matches(k, c, view)?,
        K::Or(a, b) => matches(a, c, view)? || matches(b, c, view)?,
        K::All => true,
        K::SequenceSet(set) => in_set(set, c, view, false)?,
        K::Uid(set) => in_set(set, c, view, true)?,
        K::Answered => has(m, "\\Answered"),
        K::Unanswered => !has(m, "\\Answered"),
        K::Deleted => has(m, "\\Deleted"),
        K::Undeleted => !has(m, "\\Deleted"),
        K::Draft => has(m, "\\Draft"),
        K::Undraft => !has(m, "\\Draft"),
        K::Flagged => has(m, "\\Flagged"),
        K::Unflagged => !has(m, "\\Flagged"),
        K::Seen => has(m, "\\Seen"),
        K::Unseen => !has(m, "\\Seen"),
        K::Keyword(k) => has(m, k.as_ref()),
        K::Unkeyword(k) => !has(m, k.as_ref()),
        // The sandbox never reports \Recent (always 0 RECENT).
        K::Recent | K::New => false,
        K::Old => true,
        K::Larger(n) => m.size > u64::from(*n),
        K::Smaller(n) => m.size < u64::from(*n),
        K::Before(d) => date_of(c) < *d.as_ref(),
        K::On(d) => date_of(c) == *d.as_ref(),
        K::Since(d) => date_of(c) >= *d.as_ref(),
        _ => return Err(text_refused()),
    })
}
