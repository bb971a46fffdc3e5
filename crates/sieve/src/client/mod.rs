//! The ManageSieve client session (RFC 5804): connect, STARTTLS or implicit TLS,
//! SASL PLAIN/LOGIN, then the script commands (list, get, put, check, activate, delete),
//! each bounded by the account's timeout.

mod capabilities;
mod error;
mod stream;
mod wire;

use std::future::Future;
use std::time::Duration;

use base64::Engine as _;
use mailshift_net::{client_config, Secret, Security, TlsOptions};
use serde::{Deserialize, Serialize};
use tokio::net::TcpStream;
use tracing::debug;

pub use capabilities::Capabilities;
pub use error::SieveError;

use stream::{protocol, tls_handshake, Stream, Wire};
use wire::{literal_arg, string_arg, Final, Status, Tok};

/// Where and how to reach one user's ManageSieve service.
#[derive(Debug, Clone)]
pub struct SieveAccount {
    pub host: String,
    /// Usually 4190.
    pub port: u16,
    pub security: Security,
    pub user: String,
    pub password: Secret,
    pub tls: TlsOptions,
    /// Bound on connecting and on each command.
    pub timeout: Duration,
}

/// One script on the server, as LISTSCRIPTS reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptEntry {
    pub name: String,
    /// The script the server runs on delivery (at most one is active).
    pub active: bool,
}

/// A logged-in ManageSieve session.
pub struct SieveClient {
    wire: Wire,
    caps: Capabilities,
    timeout: Duration,
    server: String,
}

impl std::fmt::Debug for SieveClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SieveClient")
            .field("server", &self.server)
            .field("tls", &self.wire.is_tls())
            .finish_non_exhaustive()
    }
}

async fn bounded<T>(
    limit: Duration,
    what: &str,
    fut: impl Future<Output = Result<T, SieveError>>,
) -> Result<T, SieveError> {
    tokio::time::timeout(limit, fut).await.unwrap_or_else(|_| {
        Err(SieveError::Timeout {
            what: what.to_string(),
            secs: limit.as_secs().max(1),
        })
    })
}

/// Read the capability lines up to the final OK (greeting, after STARTTLS, CAPABILITY).
async fn read_capabilities(wire: &mut Wire) -> Result<Capabilities, SieveError> {
    let (lines, fin) = wire.read_response().await?;
    if fin.status != Status::Ok {
        return Err(protocol(&format!(
            "the server refused the session: {}",
            fin.describe()
        )));
    }
    let mut caps = Capabilities::default();
    for line in &lines {
        caps.absorb(line);
    }
    Ok(caps)
}

impl SieveClient {
    /// Connect, secure the connection, and log in: implicit TLS with `Security::Tls`;
    /// otherwise STARTTLS whenever the server offers it, required with
    /// `Security::Starttls`, and plain text allowed with `Security::None` only when the
    /// server does not offer it.
    pub async fn connect(account: &SieveAccount) -> Result<SieveClient, SieveError> {
        let server = format!("{}:{}", account.host, account.port);
        let limit = account.timeout;
        let tcp = bounded(limit, &format!("connecting to {server}"), async {
            TcpStream::connect((account.host.as_str(), account.port))
                .await
                .map_err(|e| SieveError::Connect {
                    host: account.host.clone(),
                    port: account.port,
                    cause: e.to_string(),
                })
        })
        .await?;
        let tls_config = || {
            client_config(&account.tls).map_err(|e| SieveError::Tls {
                host: account.host.clone(),
                cause: e.to_string(),
            })
        };
        let stream = match account.security {
            Security::Tls => {
                let config = tls_config()?;
                bounded(
                    limit,
                    &format!("TLS handshake with {server}"),
                    tls_handshake(tcp, &account.host, config),
                )
                .await?
            }
            Security::Starttls | Security::None => Stream::Plain(tcp),
        };
        let mut wire = Wire::new(stream);
        let mut caps = bounded(
            limit,
            &format!("the greeting of {server}"),
            read_capabilities(&mut wire),
        )
        .await?;
        debug!(server = %server, implementation = %caps.implementation, "ManageSieve greeting");

        // STARTTLS whenever the server offers it; required unless the account says `None`
        // (then a server that does not offer it is spoken to in plain text).
        let upgrade = match account.security {
            Security::Tls => false,
            Security::Starttls if !caps.starttls => {
                return Err(SieveError::NoStartTls { server });
            }
            Security::Starttls | Security::None => caps.starttls,
        };
        if upgrade {
            let config = tls_config()?;
            let (w, c) = bounded(limit, &format!("STARTTLS with {server}"), async {
                debug!("C: STARTTLS");
                wire.send(b"STARTTLS\r\n").await?;
                let (_, fin) = wire.read_response().await?;
                if fin.status != Status::Ok {
                    return Err(SieveError::Tls {
                        host: account.host.clone(),
                        cause: format!("STARTTLS refused: {}", fin.describe()),
                    });
                }
                let tcp = wire.into_plain()?;
                let mut wire = Wire::new(tls_handshake(tcp, &account.host, config).await?);
                // RFC 5804 2.2: the server sends its capabilities again after the handshake.
                let caps = read_capabilities(&mut wire).await?;
                Ok((wire, caps))
            })
            .await?;
            wire = w;
            caps = c;
        }

        let mut client = SieveClient {
            wire,
            caps,
            timeout: limit,
            server,
        };
        client.authenticate(account).await?;
        Ok(client)
    }

