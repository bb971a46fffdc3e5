//! The guided migration wizard's actions: open it on the selected account, run the
//! step shown (rename, create, start the task) or move on when it is done, go back
//! without losing what was typed, follow the task, and the keep/reset/DNS ending.

use mailshift_panel::{check_strength, validate_local_part, NewAccount};
use mailshift_tasks::{Credentials, TaskRecord, TaskSpec, TaskState, Tuning};

use crate::tui::action::Action;
use crate::tui::app::{App, Dialog, DnsView, Screen};
use crate::tui::effect::Effect;
use crate::tui::wizard::{Provisional, Wizard, WizardProgress, WizardStep};

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
    let address = a.address();
    if let Some(saved) = app.migrations.find(p.id, &address).cloned() {
        resume(app, &saved);
        return;
    }
    match Wizard::new(app.backend.panel(), p.id, &address) {
        Some(w) => {
            app.log_line(format!("migration wizard for {}", w.address));
            app.show(Screen::Wizard(Box::new(w)));
        }
        None => app.fail("there is no other platform to migrate to: add one first".into()),
    }
}

/// Open the wizard saved in `saved` at the step it reached.
fn resume(app: &mut App, saved: &WizardProgress) {
    let Some(w) = Wizard::restore(app.backend.panel(), saved) else {
        app.fail(format!(
            "the migration of {} names a platform that is gone: it cannot be resumed",
            saved.address
        ));
        return;
    };
    let (n, of) = saved.step_number();
    app.inform(format!(
        "migration of {} resumed at step {n} of {of} ({})",
        w.address,
        w.step.title()
    ));
    let task = w.task_id.as_ref().and_then(|id| app.tasks.get(id)).cloned();
    app.show(Screen::Wizard(Box::new(w)));
    if let Some(rec) = task {
        task_changed(app, &rec);
    }
}

/// Save the open wizard's progress once it changed something.
fn save(app: &mut App) {
    let Some(w) = app.wizard() else {
        return;
    };
    if !w.changed_something() {
        return;
    }
    let progress = w.progress();
    app.migrations.set(progress);
    persist(app);
}

/// Write the wizards' progress as it stands in memory (an effect; a failure is
/// said on the status line).
fn persist(app: &mut App) {
    let store = app.migrations.clone();
    app.queue(Effect::run(
        "save the wizards' progress",
        move |_| match store.save() {
            Ok(()) => Action::Redraw,
            Err(e) => Action::Failed(e),
        },
    ));
}

/// Esc: the previous step (what was typed stays); from the first, close the wizard,
/// asking first when it changed something (continue later, or undo it).
pub fn back(app: &mut App) {
    let Some(w) = app.wizard_mut() else {
        app.show(Screen::Platforms(Default::default()));
        return;
    };
    match w.step.previous() {
        Some(prev) => {
            w.step = prev;
            w.focus = 0;
            w.error = None;
        }
        None if w.changed_something() => {
            let done = done_list(app);
            app.open_dialog(Dialog::LeaveWizard { done });
        }
        None => app.close_wizard(),
    }
}

/// What the open wizard did, one sentence each (the leave dialog lists them).
fn done_list(app: &App) -> Vec<String> {
    let Some(w) = app.wizard() else {
        return Vec::new();
    };
    let panel = app.backend.panel();
    let label = |id| panel.platform(id).map(|p| p.label()).unwrap_or_default();
    let mut out = Vec::new();
    if let Some(r) = &w.renamed_to {
        out.push(format!(
            "{} renamed to {r} on {}",
            w.address,
            label(w.source)
        ));
    }
    if let Some(c) = &w.created {
        out.push(format!("{c} created on {}", label(w.destination_id())));
    }
    if let Some(id) = &w.task_id {
        let state = app
            .tasks
            .get(id)
            .map_or("started".to_string(), |r| r.state.to_string());
        out.push(format!("task {id} {state}"));
    }
    out
}

