//! The dashboard's actions and the task results: cancel (confirmed), rollback (within
//! 48 h, with the destination password), resume, follow by ID + source login, the
//! report; the task broadcast and reloads; quitting with tasks running.

use mailshift_tasks::{Credentials, Secret, StepKind, StepState, TaskRecord, TaskState};

use super::Outcome;
use crate::tui::action::Action;
use crate::tui::app::{App, Dialog};
use crate::tui::effect::Effect;
use crate::tui::form::{Field, FieldKey, Form, FormKind};

/// A task's new record: the board, the wizard, the quit wait.
pub fn updated(app: &mut App, rec: TaskRecord) {
    let was_ended = app.tasks.get(&rec.id).map(|r| r.state.is_ended());
    // "resumed" is said once the resumed run has logged in to both sides, not when
    // it was asked for (a sandbox or server that is gone must not read as resumed).
    let connected = |r: &TaskRecord| {
        r.steps
            .iter()
            .any(|s| s.kind == StepKind::Connect && s.state == StepState::Done)
    };
    let prev = app.tasks.get(&rec.id);
    if rec.runs > 1
        && rec.state == TaskState::Running
        && connected(&rec)
        && prev.is_none_or(|p| p.runs < rec.runs || !connected(p))
    {
        app.inform(format!(
            "task {} resumed: connected, continuing where it stopped",
            rec.id
        ));
    }
    super::wizard::task_changed(app, &rec);
    if rec.state.is_ended() && was_ended == Some(false) {
        app.log_line(format!("task {} {}", rec.id, rec.state));
        super::wizard::refresh_usage(app);
    }
    if app.tasks.upsert(rec) {
        app.dirty = true;
    }
    check_quitting(app);
}

/// A full reload from disk.
pub fn refreshed(app: &mut App, records: Vec<TaskRecord>) {
    for rec in &records {
        super::wizard::task_changed(app, rec);
    }
    if app.tasks.replace_all(records) {
        app.dirty = true;
    }
}

fn migrator_or_fail(app: &mut App) -> Option<mailshift_tasks::Migrator> {
    if app.migrator.is_none() {
        let why = app.backend.migrations_refused().unwrap_or_default();
        app.fail(why);
    }
    app.migrator.clone()
}

fn selected_or_fail(app: &mut App) -> Option<TaskRecord> {
    let rec = app.tasks.selected().cloned();
    if rec.is_none() {
        app.fail("no task yet: start one with n (new migration) or m on an account".into());
    }
    rec
}

/// c: ask before cancelling the selected task.
pub fn cancel_dialog(app: &mut App) {
    let Some(rec) = selected_or_fail(app) else {
        return;
    };
    if rec.state.is_ended() {
        app.fail(format!(
            "task {} is {}: nothing to cancel",
            rec.id, rec.state
        ));
        return;
    }
    app.open_dialog(Dialog::Cancel { id: rec.id });
}

/// The cancel was confirmed.
pub fn cancel(app: &mut App, id: &str) {
    let Some(m) = migrator_or_fail(app) else {
        return;
    };
    let id = id.to_string();
    app.queue(Effect::run("cancel a task", move |_| {
        let result = m.cancel(&id).map_err(|e| e.to_string());
        Action::TaskCancelRequested { id, result }
    }));
}

/// b: the rollback form, when the task may still be rolled back.
pub fn rollback_form(app: &mut App) {
    let Some(rec) = selected_or_fail(app) else {
        return;
    };
    let Some(m) = migrator_or_fail(app) else {
        return;
    };
    let until = match m.rollback_until(&rec) {
        Ok(u) => u,
        Err(e) => {
            app.fail(e.to_string());
            return;
        }
    };
    let known = app.backend.known_secret(&rec.spec.destination);
    let mut form = Form::new(
        FormKind::Rollback { id: rec.id.clone() },
        "Roll back",
        &format!(
            "Remove from {} on {}:{} exactly what task {} added ({} messages), and the folders it created if they are empty. The source is not touched. Possible until {} UTC.",
            rec.spec.destination.login,
            rec.spec.destination.host,
            rec.spec.destination.port,
            rec.id,
            rec.report.as_ref().map_or(rec.progress.messages_done, |r| r.copied),
            until.format("%Y-%m-%d %H:%M")
        ),
        vec![Field::secret_with(
            FieldKey::DestPassword,
            known.as_ref().map_or("", |s| s.expose()),
        )],
    );
    form.prompt = crate::tui::keymap::Prompt::Rollback;
    app.open_form(form);
}

