//! Account operations on one platform: order slots, create, modify, rename,
//! reset (wipe and unconfigure), record mailbox usage.

use crate::{
    check_strength, format_bytes, validate_local_part, Account, AccountChanges, AccountState,
    NewAccount, PanelError, PasswordHash, Platform, Rename, Wipe, UNCONFIGURED_DOMAIN,
};

impl Platform {
    /// Order `count` more account slots (unconfigured, at the platform's
    /// maximum quota). Returns their placeholder addresses.
    pub fn order_accounts(&mut self, count: usize) -> Vec<String> {
        (0..count)
            .map(|_| {
                let local_part = self.free_placeholder();
                let slot = Account {
                    local_part,
                    domain: UNCONFIGURED_DOMAIN.to_string(),
                    display_name: String::new(),
                    state: AccountState::Unconfigured,
                    quota_bytes: self.max_quota_bytes(),
                    used_bytes: 0,
                    password: None,
                };
                let address = slot.address();
                self.accounts.push(slot);
                address
            })
            .collect()
    }

    /// Configure the first free slot as `new`. Refuses an invalid login, a
    /// domain not associated with the platform, an address already in use, a
    /// weak password, a quota above the platform's maximum, and a platform
    /// with no free slot.
    pub fn create_account(&mut self, new: NewAccount) -> Result<&Account, PanelError> {
        validate_local_part(&new.local_part)?;
        let domain = self.associated_domain(&new.domain)?;
        let address = format!("{}@{domain}", new.local_part);
        self.ensure_free(&address, None)?;
        check_strength(&new.password, &new.local_part)?;
        let quota = new.quota_bytes.unwrap_or(self.max_quota_bytes());
        self.check_quota(&address, quota, 0)?;
        let Some(i) = self.accounts.iter().position(|a| !a.is_configured()) else {
            return Err(PanelError::NoFreeAccount {
                platform: self.label(),
            });
        };
        let display_name = if new.display_name.trim().is_empty() {
            new.local_part.clone()
        } else {
            new.display_name.trim().to_string()
        };
        self.accounts[i] = Account {
            local_part: new.local_part,
            domain,
            display_name,
            state: AccountState::Configured,
            quota_bytes: quota,
            used_bytes: 0,
            password: Some(PasswordHash::new(&new.password)),
        };
        Ok(&self.accounts[i])
    }

    /// Change a configured account's display name, password or quota. Every
    /// change is checked before any is applied.
    pub fn modify_account(
        &mut self,
        address: &str,
        changes: AccountChanges,
    ) -> Result<&Account, PanelError> {
        let i = self.configured_index(address)?;
        let current = &self.accounts[i];
        if let Some(pw) = &changes.password {
            check_strength(pw, &current.local_part)?;
        }
        if let Some(q) = changes.quota_bytes {
            self.check_quota(&current.address(), q, current.used_bytes)?;
        }
        let account = &mut self.accounts[i];
        if let Some(name) = changes.display_name {
            account.display_name = name.trim().to_string();
        }
        if let Some(pw) = changes.password {
            account.password = Some(PasswordHash::new(&pw));
        }
        if let Some(q) = changes.quota_bytes {
            account.quota_bytes = q;
        }
        Ok(&self.accounts[i])
    }

    /// Give a configured account a new login on the same domain (the
    /// provisional-name step of a migration). The mailbox keeps its content.
    pub fn rename_account(
        &mut self,
        address: &str,
        new_local_part: &str,
    ) -> Result<Rename, PanelError> {
        let i = self.configured_index(address)?;
        validate_local_part(new_local_part)?;
        let old = self.accounts[i].address();
        let new = format!("{new_local_part}@{}", self.accounts[i].domain);
        self.ensure_free(&new, Some(i))?;
        self.accounts[i].local_part = new_local_part.to_string();
        Ok(Rename { old, new })
    }

