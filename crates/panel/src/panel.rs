//! The whole panel: every platform the customer has, and the rules that
//! span platforms (unique service names, one authoritative platform per domain).

use serde::{Deserialize, Serialize};

use crate::{Account, DomainKind, PanelError, Platform, PlatformId, PlatformKind};

/// Everything the control panel shows; saved by the sandbox's `PanelStore`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelState {
    /// The platforms, in creation order.
    pub platforms: Vec<Platform>,
}

/// What a person fills in to create a platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlatform {
    /// Exchange, Email Pro or MX Plan.
    pub kind: PlatformKind,
    /// e.g. `exchange-ab12cd`: lower-case letters, digits and hyphens.
    pub service_name: String,
    /// `None`: the service name.
    pub display_name: Option<String>,
    /// The first domain (required for an MX Plan: it is fixed at creation).
    pub domain: Option<(String, DomainKind)>,
    /// How many account slots to order.
    pub accounts: usize,
}

impl PanelState {
    /// An empty panel.
    pub fn new() -> Self {
        Self::default()
    }

    /// The platform `id`.
    pub fn platform(&self, id: PlatformId) -> Result<&Platform, PanelError> {
        self.platforms
            .iter()
            .find(|p| p.id == id)
            .ok_or(PanelError::UnknownPlatform(id))
    }

    /// The platform `id`, to change it.
    pub fn platform_mut(&mut self, id: PlatformId) -> Result<&mut Platform, PanelError> {
        self.platforms
            .iter_mut()
            .find(|p| p.id == id)
            .ok_or(PanelError::UnknownPlatform(id))
    }

    /// The platform whose service name is `name` (case-insensitive).
    pub fn platform_by_service(&self, name: &str) -> Option<&Platform> {
        self.platforms
            .iter()
            .find(|p| p.service_name.eq_ignore_ascii_case(name))
    }

    /// Every configured account at `address`, with its platform (during a
    /// migration an address can exist on two platforms).
    pub fn find_accounts(&self, address: &str) -> Vec<(&Platform, &Account)> {
        self.platforms
            .iter()
            .flat_map(|p| {
                p.configured_accounts()
                    .filter(|a| a.has_address(address))
                    .map(move |a| (p, a))
            })
            .collect()
    }

    /// Create a platform. Refuses an invalid or taken service name, an MX Plan
    /// without its domain, and a first domain that breaks a domain rule.
    pub fn add_platform(&mut self, new: NewPlatform) -> Result<PlatformId, PanelError> {
        validate_service_name(&new.service_name)?;
        if self.platform_by_service(&new.service_name).is_some() {
            return Err(PanelError::ServiceNameTaken(new.service_name));
        }
        if new.kind == PlatformKind::MxPlan && new.domain.is_none() {
            return Err(PanelError::MxPlanNeedsDomain);
        }
        let id = PlatformId(self.platforms.iter().map(|p| p.id.0).max().unwrap_or(0) + 1);
        let mut platform = Platform::new(id, new.kind, &new.service_name);
        if let Some(name) = new.display_name.filter(|n| !n.trim().is_empty()) {
            platform.display_name = name.trim().to_string();
        }
        if let Some((domain, kind)) = &new.domain {
            self.check_authority(domain, *kind)?;
            platform.add_domain(domain, *kind)?;
        }
        platform.order_accounts(new.accounts);
        self.platforms.push(platform);
        Ok(id)
    }

    /// Associate `name` with platform `id`: the platform's own rules (see
    /// [`Platform::add_domain`]) plus one authoritative platform per domain.
    pub fn add_domain(
        &mut self,
        id: PlatformId,
        name: &str,
        kind: DomainKind,
    ) -> Result<(), PanelError> {
        self.platform(id)?;
        self.check_authority(name, kind)?;
        self.platform_mut(id)?.add_domain(name, kind)?;
        Ok(())
    }

    /// A free service name for a new platform of `kind`: `exchange-` followed
    /// by six hex digits derived from the number of platforms (deterministic).
    pub fn suggest_service_name(&self, kind: PlatformKind) -> String {
        use sha2::{Digest, Sha256};
        (0u32..)
            .map(|n| {
                let seed = format!("{}:{}:{n}", kind.as_str(), self.platforms.len());
                let h = Sha256::digest(seed.as_bytes());
                format!("{}-{}", kind.as_str(), hex::encode(&h[..3]))
            })
            .find(|s| self.platform_by_service(s).is_none())
            .expect("an unbounded range has a free name")
    }

    fn check_authority(&self, name: &str, kind: DomainKind) -> Result<(), PanelError> {
        if kind != DomainKind::Authoritative {
            return Ok(());
        }
        let holder = self.platforms.iter().find(|p| {
            p.domain(name)
                .is_some_and(|d| d.kind == DomainKind::Authoritative)
        });
        match holder {
            Some(p) => Err(PanelError::DomainAuthoritativeElsewhere {
                domain: name.to_ascii_lowercase(),
                platform: p.label(),
            }),
            None => Ok(()),
        }
    }
}

