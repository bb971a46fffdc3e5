//! The demo backend: the panel's demo seed in memory and a simulated DNS zone per demo
//! domain (example.com and example.org correct, example.net still pointing its MX to
//! the old provider). Fixes propagate on a simulated clock. Nothing leaves the process.

use std::collections::{BTreeMap, HashMap};

use futures::future::BoxFuture;
use mailshift_dns::diagnose::diagnose;
use mailshift_dns::{
    expected_records, DomainReport, Fix, Observed, PendingChange, PropagationDelay, RecordChange,
    RecordKind, SimClock, SimTime, Summary, ZoneRecord,
};
use mailshift_panel::{DomainKind, NewAccount, PanelState, Platform, PlatformId};

use super::Backend;

/// The MX the demo's red domain still points to.
pub const OLD_PROVIDER_MX: &str = "10 mx.oldmail.example";

/// How much faster than real time the demo's clock runs by default (a 4 h propagation
/// delay lasts 24 s).
const DEMO_CLOCK_FACTOR: f64 = 600.0;

struct Queued {
    id: u64,
    domain: String,
    change: RecordChange,
    visible_at: SimTime,
}

/// An in-memory backend over [`mailshift_panel::demo`] with simulated DNS.
pub struct DemoBackend {
    panel: PanelState,
    clock: SimClock,
    delays: PropagationDelay,
    zones: BTreeMap<String, Vec<ZoneRecord>>,
    queued: Vec<Queued>,
    next_id: u64,
}

impl Default for DemoBackend {
    fn default() -> Self {
        Self::new()
    }
}

impl DemoBackend {
    /// The demo with a clock running 600 times faster than real time.
    pub fn new() -> Self {
        Self::with_clock(SimClock::scaled(DEMO_CLOCK_FACTOR))
    }

    /// The demo on `clock` (tests pass [`SimClock::manual`] and advance it).
    pub fn with_clock(clock: SimClock) -> Self {
        let panel = mailshift_panel::demo();
        let mut zones = BTreeMap::new();
        for p in &panel.platforms {
            for d in &p.domains {
                if d.kind != DomainKind::Authoritative {
                    continue;
                }
                let mut records: Vec<ZoneRecord> =
                    expected_records(p.kind, &d.name, &p.endpoints.host)
                        .into_iter()
                        .map(|e| e.record)
                        .collect();
                if d.name == "example.net" {
                    records.retain(|r| r.kind != RecordKind::Mx);
                    records.push(ZoneRecord::new(&d.name, RecordKind::Mx, OLD_PROVIDER_MX));
                }
                zones.insert(d.name.clone(), records);
            }
        }
        DemoBackend {
            panel,
            clock,
            delays: PropagationDelay::new(42),
            zones,
            queued: Vec::new(),
            next_id: 1,
        }
    }

    /// The simulated clock (advance it to make pending changes visible).
    pub fn clock(&self) -> &SimClock {
        &self.clock
    }

    /// The records of `domain` as resolvers see them now.
    pub fn visible_records(&self, domain: &str) -> Vec<ZoneRecord> {
        let now = self.clock.now();
        let mut records = self.zones.get(domain).cloned().unwrap_or_default();
        let mut due: Vec<&Queued> = self
            .queued
            .iter()
            .filter(|q| q.domain == domain && q.visible_at <= now)
            .collect();
        due.sort_by_key(|q| (q.visible_at, q.id));
        for q in due {
            match &q.change {
                RecordChange::Add(r) => {
                    if !records.iter().any(|x| same_record(x, r)) {
                        records.push(r.clone());
                    }
                }
                RecordChange::Remove(r) => records.retain(|x| !same_record(x, r)),
            }
        }
        records
    }

    fn observe(&self, domain: &str, name: &str, kind: RecordKind) -> Observed {
        let records = self.visible_records(domain);
        let values: Vec<String> = records
            .iter()
            .filter(|r| r.name == name && r.kind == kind)
            .map(|r| r.value.clone())
            .collect();
        if !values.is_empty() {
            Observed::Records(values)
        } else if records.iter().any(|r| r.name == name) || name == domain {
            Observed::NoRecords
        } else {
            Observed::NxDomain
        }
    }

    fn report(&self, platform: &Platform, domain: &str) -> DomainReport {
        let kind = platform.kind;
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        let expected = expected_records(kind, &domain, &platform.endpoints.host);
        let observed: HashMap<(String, RecordKind), Observed> = expected
            .iter()
            .map(|e| {
                let key = (e.record.name.clone(), e.record.kind);
                let obs = self.observe(&domain, &key.0, key.1);
                (key, obs)
            })
            .collect();
        diagnose(kind, &domain, "demo zones", &expected, &observed)
    }
}

fn same_record(a: &ZoneRecord, b: &ZoneRecord) -> bool {
    a.name == b.name && a.kind == b.kind && a.value.eq_ignore_ascii_case(&b.value)
}

impl Backend for DemoBackend {
    fn panel(&self) -> &PanelState {
        &self.panel
    }

    fn create_account(&mut self, platform: PlatformId, new: NewAccount) -> Result<String, String> {
        let p = self
            .panel
            .platform_mut(platform)
            .map_err(|e| e.to_string())?;
        p.create_account(new)
            .map(|a| a.address())
            .map_err(|e| e.to_string())
    }

