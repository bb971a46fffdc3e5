//! Domain operations on one platform: associate a domain, record its status.

use crate::{
    validate_domain_name, Domain, DomainKind, DomainStatus, PanelError, Platform, PlatformKind,
    UNCONFIGURED_DOMAIN,
};

impl Platform {
    /// Associate `name` with this platform, pending its DNS check. Refuses an
    /// invalid or reserved name, a domain already here, and a second domain on
    /// an MX Plan. Rules spanning platforms live in [`crate::PanelState::add_domain`].
    pub fn add_domain(&mut self, name: &str, kind: DomainKind) -> Result<&Domain, PanelError> {
        validate_domain_name(name)?;
        let name = name.to_ascii_lowercase();
        if name == UNCONFIGURED_DOMAIN {
            return Err(PanelError::InvalidDomain {
                name,
                reason: "it is reserved for unconfigured accounts".into(),
            });
        }
        if self.domain(&name).is_some() {
            return Err(PanelError::DomainExists {
                domain: name,
                platform: self.label(),
            });
        }
        if let Some(max) = self.facts().max_domains {
            if self.domains.len() >= max as usize {
                return Err(if self.kind == PlatformKind::MxPlan {
                    PanelError::MxPlanSingleDomain {
                        existing: self.domains[0].name.clone(),
                        requested: name,
                    }
                } else {
                    PanelError::TooManyDomains {
                        platform: self.label(),
                        max,
                        requested: name,
                    }
                });
            }
        }
        self.domains.push(Domain {
            name,
            kind,
            status: DomainStatus::setting_up(),
        });
        Ok(self.domains.last().expect("just pushed"))
    }

    /// Record the outcome of a check (DNS diagnostic, propagation) for `name`.
    pub fn set_domain_status(
        &mut self,
        name: &str,
        status: DomainStatus,
    ) -> Result<(), PanelError> {
        let label = self.label();
        let d = self
            .domains
            .iter_mut()
            .find(|d| d.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| PanelError::DomainNotOnPlatform {
                domain: name.to_ascii_lowercase(),
                platform: label,
            })?;
        d.status = status;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::platform::fixture::platform;
    use crate::{DomainKind, DomainStatus, PlatformKind};

    #[test]
    fn adds_a_domain_pending_and_lower_case() {
        let mut p = platform(PlatformKind::Exchange, "exchange-ab12cd", "example.com", 0);
        let d = p
            .add_domain("Example.ORG", DomainKind::NonAuthoritative)
            .unwrap();
        assert_eq!(d.name, "example.org");
        assert_eq!(d.kind, DomainKind::NonAuthoritative);
        assert_eq!(d.status.label(), "pending");
        assert_eq!(p.domains.len(), 2);
    }

    #[test]
    fn refuses_a_duplicate_domain() {
        let mut p = platform(PlatformKind::Exchange, "exchange-ab12cd", "example.com", 0);
        let e = p
            .add_domain("EXAMPLE.com", DomainKind::Authoritative)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "example.com is already associated with Exchange exchange-ab12cd"
        );
    }

    #[test]
    fn refuses_an_invalid_or_reserved_domain() {
        let mut p = platform(PlatformKind::EmailPro, "emailpro-c4d5e6", "example.com", 0);
        let e = p
            .add_domain("example..org", DomainKind::Authoritative)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "\"example..org\" is not a valid domain name: it cannot hold two dots in a row"
        );
        let e = p
            .add_domain("configureme.me", DomainKind::Authoritative)
            .unwrap_err();
        assert!(
            e.to_string().contains("reserved for unconfigured accounts"),
            "{e}"
        );
        assert_eq!(p.domains.len(), 1);
    }

    #[test]
    fn mx_plan_refuses_a_second_domain() {
        let mut p = platform(PlatformKind::MxPlan, "mxplan-7f3e21", "example.com", 0);
        let e = p
            .add_domain("example.org", DomainKind::NonAuthoritative)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "MX Plan holds one domain (example.com) fixed at creation: create another MX Plan for example.org"
        );
        assert_eq!(p.domains.len(), 1);
    }

    #[test]
    fn sets_status_with_reason() {
        let mut p = platform(PlatformKind::Exchange, "exchange-ab12cd", "example.com", 0);
        let err = DomainStatus::Error {
            reason: "MX points to mx1.elsewhere.net".into(),
        };
        p.set_domain_status("Example.com", err.clone()).unwrap();
        assert_eq!(p.domain("example.com").unwrap().status, err);
        let e = p
            .set_domain_status("example.net", DomainStatus::Ok)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "example.net is not associated with Exchange exchange-ab12cd: add the domain to the platform first"
        );
    }
}