/// l: leave the wizard; its progress stays saved, `m` on the account resumes it.
pub fn leave_later(app: &mut App) {
    save(app);
    app.close_dialog();
    if let Some(w) = app.wizard() {
        let msg = format!(
            "migration of {} saved at step {}: press m on {} to continue",
            w.address,
            w.step.title(),
            w.provisional_address()
        );
        app.inform(msg);
    }
    app.close_wizard();
}

/// u: undo what the wizard did: remove the account it created on the destination,
/// give the source account its name back, forget the progress.
pub fn undo(app: &mut App) {
    app.close_dialog();
    let Some(w) = app.wizard().cloned() else {
        return;
    };
    if let Some(id) = &w.task_id {
        let state = app.tasks.get(id).map(|r| r.state);
        if matches!(state, Some(TaskState::Running | TaskState::Queued)) {
            app.fail(format!(
                "task {id} is still running: cancel it first (t, then c), then undo"
            ));
            return;
        }
    }
    let (destination, created) = (w.destination_id(), w.created.clone());
    let rename_back = w
        .renamed_to
        .clone()
        .filter(|_| w.outcome != Some(Provisional::Reset))
        .map(|renamed| (w.source, renamed, w.local_part().to_string()));
    app.queue(Effect::run("undo the wizard", move |b| {
        let removed = created.map(|c| b.reset_account(destination, &c));
        // Nothing more once the removal failed: the person retries the undo.
        let renamed_back = match (&removed, rename_back) {
            (Some(Err(_)), _) | (_, None) => None,
            (_, Some((source, renamed, local))) => Some(b.rename_account(source, &renamed, &local)),
        };
        Action::WizardUndone {
            removed,
            renamed_back,
        }
    }));
}

/// The undo ran: say what it undid, or what failed (the wizard then stays open).
pub fn undone(
    app: &mut App,
    removed: Option<Result<(), String>>,
    renamed_back: Option<Result<String, String>>,
) {
    let Some(w) = app.wizard().cloned() else {
        return;
    };
    let mut undone = Vec::new();
    if let (Some(result), Some(created)) = (removed, &w.created) {
        if let Err(e) = result {
            app.fail(format!("{created} could not be removed: {e}"));
            return;
        }
        undone.push(format!("{created} removed from the destination"));
        if let Some(w) = app.wizard_mut() {
            w.created = None;
        }
        save(app);
    }
    if let (Some(result), Some(renamed)) = (renamed_back, &w.renamed_to) {
        if let Err(e) = result {
            app.fail(format!("{renamed} could not be renamed back: {e}"));
            return;
        }
        undone.push(format!("{renamed} renamed back to {}", w.address));
    }
    app.migrations.forget(w.source, &w.address);
    persist(app);
    app.close_wizard();
    app.inform(format!("migration undone: {}", undone.join("; ")));
}

/// Enter: run the step shown, or move on when it is already done.
pub fn submit(app: &mut App) -> Option<Action> {
    let w = app.wizard()?;
    let step = w.step;
    if step == WizardStep::Finish {
        let id = w.task_id.clone();
        let (source, address) = (w.source, w.address.clone());
        app.migrations.forget(source, &address);
        persist(app);
        app.show(Screen::Dashboard);
        if let Some(id) = id {
            app.tasks.select(&id);
        }
        return None;
    }
    if w.is_done(step) && step != WizardStep::Choose {
        let next = step.next()?;
        app.wizard_mut()?.show(next);
        return None;
    }
    let result = match step {
        WizardStep::Choose => choose(app),
        WizardStep::Rename => rename(app),
        WizardStep::Create => create(app),
        WizardStep::Migrate => migrate(app),
        WizardStep::Finish => Ok(()),
    };
    save(app);
    if let Err(e) = result {
        app.log_line(format!("wizard: {e}"));
        if let Some(w) = app.wizard_mut() {
            w.error = Some(e);
        }
    }
    None
}

