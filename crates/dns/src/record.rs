//! DNS records as the diagnostic and the zone server see them: a kind (MX, TXT, ...), an
//! owner name and a value in zone-file presentation (`"1 mx1.mail.ovh.net"` for MX).

use serde::{Deserialize, Serialize};
use std::fmt;

/// TTL written in fixes and served by the zone server.
pub const DEFAULT_TTL: u32 = 3600;

/// The record types the diagnostic knows about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RecordKind {
    A,
    Mx,
    Txt,
    Srv,
    Cname,
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RecordKind::A => "A",
            RecordKind::Mx => "MX",
            RecordKind::Txt => "TXT",
            RecordKind::Srv => "SRV",
            RecordKind::Cname => "CNAME",
        })
    }
}

/// One resource record: owner name, kind, value (presentation format, no trailing dots).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneRecord {
    pub name: String,
    pub kind: RecordKind,
    pub value: String,
    pub ttl: u32,
}

impl ZoneRecord {
    /// A record with the default TTL; the name and host names in the value are normalised.
    pub fn new(name: &str, kind: RecordKind, value: &str) -> Self {
        ZoneRecord {
            name: normalize_name(name),
            kind,
            value: normalize_value(kind, value),
            ttl: DEFAULT_TTL,
        }
    }

    /// The record as one zone-file line, ready to paste into a DNS editor:
    /// `example.com. 3600 IN MX 1 mx1.mail.ovh.net.`
    pub fn zone_line(&self) -> String {
        format!(
            "{}. {} IN {} {}",
            self.name,
            self.ttl,
            self.kind,
            presentation_value(self.kind, &self.value)
        )
    }
}

/// Lower-case, no trailing dot.
pub fn normalize_name(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// Normalise host names inside a value (MX exchange, SRV target, CNAME target); TXT is
/// kept as is.
pub fn normalize_value(kind: RecordKind, value: &str) -> String {
    let value = value.trim();
    match kind {
        RecordKind::Txt | RecordKind::A => value.to_string(),
        RecordKind::Cname => normalize_name(value),
        RecordKind::Mx | RecordKind::Srv => {
            let mut parts: Vec<String> = value.split_whitespace().map(str::to_string).collect();
            if let Some(last) = parts.last_mut() {
                *last = normalize_name(last);
            }
            parts.join(" ")
        }
    }
}

/// The value as written in a zone file: host names get their trailing dot, TXT is quoted.
pub fn presentation_value(kind: RecordKind, value: &str) -> String {
    match kind {
        RecordKind::A => value.to_string(),
        RecordKind::Txt => format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\"")),
        RecordKind::Cname => format!("{value}."),
        RecordKind::Mx | RecordKind::Srv => format!("{value}."),
    }
}

/// For MX and SRV values, the host part (last field); for CNAME the target.
pub fn value_host(kind: RecordKind, value: &str) -> Option<String> {
    match kind {
        RecordKind::Mx | RecordKind::Srv | RecordKind::Cname => {
            value.split_whitespace().last().map(normalize_name)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_lines_are_fully_qualified_and_quoted() {
        let mx = ZoneRecord::new("Example.COM.", RecordKind::Mx, "1 MX1.mail.ovh.net.");
        assert_eq!(
            mx.zone_line(),
            "example.com. 3600 IN MX 1 mx1.mail.ovh.net."
        );
        let txt = ZoneRecord::new(
            "example.com",
            RecordKind::Txt,
            "v=spf1 include:mx.ovh.com ~all",
        );
        assert_eq!(
            txt.zone_line(),
            "example.com. 3600 IN TXT \"v=spf1 include:mx.ovh.com ~all\""
        );
        let srv = ZoneRecord::new(
            "_autodiscover._tcp.example.com",
            RecordKind::Srv,
            "0 0 443 ex5.mail.ovh.net",
        );
        assert_eq!(
            srv.zone_line(),
            "_autodiscover._tcp.example.com. 3600 IN SRV 0 0 443 ex5.mail.ovh.net."
        );
    }

    #[test]
    fn hosts_are_extracted_from_values() {
        assert_eq!(
            value_host(RecordKind::Mx, "5 MX2.example.net."),
            Some("mx2.example.net".into())
        );
        assert_eq!(value_host(RecordKind::Txt, "v=spf1"), None);
    }
}
