//! Folders outside the personal namespace on the cPanel-like layout: another user's folder
//! shared by SETACL as its owner, and public folders created on disk with an open ACL.

use super::{chown, cpanel, Dovecot, Layout};
use crate::oracle::mutf7;
use crate::{Oracle, SeedMessage, TestkitError};

/// Rights a grantee gets on a shared folder: lookup and read.
const GRANTED_RIGHTS: &str = "lr";

impl Dovecot {
    /// As `owner`, create `folder` (relative to the personal namespace, `/` as separator),
    /// append `messages` to it, and grant `grantee` lookup + read with SETACL. Returns the name
    /// `grantee` then sees in `LIST "" "*"`, in oracle form: `shared/<owner>/<folder>`.
    /// Only on [`Layout::Cpanel`] (the other layouts have no ACL plugin). Dovecot looks up
    /// what is shared with a user when their session starts: sessions opened before the grant
    /// do not list the folder, log in again.
    pub fn share_folder(
        &self,
        owner: &str,
        owner_pass: &str,
        folder: &str,
        grantee: &str,
        messages: &[SeedMessage],
    ) -> Result<String, TestkitError> {
        self.require_cpanel("share_folder")?;
        let mut o = Oracle::login(self.host(), self.port(), owner, owner_pass)?;
        let name = o.personal_name(folder)?;
        o.create(&name)?;
        o.append_many(&name, messages)?;
        o.set_acl(&name, grantee, GRANTED_RIGHTS)?;
        o.logout()?;
        Ok(format!(
            "{}{owner}/{folder}",
            logical(cpanel::SHARED_PREFIX)
        ))
    }

    /// Create the public folder `name` (`/` as separator) that every user may read and append
    /// to. Returns its name in oracle form (`Public/<name>`), to seed it with
    /// [`Oracle::append_many`] as any user. Only on [`Layout::Cpanel`].
    pub fn public_folder(&self, name: &str) -> Result<String, TestkitError> {
        self.require_cpanel("public_folder")?;
        let parts: Vec<&str> = name.split('/').collect();
        if parts
            .iter()
            .any(|p| p.is_empty() || p.contains('.') || p.starts_with('~'))
        {
            return Err(TestkitError::Setup(format!(
                "public folder name {name:?} is not usable: use non-empty parts without '.'"
            )));
        }
        let base = cpanel::public_dir(&self.root);
        let encoded: Vec<String> = parts.iter().map(|p| mutf7::encode(p)).collect();
        let dir = base.join(format!(".{}", encoded.join(".")));
        for sub in ["cur", "new", "tmp"] {
            let p = dir.join(sub);
            std::fs::create_dir_all(&p).map_err(|e| TestkitError::io(&p, e))?;
            chown(&p, self.mail_owner.0, self.mail_owner.1)?;
        }
        for acl_dir in [&base, &dir] {
            let acl = acl_dir.join("dovecot-acl");
            std::fs::write(&acl, cpanel::PUBLIC_ACL).map_err(|e| TestkitError::io(&acl, e))?;
            chown(&acl, self.mail_owner.0, self.mail_owner.1)?;
        }
        chown(&dir, self.mail_owner.0, self.mail_owner.1)?;
        Ok(format!("{}{name}", logical(cpanel::PUBLIC_PREFIX)))
    }

    fn require_cpanel(&self, what: &str) -> Result<(), TestkitError> {
        if self.layout == Layout::Cpanel {
            Ok(())
        } else {
            Err(TestkitError::Setup(format!(
                "Dovecot::{what} needs Layout::Cpanel (ACLs, public and shared namespaces); \
                 this server runs {:?}",
                self.layout
            )))
        }
    }
}

/// A namespace prefix in oracle form (`/` as separator).
fn logical(prefix: &str) -> String {
    prefix.replace('.', "/")
}
