//! What it takes to reach one mailbox: host, port, security, login, secret.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Which side of a migration an endpoint is; named in every error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Source,
    Destination,
}

impl Side {
    /// The command-line prefix for this side's options (`src` / `dst`).
    pub fn flag(self) -> &'static str {
        match self {
            Side::Source => "src",
            Side::Destination => "dst",
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Source => "source",
            Side::Destination => "destination",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Implicit TLS (IMAPS, port 993).
    #[default]
    Tls,
    /// Plain connection upgraded with STARTTLS; refusing to upgrade is an error.
    Starttls,
    /// No encryption at all (loopback tests, trusted networks).
    None,
}

impl Security {
    pub fn default_port(self) -> u16 {
        match self {
            Security::Tls => 993,
            Security::Starttls | Security::None => 143,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AuthMethod {
    #[default]
    Login,
    Plain,
    Xoauth2,
}

/// A password or OAuth token. Its `Debug`/`Display` never show the value; its
/// bytes (the whole allocation) are zeroed when it is dropped.
#[derive(Clone, Default)]
pub struct Secret(zeroize::Zeroizing<String>);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(zeroize::Zeroizing::new(s.into()))
    }
    /// The clear value, for the one place that sends it to the server.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

/// How to check the server's certificate.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TlsOptions {
    /// Skip certificate verification entirely (must be spelled out by the user).
    pub insecure: bool,
    /// Trust this PEM CA (or self-signed certificate) instead of the web PKI roots.
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct Endpoint {
    pub side: Side,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub secret: Secret,
    pub security: Security,
    pub auth: AuthMethod,
    pub tls: TlsOptions,
}

impl Endpoint {
    /// `user@host:port`, the way an endpoint is named in messages and journals.
    pub fn label(&self) -> String {
        format!("{}@{}:{}", self.user, self.host, self.port)
    }
}
