//! The guided migration wizard driven headless through actions against the sandbox:
//! the refusals and retries a person meets, then the whole flow for
//! john.smith@example.com from MX Plan to Exchange (renamed source, created
//! destination, every message on it, task finished, provisional account reset).

mod support;
#[path = "support/tui_driver.rs"]
mod tui_driver;

use std::time::Duration;

use mailshift::sandbox_backend::{sandbox_relay, SandboxBackend};
use mailshift::tui::app::{Dialog, Screen, Tab};
use mailshift::tui::wizard::{Provisional, WizardStep};
use mailshift::tui::{Action, App, Theme};
use mailshift_panel::DEMO_PASSWORD;
use mailshift_sandbox::{Sandbox, SandboxOptions};
use mailshift_tasks::{Clock, Migrator, TaskState};
use support::{non_empty, Home, MailboxSnapshot, Oracle};
use tui_driver::Driver;

const DEST_PASSWORD: &str = "Exchange-Pass-2026";
const TIMEOUT: Duration = Duration::from_secs(90);

fn snap(port: u16, user: &str, pass: &str) -> MailboxSnapshot {
    let mut o = Oracle::login("127.0.0.1", port, user, pass).expect("login");
    let s = o.snapshot().expect("snapshot");
    let _ = o.logout();
    s
}

struct Setup {
    driver: Driver,
    app: App,
    _home: Home,
}

fn setup() -> Setup {
    let home = Home::new();
    let driver = Driver::new();
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
    let backend = SandboxBackend::with_migrator(sandbox, migrator);
    let app = {
        let _g = driver.rt.enter();
        App::new(Box::new(backend), Theme::MONO)
    };
    let mut s = Setup {
        driver,
        app,
        _home: home,
    };
    let ok = s
        .driver
        .run_until(&mut s.app, TIMEOUT, |a| a.checking.is_empty());
    assert!(ok, "the startup DNS checks end");
    s
}

fn port(app: &App, service: &str) -> u16 {
    app.backend
        .panel()
        .platform_by_service(service)
        .unwrap()
        .endpoints
        .imap_port
}

/// Select `address` on the platform `service` in the accounts tab.
fn select_account(s: &mut Setup, service: &str, address: &str) {
    let app = &mut s.app;
    app.home_mut().platform = app
        .backend
        .panel()
        .platforms
        .iter()
        .position(|p| p.service_name == service)
        .unwrap();
    s.driver
        .act(&mut s.app, &[Action::ShowAccounts, Action::FocusTable]);
    let app = &mut s.app;
    assert_eq!(app.home().tab, Tab::Accounts);
    app.home_mut().account_row = app
        .selected_platform()
        .unwrap()
        .accounts
        .iter()
        .position(|a| a.has_address(address))
        .unwrap();
}

fn wizard_error(app: &App) -> String {
    app.wizard()
        .and_then(|w| w.error.clone())
        .unwrap_or_default()
}

