//! Where the sandbox keeps its files under the data dir: `sandbox/panel.json`, one
//! Maildir store and one login file per platform, and the DNS and size state.

use std::path::{Path, PathBuf};

/// The sandbox's folder inside the data dir.
pub const SANDBOX_DIR: &str = "sandbox";

/// Paths of one sandbox tree (the live one, or one being seeded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// The live sandbox under the data dir `home`.
    pub fn live(home: &Path) -> Self {
        Layout {
            root: home.join(SANDBOX_DIR),
        }
    }

    /// A tree being built next to the live one, renamed over it once complete.
    pub fn staging(home: &Path) -> Self {
        Layout {
            root: home.join(format!("{SANDBOX_DIR}.seeding")),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where `PanelStore` keeps `panel.json`.
    pub fn panel_dir(&self) -> &Path {
        &self.root
    }

    /// The Maildir store of one platform.
    pub fn mail(&self, service: &str) -> PathBuf {
        self.root.join("mail").join(service)
    }

    /// The password hashes of one platform's logins.
    pub fn directory(&self, service: &str) -> PathBuf {
        self.root.join("directory").join(format!("{service}.json"))
    }

    /// The calendars, address books and Sieve scripts of one platform.
    pub fn groupware(&self, service: &str) -> PathBuf {
        self.root.join("groupware").join(service)
    }

    /// DNS zones, pending changes and simulated sizes.
    pub fn state_file(&self) -> PathBuf {
        self.root.join("sandbox.json")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_live_under_the_sandbox_dir() {
        let l = Layout::live(Path::new("/data"));
        assert_eq!(l.root(), Path::new("/data/sandbox"));
        assert_eq!(l.mail("mxplan-1"), Path::new("/data/sandbox/mail/mxplan-1"));
        assert_eq!(
            l.directory("mxplan-1"),
            Path::new("/data/sandbox/directory/mxplan-1.json")
        );
        assert_eq!(
            l.groupware("exchange-1"),
            Path::new("/data/sandbox/groupware/exchange-1")
        );
        assert_ne!(Layout::staging(Path::new("/data")).root(), l.root());
    }
}
