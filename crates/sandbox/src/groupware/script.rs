//! The Sieve scripts of a login (`sieve/scripts/<name>`, bytes as uploaded) and which
//! one is active (`sieve/active`, absent when none).

use std::fs;
use std::path::PathBuf;

use super::{list_names, name, GroupwareError, GroupwareStore};

const ACTIVE_FILE: &str = "active";

impl GroupwareStore {
    /// Script names with whether each is the active one, sorted by name.
    pub fn scripts(&self, login: &str) -> Result<Vec<(String, bool)>, GroupwareError> {
        let active = self.active_script(login)?;
        Ok(list_names(&self.scripts_dir(login)?)?
            .into_iter()
            .map(|n| {
                let on = active.as_deref() == Some(n.as_str());
                (n, on)
            })
            .collect())
    }

    /// One script's bytes, `None` when absent.
    pub fn script(&self, login: &str, name: &str) -> Result<Option<Vec<u8>>, GroupwareError> {
        let path = self.script_path(login, name)?;
        match fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(GroupwareError::io(&path, e)),
        }
    }

    /// Store (create or replace) a script.
    pub fn put_script(&self, login: &str, name: &str, bytes: &[u8]) -> Result<(), GroupwareError> {
        let _w = self.lock();
        let path = self.script_path(login, name)?;
        mailshift_store::write_atomic(&path, bytes)
            .map_err(|e| GroupwareError::io(e.path, e.source))
    }

    /// The active script's name, if any.
    pub fn active_script(&self, login: &str) -> Result<Option<String>, GroupwareError> {
        let path = self.sieve_dir(login)?.join(ACTIVE_FILE);
        match fs::read_to_string(&path) {
            Ok(s) if s.is_empty() => Ok(None),
            Ok(s) => Ok(Some(s)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(GroupwareError::io(&path, e)),
        }
    }

    /// Make `name` the active script (`None`: no script active).
    pub fn set_active(&self, login: &str, name: Option<&str>) -> Result<(), GroupwareError> {
        let _w = self.lock();
        let path = self.sieve_dir(login)?.join(ACTIVE_FILE);
        match name {
            None => match fs::remove_file(&path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(GroupwareError::io(&path, e)),
            },
            Some(n) => {
                if !self.script_path(login, n)?.exists() {
                    return Err(not_found(n));
                }
                mailshift_store::write_atomic(&path, n.as_bytes())
                    .map_err(|e| GroupwareError::io(e.path, e.source))
            }
        }
    }

    /// Delete a script that is not the active one.
    pub fn delete_script(&self, login: &str, name: &str) -> Result<(), GroupwareError> {
        if self.active_script(login)?.as_deref() == Some(name) {
            return Err(GroupwareError::ActiveScript(name.to_string()));
        }
        let _w = self.lock();
        let path = self.script_path(login, name)?;
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(not_found(name)),
            Err(e) => Err(GroupwareError::io(&path, e)),
        }
    }

    /// Rename a script (the active mark follows it).
    pub fn rename_script(&self, login: &str, old: &str, new: &str) -> Result<(), GroupwareError> {
        let active = self.active_script(login)?;
        {
            let _w = self.lock();
            let (from, to) = (self.script_path(login, old)?, self.script_path(login, new)?);
            if !from.exists() {
                return Err(not_found(old));
            }
            if to.exists() {
                return Err(GroupwareError::Exists {
                    what: "the Sieve script",
                    name: new.to_string(),
                });
            }
            fs::rename(&from, &to).map_err(|e| GroupwareError::io(&from, e))?;
        }
        if active.as_deref() == Some(old) {
            self.set_active(login, Some(new))?;
        }
        Ok(())
    }

    fn sieve_dir(&self, login: &str) -> Result<PathBuf, GroupwareError> {
        Ok(self.login_dir(login)?.join("sieve"))
    }

    fn scripts_dir(&self, login: &str) -> Result<PathBuf, GroupwareError> {
        Ok(self.sieve_dir(login)?.join("scripts"))
    }

    fn script_path(&self, login: &str, name: &str) -> Result<PathBuf, GroupwareError> {
        Ok(self
            .scripts_dir(login)?
            .join(name::check("Sieve script", name)?))
    }
}

fn not_found(name: &str) -> GroupwareError {
    GroupwareError::NotFound {
        what: "the Sieve script",
        name: name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_round_trip_and_the_active_one_is_protected() {
        let tmp = tempfile::tempdir().unwrap();
        let store = GroupwareStore::open(tmp.path()).unwrap();
        store.create_account("a@x.org").unwrap();
        store.put_script("a@x.org", "rules", b"keep;\r\n").unwrap();
        store.put_script("a@x.org", "ooo", b"keep;\r\n").unwrap();
        store.set_active("a@x.org", Some("rules")).unwrap();
        assert_eq!(
            store.scripts("a@x.org").unwrap(),
            [("ooo".to_string(), false), ("rules".to_string(), true)]
        );
        assert!(matches!(
            store.delete_script("a@x.org", "rules"),
            Err(GroupwareError::ActiveScript(_))
        ));
        store.rename_script("a@x.org", "rules", "main").unwrap();
        assert_eq!(
            store.active_script("a@x.org").unwrap().as_deref(),
            Some("main")
        );
        assert!(store.set_active("a@x.org", Some("nope")).is_err());
        store.set_active("a@x.org", None).unwrap();
        store.delete_script("a@x.org", "main").unwrap();
        assert_eq!(store.script("a@x.org", "main").unwrap(), None);
    }
}
