//! Why a notification was not sent, worded so the person configuring the relay
//! knows what to change. No variant ever carries the password.

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum NotifyError {
    #[error("'{address}' is not an e-mail address: {reason}")]
    BadAddress { address: String, reason: String },
    #[error("the relay sender '{address}' is not usable as From: {reason} (fix the relay's from setting)")]
    BadSender { address: String, reason: String },
    #[error("the notification could not be composed: {reason}")]
    Compose { reason: String },
    #[error("cannot use the CA file {path}: {reason} (give a readable PEM file with at least one certificate)")]
    CaFile { path: PathBuf, reason: String },
    #[error("could not reach the notification relay {relay}: {reason} (check the host, the port and that the relay is running)")]
    Unreachable { relay: String, reason: String },
    #[error("the notification relay {relay} did not answer within {secs} s while {step} (check the host, port and security: tls usually on 465, starttls on 587)")]
    Timeout {
        relay: String,
        step: &'static str,
        secs: u64,
    },
    #[error("the notification relay {relay} certificate not trusted ({reason}): pass a CA file or insecure")]
    Untrusted { relay: String, reason: String },
    #[error("TLS with the notification relay {relay} failed: {reason} (check the security setting: tls on 465, starttls on 587)")]
    Tls { relay: String, reason: String },
    #[error("the notification relay {relay} does not offer STARTTLS: use security tls or none, or the relay's submission port")]
    NoStarttls { relay: String },
    #[error("the notification relay {relay} offers no login this client can use (AUTH PLAIN or LOGIN){hint}")]
    NoLoginMechanism { relay: String, hint: &'static str },
    #[error("the notification relay user {user} has no password: give the relay password (it is never saved with the settings)")]
    NoPassword { user: String },
    #[error("notification relay {relay} refused the login for {user}: check the relay user and password ({reply})")]
    LoginRefused {
        relay: String,
        user: String,
        reply: String,
    },
    #[error("the notification relay {relay} requires a login: set the relay user and password ({reply})")]
    LoginRequired { relay: String, reply: String },
    #[error("the relay {relay} refused the sender {from}: {reply} (use a from address the relay lets you send as)")]
    SenderRefused {
        relay: String,
        from: String,
        reply: String,
    },
    #[error("the relay rejected recipient {to}: {reply} (check the notification address)")]
    RecipientRefused { to: String, reply: String },
    #[error("the relay {relay} refused the message: {reply}")]
    MessageRefused { relay: String, reply: String },
    #[error("the notification relay {relay} broke off while {step}: {reason} (is it an SMTP server, and is the security setting right?)")]
    Protocol {
        relay: String,
        step: &'static str,
        reason: String,
    },
}

impl NotifyError {
    /// Whether trying again later may help (network trouble, a busy relay), as opposed
    /// to a setting that must be fixed first.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            NotifyError::Unreachable { .. }
                | NotifyError::Timeout { .. }
                | NotifyError::Protocol { .. }
        )
    }
}

impl From<mailshift_net::AddressError> for NotifyError {
    fn from(e: mailshift_net::AddressError) -> Self {
        NotifyError::BadAddress {
            address: e.address,
            reason: e.reason,
        }
    }
}
