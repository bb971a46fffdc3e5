//! What a task created on the destination's groupware services, so a rollback removes
//! exactly that: collections, objects (href + ETag), Sieve scripts and the activation.
//! Saved atomically before each write it announces; one JSON file per task.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::record::StepKind;

const FORMAT: u32 = 1;

/// One object this task put (or was about to put) on the destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutObject {
    pub href: String,
    pub step: StepKind,
    /// The destination's ETag after the PUT; None while the PUT is in flight or when
    /// the server gave none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
}

/// A Sieve script this task put on the destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutScript {
    pub name: String,
    pub step: StepKind,
}

/// The destination's active script before this task activated one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activation {
    pub activated: String,
    pub previous: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub collections: Vec<String>,
    pub objects: Vec<PutObject>,
    pub scripts: Vec<PutScript>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation: Option<Activation>,
}

impl Ledger {
    pub fn path(state_dir: &Path, task_id: &str) -> PathBuf {
        state_dir.join("groupware").join(format!("{task_id}.json"))
    }

    /// The ledger of `task_id`, empty when it has none yet.
    pub fn load(state_dir: &Path, task_id: &str) -> Result<Ledger, String> {
        let path = Self::path(state_dir, task_id);
        mailshift_store::load_versioned(&path, FORMAT)
            .map(Option::unwrap_or_default)
            .map_err(|e| e.to_string())
    }

    pub fn save(&self, state_dir: &Path, task_id: &str) -> Result<(), String> {
        let path = Self::path(state_dir, task_id);
        if let Some(dir) = path.parent() {
            mailshift_store::create_private_dir(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        mailshift_store::save_versioned(&path, FORMAT, self).map_err(|e| e.to_string())
    }

    pub fn is_empty(&self) -> bool {
        self.collections.is_empty()
            && self.objects.is_empty()
            && self.scripts.is_empty()
            && self.activation.is_none()
    }

    /// Forget an announced object that turned out not to be ours (it existed, or the PUT failed).
    pub fn forget_object(&mut self, href: &str) {
        self.objects.retain(|o| o.href != href);
    }

    pub fn set_etag(&mut self, href: &str, etag: Option<String>) {
        if let Some(o) = self.objects.iter_mut().find(|o| o.href == href) {
            o.etag = etag;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ledger_round_trips_and_forgets_what_was_not_ours() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::load(dir.path(), "MS-AAAAAAAAAA").unwrap();
        assert!(l.is_empty());
        l.collections.push("/u/cal/".into());
        for h in ["/u/cal/a.ics", "/u/cal/b.ics"] {
            l.objects.push(PutObject {
                href: h.into(),
                step: StepKind::Calendars,
                etag: None,
            });
        }
        l.set_etag("/u/cal/a.ics", Some("\"1\"".into()));
        l.forget_object("/u/cal/b.ics");
        l.save(dir.path(), "MS-AAAAAAAAAA").unwrap();
        let back = Ledger::load(dir.path(), "MS-AAAAAAAAAA").unwrap();
        assert_eq!(back, l);
        assert_eq!(back.objects.len(), 1);
        assert_eq!(back.objects[0].etag.as_deref(), Some("\"1\""));
    }
}
