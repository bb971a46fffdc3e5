//! How the connection to the relay is protected: implicit TLS, STARTTLS or nothing.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Transport security of the relay connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
    /// Plain connection upgraded with STARTTLS before anything else (submission, 587).
    #[default]
    Starttls,
    /// No encryption at all (port 25, or a relay on loopback such as the sandbox's).
    None,
}

impl SmtpSecurity {
    /// The usual port for this security: 465, 587 or 25.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::Tls => 465,
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::None => 25,
        }
    }
}

impl fmt::Display for SmtpSecurity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SmtpSecurity::Tls => "tls",
            SmtpSecurity::Starttls => "starttls",
            SmtpSecurity::None => "none",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_names_and_serde_agree() {
        let all = [
            SmtpSecurity::Tls,
            SmtpSecurity::Starttls,
            SmtpSecurity::None,
        ];
        let ports: Vec<u16> = all.iter().map(|s| s.default_port()).collect();
        assert_eq!(ports, [465, 587, 25]);
        for s in all {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<SmtpSecurity>(&json).unwrap(), s);
        }
        assert!(serde_json::from_str::<SmtpSecurity>("\"TLS\"").is_err());
    }
}
