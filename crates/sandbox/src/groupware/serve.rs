//! A groupware platform's running side: its store, its CalDAV/CardDAV and ManageSieve
//! servers on loopback, and the endpoints a client (or the migrator) uses to reach them.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use mailshift_panel::PlatformKind;

use super::{demo, GroupwareError, GroupwareStore};
use crate::dav::{self, SandboxDavHandle};
use crate::sieve::{self, SandboxSieveHandle};
use crate::Directory;

/// Where a client reaches a platform's groupware.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupwareEndpoints {
    /// `http://127.0.0.1:PORT/dav/` (CalDAV and CardDAV, HTTP Basic).
    pub dav_url: String,
    /// ManageSieve (plain, AUTHENTICATE PLAIN).
    pub sieve: SocketAddr,
}

/// Whether platforms of `kind` hold calendars, contacts or inbox rules (and so serve them).
pub fn serves_groupware(kind: PlatformKind) -> bool {
    let f = mailshift_panel::facts(kind).features;
    f.calendars || f.contacts || f.tasks || f.inbox_rules || f.out_of_office
}

/// Open the store under `root`. A sandbox seeded before groupware existed has no store
/// yet: its logins then get the demo groupware (from `seed`) once.
pub fn open_store(
    root: &Path,
    directory: &Directory,
    seed: u64,
) -> Result<GroupwareStore, GroupwareError> {
    let fresh = !root.exists();
    let store = GroupwareStore::open(root)?;
    if fresh {
        for login in directory.logins() {
            demo::seed_account(&store, &login, "", seed, false)?;
        }
    }
    Ok(store)
}

/// The servers of one groupware platform.
pub struct GroupwareServers {
    pub store: Arc<GroupwareStore>,
    dav: SandboxDavHandle,
    sieve: SandboxSieveHandle,
}

impl GroupwareServers {
    /// Start the DAV and ManageSieve servers of `store` on the given binds (`127.0.0.1:0`).
    pub async fn start(
        store: Arc<GroupwareStore>,
        directory: Arc<Directory>,
        dav_bind: &str,
        sieve_bind: &str,
    ) -> std::io::Result<Self> {
        let dav = dav::start(store.clone(), directory.clone(), dav_bind).await?;
        let sieve = sieve::start(store.clone(), directory, sieve_bind).await?;
        Ok(GroupwareServers { store, dav, sieve })
    }

    pub fn endpoints(&self) -> GroupwareEndpoints {
        GroupwareEndpoints {
            dav_url: self.dav.url(),
            sieve: self.sieve.local_addr(),
        }
    }

    pub async fn shutdown(self) {
        self.dav.shutdown().await;
        self.sieve.shutdown().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exchange_serves_groupware() {
        assert!(serves_groupware(PlatformKind::Exchange));
        assert!(!serves_groupware(PlatformKind::EmailPro));
        assert!(!serves_groupware(PlatformKind::MxPlan));
    }

    #[test]
    fn a_store_created_late_gives_existing_logins_the_demo() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = Directory::new();
        dir.set_password("a@x.org", "pw");
        let store = open_store(&tmp.path().join("gw"), &dir, 1).unwrap();
        assert!(store.summary("a@x.org").unwrap().events >= 8);
        dir.set_password("b@x.org", "pw");
        let again = open_store(&tmp.path().join("gw"), &dir, 1).unwrap();
        assert!(!again.account_exists("b@x.org"));
    }
}