/// Check a service name: 3 to 63 lower-case letters, digits or hyphens,
/// starting with a letter, not ending with a hyphen.
fn validate_service_name(name: &str) -> Result<(), PanelError> {
    let bad = |reason: &str| {
        Err(PanelError::InvalidServiceName {
            name: name.to_string(),
            reason: reason.to_string(),
        })
    };
    if !(3..=63).contains(&name.len()) {
        return bad("use 3 to 63 characters");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return bad("use lower-case letters, digits and hyphens");
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) || name.ends_with('-') {
        return bad("start with a letter and do not end with a hyphen");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(kind: PlatformKind, service: &str, domain: Option<(&str, DomainKind)>) -> NewPlatform {
        NewPlatform {
            kind,
            service_name: service.into(),
            display_name: None,
            domain: domain.map(|(d, k)| (d.to_string(), k)),
            accounts: 2,
        }
    }

    #[test]
    fn adds_platforms_with_increasing_ids() {
        let mut s = PanelState::new();
        let a = s
            .add_platform(new(PlatformKind::Exchange, "exchange-ab12cd", None))
            .unwrap();
        let b = s
            .add_platform(new(
                PlatformKind::MxPlan,
                "mxplan-7f3e21",
                Some(("example.com", DomainKind::Authoritative)),
            ))
            .unwrap();
        assert_eq!((a, b), (PlatformId(1), PlatformId(2)));
        assert_eq!(s.platform(b).unwrap().domains[0].name, "example.com");
        assert_eq!(s.platform(a).unwrap().unconfigured_count(), 2);
        assert_eq!(s.platform(a).unwrap().display_name, "exchange-ab12cd");
        assert_eq!(
            s.platform(PlatformId(9)).unwrap_err().to_string(),
            "no platform #9: pick one from the platform list"
        );
    }

    #[test]
    fn refuses_bad_or_taken_service_names_and_mx_plan_without_domain() {
        let mut s = PanelState::new();
        s.add_platform(new(PlatformKind::Exchange, "exchange-ab12cd", None))
            .unwrap();
        let e = s
            .add_platform(new(PlatformKind::EmailPro, "Exchange-AB12CD", None))
            .unwrap_err();
        assert!(e.to_string().contains("lower-case"), "{e}");
        let e = s
            .add_platform(new(PlatformKind::EmailPro, "exchange-ab12cd", None))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the service name exchange-ab12cd is already taken: pick another"
        );
        let e = s
            .add_platform(new(PlatformKind::MxPlan, "mxplan-1", None))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "an MX Plan is created with its domain: give the domain it will hold"
        );
        assert_eq!(s.platforms.len(), 1);
    }

    #[test]
    fn one_authoritative_platform_per_domain() {
        let mut s = PanelState::new();
        let mx = s
            .add_platform(new(
                PlatformKind::MxPlan,
                "mxplan-7f3e21",
                Some(("example.com", DomainKind::Authoritative)),
            ))
            .unwrap();
        let ex = s
            .add_platform(new(PlatformKind::Exchange, "exchange-ab12cd", None))
            .unwrap();
        let e = s
            .add_domain(ex, "Example.com", DomainKind::Authoritative)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "example.com is already authoritative on MX Plan mxplan-7f3e21: add it as non-authoritative, or make it non-authoritative there first"
        );
        s.add_domain(ex, "example.com", DomainKind::NonAuthoritative)
            .unwrap();
        let e = s
            .add_domain(mx, "example.org", DomainKind::NonAuthoritative)
            .unwrap_err();
        assert!(e.to_string().starts_with("MX Plan holds one domain"), "{e}");
    }

    #[test]
    fn finds_an_address_on_every_platform() {
        let mut s = PanelState::new();
        for (kind, service) in [
            (PlatformKind::Exchange, "exchange-ab12cd"),
            (PlatformKind::EmailPro, "emailpro-c4d5e6"),
        ] {
            let id = s.add_platform(new(kind, service, None)).unwrap();
            s.add_domain(id, "example.com", DomainKind::NonAuthoritative)
                .unwrap();
            s.platform_mut(id)
                .unwrap()
                .create_account(crate::platform::fixture::new_account("john", "example.com"))
                .unwrap();
        }
        assert_eq!(s.find_accounts("JOHN@example.com").len(), 2);
        assert!(s.find_accounts("marie@example.com").is_empty());
    }

    #[test]
    fn suggested_service_names_are_free_and_valid() {
        let mut s = PanelState::new();
        let name = s.suggest_service_name(PlatformKind::EmailPro);
        assert!(name.starts_with("emailpro-") && name.len() == 15, "{name}");
        assert_eq!(
            name,
            s.suggest_service_name(PlatformKind::EmailPro),
            "deterministic"
        );
        s.add_platform(new(PlatformKind::EmailPro, &name, None))
            .unwrap();
        assert_ne!(s.suggest_service_name(PlatformKind::EmailPro), name);
    }
}
