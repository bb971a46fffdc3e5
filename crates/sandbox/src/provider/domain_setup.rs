//! The provider setting up a domain associated with a platform: the domain's status
//! turns OK once a set-up delay has passed on the sandbox clock (the clock that also
//! drives DNS propagation), whatever its DNS says. Countdowns survive restarts
//! (saved as the simulated time still needed, like DNS changes).

use std::time::Duration;

use mailshift_dns::SimTime;
use mailshift_panel::{DomainStatus, PlatformId};
use serde::{Deserialize, Serialize};

use super::{Sandbox, SandboxError};

/// A set-up in progress, as saved in `sandbox.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSetup {
    /// The platform's service name.
    pub service: String,
    pub domain: String,
    pub remaining_ms: u64,
}

/// A set-up in progress while the sandbox runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DomainSetup {
    pub service: String,
    pub domain: String,
    pub ready_at: SimTime,
}

impl Sandbox {
    /// Take the saved countdowns back and give every domain still pending without
    /// one a full set-up delay (domains added by earlier versions, the demo's).
    pub(super) fn resume_domain_setups(&mut self, saved: &[SavedSetup]) {
        let now = self.clock.now();
        self.setups = saved
            .iter()
            .map(|s| DomainSetup {
                service: s.service.clone(),
                domain: s.domain.clone(),
                ready_at: now.after(Duration::from_millis(s.remaining_ms)),
            })
            .collect();
        let mut missing = Vec::new();
        for p in &self.panel.platforms {
            for d in &p.domains {
                let known = self
                    .setups
                    .iter()
                    .any(|s| s.service == p.service_name && s.domain == d.name);
                if d.status.is_pending() && !known {
                    missing.push((p.service_name.clone(), d.name.clone()));
                }
            }
        }
        for (service, domain) in missing {
            self.setups.push(DomainSetup {
                service,
                domain,
                ready_at: now.after(self.domain_setup),
            });
        }
    }

    /// Start the set-up countdown of `domain`, just associated with `platform`.
    pub(super) fn schedule_domain_setup(&mut self, platform: PlatformId, domain: &str) {
        let Ok(p) = self.panel.platform(platform) else {
            return;
        };
        let service = p.service_name.clone();
        let domain = domain.trim().to_ascii_lowercase();
        self.setups
            .retain(|s| !(s.service == service && s.domain == domain));
        self.setups.push(DomainSetup {
            service,
            domain,
            ready_at: self.clock.now().after(self.domain_setup),
        });
    }

    /// The countdowns to save.
    pub(super) fn saved_setups(&self) -> Vec<SavedSetup> {
        let now = self.clock.now();
        self.setups
            .iter()
            .map(|s| SavedSetup {
                service: s.service.clone(),
                domain: s.domain.clone(),
                remaining_ms: u64::try_from(s.ready_at.remaining_from(now).as_millis())
                    .unwrap_or(u64::MAX),
            })
            .collect()
    }

    /// How much simulated time the set-up of `domain` on `platform` still needs
    /// (`None` when none is running).
    pub fn domain_setup_remaining(&self, platform: PlatformId, domain: &str) -> Option<Duration> {
        let p = self.panel.platform(platform).ok()?;
        let now = self.clock.now();
        self.setups
            .iter()
            .find(|s| s.service == p.service_name && s.domain.eq_ignore_ascii_case(domain))
            .map(|s| s.ready_at.remaining_from(now))
    }

    /// Mark OK every domain whose set-up time has come (saved at once). Returns
    /// whether any status changed, so a screen knows to redraw.
    pub fn promote_domains(&mut self) -> Result<bool, SandboxError> {
        let now = self.clock.now();
        let (ready, waiting): (Vec<DomainSetup>, Vec<DomainSetup>) =
            std::mem::take(&mut self.setups)
                .into_iter()
                .partition(|s| s.ready_at <= now);
        self.setups = waiting;
        if ready.is_empty() {
            return Ok(false);
        }
        let mut next = self.panel.clone();
        for s in &ready {
            let Some(p) = next
                .platforms
                .iter_mut()
                .find(|p| p.service_name == s.service)
            else {
                continue; // the platform is gone; nothing to set up.
            };
            // A domain removed since simply has nothing left to set up.
            let _ = p.set_domain_status(&s.domain, DomainStatus::Ok);
        }
        let changed = next != self.panel;
        if changed {
            if let Err(e) = self.commit_panel(next) {
                // Keep the countdowns so a later call tries again.
                self.setups.extend(ready);
                return Err(e);
            }
        }
        self.save_state()?;
        Ok(changed)
    }
}
