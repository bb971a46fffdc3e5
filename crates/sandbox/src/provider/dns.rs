//! The sandbox's DNS side: a zone per panel domain, new domains served as empty zones,
//! fixes applied on the simulated clock with a 4-to-24-hour propagation delay, and the
//! diagnostic run against the sandbox's own DNS server.

use std::collections::BTreeSet;

use mailshift_dns::{check_domain, DomainReport, Fix, Lookup, PendingChange};
use mailshift_panel::{DomainKind, PlatformId};

use super::{Sandbox, SandboxError};

impl Sandbox {
    /// Every zone the sandbox serves: the panel's domains and any saved zone.
    pub(super) fn zone_domains(&self) -> BTreeSet<String> {
        self.panel
            .platforms
            .iter()
            .flat_map(|p| p.domains.iter().map(|d| d.name.to_ascii_lowercase()))
            .chain(self.saved.zones.keys().cloned())
            .collect()
    }

    /// Serve an empty zone for each panel domain that has none yet (a domain just added
    /// has no mail records: the diagnostic shows what to add).
    pub(super) fn serve_missing_zones(&mut self) -> Result<(), SandboxError> {
        let mut added = false;
        for d in self.zone_domains() {
            if !self.saved.zones.contains_key(&d) {
                self.zones.set_records(&d, Vec::new())?;
                self.saved.zones.insert(d, Vec::new());
                added = true;
            }
        }
        if added {
            self.save_state()?;
        }
        Ok(())
    }

    /// Associate a domain with a platform (panel rules apply) and serve a zone for it.
    pub fn add_domain(
        &mut self,
        platform: PlatformId,
        name: &str,
        kind: DomainKind,
    ) -> Result<(), SandboxError> {
        let mut next = self.panel.clone();
        next.add_domain(platform, name, kind)?;
        self.commit_panel(next)?;
        self.schedule_domain_setup(platform, name);
        self.serve_missing_zones()?;
        self.save_state()
    }

    /// Apply a fix from the diagnostic to `domain`'s zone. Resolvers see it only once the
    /// simulated clock has run through a propagation delay of 4 to 24 hours; returns the
    /// pending changes it made, with their countdowns.
    pub fn apply_dns_fix(
        &mut self,
        domain: &str,
        fix: &Fix,
    ) -> Result<Vec<PendingChange>, SandboxError> {
        let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        let visible_at = self.clock.now().after(self.delays.next_delay());
        let mut ids = Vec::new();
        for change in fix.changes() {
            ids.push(self.zones.apply_change(&domain, change, visible_at)?);
        }
        if !self.saved.zones.contains_key(&domain) {
            self.saved.zones.insert(domain.clone(), Vec::new());
        }
        self.save_state()?;
        Ok(self
            .zones
            .pending()
            .into_iter()
            .filter(|p| ids.contains(&p.id))
            .collect())
    }

    /// Zone changes still propagating, soonest first.
    pub fn pending_dns(&self) -> Vec<PendingChange> {
        self.zones.pending()
    }

    /// The DNS diagnostic of `domain` for platform `platform`, asked of the sandbox's DNS
    /// server, against the records the platform publishes.
    pub async fn check_domain(
        &self,
        platform: PlatformId,
        domain: &str,
    ) -> Result<DomainReport, SandboxError> {
        let p = self.panel.platform(platform)?;
        let host = &p.kind.facts().endpoints.host;
        let lookup = Lookup::nameserver(self.dns_addr());
        Ok(check_domain(&lookup, p.kind, domain, host).await)
    }
}
