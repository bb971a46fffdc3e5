//! The control-panel model: platforms (Exchange, Email Pro, MX Plan), their
//! associated domains and email accounts, the rules every operation obeys,
//! migration pre-checks. Pure: no I/O (the sandbox keeps the panel state file).

mod account;
mod address;
mod catalog;
mod demo;
mod domain;
mod endpoints;
mod error;
mod kind;
pub mod migration;
mod panel;
mod password;
mod platform;
mod size;

pub use account::{Account, AccountChanges, AccountState, NewAccount, Rename, Wipe};
pub use address::{split_address, validate_local_part, UNCONFIGURED_DOMAIN};
pub use catalog::{facts, ClientFacts, Features, KindFacts};
pub use demo::{demo, DEMO_PASSWORD};
pub use domain::{validate_domain_name, Domain, DomainKind, DomainStatus};
pub use endpoints::{Endpoints, Security};
pub use error::PanelError;
pub use kind::PlatformKind;
pub use migration::ManualItem;
pub use panel::{NewPlatform, PanelState};
pub use password::{check_strength, PasswordHash};
pub use platform::{Platform, PlatformId};
pub use size::{format_bytes, GB};
