//! Folders outside a user's personal namespace, made by the administrator: another user's
//! folder shared with a grantee, and shared (top-level) folders everybody may read.

use super::{Cyrus, CyrusNamespace, ADMIN};
use crate::{SeedMessage, TestkitError};

/// Everything, for the administrator to seed a folder it created.
const ADMIN_RIGHTS: &str = "lrswipkxtecda";
/// What a grantee gets: lookup and read.
const GRANTED_RIGHTS: &str = "lr";

impl Cyrus {
    /// Create `owner`'s folder `folder` (relative to the owner's INBOX, `/` as separator),
    /// append `messages` to it and let `grantee` look it up and read it. `owner` must exist
    /// ([`Cyrus::add_user`]). Returns the name `grantee` sees in `LIST "" "*"`, in oracle form
    /// (`/` separator): `user/<owner>/<folder>` (Standard) or `Other Users/<owner>/<folder>`
    /// (Alt).
    pub fn share_folder(
        &self,
        owner: &str,
        folder: &str,
        grantee: &str,
        messages: &[SeedMessage],
    ) -> Result<String, TestkitError> {
        let internal = format!("user/{owner}/{folder}");
        self.admin_folder(&internal, grantee, messages)?;
        Ok(match self.namespace {
            CyrusNamespace::Standard => internal,
            CyrusNamespace::Alt => format!("Other Users/{owner}/{folder}"),
        })
    }

    /// Create the shared folder `name` (e.g. `announce`, `/` as separator) holding `messages`,
    /// readable by everybody. Returns the name users see, in oracle form: `<name>` (Standard)
    /// or `Shared Folders/<name>` (Alt).
    pub fn shared_folder(
        &self,
        name: &str,
        messages: &[SeedMessage],
    ) -> Result<String, TestkitError> {
        self.admin_folder(name, "anyone", messages)?;
        Ok(match self.namespace {
            CyrusNamespace::Standard => name.to_string(),
            CyrusNamespace::Alt => format!("Shared Folders/{name}"),
        })
    }

    fn admin_folder(
        &self,
        name: &str,
        grantee: &str,
        messages: &[SeedMessage],
    ) -> Result<(), TestkitError> {
        let mut admin = self.admin()?;
        admin.create(name)?;
        admin.set_acl(name, ADMIN, ADMIN_RIGHTS)?;
        admin.append_many(name, messages)?;
        admin.set_acl(name, grantee, GRANTED_RIGHTS)?;
        admin.logout()
    }
}
