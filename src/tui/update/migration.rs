//! The New migration form's actions: open it, test both connections in the
//! background, and start the task (its ID shows on the dashboard).

use mailshift_tasks::Credentials;
use mailshift_tasks::{Secret, Side};

use super::Outcome;
use crate::tui::action::Action;
use crate::tui::advice;
use crate::tui::app::{App, Screen};
use crate::tui::effect::Effect;
use crate::tui::form::FieldKey;
use crate::tui::form::{Form, FormKind};
use crate::tui::migration_form::{self, draft, side_endpoint};
use mailshift_tasks::TaskRecord;

/// n on the dashboard: an empty form.
pub fn open(app: &mut App) {
    app.connection_tests.clear();
    let mut form = migration_form::new_form(app.backend.panel());
    migration_form::refresh(&mut form, app.backend.panel(), &[]);
    app.open_form(form);
}

/// The password of one side: typed, or known to this process.
fn secret(
    app: &App,
    form: &Form,
    side: Side,
    ep: &mailshift_tasks::EndpointSpec,
) -> Option<Secret> {
    match form.value(migration_form::password_key(side)) {
        "" => app.backend.known_secret(ep),
        typed => Some(Secret::new(typed)),
    }
}

/// Ctrl-T: log in to both sides in the background.
pub fn test_connection(app: &mut App) {
    let Some((at, mut form)) = app.take_form() else {
        return;
    };
    if form.kind != FormKind::NewMigration {
        app.put_form(at, form);
        return;
    }
    form.clear_errors();
    app.connection_tests.clear();
    for side in [Side::Source, Side::Destination] {
        let ep = match side_endpoint(&form, app.backend.panel(), side) {
            Ok(ep) => ep,
            Err(errors) => {
                for (i, e) in errors {
                    form.refuse(i, e);
                }
                continue;
            }
        };
        let Some(secret) = secret(app, &form, side, &ep) else {
            form.refuse(
                migration_form::password_key(side),
                format!("type the {side} password"),
            );
            continue;
        };
        app.spawn(Box::pin(async move {
            let result = mailshift_tasks::test_connection(&ep, side, secret)
                .await
                .map_err(|f| advice::failure(&f));
            Action::ConnectionTested { side, result }
        }));
    }
    app.inform("testing the connections…".into());
    app.put_form(at, form);
}

/// A connection test ended: show it under the form.
pub fn tested(app: &mut App, side: Side, result: Result<String, String>) {
    app.log_line(match &result {
        Ok(what) => format!("{side} connection: {what}"),
        Err(why) => format!("{side} connection: {why}"),
    });
    app.connection_tests.retain(|(s, _)| *s != side);
    app.connection_tests.push((side, result));
    app.connection_tests
        .sort_by_key(|(s, _)| *s == Side::Destination);
    if let Some((at, mut form)) = app.take_form() {
        if form.kind == FormKind::NewMigration {
            migration_form::refresh(&mut form, app.backend.panel(), &app.connection_tests);
        }
        app.put_form(at, form);
    }
}

/// Enter: start the task.
pub fn submit(app: &mut App, form: &mut Form) -> Outcome {
    let d = match draft(form, app.backend.panel()) {
        Ok(d) => d,
        Err(errors) => {
            for (i, e) in errors {
                form.refuse(i, e);
            }
            return None;
        }
    };
    let mut d = d;
    // A side on one of the panel's platforms gets that platform's groupware services.
    for ep in [&mut d.spec.source, &mut d.spec.destination] {
        let platform = app.backend.panel().platforms.iter().find(|p| {
            let e = crate::tui::backend::platform_endpoint(p, "");
            e.host == ep.host && e.port == ep.port
        });
        if let Some(full) = platform.and_then(|p| app.backend.imap_endpoint(p.id, &ep.login)) {
            ep.groupware = full.groupware;
        }
    }
    let src = secret(app, form, Side::Source, &d.spec.source);
    let dst = secret(app, form, Side::Destination, &d.spec.destination);
    if src.is_none() {
        form.refuse(FieldKey::SrcPassword, "type the source password".into());
    }
    if dst.is_none() {
        form.refuse(
            FieldKey::DstPassword,
            "type the destination password".into(),
        );
    }
    let (Some(source), Some(destination)) = (src, dst) else {
        return None;
    };
    if app.migrator.is_none() {
        form.error = app.backend.migrations_refused();
        return None;
    }
    // Log in to both sides first: a wrong password or server is refused here, in the
    // form, before any task exists. The task starts when both logins succeed.
    let (src_ep, dst_ep) = (d.spec.source.clone(), d.spec.destination.clone());
    let (s_secret, d_secret) = (source.clone(), destination.clone());
    app.pending_start = Some((
        d.spec,
        Credentials {
            source,
            destination,
        },
    ));
    app.connection_tests.clear();
    form.error = None;
    app.spawn(Box::pin(async move {
        let src = mailshift_tasks::test_connection(&src_ep, Side::Source, s_secret)
            .await
            .map_err(|f| advice::failure(&f));
        let dst = mailshift_tasks::test_connection(&dst_ep, Side::Destination, d_secret)
            .await
            .map_err(|f| advice::failure(&f));
        Action::StartChecked(vec![(Side::Source, src), (Side::Destination, dst)])
    }));
    app.inform("checking both logins before starting…".into());
    None
}

/// Both logins of a start were tried: start the task when both succeeded, else say
/// which side refused, in the form (nothing was started).
pub fn start_checked(app: &mut App, results: Vec<(Side, Result<String, String>)>) {
    let Some((spec, creds)) = app.pending_start.take() else {
        return;
    };
    let Some((at, mut form)) = app.take_form() else {
        return;
    };
    if form.kind != FormKind::NewMigration {
        app.put_form(at, form);
        return;
    }
    let refused: Vec<String> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().err().cloned())
        .collect();
    app.connection_tests = results;
    migration_form::refresh(&mut form, app.backend.panel(), &app.connection_tests);
    if !refused.is_empty() {
        form.error = Some(format!("nothing was started: {}", refused.join("; ")));
        app.fail("the task was not started: fix the login in the form".into());
        app.put_form(at, form);
        return;
    }
    let Some(m) = app.migrator.clone() else {
        form.error = app.backend.migrations_refused();
        app.put_form(at, form);
        return;
    };
    // The form stays until the migrator answers (`task_started`).
    app.put_form(at, form);
    app.queue(Effect::run("start a task", move |_| {
        Action::TaskStarted(
            m.start(spec, creds)
                .map(|h| {
                    let rec = m.get(&h.id).map(Box::new);
                    (h.id, rec)
                })
                .map_err(|e| advice::with_hint(&e.to_string(), e.remedy())),
        )
    }));
}

/// The task of the New migration form started (the dashboard shows it), or why not
/// (in the form).
pub fn task_started(app: &mut App, result: Result<(String, Option<Box<TaskRecord>>), String>) {
    let mine = |f: &Form| f.kind == FormKind::NewMigration;
    match result {
        Ok((id, rec)) => {
            if app.form().is_some_and(mine) {
                app.close_form();
            }
            if let Some(rec) = rec {
                app.tasks.upsert(*rec);
            }
            app.tasks.select(&id);
            app.show(Screen::Dashboard);
            app.inform(format!(
                "task {id} started: follow it here, or later with its ID and the source login"
            ));
        }
        Err(e) => match app.form_mut().filter(|f| mine(f)) {
            Some(form) => form.error = Some(e),
            None => app.fail(e),
        },
    }
}
