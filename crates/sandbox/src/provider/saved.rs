//! `sandbox.json`: what the sandbox keeps besides the panel and the mail: the DNS zones
//! as resolvers see them, the changes still propagating, and simulated mailbox sizes.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use mailshift_dns::{RecordChange, ZoneRecord, ZoneServer};
use mailshift_store::{load_versioned, save_versioned, StateError};
use serde::{Deserialize, Serialize};

use super::SandboxError;

/// The format of `sandbox.json` this build reads and writes.
pub const SANDBOX_FORMAT: u32 = 1;

/// A zone change not yet visible, with the simulated time it still needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedChange {
    pub domain: String,
    pub change: RecordChange,
    pub remaining_ms: u64,
}

/// The contents of `sandbox.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedState {
    /// Zone apex -> records visible now.
    pub zones: BTreeMap<String, Vec<ZoneRecord>>,
    pub pending: Vec<SavedChange>,
    /// `service/login` -> the size the panel shows instead of the real mail's size.
    pub simulated_bytes: BTreeMap<String, u64>,
    /// Domains the platforms are still setting up, with the simulated time left.
    #[serde(default)]
    pub domain_setups: Vec<super::domain_setup::SavedSetup>,
}

/// The key of a simulated size.
pub fn size_key(service: &str, login: &str) -> String {
    format!("{service}/{login}")
}

impl SavedState {
    pub fn load(path: &Path) -> Result<Option<SavedState>, StateError> {
        load_versioned(path, SANDBOX_FORMAT)
    }

    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        save_versioned(path, SANDBOX_FORMAT, self)
    }

    /// Load every zone and pending change into a running server (pending changes keep
    /// the simulated time they still needed when saved).
    pub fn serve(&self, server: &ZoneServer) -> Result<(), SandboxError> {
        for (domain, records) in &self.zones {
            server.set_records(domain, records.clone())?;
        }
        let now = server.clock().now();
        for p in &self.pending {
            let at = now.after(Duration::from_millis(p.remaining_ms));
            server.apply_change(&p.domain, p.change.clone(), at)?;
        }
        Ok(())
    }

    /// Capture the zones of `domains` from a running server.
    pub fn capture_zones<'a>(
        &mut self,
        server: &ZoneServer,
        domains: impl IntoIterator<Item = &'a String>,
    ) {
        self.zones = domains
            .into_iter()
            .map(|d| (d.clone(), server.records(d)))
            .collect();
        self.pending = server
            .pending()
            .into_iter()
            .map(|p| SavedChange {
                domain: p.domain,
                change: p.change,
                remaining_ms: u64::try_from(p.remaining.as_millis()).unwrap_or(u64::MAX),
            })
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailshift_dns::RecordKind;

    #[test]
    fn round_trips_privately() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("sandbox.json");
        assert_eq!(SavedState::load(&path).unwrap(), None);
        let mut s = SavedState::default();
        s.zones.insert(
            "example.com".into(),
            vec![ZoneRecord::new("example.com", RecordKind::A, "192.0.2.1")],
        );
        s.pending.push(SavedChange {
            domain: "example.com".into(),
            change: RecordChange::Add(ZoneRecord::new(
                "example.com",
                RecordKind::Mx,
                "1 mx1.mail.ovh.net",
            )),
            remaining_ms: 5000,
        });
        s.simulated_bytes
            .insert(size_key("exchange-1", "t@example.org"), 7);
        s.save(&path).unwrap();
        assert_eq!(SavedState::load(&path).unwrap(), Some(s));
    }
}