#[test]
fn the_guided_flow_moves_john_smith_from_mx_plan_to_exchange() {
    let mut s = setup();
    let mx_port = port(&s.app, "mxplan-7f3e21");
    let ex_port = port(&s.app, "exchange-ab12cd");
    let before = non_empty(snap(mx_port, "john.smith@example.com", DEMO_PASSWORD));
    assert!(before.total_messages() > 10, "the demo account has mail");

    select_account(&mut s, "mxplan-7f3e21", "john.smith@example.com");
    s.driver.act(&mut s.app, &[Action::MigrateAccount]);
    assert!(matches!(s.app.screen(), Screen::Wizard(_)));

    // Email Pro does not hold example.com: the first step says so and what to do.
    s.driver.act(
        &mut s.app,
        &[Action::Edit(tui_input::InputRequest::GoToNextChar)],
    );
    s.driver.act(&mut s.app, &[Action::Submit]);
    let e = wizard_error(&s.app);
    assert!(
        e.contains("example.com is not associated with Email Pro"),
        "{e}"
    );
    assert!(e.contains("Associated domains"), "{e}");
    // Back to Exchange: the refusal goes, the step can be retried.
    s.driver.act(
        &mut s.app,
        &[Action::Edit(tui_input::InputRequest::GoToPrevChar)],
    );
    assert!(wizard_error(&s.app).is_empty(), "a change clears the error");
    s.driver.act(&mut s.app, &[Action::Submit]);
    assert_eq!(s.app.wizard().unwrap().step, WizardStep::Rename);

    // A taken provisional name is refused by the platform; a free one goes through.
    s.driver.act(
        &mut s.app,
        &[Action::Edit(tui_input::InputRequest::DeleteLine)],
    );
    s.driver.type_text(&mut s.app, "marie.dupont");
    s.driver.act(&mut s.app, &[Action::Submit]);
    assert!(!wizard_error(&s.app).is_empty(), "marie.dupont is taken");
    assert_eq!(s.app.wizard().unwrap().step, WizardStep::Rename);
    s.driver.act(
        &mut s.app,
        &[Action::Edit(tui_input::InputRequest::DeleteLine)],
    );
    s.driver.type_text(&mut s.app, "john.smith01");
    s.driver.act(&mut s.app, &[Action::Submit]);
    let w = s.app.wizard().unwrap();
    assert_eq!(w.step, WizardStep::Create, "{:?}", w.error);
    assert_eq!(w.renamed_to.as_deref(), Some("john.smith01@example.com"));

    // Back keeps what was done and typed; the rename does not run twice.
    s.driver.act(&mut s.app, &[Action::Back, Action::Submit]);
    assert_eq!(s.app.wizard().unwrap().step, WizardStep::Create);

    // A weak password is refused with the reason; a good one creates the account.
    s.driver.act(&mut s.app, &[Action::NextField]);
    s.driver.type_text(&mut s.app, "weak");
    s.driver.act(&mut s.app, &[Action::Submit]);
    assert!(
        wizard_error(&s.app).contains("weak"),
        "{}",
        wizard_error(&s.app)
    );
    s.driver.act(
        &mut s.app,
        &[Action::Edit(tui_input::InputRequest::DeleteLine)],
    );
    s.driver.type_text(&mut s.app, DEST_PASSWORD);
    s.driver.act(&mut s.app, &[Action::Submit]);
    let w = s.app.wizard().unwrap();
    assert_eq!(w.step, WizardStep::Migrate, "{:?}", w.error);

    // The migration runs as a task; the wizard follows it to the end.
    s.driver.act(&mut s.app, &[Action::Submit]);
    let id = s
        .app
        .wizard()
        .and_then(|w| w.task_id.clone())
        .unwrap_or_else(|| panic!("a task starts: {}", wizard_error(&s.app)));
    let finished = s.driver.run_until(&mut s.app, TIMEOUT, |a| {
        a.wizard()
            .is_some_and(|w| w.step == WizardStep::Finish || w.error.is_some())
    });
    assert!(finished, "the task ends in time");
    assert_eq!(
        s.app.wizard().unwrap().step,
        WizardStep::Finish,
        "{}",
        wizard_error(&s.app)
    );
    let rec = s.app.tasks.get(&id).expect("the dashboard lists the task");
    assert_eq!(rec.state, TaskState::Finished);
    assert_eq!(rec.progress.messages_done as usize, before.total_messages());

    // The panel: source renamed, destination created.
    let panel = s.app.backend.panel();
    let mx = panel.platform_by_service("mxplan-7f3e21").unwrap();
    let ex = panel.platform_by_service("exchange-ab12cd").unwrap();
    assert!(mx.account("john.smith01@example.com").is_some());
    assert!(mx.account("john.smith@example.com").is_none());
    assert!(ex
        .account("john.smith@example.com")
        .is_some_and(|a| a.is_configured()));

    // Every message is on the destination, byte for byte.
    let after = non_empty(snap(ex_port, "john.smith@example.com", DEST_PASSWORD));
    let diff = before.diff(&after);
    assert!(diff.is_empty(), "{diff}");

    // The ending: reset the provisional account after the confirmation.
    s.driver.act(&mut s.app, &[Action::ResetProvisional]);
    match s.app.dialog() {
        Some(Dialog::Reset { wipe, .. }) => assert_eq!(wipe.address, "john.smith01@example.com"),
        other => panic!("a reset confirmation, not {other:?}"),
    }
    s.driver.act(&mut s.app, &[Action::Confirm]);
    assert_eq!(s.app.wizard().unwrap().outcome, Some(Provisional::Reset));
    let mx = s
        .app
        .backend
        .panel()
        .platform_by_service("mxplan-7f3e21")
        .unwrap();
    assert!(mx.account("john.smith01@example.com").is_none());

    // DNS diagnostic of example.com as Exchange expects it, then back to the wizard.
    s.driver.act(&mut s.app, &[Action::WizardDns]);
    assert!(matches!(&s.app.screen(), Screen::Dns(v) if v.domain == "example.com"));
    s.driver.act(&mut s.app, &[Action::Back]);
    assert!(matches!(s.app.screen(), Screen::Wizard(_)));

    // Closing shows the task on the dashboard; nothing runs, so q quits at once.
    s.driver.act(&mut s.app, &[Action::Submit]);
    assert!(matches!(s.app.screen(), Screen::Dashboard));
    assert_eq!(s.app.tasks.selected().map(|r| r.id.clone()), Some(id));
    s.driver.act(&mut s.app, &[Action::Quit]);
    assert!(s.app.should_quit);
}

