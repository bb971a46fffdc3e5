//! The project import dialog: a CSV file validated as a whole, then run in the
//! background; its overall progress shows in the status line, its rows on the dashboard.

use std::path::PathBuf;

use futures::{FutureExt, StreamExt};
use mailshift_tasks::project::{self, ProjectEvent, ProjectOptions, ProjectProgress};
use tokio::sync::mpsc;

use super::Outcome;
use crate::tui::action::Action;
use crate::tui::app::{App, Screen, Status};
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
        "One row per account (see `mailshift project template`); every row is checked before any task starts.",
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
            form.error = Some(e.to_string());
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
                _ => None,
            }
        });
    app.add_stream(progress.boxed());
    app.inform(format!("{rows} rows valid: the project starts"));
    app.screen = Screen::Dashboard;
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
