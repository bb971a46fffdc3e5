//! The guided migration wizard's actions: open it on the selected account, run the
//! step shown (rename, create, start the task) or move on when it is done, go back
//! without losing what was typed, follow the task, and the keep/reset/DNS ending.

use mailshift_panel::{check_strength, validate_local_part, NewAccount};
use mailshift_tasks::{Credentials, TaskRecord, TaskSpec, TaskState, Tuning};

use crate::tui::action::Action;
use crate::tui::app::{App, Dialog, DnsView, Screen};
use crate::tui::wizard::{Provisional, Wizard, WizardStep};

/// Open the wizard on the account selected in the accounts table.
pub fn open(app: &mut App) {
    let (Some(p), Some(a)) = (app.selected_platform(), app.selected_account()) else {
        return;
    };
    if !a.is_configured() {
        let msg = format!(
            "{} is a free slot: there is nothing to migrate",
            a.address()
        );
        app.fail(msg);
        return;
    }
    match Wizard::new(app.backend.panel(), p.id, &a.address()) {
        Some(w) => {
            app.log_line(format!("migration wizard for {}", w.address));
            app.wizard = Some(w);
            app.screen = Screen::Wizard;
        }
        None => app.fail("there is no other platform to migrate to: add one first".into()),
    }
}

/// Esc: the previous step (what was typed stays), or close the wizard from the first.
pub fn back(app: &mut App) {
    let Some(w) = app.wizard.as_mut() else {
        app.screen = Screen::Platforms;
        return;
    };
    match w.step.previous() {
        Some(prev) => {
            w.step = prev;
            w.focus = 0;
            w.error = None;
        }
        None => {
            app.wizard = None;
            app.screen = Screen::Platforms;
        }
    }
}

/// Enter: run the step shown, or move on when it is already done.
pub fn submit(app: &mut App) -> Option<Action> {
    let w = app.wizard.as_ref()?;
    let step = w.step;
    if step == WizardStep::Finish {
        let id = w.task_id.clone();
        app.wizard = None;
        app.screen = Screen::Dashboard;
        if let Some(id) = id {
            app.tasks.select(&id);
        }
        return None;
    }
    if w.is_done(step) && step != WizardStep::Choose {
        let next = step.next()?;
        app.wizard.as_mut()?.show(next);
        return None;
    }
    let result = match step {
        WizardStep::Choose => choose(app),
        WizardStep::Rename => rename(app),
        WizardStep::Create => create(app),
        WizardStep::Migrate => migrate(app),
        WizardStep::Finish => Ok(()),
    };
    if let Err(e) = result {
        app.log_line(format!("wizard: {e}"));
        if let Some(w) = app.wizard.as_mut() {
            w.error = Some(e);
        }
    }
    None
}

/// Step 1: can this account go to that platform?
fn choose(app: &mut App) -> Result<(), String> {
    let w = app.wizard.as_ref().ok_or("no wizard")?;
    if w.renamed_to.is_none() {
        check_destination(app, w)?;
    }
    if let Some(w) = app.wizard.as_mut() {
        w.show(WizardStep::Rename);
    }
    Ok(())
}

/// Why the chosen destination cannot receive the account, if it cannot.
pub fn check_destination(app: &App, w: &Wizard) -> Result<(), String> {
    if let Some(why) = app.backend.migrations_refused() {
        return Err(why);
    }
    let panel = app.backend.panel();
    let dest = panel
        .platform(w.destination_id())
        .map_err(|e| e.to_string())?;
    let check = w
        .precheck(panel)
        .ok_or("the account is gone: reopen the wizard")?;
    if let Some(why) = check.blocked {
        return Err(why);
    }
    if dest.domain(w.domain()).is_none() {
        return Err(format!(
            "{} is not associated with {}: add it there (Associated domains, a) as non-authoritative, then retry",
            w.domain(),
            dest.label()
        ));
    }
    if dest.account(&w.address).is_some_and(|a| a.is_configured()) {
        return Err(format!(
            "{} already exists on {}: pick another destination or reset it there first",
            w.address,
            dest.label()
        ));
    }
    if dest.unconfigured_count() == 0 {
        return Err(format!(
            "{} has no free account slot: order one, or reset an unused account there",
            dest.label()
        ));
    }
    Ok(())
}

