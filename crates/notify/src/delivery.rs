//! One SMTP session per notice: connect (TLS or STARTTLS as configured), log in,
//! MAIL / RCPT / DATA, QUIT. Each step has its own timeout and its own error, so a
//! refused login is never reported as a refused recipient.

use std::future::Future;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::Error as SmtpError;

use mailshift_net::check_address;

use crate::{tls, Notice, NotifyError, Relay, SmtpSecurity};

/// Sends `notice` through `relay`. Returns once the relay accepted the message.
pub async fn send(relay: &Relay, notice: &Notice) -> Result<(), NotifyError> {
    let to = check_address(&notice.to)?;
    let from = check_address(&relay.from).map_err(|e| NotifyError::BadSender {
        address: relay.from.clone(),
        reason: e.reason,
    })?;
    let credentials = credentials(relay)?;
    let message = notice.to_bytes(&relay.from)?;
    let tls = match relay.security {
        SmtpSecurity::None => None,
        SmtpSecurity::Tls | SmtpSecurity::Starttls => Some(tls::parameters(relay)?),
    };
    let hello = ClientId::Domain(hello_name(from.domain()));
    let implicit = match relay.security {
        SmtpSecurity::Tls => tls.clone(),
        _ => None,
    };

    let connecting = "connecting";
    let mut conn = within(
        relay,
        connecting,
        AsyncSmtpConnection::connect_tokio1(
            (relay.host.as_str(), relay.port),
            Some(relay.timeout),
            &hello,
            implicit,
            None,
        ),
    )
    .await?
    .map_err(|e| failure(relay, connecting, e))?;

    let result = session(
        relay,
        &mut conn,
        &hello,
        tls,
        credentials,
        &to,
        &from,
        &message,
    )
    .await;
    match &result {
        Ok(()) => {
            let _ = within(relay, "saying goodbye", conn.quit()).await;
            tracing::info!(relay = %relay.address(), to = %to, "notification sent");
        }
        // The relay answered: the session is sound, say goodbye politely.
        Err(e)
            if !e.is_transient()
                && !matches!(e, NotifyError::Tls { .. } | NotifyError::Untrusted { .. }) =>
        {
            if !conn.has_broken() {
                let _ = within(relay, "saying goodbye", conn.quit()).await;
            }
        }
        // A broken stream (TLS failed half-way, timeout): just drop it.
        Err(_) => {}
    }
    result
}

