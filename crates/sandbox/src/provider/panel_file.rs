//! The panel state file (`panel.json` in the sandbox folder): versioned, written
//! atomically (0600), and never overwritten when it is corrupt or was written by a
//! newer mailshift. It lives here, beside the sandbox that keeps the panel, so that
//! the panel model itself does no I/O.

use std::path::{Path, PathBuf};

use mailshift_store::{data_dir, load_versioned, save_versioned, HomeError, StateError};

use mailshift_panel::PanelState;

/// The format of `panel.json` this build reads and writes.
pub const PANEL_FORMAT: u32 = 1;
/// The state file's name inside the data dir.
pub const PANEL_FILE: &str = "panel.json";

/// Where the panel state lives, and its load/save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelStore {
    path: PathBuf,
}

impl PanelStore {
    /// The store in `dir` (the file is `dir/panel.json`; nothing is touched yet).
    pub fn open(dir: &Path) -> Self {
        PanelStore {
            path: dir.join(PANEL_FILE),
        }
    }

    /// The store in mailshift's data dir (`MAILSHIFT_HOME` or the platform's).
    pub fn open_default() -> Result<Self, HomeError> {
        Ok(Self::open(&data_dir()?))
    }

    /// The state file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved state; `Ok(None)` when there is none yet (seed the demo).
    /// A corrupt or newer file is an error and stays untouched.
    pub fn load(&self) -> Result<Option<PanelState>, StateError> {
        load_versioned(&self.path, PANEL_FORMAT)
    }

    /// The saved state, or the demo seed when there is none yet (not saved).
    pub fn load_or_demo(&self) -> Result<PanelState, StateError> {
        Ok(self.load()?.unwrap_or_else(mailshift_panel::demo))
    }

    /// Save `state` atomically. Refuses (and leaves the file as it is) when
    /// the file on disk is corrupt or newer: a person must move it aside.
    pub fn save(&self, state: &PanelState) -> Result<(), StateError> {
        load_versioned::<PanelState>(&self.path, PANEL_FORMAT)?;
        save_versioned(&self.path, PANEL_FORMAT, state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailshift_panel::{AccountChanges, DomainKind, PlatformId, DEMO_PASSWORD};
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn missing_file_loads_as_none() {
        let d = tempfile::tempdir().unwrap();
        let store = PanelStore::open(d.path());
        assert_eq!(store.load().unwrap(), None);
        assert_eq!(store.load_or_demo().unwrap(), mailshift_panel::demo());
        assert!(!store.path().exists(), "loading writes nothing");
    }

    #[test]
    fn round_trips_a_changed_state_privately_without_clear_passwords() {
        let d = tempfile::tempdir().unwrap();
        let store = PanelStore::open(d.path());
        let mut s = mailshift_panel::demo();
        s.add_domain(PlatformId(2), "example.info", DomainKind::Authoritative)
            .unwrap();
        s.platform_mut(PlatformId(2))
            .unwrap()
            .modify_account(
                "admin@example.org",
                AccountChanges {
                    password: Some("Secret-Phrase9".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        store.save(&s).unwrap();
        let back = store.load().unwrap().unwrap();
        assert_eq!(back, s);
        let admin = back.find_accounts("admin@example.org")[0].1;
        assert!(admin.verify_password("Secret-Phrase9"));
        let text = std::fs::read_to_string(store.path()).unwrap();
        assert!(!text.contains("Secret-Phrase9"));
        assert!(!text.contains(DEMO_PASSWORD));
        let mode = std::fs::metadata(store.path())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn corrupt_file_is_a_clear_error_and_is_never_overwritten() {
        let d = tempfile::tempdir().unwrap();
        let store = PanelStore::open(d.path());
        std::fs::write(store.path(), b"{\"format\":1,\"data\":{\"platf").unwrap();
        let e = store.load().unwrap_err();
        assert!(matches!(e, StateError::Corrupt { .. }), "{e}");
        assert!(e.to_string().contains("move it aside"), "{e}");
        let e = store.save(&mailshift_panel::demo()).unwrap_err();
        assert!(matches!(e, StateError::Corrupt { .. }), "{e}");
        assert_eq!(
            std::fs::read(store.path()).unwrap(),
            b"{\"format\":1,\"data\":{\"platf",
            "left untouched"
        );
    }

    #[test]
    fn newer_file_is_a_clear_error_and_is_never_overwritten() {
        let d = tempfile::tempdir().unwrap();
        let store = PanelStore::open(d.path());
        let newer = b"{\"format\":99,\"data\":{\"platforms\":[],\"future\":true}}";
        std::fs::write(store.path(), newer).unwrap();
        let e = store.load().unwrap_err();
        assert!(e.to_string().contains("newer mailshift"), "{e}");
        assert!(store.save(&mailshift_panel::demo()).is_err());
        assert_eq!(
            std::fs::read(store.path()).unwrap(),
            newer,
            "left untouched"
        );
    }

    #[test]
    fn valid_json_of_the_wrong_shape_is_corrupt_and_kept() {
        let d = tempfile::tempdir().unwrap();
        let store = PanelStore::open(d.path());
        let odd = b"{\"format\":1,\"data\":{\"platforms\":[{\"id\":1}]}}";
        std::fs::write(store.path(), odd).unwrap();
        assert!(matches!(
            store.load().unwrap_err(),
            StateError::Corrupt { .. }
        ));
        assert!(matches!(
            store.save(&mailshift_panel::demo()).unwrap_err(),
            StateError::Corrupt { .. }
        ));
        assert_eq!(std::fs::read(store.path()).unwrap(), odd, "left untouched");
    }
}
