//! A logged-in IMAP connection with timeouts on every call and the
//! capabilities the engine cares about.

use std::time::Duration;

use async_imap::imap_proto::{self, Response};
use async_imap::types::NameAttribute;
use futures::TryStreamExt;
use tokio::net::TcpStream;

use super::endpoint::{AuthMethod, Endpoint, Security, Side};
use super::error::ImapError;
use super::limit::{Limited, ReadLimit};
use super::namespace::{self, Namespaces};
use mailshift_net::{client_config, tls_failure_reason, ReplyKind, Transport};

pub type Session = async_imap::Session<Limited>;

/// Per-operation time limits.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub command: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(15),
            command: Duration::from_secs(120),
        }
    }
}

impl Timeouts {
    /// The same limit for connecting and for each command, or the defaults.
    pub fn limited(secs: Option<u64>) -> Timeouts {
        match secs {
            Some(s) => Timeouts {
                connect: Duration::from_secs(s),
                command: Duration::from_secs(s),
            },
            None => Timeouts::default(),
        }
    }
}

/// What the server can do that changes how we talk to it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Caps {
    pub multiappend: bool,
    pub literal_plus: bool,
    pub uidplus: bool,
    pub namespace: bool,
}

/// A folder as LIST reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedFolder {
    /// The name exactly as the server sent it (modified UTF-7).
    pub raw: String,
    pub delimiter: Option<char>,
    pub noselect: bool,
    pub special: Option<SpecialUse>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum SpecialUse {
    Sent,
    Drafts,
    Trash,
    Junk,
    Archive,
}

/// STATUS / SELECT numbers of one mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MailboxState {
    pub messages: u32,
    pub uid_next: u32,
    pub uid_validity: u32,
}

pub struct Conn {
    pub(crate) session: Session,
    pub side: Side,
    /// The address actually reached (names a server however it was spelled).
    pub peer: Option<std::net::SocketAddr>,
    pub host: String,
    pub caps: Caps,
    pub timeouts: Timeouts,
    /// The mailbox currently selected (raw name) and whether read-only.
    pub(crate) selected: Option<(String, bool)>,
    /// Set once an operation failed mid-way: the session must be replaced.
    pub(crate) broken: bool,
    /// EXISTS of the selected mailbox when it was opened.
    pub(crate) selected_exists: u32,
    /// What the answer being read may bring (see `limit`).
    pub(crate) limit: std::sync::Arc<ReadLimit>,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn")
            .field("side", &self.side)
            .field("host", &self.host)
            .field("caps", &self.caps)
            .finish()
    }
}

struct PlainAuth<'a>(&'a str, &'a str);
impl async_imap::Authenticator for PlainAuth<'_> {
    type Response = Vec<u8>;
    fn process(&mut self, _challenge: &[u8]) -> Vec<u8> {
        format!("\0{}\0{}", self.0, self.1).into_bytes()
    }
}

struct XOAuth2<'a>(&'a str, &'a str);
impl async_imap::Authenticator for XOAuth2<'_> {
    type Response = Vec<u8>;
    fn process(&mut self, challenge: &[u8]) -> Vec<u8> {
        if challenge.is_empty() {
            format!("user={}\x01auth=Bearer {}\x01\x01", self.0, self.1).into_bytes()
        } else {
            // The server sent an error JSON: answer empty to get the tagged NO.
            Vec::new()
        }
    }
}

