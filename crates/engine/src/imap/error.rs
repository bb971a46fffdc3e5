//! Errors of the connection layer, each naming the side and what happened; what the
//! user can do about it is `remedy()`, worded by the CLI and the panel each their way.

use mailshift_net::Remedy;

use super::endpoint::Side;

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("{side}: cannot resolve host {host}")]
    UnknownHost { side: Side, host: String },
    #[error("{side}: connection refused by {host}:{port}")]
    Refused { side: Side, host: String, port: u16 },
    #[error("{side}: no answer from {host}:{port} within {secs} s: check the host, the port and any firewall")]
    ConnectTimeout {
        side: Side,
        host: String,
        port: u16,
        secs: u64,
    },
    #[error("{side}: cannot connect to {host}:{port}: {reason}")]
    Connect {
        side: Side,
        host: String,
        port: u16,
        reason: String,
    },
    #[error("{side}: TLS with {host}:{port} failed: {reason}{}", hint.map(|h| format!("; {h}")).unwrap_or_default())]
    Tls {
        side: Side,
        host: String,
        port: u16,
        reason: String,
        /// What to check when no `Remedy` says it (the security, the host name).
        hint: Option<&'static str>,
        /// The certificate is not trusted here (`self_signed`: and no CA file was given).
        untrusted: Option<bool>,
    },
    #[error(
        "{side}: {host}:{port} does not offer STARTTLS; refusing to send the password in clear"
    )]
    StartTlsRefused { side: Side, host: String, port: u16 },
    #[error("{side}: login refused by {host} for {user}{detail}")]
    AuthFailed {
        side: Side,
        host: String,
        user: String,
        detail: String,
    },
    #[error("{side}: {host} does not support {method} authentication")]
    AuthUnsupported {
        side: Side,
        host: String,
        method: &'static str,
    },
    #[error("{side}: {host} did not greet as an IMAP server: is {port} an IMAP port?")]
    NotImap { side: Side, host: String, port: u16 },
    #[error("{side}: {what} timed out after {secs} s")]
    Timeout { side: Side, what: String, secs: u64 },
    #[error("{side}: connection lost during {what}: {reason}")]
    Lost {
        side: Side,
        what: String,
        reason: String,
    },
    #[error("{side}: server refused {what}: {reason}")]
    Refusal {
        side: Side,
        what: String,
        reason: String,
    },
    #[error("{side}: over quota while {what}: {reason}")]
    OverQuota {
        side: Side,
        what: String,
        reason: String,
    },
}

impl ImapError {
    pub fn side(&self) -> Side {
        match self {
            ImapError::UnknownHost { side, .. }
            | ImapError::Refused { side, .. }
            | ImapError::ConnectTimeout { side, .. }
            | ImapError::Connect { side, .. }
            | ImapError::Tls { side, .. }
            | ImapError::StartTlsRefused { side, .. }
            | ImapError::AuthFailed { side, .. }
            | ImapError::AuthUnsupported { side, .. }
            | ImapError::NotImap { side, .. }
            | ImapError::Timeout { side, .. }
            | ImapError::Lost { side, .. }
            | ImapError::Refusal { side, .. }
            | ImapError::OverQuota { side, .. } => *side,
        }
    }

    /// What the user can change so that the next attempt may succeed.
    pub fn remedy(&self) -> Option<Remedy> {
        match self {
            ImapError::UnknownHost { side, .. } => Some(Remedy::Host(*side)),
            ImapError::Refused { side, .. } => Some(Remedy::Port(*side)),
            ImapError::StartTlsRefused { side, .. } => Some(Remedy::Security(*side)),
            ImapError::AuthFailed { side, .. } => Some(Remedy::Password(*side)),
            ImapError::AuthUnsupported { side, .. } => Some(Remedy::AuthMethod(*side)),
            ImapError::Tls {
                side,
                untrusted: Some(self_signed),
                ..
            } => Some(Remedy::CaFile {
                side: *side,
                self_signed: *self_signed,
            }),
            _ => None,
        }
    }

