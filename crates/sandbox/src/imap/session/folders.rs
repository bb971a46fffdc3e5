//! SELECT/EXAMINE, LIST/LSUB and STATUS: what the folders are and what they hold.

use imap_next::imap_types::core::{Atom, QuotedChar, Tag};
use imap_next::imap_types::flag::{FlagNameAttribute, FlagPerm};
use imap_next::imap_types::mailbox::{ListMailbox, Mailbox};
use imap_next::imap_types::response::{Code, Data};
use imap_next::imap_types::status::{StatusDataItem, StatusDataItemName};
use imap_next::server::Server;

use super::convert::{list_pattern, mailbox_name, nz, system_flags};
use super::reply::{status_ok, Reply, Res};
use super::{Selected, Session};
use crate::imap::list;
use crate::maildir::StoreError;

impl Session {
    pub(super) fn select(
        &mut self,
        server: &mut Server,
        tag: &Tag<'static>,
        mailbox: &Mailbox<'_>,
        read_only: bool,
    ) -> Res {
        let login = self.login()?;
        self.selected = None;
        let folder = crate::maildir::name::canonical_folder(&mailbox_name(mailbox)?)
            .map_err(StoreError::from)?;
        let snap = self.shared.store.snapshot(&login, &folder)?;
        let uids: Vec<u32> = snap.messages.iter().map(|m| m.uid).collect();
        server.enqueue_data(Data::Flags(system_flags()));
        server.enqueue_data(Data::Exists(uids.len() as u32));
        server.enqueue_data(Data::Recent(0));
        let mut perm: Vec<FlagPerm<'static>> =
            system_flags().into_iter().map(FlagPerm::Flag).collect();
        perm.push(FlagPerm::Asterisk);
        server.enqueue_status(status_ok(
            None,
            Some(Code::PermanentFlags(perm)),
            "flags allowed",
        ));
        server.enqueue_status(status_ok(
            None,
            Some(Code::UidValidity(nz(snap.uid_validity))),
            "UIDs valid",
        ));
        server.enqueue_status(status_ok(
            None,
            Some(Code::UidNext(nz(snap.uid_next))),
            "predicted next UID",
        ));
        if let Some(pos) = snap
            .messages
            .iter()
            .position(|m| !m.flags.iter().any(|f| f == "\\Seen"))
        {
            server.enqueue_status(status_ok(
                None,
                Some(Code::Unseen(nz(pos as u32 + 1))),
                "first unseen",
            ));
        }
        let code = if read_only {
            Code::ReadOnly
        } else {
            Code::ReadWrite
        };
        server.enqueue_status(status_ok(Some(tag.clone()), Some(code), "SELECT completed"));
        self.selected = Some(Selected {
            folder,
            read_only,
            uid_validity: snap.uid_validity,
            uids,
        });
        Ok(())
    }

    pub(super) fn list(
        &mut self,
        server: &mut Server,
        reference: &Mailbox<'_>,
        pattern: &ListMailbox<'_>,
        lsub: bool,
    ) -> Res {
        let login = self.login()?;
        let reference = match reference {
            Mailbox::Inbox => "INBOX".to_string(),
            Mailbox::Other(_) => mailbox_name(reference)?,
        };
        let pattern = list_pattern(pattern)?;
        let delimiter = QuotedChar::try_from(crate::maildir::name::SEPARATOR).ok();
        if pattern.is_empty() && !lsub {
            // The hierarchy delimiter query.
            if let Ok(mailbox) = Mailbox::try_from("") {
                server.enqueue_data(Data::List {
                    items: vec![FlagNameAttribute::Noselect],
                    delimiter,
                    mailbox,
                });
            }
            return Ok(());
        }
        let full = list::full_pattern(&reference, &pattern);
        for folder in self.shared.store.folders(&login)? {
            if !list::matches(&full, &folder.name) {
                continue;
            }
            let mut items = Vec::new();
            let children = if folder.has_children {
                "HasChildren"
            } else {
                "HasNoChildren"
            };
            items.push(FlagNameAttribute::from(
                Atom::try_from(children).expect("valid atom"),
            ));
            if let Some(use_) = folder.special_use {
                items.push(FlagNameAttribute::from(
                    Atom::try_from(use_.attribute()).expect("valid atom"),
                ));
            }
            let Ok(mailbox) = Mailbox::try_from(folder.name.clone()) else {
                continue;
            };
            let data = if lsub {
                Data::Lsub {
                    items,
                    delimiter,
                    mailbox,
                }
            } else {
                Data::List {
                    items,
                    delimiter,
                    mailbox,
                }
            };
            server.enqueue_data(data);
        }
        Ok(())
    }

    pub(super) fn status(
        &mut self,
        server: &mut Server,
        mailbox: &Mailbox<'static>,
        names: &[StatusDataItemName],
    ) -> Res {
        let login = self.login()?;
        let st = self.shared.store.status(&login, &mailbox_name(mailbox)?)?;
        let mut items = Vec::new();
        for name in names {
            items.push(match name {
                StatusDataItemName::Messages => StatusDataItem::Messages(st.messages),
                StatusDataItemName::Recent => StatusDataItem::Recent(0),
                StatusDataItemName::UidNext => StatusDataItem::UidNext(nz(st.uid_next)),
                StatusDataItemName::UidValidity => StatusDataItem::UidValidity(nz(st.uid_validity)),
                StatusDataItemName::Unseen => StatusDataItem::Unseen(st.unseen),
                other => {
                    let name = match other {
                        StatusDataItemName::Deleted => "DELETED",
                        StatusDataItemName::DeletedStorage => "DELETED-STORAGE",
                        _ => "of this kind",
                    };
                    return Err(Reply::Bad(format!(
                        "STATUS item {name} is not supported by the sandbox: ask for MESSAGES, RECENT, UIDNEXT, UIDVALIDITY or UNSEEN"
                    )));
                }
            });
        }
        server.enqueue_data(Data::Status {
            mailbox: mailbox.clone(),
            items: items.into(),
        });
        Ok(())
    }
}