/// Step 2: rename the source account to its provisional name.
fn rename(app: &mut App) -> Result<(), String> {
    let w = app.wizard.as_ref().ok_or("no wizard")?;
    let login = w.provisional.value().trim().to_string();
    validate_local_part(&login).map_err(|e| e.to_string())?;
    if login.eq_ignore_ascii_case(w.local_part()) {
        return Err(format!(
            "the provisional login must differ from {}: the real address moves to the destination",
            w.local_part()
        ));
    }
    let (source, address) = (w.source, w.address.clone());
    let new = app.backend.rename_account(source, &address, &login)?;
    app.inform(format!("{address} renamed to {new} (provisional)"));
    if let Some(w) = app.wizard.as_mut() {
        w.renamed_to = Some(new);
        w.show(WizardStep::Create);
    }
    Ok(())
}

/// Step 3: create the real address on the destination.
fn create(app: &mut App) -> Result<(), String> {
    let w = app.wizard.as_ref().ok_or("no wizard")?;
    let password = w.dest_password.value().to_string();
    check_strength(&password, w.local_part()).map_err(|e| e.to_string())?;
    let new = NewAccount {
        local_part: w.local_part().to_string(),
        domain: w.domain().to_string(),
        display_name: w.dest_display.value().trim().to_string(),
        password,
        quota_bytes: None,
    };
    let dest = w.destination_id();
    let address = app.backend.create_account(dest, new)?;
    let label = app
        .backend
        .panel()
        .platform(dest)
        .map(|p| p.label())
        .unwrap_or_default();
    app.inform(format!("{address} created on {label}"));
    if let Some(w) = app.wizard.as_mut() {
        w.created = Some(address);
        w.show(WizardStep::Migrate);
    }
    Ok(())
}

/// The task the wizard runs and its credentials.
fn task_of(app: &App, w: &Wizard) -> Result<(TaskSpec, Credentials), String> {
    let provisional = w
        .renamed_to
        .clone()
        .ok_or("rename the account first (step 2)")?;
    let created = w
        .created
        .clone()
        .ok_or("create the destination account first (step 3)")?;
    let source = app
        .backend
        .imap_endpoint(w.source, &provisional)
        .ok_or("the source platform is gone")?;
    let destination = app
        .backend
        .imap_endpoint(w.destination_id(), &created)
        .ok_or("the destination platform is gone")?;
    let src_secret = app.backend.known_secret(&source).ok_or_else(|| {
        format!(
            "mailshift does not know the password of {provisional}: use New migration (t, n) and type it"
        )
    })?;
    let dst_secret = match app.backend.known_secret(&destination) {
        Some(s) => s,
        None => mailshift_tasks::Secret::new(w.dest_password.value()),
    };
    let options = w
        .precheck(app.backend.panel())
        .map(|p| p.allowed)
        .unwrap_or_else(mailshift_panel::migration::OptionSet::emails);
    let mut spec = TaskSpec {
        source,
        destination,
        options,
        notify: None,
        tuning: Tuning::default(),
        project: None,
    };
    for (option, why) in spec.drop_unserved() {
        tracing::info!(%option, "left out of the wizard's migration: {why}");
    }
    Ok((
        spec,
        Credentials {
            source: src_secret,
            destination: dst_secret,
        },
    ))
}

