//! One TCP connection: drives imap-next's `Server` over its tokio stream,
//! hands events to the `Session`, answers malformed input with BAD instead
//! of hanging, and closes on LOGOUT, idle timeout or server shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use imap_next::imap_types::core::Tag;
use imap_next::imap_types::response::{Greeting, Status};
use imap_next::server::{Error as ProtocolError, Event, Options, ResponseHandle, Server};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::{timeout, Instant};

use super::budget::InputBudget;
use super::session::{status_bad, Session};
use super::transport::{Transport, TransportError};
use super::ServerConfig;
use crate::connection_limit::ConnectionSlot;
use crate::{Directory, MailStore};

/// What every connection of one server shares.
pub struct Shared {
    pub store: Arc<MailStore>,
    pub directory: Arc<Directory>,
    pub config: ServerConfig,
    pub name: String,
    pub budget: InputBudget,
}

/// The largest command imap-next takes after login: one literal and some text.
pub fn max_command_size(config: &ServerConfig) -> u32 {
    config.max_literal_bytes.saturating_add(64 * 1024)
}

/// How long a closing connection may take to flush its last answers.
const FLUSH_LIMIT: Duration = Duration::from_secs(5);

pub async fn serve(
    socket: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
    _slot: ConnectionSlot,
) {
    let mut options = Options::default();
    // These bound commands after login (APPEND); before it the transport's guard allows
    // only a few KiB.
    options.max_literal_size = shared.config.max_literal_bytes;
    options.max_command_size = max_command_size(&shared.config);
    let _ = options.set_literal_reject_text(format!(
        "literal too large: the sandbox accepts messages up to {} bytes",
        shared.config.max_literal_bytes
    ));
    let greeting_text = format!("mailshift sandbox IMAP ({}) ready", shared.name);
    let greeting = Greeting::ok(None, &greeting_text)
        .map(imap_next::imap_types::IntoStatic::into_static)
        .or_else(|_| Greeting::ok(None, "mailshift sandbox IMAP ready"));
    let Ok(greeting) = greeting else {
        return;
    };
    let mut server = Server::new(options, greeting);
    let mut transport = Transport::new(socket, shared.budget.clone());
    let mut session = Session::new(shared.clone());
    match drive(
        &mut transport,
        &mut server,
        &mut session,
        &shared.config,
        stop,
    )
    .await
    {
        Ok(()) | Err(TransportError::Closed) => {}
        Err(TransportError::PreLogin(violation)) => {
            // Refuse the command and close: resynchronising would mean reading the
            // oversized input the guard exists to avoid.
            let tag = transport.prelogin_tag().and_then(|t| Tag::try_from(t).ok());
            tracing::debug!(%peer, reason = %violation.reason(), "sandbox IMAP input refused before login");
            server.enqueue_status(status_bad(tag, &violation.reason()));
            say_bye(
                &mut transport,
                &mut server,
                "closing: too much input before login",
            )
            .await;
            transport.linger_close().await;
        }
        Err(TransportError::Busy) => {
            tracing::warn!(%peer, "sandbox IMAP input budget spent: connection closed");
            say_bye(
                &mut transport,
                &mut server,
                "server busy receiving other mail: try again later",
            )
            .await;
            transport.linger_close().await;
        }
        Err(e) => tracing::debug!(%peer, error = %e, "sandbox IMAP connection failed"),
    }
}

