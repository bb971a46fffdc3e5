//! mailshift-notify: the e-mail sent to a third-party address when a task ends,
//! delivered over SMTP (lettre) to a configured relay.
//! Failures are returned as sentences, never panics; nothing here touches disk.

mod delivery;
mod error;
mod notice;
mod relay;
mod tls;

pub use delivery::send;
pub use error::NotifyError;
/// The one address check, shared with the CSV reader and the TUI.
pub use mailshift_net::check_address;
/// The relay password's type: wiped from memory on drop, masked in `Debug`.
pub use mailshift_net::Secret;
/// The relay's transport security is the one `Security` of every client (the old name
/// stays for callers).
pub use mailshift_net::Security as SmtpSecurity;
pub use notice::Notice;
pub use relay::{Relay, RelaySettings};
