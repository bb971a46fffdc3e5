//! mailshift-notify: the e-mail sent to a third-party address when a task ends,
//! delivered over SMTP (lettre) to a configured relay.
//! Failures are returned as sentences, never panics; nothing here touches disk.

mod address;
mod delivery;
mod error;
mod notice;
mod relay;
mod security;
mod tls;

pub use address::validate_address;
pub use delivery::send;
pub use error::NotifyError;
pub use notice::Notice;
pub use relay::{Relay, RelaySettings};
pub use security::SmtpSecurity;
/// The wrapper [`Relay::password`] uses: the password is wiped from memory on drop.
pub use zeroize::Zeroizing;
