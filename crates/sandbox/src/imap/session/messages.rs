//! APPEND, EXPUNGE and STORE: the commands that change messages.

use chrono::{DateTime, FixedOffset};
use imap_next::imap_types::core::Vec1;
use imap_next::imap_types::datetime::DateTime as ImapDateTime;
use imap_next::imap_types::extensions::binary::LiteralOrLiteral8;
use imap_next::imap_types::fetch::MessageDataItem;
use imap_next::imap_types::flag::{Flag, StoreResponse, StoreType};
use imap_next::imap_types::mailbox::Mailbox;
use imap_next::imap_types::response::{Code, Data};
use imap_next::server::Server;

use super::convert::{flag_fetch, mailbox_name, nz};
use super::reply::{Reply, Res};
use super::Session;
use crate::imap::sequence;
use crate::maildir::{FlagChange, StoreError};

impl Session {
    pub(super) fn append(
        &mut self,
        server: &mut Server,
        mailbox: &Mailbox<'_>,
        flags: &[Flag<'_>],
        date: Option<ImapDateTime>,
        message: LiteralOrLiteral8<'_>,
    ) -> Result<Code<'static>, Reply> {
        let login = self.login()?;
        let LiteralOrLiteral8::Literal(literal) = message else {
            return Err(Reply::No(
                None,
                "BINARY literals (~{n}) are not supported by the sandbox".into(),
            ));
        };
        let folder = mailbox_name(mailbox)?;
        let flags: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
        let date: Option<DateTime<FixedOffset>> = date.map(|d| *d.as_ref());
        let appended = self
            .shared
            .store
            .append(&login, &folder, literal.data(), &flags, date)
            .map_err(|e| match e {
                StoreError::FolderNotFound(_) => Reply::No(Some(Code::TryCreate), e.to_string()),
                other => Reply::from(other),
            })?;
        if self.selected.as_ref().is_some_and(|s| {
            crate::maildir::name::canonical_folder(&folder).is_ok_and(|f| f == s.folder)
        }) {
            self.sync(server, false);
        }
        Ok(Code::AppendUid {
            uid_validity: nz(appended.uid_validity),
            uid: nz(appended.uid),
        })
    }

    pub(super) fn expunge(
        &mut self,
        server: &mut Server,
        uids: Option<&imap_next::imap_types::sequence::SequenceSet>,
    ) -> Res {
        let login = self.login()?;
        let sel = self.selected()?;
        if sel.read_only {
            return Err(Reply::No(
                Some(Code::ReadOnly),
                "the folder was opened with EXAMINE (read-only)".into(),
            ));
        }
        let only: Option<Vec<u32>> = match uids {
            Some(set) => Some(
                sequence::resolve(set, &sel.uids, true)
                    .map_err(|e| Reply::Bad(format!("invalid UID set near {}", e.0)))?
                    .into_iter()
                    .map(|(_, uid)| uid)
                    .collect(),
            ),
            None => None,
        };
        let folder = sel.folder.clone();
        self.shared
            .store
            .expunge(&login, &folder, only.as_deref())?;
        self.sync(server, true);
        Ok(())
    }

    pub(super) fn store(
        &mut self,
        server: &mut Server,
        set: &imap_next::imap_types::sequence::SequenceSet,
        kind: StoreType,
        response: StoreResponse,
        flags: &[Flag<'_>],
        uid: bool,
    ) -> Res {
        let login = self.login()?;
        self.selected()?;
        self.sync(server, uid);
        let sel = self.selected()?;
        if sel.read_only {
            return Err(Reply::No(
                Some(Code::ReadOnly),
                "the folder was opened with EXAMINE (read-only)".into(),
            ));
        }
        let targets = sequence::resolve(set, &sel.uids, uid)
            .map_err(|e| Reply::Bad(format!("there is no message {} in this folder", e.0)))?;
        let change = match kind {
            StoreType::Replace => FlagChange::Replace,
            StoreType::Add => FlagChange::Add,
            StoreType::Remove => FlagChange::Remove,
        };
        let flags: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
        let uids: Vec<u32> = targets.iter().map(|t| t.1).collect();
        let folder = sel.folder.clone();
        let changed = self
            .shared
            .store
            .store_flags(&login, &folder, &uids, change, &flags)?;
        if response == StoreResponse::Answer {
            for (msg_uid, new) in changed {
                let Some(&(seq, _)) = targets.iter().find(|t| t.1 == msg_uid) else {
                    continue;
                };
                let mut items = vec![MessageDataItem::Flags(flag_fetch(&new))];
                if uid {
                    items.insert(0, MessageDataItem::Uid(nz(msg_uid)));
                }
                if let Ok(items) = Vec1::try_from(items) {
                    server.enqueue_data(Data::Fetch {
                        seq: nz(seq),
                        items,
                    });
                }
            }
        }
        Ok(())
    }
}
