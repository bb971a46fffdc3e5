//! The objects of a collection (one `.ics` or `.vcf` file each, exactly as PUT) and
//! their ETags: a hash of the bytes, so they survive restarts unchanged.

use std::fs;

use sha2::{Digest, Sha256};

use super::{list_names, name, CollectionKind, GroupwareError, GroupwareStore, OBJECTS_DIR};

/// An object as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    pub name: String,
    pub etag: String,
    pub size: u64,
}

/// What a PUT did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutOutcome {
    /// True for a new object, false when an existing one was replaced.
    pub created: bool,
    pub etag: String,
}

/// The ETag of `bytes` (without quotes).
pub fn etag_of(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes)[..16])
}

/// A collection's tag: changes with any object change.
pub(super) fn ctag(objects: &[ObjectMeta]) -> String {
    let mut h = Sha256::new();
    for o in objects {
        h.update(o.name.as_bytes());
        h.update([0]);
        h.update(o.etag.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..16])
}

impl GroupwareStore {
    /// The objects of a collection, sorted by name.
    pub fn objects(
        &self,
        login: &str,
        kind: CollectionKind,
        collection: &str,
    ) -> Result<Vec<ObjectMeta>, GroupwareError> {
        let dir = self
            .collection_dir(login, kind, collection)?
            .join(OBJECTS_DIR);
        let mut out = Vec::new();
        for name in list_names(&dir)? {
            let path = dir.join(&name);
            match fs::read(&path) {
                Ok(bytes) => out.push(ObjectMeta {
                    name,
                    etag: etag_of(&bytes),
                    size: bytes.len() as u64,
                }),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(GroupwareError::io(&path, e)),
            }
        }
        Ok(out)
    }

    /// The bytes of one object, `None` when absent.
    pub fn object(
        &self,
        login: &str,
        kind: CollectionKind,
        collection: &str,
        name: &str,
    ) -> Result<Option<Vec<u8>>, GroupwareError> {
        let path = self
            .collection_dir(login, kind, collection)?
            .join(OBJECTS_DIR)
            .join(name::check("object", name)?);
        match fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(GroupwareError::io(&path, e)),
        }
    }

    /// Store `bytes` as object `name` of an existing collection (new or replaced).
    pub fn put_object(
        &self,
        login: &str,
        kind: CollectionKind,
        collection: &str,
        name: &str,
        bytes: &[u8],
    ) -> Result<PutOutcome, GroupwareError> {
        let _w = self.lock();
        let path = self
            .existing_collection(login, kind, collection)?
            .join(OBJECTS_DIR)
            .join(name::check("object", name)?);
        let created = !path.exists();
        mailshift_store::write_atomic(&path, bytes)
            .map_err(|e| GroupwareError::io(e.path, e.source))?;
        Ok(PutOutcome {
            created,
            etag: etag_of(bytes),
        })
    }

    /// Delete one object; false when it was not there.
    pub fn delete_object(
        &self,
        login: &str,
        kind: CollectionKind,
        collection: &str,
        name: &str,
    ) -> Result<bool, GroupwareError> {
        let _w = self.lock();
        let path = self
            .collection_dir(login, kind, collection)?
            .join(OBJECTS_DIR)
            .join(name::check("object", name)?);
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(GroupwareError::io(&path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_keep_their_bytes_and_etags_follow_the_content() {
        let tmp = tempfile::tempdir().unwrap();
        let store = GroupwareStore::open(tmp.path()).unwrap();
        store.create_account("a@x.org").unwrap();
        let cal = CollectionKind::Calendar;
        let before = store
            .collection("a@x.org", cal, "calendar")
            .unwrap()
            .unwrap();
        let bytes = b"BEGIN:VCALENDAR\r\nX-ODD: \xff bytes\r\nEND:VCALENDAR\r\n";
        let put = store
            .put_object("a@x.org", cal, "calendar", "e1.ics", bytes)
            .unwrap();
        assert!(put.created);
        assert_eq!(put.etag, etag_of(bytes));
        let again = store
            .put_object("a@x.org", cal, "calendar", "e1.ics", bytes)
            .unwrap();
        assert!(!again.created);
        let got = store.object("a@x.org", cal, "calendar", "e1.ics").unwrap();
        assert_eq!(got.as_deref(), Some(&bytes[..]));
        let after = store
            .collection("a@x.org", cal, "calendar")
            .unwrap()
            .unwrap();
        assert_ne!(before.ctag, after.ctag);
        assert!(store
            .put_object("a@x.org", cal, "missing", "e1.ics", bytes)
            .is_err());
        assert!(store
            .delete_object("a@x.org", cal, "calendar", "e1.ics")
            .unwrap());
        assert!(!store
            .delete_object("a@x.org", cal, "calendar", "e1.ics")
            .unwrap());
    }
}
