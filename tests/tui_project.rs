//! The panel's project import dialog, driven through actions: a CSV with a bad row
//! is refused with its line, a good one runs every row to the end (sandbox MX Plan
//! accounts to a real Dovecot) and the status line tells the project's outcome.

mod support;
#[path = "support/tui_driver.rs"]
mod tui_driver;

use std::time::Duration;

use mailshift::sandbox_backend::SandboxBackend;
use mailshift::tui::app::Screen;
use mailshift::tui::{render, Action, App, Theme};
use mailshift_panel::DEMO_PASSWORD;
use mailshift_sandbox::{Sandbox, SandboxOptions};
use mailshift_tasks::{Clock, Migrator, TaskState};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use support::{dovecot, layout, snapshot, Home, Layout, PASS};
use tui_driver::Driver;

const HEADER: &str = "src_type,src_host,src_port,src_security,src_login,src_password,dst_type,dst_host,dst_port,dst_security,dst_login,dst_password,options,notify\n";

#[test]
fn a_csv_project_is_checked_then_run_from_the_dashboard() {
    let Some(dst) = dovecot(layout(Layout::Slash)) else {
        return;
    };
    let home = Home::new();
    let mut driver = Driver::new();
    let sandbox = driver
        .rt
        .block_on(Sandbox::start(
            home.path(),
            SandboxOptions {
                clock_factor: 0.0,
                ..SandboxOptions::default()
            },
        ))
        .expect("sandbox starts");
    let migrator = Migrator::open(home.path(), Clock::system()).expect("migrator");
    let port = sandbox.panel().platforms[0].endpoints.imap_port;
    let mut app = {
        let _g = driver.rt.enter();
        App::new(
            Box::new(SandboxBackend::with_migrator(sandbox, migrator.clone())),
            Theme::MONO,
        )
    };
    let mut rows = String::new();
    for (login, user) in [
        ("marie.dupont@example.com", "marie"),
        ("paul.martin@example.com", "paul"),
    ] {
        dst.add_user(user, PASS).unwrap();
        rows.push_str(&format!(
            "mxplan,127.0.0.1,{port},none,{login},env:SRC_PW,exchange,127.0.0.1,{},none,{user},env:DST_PW,emails,\n",
            dst.port()
        ));
    }
    std::env::set_var("SRC_PW", DEMO_PASSWORD);
    std::env::set_var("DST_PW", PASS);
    let bad = home.path().join("bad.csv");
    std::fs::write(&bad, format!("{HEADER}{rows}mxplan,127.0.0.1,{port},none,,env:SRC_PW,imap,h,1,none,x,env:DST_PW,emails,\n")).unwrap();
    let good = home.path().join("good.csv");
    std::fs::write(&good, format!("{HEADER}{rows}")).unwrap();

    driver.act(&mut app, &[Action::ShowDashboard, Action::ImportProject]);
    assert!(app.form().is_some(), "the import form opens");
    driver.type_text(&mut app, bad.to_str().unwrap());
    driver.act(&mut app, &[Action::Submit]);
    let err = app.form().and_then(|f| f.error.clone()).expect("refused");
    assert!(err.contains("line 4") && err.contains("src_login"), "{err}");
    // Shown as a list: each row problem on a line of its own, starting with its line.
    let shown = screen_text(&app, 120, 36);
    assert!(
        shown.lines().any(|l| l.contains("• line 4")),
        "one bullet per row problem:\n{shown}"
    );
    assert!(migrator.tasks().is_empty(), "nothing started");

    driver.act(
        &mut app,
        &[Action::Edit(tui_input::InputRequest::DeleteLine)],
    );
    driver.type_text(&mut app, good.to_str().unwrap());
    driver.act(&mut app, &[Action::Submit]);
    assert!(
        app.form().is_none(),
        "{:?}",
        app.form().and_then(|f| f.error.clone())
    );
    assert!(
        matches!(app.screen(), Screen::Project(_)),
        "the project view follows it"
    );
    let ended = driver.run_until(&mut app, Duration::from_secs(120), |a| {
        a.status
            .as_ref()
            .is_some_and(|s| s.text.starts_with("project PJ-"))
    });
    assert!(
        ended,
        "the project ends: {:?}",
        app.status.as_ref().map(|s| &s.text)
    );
    let status = app.status.as_ref().unwrap().text.clone();
    assert!(
        status.contains("finished") && status.contains("good.csv.results.csv"),
        "{status}"
    );
    let tasks = migrator.tasks();
    assert_eq!(tasks.len(), 2);
    assert!(
        tasks.iter().all(|t| t.state == TaskState::Finished),
        "{tasks:?}"
    );
    for user in ["marie", "paul"] {
        assert!(snapshot(&dst, user).total_messages() > 0, "{user} got mail");
    }
}

