//! The simulated zones' contents: records visible now, changes waiting for their propagation
//! time, and the authoritative answer to a question. Pure data, no sockets.

use super::{PendingChange, RecordChange};
use crate::clock::SimTime;
use crate::record::{normalize_name, RecordKind, ZoneRecord};
use std::collections::BTreeMap;

#[derive(Debug, Default)]
struct Zone {
    records: Vec<ZoneRecord>,
    failing: bool,
}

#[derive(Debug, Clone)]
struct Pending {
    id: u64,
    domain: String,
    change: RecordChange,
    visible_at: SimTime,
}

/// What the server says to one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    /// Records of the asked type (possibly a CNAME and what it leads to in our zones).
    Records {
        zone: String,
        records: Vec<ZoneRecord>,
    },
    /// The name exists, not with this type.
    NoData { zone: String },
    /// The name does not exist in the zone.
    NxDomain { zone: String },
    /// The zone is set to fail (to simulate a broken DNS host).
    ServFail,
    /// Not one of our zones.
    Refused,
}

/// All simulated zones, keyed by apex.
#[derive(Debug, Default)]
pub(crate) struct ZoneSet {
    zones: BTreeMap<String, Zone>,
    pending: Vec<Pending>,
    next_id: u64,
}

fn in_zone(name: &str, apex: &str) -> bool {
    name == apex || name.ends_with(&format!(".{apex}"))
}

fn same_record(a: &ZoneRecord, b: &ZoneRecord) -> bool {
    a.name == b.name && a.kind == b.kind && a.value.eq_ignore_ascii_case(&b.value)
}

impl ZoneSet {
    /// Replace a zone's records at once (no propagation delay). Creates the zone.
    pub fn set_records(&mut self, domain: &str, records: Vec<ZoneRecord>) {
        let zone = self.zones.entry(normalize_name(domain)).or_default();
        zone.records = records;
    }

    pub fn remove_zone(&mut self, domain: &str) {
        let domain = normalize_name(domain);
        self.zones.remove(&domain);
        self.pending.retain(|p| p.domain != domain);
    }

    pub fn set_failing(&mut self, domain: &str, failing: bool) {
        self.zones
            .entry(normalize_name(domain))
            .or_default()
            .failing = failing;
    }

    /// Queue a change that becomes visible at `visible_at`; returns its id.
    pub fn apply_change(&mut self, domain: &str, change: RecordChange, visible_at: SimTime) -> u64 {
        self.next_id += 1;
        let domain = normalize_name(domain);
        self.zones.entry(domain.clone()).or_default();
        self.pending.push(Pending {
            id: self.next_id,
            domain,
            change,
            visible_at,
        });
        self.next_id
    }

    /// Apply every change whose time has come, oldest first.
    pub fn promote(&mut self, now: SimTime) {
        let mut due: Vec<Pending> = Vec::new();
        self.pending.retain(|p| {
            if p.visible_at <= now {
                due.push(p.clone());
                false
            } else {
                true
            }
        });
        due.sort_by_key(|p| (p.visible_at, p.id));
        for p in due {
            let zone = self.zones.entry(p.domain).or_default();
            match p.change {
                RecordChange::Add(r) => {
                    if !zone.records.iter().any(|x| same_record(x, &r)) {
                        zone.records.push(r);
                    }
                }
                RecordChange::Remove(r) => zone.records.retain(|x| !same_record(x, &r)),
            }
        }
    }

    /// Changes not yet visible, soonest first, with the simulated time left.
    pub fn pending(&self, now: SimTime) -> Vec<PendingChange> {
        let mut out: Vec<PendingChange> = self
            .pending
            .iter()
            .filter(|p| p.visible_at > now)
            .map(|p| PendingChange {
                id: p.id,
                domain: p.domain.clone(),
                change: p.change.clone(),
                visible_at: p.visible_at,
                remaining: p.visible_at.remaining_from(now),
            })
            .collect();
        out.sort_by_key(|p| (p.visible_at, p.id));
        out
    }

    /// The records of a zone as visible now (after `promote`).
    pub fn records(&self, domain: &str) -> Vec<ZoneRecord> {
        self.zones
            .get(&normalize_name(domain))
            .map(|z| z.records.clone())
            .unwrap_or_default()
    }

