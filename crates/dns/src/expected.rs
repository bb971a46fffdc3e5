//! The records a domain should carry once attached to a platform, built from the
//! platform's asset templates, with how each one is matched against what DNS shows.

use crate::platform::{fill, platform_data, PlatformKind};
use crate::record::{normalize_name, normalize_value, ZoneRecord};
use serde::Serialize;

/// How an observed value is judged against the expected one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Match {
    /// The value must be the same (host names compared case-insensitively).
    Exact,
    /// An SPF record that contains `include:<include>` among any other mechanisms.
    SpfInclude { include: String },
    /// A TXT record starting with this prefix (e.g. `v=DMARC1`).
    Prefix { prefix: String },
}

/// One record the platform expects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedRecord {
    pub record: ZoneRecord,
    /// Missing required records are red; missing optional ones are warnings.
    pub required: bool,
    pub rule: Match,
    /// What the record is for, in a few words.
    pub purpose: String,
}

/// The expected records for `domain` on a platform of `kind` whose service host is
/// `service_host` (e.g. `ex5.mail.ovh.net`).
pub fn expected_records(
    kind: PlatformKind,
    domain: &str,
    service_host: &str,
) -> Vec<ExpectedRecord> {
    let domain = normalize_name(domain);
    let service_host = normalize_name(service_host);
    platform_data(kind)
        .records
        .iter()
        .map(|t| {
            let name = fill(&t.name, &domain, &service_host);
            let value = fill(&t.value, &domain, &service_host);
            let rule = match (&t.spf_include, &t.prefix) {
                (Some(include), _) => Match::SpfInclude {
                    include: include.to_ascii_lowercase(),
                },
                (None, Some(prefix)) => Match::Prefix {
                    prefix: prefix.clone(),
                },
                (None, None) => Match::Exact,
            };
            ExpectedRecord {
                record: ZoneRecord::new(&name, t.kind, &normalize_value(t.kind, &value)),
                required: t.required,
                rule,
                purpose: t.purpose.clone(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RecordKind;

    #[test]
    fn mxplan_expects_the_published_mx_and_spf() {
        let recs = expected_records(PlatformKind::MxPlan, "Example.com.", "unused");
        let mx: Vec<&str> = recs
            .iter()
            .filter(|r| r.record.kind == RecordKind::Mx)
            .map(|r| r.record.value.as_str())
            .collect();
        assert_eq!(
            mx,
            [
                "1 mx1.mail.ovh.net",
                "5 mx2.mail.ovh.net",
                "100 mx3.mail.ovh.net"
            ]
        );
        let spf = recs
            .iter()
            .find(|r| matches!(r.rule, Match::SpfInclude { .. }))
            .unwrap();
        assert_eq!(spf.record.name, "example.com");
        assert_eq!(spf.record.value, "v=spf1 include:mx.ovh.com ~all");
        let dmarc = recs
            .iter()
            .find(|r| r.record.name == "_dmarc.example.com")
            .unwrap();
        assert!(!dmarc.required);
    }

    #[test]
    fn exchange_autodiscover_points_to_the_service_host() {
        let recs = expected_records(PlatformKind::Exchange, "example.com", "ex5.mail.ovh.net");
        let srv = recs
            .iter()
            .find(|r| r.record.kind == RecordKind::Srv)
            .unwrap();
        assert_eq!(srv.record.name, "_autodiscover._tcp.example.com");
        assert_eq!(srv.record.value, "0 0 443 ex5.mail.ovh.net");
        assert!(srv.required);
        assert!(recs.iter().all(|r| !r.record.value.contains('{')));
    }
}
