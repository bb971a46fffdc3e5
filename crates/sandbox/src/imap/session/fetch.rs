//! FETCH, streamed: the command only prepares a [`FetchJob`] (which messages, which items);
//! the connection then asks for one message's answer at a time and writes it out before
//! asking for the next, so memory holds one message whatever the folder size.

use imap_next::imap_types::core::{Literal, NString, Tag, Vec1};
use imap_next::imap_types::datetime::DateTime as ImapDateTime;
use imap_next::imap_types::fetch::{
    MacroOrMessageDataItemNames, MessageDataItem, MessageDataItemName,
};
use imap_next::imap_types::response::Data;
use imap_next::imap_types::sequence::SequenceSet;
use imap_next::server::{ResponseHandle, Server};

use super::convert::{flag_fetch, nz};
use super::reply::{status_bad, status_no, status_ok, Reply};
use super::Session;
use crate::imap::{fetch, sequence};
use crate::maildir::{FlagChange, MessageMeta, StoreError};

/// A FETCH being answered.
pub struct FetchJob {
    tag: Tag<'static>,
    login: String,
    folder: String,
    plan: fetch::FetchPlan,
    uid: bool,
    mark_seen: bool,
    /// (sequence number, UID) still to answer, in order.
    targets: std::vec::IntoIter<(u32, u32)>,
    /// The folder's messages when the command started (metadata only), by UID.
    messages: Vec<MessageMeta>,
}

impl Session {
    /// Checks the command and prepares its answer; nothing is sent yet.
    pub(super) fn fetch(
        &mut self,
        server: &mut Server,
        tag: Tag<'static>,
        set: &SequenceSet,
        names: MacroOrMessageDataItemNames<'static>,
        uid: bool,
    ) -> Result<(), Reply> {
        let login = self.login()?;
        self.selected()?;
        let plan = fetch::plan(names).map_err(Reply::Bad)?;
        self.sync(server, uid);
        let sel = self.selected()?;
        let targets = sequence::resolve(set, &sel.uids, uid)
            .map_err(|e| Reply::Bad(format!("there is no message {} in this folder", e.0)))?;
        let folder = sel.folder.clone();
        let mark_seen = plan.sets_seen && !sel.read_only;
        let messages = self.shared.store.snapshot(&login, &folder)?.messages;
        self.fetching = Some(FetchJob {
            tag,
            login,
            folder,
            plan,
            uid,
            mark_seen,
            targets: targets.into_iter(),
            messages,
        });
        Ok(())
    }

    /// Whether a FETCH answer is being streamed.
    pub fn is_fetching(&self) -> bool {
        self.fetching.is_some()
    }

    /// Enqueues the next message's answer (or the final status) and returns its handle:
    /// the connection writes up to it before calling again. `None` once the FETCH ended.
    pub fn fetch_next(&mut self, server: &mut Server) -> Option<ResponseHandle> {
        let mut job = self.fetching.take()?;
        loop {
            let Some((seq, msg_uid)) = job.targets.next() else {
                return Some(server.enqueue_status(status_ok(
                    Some(job.tag),
                    None,
                    "FETCH completed",
                )));
            };
            match self.fetch_one(&job, seq, msg_uid) {
                Ok(Some(data)) => {
                    let handle = server.enqueue_data(data);
                    self.fetching = Some(job);
                    return Some(handle);
                }
                // Expunged by another session meanwhile, or nothing to say.
                Ok(None) => continue,
                Err(Reply::No(code, msg)) => {
                    return Some(server.enqueue_status(status_no(Some(job.tag), code, &msg)))
                }
                Err(Reply::Bad(msg)) => {
                    return Some(server.enqueue_status(status_bad(Some(job.tag), &msg)))
                }
            }
        }
    }

    /// One message's FETCH data, reading its file only when an item needs the bytes.
    fn fetch_one(
        &self,
        job: &FetchJob,
        seq: u32,
        msg_uid: u32,
    ) -> Result<Option<Data<'static>>, Reply> {
        let Ok(pos) = job.messages.binary_search_by_key(&msg_uid, |m| m.uid) else {
            return Ok(None);
        };
        let meta = &job.messages[pos];
        let store = &self.shared.store;
        let body = if job.plan.needs_body {
            match store.read_message(&job.login, &job.folder, msg_uid) {
                // Literals cannot carry NUL (mail dropped into the Maildir by hand).
                Ok(b) if b.contains(&0) => {
                    return Err(Reply::No(
                        None,
                        format!(
                            "message UID {msg_uid} contains NUL bytes, which IMAP4rev1 cannot send"
                        ),
                    ))
                }
                Ok(b) => Some(b),
                Err(StoreError::MessageNotFound(_)) => return Ok(None),
                Err(e) => return Err(e.into()),
            }
        } else {
            None
        };
        let mut flags = meta.flags.clone();
        let mut flags_changed = false;
        if job.mark_seen && !flags.iter().any(|f| f == "\\Seen") {
            if let Some((_, new)) = store
                .store_flags(
                    &job.login,
                    &job.folder,
                    &[msg_uid],
                    FlagChange::Add,
                    &["\\Seen".to_string()],
                )?
                .pop()
            {
                flags = new;
                flags_changed = true;
            }
        }
        let body = body.unwrap_or_default();
        let mut items: Vec<MessageDataItem<'static>> = Vec::new();
        if job.uid {
            items.push(MessageDataItem::Uid(nz(msg_uid)));
        }
        let mut sent_flags = false;
        for name in &job.plan.items {
            let item = match name {
                MessageDataItemName::Uid if job.uid => continue,
                MessageDataItemName::Uid => MessageDataItem::Uid(nz(msg_uid)),
                MessageDataItemName::Flags => {
                    sent_flags = true;
                    MessageDataItem::Flags(flag_fetch(&flags))
                }
                MessageDataItemName::InternalDate => {
                    MessageDataItem::InternalDate(ImapDateTime::unvalidated(meta.internal_date))
                }
                MessageDataItemName::Rfc822Size => {
                    MessageDataItem::Rfc822Size(u32::try_from(meta.size).unwrap_or(u32::MAX))
                }
                MessageDataItemName::BodyExt {
                    section, partial, ..
                } => {
                    let whole = fetch::section_bytes(&body, section.as_ref());
                    let (data, origin) = match partial {
                        Some((start, len)) => {
                            let start_at = (*start as usize).min(whole.len());
                            let end = start_at.saturating_add(len.get() as usize).min(whole.len());
                            (whole[start_at..end].to_vec(), Some(*start))
                        }
                        None => (whole, None),
                    };
                    MessageDataItem::BodyExt {
                        section: section.clone(),
                        origin,
                        data: literal(data),
                    }
                }
                MessageDataItemName::Rfc822 => MessageDataItem::Rfc822(literal(body.clone())),
                MessageDataItemName::Rfc822Header => MessageDataItem::Rfc822Header(literal(
                    body[..fetch::header_len(&body)].to_vec(),
                )),
                MessageDataItemName::Rfc822Text => {
                    MessageDataItem::Rfc822Text(literal(body[fetch::header_len(&body)..].to_vec()))
                }
                _ => continue,
            };
            items.push(item);
        }
        if flags_changed && !sent_flags {
            items.push(MessageDataItem::Flags(flag_fetch(&flags)));
        }
        Ok(Vec1::try_from(items).ok().map(|items| Data::Fetch {
            seq: nz(seq),
            items,
        }))
    }
}

fn literal(data: Vec<u8>) -> NString<'static> {
    NString::from(Literal::unvalidated(data))
}
