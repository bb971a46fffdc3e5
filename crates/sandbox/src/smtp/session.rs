//! One SMTP connection, from the 220 greeting to QUIT: EHLO, STARTTLS, AUTH, then
//! MAIL / RCPT / DATA transactions handed to the [`Mailbox`](super::Mailbox). Every
//! read has the idle timeout; the whole session has its own limit (set by the caller).

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use super::command::{parse, Command, ParseError};
use super::data::{read_data, Data, DataLimits};
use super::line::{read_line, trim_eol, Line};
use super::login::{decode_plain, decode_text};
use super::stream::Stream;
use super::{Mailbox, RelayLogin, SmtpConfig};

/// What every session of one listener shares.
pub(crate) struct Shared {
    pub mailbox: Arc<dyn Mailbox>,
    pub login: Option<RelayLogin>,
    pub tls: Option<Arc<rustls::ServerConfig>>,
    pub config: SmtpConfig,
}

type Io = BufReader<Stream>;

/// Bad commands tolerated before the server hangs up.
const MAX_ERRORS: u32 = 10;
/// Failed AUTH attempts tolerated before the server hangs up.
const MAX_AUTH_FAILURES: u32 = 3;
/// Longest command line (AUTH lines included), CRLF included.
const MAX_COMMAND_LINE: usize = 4096;

#[derive(Default)]
struct State {
    helo: Option<String>,
    authenticated: bool,
    from: Option<String>,
    recipients: Vec<String>,
    errors: u32,
    auth_failures: u32,
}

impl State {
    fn reset_transaction(&mut self) {
        self.from = None;
        self.recipients.clear();
    }
}

/// Serves one client until it quits, misbehaves or times out.
pub(crate) async fn serve(socket: TcpStream, peer: SocketAddr, shared: Arc<Shared>) {
    match run(socket, peer, &shared).await {
        Ok(()) => {}
        Err(e) => tracing::debug!(%peer, error = %e, "sandbox SMTP session ended"),
    }
}