/// Serves commands until LOGOUT, a timeout, the server's shutdown or a broken connection.
async fn drive(
    transport: &mut Transport,
    server: &mut Server,
    session: &mut Session,
    config: &ServerConfig,
    mut stop: watch::Receiver<bool>,
) -> Result<(), TransportError> {
    let started = Instant::now();
    let mut idle_since: Option<Instant> = None;
    loop {
        if let Some(last) = session.closing {
            let _ = timeout(FLUSH_LIMIT, transport.send_until(server, last)).await;
            return Ok(());
        }
        // Stream a FETCH answer: each message is written before the next is read.
        while session.is_fetching() {
            let Some(handle) = session.fetch_next(server) else {
                break;
            };
            tokio::select! {
                _ = stop.changed() => {
                    say_bye(transport, server, "sandbox server shutting down").await;
                    return Ok(());
                }
                sent = timeout(config.idle_timeout, transport.send_until(server, handle)) => match sent {
                    Ok(result) => result?,
                    Err(_elapsed) => return Ok(()), // the client stopped reading
                },
            }
        }
        let wait = if session.is_idling() {
            config.idle_poll
        } else if !session.logged_in() {
            // Logging in is quick: a connection that does not may not hold a slot.
            config
                .login_timeout
                .saturating_sub(started.elapsed())
                .min(config.idle_timeout)
        } else {
            config.idle_timeout
        };
        let event = tokio::select! {
            _ = stop.changed() => {
                say_bye(transport, server, "sandbox server shutting down").await;
                return Ok(());
            }
            result = timeout(wait, transport.next(server)) => result,
        };
        let event = match event {
            Err(_elapsed) if session.is_idling() => {
                let since = *idle_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= config.idle_max {
                    say_bye(
                        transport,
                        server,
                        "IDLE lasted too long, closing connection",
                    )
                    .await;
                    return Ok(());
                }
                session.sync(server, true);
                continue;
            }
            Err(_elapsed) if !session.logged_in() => {
                say_bye(transport, server, "no login in time, closing connection").await;
                return Ok(());
            }
            Err(_elapsed) => {
                say_bye(transport, server, "idle for too long, closing connection").await;
                return Ok(());
            }
            Ok(Ok(event)) => event,
            Ok(Err(TransportError::Protocol(error))) => {
                answer_protocol_error(server, error);
                continue;
            }
            Ok(Err(e)) => return Err(e),
        };
        match event {
            Event::CommandReceived { command } => session.command(server, command),
            Event::CommandAuthenticateReceived {
                command_authenticate,
            } => session.authenticate(server, command_authenticate),
            Event::AuthenticateDataReceived { authenticate_data } => {
                session.authenticate_data(server, authenticate_data)
            }
            Event::IdleCommandReceived { tag } => {
                idle_since = Some(Instant::now());
                session.idle_start(server, tag);
            }
            Event::IdleDoneReceived => {
                idle_since = None;
                session.idle_done(server);
            }
            Event::GreetingSent { .. } | Event::ResponseSent { .. } => {}
        }
        if session.logged_in() {
            transport.logged_in(u64::from(config.max_literal_bytes));
        }
    }
}

/// Sends an untagged BYE after what is queued (bounded in time).
async fn say_bye(transport: &mut Transport, server: &mut Server, text: &'static str) {
    let Ok(bye) = Status::bye(None, text) else {
        return;
    };
    let handle: ResponseHandle = server.enqueue_status(bye);
    let _ = timeout(FLUSH_LIMIT, transport.send_until(server, handle)).await;
}

/// Malformed, too long or badly terminated input: answer BAD (tagged when a
/// tag can be read) and carry on with the next command.
fn answer_protocol_error(server: &mut Server, error: ProtocolError) {
    let (bytes, reason) = match &error {
        ProtocolError::MalformedMessage { discarded_bytes } => (
            discarded_bytes.declassify().to_vec(),
            "malformed or unknown command",
        ),
        ProtocolError::ExpectedCrlfGotLf { discarded_bytes } => (
            discarded_bytes.declassify().to_vec(),
            "lines must end with CRLF",
        ),
        ProtocolError::CommandTooLong { discarded_bytes } => {
            (discarded_bytes.declassify().to_vec(), "command too long")
        }
        // imap-next already answered `BAD` with our reject text.
        ProtocolError::LiteralTooLong { .. } => return,
    };
    server.enqueue_status(status_bad(tag_of(&bytes), reason));
}

/// Best-effort tag of a rejected line (never echoes anything but a valid tag).
fn tag_of(bytes: &[u8]) -> Option<Tag<'static>> {
    let end = bytes
        .iter()
        .position(|&b| b == b' ' || b == b'\r' || b == b'\n')?;
    let tag = std::str::from_utf8(&bytes[..end]).ok()?;
    if tag == "*" || tag == "+" {
        return None;
    }
    Tag::try_from(tag.to_string()).ok()
}

#[cfg(test)]
mod tests {
    use super::tag_of;

    #[test]
    fn tag_is_read_only_when_valid() {
        assert_eq!(tag_of(b"a1 FOO\r\n").unwrap().as_ref(), "a1");
        assert!(tag_of(b"* FOO\r\n").is_none());
        assert!(tag_of(b"nospace").is_none());
        assert!(tag_of(b"a{b FOO\r\n").is_none());
    }
}