/// The app on a fresh sandbox, and the migrator behind it.
fn sandbox_app(driver: &Driver, home: &Home) -> (App, Migrator) {
    let sandbox = driver
        .rt
        .block_on(Sandbox::start(
            home.path(),
            SandboxOptions {
                clock_factor: 0.0,
                ..SandboxOptions::default()
            },
        ))
        .expect("sandbox starts");
    let migrator = Migrator::open(home.path(), Clock::system()).expect("migrator");
    let app = {
        let _g = driver.rt.enter();
        App::new(
            Box::new(SandboxBackend::with_migrator(sandbox, migrator.clone())),
            Theme::MONO,
        )
    };
    (app, migrator)
}

fn port_of(app: &App, service: &str) -> u16 {
    app.backend
        .panel()
        .platform_by_service(service)
        .unwrap()
        .endpoints
        .imap_port
}

#[test]
fn a_row_asking_for_all_options_runs_with_what_both_sides_hold() {
    let home = Home::new();
    let mut driver = Driver::new();
    let (mut app, migrator) = sandbox_app(&driver, &home);
    let (mx, ex) = (
        port_of(&app, "mxplan-7f3e21"),
        port_of(&app, "exchange-ab12cd"),
    );
    std::env::set_var("SANDBOX_PW", DEMO_PASSWORD);
    let csv = home.path().join("all.csv");
    std::fs::write(
        &csv,
        format!("{HEADER}mxplan,127.0.0.1,{mx},none,john.smith@example.com,env:SANDBOX_PW,exchange,127.0.0.1,{ex},none,thomas.leroy@example.org,env:SANDBOX_PW,all,\n"),
    )
    .unwrap();
    driver.act(&mut app, &[Action::ShowDashboard, Action::ImportProject]);
    driver.type_text(&mut app, csv.to_str().unwrap());
    driver.act(&mut app, &[Action::Submit]);
    assert!(
        app.form().is_none(),
        "{:?}",
        app.form().and_then(|f| f.error.clone())
    );
    let ended = driver.run_until(&mut app, Duration::from_secs(120), |a| {
        a.status
            .as_ref()
            .is_some_and(|s| s.text.starts_with("project ") && !s.text.starts_with("project:"))
    });
    let status = app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(ended, "{status}");
    assert!(
        !status.contains("--"),
        "no command-line flag in the panel: {status}"
    );
    let tasks = migrator.tasks();
    assert_eq!(tasks.len(), 1, "{status}");
    assert_eq!(
        tasks[0].state,
        TaskState::Finished,
        "{status} {:?}",
        tasks[0].error
    );
}