async fn run(socket: TcpStream, peer: SocketAddr, shared: &Shared) -> io::Result<()> {
    let cfg = &shared.config;
    let mut io: Io = BufReader::new(Stream::Plain(socket));
    let mut st = State::default();
    send(
        &mut io,
        cfg,
        &format!("220 {} ESMTP mailshift sandbox ready\r\n", cfg.hostname),
    )
    .await?;
    loop {
        if st.errors >= MAX_ERRORS {
            send(&mut io, cfg, "421 4.7.0 too many errors, closing\r\n").await?;
            return Ok(());
        }
        let line = match next_line(&mut io, cfg).await? {
            None => return Ok(()),
            Some(Line::TooLong) => {
                st.errors += 1;
                send(&mut io, cfg, "500 5.5.2 line too long\r\n").await?;
                continue;
            }
            Some(Line::Complete(line)) => line,
        };
        let Ok(text) = std::str::from_utf8(trim_eol(&line)) else {
            st.errors += 1;
            send(&mut io, cfg, "500 5.5.2 commands must be text\r\n").await?;
            continue;
        };
        let command = match parse(text) {
            Ok(c) => c,
            Err(ParseError::Unknown) => {
                st.errors += 1;
                send(&mut io, cfg, "500 5.5.2 unknown command\r\n").await?;
                continue;
            }
            Err(ParseError::Syntax(why)) => {
                st.errors += 1;
                send(&mut io, cfg, &format!("501 5.5.4 {why}\r\n")).await?;
                continue;
            }
        };
        match command {
            Command::Ehlo(name) => {
                st.reset_transaction();
                st.helo = Some(name);
                let text = ehlo_reply(shared, io.get_ref().is_tls(), st.authenticated);
                send(&mut io, cfg, &text).await?;
            }
            Command::Helo(name) => {
                st.reset_transaction();
                st.helo = Some(name);
                send(&mut io, cfg, &format!("250 {}\r\n", cfg.hostname)).await?;
            }
            Command::StartTls => {
                let Some(tls) = shared.tls.clone() else {
                    send(&mut io, cfg, "502 5.5.1 STARTTLS is not offered here\r\n").await?;
                    continue;
                };
                if io.get_ref().is_tls() {
                    send(&mut io, cfg, "503 5.5.1 TLS is already active\r\n").await?;
                    continue;
                }
                send(&mut io, cfg, "220 2.0.0 ready to start TLS\r\n").await?;
                // Anything pipelined after STARTTLS was sent in clear: it is dropped
                // with the buffer (RFC 3207 section 5, command injection).
                let Stream::Plain(tcp) = io.into_inner() else {
                    unreachable!("checked above that the stream is plain");
                };
                let accept = TlsAcceptor::from(tls).accept(tcp);
                let tls_stream = tokio::time::timeout(cfg.idle_timeout, accept)
                    .await
                    .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "TLS handshake"))??;
                io = BufReader::new(Stream::Tls(Box::new(tls_stream)));
                st = State::default();
            }
            Command::Auth { mechanism, initial } => {
                auth(&mut io, shared, &mut st, &mechanism, initial).await?;
                if st.auth_failures >= MAX_AUTH_FAILURES {
                    send(
                        &mut io,
                        cfg,
                        "421 4.7.0 too many failed logins, closing\r\n",
                    )
                    .await?;
                    return Ok(());
                }
            }
            Command::Mail { from, size } => {
                let reply = if st.helo.is_none() {
                    "503 5.5.1 say EHLO first\r\n".to_string()
                } else if shared.login.is_some() && !st.authenticated {
                    "530 5.7.0 authentication required\r\n".to_string()
                } else if st.from.is_some() {
                    "503 5.5.1 a transaction is already open (RSET first)\r\n".to_string()
                } else if size.is_some_and(|s| s > cfg.max_message_bytes as u64) {
                    format!(
                        "552 5.3.4 message too big: the limit is {} bytes\r\n",
                        cfg.max_message_bytes
                    )
                } else {
                    st.from = Some(from);
                    "250 2.1.0 sender ok\r\n".to_string()
                };
                send(&mut io, cfg, &reply).await?;
            }
            Command::Rcpt(to) => {
                let reply = if st.from.is_none() {
                    "503 5.5.1 send MAIL FROM first\r\n".to_string()
                } else if st.recipients.len() >= cfg.max_recipients {
                    "452 4.5.3 too many recipients\r\n".to_string()
                } else {
                    match on_mailbox(shared, {
                        let to = to.clone();
                        move |m| m.accepts(&to)
                    })
                    .await
                    {
                        Ok(()) => {
                            st.recipients.push(to);
                            "250 2.1.5 recipient ok\r\n".to_string()
                        }
                        Err(reason) => {
                            format!("550 5.1.1 <{to}>: {}\r\n", one_line(&reason))
                        }
                    }
                };
                send(&mut io, cfg, &reply).await?;
            }
            Command::Data => {
                if st.recipients.is_empty() {
                    let reply = if st.from.is_none() {
                        "503 5.5.1 send MAIL FROM first\r\n"
                    } else {
                        "503 5.5.1 no valid recipient\r\n"
                    };
                    send(&mut io, cfg, reply).await?;
                    continue;
                }
                send(&mut io, cfg, "354 end data with <CR><LF>.<CR><LF>\r\n").await?;
                let limits = DataLimits {
                    max_bytes: cfg.max_message_bytes,
                    max_line: cfg.max_line_bytes,
                };
                let data = tokio::time::timeout(cfg.idle_timeout, read_data(&mut io, limits))
                    .await
                    .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "DATA"))??;
                let reply = match data {
                    None => return Ok(()),
                    Some(Data::TooBig) => format!(
                        "552 5.3.4 message too big: the limit is {} bytes\r\n",
                        cfg.max_message_bytes
                    ),
                    Some(Data::LineTooLong) => format!(
                        "500 5.5.6 a line is longer than {} bytes\r\n",
                        cfg.max_line_bytes
                    ),
                    Some(Data::Message(body)) => {
                        let raw = stamped(&st, peer, io.get_ref().is_tls(), cfg, &body);
                        deliver(shared, &st.recipients, raw).await
                    }
                };
                st.reset_transaction();
                send(&mut io, cfg, &reply).await?;
            }
            Command::Rset => {
                st.reset_transaction();
                send(&mut io, cfg, "250 2.0.0 reset\r\n").await?;
            }
            Command::Noop => send(&mut io, cfg, "250 2.0.0 ok\r\n").await?,
            Command::Vrfy => {
                send(&mut io, cfg, "252 2.5.2 cannot verify, send some mail\r\n").await?
            }
            Command::Help => {
                send(
                    &mut io,
                    cfg,
                    "214 2.0.0 see RFC 5321; this is the mailshift sandbox\r\n",
                )
                .await?
            }
            Command::Quit => {
                send(&mut io, cfg, "221 2.0.0 bye\r\n").await?;
                let _ = io.get_mut().shutdown().await;
                return Ok(());
            }
        }
    }
}

fn ehlo_reply(shared: &Shared, tls: bool, authenticated: bool) -> String {
    let cfg = &shared.config;
    let mut lines = vec![
        format!("{} greets you", cfg.hostname),
        format!("SIZE {}", cfg.max_message_bytes),
        "8BITMIME".to_string(),
    ];
    if shared.tls.is_some() && !tls {
        lines.push("STARTTLS".into());
    }
    if shared.login.is_some() && !authenticated {
        lines.push("AUTH PLAIN LOGIN".into());
    }
    lines.push("HELP".into());
    let last = lines.len() - 1;
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("250{}{l}\r\n", if i == last { ' ' } else { '-' }))
        .collect()
}

