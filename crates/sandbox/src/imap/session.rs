//! One client's IMAP session: its state (logged-in account, selected folder
//! and the sequence-number view of it) and the answer to every command,
//! enqueued on the imap-next `Server`.

use std::num::NonZeroU32;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use imap_next::imap_types::auth::{AuthMechanism, AuthenticateData};
use imap_next::imap_types::command::{Command, CommandBody};
use imap_next::imap_types::core::Atom;
use imap_next::imap_types::core::{Literal, NString, QuotedChar, Tag, Vec1};
use imap_next::imap_types::datetime::DateTime as ImapDateTime;
use imap_next::imap_types::extensions::binary::LiteralOrLiteral8;
use imap_next::imap_types::fetch::{MessageDataItem, MessageDataItemName};
use imap_next::imap_types::flag::{
    Flag, FlagFetch, FlagNameAttribute, FlagPerm, StoreResponse, StoreType,
};
use imap_next::imap_types::mailbox::{ListMailbox, Mailbox};
use imap_next::imap_types::response::{Code, CodeOther, CommandContinuationRequest, Data, Status};
use imap_next::imap_types::status::{StatusDataItem, StatusDataItemName};
use imap_next::server::{ResponseHandle, Server};
use imap_next::types::CommandAuthenticate;

use super::capability::capabilities;
use super::connection::Shared;
use super::{fetch, list, sequence};
use crate::maildir::{FlagChange, StoreError};

/// The selected folder as this session sees it.
struct Selected {
    folder: String,
    read_only: bool,
    uid_validity: u32,
    /// UIDs in sequence-number order.
    uids: Vec<u32>,
}

pub struct Session {
    shared: Arc<Shared>,
    login: Option<String>,
    selected: Option<Selected>,
    auth_tag: Option<Tag<'static>>,
    idle_tag: Option<Tag<'static>>,
    /// LOGOUT was answered: close once this response is sent.
    pub closing: Option<ResponseHandle>,
}

type Res = Result<(), Reply>;

/// A tagged NO or BAD ending a command early.
enum Reply {
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
            StoreError::BadName(_) => Reply::Bad(e.to_string()),
            StoreError::Io { .. } | StoreError::CorruptIndex { .. } => {
                tracing::error!(error = %e, "sandbox store failure");
                Reply::No(Some(code_other("SERVERBUG")), e.to_string())
            }
            _ => Reply::No(None, e.to_string()),
        }
    }
}

fn code_other(atom: &'static str) -> Code<'static> {
    Code::Other(CodeOther::unvalidated(atom.as_bytes()))
}

/// Turns any message into valid IMAP `text` (one line, not empty).
fn text(s: &str) -> String {
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

fn mailbox_name(mailbox: &Mailbox<'_>) -> Result<String, Reply> {
    match mailbox {
        Mailbox::Inbox => Ok("INBOX".to_string()),
        Mailbox::Other(other) => String::from_utf8(other.inner().as_ref().to_vec())
            .map_err(|_| Reply::Bad("folder names must be 7-bit (modified UTF-7) text".into())),
    }
}

fn list_pattern(pattern: &ListMailbox<'_>) -> Result<String, Reply> {
    let bytes: &[u8] = match pattern {
        ListMailbox::Token(t) => t.as_ref(),
        ListMailbox::String(s) => s.as_ref(),
    };
    String::from_utf8(bytes.to_vec())
        .map_err(|_| Reply::Bad("the LIST pattern must be 7-bit text".into()))
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

fn imap_flag(flag: &str) -> Option<Flag<'static>> {
    Flag::try_from(flag.to_string().as_str()).ok().map(|f| {
        use imap_next::imap_types::IntoStatic;
        f.into_static()
    })
}

fn flag_fetch(flags: &[String]) -> Vec<FlagFetch<'static>> {
    flags
        .iter()
        .filter_map(|f| imap_flag(f))
        .map(FlagFetch::Flag)
        .collect()
}

fn system_flags() -> Vec<Flag<'static>> {
    vec![
        Flag::Answered,
        Flag::Flagged,
        Flag::Deleted,
        Flag::Seen,
        Flag::Draft,
    ]
}

