//! Errors at the edges of the DNS crate, worded so a person knows what happened;
//! what to change is `remedy()`.

use std::net::SocketAddr;

use mailshift_net::Remedy;

/// What can go wrong when setting up lookups or serving zones.
#[derive(Debug, thiserror::Error)]
pub enum DnsError {
    #[error("cannot read the system resolver configuration: {0}")]
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

impl DnsError {
    /// What the user can change so that the lookup may succeed.
    pub fn remedy(&self) -> Option<Remedy> {
        match self {
            DnsError::SystemConfig(_) => Some(Remedy::Nameserver),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_no_flag_and_the_resolver_one_carries_its_remedy() {
        let all = [
            DnsError::SystemConfig("no nameserver in /etc/resolv.conf".into()),
            DnsError::BadNameserver("x".into()),
            DnsError::BadRecord {
                kind: "MX".into(),
                value: "x".into(),
                reason: "no preference".into(),
            },
            DnsError::BadName("a..b".into()),
            DnsError::Bind {
                addr: "127.0.0.1:53".parse().unwrap(),
                source: std::io::Error::other("in use"),
            },
        ];
        for e in &all {
            let t = e.to_string();
            assert!(!t.contains("--") && !t.contains("MAILSHIFT_"), "{t}");
        }
        assert_eq!(all[0].remedy(), Some(Remedy::Nameserver));
        assert_eq!(all[1].remedy(), None);
    }
}
