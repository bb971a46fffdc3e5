//! The project import dialog: a CSV file validated as a whole, then run in the
//! background; its overall progress shows in the status line, its rows on the dashboard.

use std::path::{Path, PathBuf};

use futures::{FutureExt, StreamExt};
use mailshift_tasks::project::{
    self, ProjectEvent, ProjectOptions, ProjectProgress, ProjectRecord, ProjectState, ProjectStore,
};
use tokio::sync::mpsc;

use super::Outcome;
use crate::tui::action::Action;
use crate::tui::app::{App, ProjectView, Screen, Status};
use crate::tui::effect::Effect;
use crate::tui::form::{Field, FieldKey, Form, FormKind};

/// i: the import form.
pub fn import_form(app: &mut App) {
    if app.migrator.is_none() {
        let why = app.backend.migrations_refused().unwrap_or_default();
        app.fail(why);
        return;
    }
    app.open_form(Form::new(
        FormKind::ImportProject,
        "Import a project (CSV)",
        "One row per account; every row is checked before any task starts. Ctrl-W writes a template to fill in.",
        vec![
            Field::text(FieldKey::CsvFile, ""),
            Field::text(FieldKey::TasksAtOnce, "4"),
            Field::text(FieldKey::PerServer, "2"),
        ],
    ));
}

fn line(p: &ProjectProgress) -> String {
    p.summary("project")
}

/// The import form was submitted: validate the whole file, then start the project.
pub fn submit(app: &mut App, form: &mut Form) -> Outcome {
    let path = PathBuf::from(form.value(FieldKey::CsvFile).trim());
    if path.as_os_str().is_empty() {
        form.refuse(FieldKey::CsvFile, "type the path of the CSV file".into());
    }
    let number = |s: &str| {
        s.trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=64).contains(n))
    };
    let global = number(form.value(FieldKey::TasksAtOnce));
    if global.is_none() {
        form.refuse(FieldKey::TasksAtOnce, "a number from 1 to 64".into());
    }
    let per_server = number(form.value(FieldKey::PerServer));
    if per_server.is_none() {
        form.refuse(FieldKey::PerServer, "a number from 1 to 64".into());
    }
    if form.has_field_errors() {
        return None;
    }
    let (Some(global), Some(per_server)) = (global, per_server) else {
        return None;
    };
    app.migrator.as_ref()?;
    // The whole file is checked by an effect; the form waits for the answer.
    app.queue(Effect::run("read the project file", move |_| {
        let rows = project::read_project(&path)
            .map(|f| f.rows.len())
            .map_err(|e| e.text_with(&crate::tui::advice::hint));
        Action::ProjectChecked {
            path: path.display().to_string(),
            global,
            per_server,
            rows,
        }
    }));
    None
}

/// The project file was read: start the project (the form closes), or show why
/// not in the form.
pub fn checked(
    app: &mut App,
    path: String,
    global: usize,
    per_server: usize,
    rows: Result<usize, String>,
) {
    let mine = |f: &Form| f.kind == FormKind::ImportProject;
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => {
            match app.form_mut().filter(|f| mine(f)) {
                Some(form) => form.error = Some(e),
                None => app.fail(e),
            }
            return;
        }
    };
    let Some(m) = app.migrator.clone() else {
        return;
    };
    if app.form().is_some_and(mine) {
        app.close_form();
    }
    let path = PathBuf::from(path);
    let mut results = path.clone().into_os_string();
    results.push(".results.csv");
    let opts = ProjectOptions {
        global,
        per_server,
        connections: 2,
        results: PathBuf::from(results),
        file: path.display().to_string(),
    };
    let (tx, rx) = mpsc::unbounded_channel();
    app.spawn(
        async move {
            // Read again in the background: the checked file is what runs (a file
            // changed since is checked again and refused as a whole).
            let file = match project::read_project(&path) {
                Ok(f) => f,
                Err(e) => return Action::ProjectEnded(Err(e.to_string())),
            };
            match project::run_project(&m, file, opts.clone(), Some(tx)).await {
                Ok((p, _)) => Action::ProjectEnded(Ok(format!(
                    "project {} {}: results in {}",
                    p.id,
                    p.state,
                    opts.results.display()
                ))),
                Err(e) => Action::ProjectEnded(Err(e.to_string())),
            }
        }
        .boxed(),
    );
    let progress =
        futures::stream::unfold(
            rx,
            |mut rx| async move { rx.recv().await.map(|ev| (ev, rx)) },
        )
        .filter_map(|ev| async move {
            match ev {
                ProjectEvent::Progress(_, p) => Some(Action::ProjectProgress(line(&p))),
                ProjectEvent::Started(r) => Some(Action::ProjectStarted(Box::new(r))),
                ProjectEvent::Ended(..) => None,
            }
        });
    app.add_stream(progress.boxed());
    app.inform(format!("{rows} rows valid: the project starts"));
    show_project(
        app,
        ProjectView {
            record: None,
            row: 0,
        },
    );
    app.refresh_tasks();
}

/// The project view, above the dashboard (Esc goes back to it).
fn show_project(app: &mut App, view: ProjectView) {
    app.show(Screen::Dashboard);
    app.push_screen(Screen::Project(view));
}

/// A progress line from the running project (status only; not logged each time).
pub fn progress(app: &mut App, text: String) {
    if app.status.as_ref().map(|s| &s.text) != Some(&text) {
        app.status = Some(Status { text, error: false });
        app.dirty = true;
    }
}

/// The project store of `state_dir`.
fn store(state_dir: &Path) -> Option<ProjectStore> {
    ProjectStore::open(state_dir).ok()
}