/// Step 4: start the task (or resume it after a failure).
fn migrate(app: &mut App) -> Result<(), String> {
    let m = app
        .migrator
        .clone()
        .ok_or_else(|| app.backend.migrations_refused().unwrap_or_default())?;
    if tokio::runtime::Handle::try_current().is_err() {
        return Err("no async runtime to run the task in: this is a bug, please report it".into());
    }
    let w = app.wizard.as_ref().ok_or("no wizard")?;
    let (spec, creds) = task_of(app, w)?;
    let id = match w.task_id.clone() {
        Some(id) => {
            let state = app.tasks.get(&id).map(|r| r.state);
            if state == Some(TaskState::Running) || state == Some(TaskState::Queued) {
                return Err(format!("task {id} is still running: wait for it to end"));
            }
            m.resume(&id, creds).map_err(|e| e.to_string())?;
            app.inform(format!("task {id} resumed"));
            id
        }
        None => {
            let handle = m.start(spec, creds).map_err(|e| e.to_string())?;
            let id = handle.id.clone();
            app.inform(format!("task {id} started"));
            id
        }
    };
    if let Some(rec) = m.get(&id) {
        app.tasks.upsert(rec);
    }
    if let Some(w) = app.wizard.as_mut() {
        w.task_id = Some(id);
        w.error = None;
    }
    Ok(())
}

/// A task changed: move the wizard on when its task finished, say why when it did not.
pub fn task_changed(app: &mut App, rec: &TaskRecord) {
    let Some(w) = app.wizard.as_mut() else {
        return;
    };
    if w.task_id.as_deref() != Some(rec.id.as_str()) || w.reached == WizardStep::Finish {
        return;
    }
    match rec.state {
        TaskState::Finished => {
            w.reached = WizardStep::Finish;
            if w.step == WizardStep::Migrate {
                w.show(WizardStep::Finish);
            }
            let msg = format!(
                "task {} finished: every message is on the destination",
                rec.id
            );
            app.backend.refresh_usage();
            app.inform(msg);
        }
        TaskState::Failed
        | TaskState::Cancelled
        | TaskState::Interrupted
        | TaskState::RolledBack => {
            let why = rec
                .error
                .clone()
                .unwrap_or_else(|| format!("task {} is {}", rec.id, rec.state));
            w.error = Some(format!(
                "{why} — fix it, then press Enter to retry (the copy continues where it stopped)"
            ));
        }
        TaskState::Queued | TaskState::Running => {}
    }
}

/// k: keep the provisional account.
pub fn keep(app: &mut App) {
    let Some(w) = app.wizard.as_mut() else {
        return;
    };
    w.outcome = Some(Provisional::Kept);
    let msg = format!(
        "{} kept: it still holds the old copy; reset it later from Email accounts (x)",
        w.provisional_address()
    );
    app.inform(msg);
}

/// x: ask to reset the provisional account (the dialog names what is wiped).
pub fn reset(app: &mut App) {
    let Some(w) = app.wizard.as_ref() else {
        return;
    };
    if w.outcome == Some(Provisional::Reset) {
        return;
    }
    let (platform, address) = (w.source, w.provisional_address());
    let preview = app
        .backend
        .panel()
        .platform(platform)
        .map_err(|e| e.to_string())
        .and_then(|p| p.reset_preview(&address).map_err(|e| e.to_string()));
    match preview {
        Ok(wipe) => app.dialog = Some(Dialog::Reset { platform, wipe }),
        Err(e) => app.fail(e),
    }
}

/// The reset of `address` went through: if it was the wizard's provisional account,
/// say so on the last step.
pub fn provisional_reset(app: &mut App, address: &str) {
    if let Some(w) = app.wizard.as_mut() {
        if w.provisional_address().eq_ignore_ascii_case(address) {
            w.outcome = Some(Provisional::Reset);
        }
    }
}

/// d: the DNS diagnostic of the migrated domain as the destination expects it.
pub fn dns(app: &mut App) -> Option<Action> {
    let w = app.wizard.as_ref()?;
    let (platform, domain) = (w.destination_id(), w.domain().to_string());
    app.screen = Screen::Dns(DnsView {
        platform,
        domain: domain.clone(),
        row: 0,
    });
    Some(Action::StartDnsCheck { platform, domain })
}
