use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::catalog::{facts, KindFacts};
use crate::PanelError;

/// The three platform offers the control panel sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlatformKind {
    /// Hosted Exchange: mail plus calendars, contacts, tasks, rules; 50 GB accounts.
    Exchange,
    /// Email Pro: mail only, 10 GB accounts.
    #[serde(rename = "emailpro")]
    EmailPro,
    /// MX Plan: mail only, 5 GB accounts, one domain fixed at creation.
    #[serde(rename = "mxplan")]
    MxPlan,
}

impl PlatformKind {
    /// Every kind, largest offer first.
    pub const ALL: [PlatformKind; 3] = [
        PlatformKind::Exchange,
        PlatformKind::EmailPro,
        PlatformKind::MxPlan,
    ];

    /// The short machine name (`exchange`, `emailpro`, `mxplan`).
    pub fn as_str(self) -> &'static str {
        match self {
            PlatformKind::Exchange => "exchange",
            PlatformKind::EmailPro => "emailpro",
            PlatformKind::MxPlan => "mxplan",
        }
    }

    /// The facts of this kind from `assets/platforms.toml`.
    pub fn facts(self) -> &'static KindFacts {
        facts(self)
    }
}

impl fmt::Display for PlatformKind {
    /// "Exchange", "Email Pro", "MX Plan".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.facts().display_name)
    }
}

impl FromStr for PlatformKind {
    type Err = PanelError;

    /// Accepts the machine names and the display names, case-insensitively
    /// (`exchange`, `Email Pro`, `email-pro`, `MX_Plan`, ...).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '_'))
            .flat_map(char::to_lowercase)
            .collect();
        PlatformKind::ALL
            .into_iter()
            .find(|k| k.as_str() == norm)
            .ok_or_else(|| PanelError::UnknownKind(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in PlatformKind::ALL {
            assert_eq!(k.as_str().parse::<PlatformKind>().unwrap(), k);
            assert_eq!(k.to_string().parse::<PlatformKind>().unwrap(), k);
        }
        assert_eq!(PlatformKind::EmailPro.to_string(), "Email Pro");
        assert_eq!(PlatformKind::MxPlan.to_string(), "MX Plan");
        assert_eq!(PlatformKind::Exchange.to_string(), "Exchange");
        assert_eq!(
            "email-pro".parse::<PlatformKind>().unwrap(),
            PlatformKind::EmailPro
        );
    }

    #[test]
    fn unknown_kind_says_what_is_accepted() {
        let e = "gmail".parse::<PlatformKind>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown platform kind \"gmail\": use exchange, emailpro or mxplan"
        );
    }

    #[test]
    fn serde_uses_machine_names() {
        #[derive(Serialize, Deserialize)]
        struct W {
            k: PlatformKind,
        }
        let s = toml::to_string(&W {
            k: PlatformKind::MxPlan,
        })
        .unwrap();
        assert_eq!(s.trim(), "k = \"mxplan\"");
        let w: W = toml::from_str("k = \"emailpro\"").unwrap();
        assert_eq!(w.k, PlatformKind::EmailPro);
    }
}