#[test]
fn follow_finds_a_task_only_with_its_source_login() {
    let mut s = setup();
    // A New migration towards an Exchange login that does not exist is refused at
    // Start, in the form, before any task exists; the right login then starts it.
    s.driver
        .act(&mut s.app, &[Action::ShowDashboard, Action::NewMigration]);
    let form = s.app.form_mut().expect("the form opens");
    use mailshift::tui::form::FieldKey;
    form.field_mut(FieldKey::SrcType).unwrap().select("MX Plan");
    s.driver.act(
        &mut s.app,
        &[Action::Edit(tui_input::InputRequest::GoToEnd)],
    );
    let form = s.app.form_mut().unwrap();
    form.focus_on(FieldKey::SrcLogin);
    s.driver.type_text(&mut s.app, "marie.dupont@example.com");
    s.app.form_mut().unwrap().focus_on(FieldKey::DstLogin);
    s.driver.type_text(&mut s.app, "nobody@example.org");
    s.app.form_mut().unwrap().focus_on(FieldKey::DstPassword);
    s.driver.type_text(&mut s.app, "Wrong-Pass-1234");
    // Exchange is the destination (chosen in its field: the URL follows the choice).
    s.app.form_mut().unwrap().focus_on(FieldKey::DstPlatform);
    s.app
        .form_mut()
        .unwrap()
        .field_mut(FieldKey::DstPlatform)
        .unwrap()
        .select("Exchange exchange-ab12cd");
    s.driver.act(
        &mut s.app,
        &[Action::Edit(tui_input::InputRequest::GoToEnd)],
    );
    s.driver.act(&mut s.app, &[Action::Submit]);
    let refused = s.driver.run_until(&mut s.app, TIMEOUT, |a| {
        a.form().is_some_and(|f| f.error.is_some())
    });
    let e = s
        .app
        .form()
        .and_then(|f| f.error.clone())
        .unwrap_or_default();
    assert!(refused, "{e}");
    assert!(
        e.contains("nothing was started") && e.contains("login refused"),
        "{e}"
    );
    let shown = mailshift::tui::advice::for_panel(&e);
    assert!(
        !shown.contains("--") && !shown.contains("MAILSHIFT_"),
        "the panel shows field advice, not flags: {shown}"
    );
    assert!(
        shown.contains("login refused") && shown.contains("check the destination password field"),
        "the panel names the field to change: {shown}"
    );
    assert!(s.app.tasks.records.is_empty(), "no task exists");
    s.app.form_mut().unwrap().focus_on(FieldKey::DstLogin);
    s.driver.act(
        &mut s.app,
        &[Action::Edit(tui_input::InputRequest::DeleteLine)],
    );
    s.driver.type_text(&mut s.app, "thomas.leroy@example.org");
    s.app.form_mut().unwrap().focus_on(FieldKey::DstPassword);
    s.driver.act(
        &mut s.app,
        &[Action::Edit(tui_input::InputRequest::DeleteLine)],
    );
    s.driver.type_text(&mut s.app, DEMO_PASSWORD);
    s.driver.act(&mut s.app, &[Action::Submit]);
    let started = s.driver.run_until(&mut s.app, TIMEOUT, |a| {
        a.form().is_none() || a.form().is_some_and(|f| f.error.is_some())
    });
    assert!(
        started && s.app.form().is_none(),
        "{:?}",
        s.app.form().map(|f| f.error.clone())
    );
    let id = s.app.tasks.selected().unwrap().id.clone();
    let ended = s.driver.run_until(&mut s.app, TIMEOUT, |a| {
        a.tasks.get(&id).is_some_and(|r| r.state.is_ended())
    });
    assert!(ended);

    s.driver.act(&mut s.app, &[Action::FollowTask]);
    s.driver.type_text(&mut s.app, &id);
    s.driver.act(&mut s.app, &[Action::NextField]);
    s.driver.type_text(&mut s.app, "someone.else@example.com");
    s.driver.act(&mut s.app, &[Action::Submit]);
    let e = s
        .app
        .form()
        .and_then(|f| f.error.clone())
        .unwrap_or_default();
    assert!(e.contains("no such task"), "{e}");
    s.driver.act(
        &mut s.app,
        &[Action::Edit(tui_input::InputRequest::DeleteLine)],
    );
    s.driver.type_text(&mut s.app, "Marie.Dupont@example.com");
    s.driver.act(&mut s.app, &[Action::Submit]);
    assert!(s.app.form().is_none(), "followed");
    assert_eq!(s.app.tasks.selected().unwrap().id, id);
}