/// Open a connection, secure it as asked, read the greeting and log in.
pub async fn connect(ep: &Endpoint, timeouts: Timeouts) -> Result<Conn, ImapError> {
    let side = ep.side;
    let host = ep.host.clone();
    let port = ep.port;
    let tcp = open_tcp(ep, timeouts.connect).await?;
    let _ = tcp.set_nodelay(true);
    let peer = tcp.peer_addr().ok();
    let within = |what: &str| ImapError::Timeout {
        side,
        what: format!("{what} with {host}:{port}"),
        secs: timeouts.connect.as_secs(),
    };

    let limit = ReadLimit::new();
    let wrap = |t: Transport| async_imap::Client::new(Limited::new(t, limit.clone()));
    let client = match ep.security {
        Security::Tls => {
            let tls = tls_handshake(ep, tcp, timeouts.connect).await?;
            greet(ep, wrap(Transport::Tls(Box::new(tls))), timeouts).await?
        }
        Security::None => greet(ep, wrap(Transport::Plain(tcp)), timeouts).await?,
        Security::Starttls => {
            let mut client = greet(ep, wrap(Transport::Plain(tcp)), timeouts).await?;
            let upgrade = tokio::time::timeout(
                timeouts.connect,
                client.run_command_and_check_ok("STARTTLS", None),
            )
            .await
            .map_err(|_| within("STARTTLS"))?;
            if upgrade.is_err() {
                return Err(ImapError::StartTlsRefused { side, host, port });
            }
            let Transport::Plain(tcp) = client.into_inner().into_inner() else {
                unreachable!("STARTTLS starts from a plain stream")
            };
            let tls = tls_handshake(ep, tcp, timeouts.connect).await?;
            wrap(Transport::Tls(Box::new(tls)))
        }
    };

    let secret = ep.secret.expose();
    let login = async {
        match ep.auth {
            AuthMethod::Login => client.login(&ep.user, secret).await,
            AuthMethod::Plain => {
                client
                    .authenticate("PLAIN", PlainAuth(&ep.user, secret))
                    .await
            }
            AuthMethod::Xoauth2 => {
                client
                    .authenticate("XOAUTH2", XOAuth2(&ep.user, secret))
                    .await
            }
        }
    };
    let mut session = match tokio::time::timeout(timeouts.command, login).await {
        Err(_) => return Err(within("login")),
        Ok(Ok(s)) => s,
        Ok(Err((e, _))) => return Err(auth_error(ep, e)),
    };

    let caps = tokio::time::timeout(timeouts.command, session.capabilities())
        .await
        .map_err(|_| within("CAPABILITY"))?
        .map_err(|e| ImapError::Lost {
            side,
            what: "CAPABILITY".into(),
            reason: lost_reason(&e),
        })?;
    let caps = Caps {
        multiappend: caps.has_str("MULTIAPPEND"),
        literal_plus: caps.has_str("LITERAL+"),
        uidplus: caps.has_str("UIDPLUS"),
        namespace: caps.has_str("NAMESPACE"),
    };
    Ok(Conn {
        session,
        side,
        peer,
        host: ep.host.clone(),
        caps,
        timeouts,
        selected: None,
        broken: false,
        selected_exists: 0,
        limit,
    })
}

fn auth_error(ep: &Endpoint, e: async_imap::error::Error) -> ImapError {
    use async_imap::error::Error as E;
    let method = match ep.auth {
        AuthMethod::Login => "LOGIN",
        AuthMethod::Plain => "PLAIN",
        AuthMethod::Xoauth2 => "XOAUTH2",
    };
    let kind = |text: &str| mailshift_net::classify(text);
    match e {
        E::No(text) | E::Bad(text)
            if ep.auth != AuthMethod::Login && kind(&text) == ReplyKind::MechanismRefused =>
        {
            ImapError::AuthUnsupported {
                side: ep.side,
                host: ep.host.clone(),
                method,
            }
        }
        // A busy server (too many connections, [UNAVAILABLE], [LIMIT]) is
        // not a wrong password: the caller opens fewer connections or waits.
        E::No(text) | E::Bad(text) if matches!(kind(&text), ReplyKind::Busy(_)) => {
            ImapError::Refusal {
                side: ep.side,
                what: "login".into(),
                reason: server_text(&text).unwrap_or(text),
            }
        }
        E::No(text) | E::Bad(text) => ImapError::AuthFailed {
            side: ep.side,
            host: ep.host.clone(),
            user: ep.user.clone(),
            detail: server_text(&text)
                .map(|t| format!(" (server said: {t})"))
                .unwrap_or_default(),
        },
        other => ImapError::Lost {
            side: ep.side,
            what: "login".into(),
            reason: lost_reason(&other),
        },
    }
}

/// Most folders one LIST may return (a real mailbox has hundreds at most).
pub const MAX_FOLDERS: usize = 100_000;

fn listed(n: &async_imap::types::Name) -> ListedFolder {
    let mut noselect = false;
    let mut special = None;
    for a in n.attributes() {
        match a {
            NameAttribute::NoSelect => noselect = true,
            NameAttribute::Sent => special = Some(SpecialUse::Sent),
            NameAttribute::Drafts => special = Some(SpecialUse::Drafts),
            NameAttribute::Trash => special = Some(SpecialUse::Trash),
            NameAttribute::Junk => special = Some(SpecialUse::Junk),
            NameAttribute::Archive => special = Some(SpecialUse::Archive),
            NameAttribute::Extension(e) if e.eq_ignore_ascii_case("\\NonExistent") => {
                noselect = true
            }
            _ => {}
        }
    }
    ListedFolder {
        raw: unescape_quoted(n.name()),
        delimiter: n.delimiter().and_then(|d| d.chars().next()),
        noselect,
        special,
    }
}