/// The screen as text.
fn screen_text(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| render(app, f)).unwrap();
    let buf = terminal.backend().buffer();
    (0..height)
        .map(|y| (0..width).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

fn shown_state(app: &App) -> Option<mailshift_tasks::project::ProjectState> {
    match app.screen() {
        Screen::Project(v) => v.record.as_ref().map(|r| r.state),
        _ => None,
    }
}

#[test]
fn the_project_view_pauses_resumes_and_cancels_and_the_template_is_written() {
    use mailshift_tasks::project::ProjectState;
    let home = Home::new();
    let mut driver = Driver::new();
    let (mut app, migrator) = sandbox_app(&driver, &home);

    // The template: Ctrl-W writes it where the field says, and the field names it.
    driver.act(&mut app, &[Action::ShowDashboard, Action::ImportProject]);
    let template = home.path().join("mine.csv");
    driver.type_text(&mut app, template.to_str().unwrap());
    driver.act(&mut app, &[Action::WriteTemplate]);
    let written = std::fs::read_to_string(&template).expect("template written");
    assert!(
        written.lines().any(|l| l.starts_with("src_type,src_host,")),
        "{written}"
    );
    let status = app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(status.contains("mine.csv"), "{status}");
    driver.act(&mut app, &[Action::Back]);

    let (mx, ex) = (
        port_of(&app, "mxplan-7f3e21"),
        port_of(&app, "exchange-ab12cd"),
    );
    std::env::set_var("SANDBOX_PW", DEMO_PASSWORD);
    let mut rows = String::new();
    for (src, dst) in [
        ("john.smith", "claire.moreau"),
        ("marie.dupont", "thomas.leroy"),
        ("paul.martin", "lucas.petit"),
    ] {
        rows.push_str(&format!("mxplan,127.0.0.1,{mx},none,{src}@example.com,env:SANDBOX_PW,exchange,127.0.0.1,{ex},none,{dst}@example.org,env:SANDBOX_PW,emails,\n"));
    }
    let csv = home.path().join("three.csv");
    std::fs::write(&csv, format!("{HEADER}{rows}")).unwrap();
    driver.act(&mut app, &[Action::ImportProject]);
    driver.type_text(&mut app, csv.to_str().unwrap());
    // One task at a time, so that queued rows wait while paused.
    driver.act(
        &mut app,
        &[
            Action::NextField,
            Action::Edit(tui_input::InputRequest::DeleteLine),
        ],
    );
    driver.type_text(&mut app, "1");
    driver.act(&mut app, &[Action::Submit]);
    assert!(
        app.form().is_none(),
        "{:?}",
        app.form().and_then(|f| f.error.clone())
    );
    let long = Duration::from_secs(120);
    assert!(driver.run_until(&mut app, long, |a| shown_state(a).is_some()));
    let view = screen_text(&app, 120, 36);
    assert!(
        view.contains("three.csv") && view.contains("3 rows"),
        "{view}"
    );
    assert!(view.contains("john.smith@example.com"), "{view}");

    driver.act(&mut app, &[Action::PauseProject]);
    assert!(
        driver.run_until(&mut app, long, |a| shown_state(a)
            == Some(ProjectState::Paused)),
        "the view shows the project paused: {:?}",
        shown_state(&app)
    );
    driver.act(&mut app, &[Action::ResumeProject]);
    assert!(driver.run_until(&mut app, long, |a| shown_state(a)
        == Some(ProjectState::Running)));
    driver.act(&mut app, &[Action::CancelProject]);
    assert!(
        driver.run_until(&mut app, long, |a| a
            .status
            .as_ref()
            .is_some_and(|s| s.text.starts_with("project PJ-"))),
        "the project ends"
    );
    driver.act(&mut app, &[Action::Tick]);
    assert_eq!(shown_state(&app), Some(ProjectState::Cancelled));
    let tasks = migrator.tasks();
    assert_eq!(tasks.len(), 3);
    assert!(
        tasks.iter().all(|t| t.state.is_ended()),
        "no task left queued: {:?}",
        tasks.iter().map(|t| t.state).collect::<Vec<_>>()
    );
    let view = screen_text(&app, 80, 24);
    assert!(view.contains("cancelled"), "{view}");
}