    /// What the server announced (after STARTTLS, when used).
    pub fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    async fn authenticate(&mut self, account: &SieveAccount) -> Result<(), SieveError> {
        let b64 = |s: &[u8]| base64::engine::general_purpose::STANDARD.encode(s);
        let user = account.user.as_str();
        let pass = account.password.expose();
        let (mechanism, initial, mut answers) = if self.caps.sasl.iter().any(|m| m == "PLAIN") {
            let mut blob = Vec::with_capacity(user.len() + pass.len() + 2);
            blob.push(0);
            blob.extend_from_slice(user.as_bytes());
            blob.push(0);
            blob.extend_from_slice(pass.as_bytes());
            ("PLAIN", Some(b64(&blob)), Vec::new())
        } else if self.caps.sasl.iter().any(|m| m == "LOGIN") {
            // Answered in order to the "Username:" and "Password:" challenges.
            (
                "LOGIN",
                None,
                vec![b64(pass.as_bytes()), b64(user.as_bytes())],
            )
        } else if self.caps.sasl.is_empty() && !self.wire.is_tls() {
            return Err(SieveError::NeedsTls {
                server: self.server.clone(),
                text: "it offers no login mechanism on a connection without TLS".into(),
            });
        } else {
            return Err(protocol(&format!(
                "{} offers no login mechanism this client speaks (PLAIN, LOGIN); it offers: {}",
                self.server,
                if self.caps.sasl.is_empty() {
                    "none".to_string()
                } else {
                    self.caps.sasl.join(" ")
                }
            )));
        };
        let mut command = format!("AUTHENTICATE \"{mechanism}\"").into_bytes();
        if let Some(initial) = &initial {
            command.push(b' ');
            command.extend_from_slice(&string_arg(initial));
        }
        command.extend_from_slice(b"\r\n");
        debug!("C: AUTHENTICATE \"{mechanism}\" <credentials hidden>");
        let server = self.server.clone();
        let wire = &mut self.wire;
        let fin = bounded(self.timeout, &format!("login at {server}"), async {
            wire.send(&command).await?;
            loop {
                let toks = wire.read_line().await?;
                if let Some(fin) = wire::final_response(&toks).map_err(|e| protocol(&e))? {
                    return Ok(fin);
                }
                // A challenge: one string. Answer it, or cancel with "*" when out of answers.
                let answer = match answers.pop() {
                    Some(a) => string_arg(&a),
                    None => b"\"*\"".to_vec(),
                };
                let mut line = answer;
                line.extend_from_slice(b"\r\n");
                wire.send(&line).await?;
            }
        })
        .await?;
        match fin.status {
            Status::Ok => {
                debug!(server = %self.server, user = %account.user, "ManageSieve login");
                Ok(())
            }
            Status::No | Status::Bye if !self.wire.is_tls() && wants_tls(&fin) => {
                Err(SieveError::NeedsTls {
                    server: self.server.clone(),
                    text: fin.describe(),
                })
            }
            Status::No | Status::Bye => Err(SieveError::Auth {
                user: account.user.clone(),
                server: self.server.clone(),
                text: fin.describe(),
            }),
        }
    }

    /// Send one command and read its response; BYE ends the session as an error.
    async fn run(
        &mut self,
        what: &str,
        command: Vec<u8>,
    ) -> Result<(Vec<Vec<Tok>>, Final), SieveError> {
        let wire = &mut self.wire;
        let (data, fin) = bounded(self.timeout, what, async {
            wire.send(&command).await?;
            wire.read_response().await
        })
        .await?;
        if fin.status == Status::Bye {
            return Err(protocol(&format!(
                "{} closed the session during {what}: {}",
                self.server,
                fin.describe()
            )));
        }
        Ok((data, fin))
    }

