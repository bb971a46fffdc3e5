//! The project import dialog: a CSV file validated as a whole, then run in the
//! background; its overall progress shows in the status line, its rows on the dashboard.

use std::path::PathBuf;

use futures::{FutureExt, StreamExt};
use mailshift_tasks::project::{
    self, ProjectEvent, ProjectOptions, ProjectProgress, ProjectRecord, ProjectState, ProjectStore,
};
use tokio::sync::mpsc;

use super::Outcome;
use crate::tui::action::Action;
use crate::tui::app::{App, ProjectView, Screen, Status};
use crate::tui::form::{Field, Form, FormKind};

/// i: the import form.
pub fn import_form(app: &mut App) {
    if app.migrator.is_none() {
        let why = app.backend.migrations_refused().unwrap_or_default();
        app.fail(why);
        return;
    }
    app.form = Some(Form::new(
        FormKind::ImportProject,
        "Import a project (CSV)",
        "One row per account; every row is checked before any task starts. Ctrl-W writes a template to fill in.",
        vec![
            Field::text("CSV file", ""),
            Field::text("Tasks at once", "4"),
            Field::text("Per server", "2"),
        ],
    ));
}

fn line(p: &ProjectProgress) -> String {
    p.summary("project")
}

/// The import form was submitted: validate the whole file, then start the project.
pub fn submit(app: &mut App, form: &mut Form) -> Outcome {
    let path = PathBuf::from(form.value(0).trim());
    if path.as_os_str().is_empty() {
        form.refuse(0, "type the path of the CSV file".into());
    }
    let number = |s: &str| {
        s.trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=64).contains(n))
    };
    let global = number(form.value(1));
    if global.is_none() {
        form.refuse(1, "a number from 1 to 64".into());
    }
    let per_server = number(form.value(2));
    if per_server.is_none() {
        form.refuse(2, "a number from 1 to 64".into());
    }
    if form.has_field_errors() {
        return None;
    }
    let file = match project::read_project(&path) {
        Ok(f) => f,
        Err(e) => {
            form.error = Some(e.text_with(&crate::tui::advice::hint));
            return None;
        }
    };
    let m = app.migrator.clone()?;
    let mut results = path.clone().into_os_string();
    results.push(".results.csv");
    let opts = ProjectOptions {
        global: global?,
        per_server: per_server?,
        connections: 2,
        results: PathBuf::from(results),
        file: path.display().to_string(),
    };
    let rows = file.rows.len();
    let (tx, rx) = mpsc::unbounded_channel();
    app.spawn(
        async move {
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
    app.screen = Screen::Project(ProjectView {
        record: None,
        row: 0,
    });
    app.refresh_tasks();
    Some(None)
}

/// A progress line from the running project (status only; not logged each time).
pub fn progress(app: &mut App, text: String) {
    if app.status.as_ref().map(|s| &s.text) != Some(&text) {
        app.status = Some(Status { text, error: false });
        app.dirty = true;
    }
}

/// The project store of this state dir, when migrations run here.
fn store(app: &App) -> Option<ProjectStore> {
    let m = app.migrator.as_ref()?;
    ProjectStore::open(m.state_dir()).ok()
}

/// The most recently changed project of the state dir, if any.
fn latest(app: &App) -> Option<ProjectRecord> {
    let m = app.migrator.as_ref()?;
    let store = store(app)?;
    let dir = m.state_dir().join("projects");
    let newest = std::fs::read_dir(dir)
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

/// o: the project view on the last project.
pub fn show(app: &mut App) {
    if app.migrator.is_none() {
        let why = app.backend.migrations_refused().unwrap_or_default();
        app.fail(why);
        return;
    }
    let record = latest(app);
    if record.is_none() {
        app.inform(
            "no project yet: import a CSV with i (Ctrl-W in the form writes a template)".into(),
        );
    }
    app.screen = Screen::Project(ProjectView { record, row: 0 });
    app.refresh_tasks();
}

/// The project's runner queued it: the view follows this project.
pub fn started(app: &mut App, record: ProjectRecord) {
    app.log_line(format!(
        "project {} queued {} rows",
        record.id,
        record.entries.len()
    ));
    if let Screen::Project(v) = &mut app.screen {
        v.record = Some(record);
    }
}

/// Read the shown project's record again (its state changes in its runner).
pub fn reload(app: &mut App) {
    let Screen::Project(v) = &app.screen else {
        return;
    };
    let Some(id) = v.record.as_ref().map(|r| r.id.clone()) else {
        return;
    };
    let Some(fresh) = store(app).and_then(|s| s.load(&id).ok()) else {
        return;
    };
    if let Screen::Project(v) = &mut app.screen {
        if v.record.as_ref() != Some(&fresh) {
            v.record = Some(fresh);
            app.dirty = true;
        }
    }
}

/// p, r, c: ask the project's runner to pause, resume or cancel.
pub fn request(app: &mut App, what: ProjectState) {
    let Screen::Project(v) = &app.screen else {
        return;
    };
    let Some(id) = v.record.as_ref().map(|r| r.id.clone()) else {
        app.fail("no project shown: import one with i".into());
        return;
    };
    let Some(store) = store(app) else {
        return;
    };
    match store.request(&id, what) {
        Ok(()) => app.inform(match what {
            ProjectState::Paused => format!(
                "pause of {id} asked: running tasks go on, queued ones wait for r"
            ),
            ProjectState::Cancelled => format!(
                "cancel of {id} asked: running tasks stop after their batch, queued ones never start"
            ),
            _ => format!("resume of {id} asked: queued tasks start again"),
        }),
        Err(e) => app.fail(e.to_string()),
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

/// Ctrl-W in the import form: write the template and put its path in the field.
pub fn write_template(app: &mut App) {
    let Some(form) = app.form.as_mut() else {
        return;
    };
    if form.kind != FormKind::ImportProject {
        return;
    }
    let path = template_path(form.value(0));
    match mailshift_store::write_atomic(&path, project::template().as_bytes()) {
        Ok(()) => {
            let shown = std::fs::canonicalize(&path).unwrap_or(path);
            form.fields[0] = Field::text("CSV file", &shown.display().to_string());
            form.error = None;
            app.inform(format!(
                "template written to {}: fill in one row per account, then Enter",
                shown.display()
            ));
        }
        Err(e) => {
            form.error = Some(format!(
                "the template could not be written to {}: {e}",
                path.display()
            ));
        }
    }
}