/// Restart the panel on the same data dir: a new sandbox and migrator on `home`.
fn restart(s: Setup) -> Setup {
    let Setup { driver, app, _home } = s;
    // Quit as the panel does: the backend's shutdown is awaited, after which the
    // sandbox's kept ports are free (the restart binds the same ones, first try).
    driver.rt.block_on(app.backend.shutdown());
    assert!(
        !_home.path().join("sandbox").join("host.json").exists(),
        "the sandbox no longer names this process as its host"
    );
    let sandbox = driver
        .rt
        .block_on(Sandbox::start(
            _home.path(),
            SandboxOptions {
                clock_factor: 0.0,
                ..SandboxOptions::default()
            },
        ))
        .expect("the sandbox restarts on its kept ports at once");
    let migrator = Migrator::open(_home.path(), Clock::system()).expect("migrator");
    migrator.set_relay(Some(sandbox_relay(&sandbox)));
    let backend = SandboxBackend::with_migrator(sandbox, migrator);
    let app = {
        let _g = driver.rt.enter();
        App::new(Box::new(backend), Theme::MONO)
    };
    let mut s = Setup { driver, app, _home };
    assert!(s
        .driver
        .run_until(&mut s.app, TIMEOUT, |a| a.checking.is_empty()));
    s
}

fn account_names(app: &App, service: &str) -> Vec<String> {
    app.backend
        .panel()
        .platform_by_service(service)
        .unwrap()
        .configured_accounts()
        .map(|a| a.address())
        .collect()
}