    /// Authentication problems: retrying will not help, the user must act.
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            ImapError::AuthFailed { .. } | ImapError::AuthUnsupported { .. }
        )
    }

    /// Could not establish a connection at all (host, port, TLS, not IMAP).
    pub fn is_connect(&self) -> bool {
        matches!(
            self,
            ImapError::UnknownHost { .. }
                | ImapError::Refused { .. }
                | ImapError::ConnectTimeout { .. }
                | ImapError::Connect { .. }
                | ImapError::Tls { .. }
                | ImapError::StartTlsRefused { .. }
                | ImapError::NotImap { .. }
        )
    }

    /// The connection is dead (or in an unknown state): reconnect before retrying.
    pub fn is_transient(&self) -> bool {
        matches!(self, ImapError::Timeout { .. } | ImapError::Lost { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant, for both sides.
    fn all() -> Vec<ImapError> {
        let mut v = Vec::new();
        for side in [Side::Source, Side::Destination] {
            let (host, port) = ("imap.example.com".to_string(), 993);
            let s = |t: &str| t.to_string();
            v.extend([
                ImapError::UnknownHost {
                    side,
                    host: host.clone(),
                },
                ImapError::Refused {
                    side,
                    host: host.clone(),
                    port,
                },
                ImapError::ConnectTimeout {
                    side,
                    host: host.clone(),
                    port,
                    secs: 10,
                },
                ImapError::Connect {
                    side,
                    host: host.clone(),
                    port,
                    reason: s("network unreachable"),
                },
                ImapError::StartTlsRefused {
                    side,
                    host: host.clone(),
                    port,
                },
                ImapError::AuthFailed {
                    side,
                    host: host.clone(),
                    user: s("john@example.com"),
                    detail: s(" ([AUTHENTICATIONFAILED] Authentication failed.)"),
                },
                ImapError::AuthUnsupported {
                    side,
                    host: host.clone(),
                    method: "XOAUTH2",
                },
                ImapError::NotImap {
                    side,
                    host: host.clone(),
                    port,
                },
                ImapError::Timeout {
                    side,
                    what: s("LIST"),
                    secs: 60,
                },
                ImapError::Lost {
                    side,
                    what: s("FETCH"),
                    reason: s("reset"),
                },
                ImapError::Refusal {
                    side,
                    what: s("CREATE"),
                    reason: s("NO"),
                },
                ImapError::OverQuota {
                    side,
                    what: s("APPEND"),
                    reason: s("[OVERQUOTA] Quota exceeded"),
                },
            ]);
            for untrusted in [None, Some(false), Some(true)] {
                v.push(ImapError::Tls {
                    side,
                    host: host.clone(),
                    port,
                    reason: s("invalid peer certificate: UnknownIssuer"),
                    hint: untrusted
                        .is_none()
                        .then_some("set the security to starttls or none"),
                    untrusted,
                });
            }
        }
        v
    }

    #[test]
    fn errors_say_what_happened_and_name_no_flag_or_variable() {
        for e in all() {
            let text = e.to_string();
            assert!(
                !text.contains("--") && !text.contains("MAILSHIFT_"),
                "command-line advice in the engine: {text}"
            );
            assert!(text.starts_with(&format!("{}: ", e.side())), "{text}");
            if let Some(r) = e.remedy() {
                assert_eq!(r.side(), Some(e.side()), "{e:?}");
            }
        }
        let login = ImapError::AuthFailed {
            side: Side::Source,
            host: "127.0.0.1".into(),
            user: "john@example.com".into(),
            detail: String::new(),
        };
        assert_eq!(
            login.to_string(),
            "source: login refused by 127.0.0.1 for john@example.com"
        );
        assert_eq!(login.remedy(), Some(Remedy::Password(Side::Source)));
    }
}
