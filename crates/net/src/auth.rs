//! How a client proves who it is: LOGIN, SASL PLAIN or XOAUTH2.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::UnknownChoice;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AuthMethod {
    #[default]
    Login,
    Plain,
    Xoauth2,
}

impl AuthMethod {
    /// Every choice, in the order they are offered.
    pub const ALL: [AuthMethod; 3] = [AuthMethod::Login, AuthMethod::Plain, AuthMethod::Xoauth2];
    /// The words `FromStr` accepts (and `Display` writes), in `ALL` order.
    pub const NAMES: [&'static str; 3] = ["login", "plain", "xoauth2"];

    /// `login`, `plain` or `xoauth2`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::Login => "login",
            AuthMethod::Plain => "plain",
            AuthMethod::Xoauth2 => "xoauth2",
        }
    }
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuthMethod {
    type Err = UnknownChoice;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let word = s.trim().to_ascii_lowercase();
        AuthMethod::ALL
            .into_iter()
            .find(|a| a.as_str() == word)
            .ok_or_else(|| UnknownChoice {
                what: "authentication",
                given: s.to_string(),
                choices: "login, plain or xoauth2",
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_text_and_serde_agree() {
        for (a, name) in AuthMethod::ALL.into_iter().zip(AuthMethod::NAMES) {
            assert_eq!(a.to_string(), name);
            assert_eq!(name.parse::<AuthMethod>().unwrap(), a);
            assert_eq!(serde_json::to_string(&a).unwrap(), format!("\"{name}\""));
        }
        assert_eq!(
            "cram".parse::<AuthMethod>().unwrap_err().to_string(),
            "unknown authentication 'cram': use login, plain or xoauth2"
        );
    }
}
