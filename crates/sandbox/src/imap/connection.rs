//! One TCP connection: drives imap-next's `Server` over its tokio stream,
//! hands events to the `Session`, answers malformed input with BAD instead
//! of hanging, and closes on LOGOUT, idle timeout or server shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use imap_next::imap_types::core::Tag;
use imap_next::imap_types::response::{Greeting, Status};
use imap_next::server::{Error as ProtocolError, Event, Options, ResponseHandle, Server};
use imap_next::stream::{Error as StreamError, Stream};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::{timeout, Instant};

use super::session::{status_bad, Session};
use super::ServerConfig;
use crate::{Directory, MailStore};

/// What every connection of one server shares.
pub struct Shared {
    pub store: Arc<MailStore>,
    pub directory: Arc<Directory>,
    pub config: ServerConfig,
    pub name: String,
}

/// How long a closing connection may take to flush its last answers.
const FLUSH_LIMIT: Duration = Duration::from_secs(5);

pub async fn serve(
    socket: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let mut options = Options::default();
    options.max_literal_size = shared.config.max_literal_bytes;
    options.max_command_size = shared.config.max_literal_bytes.saturating_add(64 * 1024);
    let _ = options.set_literal_reject_text(format!(
        "literal too large: the sandbox accepts messages up to {} bytes",
        shared.config.max_literal_bytes
    ));
    let greeting_text = format!("mailshift sandbox IMAP ({}) ready", shared.name);
    let greeting = Greeting::ok(None, &greeting_text)
        .map(imap_next::imap_types::IntoStatic::into_static)
        .unwrap_or_else(|_| {
            Greeting::ok(None, "mailshift sandbox IMAP ready").expect("valid greeting")
        });
    let mut server = Server::new(options, greeting);
    let mut stream = Stream::insecure(socket);
    let mut session = Session::new(shared.clone());
    let config = shared.config.clone();
    let mut idle_since: Option<Instant> = None;

    loop {
        if let Some(last) = session.closing {
            flush_until(&mut stream, &mut server, last).await;
            break;
        }
        let wait = if session.is_idling() {
            config.idle_poll
        } else {
            config.idle_timeout
        };
        let event = tokio::select! {
            _ = stop.changed() => {
                let bye = server.enqueue_status(Status::bye(None, "sandbox server shutting down").expect("valid text"));
                flush_until(&mut stream, &mut server, bye).await;
                break;
            }
            result = timeout(wait, stream.next(&mut server)) => result,
        };
        let event = match event {
            Err(_elapsed) if session.is_idling() => {
                let since = *idle_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= config.idle_max {
                    let bye = server.enqueue_status(
                        Status::bye(None, "IDLE lasted too long, closing connection")
                            .expect("valid text"),
                    );
                    flush_until(&mut stream, &mut server, bye).await;
                    break;
                } else {
                    session.sync(&mut server, true);
                }
                continue;
            }
            Err(_elapsed) => {
                let bye = server.enqueue_status(
                    Status::bye(None, "idle for too long, closing connection").expect("valid text"),
                );
                flush_until(&mut stream, &mut server, bye).await;
                break;
            }
            Ok(Ok(event)) => event,
            Ok(Err(StreamError::State(error))) => {
                answer_protocol_error(&mut server, error);
                continue;
            }
            Ok(Err(StreamError::Closed)) => break,
            Ok(Err(e)) => {
                tracing::debug!(%peer, error = %e, "sandbox IMAP connection failed");
                break;
            }
        };
        match event {
            Event::CommandReceived { command } => session.command(&mut server, command),
            Event::CommandAuthenticateReceived {
                command_authenticate,
            } => session.authenticate(&mut server, command_authenticate),
            Event::AuthenticateDataReceived { authenticate_data } => {
                session.authenticate_data(&mut server, authenticate_data)
            }
            Event::IdleCommandReceived { tag } => {
                idle_since = Some(Instant::now());
                session.idle_start(&mut server, tag);
            }
            Event::IdleDoneReceived => {
                idle_since = None;
                session.idle_done(&mut server);
            }
            Event::GreetingSent { .. } | Event::ResponseSent { .. } => {}
        }
    }
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

/// Sends what is queued until `handle` went out (bounded in time).
async fn flush_until(stream: &mut Stream, server: &mut Server, handle: ResponseHandle) {
    let _ = timeout(FLUSH_LIMIT, async {
        loop {
            match stream.next(&mut *server).await {
                Ok(Event::ResponseSent { handle: sent, .. }) if sent == handle => break,
                Ok(_) | Err(StreamError::State(_)) => {}
                Err(_) => break,
            }
        }
    })
    .await;
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