/// Step 1: can this account go to that platform?
fn choose(app: &mut App) -> Result<(), String> {
    let w = app.wizard().ok_or("no wizard")?;
    if w.renamed_to.is_none() {
        check_destination(app, w)?;
    }
    if let Some(w) = app.wizard_mut() {
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
    let w = app.wizard().ok_or("no wizard")?;
    let login = w.provisional.value().trim().to_string();
    validate_local_part(&login).map_err(|e| e.to_string())?;
    if login.eq_ignore_ascii_case(w.local_part()) {
        return Err(format!(
            "the provisional login must differ from {}: the real address moves to the destination",
            w.local_part()
        ));
    }
    let (source, address) = (w.source, w.address.clone());
    app.queue(Effect::run("rename the source account", move |b| {
        Action::WizardStepDone {
            step: WizardStep::Rename,
            result: b.rename_account(source, &address, &login),
            record: None,
        }
    }));
    Ok(())
}

/// A step's work came back (`step_done`): the wizard moves on, or shows why not.
pub fn step_done(
    app: &mut App,
    step: WizardStep,
    result: Result<String, String>,
    record: Option<Box<TaskRecord>>,
) {
    let done = match result {
        Ok(done) => done,
        Err(e) => {
            app.log_line(format!("wizard: {e}"));
            if let Some(w) = app.wizard_mut() {
                w.error = Some(e);
            }
            save(app);
            return;
        }
    };
    let Some(w) = app.wizard() else {
        return;
    };
    match step {
        WizardStep::Rename => {
            let msg = format!("{} renamed to {done} (provisional)", w.address);
            app.inform(msg);
            if let Some(w) = app.wizard_mut() {
                w.renamed_to = Some(done);
                w.show(WizardStep::Create);
            }
        }
        WizardStep::Create => {
            let label = app
                .backend
                .panel()
                .platform(w.destination_id())
                .map(|p| p.label())
                .unwrap_or_default();
            app.inform(format!("{done} created on {label}"));
            if let Some(w) = app.wizard_mut() {
                w.created = Some(done);
                w.show(WizardStep::Migrate);
            }
        }
        WizardStep::Migrate => {
            if w.task_id.is_some() {
                app.log_line(format!("task {done}: resuming, connecting to both sides"));
            } else {
                app.inform(format!("task {done} started"));
            }
            if let Some(rec) = record {
                app.tasks.upsert(*rec);
            }
            if let Some(w) = app.wizard_mut() {
                w.task_id = Some(done);
                w.error = None;
                // The typed password stays in memory for a retry; the field is done with.
                w.ask_password = false;
                w.focus = 0;
            }
        }
        WizardStep::Choose | WizardStep::Finish => {}
    }
    save(app);
}

/// Step 3: create the real address on the destination.
fn create(app: &mut App) -> Result<(), String> {
    let w = app.wizard().ok_or("no wizard")?;
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
    app.queue(Effect::run("create the destination account", move |b| {
        Action::WizardStepDone {
            step: WizardStep::Create,
            result: b.create_account(dest, new),
            record: None,
        }
    }));
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
    let notify = w.notify.value().trim();
    let notify = if notify.is_empty() {
        None
    } else {
        mailshift_tasks::check_address(notify).map_err(|e| {
            format!("the notification address {notify} is not an e-mail address: {e}")
        })?;
        Some(notify.to_string())
    };
    let mut spec = TaskSpec {
        source,
        destination,
        options,
        notify,
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

/// The destination password typed again after a restart must open the account the
/// wizard created: checked here, before any task exists.
fn check_typed_password(app: &App, w: &Wizard) -> Result<(), String> {
    let created = w
        .created
        .as_deref()
        .ok_or("create the destination account first (step 3)")?;
    let typed = w.dest_password.value();
    if typed.is_empty() {
        return Err(format!(
            "type the password of {created} (the one chosen at step 3): mailshift keeps no password on disk"
        ));
    }
    let ok = app
        .backend
        .panel()
        .platform(w.destination_id())
        .ok()
        .and_then(|p| p.account(created))
        .is_some_and(|a| a.verify_password(typed));
    if !ok {
        return Err(format!(
            "this is not the password of {created}: type the one chosen at step 3"
        ));
    }
    Ok(())
}

/// Step 4: start the task (or resume it after a failure).
fn migrate(app: &mut App) -> Result<(), String> {
    let m = app
        .migrator
        .clone()
        .ok_or_else(|| app.backend.migrations_refused().unwrap_or_default())?;
    let w = app.wizard().ok_or("no wizard")?;
    if w.ask_password {
        check_typed_password(app, w)?;
    }
    let (spec, creds) = task_of(app, w)?;
    let resume = w.task_id.clone();
    if let Some(id) = &resume {
        let state = app.tasks.get(id).map(|r| r.state);
        if state == Some(TaskState::Running) || state == Some(TaskState::Queued) {
            return Err(format!("task {id} is still running: wait for it to end"));
        }
    }
    app.queue(Effect::run("start the wizard's task", move |_| {
        let started = match resume {
            Some(id) => m.resume(&id, creds).map(|_| id),
            None => m.start(spec, creds).map(|h| h.id),
        };
        match started {
            Ok(id) => Action::WizardStepDone {
                step: WizardStep::Migrate,
                record: m.get(&id).map(Box::new),
                result: Ok(id),
            },
            Err(e) => Action::WizardStepDone {
                step: WizardStep::Migrate,
                result: Err(e.to_string()),
                record: None,
            },
        }
    }));
    Ok(())
}

/// A task changed: move the wizard on when its task finished, say why when it did not.
pub fn task_changed(app: &mut App, rec: &TaskRecord) {
    let Some(w) = app.wizard_mut() else {
        saved_task_changed(app, rec);
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
            refresh_usage(app);
            app.inform(msg);
            save(app);
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
    let Some(w) = app.wizard_mut() else {
        return;
    };
    w.outcome = Some(Provisional::Kept);
    let msg = format!(
        "{} kept: it still holds the old copy; reset it later from Email accounts (x)",
        w.provisional_address()
    );
    app.inform(msg);
    save(app);
}

/// x: ask to reset the provisional account (the dialog names what is wiped).
pub fn reset(app: &mut App) {
    let Some(w) = app.wizard() else {
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
        Ok(wipe) => app.open_dialog(Dialog::Reset { platform, wipe }),
        Err(e) => app.fail(e),
    }
}

/// The reset of `address` went through: if it was the wizard's provisional account,
/// say so on the last step.
pub fn provisional_reset(app: &mut App, address: &str) {
    if let Some(w) = app.wizard_mut() {
        if w.provisional_address().eq_ignore_ascii_case(address) {
            w.outcome = Some(Provisional::Reset);
            save(app);
        }
    }
}

/// d: the DNS diagnostic of the migrated domain as the destination expects it.
pub fn dns(app: &mut App) -> Option<Action> {
    let w = app.wizard()?;
    let (platform, domain) = (w.destination_id(), w.domain().to_string());
    app.push_screen(Screen::Dns(DnsView {
        platform,
        domain: domain.clone(),
        row: 0,
    }));
    Some(Action::StartDnsCheck { platform, domain })
}

/// A task changed while its wizard is not open (the person went to another screen):
/// its saved progress reaches the last step when the task finished, as the open
/// wizard's would, so that `m` resumes it there.
fn saved_task_changed(app: &mut App, rec: &TaskRecord) {
    if rec.state != TaskState::Finished {
        return;
    }
    let Some(mut saved) = app
        .migrations
        .items
        .iter()
        .find(|p| p.task_id.as_deref() == Some(rec.id.as_str()) && p.reached < WizardStep::Finish)
        .cloned()
    else {
        return;
    };
    saved.reached = WizardStep::Finish;
    app.migrations.set(saved);
    persist(app);
}

/// Read the mailbox sizes again (a migration changed them), as an effect.
pub fn refresh_usage(app: &mut App) {
    app.queue(Effect::run("read mailbox sizes", |b| {
        b.refresh_usage();
        Action::Redraw
    }));
}