/// The rollback form was submitted: run it in the background.
pub fn submit_rollback(app: &mut App, form: &mut Form, id: &str) -> Outcome {
    let password = form.value(FieldKey::DestPassword).to_string();
    if password.is_empty() {
        form.refuse(
            FieldKey::DestPassword,
            "type the destination password: the rollback logs in there".into(),
        );
        return None;
    }
    let m = app.migrator.clone()?;
    let login = app.tasks.get(id)?.spec.source.login.clone();
    let id = id.to_string();
    app.inform(format!("rolling back {id}…"));
    app.spawn(Box::pin(async move {
        let result = m
            .rollback(&id, &login, Secret::new(password))
            .await
            .map(|o| {
                format!(
                    "{} messages and {} folders removed{}{}",
                    o.messages_removed,
                    o.folders_removed.len(),
                    if o.earlier_messages_removed > 0 {
                        format!(
                            " ({} more by an earlier rollback)",
                            o.earlier_messages_removed
                        )
                    } else {
                        String::new()
                    },
                    if o.kept.is_empty() {
                        String::new()
                    } else {
                        format!("; kept: {}", o.kept.join(", "))
                    }
                )
            })
            .map_err(|e| e.to_string());
        crate::tui::Action::RolledBack { id, result }
    }));
    Some(None)
}

/// A rollback ended.
pub fn rolled_back(app: &mut App, id: &str, result: Result<String, String>) {
    match result {
        Ok(what) => app.inform(format!("task {id} rolled back: {what}")),
        Err(e) => app.fail(e),
    }
    app.refresh_tasks();
}

/// r: resume the selected task, asking for passwords this process does not know.
pub fn resume(app: &mut App) {
    let Some(rec) = selected_or_fail(app) else {
        return;
    };
    if !matches!(
        rec.state,
        TaskState::Interrupted | TaskState::Failed | TaskState::Cancelled
    ) {
        app.fail(format!(
            "task {} is {}: only interrupted, failed or cancelled tasks resume",
            rec.id, rec.state
        ));
        return;
    }
    if migrator_or_fail(app).is_none() {
        return;
    }
    if let Some(creds) = app.known_credentials(&rec) {
        start_resume(app, &rec.id, creds, false);
        return;
    }
    let secret = |s: Option<Secret>| s.map(|s| s.expose().to_string()).unwrap_or_default();
    let src = secret(app.backend.known_secret(&rec.spec.source));
    let dst = secret(app.backend.known_secret(&rec.spec.destination));
    let mut form = Form::new(
        FormKind::Resume { id: rec.id.clone() },
        "Resume",
        &format!(
            "Continue task {} where it stopped: {} → {}. Nothing is copied twice.",
            rec.id,
            rec.spec.source.label(),
            rec.spec.destination.label()
        ),
        vec![
            Field::secret_with(FieldKey::SourcePassword, &src),
            Field::secret_with(FieldKey::DestPassword, &dst),
        ],
    );
    form.prompt = crate::tui::keymap::Prompt::Resume;
    app.open_form(form);
}

/// Queue the resume of task `id` (`at_start`: by the start-up, not by the person).
fn start_resume(app: &mut App, id: &str, creds: Credentials, at_start: bool) {
    let Some(m) = app.migrator.clone() else {
        return;
    };
    let id = id.to_string();
    app.queue(Effect::run("resume a task", move |_| {
        let result = m
            .resume(&id, creds)
            .map(|_| m.get(&id).map(Box::new))
            .map_err(|e| e.to_string());
        Action::TaskResumed {
            id,
            result,
            at_start,
        }
    }));
}

/// A resume was asked for: the record, or why not (in the resume form when open).
pub fn resumed(
    app: &mut App,
    id: &str,
    result: Result<Option<Box<TaskRecord>>, String>,
    at_start: bool,
) {
    let mine = |f: &Form| matches!(&f.kind, FormKind::Resume { id: i } if i == id);
    match result {
        Ok(rec) => {
            app.log_line(format!("task {id}: resuming, connecting to both sides"));
            if let Some(r) = rec {
                app.tasks.upsert(*r);
            }
            if app.form().is_some_and(mine) {
                app.close_form();
            }
        }
        Err(e) if at_start => app.log_line(format!("task {id} not resumed: {e}")),
        Err(e) => {
            app.fail(e.clone());
            if let Some(form) = app.form_mut().filter(|f| mine(f)) {
                form.error = Some(e);
            }
        }
    }
}

/// Resume the tasks a previous run left interrupted, when their passwords are
/// known here; the others wait on the dashboard for `r` and their passwords.
pub fn resume_interrupted(app: &mut App) {
    let interrupted: Vec<TaskRecord> = app
        .tasks
        .records
        .iter()
        .filter(|r| r.state == TaskState::Interrupted)
        .cloned()
        .collect();
    for rec in interrupted {
        match app.known_credentials(&rec) {
            Some(creds) => start_resume(app, &rec.id, creds, true),
            None => app.log_line(format!(
                "task {} was interrupted: press r on the tasks screen (t) to resume it with its passwords",
                rec.id
            )),
        }
    }
}