    /// What [`Platform::reset_account`] would wipe, without changing anything
    /// (for the confirmation dialog).
    pub fn reset_preview(&self, address: &str) -> Result<Wipe, PanelError> {
        let i = self.index(address)?;
        let a = &self.accounts[i];
        if !a.is_configured() {
            return Err(PanelError::AlreadyUnconfigured {
                address: a.address(),
            });
        }
        Ok(Wipe {
            address: a.address(),
            display_name: a.display_name.clone(),
            used_bytes: a.used_bytes,
            placeholder: format!("{}@{UNCONFIGURED_DOMAIN}", self.free_placeholder()),
        })
    }

    /// Wipe a configured account and turn it back into a free slot (the
    /// address becomes available again). Returns what was wiped.
    pub fn reset_account(&mut self, address: &str) -> Result<Wipe, PanelError> {
        let wipe = self.reset_preview(address)?;
        let i = self.index(address)?;
        let (local, domain) = wipe
            .placeholder
            .rsplit_once('@')
            .expect("placeholders hold an @");
        let a = &mut self.accounts[i];
        a.local_part = local.to_string();
        a.domain = domain.to_string();
        a.display_name.clear();
        a.state = AccountState::Unconfigured;
        a.used_bytes = 0;
        a.password = None;
        Ok(wipe)
    }

    /// Record how many bytes a mailbox holds (reported by the IMAP store).
    pub fn set_used_bytes(&mut self, address: &str, used_bytes: u64) -> Result<(), PanelError> {
        let i = self.configured_index(address)?;
        self.accounts[i].used_bytes = used_bytes;
        Ok(())
    }

    fn index(&self, address: &str) -> Result<usize, PanelError> {
        self.accounts
            .iter()
            .position(|a| a.has_address(address))
            .ok_or_else(|| PanelError::AccountNotFound {
                address: address.to_string(),
                platform: self.label(),
            })
    }

    fn configured_index(&self, address: &str) -> Result<usize, PanelError> {
        let i = self.index(address)?;
        if !self.accounts[i].is_configured() {
            return Err(PanelError::AccountUnconfigured {
                address: self.accounts[i].address(),
            });
        }
        Ok(i)
    }

    /// The lower-case name of `domain` if it is associated with the platform.
    fn associated_domain(&self, domain: &str) -> Result<String, PanelError> {
        crate::validate_domain_name(domain)?;
        self.domain(domain)
            .map(|d| d.name.clone())
            .ok_or_else(|| PanelError::DomainNotOnPlatform {
                domain: domain.to_ascii_lowercase(),
                platform: self.label(),
            })
    }

    /// Refuse `address` if a configured account other than slot `except` has it.
    fn ensure_free(&self, address: &str, except: Option<usize>) -> Result<(), PanelError> {
        let taken = self
            .accounts
            .iter()
            .enumerate()
            .any(|(i, a)| Some(i) != except && a.is_configured() && a.has_address(address));
        if taken {
            return Err(PanelError::AccountExists {
                address: address.to_string(),
                platform: self.label(),
            });
        }
        Ok(())
    }

    fn check_quota(&self, address: &str, quota: u64, used: u64) -> Result<(), PanelError> {
        if quota == 0 {
            return Err(PanelError::QuotaZero);
        }
        let max = self.max_quota_bytes();
        if quota > max {
            return Err(PanelError::QuotaAboveMax {
                kind: self.kind.to_string(),
                max: format_bytes(max),
                requested: format_bytes(quota),
            });
        }
        if quota < used {
            return Err(PanelError::QuotaBelowUsage {
                address: address.to_string(),
                used: format_bytes(used),
                requested: format_bytes(quota),
            });
        }
        Ok(())
    }

    /// `slotNN`, the lowest number no slot of this platform uses.
    fn free_placeholder(&self) -> String {
        (1..)
            .map(|n| format!("slot{n:02}"))
            .find(|l| {
                !self
                    .accounts
                    .iter()
                    .any(|a| a.domain == UNCONFIGURED_DOMAIN && a.local_part == *l)
            })
            .expect("an unbounded range has a free number")
    }
}

#[cfg(test)]
mod tests {
    use crate::platform::fixture::{add_account, new_account, platform};
    use crate::{AccountChanges, AccountState, DomainKind, PlatformKind, GB};

    fn exchange() -> crate::Platform {
        platform(PlatformKind::Exchange, "exchange-ab12cd", "example.com", 3)
    }

