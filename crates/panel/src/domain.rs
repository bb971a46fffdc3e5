//! Domains associated with a platform: authoritative or not, their status,
//! and the domain-name rules (RFC 1035 practical: LDH labels).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::PanelError;

/// How a platform relates to a domain's mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DomainKind {
    /// The platform receives all the domain's mail (its MX points here);
    /// mail to unknown addresses is refused.
    Authoritative,
    /// The platform shares the domain with another server: mail to addresses
    /// it does not know is relayed on (the migration set-up).
    NonAuthoritative,
}

impl fmt::Display for DomainKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DomainKind::Authoritative => "authoritative",
            DomainKind::NonAuthoritative => "non-authoritative",
        })
    }
}

/// Where a domain's set-up stands, with the reason when it is not OK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum DomainStatus {
    /// Set up and working.
    Ok,
    /// Waiting on something (DNS propagation, a check not run yet).
    Pending { reason: String },
    /// Broken: the reason says what to fix.
    Error { reason: String },
}

impl DomainStatus {
    /// The reason a newly associated domain waits: the platform sets it up (a delay on
    /// the provider's side, independent of DNS, whose problems the diagnostic shows).
    pub const SETTING_UP: &'static str = "the platform is setting the domain up";

    /// A domain just associated with a platform.
    pub fn setting_up() -> DomainStatus {
        DomainStatus::Pending {
            reason: Self::SETTING_UP.to_string(),
        }
    }

    /// Whether the platform has yet to finish setting the domain up.
    pub fn is_pending(&self) -> bool {
        matches!(self, DomainStatus::Pending { .. })
    }

    /// "OK", "pending", "error": the short label a table shows.
    pub fn label(&self) -> &'static str {
        match self {
            DomainStatus::Ok => "OK",
            DomainStatus::Pending { .. } => "pending",
            DomainStatus::Error { .. } => "error",
        }
    }

    /// The reason, for pending and error.
    pub fn reason(&self) -> Option<&str> {
        match self {
            DomainStatus::Ok => None,
            DomainStatus::Pending { reason } | DomainStatus::Error { reason } => Some(reason),
        }
    }
}

impl fmt::Display for DomainStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason() {
            None => f.write_str(self.label()),
            Some(r) => write!(f, "{}: {r}", self.label()),
        }
    }
}

/// A domain associated with a platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    /// Lower-case domain name.
    pub name: String,
    /// Authoritative or not.
    pub kind: DomainKind,
    /// Set-up status.
    pub status: DomainStatus,
}

/// Check a domain name: 1 to 253 characters, at least two labels, each label
/// 1 to 63 letters, digits or hyphens, no hyphen at a label's ends, no empty
/// label (no leading/trailing dot, no `..`), a top-level label not all digits.
pub fn validate_domain_name(name: &str) -> Result<(), PanelError> {
    let bad = |reason: &str| {
        Err(PanelError::InvalidDomain {
            name: name.to_string(),
            reason: reason.to_string(),
        })
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.len() > 253 {
        return bad("use at most 253 characters");
    }
    if name.starts_with('.') || name.ends_with('.') {
        return bad("it cannot start or end with a dot");
    }
    if name.contains("..") {
        return bad("it cannot hold two dots in a row");
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.len() < 2 {
        return bad("it needs at least two labels, like example.com");
    }
    for label in &labels {
        if label.len() > 63 {
            return bad("each label (between dots) holds at most 63 characters");
        }
        if let Some(c) = label
            .chars()
            .find(|c| !c.is_ascii_alphanumeric() && *c != '-')
        {
            return Err(PanelError::InvalidDomain {
                name: name.to_string(),
                reason: format!("{c:?} is not allowed: use letters, digits, hyphens and dots"),
            });
        }
        if label.starts_with('-') || label.ends_with('-') {
            return bad("a label cannot start or end with a hyphen");
        }
    }
    if labels
        .last()
        .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
    {
        return bad("the last label cannot be all digits");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_domains() {
        for ok in [
            "example.com",
            "mail.example.co.uk",
            "x-1.example.org",
            "Example.COM",
        ] {
            validate_domain_name(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn refuses_bad_domains_with_the_reason() {
        let cases = [
            ("", "\"\" is not a valid domain name: it is empty"),
            ("example", "\"example\" is not a valid domain name: it needs at least two labels, like example.com"),
            (".example.com", "\".example.com\" is not a valid domain name: it cannot start or end with a dot"),
            ("example.com.", "\"example.com.\" is not a valid domain name: it cannot start or end with a dot"),
            ("example..com", "\"example..com\" is not a valid domain name: it cannot hold two dots in a row"),
            ("-example.com", "\"-example.com\" is not a valid domain name: a label cannot start or end with a hyphen"),
            ("exa_mple.com", "\"exa_mple.com\" is not a valid domain name: '_' is not allowed: use letters, digits, hyphens and dots"),
            ("10.0.0.1", "\"10.0.0.1\" is not a valid domain name: the last label cannot be all digits"),
        ];
        for (input, msg) in cases {
            assert_eq!(validate_domain_name(input).unwrap_err().to_string(), msg);
        }
        let long_label = format!("{}.com", "a".repeat(64));
        assert!(validate_domain_name(&long_label).is_err());
        let long = format!("{}.com", vec!["a".repeat(60); 5].join("."));
        assert!(validate_domain_name(&long)
            .unwrap_err()
            .to_string()
            .ends_with("use at most 253 characters"));
    }

    #[test]
    fn status_reads_well() {
        assert_eq!(DomainStatus::Ok.to_string(), "OK");
        let p = DomainStatus::Pending {
            reason: "MX not yet propagated".into(),
        };
        assert_eq!(p.to_string(), "pending: MX not yet propagated");
        assert_eq!(p.reason(), Some("MX not yet propagated"));
        let e = DomainStatus::Error {
            reason: "MX points elsewhere".into(),
        };
        assert_eq!(e.label(), "error");
    }
}
