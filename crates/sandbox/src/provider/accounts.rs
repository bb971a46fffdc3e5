//! Panel account operations that act on the sandbox too: create (mailbox, login, quota),
//! rename (mail kept, login moved), reset (mailbox and login removed, slot freed),
//! modify (password, quota), and mailbox sizes read back into the panel.

use mailshift_panel::{AccountChanges, NewAccount, PlatformId, Rename, Wipe};

use super::saved::size_key;
use super::{login_of, PlatformMail, Sandbox, SandboxError};
use crate::StoreError;

impl PlatformMail {
    fn mail_err(&self, source: StoreError) -> SandboxError {
        SandboxError::Mail {
            platform: self.label.clone(),
            source,
        }
    }

    fn groupware_err(&self, source: crate::GroupwareError) -> SandboxError {
        SandboxError::Groupware {
            platform: self.label.clone(),
            source,
        }
    }

    fn save_logins(&self, root: &super::Layout) -> Result<(), SandboxError> {
        self.directory
            .save(&root.directory(&self.service))
            .map_err(|source| SandboxError::Logins {
                platform: self.label.clone(),
                source,
            })
    }
}

impl Sandbox {
    /// Create an account on `platform`: the panel slot, an empty mailbox with the
    /// special-use folders and the account's quota, and its IMAP login. Returns its address.
    pub fn create_account(
        &mut self,
        platform: PlatformId,
        new: NewAccount,
    ) -> Result<String, SandboxError> {
        let password = new.password.clone();
        let mut next = self.panel.clone();
        let (address, quota) = {
            let a = next.platform_mut(platform)?.create_account(new)?;
            (a.address(), a.quota_bytes)
        };
        let login = login_of(&address);
        let m = self.platform_mail(platform)?;
        if m.store.account_exists(&login) {
            // Left over by an interrupted operation: the panel says the address is free.
            m.store.delete_account(&login).map_err(|e| m.mail_err(e))?;
        }
        m.store.create_account(&login).map_err(|e| m.mail_err(e))?;
        m.store
            .set_quota(&login, Some(quota))
            .map_err(|e| m.mail_err(e))?;
        if let Some(g) = &m.groupware {
            g.store
                .delete_account(&login)
                .map_err(|e| m.groupware_err(e))?;
            g.store
                .create_account(&login)
                .map_err(|e| m.groupware_err(e))?;
        }
        m.directory.set_password(&login, &password);
        m.save_logins(&self.layout)?;
        self.commit_panel(next)?;
        Ok(address)
    }

    /// Give an account a new login on the same domain (the provisional name): its mail,
    /// folders, UIDs and password move with it; the old login is refused from then on.
    pub fn rename_account(
        &mut self,
        platform: PlatformId,
        address: &str,
        new_local_part: &str,
    ) -> Result<Rename, SandboxError> {
        let mut next = self.panel.clone();
        let rename = next
            .platform_mut(platform)?
            .rename_account(address, new_local_part)?;
        let (old, new) = (login_of(&rename.old), login_of(&rename.new));
        let m = self.platform_mail(platform)?;
        m.store
            .rename_account(&old, &new)
            .map_err(|e| m.mail_err(e))?;
        if let Err(source) = m.directory.rename(&old, &new) {
            let _ = m.store.rename_account(&new, &old);
            return Err(SandboxError::Logins {
                platform: m.label.clone(),
                source,
            });
        }
        m.save_logins(&self.layout)?;
        if let Some(g) = &m.groupware {
            g.store
                .rename_account(&old, &new)
                .map_err(|e| m.groupware_err(e))?;
        }
        let service = m.service.clone();
        if let Some(bytes) = self.saved.simulated_bytes.remove(&size_key(&service, &old)) {
            self.saved
                .simulated_bytes
                .insert(size_key(&service, &new), bytes);
            self.save_state()?;
        }
        self.commit_panel(next)?;
        Ok(rename)
    }

    /// Reset an account: its mail and login are deleted and the panel slot becomes free
    /// again. Returns what was wiped.
    pub fn reset_account(
        &mut self,
        platform: PlatformId,
        address: &str,
    ) -> Result<Wipe, SandboxError> {
        let mut next = self.panel.clone();
        let wipe = next.platform_mut(platform)?.reset_account(address)?;
        let login = login_of(&wipe.address);
        let m = self.platform_mail(platform)?;
        if m.store.account_exists(&login) {
            m.store.delete_account(&login).map_err(|e| m.mail_err(e))?;
        }
        if let Some(g) = &m.groupware {
            g.store
                .delete_account(&login)
                .map_err(|e| m.groupware_err(e))?;
        }
        m.directory.remove(&login);
        m.save_logins(&self.layout)?;
        let key = size_key(&m.service, &login);
        if self.saved.simulated_bytes.remove(&key).is_some() {
            self.save_state()?;
        }
        self.commit_panel(next)?;
        Ok(wipe)
    }

    /// Change an account's display name, password (the IMAP login follows) or quota
    /// (the mailbox enforces it).
    pub fn modify_account(
        &mut self,
        platform: PlatformId,
        address: &str,
        changes: AccountChanges,
    ) -> Result<(), SandboxError> {
        let password = changes.password.clone();
        let mut next = self.panel.clone();
        let (address, quota) = {
            let a = next
                .platform_mut(platform)?
                .modify_account(address, changes)?;
            (a.address(), a.quota_bytes)
        };
        let login = login_of(&address);
        let m = self.platform_mail(platform)?;
        if m.store.account_exists(&login) {
            m.store
                .set_quota(&login, Some(quota))
                .map_err(|e| m.mail_err(e))?;
        }
        if let Some(pw) = password {
            m.directory.set_password(&login, &pw);
            m.save_logins(&self.layout)?;
        }
        self.commit_panel(next)
    }

    /// Read every mailbox's size from the store into the panel (a simulated size, like
    /// the demo's 6.2 GB mailbox, is shown when larger than the real mail) and save it.
    pub fn refresh_used_bytes(&mut self) -> Result<(), SandboxError> {
        let mut next = self.panel.clone();
        for p in &mut next.platforms {
            let Some(m) = self.mail.iter().find(|m| m.id == p.id) else {
                continue;
            };
            let addresses: Vec<String> = p.configured_accounts().map(|a| a.address()).collect();
            for address in addresses {
                let login = login_of(&address);
                let real = if m.store.account_exists(&login) {
                    m.store.used_bytes(&login).map_err(|e| m.mail_err(e))?
                } else {
                    0
                };
                let simulated = self
                    .saved
                    .simulated_bytes
                    .get(&size_key(&m.service, &login))
                    .copied()
                    .unwrap_or(0);
                p.set_used_bytes(&address, real.max(simulated))?;
            }
        }
        if next != self.panel {
            self.commit_panel(next)?;
        }
        Ok(())
    }
}