#[test]
fn leaving_after_the_rename_asks_keeps_the_progress_across_a_restart_and_undo_restores() {
    let mut s = setup();
    select_account(&mut s, "mxplan-7f3e21", "paul.martin@example.com");
    s.driver
        .act(&mut s.app, &[Action::MigrateAccount, Action::Submit]);
    s.driver.act(&mut s.app, &[Action::Submit]);
    let w = s.app.wizard().unwrap();
    assert_eq!(
        w.renamed_to.as_deref(),
        Some("paul.martin01@example.com"),
        "{:?}",
        w.error
    );

    // Esc three times: back to the first step, then the question (not a silent close).
    s.driver
        .act(&mut s.app, &[Action::Back, Action::Back, Action::Back]);
    assert!(matches!(s.app.screen(), Screen::Wizard(_)));
    let Some(Dialog::LeaveWizard { done }) = s.app.dialog() else {
        panic!("leaving asks: {:?}", s.app.dialog());
    };
    assert!(
        done.iter()
            .any(|d| d.contains("renamed to paul.martin01@example.com")),
        "{done:?}"
    );
    // Continue later: the list marks the account, and it survives a restart.
    s.driver.act(&mut s.app, &[Action::LeaveWizardLater]);
    assert!(s.app.wizard().is_none() && s.app.dialog().is_none());
    assert!(s
        .app
        .migrations
        .find(
            s.app
                .backend
                .panel()
                .platform_by_service("mxplan-7f3e21")
                .unwrap()
                .id,
            "paul.martin01@example.com"
        )
        .is_some());

    let mut s = restart(s);
    assert!(account_names(&s.app, "mxplan-7f3e21").contains(&"paul.martin01@example.com".into()));
    select_account(&mut s, "mxplan-7f3e21", "paul.martin01@example.com");
    s.driver.act(&mut s.app, &[Action::MigrateAccount]);
    let w = s.app.wizard().expect("m resumes the wizard");
    assert_eq!(w.step, WizardStep::Create, "resumed at its step");
    assert_eq!(w.address, "paul.martin@example.com");
    assert_eq!(
        w.provisional_address(),
        "paul.martin01@example.com",
        "no second rename (paul.martin0101)"
    );

    // Create, then leave and undo: the account is removed, the name given back.
    s.driver.act(&mut s.app, &[Action::NextField]);
    s.driver.type_text(&mut s.app, DEST_PASSWORD);
    s.driver.act(&mut s.app, &[Action::Submit]);
    assert_eq!(
        s.app.wizard().unwrap().step,
        WizardStep::Migrate,
        "{}",
        wizard_error(&s.app)
    );
    assert!(account_names(&s.app, "exchange-ab12cd").contains(&"paul.martin@example.com".into()));
    s.driver.act(
        &mut s.app,
        &[Action::Back, Action::Back, Action::Back, Action::Back],
    );
    assert!(matches!(s.app.dialog(), Some(Dialog::LeaveWizard { .. })));
    s.driver.act(&mut s.app, &[Action::UndoWizard]);
    assert!(s.app.wizard().is_none(), "{:?}", s.app.status);
    let mx = account_names(&s.app, "mxplan-7f3e21");
    assert!(mx.contains(&"paul.martin@example.com".into()), "{mx:?}");
    assert!(!mx.contains(&"paul.martin01@example.com".into()), "{mx:?}");
    let ex = account_names(&s.app, "exchange-ab12cd");
    assert!(!ex.contains(&"paul.martin@example.com".into()), "{ex:?}");
    assert!(
        s.app.migrations.items.is_empty(),
        "nothing left in progress"
    );
    // And the undo holds across a restart.
    let s = restart(s);
    assert!(s.app.migrations.items.is_empty());
    assert!(account_names(&s.app, "mxplan-7f3e21").contains(&"paul.martin@example.com".into()));
}

#[test]
fn a_resumed_wizard_asks_the_destination_password_again_and_checks_it_before_the_task() {
    let mut s = setup();
    select_account(&mut s, "mxplan-7f3e21", "paul.martin@example.com");
    s.driver.act(
        &mut s.app,
        &[Action::MigrateAccount, Action::Submit, Action::Submit],
    );
    s.driver.act(&mut s.app, &[Action::NextField]);
    s.driver.type_text(&mut s.app, DEST_PASSWORD);
    s.driver.act(&mut s.app, &[Action::Submit]);
    assert_eq!(s.app.wizard().unwrap().step, WizardStep::Migrate);
    s.driver.act(
        &mut s.app,
        &[
            Action::Back,
            Action::Back,
            Action::Back,
            Action::Back,
            Action::LeaveWizardLater,
        ],
    );
    let mut s = restart(s);
    select_account(&mut s, "mxplan-7f3e21", "paul.martin01@example.com");
    s.driver.act(&mut s.app, &[Action::MigrateAccount]);
    let w = s.app.wizard().unwrap();
    assert_eq!(w.step, WizardStep::Migrate);
    assert!(w.takes_text(), "the password field is shown");
    s.driver.type_text(&mut s.app, "Wrong-Pass-2026");
    s.driver.act(&mut s.app, &[Action::Submit]);
    assert!(
        wizard_error(&s.app).contains("not the password"),
        "{}",
        wizard_error(&s.app)
    );
    assert!(s.app.wizard().unwrap().task_id.is_none(), "no task exists");
    assert!(s.app.tasks.records.is_empty(), "no task exists");
    s.driver.act(
        &mut s.app,
        &[Action::Edit(tui_input::InputRequest::DeleteLine)],
    );
    s.driver.type_text(&mut s.app, DEST_PASSWORD);
    // The notification address is checked as an address before the task starts.
    s.driver.act(&mut s.app, &[Action::NextField]);
    s.driver.type_text(&mut s.app, "not-an-address");
    s.driver.act(&mut s.app, &[Action::Submit]);
    assert!(
        wizard_error(&s.app).contains("not an e-mail address"),
        "{}",
        wizard_error(&s.app)
    );
    assert!(s.app.tasks.records.is_empty(), "no task exists");
    s.driver.act(
        &mut s.app,
        &[Action::Edit(tui_input::InputRequest::DeleteLine)],
    );
    s.driver.type_text(&mut s.app, "boss@outside.example");
    s.driver.act(&mut s.app, &[Action::Submit]);
    assert!(
        s.app.wizard().unwrap().task_id.is_some(),
        "{}",
        wizard_error(&s.app)
    );
    let finished = s.driver.run_until(&mut s.app, TIMEOUT, |a| {
        a.wizard()
            .is_some_and(|w| w.step == WizardStep::Finish || w.error.is_some())
    });
    assert!(finished);
    assert_eq!(
        s.app.wizard().unwrap().step,
        WizardStep::Finish,
        "{}",
        wizard_error(&s.app)
    );
    let id = s.app.wizard().unwrap().task_id.clone().unwrap();
    assert_eq!(
        s.app.tasks.get(&id).unwrap().spec.notify.as_deref(),
        Some("boss@outside.example")
    );
    // The completion e-mail to that outside address lands in the notifications
    // mailbox the panel shows (e on the dashboard).
    s.driver.act(&mut s.app, &[Action::ShowNotifications]);
    let Some(Dialog::ClientSettings(n)) = s.app.dialog().cloned() else {
        panic!("{:?}", s.app.status);
    };
    let (host, port) = (n.rows[0].server.clone(), n.rows[0].port.unwrap());
    let start = std::time::Instant::now();
    loop {
        let got = snap_any(&host, port, &n.address, DEMO_PASSWORD);
        if got > 0 {
            break;
        }
        assert!(start.elapsed() < TIMEOUT, "the completion e-mail arrives");
        std::thread::sleep(Duration::from_millis(200));
    }
    s.driver.act(&mut s.app, &[Action::Back]);
    // Closing the last step ends the migration: nothing stays in progress.
    s.driver.act(&mut s.app, &[Action::Submit]);
    assert!(s.app.migrations.items.is_empty());
}

