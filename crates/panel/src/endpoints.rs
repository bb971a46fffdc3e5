use serde::{Deserialize, Serialize};

/// How a client secures a connection: the one type every client uses.
pub use mailshift_net::Security;

/// Where a mail client reaches a platform: the service hostname and the
/// IMAP/SMTP ports. The sandbox overwrites these with its loopback ports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoints {
    /// The platform's service hostname (also the IMAP and SMTP host).
    pub host: String,
    /// IMAP port.
    pub imap_port: u16,
    /// How IMAP is secured.
    pub imap_security: Security,
    /// SMTP submission port.
    pub smtp_port: u16,
    /// How SMTP is secured.
    pub smtp_security: Security,
}

impl Endpoints {
    /// Endpoints on `host` with the same security for IMAP and SMTP
    /// (what the sandbox uses for its loopback servers).
    pub fn new(host: &str, imap_port: u16, smtp_port: u16, security: Security) -> Self {
        Endpoints {
            host: host.to_string(),
            imap_port,
            imap_security: security,
            smtp_port,
            smtp_security: security,
        }
    }
}