    /// The scripts on the server and which one is active.
    pub async fn list(&mut self) -> Result<Vec<ScriptEntry>, SieveError> {
        debug!("C: LISTSCRIPTS");
        let (data, fin) = self.run("LISTSCRIPTS", b"LISTSCRIPTS\r\n".to_vec()).await?;
        expect_ok("LISTSCRIPTS", &fin)?;
        data.iter()
            .map(|line| match line.as_slice() {
                [Tok::Str(name), rest @ ..] => Ok(ScriptEntry {
                    name: utf8(name.clone(), "a script name")?,
                    active: matches!(rest, [Tok::Atom(a)] if a.eq_ignore_ascii_case("ACTIVE")),
                }),
                other => Err(protocol(&format!("unexpected LISTSCRIPTS line {other:?}"))),
            })
            .collect()
    }

    /// The text of one script, byte for byte.
    pub async fn get(&mut self, name: &str) -> Result<String, SieveError> {
        debug!("C: GETSCRIPT {name:?}");
        let (data, fin) = self
            .run("GETSCRIPT", command("GETSCRIPT", &[&string_arg(name)]))
            .await?;
        if fin.status == Status::No {
            return Err(refusal(&fin, &format!("GETSCRIPT {name:?}"), name));
        }
        match data.as_slice() {
            [line] => match line.as_slice() {
                [Tok::Str(bytes)] => utf8(bytes.clone(), "the script"),
                other => Err(protocol(&format!("unexpected GETSCRIPT data {other:?}"))),
            },
            _ => Err(protocol(&format!(
                "GETSCRIPT {name:?} answered {} data lines instead of one script",
                data.len()
            ))),
        }
    }

    /// Would a script of `size` bytes under this name fit the user's quota?
    pub async fn have_space(&mut self, name: &str, size: usize) -> Result<(), SieveError> {
        debug!("C: HAVESPACE {name:?} {size}");
        let size_arg = size.to_string();
        let (_, fin) = self
            .run(
                "HAVESPACE",
                command("HAVESPACE", &[&string_arg(name), size_arg.as_bytes()]),
            )
            .await?;
        expect_ok_named(&fin, &format!("HAVESPACE {name:?}"), name)
    }

    /// Let the server compile a script without storing it.
    pub async fn check(&mut self, script: &str) -> Result<(), SieveError> {
        debug!("C: CHECKSCRIPT {{{}+}} (script)", script.len());
        let (_, fin) = self
            .run(
                "CHECKSCRIPT",
                command("CHECKSCRIPT", &[&literal_arg(script.as_bytes())]),
            )
            .await?;
        expect_ok("CHECKSCRIPT", &fin)
    }

    /// Store a script under `name` (replacing one of that name); the server compiles it first.
    pub async fn put(&mut self, name: &str, script: &str) -> Result<(), SieveError> {
        debug!("C: PUTSCRIPT {name:?} {{{}+}} (script)", script.len());
        let (_, fin) = self
            .run(
                "PUTSCRIPT",
                command(
                    "PUTSCRIPT",
                    &[&string_arg(name), &literal_arg(script.as_bytes())],
                ),
            )
            .await?;
        expect_ok_named(&fin, &format!("PUTSCRIPT {name:?}"), name)
    }

    /// Make `name` the active script, or deactivate all with `None`.
    pub async fn set_active(&mut self, name: Option<&str>) -> Result<(), SieveError> {
        let arg = name.unwrap_or("");
        debug!("C: SETACTIVE {arg:?}");
        let (_, fin) = self
            .run("SETACTIVE", command("SETACTIVE", &[&string_arg(arg)]))
            .await?;
        expect_ok_named(&fin, &format!("SETACTIVE {arg:?}"), arg)
    }

    /// Delete a script (the server refuses to delete the active one).
    pub async fn delete(&mut self, name: &str) -> Result<(), SieveError> {
        debug!("C: DELETESCRIPT {name:?}");
        let (_, fin) = self
            .run(
                "DELETESCRIPT",
                command("DELETESCRIPT", &[&string_arg(name)]),
            )
            .await?;
        expect_ok_named(&fin, &format!("DELETESCRIPT {name:?}"), name)
    }

