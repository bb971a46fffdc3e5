//! The commands of a logged-in connection (LIST, NAMESPACE, STATUS, SELECT,
//! CREATE, DELETE, ...), each within the command time limit through `settle`.

use std::time::Duration;

use futures::TryStreamExt;
use tokio::time::error::Elapsed;

use super::error::ImapError;
use super::namespace::{self, Namespaces};
use super::quirks::{listed, lost_reason, server_text, MAX_FOLDERS};
use super::session::{Conn, ListedFolder, MailboxState};

impl Conn {
    pub(crate) fn op_error(&mut self, what: &str, e: async_imap::error::Error) -> ImapError {
        use async_imap::error::Error as E;
        match e {
            E::No(text) | E::Bad(text) => {
                let reason = server_text(&text).unwrap_or_else(|| {
                    if text.starts_with("code:") || text.starts_with("outcome:") {
                        "no reason given".to_string()
                    } else {
                        text
                    }
                });
                if mailshift_net::classify(&reason) == mailshift_net::ReplyKind::OverQuota {
                    ImapError::OverQuota {
                        side: self.side,
                        what: what.into(),
                        reason,
                    }
                } else {
                    ImapError::Refusal {
                        side: self.side,
                        what: what.into(),
                        reason,
                    }
                }
            }
            other => {
                self.broken = true;
                ImapError::Lost {
                    side: self.side,
                    what: what.into(),
                    reason: lost_reason(&other),
                }
            }
        }
    }

    pub(crate) fn timeout_error(&mut self, what: &str) -> ImapError {
        self.broken = true;
        ImapError::Timeout {
            side: self.side,
            what: what.into(),
            secs: self.timeouts.command.as_secs(),
        }
    }

    /// The one way a command's outcome within its time limit becomes the engine's:
    /// past the limit the session is broken (its answer may still come), a NO/BAD is
    /// a refusal (or over quota), anything else a lost connection.
    pub(crate) fn settle<T>(
        &mut self,
        what: &str,
        res: Result<Result<T, async_imap::error::Error>, Elapsed>,
    ) -> Result<T, ImapError> {
        match res {
            Err(_) => Err(self.timeout_error(what)),
            Ok(Err(e)) => Err(self.op_error(what, e)),
            Ok(Ok(v)) => Ok(v),
        }
    }

    /// Whether the session can still be used.
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    /// `LIST "" "*"`, turned into folders as the answer streams in (each
    /// raw response holds a buffer of its own) and bounded: a server that
    /// lists more than `MAX_FOLDERS` folders is refused, never followed
    /// until memory runs out.
    pub async fn list(&mut self) -> Result<Vec<ListedFolder>, ImapError> {
        let limit = self.timeouts.command;
        let res = tokio::time::timeout(limit, async {
            let mut stream = self.session.list(Some(""), Some("*")).await?;
            let mut out = Vec::new();
            while let Some(n) = stream.try_next().await? {
                if out.len() >= MAX_FOLDERS {
                    return Ok(Err(out.len()));
                }
                out.push(listed(&n));
            }
            Ok::<_, async_imap::error::Error>(Ok(out))
        })
        .await;
        match self.settle("LIST", res)? {
            Err(n) => {
                // The rest of the answer is still coming: this session is done.
                self.broken = true;
                Err(ImapError::Refusal {
                    side: self.side,
                    what: "LIST".into(),
                    reason: format!(
                        "the server lists more than {n} folders; mailshift stops there rather than follow an answer without end"
                    ),
                })
            }
            Ok(v) => Ok(v),
        }
    }

    /// The server's namespaces: NAMESPACE when it has it, else inferred from `list`.
    /// An unreadable answer falls back to inference too (and is logged).
    pub async fn namespaces(&mut self, list: &[ListedFolder]) -> Result<Namespaces, ImapError> {
        if !self.caps.namespace {
            return Ok(Namespaces::inferred(list));
        }
        let answer = self.raw_command("NAMESPACE").await?;
        let parsed = answer.untagged.iter().find_map(|l| {
            let rest = l
                .get(..10)?
                .eq_ignore_ascii_case(b"NAMESPACE ")
                .then(|| &l[10..])?;
            Some(namespace::parse(rest))
        });
        match parsed {
            Some(Ok(ns)) if answer.ok => Ok(ns),
            Some(Err(e)) => {
                tracing::warn!(side = %self.side, error = %e, "NAMESPACE answer unreadable; inferring from LIST");
                Ok(Namespaces::inferred(list))
            }
            _ => Ok(Namespaces::inferred(list)),
        }
    }

