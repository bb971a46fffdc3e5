//! The DNS records each platform kind publishes, kept as data in `assets/dns/*.toml`
//! and embedded at build time. The kinds, their names and their client endpoints are
//! the panel's (`assets/platforms.toml`).

use crate::record::RecordKind;
use serde::Deserialize;
use std::sync::OnceLock;

/// The platform kinds are the panel's own (one type; its `FromStr` and `Display`).
pub use mailshift_panel::PlatformKind;

/// The name shown to people: `Exchange`, `Email Pro`, `MX Plan` (the panel's catalogue).
pub(crate) fn label(kind: PlatformKind) -> &'static str {
    &kind.facts().display_name
}

/// One record template as written in the asset file.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RecordTemplate {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: RecordKind,
    pub value: String,
    pub required: bool,
    pub purpose: String,
    #[serde(default)]
    pub spf_include: Option<String>,
    #[serde(default)]
    pub prefix: Option<String>,
}

/// One asset file, parsed.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PlatformData {
    pub kind: PlatformKind,
    #[serde(rename = "record")]
    pub records: Vec<RecordTemplate>,
}

const EXCHANGE: &str = include_str!("../../../assets/dns/exchange.toml");
const EMAILPRO: &str = include_str!("../../../assets/dns/emailpro.toml");
const MXPLAN: &str = include_str!("../../../assets/dns/mxplan.toml");

fn parse(kind: PlatformKind, text: &str) -> PlatformData {
    let data: PlatformData = toml::from_str(text).unwrap_or_else(|e| {
        panic!(
            "assets/dns/{}.toml is not valid platform data (fix the file): {e}",
            kind.as_str()
        )
    });
    assert_eq!(
        data.kind,
        kind,
        "assets/dns/{}.toml declares another kind",
        kind.as_str()
    );
    data
}

/// The embedded platform data (parsed once; the files are checked by unit tests).
pub(crate) fn platform_data(kind: PlatformKind) -> &'static PlatformData {
    static DATA: OnceLock<[PlatformData; 3]> = OnceLock::new();
    let all = DATA.get_or_init(|| {
        [
            parse(PlatformKind::Exchange, EXCHANGE),
            parse(PlatformKind::EmailPro, EMAILPRO),
            parse(PlatformKind::MxPlan, MXPLAN),
        ]
    });
    match kind {
        PlatformKind::Exchange => &all[0],
        PlatformKind::EmailPro => &all[1],
        PlatformKind::MxPlan => &all[2],
    }
}

/// Fill `{domain}` and `{service_host}` in a template.
pub(crate) fn fill(template: &str, domain: &str, service_host: &str) -> String {
    template
        .replace("{domain}", domain)
        .replace("{service_host}", service_host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_parses_and_has_required_mx_and_spf() {
        for kind in PlatformKind::ALL {
            let data = platform_data(kind);
            assert!(data
                .records
                .iter()
                .any(|r| r.kind == RecordKind::Mx && r.required));
            assert!(data
                .records
                .iter()
                .any(|r| r.spf_include.is_some() && r.required));
            assert!(!label(kind).is_empty());
        }
    }

    #[test]
    fn kinds_serialise_as_their_machine_names() {
        for kind in PlatformKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(label(PlatformKind::MxPlan), "MX Plan");
    }
}