    #[test]
    fn ordered_slots_are_unconfigured_placeholders() {
        let mut p = exchange();
        assert_eq!(
            p.order_accounts(1),
            vec!["slot04@configureme.me".to_string()]
        );
        let slot = p.account("slot01@configureme.me").unwrap();
        assert_eq!(slot.state, AccountState::Unconfigured);
        assert_eq!(slot.quota_bytes, 50 * GB);
        assert!(slot.password.is_none());
    }

    #[test]
    fn creates_in_the_first_free_slot_with_hashed_password() {
        let mut p = exchange();
        let a = p
            .create_account(new_account("john.smith", "Example.com"))
            .unwrap();
        assert_eq!(a.address(), "john.smith@example.com");
        assert_eq!(a.state, AccountState::Configured);
        assert_eq!(
            a.quota_bytes,
            50 * GB,
            "default quota is the platform maximum"
        );
        assert!(a.verify_password("Sunny-Day42"));
        assert_eq!(p.unconfigured_count(), 2);
        assert!(
            p.account("slot01@configureme.me").is_none(),
            "slot 1 was used"
        );
    }

    #[test]
    fn refuses_a_duplicate_address_case_insensitively() {
        let mut p = exchange();
        p.create_account(new_account("john.smith", "example.com"))
            .unwrap();
        let e = p
            .create_account(new_account("John.Smith", "EXAMPLE.COM"))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "John.Smith@example.com already exists on Exchange exchange-ab12cd"
        );
        assert_eq!(p.unconfigured_count(), 2, "nothing consumed");
    }

    #[test]
    fn refuses_bad_login_foreign_domain_weak_password() {
        let mut p = exchange();
        let e = p
            .create_account(new_account("john..smith", "example.com"))
            .unwrap_err();
        assert!(e.to_string().contains("is not a valid login"), "{e}");
        let e = p
            .create_account(new_account("john", "example.org"))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "example.org is not associated with Exchange exchange-ab12cd: add the domain to the platform first"
        );
        let mut weak = new_account("john", "example.com");
        weak.password = "password".into();
        assert_eq!(
            p.create_account(weak).unwrap_err().to_string(),
            "password too weak: use at least 9 characters with upper case, lower case and a digit"
        );
        assert_eq!(p.configured_accounts().count(), 0);
    }

    #[test]
    fn refuses_a_quota_above_the_platform_max() {
        let mut p = platform(PlatformKind::MxPlan, "mxplan-7f3e21", "example.com", 1);
        let mut n = new_account("john", "example.com");
        n.quota_bytes = Some(6 * GB);
        assert_eq!(
            p.create_account(n.clone()).unwrap_err().to_string(),
            "an MX Plan account holds at most 5 GB: 6 GB is too much"
        );
        n.quota_bytes = Some(0);
        assert!(p
            .create_account(n)
            .unwrap_err()
            .to_string()
            .contains("above 0"));
    }

    #[test]
    fn refuses_when_no_slot_is_free() {
        let mut p = platform(PlatformKind::EmailPro, "emailpro-c4d5e6", "example.com", 1);
        p.create_account(new_account("john", "example.com"))
            .unwrap();
        let e = p
            .create_account(new_account("marie", "example.com"))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "no unconfigured account left on Email Pro emailpro-c4d5e6: order another account first"
        );
        p.order_accounts(1);
        p.create_account(new_account("marie", "example.com"))
            .unwrap();
    }

    #[test]
    fn same_login_on_two_domains_is_two_accounts() {
        let mut p = exchange();
        p.add_domain("example.org", DomainKind::Authoritative)
            .unwrap();
        p.create_account(new_account("john", "example.com"))
            .unwrap();
        p.create_account(new_account("john", "example.org"))
            .unwrap();
        assert_eq!(p.configured_accounts().count(), 2);
    }

    #[test]
    fn modifies_display_name_password_and_quota() {
        let mut p = exchange();
        let addr = add_account(&mut p, "john.smith", "example.com", 3 * GB);
        let a = p
            .modify_account(
                &addr,
                AccountChanges {
                    display_name: Some(" John S. ".into()),
                    password: Some("Rainy-Night7".into()),
                    quota_bytes: Some(10 * GB),
                },
            )
            .unwrap();
        assert_eq!(a.display_name, "John S.");
        assert!(a.verify_password("Rainy-Night7"));
        assert!(!a.verify_password("Sunny-Day42"));
        assert_eq!(a.quota_bytes, 10 * GB);
    }

    #[test]
    fn modify_checks_everything_before_changing_anything() {
        let mut p = exchange();
        let addr = add_account(&mut p, "john.smith", "example.com", 3 * GB);
        let e = p
            .modify_account(
                &addr,
                AccountChanges {
                    display_name: Some("Changed".into()),
                    quota_bytes: Some(2 * GB),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "john.smith@example.com already holds 3 GB: a quota of 2 GB is too small, free some space first"
        );
        assert_eq!(p.account(&addr).unwrap().display_name, "john smith");
        let e = p
            .modify_account(
                &addr,
                AccountChanges {
                    quota_bytes: Some(51 * GB),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "an Exchange account holds at most 50 GB: 51 GB is too much"
        );
        let e = p
            .modify_account(
                &addr,
                AccountChanges {
                    password: Some("weak".into()),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert!(e.to_string().starts_with("password too weak"));
        assert!(p.account(&addr).unwrap().verify_password("Sunny-Day42"));
    }

    #[test]
    fn renames_to_a_free_login_only() {
        let mut p = exchange();
        let john = add_account(&mut p, "john.smith", "example.com", GB);
        add_account(&mut p, "john.smith01", "example.com", 0);
        let e = p.rename_account(&john, "JOHN.SMITH01").unwrap_err();
        assert_eq!(
            e.to_string(),
            "JOHN.SMITH01@example.com already exists on Exchange exchange-ab12cd"
        );
        let r = p.rename_account(&john, "john.smith02").unwrap();
        assert_eq!(r.old, "john.smith@example.com");
        assert_eq!(r.new, "john.smith02@example.com");
        let a = p.account("john.smith02@example.com").unwrap();
        assert_eq!(a.used_bytes, GB, "content stays");
        assert!(p.account("john.smith@example.com").is_none());
        // changing only the case of one's own login is allowed
        p.rename_account("john.smith02@example.com", "John.Smith02")
            .unwrap();
        assert!(p
            .rename_account("John.Smith02@example.com", "a..b")
            .is_err());
    }

    #[test]
    fn operations_on_missing_or_unconfigured_accounts_are_refused() {
        let mut p = exchange();
        let e = p.rename_account("nobody@example.com", "x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "nobody@example.com does not exist on Exchange exchange-ab12cd"
        );
        let e = p
            .modify_account("slot01@configureme.me", AccountChanges::default())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "slot01@configureme.me is an unconfigured account: create it first"
        );
        let e = p.reset_account("slot02@configureme.me").unwrap_err();
        assert_eq!(
            e.to_string(),
            "slot02@configureme.me is already unconfigured: there is nothing to reset"
        );
    }

    #[test]
    fn reset_wipes_unconfigures_and_frees_the_address() {
        let mut p = exchange();
        let addr = add_account(&mut p, "john.smith01", "example.com", 2 * GB);
        let preview = p.reset_preview(&addr).unwrap();
        assert_eq!(preview.address, "john.smith01@example.com");
        assert_eq!(preview.used_bytes, 2 * GB);
        assert!(p.account(&addr).is_some(), "preview changes nothing");
        let wipe = p.reset_account(&addr).unwrap();
        assert_eq!(wipe, preview);
        assert_eq!(wipe.placeholder, "slot01@configureme.me");
        let slot = p.account("slot01@configureme.me").unwrap();
        assert_eq!(slot.state, AccountState::Unconfigured);
        assert_eq!(slot.used_bytes, 0);
        assert!(slot.password.is_none());
        assert!(!slot.verify_password("Sunny-Day42"));
        assert_eq!(p.unconfigured_count(), 3);
        // the address can be created again
        p.create_account(new_account("john.smith01", "example.com"))
            .unwrap();
    }
}
