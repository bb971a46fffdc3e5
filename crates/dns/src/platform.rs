//! Platform kinds (exchange, emailpro, mxplan) and their published DNS and client settings,
//! kept as data in `assets/dns/*.toml` and embedded at build time.

use crate::error::DnsError;
use crate::record::RecordKind;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

/// The kinds of mail platform whose DNS the diagnostic knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlatformKind {
    Exchange,
    EmailPro,
    MxPlan,
}

impl PlatformKind {
    pub const ALL: [PlatformKind; 3] = [
        PlatformKind::Exchange,
        PlatformKind::EmailPro,
        PlatformKind::MxPlan,
    ];

    /// The command-line name: `exchange`, `emailpro`, `mxplan`.
    pub fn as_str(self) -> &'static str {
        match self {
            PlatformKind::Exchange => "exchange",
            PlatformKind::EmailPro => "emailpro",
            PlatformKind::MxPlan => "mxplan",
        }
    }

    /// The name shown to people: `Exchange`, `Email Pro`, `MX Plan`.
    pub fn label(self) -> &'static str {
        &platform_data(self).label
    }
}

impl fmt::Display for PlatformKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PlatformKind {
    type Err = DnsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "exchange" => Ok(PlatformKind::Exchange),
            "emailpro" | "email-pro" => Ok(PlatformKind::EmailPro),
            "mxplan" | "mx-plan" => Ok(PlatformKind::MxPlan),
            _ => Err(DnsError::UnknownPlatform(s.to_string())),
        }
    }
}

/// How a mail client connects to one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientEndpoint {
    pub host: String,
    pub port: u16,
    /// `tls` (implicit TLS) or `starttls`.
    pub security: String,
}

/// The provider's published mail-client settings for a platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientSettings {
    pub imap: ClientEndpoint,
    pub smtp: Vec<ClientEndpoint>,
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
    pub label: String,
    pub client: ClientSettings,
    #[serde(rename = "record")]
    pub records: Vec<RecordTemplate>,
}

const EXCHANGE: &str = include_str!("../../../assets/dns/exchange.toml");
const EMAILPRO: &str = include_str!("../../../assets/dns/emailpro.toml");
const MXPLAN: &str = include_str!("../../../assets/dns/mxplan.toml");

fn parse(kind: PlatformKind, text: &str) -> PlatformData {
    let data: PlatformData = toml::from_str(text).unwrap_or_else(|e| {
        panic!("assets/dns/{kind}.toml is not valid platform data (fix the file): {e}")
    });
    assert_eq!(
        data.kind, kind,
        "assets/dns/{kind}.toml declares another kind"
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

/// The mail-client settings for a platform, with the service host filled in.
pub fn client_settings(kind: PlatformKind, service_host: &str) -> ClientSettings {
    let c = &platform_data(kind).client;
    let endpoint = |e: &ClientEndpoint| ClientEndpoint {
        host: fill(&e.host, "", service_host),
        port: e.port,
        security: e.security.clone(),
    };
    ClientSettings {
        imap: endpoint(&c.imap),
        smtp: c.smtp.iter().map(endpoint).collect(),
    }
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
            assert!(!data.label.is_empty());
        }
    }

    #[test]
    fn kinds_round_trip_through_text_and_serde() {
        for kind in PlatformKind::ALL {
            assert_eq!(kind.to_string().parse::<PlatformKind>().unwrap(), kind);
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        let err = "gmail".parse::<PlatformKind>().unwrap_err();
        assert!(err.to_string().contains("exchange, emailpro or mxplan"));
    }

    #[test]
    fn mxplan_client_settings_follow_the_published_values() {
        let s = client_settings(PlatformKind::MxPlan, "unused");
        assert_eq!((s.imap.host.as_str(), s.imap.port), ("ssl0.ovh.net", 993));
        assert!(s.smtp.iter().any(|e| e.port == 465 && e.security == "tls"));
        assert!(s
            .smtp
            .iter()
            .any(|e| e.port == 587 && e.security == "starttls"));
        let ex = client_settings(PlatformKind::Exchange, "ex5.mail.ovh.net");
        assert_eq!(ex.imap.host, "ex5.mail.ovh.net");
    }
}