    /// What identifies the mailbox this connection is logged in to, however
    /// the host or the login was spelled: the address reached, the login
    /// case-folded, and INBOX's UIDVALIDITY (two logins that reach the same
    /// INBOX share it; two mailboxes rarely do).
    pub async fn identity(&mut self, user: &str, port: u16) -> Result<String, ImapError> {
        let inbox = self.status("INBOX").await?;
        let addr = match self.peer {
            Some(a) => a.to_string(),
            None => format!("{}:{port}", self.host.to_ascii_lowercase()),
        };
        Ok(format!(
            "{addr}|{}|{}",
            user.to_lowercase(),
            inbox.uid_validity
        ))
    }

    /// `STATUS name (MESSAGES UIDNEXT UIDVALIDITY)`.
    pub async fn status(&mut self, raw: &str) -> Result<MailboxState, ImapError> {
        if raw.contains(['"', '\\']) {
            // async-imap compares the name in the STATUS answer (still escaped)
            // with the unescaped one and drops the numbers: EXAMINE instead.
            return self.open(raw, false).await;
        }
        let what = format!("STATUS of {raw:?}");
        let limit = self.timeouts.command;
        let res = tokio::time::timeout(
            limit,
            self.session.status(raw, "(MESSAGES UIDNEXT UIDVALIDITY)"),
        )
        .await;
        let m = self.settle(&what, res)?;
        Ok(MailboxState {
            messages: m.exists,
            uid_next: m.uid_next.unwrap_or(0),
            uid_validity: m.uid_validity.unwrap_or(0),
        })
    }

    /// EXAMINE (read-only) or SELECT a mailbox, unless it is already open that way.
    pub async fn open(&mut self, raw: &str, writable: bool) -> Result<MailboxState, ImapError> {
        let what = format!("{} {raw:?}", if writable { "SELECT" } else { "EXAMINE" });
        let limit = self.timeouts.command;
        let res = if writable {
            tokio::time::timeout(limit, self.session.select(raw)).await
        } else {
            tokio::time::timeout(limit, self.session.examine(raw)).await
        };
        if matches!(res, Ok(Err(_))) {
            self.selected = None;
        }
        let m = self.settle(&what, res)?;
        self.selected = Some((raw.to_string(), !writable));
        self.selected_exists = m.exists;
        Ok(MailboxState {
            messages: m.exists,
            uid_next: m.uid_next.unwrap_or(0),
            uid_validity: m.uid_validity.unwrap_or(0),
        })
    }

    /// `CREATE name`; an "already exists" answer counts as success.
    pub async fn create(&mut self, raw: &str) -> Result<bool, ImapError> {
        let what = format!("CREATE {raw:?}");
        let limit = self.timeouts.command;
        let res = tokio::time::timeout(limit, self.session.create(raw)).await;
        match self.settle(&what, res) {
            Ok(()) => Ok(true),
            Err(ImapError::Refusal { reason, .. })
                if mailshift_net::classify(&reason) == mailshift_net::ReplyKind::AlreadyExists =>
            {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// `DELETE name`.
    pub async fn delete(&mut self, raw: &str) -> Result<(), ImapError> {
        let what = format!("DELETE {raw:?}");
        if self.selected.as_ref().is_some_and(|(s, _)| s == raw) {
            // Deleting the selected mailbox makes Dovecot hang up ("Selected
            // mailbox was deleted, have to disconnect"): leave it first, for
            // INBOX read-only (CLOSE would expunge; UNSELECT is not everywhere).
            self.open("INBOX", false).await?;
        }
        let limit = self.timeouts.command;
        let res = tokio::time::timeout(limit, self.session.delete(raw)).await;
        self.settle(&what, res)
    }

    /// Run a command that only needs a tagged OK.
    pub async fn simple(&mut self, command: &str) -> Result<(), ImapError> {
        let limit = self.timeouts.command;
        let res = tokio::time::timeout(limit, self.session.run_command_and_check_ok(command)).await;
        self.settle(command, res)
    }

    pub async fn logout(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(2), self.session.logout()).await;
    }
}
