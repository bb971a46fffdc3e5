//! What a ManageSieve server announces in its greeting and after STARTTLS:
//! implementation, Sieve extensions, SASL mechanisms, STARTTLS, limits.

use serde::{Deserialize, Serialize};

use super::wire::Tok;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// `IMPLEMENTATION`, e.g. "Dovecot Pigeonhole".
    pub implementation: String,
    /// `SIEVE`: the extensions a script may require (`fileinto`, `vacation`, ...).
    pub extensions: Vec<String>,
    /// `SASL`: authentication mechanisms, upper-cased.
    pub sasl: Vec<String>,
    /// `STARTTLS` is offered.
    pub starttls: bool,
    /// `MAXREDIRECTS`: how many `redirect` actions a script may take.
    pub max_redirects: Option<u32>,
    /// `VERSION` of the protocol ("1.0" for RFC 5804).
    pub version: Option<String>,
}

impl Capabilities {
    /// Does the server's Sieve support this extension (case-insensitively)?
    pub fn supports(&self, extension: &str) -> bool {
        self.extensions
            .iter()
            .any(|e| e.eq_ignore_ascii_case(extension))
    }

    /// Fold one capability line (`"NAME" ["value"]`) in; unknown names are ignored.
    pub(crate) fn absorb(&mut self, line: &[Tok]) {
        let Some(name) = line.first().and_then(Tok::text) else {
            return;
        };
        let value = line.get(1).and_then(Tok::text).unwrap_or_default();
        match name.to_ascii_uppercase().as_str() {
            "IMPLEMENTATION" => self.implementation = value,
            "SIEVE" => self.extensions = value.split_whitespace().map(str::to_string).collect(),
            "SASL" => {
                self.sasl = value
                    .split_whitespace()
                    .map(|m| m.to_ascii_uppercase())
                    .collect()
            }
            "STARTTLS" => self.starttls = true,
            "MAXREDIRECTS" => self.max_redirects = value.trim().parse().ok(),
            "VERSION" => self.version = Some(value),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::wire::tokenize;
    use super::*;

    #[test]
    fn a_dovecot_greeting_is_understood() {
        let greeting = [
            r#""IMPLEMENTATION" "Dovecot Pigeonhole""#,
            r#""SIEVE" "fileinto reject envelope vacation vacation-seconds""#,
            r#""NOTIFY" "mailto""#,
            r#""SASL" "plain LOGIN""#,
            r#""STARTTLS""#,
            r#""MAXREDIRECTS" "4""#,
            r#""VERSION" "1.0""#,
        ];
        let mut caps = Capabilities::default();
        for line in greeting {
            caps.absorb(&tokenize(line.as_bytes()).unwrap().toks);
        }
        assert_eq!(caps.implementation, "Dovecot Pigeonhole");
        assert!(caps.supports("VACATION") && caps.supports("vacation-seconds"));
        assert!(!caps.supports("notify"));
        assert_eq!(caps.sasl, ["PLAIN", "LOGIN"]);
        assert!(caps.starttls);
        assert_eq!(caps.max_redirects, Some(4));
        assert_eq!(caps.version.as_deref(), Some("1.0"));
    }

    #[test]
    fn without_starttls_the_flag_stays_off() {
        let mut caps = Capabilities::default();
        caps.absorb(&tokenize(br#""SASL" "PLAIN""#).unwrap().toks);
        caps.absorb(&tokenize(br#""MAXREDIRECTS" "many""#).unwrap().toks);
        assert!(!caps.starttls);
        assert_eq!(caps.max_redirects, None);
    }
}