impl Session {
    pub fn new(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            login: None,
            selected: None,
            auth_tag: None,
            idle_tag: None,
            closing: None,
        }
    }

    pub fn is_idling(&self) -> bool {
        self.idle_tag.is_some()
    }

    pub fn command(&mut self, server: &mut Server, command: Command<'static>) {
        let tag = command.tag.clone();
        match self.dispatch(server, command) {
            Ok(()) => {}
            Err(Reply::No(code, msg)) => {
                server.enqueue_status(status_no(Some(tag), code, &msg));
            }
            Err(Reply::Bad(msg)) => {
                server.enqueue_status(status_bad(Some(tag), &msg));
            }
        }
    }

    fn login(&self) -> Result<String, Reply> {
        self.login
            .clone()
            .ok_or_else(|| Reply::Bad("log in first (LOGIN or AUTHENTICATE PLAIN)".into()))
    }

    fn selected(&self) -> Result<&Selected, Reply> {
        self.selected
            .as_ref()
            .ok_or_else(|| Reply::Bad("select a folder first (SELECT or EXAMINE)".into()))
    }

    fn dispatch(&mut self, server: &mut Server, command: Command<'static>) -> Res {
        let tag = command.tag;
        let done = |server: &mut Server, code: Option<Code<'static>>, msg: &str| {
            server.enqueue_status(status_ok(Some(tag.clone()), code, msg));
        };
        match command.body {
            CommandBody::Capability => {
                server.enqueue_data(Data::Capability(capabilities()));
                done(server, None, "CAPABILITY completed");
            }
            CommandBody::Noop | CommandBody::Check => {
                self.sync(server, true);
                done(server, None, "NOOP completed");
            }
            CommandBody::Logout => {
                server.enqueue_status(
                    Status::bye(None, "sandbox IMAP server logging out").expect("valid text"),
                );
                let last = server.enqueue_status(status_ok(Some(tag), None, "LOGOUT completed"));
                self.closing = Some(last);
            }
            CommandBody::Login { username, password } => {
                if self.login.is_some() {
                    return Err(Reply::Bad("already logged in".into()));
                }
                let user = String::from_utf8_lossy(username.as_ref()).into_owned();
                let pass = String::from_utf8_lossy(password.declassify().as_ref()).into_owned();
                let code = self.try_login(&user, &pass)?;
                done(server, Some(code), "LOGIN completed");
            }
            CommandBody::Select { mailbox, .. } => self.select(server, &tag, &mailbox, false)?,
            CommandBody::Examine { mailbox, .. } => self.select(server, &tag, &mailbox, true)?,
            CommandBody::Unselect => {
                self.selected()?;
                self.selected = None;
                done(server, None, "UNSELECT completed");
            }
            CommandBody::Close => {
                let sel = self.selected()?;
                if !sel.read_only {
                    let login = self.login()?;
                    self.shared.store.expunge(&login, &sel.folder, None)?;
                }
                self.selected = None;
                done(server, None, "CLOSE completed");
            }
            CommandBody::Create { mailbox } => {
                let login = self.login()?;
                self.shared
                    .store
                    .create_folder(&login, &mailbox_name(&mailbox)?)?;
                done(server, None, "CREATE completed");
            }
            CommandBody::Delete { mailbox } => {
                let login = self.login()?;
                let name = mailbox_name(&mailbox)?;
                self.shared.store.delete_folder(&login, &name)?;
                done(server, None, "DELETE completed");
            }
            CommandBody::Rename { from, to } => {
                let login = self.login()?;
                self.shared.store.rename_folder(
                    &login,
                    &mailbox_name(&from)?,
                    &mailbox_name(&to)?,
                )?;
                done(server, None, "RENAME completed");
            }
            CommandBody::Subscribe { .. } | CommandBody::Unsubscribe { .. } => {
                self.login()?;
                done(server, None, "subscriptions are implicit in the sandbox");
            }
            CommandBody::List {
                reference,
                mailbox_wildcard,
            } => {
                self.list(server, &reference, &mailbox_wildcard, false)?;
                done(server, None, "LIST completed");
            }
            CommandBody::Lsub {
                reference,
                mailbox_wildcard,
            } => {
                self.list(server, &reference, &mailbox_wildcard, true)?;
                done(server, None, "LSUB completed");
            }
            CommandBody::Status {
                mailbox,
                item_names,
            } => {
                self.status(server, &mailbox, &item_names)?;
                done(server, None, "STATUS completed");
            }
            CommandBody::Append {
                mailbox,
                flags,
                date,
                message,
            } => {
                let code = self.append(server, &mailbox, &flags, date, message)?;
                done(server, Some(code), "APPEND completed");
            }
            CommandBody::Expunge => {
                self.expunge(server, None)?;
                done(server, None, "EXPUNGE completed");
            }
            CommandBody::ExpungeUid { sequence_set } => {
                self.expunge(server, Some(&sequence_set))?;
                done(server, None, "UID EXPUNGE completed");
            }
            CommandBody::Fetch {
                sequence_set,
                macro_or_item_names,
                uid,
                ..
            } => {
                self.fetch(server, &sequence_set, macro_or_item_names, uid)?;
                done(server, None, "FETCH completed");
            }
            CommandBody::Store {
                sequence_set,
                kind,
                response,
                flags,
                uid,
                ..
            } => {
                self.store(server, &sequence_set, kind, response, &flags, uid)?;
                done(server, None, "STORE completed");
            }
            other => {
                return Err(Reply::Bad(format!(
                    "{} is not supported by the sandbox IMAP server",
                    other.name()
                )))
            }
        }
        Ok(())
    }

    fn try_login(&mut self, user: &str, pass: &str) -> Result<Code<'static>, Reply> {
        if self.shared.directory.verify(user, pass) && self.shared.store.account_exists(user) {
            self.login = Some(user.to_string());
            tracing::debug!(server = %self.shared.name, login = user, "sandbox login");
            Ok(Code::Capability(capabilities()))
        } else {
            Err(Reply::No(
                Some(code_other("AUTHENTICATIONFAILED")),
                format!("login refused for {user}: unknown account or wrong password"),
            ))
        }
    }

    pub fn authenticate(&mut self, server: &mut Server, command: CommandAuthenticate) {
        if self.login.is_some() || command.mechanism != AuthMechanism::Plain {
            let msg = if self.login.is_some() {
                "already logged in"
            } else {
                "only AUTHENTICATE PLAIN is supported"
            };
            let _ = server.authenticate_finish(status_no(Some(command.tag), None, msg));
            return;
        }
        match command.initial_response {
            Some(data) => self.finish_plain(server, command.tag, data.declassify().as_ref()),
            None => {
                self.auth_tag = Some(command.tag);
                let _ = server
                    .authenticate_continue(CommandContinuationRequest::base64(b"".as_slice()));
            }
        }
    }

    pub fn authenticate_data(&mut self, server: &mut Server, data: AuthenticateData<'static>) {
        let tag = self
            .auth_tag
            .take()
            .unwrap_or_else(|| Tag::try_from("*").unwrap_or_else(|_| Tag::unvalidated("x")));
        match data {
            AuthenticateData::Continue(bytes) => {
                self.finish_plain(server, tag, bytes.declassify().as_ref())
            }
            AuthenticateData::Cancel => {
                let _ = server.authenticate_finish(status_bad(Some(tag), "AUTHENTICATE cancelled"));
            }
        }
    }

    fn finish_plain(&mut self, server: &mut Server, tag: Tag<'static>, data: &[u8]) {
        let parts: Vec<&[u8]> = data.split(|&b| b == 0).collect();
        let status = if parts.len() != 3 {
            status_bad(
                Some(tag),
                "malformed PLAIN response: expected authzid NUL authcid NUL password",
            )
        } else {
            let user = String::from_utf8_lossy(parts[1]).into_owned();
            let pass = String::from_utf8_lossy(parts[2]).into_owned();
            let authz = String::from_utf8_lossy(parts[0]).into_owned();
            if !authz.is_empty() && authz != user {
                status_no(
                    Some(tag),
                    None,
                    "the sandbox does not allow acting as another user",
                )
            } else {
                match self.try_login(&user, &pass) {
                    Ok(code) => status_ok(Some(tag), Some(code), "AUTHENTICATE completed"),
                    Err(Reply::No(code, msg)) => status_no(Some(tag), code, &msg),
                    Err(Reply::Bad(msg)) => status_bad(Some(tag), &msg),
                }
            }
        };
        let _ = server.authenticate_finish(status);
    }

    fn select(
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

    fn list(
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

    fn status(
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
                    return Err(Reply::Bad(format!(
                        "STATUS item {other:?} is not supported by the sandbox"
                    )))
                }
            });
        }
        server.enqueue_data(Data::Status {
            mailbox: mailbox.clone(),
            items: items.into(),
        });
        Ok(())
    }

    fn append(
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

    fn expunge(
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

    fn fetch(
        &mut self,
        server: &mut Server,
        set: &imap_next::imap_types::sequence::SequenceSet,
        names: imap_next::imap_types::fetch::MacroOrMessageDataItemNames<'static>,
        uid: bool,
    ) -> Res {
        let login = self.login()?;
        self.selected()?;
        let plan = fetch::plan(names).map_err(Reply::Bad)?;
        self.sync(server, uid);
        let sel = self.selected()?;
        let targets = sequence::resolve(set, &sel.uids, uid)
            .map_err(|e| Reply::Bad(format!("there is no message {} in this folder", e.0)))?;
        let folder = sel.folder.clone();
        let mark_seen = plan.sets_seen && !sel.read_only;
        let snap = self.shared.store.snapshot(&login, &folder)?;
        for (seq, msg_uid) in targets {
            let Ok(pos) = snap.messages.binary_search_by_key(&msg_uid, |m| m.uid) else {
                continue; // expunged by another session meanwhile
            };
            let meta = &snap.messages[pos];
            let body = if plan.needs_body {
                match self.shared.store.read_message(&login, &folder, msg_uid) {
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
                    Err(StoreError::MessageNotFound(_)) => continue,
                    Err(e) => return Err(e.into()),
                }
            } else {
                None
            };
            let mut flags = meta.flags.clone();
            let mut flags_changed = false;
            if mark_seen && !flags.iter().any(|f| f == "\\Seen") {
                if let Some((_, new)) = self
                    .shared
                    .store
                    .store_flags(
                        &login,
                        &folder,
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
            let mut items: Vec<MessageDataItem<'static>> = Vec::new();
            if uid {
                items.push(MessageDataItem::Uid(nz(msg_uid)));
            }
            let mut sent_flags = false;
            for name in &plan.items {
                let item = match name {
                    MessageDataItemName::Uid => {
                        if uid {
                            continue;
                        }
                        MessageDataItem::Uid(nz(msg_uid))
                    }
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
                        let whole = fetch::section_bytes(
                            body.as_deref().unwrap_or_default(),
                            section.as_ref(),
                        );
                        let (data, origin) = match partial {
                            Some((start, len)) => {
                                let start_at = (*start as usize).min(whole.len());
                                let end =
                                    start_at.saturating_add(len.get() as usize).min(whole.len());
                                (whole[start_at..end].to_vec(), Some(*start))
                            }
                            None => (whole, None),
                        };
                        MessageDataItem::BodyExt {
                            section: section.clone(),
                            origin,
                            data: NString::from(Literal::unvalidated(data)),
                        }
                    }
                    MessageDataItemName::Rfc822 => MessageDataItem::Rfc822(NString::from(
                        Literal::unvalidated(body.clone().unwrap_or_default()),
                    )),
                    MessageDataItemName::Rfc822Header => {
                        let b = body.as_deref().unwrap_or_default();
                        MessageDataItem::Rfc822Header(NString::from(Literal::unvalidated(
                            b[..fetch::header_len(b)].to_vec(),
                        )))
                    }
                    MessageDataItemName::Rfc822Text => {
                        let b = body.as_deref().unwrap_or_default();
                        MessageDataItem::Rfc822Text(NString::from(Literal::unvalidated(
                            b[fetch::header_len(b)..].to_vec(),
                        )))
                    }
                    _ => continue,
                };
                items.push(item);
            }
            if flags_changed && !sent_flags {
                items.push(MessageDataItem::Flags(flag_fetch(&flags)));
            }
            if let Ok(items) = Vec1::try_from(items) {
                server.enqueue_data(Data::Fetch {
                    seq: nz(seq),
                    items,
                });
            }
        }
        Ok(())
    }

    fn store(
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

    /// Brings the session's view up to date with the store: EXPUNGE for
    /// messages gone (only when `allow_expunge`), EXISTS for new ones.
    pub fn sync(&mut self, server: &mut Server, allow_expunge: bool) {
        let Some(login) = self.login.clone() else {
            return;
        };
        let Some(sel) = self.selected.as_mut() else {
            return;
        };
        let Ok(snap) = self.shared.store.snapshot(&login, &sel.folder) else {
            return;
        };
        if snap.uid_validity != sel.uid_validity {
            // The folder was replaced under us: nothing in the view is valid.
            server.enqueue_status(status_no(
                None,
                None,
                "the selected folder was deleted or replaced: select it again",
            ));
            self.selected = None;
            return;
        }
        let current: Vec<u32> = snap.messages.iter().map(|m| m.uid).collect();
        if allow_expunge {
            let mut i = 0;
            while i < sel.uids.len() {
                if current.binary_search(&sel.uids[i]).is_err() {
                    sel.uids.remove(i);
                    server.enqueue_data(Data::Expunge(nz(i as u32 + 1)));
                } else {
                    i += 1;
                }
            }
        }
        let last = sel.uids.last().copied().unwrap_or(0);
        let before = sel.uids.len();
        sel.uids
            .extend(current.iter().copied().filter(|&u| u > last));
        if sel.uids.len() != before {
            server.enqueue_data(Data::Exists(sel.uids.len() as u32));
        }
    }

    pub fn idle_start(&mut self, server: &mut Server, tag: Tag<'static>) {
        if self.login.is_none() {
            let _ = server.idle_reject(status_bad(
                Some(tag),
                "log in first (LOGIN or AUTHENTICATE PLAIN)",
            ));
            return;
        }
        if server
            .idle_accept(CommandContinuationRequest::basic(None, "idling").expect("valid text"))
            .is_ok()
        {
            self.idle_tag = Some(tag);
            self.sync(server, true);
        }
    }

    pub fn idle_done(&mut self, server: &mut Server) {
        if let Some(tag) = self.idle_tag.take() {
            server.enqueue_status(status_ok(Some(tag), None, "IDLE terminated"));
        }
    }
}
