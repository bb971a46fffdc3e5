//! How a connection is protected: implicit TLS, STARTTLS or nothing. One type for
//! IMAP, SMTP, ManageSieve, the panel's endpoints, the CLI and the CSV reader.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::UnknownChoice;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// TLS from the first byte (IMAPS 993, SMTPS 465).
    #[default]
    Tls,
    /// Plain connection upgraded with STARTTLS; refusing to upgrade is an error.
    Starttls,
    /// No encryption at all (loopback tests, trusted networks). Older panel state
    /// files spell it `plain`.
    #[serde(alias = "plain")]
    None,
}

impl Security {
    /// Every choice, in the order they are offered.
    pub const ALL: [Security; 3] = [Security::Tls, Security::Starttls, Security::None];
    /// The words `FromStr` accepts (and `Display` writes), in `ALL` order.
    pub const NAMES: [&'static str; 3] = ["tls", "starttls", "none"];

    /// `tls`, `starttls` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Security::Tls => "tls",
            Security::Starttls => "starttls",
            Security::None => "none",
        }
    }

    /// The usual IMAP port: 993 with implicit TLS, 143 otherwise.
    pub fn imap_port(self) -> u16 {
        match self {
            Security::Tls => 993,
            Security::Starttls | Security::None => 143,
        }
    }

    /// The usual SMTP port: 465 (SMTPS), 587 (submission) or 25.
    pub fn smtp_port(self) -> u16 {
        match self {
            Security::Tls => 465,
            Security::Starttls => 587,
            Security::None => 25,
        }
    }
}

impl fmt::Display for Security {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Security {
    type Err = UnknownChoice;

    /// `tls`, `starttls` or `none`, in any case (`plain` is taken for `none`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "tls" => Ok(Security::Tls),
            "starttls" => Ok(Security::Starttls),
            "none" | "plain" => Ok(Security::None),
            _ => Err(UnknownChoice {
                what: "security",
                given: s.to_string(),
                choices: "tls, starttls or none",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_ports_text_and_serde_agree() {
        for (s, name) in Security::ALL.into_iter().zip(Security::NAMES) {
            assert_eq!(s.to_string(), name);
            assert_eq!(name.parse::<Security>().unwrap(), s);
            assert_eq!(name.to_uppercase().parse::<Security>().unwrap(), s);
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{name}\""));
            assert_eq!(serde_json::from_str::<Security>(&json).unwrap(), s);
        }
        let imap: Vec<u16> = Security::ALL.iter().map(|s| s.imap_port()).collect();
        assert_eq!(imap, [993, 143, 143]);
        let smtp: Vec<u16> = Security::ALL.iter().map(|s| s.smtp_port()).collect();
        assert_eq!(smtp, [465, 587, 25]);
    }

    #[test]
    fn the_panel_spelling_plain_still_reads_as_none() {
        assert_eq!(
            serde_json::from_str::<Security>("\"plain\"").unwrap(),
            Security::None
        );
        assert_eq!("plain".parse::<Security>().unwrap(), Security::None);
    }

    #[test]
    fn an_unknown_word_lists_the_choices() {
        let e = "ssl".parse::<Security>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown security 'ssl': use tls, starttls or none"
        );
    }
}