#[allow(clippy::too_many_arguments)]
async fn session(
    relay: &Relay,
    conn: &mut AsyncSmtpConnection,
    hello: &ClientId,
    tls: Option<lettre::transport::smtp::client::TlsParameters>,
    credentials: Option<Credentials>,
    to: &lettre::Address,
    from: &lettre::Address,
    message: &[u8],
) -> Result<(), NotifyError> {
    if relay.security == SmtpSecurity::Starttls {
        if !conn.can_starttls() {
            return Err(NotifyError::NoStarttls {
                relay: relay.address(),
            });
        }
        let params = tls.expect("STARTTLS always has TLS parameters");
        let step = "starting TLS";
        within(relay, step, conn.starttls(params, hello))
            .await?
            .map_err(|e| failure(relay, step, e))?;
    }

    if let Some(credentials) = credentials {
        let step = "logging in";
        let mechanisms = [Mechanism::Plain, Mechanism::Login];
        match within(relay, step, conn.auth(&mechanisms, &credentials)).await? {
            Ok(_) => {}
            Err(e) if e.status().is_some() => {
                return Err(NotifyError::LoginRefused {
                    relay: relay.address(),
                    user: relay.user.clone().unwrap_or_default(),
                    reply: e.to_string(),
                })
            }
            Err(e) if e.is_client() => {
                return Err(NotifyError::NoLoginMechanism {
                    relay: relay.address(),
                    hint: if conn.is_encrypted() {
                        ""
                    } else {
                        "; many relays offer it only over TLS: try security starttls or tls"
                    },
                })
            }
            Err(e) => return Err(failure(relay, step, e)),
        }
    }

    let mut options = Vec::new();
    if !message.is_ascii() && conn.server_info().supports_feature(Extension::EightBitMime) {
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    let step = "sending MAIL FROM";
    match within(
        relay,
        step,
        conn.command(Mail::new(Some(from.clone()), options)),
    )
    .await?
    {
        Ok(_) => {}
        Err(e) if e.status().is_some_and(|c| c.to_string() == "530") => {
            return Err(NotifyError::LoginRequired {
                relay: relay.address(),
                reply: e.to_string(),
            })
        }
        Err(e) if e.status().is_some() => {
            return Err(NotifyError::SenderRefused {
                relay: relay.address(),
                from: from.to_string(),
                reply: e.to_string(),
            })
        }
        Err(e) => return Err(failure(relay, step, e)),
    }

    let step = "sending RCPT TO";
    match within(relay, step, conn.command(Rcpt::new(to.clone(), vec![]))).await? {
        Ok(_) => {}
        Err(e) if e.status().is_some() => {
            return Err(NotifyError::RecipientRefused {
                to: to.to_string(),
                reply: e.to_string(),
            })
        }
        Err(e) => return Err(failure(relay, step, e)),
    }

    let step = "sending the message";
    let sent = within(relay, step, async {
        conn.command(Data).await?;
        conn.message(message).await
    })
    .await?;
    match sent {
        Ok(_) => Ok(()),
        Err(e) if e.status().is_some() => Err(NotifyError::MessageRefused {
            relay: relay.address(),
            reply: e.to_string(),
        }),
        Err(e) => Err(failure(relay, step, e)),
    }
}

/// Runs one step under the relay's timeout.
async fn within<T>(
    relay: &Relay,
    step: &'static str,
    fut: impl Future<Output = Result<T, SmtpError>>,
) -> Result<Result<T, SmtpError>, NotifyError> {
    tokio::time::timeout(relay.timeout, fut)
        .await
        .map_err(|_| NotifyError::Timeout {
            relay: relay.address(),
            step,
            secs: relay.timeout.as_secs().max(1),
        })
}

fn credentials(relay: &Relay) -> Result<Option<Credentials>, NotifyError> {
    let Some(user) = &relay.user else {
        return Ok(None);
    };
    let password = relay
        .password
        .as_ref()
        .ok_or_else(|| NotifyError::NoPassword { user: user.clone() })?;
    Ok(Some(Credentials::new(
        user.clone(),
        password.expose().to_owned(),
    )))
}

/// The EHLO name: a host under the sender's domain (we have no FQDN of our own).
fn hello_name(domain: &str) -> String {
    format!("mailshift.{domain}")
}

/// A failure that is not an SMTP reply: network, TLS, timeout, garbage.
fn failure(relay: &Relay, step: &'static str, e: SmtpError) -> NotifyError {
    if e.is_timeout() {
        return NotifyError::Timeout {
            relay: relay.address(),
            step,
            secs: relay.timeout.as_secs().max(1),
        };
    }
    if let Some(tls) = rustls_error(&e) {
        return match tls {
            rustls::Error::InvalidCertificate(reason) => NotifyError::Untrusted {
                relay: relay.address(),
                reason: format!("{reason:?}"),
            },
            other => NotifyError::Tls {
                relay: relay.address(),
                reason: other.to_string(),
            },
        };
    }
    if e.is_tls() {
        return NotifyError::Tls {
            relay: relay.address(),
            reason: chain(&e),
        };
    }
    if step == "connecting" && io_error(&e).is_some() {
        return NotifyError::Unreachable {
            relay: relay.address(),
            reason: chain(&e),
        };
    }
    NotifyError::Protocol {
        relay: relay.address(),
        step,
        reason: chain(&e),
    }
}

/// The rustls error behind a lettre error, if any (io::Error hides it from `source`).
fn rustls_error(e: &SmtpError) -> Option<&rustls::Error> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(tls) = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(tls);
        }
        next = err.source();
    }
    None
}

fn io_error(e: &SmtpError) -> Option<&std::io::Error> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        next = err.source();
    }
    None
}

/// The innermost useful description of an error chain, on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut next = e.source();
    while let Some(err) = next {
        let s = err.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        next = err.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hello_name_lives_under_the_sender_domain() {
        assert_eq!(hello_name("example.net"), "mailshift.example.net");
    }

    #[test]
    fn a_user_without_password_is_refused_before_connecting() {
        let relay = Relay::from_settings(
            crate::RelaySettings {
                host: "127.0.0.1".into(),
                port: Some(9),
                security: SmtpSecurity::None,
                user: Some("alice".into()),
                from: "a@b.c".into(),
                ca_file: None,
                insecure: false,
                timeout_secs: 1,
            },
            None,
        );
        let err = credentials(&relay).unwrap_err().to_string();
        assert!(
            err.contains("alice") && err.contains("no password"),
            "{err}"
        );
    }
}