/// The resume form was submitted.
pub fn submit_resume(app: &mut App, form: &mut Form, id: &str) -> Outcome {
    for (key, side) in [
        (FieldKey::SourcePassword, "source"),
        (FieldKey::DestPassword, "destination"),
    ] {
        if form.value(key).is_empty() {
            form.refuse(key, format!("type the {side} password"));
        }
    }
    if form.has_field_errors() {
        return None;
    }
    let creds = Credentials {
        source: Secret::new(form.value(FieldKey::SourcePassword)),
        destination: Secret::new(form.value(FieldKey::DestPassword)),
    };
    // The form stays until the migrator answers (`resumed`).
    start_resume(app, id, creds, false);
    None
}

/// f: the follow form.
pub fn follow_form(app: &mut App) {
    if migrator_or_fail(app).is_none() {
        return;
    }
    app.open_form(Form::new(
        FormKind::Follow,
        "Follow a task",
        "A task's ID (MS-…) and its source login show it here, wherever it runs.",
        vec![
            Field::text(FieldKey::TaskId, ""),
            Field::text(FieldKey::SourceLogin, ""),
        ],
    ));
}

/// The follow form was submitted.
pub fn submit_follow(app: &mut App, form: &mut Form) -> Outcome {
    let id = form.value(FieldKey::TaskId).trim().to_ascii_uppercase();
    let login = form.value(FieldKey::SourceLogin).trim().to_string();
    if id.is_empty() {
        form.refuse(
            FieldKey::TaskId,
            "type the task ID (it looks like MS-7KQ2M4XR9P)".into(),
        );
    }
    if login.is_empty() {
        form.refuse(
            FieldKey::SourceLogin,
            "type the source login the task moves".into(),
        );
    }
    if form.has_field_errors() {
        return None;
    }
    let m = app.migrator.clone()?;
    app.queue(Effect::run("follow a task", move |_| {
        let result = m
            .follow(&id, &login)
            .map(Box::new)
            .map_err(|e| e.to_string());
        Action::TaskFollowed { id, result }
    }));
    None
}

/// The task to follow was found (the dashboard shows it), or not (said in the form).
pub fn followed(app: &mut App, id: &str, result: Result<Box<TaskRecord>, String>) {
    let mine = |f: &Form| f.kind == FormKind::Follow;
    match result {
        Ok(rec) => {
            if app.form().is_some_and(mine) {
                app.close_form();
            }
            app.inform(format!("following task {id} ({})", rec.state));
            app.tasks.upsert(*rec);
            app.tasks.select(id);
            app.show(crate::tui::app::Screen::Dashboard);
        }
        Err(e) => match app.form_mut().filter(|f| mine(f)) {
            Some(form) => form.error = Some(e),
            None => app.fail(e),
        },
    }
}

/// v / Enter: the verification report of the selected task.
pub fn report(app: &mut App) {
    if let Some(rec) = selected_or_fail(app) {
        app.open_dialog(Dialog::Report { id: rec.id });
    }
}

/// q: quit, or ask what to do with the tasks this process runs.
pub fn quit(app: &mut App) {
    let running = app
        .migrator
        .as_ref()
        .map(|m| m.running_here())
        .unwrap_or_default();
    if running.is_empty() {
        app.should_quit = true;
    } else {
        app.open_dialog(Dialog::Quit { running });
    }
}

/// h: hand the running tasks to detached processes, then quit.
pub fn hand_off(app: &mut App) {
    app.close_dialog();
    let Some(m) = app.migrator.clone() else {
        app.should_quit = true;
        return;
    };
    app.inform("handing the running tasks over to background processes…".into());
    app.spawn(Box::pin(async move {
        crate::tui::Action::HandedOff(m.hand_off().await)
    }));
}

/// The hand-off is done: say where each task went, then quit.
pub fn handed_off(app: &mut App, results: Vec<(String, Result<u32, String>)>) {
    for (id, r) in results {
        match r {
            Ok(pid) => app.log_line(format!("task {id} continues in process {pid}")),
            Err(e) => app.log_line(format!("task {id} could not be handed off: {e}")),
        }
    }
    app.should_quit = true;
}

/// c: cancel the running tasks; quit once they have stopped.
pub fn cancel_and_quit(app: &mut App) {
    app.close_dialog();
    if let Some(m) = app.migrator.clone() {
        app.queue(Effect::run("cancel the tasks running here", move |_| {
            m.cancel_all_here();
            Action::CancelledHere
        }));
    }
    app.quitting = true;
    app.inform(
        "cancelling: the steps in progress complete, then mailshift quits (Ctrl-C quits now)"
            .into(),
    );
    check_quitting(app);
}

/// Quit once nothing runs here any more, when quitting was asked for.
pub fn check_quitting(app: &mut App) {
    if app.quitting
        && app
            .migrator
            .as_ref()
            .is_none_or(|m| m.running_here().is_empty())
    {
        app.should_quit = true;
    }
}
