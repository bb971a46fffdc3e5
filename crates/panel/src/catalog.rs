//! Per-kind platform facts, read once from `assets/platforms.toml` (embedded).

use std::sync::OnceLock;

use serde::Deserialize;

use crate::migration::{ManualItem, MigrationOption};
use crate::{Endpoints, PlatformKind};

const PLATFORMS_TOML: &str = include_str!("../../../assets/platforms.toml");

/// Which collaborative features a platform offers beyond mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Features {
    /// Shared and personal calendars.
    pub calendars: bool,
    /// Address books.
    pub contacts: bool,
    /// Task lists.
    pub tasks: bool,
    /// Server-side inbox rules.
    pub inbox_rules: bool,
    /// Contact groups (distribution lists in the address book).
    pub contact_groups: bool,
    /// Out-of-office auto-replies.
    pub out_of_office: bool,
}

impl Features {
    /// Whether a platform with these features can hold `option`'s data.
    /// Every platform holds e-mails.
    pub fn supports(&self, option: MigrationOption) -> bool {
        match option {
            MigrationOption::Emails => true,
            MigrationOption::Calendars => self.calendars,
            MigrationOption::Contacts => self.contacts,
            MigrationOption::Tasks => self.tasks,
            MigrationOption::InboxRules => self.inbox_rules,
            MigrationOption::ContactGroups => self.contact_groups,
            MigrationOption::OutOfOffice => self.out_of_office,
        }
    }
}

/// What is fixed for every platform of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindFacts {
    /// "Exchange", "Email Pro", "MX Plan".
    pub display_name: String,
    /// The largest quota an account can have, in bytes.
    pub account_quota_bytes: u64,
    /// How many domains a platform holds; `None` means no limit.
    #[serde(default)]
    pub max_domains: Option<u32>,
    /// Collaborative features beyond mail.
    pub features: Features,
    /// The provider's published client settings.
    pub endpoints: Endpoints,
    /// Features the migrator does not move: recreate them by hand.
    pub recreate_by_hand: Vec<ManualItem>,
    /// The rest of the published client settings (POP, EWS, autodiscover).
    #[serde(default)]
    pub client: ClientFacts,
}

/// The provider's published client settings beyond IMAP and SMTP (which are in
/// `endpoints`): on the same host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientFacts {
    /// POP3 port, when the platform serves POP.
    #[serde(default)]
    pub pop_port: Option<u16>,
    /// How POP is secured.
    #[serde(default)]
    pub pop_security: Option<crate::Security>,
    /// The Exchange Web Services URL (Outlook, Apple Mail in Exchange mode).
    #[serde(default)]
    pub ews_url: Option<String>,
    /// The autodiscover URL clients find through the domain's DNS.
    #[serde(default)]
    pub autodiscover_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalog {
    exchange: KindFacts,
    emailpro: KindFacts,
    mxplan: KindFacts,
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        toml::from_str(PLATFORMS_TOML)
            .unwrap_or_else(|e| panic!("assets/platforms.toml is broken (fix and rebuild): {e}"))
    })
}

/// The facts of `kind`, as written in `assets/platforms.toml`.
pub fn facts(kind: PlatformKind) -> &'static KindFacts {
    let c = catalog();
    match kind {
        PlatformKind::Exchange => &c.exchange,
        PlatformKind::EmailPro => &c.emailpro,
        PlatformKind::MxPlan => &c.mxplan,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Security, GB};

    #[test]
    fn asset_matches_the_offers() {
        let ex = facts(PlatformKind::Exchange);
        assert_eq!(ex.account_quota_bytes, 50 * GB);
        assert!(ex.features.calendars && ex.features.contacts && ex.features.tasks);
        assert!(ex.features.inbox_rules && ex.features.out_of_office);
        assert_eq!(ex.max_domains, None);
        assert_eq!(ex.endpoints.host, "ex5.mail.ovh.net");

        let pro = facts(PlatformKind::EmailPro);
        assert_eq!(pro.account_quota_bytes, 10 * GB);
        assert!(!pro.features.calendars && !pro.features.inbox_rules);

        let mx = facts(PlatformKind::MxPlan);
        assert_eq!(mx.account_quota_bytes, 5 * GB);
        assert_eq!(mx.max_domains, Some(1));
        assert_eq!(mx.endpoints.host, "ssl0.ovh.net");
        assert_eq!(mx.endpoints.imap_port, 993);
        assert_eq!(mx.endpoints.imap_security, Security::Tls);
        assert_eq!(mx.endpoints.smtp_port, 465);
        assert!(!mx.features.supports(MigrationOption::Contacts));
        assert!(mx.features.supports(MigrationOption::Emails));
        assert!(ex.recreate_by_hand.contains(&ManualItem::DelegatedRights));
        assert!(ex.recreate_by_hand.contains(&ManualItem::Footers));
    }
}