    /// End the session politely.
    pub async fn logout(mut self) -> Result<(), SieveError> {
        debug!("C: LOGOUT");
        let wire = &mut self.wire;
        let fin = bounded(self.timeout, "LOGOUT", async {
            wire.send(b"LOGOUT\r\n").await?;
            wire.read_response().await.map(|(_, fin)| fin)
        })
        .await?;
        match fin.status {
            Status::Ok | Status::Bye => Ok(()),
            Status::No => Err(rejected("LOGOUT", &fin)),
        }
    }
}

/// Does a refused login say the connection must be encrypted first (RFC 5804 response
/// codes ENCRYPT-NEEDED / TRANSITION-NEEDED, or Dovecot's "Plaintext authentication
/// disallowed on non-secure (SSL/TLS) connections"), rather than that the credentials
/// are wrong?
fn wants_tls(fin: &Final) -> bool {
    if fin.code_is("ENCRYPT-NEEDED") || fin.code_is("TRANSITION-NEEDED") {
        return true;
    }
    let text = fin.text.to_ascii_lowercase();
    [
        "plaintext",
        "non-secure",
        "ssl/tls",
        "encrypt",
        "starttls",
        "requires tls",
    ]
    .iter()
    .any(|w| text.contains(w))
}

/// `NAME arg arg CRLF`.
fn command(name: &str, args: &[&[u8]]) -> Vec<u8> {
    let mut out = name.as_bytes().to_vec();
    for arg in args {
        out.push(b' ');
        out.extend_from_slice(arg);
    }
    out.extend_from_slice(b"\r\n");
    out
}

fn utf8(bytes: Vec<u8>, what: &str) -> Result<String, SieveError> {
    String::from_utf8(bytes)
        .map_err(|_| protocol(&format!("{what} sent by the server is not UTF-8")))
}

fn rejected(command: &str, fin: &Final) -> SieveError {
    SieveError::Rejected {
        command: command.to_string(),
        text: fin.describe(),
    }
}

fn expect_ok(command: &str, fin: &Final) -> Result<(), SieveError> {
    match fin.status {
        Status::Ok => Ok(()),
        _ => Err(refusal(fin, command, "")),
    }
}

fn expect_ok_named(fin: &Final, command: &str, name: &str) -> Result<(), SieveError> {
    match fin.status {
        Status::Ok => Ok(()),
        _ => Err(refusal(fin, command, name)),
    }
}

/// A NO turned into the error its response code means.
fn refusal(fin: &Final, command: &str, name: &str) -> SieveError {
    let kind = mailshift_net::reply::classify_parts(fin.code.as_deref(), &fin.text);
    if kind == mailshift_net::ReplyKind::OverQuota {
        SieveError::Quota {
            text: fin.describe(),
        }
    } else if fin.code_is("NONEXISTENT") {
        SieveError::NotFound {
            name: name.to_string(),
        }
    } else {
        rejected(command, fin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no(code: Option<&str>, text: &str) -> Final {
        Final {
            status: Status::No,
            code: code.map(str::to_string),
            code_args: Vec::new(),
            text: text.to_string(),
        }
    }

    #[test]
    fn response_codes_pick_the_error() {
        assert!(matches!(
            refusal(&no(Some("QUOTA/MAXSIZE"), "too big"), "PUTSCRIPT", "a"),
            SieveError::Quota { text } if text == "too big"
        ));
        assert!(matches!(
            refusal(&no(Some("NONEXISTENT"), "gone"), "GETSCRIPT", "a"),
            SieveError::NotFound { name } if name == "a"
        ));
        assert!(matches!(
            refusal(&no(Some("ACTIVE"), "active script"), "DELETESCRIPT \"a\"", "a"),
            SieveError::Rejected { command, text } if command == "DELETESCRIPT \"a\"" && text == "active script"
        ));
        assert!(expect_ok("X", &no(None, "")).is_err());
    }

    #[test]
    fn a_refusal_asking_for_tls_is_told_from_wrong_credentials() {
        assert!(wants_tls(&no(
            None,
            "Plaintext authentication disallowed on non-secure (SSL/TLS) connections."
        )));
        assert!(wants_tls(&no(Some("ENCRYPT-NEEDED"), "")));
        assert!(!wants_tls(&no(None, "Authentication failed.")));
        assert!(!wants_tls(&no(Some("AUTH-TOO-WEAK"), "bad")));
    }

    #[test]
    fn commands_are_spaced_and_end_in_crlf() {
        assert_eq!(
            command("PUTSCRIPT", &[&string_arg("a b"), &literal_arg(b"keep;")]),
            b"PUTSCRIPT \"a b\" {5+}\r\nkeep;\r\n"
        );
        assert_eq!(command("LISTSCRIPTS", &[]), b"LISTSCRIPTS\r\n");
    }
}