/// imap-proto hands back a quoted mailbox name with its escapes still in
/// (`q\"uote` for `q"uote`); every command we send quotes the name again, so
/// keep the real name. A literal name with a backslash is rare enough (servers
/// quote such names) that treating `\\` and `\"` as escapes is the safe side.
fn unescape_quoted(name: &str) -> String {
    if !name.contains('\\') {
        return name.to_string();
    }
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n @ ('"' | '\\')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    out
}

/// Pull the human text out of async-imap's `code: .., info: Some("..")`
/// (or `Outcome { .., information: Some("..") }`) form.
pub(crate) fn server_text(text: &str) -> Option<String> {
    ["info: Some(\"", "information: Some(\""]
        .iter()
        .find_map(|key| {
            let start = text.find(key)? + key.len();
            let end = text[start..].rfind("\")")? + start;
            Some(text[start..end].replace("\\\"", "\""))
        })
}

/// A connection-level failure in words: async-imap's parse errors carry the
/// parser's debug output and the raw bytes, which help no one.
pub(crate) fn lost_reason(e: &async_imap::error::Error) -> String {
    let text = e.to_string();
    if text.contains("during parsing of") || text.contains("Error { input") {
        "the server sent an answer that is not valid IMAP".to_string()
    } else {
        text
    }
}

