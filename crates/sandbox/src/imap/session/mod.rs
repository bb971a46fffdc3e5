//! One client's IMAP session: its state (logged-in account, selected folder
//! and the sequence-number view of it) and the answer to every command,
//! enqueued on the imap-next `Server`.

mod auth;
mod convert;
mod fetch;
mod folders;
mod messages;
mod reply;
mod search;
mod updates;

use std::sync::Arc;

use imap_next::imap_types::command::{Command, CommandBody};
use imap_next::imap_types::core::Tag;
use imap_next::imap_types::response::{Code, Data, Status};
use imap_next::server::{ResponseHandle, Server};

use super::capability::capabilities;
use super::connection::Shared;
use convert::mailbox_name;
use fetch::FetchJob;
pub use reply::{status_bad, status_no, status_ok};
use reply::{Reply, Res};

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
    /// The FETCH whose answer is being streamed, message by message.
    fetching: Option<FetchJob>,
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
            fetching: None,
        }
    }

    /// Whether a login succeeded on this connection.
    pub fn logged_in(&self) -> bool {
        self.login.is_some()
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
            CommandBody::Namespace => {
                self.login()?;
                server.enqueue_data(namespace_data());
                done(server, None, "NAMESPACE completed");
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
                // Answered by `fetch_next`, one message at a time.
                self.fetch(server, tag, &sequence_set, macro_or_item_names, uid)?;
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
            CommandBody::Search { criteria, uid, .. } => {
                self.search(server, &criteria, uid)?;
                done(server, None, "SEARCH completed");
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
}

/// RFC 2342: one personal namespace, "" with the store's delimiter (folders sit at the
/// top level beside INBOX); no other users' or shared namespaces.
fn namespace_data() -> Data<'static> {
    use imap_next::imap_types::core::{IString, QuotedChar};
    use imap_next::imap_types::extensions::namespace::Namespace;
    let prefix = IString::try_from("").expect("an empty quoted string is valid");
    let delimiter = QuotedChar::try_from(crate::maildir::name::SEPARATOR).ok();
    Data::Namespace {
        personal: vec![Namespace::new(prefix, delimiter)],
        other: Vec::new(),
        shared: Vec::new(),
    }
}