    fn rename_account(
        &mut self,
        platform: PlatformId,
        address: &str,
        new_local: &str,
    ) -> Result<String, String> {
        let p = self
            .panel
            .platform_mut(platform)
            .map_err(|e| e.to_string())?;
        p.rename_account(address, new_local)
            .map(|r| r.new)
            .map_err(|e| e.to_string())
    }

    fn reset_account(&mut self, platform: PlatformId, address: &str) -> Result<(), String> {
        let p = self
            .panel
            .platform_mut(platform)
            .map_err(|e| e.to_string())?;
        p.reset_account(address)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn add_domain(
        &mut self,
        platform: PlatformId,
        name: &str,
        kind: DomainKind,
    ) -> Result<(), String> {
        self.panel
            .add_domain(platform, name, kind)
            .map_err(|e| e.to_string())
    }

    fn dns_check(&self, platform: PlatformId, domain: &str) -> BoxFuture<'static, DomainReport> {
        let report = match self.panel.platform(platform) {
            Ok(p) => self.report(p, domain),
            Err(e) => DomainReport {
                domain: domain.to_string(),
                platform: mailshift_dns::PlatformKind::Exchange,
                source: "demo zones".into(),
                checks: Vec::new(),
                summary: Summary::default(),
                ok: false,
                red_flag: Some(e.to_string()),
            },
        };
        Box::pin(futures::future::ready(report))
    }

    fn apply_fix(&mut self, domain: &str, fix: &Fix) -> Result<Vec<PendingChange>, String> {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        if !self.zones.contains_key(&domain) {
            return Err(format!(
                "the demo does not host the DNS zone of {domain}: change the record at the domain's DNS host"
            ));
        }
        let now = self.clock.now();
        let visible_at = now.after(self.delays.next_delay());
        let mut out = Vec::new();
        for change in fix.changes() {
            let id = self.next_id;
            self.next_id += 1;
            self.queued.push(Queued {
                id,
                domain: domain.clone(),
                change: change.clone(),
                visible_at,
            });
            out.push(PendingChange {
                id,
                domain: domain.clone(),
                change,
                visible_at,
                remaining: visible_at.remaining_from(now),
            });
        }
        tracing::info!(%domain, changes = out.len(), "demo DNS fix queued");
        Ok(out)
    }

    fn pending_changes(&self) -> Vec<PendingChange> {
        let now = self.clock.now();
        let mut out: Vec<PendingChange> = self
            .queued
            .iter()
            .filter(|q| q.visible_at > now)
            .map(|q| PendingChange {
                id: q.id,
                domain: q.domain.clone(),
                change: q.change.clone(),
                visible_at: q.visible_at,
                remaining: q.visible_at.remaining_from(now),
            })
            .collect();
        out.sort_by_key(|c| (c.visible_at, c.id));
        out
    }

    fn sandbox_note(&self) -> Option<String> {
        Some("demo: in-memory panel, simulated DNS".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;
    use std::time::Duration;

    fn id(b: &DemoBackend, service: &str) -> PlatformId {
        b.panel().platform_by_service(service).unwrap().id
    }

    #[test]
    fn demo_zones_are_green_except_example_net() {
        let b = DemoBackend::with_clock(SimClock::manual());
        let mx = id(&b, "mxplan-7f3e21");
        let pro = id(&b, "emailpro-c4d5e6");
        let green = block_on(b.dns_check(mx, "example.com"));
        assert!(green.ok, "{green:#?}");
        let red = block_on(b.dns_check(pro, "example.net"));
        assert!(!red.ok);
        assert!(red
            .red_flag
            .as_deref()
            .unwrap()
            .contains("mx.oldmail.example"));
    }

    #[test]
    fn a_fix_turns_green_once_propagated() {
        let mut b = DemoBackend::with_clock(SimClock::manual());
        let pro = id(&b, "emailpro-c4d5e6");
        let red = block_on(b.dns_check(pro, "example.net"));
        let fixes: Vec<Fix> = red.fixes().cloned().collect();
        assert!(!fixes.is_empty());
        for f in &fixes {
            let pending = b.apply_fix("example.net", f).unwrap();
            assert!(pending[0].remaining >= PropagationDelay::MIN);
        }
        assert!(!b.pending_changes().is_empty());
        assert!(
            !block_on(b.dns_check(pro, "example.net")).ok,
            "not yet visible"
        );
        b.clock()
            .advance(PropagationDelay::MAX * 4 + Duration::from_secs(1));
        assert!(b.pending_changes().is_empty());
        let after = block_on(b.dns_check(pro, "example.net"));
        assert!(after.ok, "{after:#?}");
    }

    #[test]
    fn a_fix_for_an_unhosted_zone_is_refused_with_the_reason() {
        let mut b = DemoBackend::with_clock(SimClock::manual());
        let pro = id(&b, "emailpro-c4d5e6");
        let fix = block_on(b.dns_check(pro, "example.net"))
            .fixes()
            .next()
            .cloned()
            .unwrap();
        let e = b.apply_fix("elsewhere.test", &fix).unwrap_err();
        assert!(e.contains("DNS host"), "{e}");
    }
}