async fn open_tcp(ep: &Endpoint, limit: Duration) -> Result<TcpStream, ImapError> {
    let side = ep.side;
    let addrs: Vec<_> =
        match tokio::time::timeout(limit, tokio::net::lookup_host((ep.host.as_str(), ep.port)))
            .await
        {
            Err(_) => {
                return Err(ImapError::ConnectTimeout {
                    side,
                    host: ep.host.clone(),
                    port: ep.port,
                    secs: limit.as_secs(),
                })
            }
            Ok(Err(_)) => {
                return Err(ImapError::UnknownHost {
                    side,
                    host: ep.host.clone(),
                })
            }
            Ok(Ok(a)) => a.collect(),
        };
    if addrs.is_empty() {
        return Err(ImapError::UnknownHost {
            side,
            host: ep.host.clone(),
        });
    }
    let mut last = None;
    for addr in addrs {
        match tokio::time::timeout(limit, TcpStream::connect(addr)).await {
            Ok(Ok(s)) => return Ok(s),
            Ok(Err(e)) => last = Some(Err(e)),
            Err(_) => last = Some(Ok(())),
        }
    }
    Err(match last {
        Some(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => ImapError::Refused {
            side,
            host: ep.host.clone(),
            port: ep.port,
        },
        Some(Err(e)) => ImapError::Connect {
            side,
            host: ep.host.clone(),
            port: ep.port,
            reason: e.to_string(),
        },
        _ => ImapError::ConnectTimeout {
            side,
            host: ep.host.clone(),
            port: ep.port,
            secs: limit.as_secs(),
        },
    })
}

async fn tls_handshake(
    ep: &Endpoint,
    tcp: TcpStream,
    limit: Duration,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, ImapError> {
    let tls_err = |reason: String, hint: Option<&'static str>, untrusted| ImapError::Tls {
        side: ep.side,
        host: ep.host.clone(),
        port: ep.port,
        reason,
        hint,
        untrusted,
    };
    let config = client_config(&ep.tls)
        .map_err(|e| tls_err(e.to_string(), Some("fix the CA file"), None))?;
    let name = rustls::pki_types::ServerName::try_from(ep.host.clone()).map_err(|e| {
        tls_err(
            e.to_string(),
            Some("use the server's DNS name as host"),
            None,
        )
    })?;
    let connector = tokio_rustls::TlsConnector::from(config);
    match tokio::time::timeout(limit, connector.connect(name, tcp)).await {
        Err(_) => Err(tls_err(
            format!("no TLS handshake within {} s", limit.as_secs()),
            Some("if the port expects a plain or STARTTLS connection, set the security to starttls or none"),
            None,
        )),
        Ok(Ok(s)) => Ok(s),
        Ok(Err(e)) => {
            let reason = tls_failure_reason(&e);
            let about_certificate = reason.contains("certificate") || reason.contains("Certificate");
            Err(if about_certificate {
                // Without a CA file the usual cause is a self-signed or private CA
                // certificate; with one, the file does not match the server.
                tls_err(reason, None, Some(ep.tls.ca_file.is_none()))
            } else {
                tls_err(
                    reason,
                    Some("if the port expects STARTTLS or plain text, set the security to starttls or none"),
                    None,
                )
            })
        }
    }
}

async fn greet(
    ep: &Endpoint,
    mut client: async_imap::Client<Limited>,
    timeouts: Timeouts,
) -> Result<async_imap::Client<Limited>, ImapError> {
    let not_imap = || ImapError::NotImap {
        side: ep.side,
        host: ep.host.clone(),
        port: ep.port,
    };
    match tokio::time::timeout(timeouts.connect, client.read_response()).await {
        Err(_) => Err(ImapError::Timeout {
            side: ep.side,
            what: format!("the greeting of {}:{}", ep.host, ep.port),
            secs: timeouts.connect.as_secs(),
        }),
        Ok(Ok(Some(r))) => match r.parsed() {
            Response::Data {
                status: imap_proto::Status::Ok | imap_proto::Status::PreAuth,
                ..
            } => Ok(client),
            Response::Data {
                status: imap_proto::Status::Bye,
                outcome,
            } => Err(ImapError::Refusal {
                side: ep.side,
                what: "the connection".into(),
                reason: outcome
                    .information
                    .as_deref()
                    .unwrap_or("server said BYE")
                    .to_string(),
            }),
            _ => Err(not_imap()),
        },
        Ok(_) => Err(not_imap()),
    }
}

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
        match res {
            Err(_) => Err(self.timeout_error("LIST")),
            Ok(Err(e)) => Err(self.op_error("LIST", e)),
            Ok(Ok(Err(n))) => {
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
            Ok(Ok(Ok(v))) => Ok(v),
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
        match tokio::time::timeout(
            limit,
            self.session.status(raw, "(MESSAGES UIDNEXT UIDVALIDITY)"),
        )
        .await
        {
            Err(_) => Err(self.timeout_error(&what)),
            Ok(Err(e)) => Err(self.op_error(&what, e)),
            Ok(Ok(m)) => Ok(MailboxState {
                messages: m.exists,
                uid_next: m.uid_next.unwrap_or(0),
                uid_validity: m.uid_validity.unwrap_or(0),
            }),
        }
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
        match res {
            Err(_) => Err(self.timeout_error(&what)),
            Ok(Err(e)) => {
                self.selected = None;
                Err(self.op_error(&what, e))
            }
            Ok(Ok(m)) => {
                self.selected = Some((raw.to_string(), !writable));
                self.selected_exists = m.exists;
                Ok(MailboxState {
                    messages: m.exists,
                    uid_next: m.uid_next.unwrap_or(0),
                    uid_validity: m.uid_validity.unwrap_or(0),
                })
            }
        }
    }

    /// `CREATE name`; an "already exists" answer counts as success.
    pub async fn create(&mut self, raw: &str) -> Result<bool, ImapError> {
        let what = format!("CREATE {raw:?}");
        let limit = self.timeouts.command;
        match tokio::time::timeout(limit, self.session.create(raw)).await {
            Err(_) => Err(self.timeout_error(&what)),
            Ok(Ok(())) => Ok(true),
            Ok(Err(e)) => {
                let err = self.op_error(&what, e);
                match &err {
                    ImapError::Refusal { reason, .. }
                        if reason.to_ascii_lowercase().contains("exist") =>
                    {
                        Ok(false)
                    }
                    _ => Err(err),
                }
            }
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
        match tokio::time::timeout(limit, self.session.delete(raw)).await {
            Err(_) => Err(self.timeout_error(&what)),
            Ok(Err(e)) => Err(self.op_error(&what, e)),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// Run a command that only needs a tagged OK.
    pub async fn simple(&mut self, command: &str) -> Result<(), ImapError> {
        let limit = self.timeouts.command;
        match tokio::time::timeout(limit, self.session.run_command_and_check_ok(command)).await {
            Err(_) => Err(self.timeout_error(command)),
            Ok(Err(e)) => Err(self.op_error(command, e)),
            Ok(Ok(())) => Ok(()),
        }
    }

    pub async fn logout(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(2), self.session.logout()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_is_taken_from_both_forms_async_imap_uses() {
        assert_eq!(
            server_text(r#"code: None, info: Some("Mailbox doesn't exist")"#).as_deref(),
            Some("Mailbox doesn't exist")
        );
        assert_eq!(
            server_text(r#"outcome: Outcome { code: None, information: Some("Quota exceeded") }"#)
                .as_deref(),
            Some("Quota exceeded")
        );
        assert_eq!(server_text("code: None, info: None"), None);
    }

    #[test]
    fn quoted_names_lose_their_escapes_and_plain_ones_stay() {
        assert_eq!(unescape_quoted(r#"q\"uote"#), "q\"uote");
        assert_eq!(unescape_quoted(r"back\\slash"), r"back\slash");
        assert_eq!(unescape_quoted(r"odd\x"), r"odd\x");
        assert_eq!(unescape_quoted("Soci&AOk-t&AOk-"), "Soci&AOk-t&AOk-");
    }
}
