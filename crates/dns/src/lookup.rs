//! Asking DNS: a resolver over hickory (the system configuration, or one given nameserver)
//! with short timeouts, whose every answer is an `Observed` value, never an error or a hang.

use crate::error::DnsError;
use crate::record::{normalize_name, normalize_value, RecordKind};
use hickory_resolver::config::{NameServerConfigGroup, ResolveHosts, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::proto::ProtoErrorKind;
use hickory_resolver::{ResolveError, TokioResolver};
use serde::Serialize;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// How long one query may take before it is reported as a timeout.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(2);

/// What DNS answered for one (name, type) question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum Observed {
    /// Values in presentation form (`"1 mx1.mail.ovh.net"`, TXT strings joined).
    Records(Vec<String>),
    /// The name does not exist at all.
    NxDomain,
    /// The name exists but has no record of this type.
    NoRecords,
    /// The server answered SERVFAIL (or refused): nothing can be concluded.
    ServFail,
    /// No answer in time.
    Timeout,
    /// Any other failure (connection refused, malformed answer...).
    Error(String),
}

impl Observed {
    /// The values found, empty when there are none or the lookup failed.
    pub fn values(&self) -> &[String] {
        match self {
            Observed::Records(v) => v,
            _ => &[],
        }
    }

    /// True when the server could not be asked or would not say (timeout, SERVFAIL, error).
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            Observed::ServFail | Observed::Timeout | Observed::Error(_)
        )
    }

    /// A short human description.
    pub fn describe(&self) -> String {
        match self {
            Observed::Records(v) if v.is_empty() => "(none)".into(),
            Observed::Records(v) => v.join(" | "),
            Observed::NxDomain => "NXDOMAIN".into(),
            Observed::NoRecords => "(none)".into(),
            Observed::ServFail => "SERVFAIL".into(),
            Observed::Timeout => "timeout".into(),
            Observed::Error(e) => format!("error: {e}"),
        }
    }
}

/// A resolver for the diagnostic.
pub struct Lookup {
    resolver: TokioResolver,
    source: String,
}

fn options(mut opts: ResolverOpts) -> ResolverOpts {
    opts.timeout = QUERY_TIMEOUT;
    opts.attempts = 1;
    opts.use_hosts_file = ResolveHosts::Never;
    opts.ndots = 0;
    opts.preserve_intermediates = true;
    opts
}

impl Lookup {
    /// Use the system resolver configuration (`/etc/resolv.conf`).
    pub fn system() -> Result<Lookup, DnsError> {
        let mut builder =
            TokioResolver::builder_tokio().map_err(|e| DnsError::SystemConfig(e.to_string()))?;
        let opts = options(builder.options_mut().clone());
        Ok(Lookup {
            resolver: builder.with_options(opts).build(),
            source: "system resolver".into(),
        })
    }

    /// Ask exactly this nameserver, over UDP with TCP fallback.
    pub fn nameserver(addr: SocketAddr) -> Lookup {
        let group = NameServerConfigGroup::from_ips_clear(&[addr.ip()], addr.port(), true);
        let config = ResolverConfig::from_parts(None, vec![], group);
        let resolver =
            TokioResolver::builder_with_config(config, TokioConnectionProvider::default())
                .with_options(options(ResolverOpts::default()))
                .build();
        Lookup {
            resolver,
            source: format!("nameserver {addr}"),
        }
    }

    /// Who is asked, for reports: `system resolver` or `nameserver 127.0.0.1:5353`.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Forget cached answers, so a new check sees the DNS as it is now.
    pub fn clear_cache(&self) {
        self.resolver.clear_cache();
    }

    /// Ask for the records of one type at one name. Never fails, never hangs.
    pub async fn query(&self, name: &str, kind: RecordKind) -> Observed {
        let fqdn = format!("{}.", normalize_name(name));
        let rtype = record_type(kind);
        // Belt and braces: the resolver has its own timeout, this bounds everything else.
        let limit = QUERY_TIMEOUT * 3;
        match tokio::time::timeout(limit, self.resolver.lookup(fqdn.as_str(), rtype)).await {
            Err(_) => Observed::Timeout,
            Ok(Err(e)) => classify_error(&e),
            Ok(Ok(lookup)) => {
                let values: Vec<String> = lookup
                    .iter()
                    .filter(|rdata| rdata.record_type() == rtype)
                    .filter_map(|rdata| present(kind, rdata))
                    .collect();
                if values.is_empty() {
                    Observed::NoRecords
                } else {
                    Observed::Records(values)
                }
            }
        }
    }
}

fn record_type(kind: RecordKind) -> RecordType {
    match kind {
        RecordKind::A => RecordType::A,
        RecordKind::Mx => RecordType::MX,
        RecordKind::Txt => RecordType::TXT,
        RecordKind::Srv => RecordType::SRV,
        RecordKind::Cname => RecordType::CNAME,
    }
}

fn present(kind: RecordKind, rdata: &RData) -> Option<String> {
    let raw = match rdata {
        RData::A(a) => a.0.to_string(),
        RData::MX(mx) => format!("{} {}", mx.preference(), mx.exchange()),
        RData::TXT(txt) => txt
            .txt_data()
            .iter()
            .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
            .collect::<String>(),
        RData::SRV(srv) => format!(
            "{} {} {} {}",
            srv.priority(),
            srv.weight(),
            srv.port(),
            srv.target()
        ),
        RData::CNAME(c) => c.0.to_string(),
        _ => return None,
    };
    Some(normalize_value(kind, &raw))
}

fn classify_error(e: &ResolveError) -> Observed {
    let Some(proto) = e.proto() else {
        return Observed::Error(e.to_string());
    };
    match proto.kind() {
        ProtoErrorKind::NoRecordsFound { response_code, .. } => match *response_code {
            ResponseCode::NXDomain => Observed::NxDomain,
            ResponseCode::NoError => Observed::NoRecords,
            ResponseCode::ServFail | ResponseCode::Refused => Observed::ServFail,
            other => Observed::Error(format!("server answered {other}")),
        },
        ProtoErrorKind::Timeout => Observed::Timeout,
        ProtoErrorKind::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => Observed::Timeout,
        _ => Observed::Error(proto.to_string()),
    }
}

/// Parse `IP` or `IP:PORT` (port 53 by default; IPv6 as `[::1]:53` or bare `::1`).
pub fn parse_nameserver(text: &str) -> Result<SocketAddr, DnsError> {
    let text = text.trim();
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    text.parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, 53))
        .map_err(|_| DnsError::BadNameserver(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nameservers_parse_with_and_without_port() {
        assert_eq!(parse_nameserver("127.0.0.1:5353").unwrap().port(), 5353);
        assert_eq!(parse_nameserver("192.0.2.1").unwrap().port(), 53);
        assert_eq!(parse_nameserver("::1").unwrap().port(), 53);
        assert!(parse_nameserver("dns.example").is_err());
    }

    #[test]
    fn unreachable_covers_timeouts_and_servfail_only() {
        assert!(Observed::Timeout.is_unreachable());
        assert!(Observed::ServFail.is_unreachable());
        assert!(!Observed::NxDomain.is_unreachable());
        assert!(!Observed::Records(vec![]).is_unreachable());
    }
}
