//! The sandbox's groupware store, one per platform: per login, calendars and address
//! books (properties and objects kept byte for byte, ETag = content hash) and Sieve
//! scripts with the active one. Files 0600, folders 0700, every write atomic.

mod collection;
pub mod demo;
mod error;
mod name;
mod object;
mod script;
mod serve;
mod summary;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

pub use collection::{Collection, CollectionKind, CollectionProps};
pub use error::GroupwareError;
pub use name::{is_valid as is_valid_name, MAX_NAME_BYTES};
pub use object::{etag_of, ObjectMeta, PutOutcome};
pub use serve::{open_store, serves_groupware, GroupwareEndpoints, GroupwareServers};
pub use summary::GroupwareSummary;

const PROPS_FILE: &str = "collection.json";
const OBJECTS_DIR: &str = "objects";

/// One platform's groupware on disk (thread-safe; writes are serialised).
#[derive(Debug)]
pub struct GroupwareStore {
    root: PathBuf,
    writes: Mutex<()>,
}

impl GroupwareStore {
    /// Open (creating if needed) the store under `root`.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, GroupwareError> {
        let root = root.into();
        mailshift_store::create_private_dir(&root).map_err(|e| GroupwareError::io(&root, e))?;
        Ok(GroupwareStore {
            root,
            writes: Mutex::new(()),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether `login` has a groupware tree.
    pub fn account_exists(&self, login: &str) -> bool {
        name::is_valid(login) && self.root.join(login).is_dir()
    }

    /// Give `login` an empty tree with the default collections: "Calendar" (events and
    /// tasks), "Tasks" (tasks) and the "Contacts" address book.
    pub fn create_account(&self, login: &str) -> Result<(), GroupwareError> {
        let defaults = [
            (
                CollectionKind::Calendar,
                "calendar",
                CollectionProps::calendar("Calendar", "#1E88E5FF", "", &["VEVENT", "VTODO"]),
            ),
            (
                CollectionKind::Calendar,
                "tasks",
                CollectionProps::calendar("Tasks", "#43A047FF", "", &["VTODO"]),
            ),
            (
                CollectionKind::AddressBook,
                "contacts",
                CollectionProps::address_book("Contacts", ""),
            ),
        ];
        self.create_account_with(login, &defaults)
    }

    /// Give `login` a tree with exactly `collections` (kind, URL name, props).
    pub fn create_account_with(
        &self,
        login: &str,
        collections: &[(CollectionKind, &str, CollectionProps)],
    ) -> Result<(), GroupwareError> {
        let dir = self.login_dir(login)?;
        if dir.exists() {
            return Err(GroupwareError::Exists {
                what: "the groupware of login",
                name: login.to_string(),
            });
        }
        for kind in [CollectionKind::Calendar, CollectionKind::AddressBook] {
            let home = dir.join(kind.home_segment());
            mailshift_store::create_private_dir(&home).map_err(|e| GroupwareError::io(&home, e))?;
        }
        for (kind, name, props) in collections {
            self.create_collection(login, *kind, name, props.clone())?;
        }
        Ok(())
    }

    /// Move `old`'s groupware to `new` (the panel's account rename). Nothing to move is fine.
    pub fn rename_account(&self, old: &str, new: &str) -> Result<(), GroupwareError> {
        let _w = self.lock();
        let (from, to) = (self.login_dir(old)?, self.login_dir(new)?);
        if to.exists() {
            return Err(GroupwareError::Exists {
                what: "the groupware of login",
                name: new.to_string(),
            });
        }
        match fs::rename(&from, &to) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(GroupwareError::io(&from, e)),
        }
    }

    /// Delete `login`'s groupware (the panel's account reset). Nothing to delete is fine.
    pub fn delete_account(&self, login: &str) -> Result<(), GroupwareError> {
        let _w = self.lock();
        remove_dir(&self.login_dir(login)?)
    }

    /// The collections of `kind` of `login`, sorted by name.
    pub fn collections(
        &self,
        login: &str,
        kind: CollectionKind,
    ) -> Result<Vec<Collection>, GroupwareError> {
        let home = self.login_dir(login)?.join(kind.home_segment());
        let mut out = Vec::new();
        for name in list_names(&home)? {
            if let Some(c) = self.collection(login, kind, &name)? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// One collection, `None` when absent.
    pub fn collection(
        &self,
        login: &str,
        kind: CollectionKind,
        name: &str,
    ) -> Result<Option<Collection>, GroupwareError> {
        let dir = self.collection_dir(login, kind, name)?;
        let path = dir.join(PROPS_FILE);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(GroupwareError::io(&path, e)),
        };
        let props = serde_json::from_slice(&bytes).map_err(|e| GroupwareError::Damaged {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let objects = self.objects(login, kind, name)?;
        Ok(Some(Collection {
            kind,
            name: name.to_string(),
            props,
            ctag: object::ctag(&objects),
        }))
    }

    /// Create a collection; [`GroupwareError::Exists`] if the name is taken.
    pub fn create_collection(
        &self,
        login: &str,
        kind: CollectionKind,
        name: &str,
        props: CollectionProps,
    ) -> Result<(), GroupwareError> {
        let _w = self.lock();
        let dir = self.collection_dir(login, kind, name)?;
        if dir.exists() {
            return Err(GroupwareError::Exists {
                what: "the collection",
                name: name.to_string(),
            });
        }
        let objects = dir.join(OBJECTS_DIR);
        mailshift_store::create_private_dir(&objects)
            .map_err(|e| GroupwareError::io(&objects, e))?;
        write_props(&dir, &props)
    }

    /// Replace a collection's properties.
    pub fn set_props(
        &self,
        login: &str,
        kind: CollectionKind,
        name: &str,
        props: CollectionProps,
    ) -> Result<(), GroupwareError> {
        let _w = self.lock();
        let dir = self.existing_collection(login, kind, name)?;
        write_props(&dir, &props)
    }

    /// Delete a collection and everything in it.
    pub fn delete_collection(
        &self,
        login: &str,
        kind: CollectionKind,
        name: &str,
    ) -> Result<(), GroupwareError> {
        let _w = self.lock();
        let dir = self.existing_collection(login, kind, name)?;
        remove_dir(&dir)
    }

    fn lock(&self) -> MutexGuard<'_, ()> {
        self.writes.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn login_dir(&self, login: &str) -> Result<PathBuf, GroupwareError> {
        Ok(self.root.join(name::check("login", login)?))
    }

    fn collection_dir(
        &self,
        login: &str,
        kind: CollectionKind,
        name: &str,
    ) -> Result<PathBuf, GroupwareError> {
        Ok(self
            .login_dir(login)?
            .join(kind.home_segment())
            .join(name::check("collection", name)?))
    }

    fn existing_collection(
        &self,
        login: &str,
        kind: CollectionKind,
        name: &str,
    ) -> Result<PathBuf, GroupwareError> {
        let dir = self.collection_dir(login, kind, name)?;
        if dir.join(PROPS_FILE).exists() {
            Ok(dir)
        } else {
            Err(GroupwareError::NotFound {
                what: "the collection",
                name: name.to_string(),
            })
        }
    }
}

fn write_props(dir: &Path, props: &CollectionProps) -> Result<(), GroupwareError> {
    let path = dir.join(PROPS_FILE);
    let bytes = serde_json::to_vec_pretty(props).map_err(|e| GroupwareError::Damaged {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    mailshift_store::write_atomic(&path, &bytes).map_err(|e| GroupwareError::io(e.path, e.source))
}

fn remove_dir(dir: &Path) -> Result<(), GroupwareError> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(GroupwareError::io(dir, e)),
    }
}

/// The valid entry names of `dir`, sorted (temporary dot files skipped); none if absent.
fn list_names(dir: &Path) -> Result<Vec<String>, GroupwareError> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(GroupwareError::io(dir, e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| GroupwareError::io(dir, e))?;
        if let Some(n) = entry.file_name().to_str() {
            if name::is_valid(n) {
                names.push(n.to_string());
            }
        }
    }
    names.sort();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_start_with_the_default_collections_and_move_with_their_login() {
        let tmp = tempfile::tempdir().unwrap();
        let store = GroupwareStore::open(tmp.path().join("gw")).unwrap();
        store.create_account("a@x.org").unwrap();
        let cals = store
            .collections("a@x.org", CollectionKind::Calendar)
            .unwrap();
        let names: Vec<_> = cals.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["calendar", "tasks"]);
        assert_eq!(cals[1].props.components, ["VTODO"]);
        let books = store
            .collections("a@x.org", CollectionKind::AddressBook)
            .unwrap();
        assert_eq!(books[0].props.display_name.as_deref(), Some("Contacts"));

        store.rename_account("a@x.org", "a01@x.org").unwrap();
        assert!(!store.account_exists("a@x.org"));
        assert!(store.account_exists("a01@x.org"));
        store.delete_account("a01@x.org").unwrap();
        assert!(!store.account_exists("a01@x.org"));
        assert!(store.rename_account("../etc", "b@x.org").is_err());
    }

    #[test]
    fn collections_are_created_once_and_deleted_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let store = GroupwareStore::open(tmp.path()).unwrap();
        store.create_account_with("a@x.org", &[]).unwrap();
        let props = CollectionProps::calendar("Work", "#FF0000FF", "d", &["VEVENT"]);
        store
            .create_collection("a@x.org", CollectionKind::Calendar, "work", props.clone())
            .unwrap();
        assert!(matches!(
            store.create_collection("a@x.org", CollectionKind::Calendar, "work", props),
            Err(GroupwareError::Exists { .. })
        ));
        store
            .delete_collection("a@x.org", CollectionKind::Calendar, "work")
            .unwrap();
        assert!(store
            .collection("a@x.org", CollectionKind::Calendar, "work")
            .unwrap()
            .is_none());
    }
}
