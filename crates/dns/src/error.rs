//! Errors at the edges of the DNS crate, worded so a person knows what to do next.

use std::net::SocketAddr;

/// What can go wrong when setting up lookups or serving zones.
#[derive(Debug, thiserror::Error)]
pub enum DnsError {
    #[error("cannot read the system resolver configuration: {0}; pass --nameserver IP[:PORT] to ask a given server")]
    SystemConfig(String),
    #[error(
        "'{0}' is not a nameserver address: use IP or IP:PORT, e.g. 192.0.2.53 or 127.0.0.1:5353"
    )]
    BadNameserver(String),
    #[error("'{value}' is not a valid {kind} record value: {reason}")]
    BadRecord {
        kind: String,
        value: String,
        reason: String,
    },
    #[error("'{0}' is not a valid DNS name")]
    BadName(String),
    #[error("cannot open the DNS server socket on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}
