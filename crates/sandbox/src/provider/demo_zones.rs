//! The demo's DNS zones, described in `assets/demo/zones.toml`: per domain, the records a
//! platform publishes (minus some) plus explicit ones, so the diagnostic has a story.

use std::collections::BTreeMap;

use mailshift_dns::{expected_records, RecordKind, ZoneRecord};
use mailshift_panel::PanelState;
use serde::Deserialize;

use super::SandboxError;

const ZONES_TOML: &str = include_str!("../../../../assets/demo/zones.toml");
const FILE: &str = "zones.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ZonesFile {
    zone: Vec<ZoneSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ZoneSpec {
    domain: String,
    #[serde(default)]
    expected_for: Option<String>,
    #[serde(default)]
    omit: Vec<RecordKey>,
    #[serde(default)]
    record: Vec<RecordSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordKey {
    name: String,
    #[serde(rename = "type")]
    kind: RecordKind,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordSpec {
    name: String,
    #[serde(rename = "type")]
    kind: RecordKind,
    value: String,
}

fn bad(reason: String) -> SandboxError {
    SandboxError::DemoData { file: FILE, reason }
}

/// The demo zones (apex -> records) for the demo panel `panel`.
pub fn demo_zones(panel: &PanelState) -> Result<BTreeMap<String, Vec<ZoneRecord>>, SandboxError> {
    let file: ZonesFile = toml::from_str(ZONES_TOML).map_err(|e| bad(e.to_string()))?;
    let mut zones = BTreeMap::new();
    for spec in file.zone {
        let domain = spec.domain.trim().to_ascii_lowercase();
        let fill = |s: &str| s.replace("{domain}", &domain);
        let mut records: Vec<ZoneRecord> = Vec::new();
        if let Some(service) = &spec.expected_for {
            let platform = panel.platform_by_service(service).ok_or_else(|| {
                bad(format!(
                    "zone {domain}: expected_for names {service:?}, which is not a demo platform"
                ))
            })?;
            let host = &platform.kind.facts().endpoints.host;
            records.extend(
                expected_records(platform.kind, &domain, host)
                    .into_iter()
                    .map(|e| e.record)
                    .filter(|r| {
                        !spec.omit.iter().any(|o| {
                            o.kind == r.kind && fill(&o.name).eq_ignore_ascii_case(&r.name)
                        })
                    }),
            );
        }
        records.extend(
            spec.record
                .iter()
                .map(|r| ZoneRecord::new(&fill(&r.name), r.kind, &fill(&r.value))),
        );
        if zones.insert(domain.clone(), records).is_some() {
            return Err(bad(format!("zone {domain} is described twice")));
        }
    }
    Ok(zones)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_domain_has_a_zone_with_its_story() {
        let panel = mailshift_panel::demo();
        let zones = demo_zones(&panel).unwrap();
        for p in &panel.platforms {
            for d in &p.domains {
                assert!(zones.contains_key(&d.name), "no zone for {}", d.name);
            }
        }
        let mx = |d: &str| -> Vec<String> {
            zones[d]
                .iter()
                .filter(|r| r.kind == RecordKind::Mx)
                .map(|r| r.value.clone())
                .collect()
        };
        assert!(mx("example.org").contains(&"1 mx1.mail.ovh.net".to_string()));
        assert!(mx("example.com").iter().all(|v| v.contains("oldhost")));
        assert!(!zones["example.net"]
            .iter()
            .any(|r| r.kind == RecordKind::Srv));
        assert!(zones["example.org"]
            .iter()
            .any(|r| r.kind == RecordKind::Srv && r.value.ends_with("ex5.mail.ovh.net")));
    }
}
