//! The SMTP relay completion e-mails go through, from flags or the environment
//! (`MAILSHIFT_SMTP_*`); its password only from MAILSHIFT_SMTP_PASSWORD or a file.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use mailshift_notify::{Relay, SmtpSecurity};

#[derive(Debug, Clone, Args)]
pub struct RelayArgs {
    /// SMTP relay for the completion e-mail (with --notify).
    #[arg(long, value_name = "HOST", env = "MAILSHIFT_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// Relay port (default: 465 for tls, 587 for starttls, 25 for none).
    #[arg(long, value_name = "PORT", env = "MAILSHIFT_SMTP_PORT")]
    pub smtp_port: Option<u16>,
    #[arg(
        long,
        default_value = "starttls",
        value_name = "MODE",
        env = "MAILSHIFT_SMTP_SECURITY",
        value_parser = super::words::<SmtpSecurity>(&SmtpSecurity::NAMES)
    )]
    pub smtp_security: SmtpSecurity,
    /// Relay login (its password: MAILSHIFT_SMTP_PASSWORD or --smtp-password-file).
    #[arg(long, value_name = "LOGIN", env = "MAILSHIFT_SMTP_USER")]
    pub smtp_user: Option<String>,
    #[arg(long, value_name = "FILE")]
    pub smtp_password_file: Option<PathBuf>,
    /// Sender address of the completion e-mail.
    #[arg(
        long,
        value_name = "ADDRESS",
        env = "MAILSHIFT_SMTP_FROM",
        default_value = "mailshift@localhost"
    )]
    pub smtp_from: String,
    /// Trust this PEM certificate for the relay.
    #[arg(long, value_name = "PEM", env = "MAILSHIFT_SMTP_CA_FILE")]
    pub smtp_ca_file: Option<PathBuf>,
}

impl RelayArgs {
    /// The relay, when a host is given.
    pub fn relay(&self, insecure: bool) -> Result<Option<Relay>, String> {
        let Some(host) = self.smtp_host.clone() else {
            return Ok(None);
        };
        let security = self.smtp_security;
        let password = match (&self.smtp_user, std::env::var("MAILSHIFT_SMTP_PASSWORD").ok(), &self.smtp_password_file) {
            (None, _, _) => None,
            (Some(_), Some(p), _) if !p.is_empty() => Some(p),
            (Some(_), _, Some(f)) => Some(
                std::fs::read_to_string(f)
                    .map_err(|e| format!("cannot read the relay password file {}: {e}", f.display()))?
                    .trim_end_matches(['\r', '\n'])
                    .to_string(),
            ),
            (Some(u), _, None) => {
                return Err(format!(
                    "no password for the relay login {u}: set MAILSHIFT_SMTP_PASSWORD or pass --smtp-password-file"
                ))
            }
        };
        Ok(Some(Relay {
            port: self.smtp_port.unwrap_or(security.smtp_port()),
            host,
            security,
            user: self.smtp_user.clone(),
            password: password.map(mailshift_notify::Secret::new),
            from: self.smtp_from.clone(),
            ca_file: self.smtp_ca_file.clone(),
            insecure,
            timeout: Duration::from_secs(30),
        }))
    }
}
