//! Rolling back the groupware part of a task from its ledger: objects it put (kept when
//! changed since, by ETag), collections it created (kept unless empty), scripts it put
//! (the previous active script comes back first).

use std::path::Path;

use mailshift_dav::{DavClient, DeleteOutcome};
use mailshift_sieve::SieveClient;

use super::ledger::Ledger;
use super::{dav_account, sieve_account, DEFAULT_TIMEOUT};
use crate::spec::TaskSpec;
use mailshift_engine::imap::Secret;

/// What the groupware rollback removed and kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Undone {
    pub items_removed: u64,
    pub collections_removed: Vec<String>,
    pub scripts_removed: Vec<String>,
    pub kept: Vec<String>,
}

/// Undo what the ledger of `task_id` records on the destination of `spec`.
pub(crate) async fn run(
    spec: &TaskSpec,
    dst_secret: &Secret,
    state_dir: &Path,
    task_id: &str,
) -> Result<Undone, String> {
    let mut ledger = Ledger::load(state_dir, task_id)?;
    let mut out = Undone::default();
    if ledger.is_empty() {
        return Ok(out);
    }
    let ep = &spec.destination;
    if !ledger.objects.is_empty() || !ledger.collections.is_empty() {
        let account = dav_account(ep, dst_secret, DEFAULT_TIMEOUT).ok_or(
            "the task created calendars or contacts but its destination has no CalDAV/CardDAV URL any more",
        )?;
        let dav =
            DavClient::new(account).map_err(|e| format!("destination CalDAV/CardDAV: {e}"))?;
        for obj in std::mem::take(&mut ledger.objects) {
            match dav.delete(&obj.href, obj.etag.as_deref()).await {
                Ok(DeleteOutcome::Deleted) => out.items_removed += 1,
                Ok(DeleteOutcome::Gone) => {}
                Ok(DeleteOutcome::Changed) => out.kept.push(format!(
                    "{} was changed on the destination since the migration; kept",
                    obj.href
                )),
                Err(e) => {
                    ledger.objects.push(obj);
                    ledger.save(state_dir, task_id)?;
                    return Err(format!("destination CalDAV/CardDAV: {e}"));
                }
            }
        }
        ledger.save(state_dir, task_id)?;
        for href in std::mem::take(&mut ledger.collections) {
            let left = dav
                .objects(&href)
                .await
                .map(|o| o.len())
                .unwrap_or(usize::MAX);
            if left == 0 {
                match dav.delete(&href, None).await {
                    Ok(_) => out.collections_removed.push(href),
                    Err(e) => out.kept.push(format!("{href} could not be removed: {e}")),
                }
            } else if left != usize::MAX {
                out.kept.push(format!(
                    "{href} holds {left} item(s) the task did not put there; kept"
                ));
            }
        }
        ledger.save(state_dir, task_id)?;
    }
    if !ledger.scripts.is_empty() || ledger.activation.is_some() {
        let account = sieve_account(ep, dst_secret, DEFAULT_TIMEOUT).ok_or(
            "the task created Sieve scripts but its destination has no ManageSieve server any more",
        )?;
        let mut sieve = SieveClient::connect(&account)
            .await
            .map_err(|e| format!("destination ManageSieve: {e}"))?;
        if let Some(a) = ledger.activation.take() {
            let active = sieve
                .list()
                .await
                .map_err(|e| format!("destination ManageSieve: {e}"))?
                .into_iter()
                .find(|s| s.active)
                .map(|s| s.name);
            if active.as_deref() == Some(a.activated.as_str()) {
                sieve
                    .set_active(a.previous.as_deref())
                    .await
                    .map_err(|e| format!("destination ManageSieve: {e}"))?;
            }
        }
        for s in std::mem::take(&mut ledger.scripts) {
            match sieve.delete(&s.name).await {
                Ok(()) => out.scripts_removed.push(s.name),
                Err(mailshift_sieve::SieveError::NotFound { .. }) => {}
                Err(e) => out
                    .kept
                    .push(format!("Sieve script {:?} kept: {e}", s.name)),
            }
        }
        let _ = sieve.logout().await;
        ledger.save(state_dir, task_id)?;
    }
    Ok(out)
}