    /// The zone (longest apex) that holds `name`.
    pub fn zone_of(&self, name: &str) -> Option<&str> {
        self.zones
            .keys()
            .filter(|apex| in_zone(name, apex))
            .max_by_key(|apex| apex.len())
            .map(String::as_str)
    }

    /// Answer a question; `kind` is `None` for types we do not serve (AAAA, NS...).
    pub fn answer(&self, qname: &str, kind: Option<RecordKind>) -> Answer {
        let name = normalize_name(qname);
        let Some(apex) = self.zone_of(&name) else {
            return Answer::Refused;
        };
        let zone = &self.zones[apex];
        let zone_name = apex.to_string();
        if zone.failing {
            return Answer::ServFail;
        }
        let exists = name == apex
            || zone
                .records
                .iter()
                .any(|r| r.name == name || r.name.ends_with(&format!(".{name}")));
        if !exists {
            return Answer::NxDomain { zone: zone_name };
        }
        let Some(kind) = kind else {
            return Answer::NoData { zone: zone_name };
        };
        let at_name = |k: RecordKind| -> Vec<ZoneRecord> {
            zone.records
                .iter()
                .filter(|r| r.name == name && r.kind == k)
                .cloned()
                .collect()
        };
        let mut records = at_name(kind);
        if records.is_empty() && kind != RecordKind::Cname {
            let cname = at_name(RecordKind::Cname);
            if let Some(c) = cname.first() {
                records.push(c.clone());
                if let Answer::Records { records: more, .. } = self.answer(&c.value, Some(kind)) {
                    if !more.iter().any(|r| r.kind == RecordKind::Cname) {
                        records.extend(more);
                    }
                }
            }
        }
        if records.is_empty() {
            Answer::NoData { zone: zone_name }
        } else {
            Answer::Records {
                zone: zone_name,
                records,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mx(v: &str) -> ZoneRecord {
        ZoneRecord::new("example.com", RecordKind::Mx, v)
    }

    #[test]
    fn answers_records_nodata_nxdomain_and_refused() {
        let mut z = ZoneSet::default();
        z.set_records(
            "example.com",
            vec![
                mx("1 mx1.mail.ovh.net"),
                ZoneRecord::new(
                    "_autodiscover._tcp.example.com",
                    RecordKind::Srv,
                    "0 0 443 ex.example.net",
                ),
            ],
        );
        assert!(
            matches!(z.answer("EXAMPLE.com.", Some(RecordKind::Mx)), Answer::Records { records, .. } if records.len() == 1)
        );
        assert!(matches!(
            z.answer("example.com", Some(RecordKind::Txt)),
            Answer::NoData { .. }
        ));
        assert!(matches!(
            z.answer("_tcp.example.com", Some(RecordKind::Srv)),
            Answer::NoData { .. }
        ));
        assert!(matches!(
            z.answer("nope.example.com", Some(RecordKind::Txt)),
            Answer::NxDomain { .. }
        ));
        assert_eq!(
            z.answer("example.org", Some(RecordKind::Mx)),
            Answer::Refused
        );
        z.set_failing("example.com", true);
        assert_eq!(
            z.answer("example.com", Some(RecordKind::Mx)),
            Answer::ServFail
        );
    }

    #[test]
    fn changes_wait_for_their_time_then_apply_in_order() {
        let mut z = ZoneSet::default();
        z.set_records("example.com", vec![mx("10 old.example.net")]);
        z.apply_change(
            "example.com",
            RecordChange::Add(mx("1 mx1.mail.ovh.net")),
            SimTime(1000),
        );
        z.apply_change(
            "example.com",
            RecordChange::Remove(mx("10 OLD.example.net")),
            SimTime(2000),
        );
        z.promote(SimTime(999));
        assert_eq!(z.records("example.com"), vec![mx("10 old.example.net")]);
        let pending = z.pending(SimTime(500));
        assert_eq!(pending.len(), 2);
        assert_eq!(pending[0].remaining, std::time::Duration::from_millis(500));
        z.promote(SimTime(2000));
        assert_eq!(z.records("example.com"), vec![mx("1 mx1.mail.ovh.net")]);
        assert!(z.pending(SimTime(2000)).is_empty());
    }
}
