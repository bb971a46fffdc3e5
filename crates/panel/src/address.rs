//! E-mail address parts: local-part rules (RFC 5321 dot-atom, practical
//! subset) and splitting `local@domain`.

use crate::{validate_domain_name, PanelError};

/// The placeholder domain of unconfigured account slots (as the provider
/// shows them: `xxxx@configureme.me`).
pub const UNCONFIGURED_DOMAIN: &str = "configureme.me";

/// Longest local part RFC 5321 allows.
const MAX_LOCAL: usize = 64;

/// Check a login (the part before `@`): 1 to 64 characters among letters,
/// digits and ``! # $ % & ' * + - / = ? ^ _ ` { | } ~ .``; no dot at either
/// end and no two dots in a row.
pub fn validate_local_part(local: &str) -> Result<(), PanelError> {
    let bad = |reason: &str| {
        Err(PanelError::InvalidLocalPart {
            local: local.to_string(),
            reason: reason.to_string(),
        })
    };
    if local.is_empty() {
        return bad("it is empty");
    }
    if local.len() > MAX_LOCAL {
        return bad("use at most 64 characters");
    }
    if let Some(c) = local.chars().find(|c| !is_atext(*c) && *c != '.') {
        return Err(PanelError::InvalidLocalPart {
            local: local.to_string(),
            reason: format!("{c:?} is not allowed: use letters, digits and . - _ +"),
        });
    }
    if local.starts_with('.') || local.ends_with('.') {
        return bad("it cannot start or end with a dot");
    }
    if local.contains("..") {
        return bad("it cannot hold two dots in a row");
    }
    Ok(())
}

fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

/// Split `local@domain` into its checked parts; the domain comes back lower
/// case, the local part as typed.
pub fn split_address(address: &str) -> Result<(String, String), PanelError> {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Err(PanelError::InvalidAddress(address.to_string()));
    };
    validate_local_part(local)?;
    validate_domain_name(domain)?;
    Ok((local.to_string(), domain.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_logins() {
        for ok in [
            "john.smith",
            "marie-dupont",
            "o'brien",
            "a",
            "info+news",
            "J.Smith_2",
        ] {
            validate_local_part(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        validate_local_part(&"a".repeat(64)).unwrap();
    }

    #[test]
    fn refuses_bad_logins_with_the_reason() {
        let cases = [
            ("", "\"\" is not a valid login: it is empty"),
            (".john", "\".john\" is not a valid login: it cannot start or end with a dot"),
            ("john.", "\"john.\" is not a valid login: it cannot start or end with a dot"),
            ("john..smith", "\"john..smith\" is not a valid login: it cannot hold two dots in a row"),
            (
                "john smith",
                "\"john smith\" is not a valid login: ' ' is not allowed: use letters, digits and . - _ +",
            ),
            (
                "jöhn",
                "\"jöhn\" is not a valid login: 'ö' is not allowed: use letters, digits and . - _ +",
            ),
        ];
        for (input, msg) in cases {
            assert_eq!(validate_local_part(input).unwrap_err().to_string(), msg);
        }
        let long = "a".repeat(65);
        assert!(validate_local_part(&long)
            .unwrap_err()
            .to_string()
            .ends_with("use at most 64 characters"));
    }

    #[test]
    fn splits_addresses() {
        assert_eq!(
            split_address("John.Smith@Example.COM").unwrap(),
            ("John.Smith".to_string(), "example.com".to_string())
        );
        assert_eq!(
            split_address("john").unwrap_err().to_string(),
            "\"john\" is not an e-mail address: write it as login@domain"
        );
        assert!(split_address("john@example").is_err());
    }
}
