//! What it takes to reach one mailbox: host, port, security, login, secret.
//! The shared pieces (secret, security, TLS options) live in `mailshift-net`.

pub use mailshift_net::{AuthMethod, Secret, Security, Side, TlsOptions};

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
