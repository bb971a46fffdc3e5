//! The SMTP relay a notification goes through: where it is, how to log in, the
//! sender address. `RelaySettings` is what may be saved; the password never is.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use mailshift_net::Secret;
use serde::{Deserialize, Serialize};

use crate::SmtpSecurity;

/// A relay ready to send through. Not `Serialize`: it carries the password.
#[derive(Clone)]
pub struct Relay {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// Login name; `None` sends without AUTH.
    pub user: Option<String>,
    /// Wiped from memory on drop; masked in `Debug`; never serialised.
    pub password: Option<Secret>,
    /// The `From:` and envelope sender address.
    pub from: String,
    /// PEM file of the CA (or self-signed certificate) to trust instead of the web roots.
    pub ca_file: Option<PathBuf>,
    /// Skip certificate verification altogether (test relays only).
    pub insecure: bool,
    /// How long to wait for the relay at each step (connect, each command).
    pub timeout: Duration,
}

impl Relay {
    /// The default per-step timeout.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

    /// A relay from saved settings plus the password kept elsewhere (keyring, prompt).
    pub fn from_settings(settings: RelaySettings, password: Option<String>) -> Relay {
        Relay {
            port: settings.port.unwrap_or(settings.security.smtp_port()),
            host: settings.host,
            security: settings.security,
            user: settings.user,
            password: password.map(Secret::new),
            from: settings.from,
            ca_file: settings.ca_file,
            insecure: settings.insecure,
            timeout: Duration::from_secs(settings.timeout_secs.max(1)),
        }
    }

    /// The settings to save: everything but the password.
    pub fn settings(&self) -> RelaySettings {
        RelaySettings {
            host: self.host.clone(),
            port: Some(self.port),
            security: self.security,
            user: self.user.clone(),
            from: self.from.clone(),
            ca_file: self.ca_file.clone(),
            insecure: self.insecure,
            timeout_secs: self.timeout.as_secs().max(1),
        }
    }

    /// `host:port`, as error messages name the relay.
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

impl fmt::Debug for Relay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Relay")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "********"))
            .field("from", &self.from)
            .field("ca_file", &self.ca_file)
            .field("insecure", &self.insecure)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Everything about a relay except its password, safe to write to a config file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelaySettings {
    pub host: String,
    /// `None`: the usual port of `security` (465, 587, 25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// STARTTLS on submission unless told otherwise.
    #[serde(default = "default_security")]
    pub security: SmtpSecurity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    pub from: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    #[serde(default)]
    pub insecure: bool,
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

fn default_security() -> SmtpSecurity {
    SmtpSecurity::Starttls
}

fn default_timeout_secs() -> u64 {
    Relay::DEFAULT_TIMEOUT.as_secs()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relay() -> Relay {
        let settings: RelaySettings = toml::from_str(
            "host = \"smtp.example.net\"\nuser = \"alice\"\nfrom = \"mailshift@example.net\"\n",
        )
        .unwrap();
        Relay::from_settings(settings, Some("hunter2-secret".into()))
    }

    #[test]
    fn settings_default_to_starttls_on_587() {
        let r = relay();
        assert_eq!((r.security, r.port), (SmtpSecurity::Starttls, 587));
        assert_eq!(r.timeout, Relay::DEFAULT_TIMEOUT);
        assert_eq!(r.address(), "smtp.example.net:587");
        assert!(!r.insecure);
    }

    #[test]
    fn the_password_is_neither_shown_nor_saved() {
        let r = relay();
        let debug = format!("{r:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("********"), "{debug}");
        let saved = toml::to_string(&r.settings()).unwrap();
        assert!(!saved.contains("hunter2"), "{saved}");
        let back: RelaySettings = toml::from_str(&saved).unwrap();
        assert_eq!(back, r.settings());
        assert!(
            toml::from_str::<RelaySettings>("host=\"h\"\nfrom=\"a@b.c\"\npassword=\"x\"\n")
                .is_err(),
            "a password in the settings file is refused, not silently kept"
        );
    }
}
