//! Building the demo sandbox on disk: the panel's demo state, one Maildir store and login
//! file per platform filled with generated mail, and the demo DNS zones. Built in a
//! staging folder and renamed into place, so an interrupted seed leaves nothing half-made.

use std::fs;
use std::path::Path;

use mailshift_panel::DEMO_PASSWORD;

use super::PanelStore;

use super::demo_mail::MailPlan;
use super::demo_zones::demo_zones;
use super::layout::Layout;
use super::saved::{size_key, SavedState};
use super::{login_of, to_imap_name, SandboxError};
use crate::groupware::{self, GroupwareStore};
use crate::{Directory, MailStore};

/// Replace the live sandbox under `home` with a freshly seeded one.
pub fn reseed(home: &Path, seed: u64) -> Result<(), SandboxError> {
    let staging = Layout::staging(home);
    let live = Layout::live(home);
    remove_if_present(staging.root())?;
    mailshift_store::create_private_dir(home).map_err(|e| SandboxError::io(home, e))?;
    write_seed(&staging, seed)?;
    // The ports chosen once survive a reset: mail clients and tasks keep reaching the
    // same endpoints.
    let kept = live.root().join(super::PORTS_FILE);
    if kept.exists() {
        let to = staging.root().join(super::PORTS_FILE);
        fs::copy(&kept, &to).map_err(|e| SandboxError::io(&to, e))?;
    }
    remove_if_present(live.root())?;
    fs::rename(staging.root(), live.root()).map_err(|e| SandboxError::io(live.root(), e))
}

fn remove_if_present(dir: &Path) -> Result<(), SandboxError> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(SandboxError::io(dir, e)),
    }
}

fn groupware_err(platform: &str, source: crate::GroupwareError) -> SandboxError {
    SandboxError::Groupware {
        platform: platform.to_string(),
        source,
    }
}

/// Write the whole demo into `layout` (which must not exist yet).
fn write_seed(layout: &Layout, seed: u64) -> Result<(), SandboxError> {
    let mut panel = mailshift_panel::demo();
    let plan = MailPlan::load()?;
    let mut saved = SavedState {
        zones: demo_zones(&panel)?,
        ..SavedState::default()
    };
    let directories = layout.root().join("directory");
    mailshift_store::create_private_dir(&directories)
        .map_err(|e| SandboxError::io(&directories, e))?;
    for platform in &mut panel.platforms {
        let label = platform.label();
        let mail_err = |source| SandboxError::Mail {
            platform: label.clone(),
            source,
        };
        let store = MailStore::open(layout.mail(&platform.service_name)).map_err(mail_err)?;
        let directory = Directory::new();
        let accounts: Vec<(String, String, u64)> = platform
            .configured_accounts()
            .map(|a| (a.address(), a.display_name.clone(), a.quota_bytes))
            .collect();
        let groupware = match groupware::serves_groupware(platform.kind) {
            true => Some(
                GroupwareStore::open(layout.groupware(&platform.service_name))
                    .map_err(|source| groupware_err(&label, source))?,
            ),
            false => None,
        };
        // One account per groupware platform has its out-of-office switched on.
        let away = (seed % accounts.len().max(1) as u64) as usize;
        for (i, (address, name, quota)) in accounts.into_iter().enumerate() {
            let login = login_of(&address);
            store.create_account(&login).map_err(mail_err)?;
            store.set_quota(&login, Some(quota)).map_err(mail_err)?;
            directory.set_password(&login, DEMO_PASSWORD);
            if let Some(g) = &groupware {
                groupware::demo::seed_account(g, &login, &name, seed, i == away)
                    .map_err(|source| groupware_err(&label, source))?;
            }
            let mut simulated = None;
            if let Some(account) = plan.account(&address) {
                for folder in &account.folders {
                    store
                        .create_folder(&login, &to_imap_name(folder))
                        .map_err(mail_err)?;
                }
                for m in plan.generate(account, &name, seed) {
                    store
                        .append(
                            &login,
                            &to_imap_name(&m.folder),
                            &m.bytes,
                            &m.flags,
                            Some(m.date),
                        )
                        .map_err(mail_err)?;
                }
                simulated = account.simulated_used_bytes;
            }
            if let Some(bytes) = simulated {
                saved
                    .simulated_bytes
                    .insert(size_key(&platform.service_name, &login), bytes);
            }
            let used = store.used_bytes(&login).map_err(mail_err)?;
            platform.set_used_bytes(&address, used.max(simulated.unwrap_or(0)))?;
        }
        directory
            .save(&layout.directory(&platform.service_name))
            .map_err(|source| SandboxError::Logins {
                platform: label.clone(),
                source,
            })?;
    }
    saved.save(&layout.state_file())?;
    // Last: panel.json present means the seed is complete.
    PanelStore::open(layout.panel_dir()).save(&panel)?;
    Ok(())
}
