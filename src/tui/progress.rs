//! The saved progress of the guided migrations left half-way: `wizards.json` beside
//! the tasks (the migrator's state dir), versioned, written atomically (0600). A
//! backend without a migrator (the demo) keeps it in memory only.

use std::path::{Path, PathBuf};

use mailshift_panel::PlatformId;
use mailshift_store::{load_versioned, save_versioned};

use super::wizard::WizardProgress;

/// The format of `wizards.json` this build reads and writes.
pub const WIZARDS_FORMAT: u32 = 1;
/// The file's name in the state dir.
pub const WIZARDS_FILE: &str = "wizards.json";

/// The migrations in progress, and where they are saved.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ProgressStore {
    path: Option<PathBuf>,
    /// Every wizard that changed something and has not ended, oldest first.
    pub items: Vec<WizardProgress>,
}

impl ProgressStore {
    /// The store in `dir`, with what it holds. A corrupt or newer file is reported
    /// and left untouched (nothing is saved over it).
    pub fn open(dir: &Path) -> (ProgressStore, Option<String>) {
        let path = dir.join(WIZARDS_FILE);
        match load_versioned::<Vec<WizardProgress>>(&path, WIZARDS_FORMAT) {
            Ok(items) => (
                ProgressStore {
                    path: Some(path),
                    items: items.unwrap_or_default(),
                },
                None,
            ),
            Err(e) => (
                ProgressStore {
                    path: None,
                    items: Vec::new(),
                },
                Some(format!(
                    "the wizards' progress could not be read, it is kept in memory only this time: {e}"
                )),
            ),
        }
    }

    /// The wizard about `address` on `platform`, if one is in progress.
    pub fn find(&self, platform: PlatformId, address: &str) -> Option<&WizardProgress> {
        self.items.iter().find(|p| p.concerns(platform, address))
    }

    /// Record `progress` (replacing the saved state of the same account), in memory;
    /// `save` writes it.
    pub fn set(&mut self, progress: WizardProgress) {
        match self.items.iter_mut().find(|p| {
            p.source == progress.source && p.address.eq_ignore_ascii_case(&progress.address)
        }) {
            Some(p) => *p = progress,
            None => self.items.push(progress),
        }
    }

    /// Forget the wizard of `address` on `source`, in memory; `save` writes it.
    pub fn forget(&mut self, source: PlatformId, address: &str) {
        self.items
            .retain(|p| !(p.source == source && p.address.eq_ignore_ascii_case(address)));
    }

    /// Record `progress` (replacing the saved state of the same account) and save.
    pub fn upsert(&mut self, progress: WizardProgress) -> Result<(), String> {
        match self.items.iter_mut().find(|p| {
            p.source == progress.source && p.address.eq_ignore_ascii_case(&progress.address)
        }) {
            Some(p) => *p = progress,
            None => self.items.push(progress),
        }
        self.save()
    }

    /// Forget the wizard of `address` on `source` (it ended or was undone) and save.
    pub fn remove(&mut self, source: PlatformId, address: &str) -> Result<(), String> {
        self.items
            .retain(|p| !(p.source == source && p.address.eq_ignore_ascii_case(address)));
        self.save()
    }

    /// Write what the store holds (no-op for a store kept in memory only).
    pub fn save(&self) -> Result<(), String> {
        match &self.path {
            Some(path) => save_versioned(path, WIZARDS_FORMAT, &self.items)
                .map_err(|e| format!("the wizard's progress could not be saved: {e}")),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::wizard::WizardStep;

    fn progress() -> WizardProgress {
        WizardProgress {
            source: PlatformId(1),
            address: "paul.martin@example.com".into(),
            display_name: "Paul Martin".into(),
            destination: PlatformId(2),
            provisional: "paul.martin01".into(),
            renamed_to: Some("paul.martin01@example.com".into()),
            dest_display: "Paul Martin".into(),
            created: None,
            task_id: None,
            reached: WizardStep::Create,
            outcome: None,
            notify: String::new(),
        }
    }

    #[test]
    fn survives_a_reopen_and_finds_the_account_under_either_name() {
        let d = tempfile::tempdir().unwrap();
        let (mut s, err) = ProgressStore::open(d.path());
        assert!(err.is_none() && s.items.is_empty());
        s.upsert(progress()).unwrap();
        let (back, _) = ProgressStore::open(d.path());
        assert_eq!(back.items, vec![progress()]);
        assert!(back
            .find(PlatformId(1), "PAUL.MARTIN01@example.com")
            .is_some());
        assert!(back
            .find(PlatformId(1), "paul.martin@example.com")
            .is_some());
        assert!(back
            .find(PlatformId(2), "paul.martin01@example.com")
            .is_none());
        let mut back = back;
        back.remove(PlatformId(1), "paul.martin@example.com")
            .unwrap();
        assert!(ProgressStore::open(d.path()).0.items.is_empty());
    }

    #[test]
    fn a_corrupt_file_is_reported_and_never_overwritten() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join(WIZARDS_FILE), b"{\"format\":1,\"da").unwrap();
        let (mut s, err) = ProgressStore::open(d.path());
        assert!(err.is_some_and(|e| e.contains("memory only")));
        s.upsert(progress()).unwrap();
        assert_eq!(
            std::fs::read(d.path().join(WIZARDS_FILE)).unwrap(),
            b"{\"format\":1,\"da"
        );
    }
}
