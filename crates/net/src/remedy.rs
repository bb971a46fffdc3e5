//! What the user can do about an error, as data. The layers below the CLI and the
//! panel say only what happened; each surface words the remedy its own way (a flag
//! or an environment variable on the command line, a field in the panel). Travels
//! with the error text through task records, events and project rows.

use serde::{Deserialize, Serialize};

use crate::Side;

/// One thing to change so that the operation can succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Remedy {
    /// The server refused the login: the password (or token) is wrong.
    Password(Side),
    /// No password was given for this side.
    PasswordMissing(Side),
    /// The host name does not resolve.
    Host(Side),
    /// Nothing listens on the port (or it is not the IMAP port).
    Port(Side),
    /// The server offers no TLS on this connection: choose implicit TLS.
    Security(Side),
    /// The server does not take the chosen authentication method.
    AuthMethod(Side),
    /// The server's certificate is not trusted here.
    CaFile { side: Side, self_signed: bool },
    /// This side names no CalDAV/CardDAV server for an option that needs one.
    DavServer(Side),
    /// This side names no ManageSieve server for an option that needs one.
    SieveServer(Side),
    /// A project row asks for an option its sides cannot serve (a CSV row names
    /// no CalDAV/CardDAV or ManageSieve server).
    ProjectRowGroupware(Side),
    /// A CSV's `file:` password reference points outside the CSV's folder.
    PasswordFilesAnywhere,
    /// Folders of other users' or shared namespaces were left out.
    OtherNamespaces,
    /// A message is larger than the memory allowed for messages in flight.
    MaxInflight,
    /// The system resolver configuration cannot be used: name a nameserver.
    Nameserver,
    /// Another mailshift process runs the task: cancel it there, or wait for it.
    RunningElsewhere,
}

impl Remedy {
    /// The side whose settings are to change, if the remedy is about one side.
    pub fn side(self) -> Option<Side> {
        match self {
            Remedy::Password(s)
            | Remedy::PasswordMissing(s)
            | Remedy::Host(s)
            | Remedy::Port(s)
            | Remedy::Security(s)
            | Remedy::AuthMethod(s)
            | Remedy::CaFile { side: s, .. }
            | Remedy::DavServer(s)
            | Remedy::SieveServer(s)
            | Remedy::ProjectRowGroupware(s) => Some(s),
            Remedy::PasswordFilesAnywhere
            | Remedy::OtherNamespaces
            | Remedy::MaxInflight
            | Remedy::Nameserver
            | Remedy::RunningElsewhere => None,
        }
    }

    /// Every remedy, once per side (for the surfaces' tests: each must be worded).
    pub fn all() -> Vec<Remedy> {
        let mut all = Vec::new();
        for s in [Side::Source, Side::Destination] {
            all.extend([
                Remedy::Password(s),
                Remedy::PasswordMissing(s),
                Remedy::Host(s),
                Remedy::Port(s),
                Remedy::Security(s),
                Remedy::AuthMethod(s),
                Remedy::CaFile {
                    side: s,
                    self_signed: false,
                },
                Remedy::CaFile {
                    side: s,
                    self_signed: true,
                },
                Remedy::DavServer(s),
                Remedy::SieveServer(s),
                Remedy::ProjectRowGroupware(s),
            ]);
        }
        all.extend([
            Remedy::PasswordFilesAnywhere,
            Remedy::OtherNamespaces,
            Remedy::MaxInflight,
            Remedy::Nameserver,
            Remedy::RunningElsewhere,
        ]);
        all
    }
}

/// An error as it travels between processes and layers: the sentence saying what
/// happened, and what the user can do about it if anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy: Option<Remedy>,
}

impl Failure {
    pub fn new(text: impl Into<String>, remedy: Option<Remedy>) -> Failure {
        Failure {
            text: text.into(),
            remedy,
        }
    }
}

impl From<String> for Failure {
    fn from(text: String) -> Failure {
        Failure { text, remedy: None }
    }
}

impl From<&str> for Failure {
    fn from(text: &str) -> Failure {
        Failure::from(text.to_string())
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remedy_round_trips_through_json() {
        for r in Remedy::all() {
            let j = serde_json::to_string(&r).unwrap();
            assert_eq!(serde_json::from_str::<Remedy>(&j).unwrap(), r, "{j}");
        }
        let f: Failure = serde_json::from_str(r#"{"text":"x"}"#).unwrap();
        assert_eq!(f, Failure::new("x", None));
    }
}