/// How many messages `user` holds (0 when the login fails).
fn snap_any(host: &str, port: u16, user: &str, pass: &str) -> u64 {
    let Ok(mut o) = Oracle::login(host, port, user, pass) else {
        return 0;
    };
    let n = o.snapshot().map(|s| s.total_messages() as u64).unwrap_or(0);
    let _ = o.logout();
    n
}

#[test]
fn client_settings_of_a_sandbox_account_are_the_servers_it_runs_and_a_client_logs_in() {
    let mut s = setup();
    select_account(&mut s, "exchange-ab12cd", "thomas.leroy@example.org");
    s.driver.act(&mut s.app, &[Action::ShowClientSettings]);
    let Some(Dialog::ClientSettings(c)) = s.app.dialog().cloned() else {
        panic!("s shows the settings: {:?}", s.app.status);
    };
    assert!(c.local, "the sandbox's own servers");
    let imap = &c.rows[0];
    assert_eq!(imap.service, "IMAP");
    assert_eq!(imap.port, Some(port(&s.app, "exchange-ab12cd")));
    // A mail client pointed at these values reads the mailbox.
    let mut o = Oracle::login(
        &imap.server,
        imap.port.unwrap(),
        "thomas.leroy@example.org",
        DEMO_PASSWORD,
    )
    .expect("a client logs in with the settings shown");
    assert!(o.snapshot().expect("snapshot").total_messages() > 0);
    let _ = o.logout();
    let smtp = c.rows.iter().find(|r| r.service == "SMTP").unwrap();
    let relay = s.app.backend.local_smtp().unwrap();
    assert_eq!(smtp.port, Some(relay.port));
    // Its relay password is shown masked, then as it is once revealed (v).
    let masked = c.smtp_password_text().expect("the relay password is shown");
    assert!(
        !masked.is_empty() && masked.chars().all(|ch| ch == '•'),
        "{masked}"
    );
    assert_ne!(masked, relay.password.expose());
    s.driver.act(&mut s.app, &[Action::RevealSecret]);
    let Some(Dialog::ClientSettings(c)) = s.app.dialog().cloned() else {
        panic!("the settings stay open");
    };
    let shown = c.smtp_password_text().unwrap();
    // A client sends through the relay with the login and password shown: the
    // message lands in the notifications mailbox, which `e` then lists.
    let sent = mailshift_notify::Relay {
        host: smtp.server.clone(),
        port: smtp.port.unwrap(),
        security: mailshift_notify::SmtpSecurity::None,
        user: Some(relay.user.clone()),
        password: Some(mailshift_notify::Secret::new(shown)),
        from: "someone@example.net".into(),
        ca_file: None,
        insecure: false,
        timeout: mailshift_notify::Relay::DEFAULT_TIMEOUT,
    };
    let notice = mailshift_notify::Notice {
        to: "someone@outside.invalid".into(),
        subject: "Checked through the relay".into(),
        text: "hello".into(),
    };
    s.driver
        .rt
        .block_on(mailshift_notify::send(&sent, &notice))
        .expect("the relay accepts the password shown");
    assert!(
        c.rows
            .iter()
            .any(|r| r.service == "CalDAV/CardDAV" && r.server.starts_with("http://127.0.0.1:")),
        "{c:?}"
    );
    s.driver.act(&mut s.app, &[Action::Back]);
    assert!(s.app.dialog().is_none());

    // The notifications mailbox: where completion e-mails to outside addresses land.
    s.driver.act(
        &mut s.app,
        &[Action::ShowDashboard, Action::ShowNotifications],
    );
    let Some(Dialog::ClientSettings(n)) = s.app.dialog().cloned() else {
        panic!("e shows the notifications mailbox: {:?}", s.app.status);
    };
    assert_eq!(n.address, mailshift_sandbox::NOTIFICATIONS_LOGIN);
    let listed = n.notices.clone().expect("the notifications are listed");
    assert!(
        listed
            .iter()
            .any(|m| m.subject == "Checked through the relay"),
        "{listed:?}"
    );
    let o = Oracle::login(
        &n.rows[0].server,
        n.rows[0].port.unwrap(),
        &n.address,
        DEMO_PASSWORD,
    )
    .expect("the notifications mailbox opens with the values shown");
    let _ = o.logout();
}

