//! Opening a connection: TCP, TLS or STARTTLS, the greeting, then LOGIN,
//! AUTHENTICATE PLAIN or XOAUTH2, each within its time limit.

use std::time::Duration;

use async_imap::imap_proto::{self, Response};
use tokio::net::TcpStream;

use super::endpoint::{AuthMethod, Endpoint, Security};
use super::error::ImapError;
use super::limit::{Limited, ReadLimit};
use super::quirks::{lost_reason, server_text};
use super::session::{Caps, Conn, Timeouts};
use mailshift_net::{client_config, tls_failure_reason, ReplyKind, Transport};

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