/// The most recently changed project of `state_dir`, if any.
fn latest(state_dir: &Path) -> Option<ProjectRecord> {
    let store = store(state_dir)?;
    let newest = std::fs::read_dir(state_dir.join("projects"))
        .ok()?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let id = name.strip_suffix(".json")?.to_string();
            let modified = e.metadata().ok()?.modified().ok()?;
            Some((modified, id))
        })
        .max()?;
    store.load(&newest.1).ok()
}

/// o: the project view on the last project (read by an effect).
pub fn show(app: &mut App) {
    let Some(m) = app.migrator.clone() else {
        let why = app.backend.migrations_refused().unwrap_or_default();
        app.fail(why);
        return;
    };
    app.queue(Effect::run("read the last project", move |_| {
        Action::ProjectLoaded(latest(m.state_dir()).map(Box::new))
    }));
}

/// The last project was read: show it.
pub fn loaded(app: &mut App, record: Option<ProjectRecord>) {
    if record.is_none() {
        app.inform(
            "no project yet: import a CSV with i (Ctrl-W in the form writes a template)".into(),
        );
    }
    show_project(app, ProjectView { record, row: 0 });
    app.refresh_tasks();
}

/// The project's runner queued it: the view follows this project.
pub fn started(app: &mut App, record: ProjectRecord) {
    app.log_line(format!(
        "project {} queued {} rows",
        record.id,
        record.entries.len()
    ));
    if let Screen::Project(v) = app.screen_mut() {
        v.record = Some(record);
    }
}

/// Read the shown project's record again (its state changes in its runner), as an
/// effect.
pub fn reload(app: &mut App) {
    let Screen::Project(v) = app.screen() else {
        return;
    };
    let Some(id) = v.record.as_ref().map(|r| r.id.clone()) else {
        return;
    };
    let Some(m) = app.migrator.clone() else {
        return;
    };
    app.queue(Effect::run("reload the project", move |_| {
        Action::ProjectReloaded(
            store(m.state_dir())
                .and_then(|s| s.load(&id).ok())
                .map(Box::new),
        )
    }));
}

/// The shown project's record as read again: redraw only when it changed.
pub fn reloaded(app: &mut App, fresh: Option<ProjectRecord>) {
    let Some(fresh) = fresh else {
        return;
    };
    if let Screen::Project(v) = app.screen_mut() {
        let same_project = v.record.as_ref().is_some_and(|r| r.id == fresh.id);
        if same_project && v.record.as_ref() != Some(&fresh) {
            v.record = Some(fresh);
            app.dirty = true;
        }
    }
}

/// p, r, c: ask the project's runner to pause, resume or cancel.
pub fn request(app: &mut App, what: ProjectState) {
    let Screen::Project(v) = app.screen() else {
        return;
    };
    let Some(id) = v.record.as_ref().map(|r| r.id.clone()) else {
        app.fail("no project shown: import one with i".into());
        return;
    };
    let Some(m) = app.migrator.clone() else {
        return;
    };
    app.queue(Effect::run("ask the project runner", move |_| {
        let result = match store(m.state_dir()) {
            Some(store) => store.request(&id, what).map_err(|e| e.to_string()),
            // As before: no store, nothing said.
            None => return Action::Redraw,
        };
        Action::ProjectRequested { id, what, result }
    }));
}

/// The project's runner was asked.
pub fn requested(app: &mut App, id: &str, what: ProjectState, result: Result<(), String>) {
    match result {
        Ok(()) => app.inform(match what {
            ProjectState::Paused => format!(
                "pause of {id} asked: running tasks go on, queued ones wait for r"
            ),
            ProjectState::Cancelled => format!(
                "cancel of {id} asked: running tasks stop after their batch, queued ones never start"
            ),
            _ => format!("resume of {id} asked: queued tasks start again"),
        }),
        Err(e) => app.fail(e),
    }
}

/// The file the template goes to: the path typed in the form when it names no existing
/// file, else `mailshift-project.csv` (numbered when taken) in the current directory.
fn template_path(typed: &str) -> PathBuf {
    let typed = PathBuf::from(typed.trim());
    if !typed.as_os_str().is_empty() && !typed.exists() {
        return typed;
    }
    let dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    (0..1000)
        .map(|n| match n {
            0 => dir.join("mailshift-project.csv"),
            n => dir.join(format!("mailshift-project-{n}.csv")),
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join("mailshift-project.csv"))
}

/// Ctrl-W in the import form: write the template (an effect) and put its path in
/// the field.
pub fn write_template(app: &mut App) {
    let Some(form) = app.form() else {
        return;
    };
    if form.kind != FormKind::ImportProject {
        return;
    }
    let typed = form.value(FieldKey::CsvFile).to_string();
    app.queue(Effect::run("write the project template", move |_| {
        let path = template_path(&typed);
        let result = match mailshift_store::write_atomic(&path, project::template().as_bytes()) {
            Ok(()) => Ok(std::fs::canonicalize(&path)
                .unwrap_or(path)
                .display()
                .to_string()),
            Err(e) => Err(format!(
                "the template could not be written to {}: {e}",
                path.display()
            )),
        };
        Action::TemplateWritten(result)
    }));
}

/// The template was written (its path goes in the form), or why not.
pub fn template_written(app: &mut App, result: Result<String, String>) {
    let Some(form) = app.form_mut().filter(|f| f.kind == FormKind::ImportProject) else {
        return;
    };
    match result {
        Ok(shown) => {
            if let Some(f) = form.field_mut(FieldKey::CsvFile) {
                f.set_text(&shown);
                f.error = None;
            }
            form.error = None;
            app.inform(format!(
                "template written to {shown}: fill in one row per account, then Enter"
            ));
        }
        Err(e) => form.error = Some(e),
    }
}