/// The wizard gives way to the dashboard while its task runs (a top-level screen
/// replaces it): its saved progress still reaches the last step when the task
/// finishes, and `m` on the account opens it there.
#[test]
fn a_wizard_left_for_the_dashboard_is_saved_at_its_end_when_its_task_finishes() {
    let mut s = setup();
    select_account(&mut s, "mxplan-7f3e21", "john.smith@example.com");
    s.driver
        .act(&mut s.app, &[Action::MigrateAccount, Action::Submit]);
    assert_eq!(s.app.wizard().unwrap().step, WizardStep::Rename);
    s.driver.act(&mut s.app, &[Action::Submit]);
    s.driver.act(&mut s.app, &[Action::NextField]);
    s.driver.type_text(&mut s.app, DEST_PASSWORD);
    s.driver.act(&mut s.app, &[Action::Submit]);
    assert_eq!(
        s.app.wizard().unwrap().step,
        WizardStep::Migrate,
        "{}",
        wizard_error(&s.app)
    );
    s.driver.act(&mut s.app, &[Action::Submit]);
    let id = s
        .app
        .wizard()
        .and_then(|w| w.task_id.clone())
        .unwrap_or_else(|| panic!("a task starts: {}", wizard_error(&s.app)));
    s.driver.act(&mut s.app, &[Action::ShowDashboard]);
    assert!(
        s.app.wizard().is_none(),
        "the dashboard replaced the wizard"
    );
    let saved_at_end = s.driver.run_until(&mut s.app, TIMEOUT, |a| {
        a.migrations
            .items
            .iter()
            .any(|p| p.task_id.as_deref() == Some(id.as_str()) && p.reached == WizardStep::Finish)
    });
    assert!(
        saved_at_end,
        "task {:?}: {:?}",
        s.app.tasks.get(&id).map(|r| r.state),
        s.app.migrations.items
    );
    s.driver.act(&mut s.app, &[Action::ShowPlatforms]);
    select_account(&mut s, "mxplan-7f3e21", "john.smith01@example.com");
    s.driver.act(&mut s.app, &[Action::MigrateAccount]);
    let w = s.app.wizard().expect("m resumes the wizard");
    assert_eq!(w.step, WizardStep::Finish);
    assert_eq!(w.task_id.as_deref(), Some(id.as_str()));
}