async fn auth(
    io: &mut Io,
    shared: &Shared,
    st: &mut State,
    mechanism: &str,
    initial: Option<String>,
) -> io::Result<()> {
    let cfg = &shared.config;
    let Some(login) = &shared.login else {
        return send(io, cfg, "503 5.5.1 authentication is not enabled\r\n").await;
    };
    if st.authenticated {
        return send(io, cfg, "503 5.5.1 already authenticated\r\n").await;
    }
    if st.from.is_some() {
        return send(
            io,
            cfg,
            "503 5.5.1 AUTH is not allowed during a transaction\r\n",
        )
        .await;
    }
    let credentials = match mechanism {
        "PLAIN" => {
            let response = match initial {
                Some(r) if r != "=" => Some(r),
                _ => challenge(io, cfg, "").await?,
            };
            response.map(|r| decode_plain(&r))
        }
        "LOGIN" => {
            let user = match initial {
                Some(r) => Some(r),
                None => challenge(io, cfg, "VXNlcm5hbWU6").await?,
            };
            match user {
                None => None,
                Some(user) => challenge(io, cfg, "UGFzc3dvcmQ6")
                    .await?
                    .map(|pw| decode_text(&user).zip(decode_text(&pw))),
            }
        }
        _ => {
            st.errors += 1;
            return send(io, cfg, "504 5.5.4 use AUTH PLAIN or AUTH LOGIN\r\n").await;
        }
    };
    match credentials {
        None => send(io, cfg, "501 5.7.0 authentication cancelled\r\n").await,
        Some(None) => {
            st.auth_failures += 1;
            send(
                io,
                cfg,
                "501 5.5.2 cannot decode the AUTH response (base64)\r\n",
            )
            .await
        }
        Some(Some((user, password))) => {
            if login.verify(&user, &password) {
                st.authenticated = true;
                send(io, cfg, "235 2.7.0 authentication successful\r\n").await
            } else {
                st.auth_failures += 1;
                tracing::info!(user = %user, "sandbox SMTP login refused");
                send(io, cfg, "535 5.7.8 authentication credentials invalid\r\n").await
            }
        }
    }
}

/// Sends a 334 challenge and reads the client's line; `None` when cancelled (`*`).
async fn challenge(io: &mut Io, cfg: &SmtpConfig, prompt: &str) -> io::Result<Option<String>> {
    send(io, cfg, &format!("334 {prompt}\r\n")).await?;
    match next_line(io, cfg).await? {
        Some(Line::Complete(l)) => {
            let text = String::from_utf8_lossy(trim_eol(&l)).into_owned();
            Ok(if text == "*" { None } else { Some(text) })
        }
        Some(Line::TooLong) => Ok(None),
        None => Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "client left during AUTH",
        )),
    }
}

/// The message as stored: trace headers of this hop, then the client's bytes.
fn stamped(st: &State, peer: SocketAddr, tls: bool, cfg: &SmtpConfig, body: &[u8]) -> Vec<u8> {
    let with = match (tls, st.authenticated) {
        (false, false) => "ESMTP",
        (true, false) => "ESMTPS",
        (false, true) => "ESMTPA",
        (true, true) => "ESMTPSA",
    };
    let helo = st.helo.as_deref().unwrap_or("unknown");
    let mut raw = format!(
        "Return-Path: <{}>\r\nReceived: from {helo} ([{}])\r\n\tby {} (mailshift sandbox) with {with};\r\n\t{}\r\n",
        st.from.as_deref().unwrap_or(""),
        peer.ip(),
        cfg.hostname,
        chrono::Utc::now().to_rfc2822()
    )
    .into_bytes();
    raw.extend_from_slice(body);
    raw
}

/// Hands the message to the mailbox for every recipient; the reply says how it went.
async fn deliver(shared: &Shared, recipients: &[String], raw: Vec<u8>) -> String {
    let raw = Arc::new(raw);
    let mut failed = Vec::new();
    for rcpt in recipients {
        let (rcpt2, raw) = (rcpt.clone(), raw.clone());
        if let Err(reason) = on_mailbox(shared, move |m| m.deliver(&rcpt2, &raw)).await {
            failed.push(format!("<{rcpt}>: {}", one_line(&reason)));
        }
    }
    if failed.is_empty() {
        "250 2.0.0 message accepted\r\n".to_string()
    } else {
        tracing::warn!(failures = ?failed, "sandbox SMTP delivery failed");
        format!(
            "554 5.3.0 delivery failed for {} of {} recipient(s): {}\r\n",
            failed.len(),
            recipients.len(),
            failed.join("; ")
        )
    }
}

/// Runs a (blocking, disk-bound) mailbox call off the async threads.
async fn on_mailbox<F>(shared: &Shared, f: F) -> Result<(), String>
where
    F: FnOnce(&dyn Mailbox) -> Result<(), String> + Send + 'static,
{
    let mailbox = shared.mailbox.clone();
    tokio::task::spawn_blocking(move || f(mailbox.as_ref()))
        .await
        .unwrap_or_else(|e| Err(format!("the mailbox failed: {e}")))
}

fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

async fn next_line(io: &mut Io, cfg: &SmtpConfig) -> io::Result<Option<Line>> {
    tokio::time::timeout(cfg.idle_timeout, read_line(io, MAX_COMMAND_LINE, 64 * 1024))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "client idle"))?
}

async fn send(io: &mut Io, cfg: &SmtpConfig, text: &str) -> io::Result<()> {
    let w = io.get_mut();
    tokio::time::timeout(cfg.idle_timeout, async {
        w.write_all(text.as_bytes()).await?;
        w.flush().await
    })
    .await
    .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "client not reading"))?
}
