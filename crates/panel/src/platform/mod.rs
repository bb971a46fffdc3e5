//! One platform (an Exchange, Email Pro or MX Plan service): its identity,
//! endpoints, domains and account slots; the operations on them live in
//! `domains`, `accounts` and `provisional`.

mod accounts;
mod domains;
mod provisional;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Account, Domain, Endpoints, KindFacts, PlatformKind};

/// A platform's number in the panel state (stable across renames).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlatformId(pub u32);

impl fmt::Display for PlatformId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// An email platform: one service of one kind with its domains and accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platform {
    /// Stable number in the panel state.
    pub id: PlatformId,
    /// Exchange, Email Pro or MX Plan.
    pub kind: PlatformKind,
    /// The provider's service name, e.g. `exchange-ab12cd`.
    pub service_name: String,
    /// A label the customer chose (defaults to the service name).
    pub display_name: String,
    /// Where clients connect (the sandbox overwrites these at run time).
    pub endpoints: Endpoints,
    /// Associated domains.
    pub domains: Vec<Domain>,
    /// Account slots, configured or not.
    pub accounts: Vec<Account>,
}

impl Platform {
    /// An empty platform with the kind's published endpoints. Does not check
    /// the service name: [`crate::PanelState::add_platform`] does.
    pub fn new(id: PlatformId, kind: PlatformKind, service_name: &str) -> Self {
        Platform {
            id,
            kind,
            service_name: service_name.to_string(),
            display_name: service_name.to_string(),
            endpoints: kind.facts().endpoints.clone(),
            domains: Vec::new(),
            accounts: Vec::new(),
        }
    }

    /// "Exchange exchange-ab12cd": how messages name the platform.
    pub fn label(&self) -> String {
        format!("{} {}", self.kind, self.service_name)
    }

    /// The facts of this platform's kind.
    pub fn facts(&self) -> &'static KindFacts {
        self.kind.facts()
    }

    /// The largest quota an account of this platform can have.
    pub fn max_quota_bytes(&self) -> u64 {
        self.facts().account_quota_bytes
    }

    /// The associated domain called `name` (case-insensitive).
    pub fn domain(&self, name: &str) -> Option<&Domain> {
        self.domains
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(name))
    }

    /// The account (or unconfigured slot) at `address` (case-insensitive).
    pub fn account(&self, address: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.has_address(address))
    }

    /// The configured accounts, in slot order.
    pub fn configured_accounts(&self) -> impl Iterator<Item = &Account> {
        self.accounts.iter().filter(|a| a.is_configured())
    }

    /// How many slots are free for a new account.
    pub fn unconfigured_count(&self) -> usize {
        self.accounts.iter().filter(|a| !a.is_configured()).count()
    }
}

#[cfg(test)]
pub(crate) mod fixture {
    use super::*;
    use crate::{DomainKind, DomainStatus, NewAccount, GB};

    /// A platform of `kind` with `domain` (OK) and `slots` free slots.
    pub fn platform(kind: PlatformKind, service: &str, domain: &str, slots: usize) -> Platform {
        let mut p = Platform::new(PlatformId(1), kind, service);
        p.add_domain(domain, DomainKind::Authoritative).unwrap();
        p.set_domain_status(domain, DomainStatus::Ok).unwrap();
        p.order_accounts(slots);
        p
    }

    pub fn new_account(local: &str, domain: &str) -> NewAccount {
        NewAccount {
            local_part: local.into(),
            domain: domain.into(),
            display_name: local.replace('.', " "),
            password: "Sunny-Day42".into(),
            quota_bytes: None,
        }
    }

    /// Create `local@domain` on `p` holding `used_bytes` of mail.
    pub fn add_account(p: &mut Platform, local: &str, domain: &str, used_bytes: u64) -> String {
        let address = p
            .create_account(new_account(local, domain))
            .unwrap()
            .address();
        p.set_used_bytes(&address, used_bytes).unwrap();
        address
    }

    #[test]
    fn label_and_defaults() {
        let p = platform(PlatformKind::Exchange, "exchange-ab12cd", "example.com", 2);
        assert_eq!(p.label(), "Exchange exchange-ab12cd");
        assert_eq!(p.max_quota_bytes(), 50 * GB);
        assert_eq!(p.endpoints.host, "ex5.mail.ovh.net");
        assert_eq!(p.unconfigured_count(), 2);
        assert!(p.domain("EXAMPLE.com").is_some());
        assert_eq!(PlatformId(3).to_string(), "#3");
    }
}
