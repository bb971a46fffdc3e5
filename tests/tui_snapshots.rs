//! Snapshots of every screen and dialog of the TUI at 80x24 and 120x36, drawn on
//! ratatui's TestBackend over the demo backend (manual clock: deterministic).

use mailshift::tui::app::Dialog;
use mailshift::tui::{dispatch, render, Action, App, DemoBackend, Theme};
use mailshift_dns::SimClock;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tui_input::InputRequest;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 36)];

fn app() -> App {
    let mut app = App::new(
        Box::new(DemoBackend::with_clock(SimClock::manual())),
        Theme::MONO,
    );
    app.settle();
    app
}

fn run(app: &mut App, actions: &[Action]) {
    for a in actions {
        dispatch(app, a.clone());
    }
    app.settle();
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        dispatch(app, Action::Edit(InputRequest::InsertChar(c)));
    }
}

/// Select the platform with this service name and focus `tab`'s table.
fn goto(app: &mut App, service: &str, tab: Action) {
    app.home_mut().platform = app
        .backend
        .panel()
        .platforms
        .iter()
        .position(|p| p.service_name == service)
        .expect("demo platform");
    run(app, &[tab, Action::FocusTable]);
}

fn select_account(app: &mut App, address: &str) {
    app.home_mut().account_row = app
        .selected_platform()
        .unwrap()
        .accounts
        .iter()
        .position(|a| a.has_address(address))
        .expect("demo account");
}

/// The screen as text, one line per row, trailing spaces cut.
fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| render(app, f)).unwrap();
    let buf = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            let line: String = (0..width).map(|x| buf[(x, y)].symbol()).collect();
            line.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Snapshot `app` at both sizes as `name_WxH`.
fn snap(name: &str, app: &App) {
    for (w, h) in SIZES {
        let text = screen(app, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
    }
}

#[test]
fn platforms_domains() {
    let mut app = app();
    goto(&mut app, "exchange-ab12cd", Action::ShowDomains);
    let text = screen(&app, 80, 24);
    assert!(text.contains("example.com") && text.contains("non-authoritative"));
    snap("platforms_domains", &app);
}

#[test]
fn platforms_domains_with_a_red_domain() {
    let mut app = app();
    goto(&mut app, "emailpro-c4d5e6", Action::ShowDomains);
    assert!(screen(&app, 80, 24).contains("mail still goes to mx.oldmail.example"));
    snap("platforms_domains_red", &app);
}

#[test]
fn platforms_accounts() {
    let mut app = app();
    goto(&mut app, "mxplan-7f3e21", Action::ShowAccounts);
    let text = screen(&app, 80, 24);
    assert!(text.contains("john.smith@example.com") && text.contains("3.4 GB / 5 GB"));
    assert!(
        text.contains("sophie.bernard@example.c…"),
        "a cut address ends with an ellipsis: {text}"
    );
    snap("platforms_accounts", &app);
}

#[test]
fn add_domain_form_with_a_validation_error() {
    let mut app = app();
    goto(&mut app, "exchange-ab12cd", Action::ShowDomains);
    run(&mut app, &[Action::AddDomain]);
    type_text(&mut app, "exa_mple.info");
    run(&mut app, &[Action::Submit]);
    let text = screen(&app, 80, 24);
    assert!(text.contains("not allowed"), "{text}");
    snap("add_domain_invalid", &app);
}

#[test]
fn add_domain_form_refused_by_the_platform() {
    let mut app = app();
    goto(&mut app, "mxplan-7f3e21", Action::ShowDomains);
    run(&mut app, &[Action::AddDomain]);
    type_text(&mut app, "example.info");
    run(&mut app, &[Action::Submit]);
    assert!(screen(&app, 80, 24).contains("MX Plan holds one domain"));
    snap("add_domain_refused", &app);
}

#[test]
fn create_account_form_masks_the_password_and_shows_errors() {
    let mut app = app();
    goto(&mut app, "exchange-ab12cd", Action::ShowAccounts);
    run(&mut app, &[Action::CreateAccount]);
    type_text(&mut app, "emma.durand");
    run(&mut app, &[Action::NextField, Action::NextField]);
    type_text(&mut app, "Emma Durand");
    run(&mut app, &[Action::NextField]);
    type_text(&mut app, "weakpass");
    let typed = screen(&app, 80, 24);
    assert!(typed.contains("••••••••") && !typed.contains("weakpass"));
    run(&mut app, &[Action::Submit]);
    assert!(screen(&app, 80, 24).contains("too weak"));
    snap("create_account", &app);
}

#[test]
fn rename_form_prefills_the_provisional_name() {
    let mut app = app();
    goto(&mut app, "mxplan-7f3e21", Action::ShowAccounts);
    select_account(&mut app, "john.smith@example.com");
    run(&mut app, &[Action::RenameAccount]);
    assert!(screen(&app, 80, 24).contains("john.smith01"));
    snap("rename", &app);
}

#[test]
fn reset_confirmation_names_what_is_wiped() {
    let mut app = app();
    goto(&mut app, "mxplan-7f3e21", Action::ShowAccounts);
    select_account(&mut app, "paul.martin@example.com");
    run(&mut app, &[Action::ResetAccount]);
    let text = screen(&app, 80, 24);
    assert!(text.contains("paul.martin@example.com") && text.contains("4.6 GB"));
    snap("reset_confirm", &app);
}

fn dns_of_example_net() -> App {
    let mut app = app();
    goto(&mut app, "emailpro-c4d5e6", Action::ShowDomains);
    run(&mut app, &[Action::OpenDns]);
    app
}

#[test]
fn dns_screen_red_and_green() {
    let app = dns_of_example_net();
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("✓ ok") && text.contains("✗ missing"),
        "{text}"
    );
    snap("dns_red_green", &app);
}

#[test]
fn dns_screen_all_green() {
    let mut app = app();
    goto(&mut app, "mxplan-7f3e21", Action::ShowDomains);
    run(&mut app, &[Action::OpenDns]);
    assert!(screen(&app, 80, 24).contains("all good"));
    snap("dns_green", &app);
}

#[test]
fn fix_dialog_then_propagation_countdown() {
    let mut app = dns_of_example_net();
    run(&mut app, &[Action::Open]);
    assert!(matches!(app.dialog(), Some(Dialog::Fix { .. })));
    assert!(screen(&app, 80, 24).contains("mx1.mail.ovh.net"));
    snap("fix_dialog", &app);
    run(&mut app, &[Action::Confirm, Action::Tick]);
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("Propagating") && text.contains(" h "),
        "{text}"
    );
    snap("dns_pending", &app);
    // The same fix is not queued twice: Enter on the record says it is on its way.
    let before = app.pending.len();
    run(&mut app, &[Action::Open]);
    assert!(app.dialog().is_none(), "no second fix dialog");
    let status = app.status.clone().map(|s| s.text).unwrap_or_default();
    assert!(status.contains("already queued"), "{status}");
    assert_eq!(app.pending.len(), before);
}

#[test]
fn propagating_says_how_many_more_beyond_four_lines() {
    let mut app = dns_of_example_net();
    let n = app
        .reports
        .values()
        .find(|r| r.domain == "example.net")
        .map_or(0, |r| r.checks.len());
    for row in 0..n {
        if let mailshift::tui::app::Screen::Dns(v) = app.screen_mut() {
            v.row = row;
        }
        run(&mut app, &[Action::Open]);
        if app.dialog().is_some() {
            run(&mut app, &[Action::Confirm]);
        }
    }
    run(&mut app, &[Action::Tick]);
    // The demo's fixes queue four changes; two more (as a second zone edit would)
    // overflow the list.
    let extra: Vec<_> = app.pending.iter().take(2).cloned().collect();
    app.pending.extend(extra);
    let pending = app
        .pending
        .iter()
        .filter(|c| c.domain == "example.net")
        .count();
    assert!(pending > 4, "enough changes to overflow: {pending}");
    let text = screen(&app, 120, 36);
    assert!(text.contains(&format!("+{} more", pending - 3)), "{text}");
}

#[test]
fn help_overlay_lists_the_keymap() {
    let mut app = app();
    goto(&mut app, "mxplan-7f3e21", Action::ShowAccounts);
    run(&mut app, &[Action::ToggleHelp]);
    let text = screen(&app, 80, 24);
    assert!(text.contains("create an account") && text.contains("quit"));
    snap("help_accounts", &app);
}

#[test]
fn log_pane() {
    let mut app = app();
    run(&mut app, &[Action::ToggleLog]);
    assert!(screen(&app, 80, 24).contains("DNS of example.net"));
    snap("log_pane", &app);
}

// ---- Migrations: the wizard, the New migration form, the dashboard and its dialogs.

#[test]
fn client_settings_dialog_shows_the_published_values() {
    let mut app = app();
    goto(&mut app, "exchange-ab12cd", Action::ShowAccounts);
    select_account(&mut app, "thomas.leroy@example.org");
    run(&mut app, &[Action::ShowClientSettings]);
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("ex5.mail.ovh.net port 993") && text.contains("EWS"),
        "{text}"
    );
    snap("client_settings", &app);
}

/// `e` on the sandbox: the notifications mailbox's settings and the messages it holds
/// (the demo backend keeps no mailbox, so the dialog is built as the sandbox's is).
#[test]
fn notifications_dialog_lists_the_messages_received() {
    use mailshift::tui::backend::Notice;
    let mut app = app();
    let platform = app.backend.panel().platforms[0].id;
    let settings = mailshift::tui::client_settings::client_settings(
        app.backend.as_ref(),
        platform,
        "notifications@example.com",
    )
    .expect("settings of a demo platform");
    let notices = vec![
        Notice {
            subject: "Migration MS-7KQ2M4XR9P finished: verified".into(),
            date: "2026-12-01 04:30 +00:00".into(),
        },
        Notice {
            subject: "Migration MS-3HT8W2LQ5N failed: login refused".into(),
            date: "2026-11-30 18:02 +00:00".into(),
        },
    ];
    app.open_dialog(Dialog::ClientSettings(Box::new(
        settings.with_notices(notices),
    )));
    let text = screen(&app, 120, 36);
    assert!(
        text.contains("MS-7KQ2M4XR9P finished: verified") && text.contains("2026-11-30 18:02"),
        "{text}"
    );
    snap("notifications", &app);
}

#[test]
fn help_scrolls_instead_of_being_cut_at_80x24() {
    let mut app = app();
    goto(&mut app, "mxplan-7f3e21", Action::ShowAccounts);
    run(&mut app, &[Action::ToggleHelp]);
    let top = screen(&app, 80, 24);
    snap("help_scroll_top", &app);
    if top.contains("more)") {
        let downs = vec![Action::Down; 60];
        run(&mut app, &downs);
    }
    let bottom = screen(&app, 80, 24);
    assert!(
        bottom.contains("Ctrl-C") && bottom.contains("Email accounts"),
        "every binding is reachable: {top}\n{bottom}"
    );
    snap("help_scroll_bottom", &app);
}

mod tasks {
    use super::*;
    use chrono::{DateTime, Duration, TimeZone, Utc};
    use mailshift::tui::app::Screen;
    use mailshift::tui::backend::Backend;
    use mailshift::tui::wizard::WizardStep;
    use mailshift_dns::{DomainReport, Fix, PendingChange};
    use mailshift_engine::imap::Security;
    use mailshift_engine::migrate::{FolderCheck, FolderReport, FolderState, Report};
    use mailshift_panel::migration::OptionSet;
    use mailshift_panel::{DomainKind, NewAccount, PanelState, PlatformId};
    use mailshift_tasks::{
        Clock, EndpointSpec, FolderProgress, Migrator, ServerType, StepKind, StepState, TaskRecord,
        TaskSpec, TaskState, Tuning,
    };

    /// The demo with a migrator on an empty temp dir and a clock standing still at
    /// `now()`: task screens render, nothing reaches a network.
    struct DemoWithTasks {
        demo: DemoBackend,
        migrator: Migrator,
        _dir: tempfile::TempDir,
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 10, 0).unwrap()
    }

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + Duration::minutes(minute)
    }

    impl Backend for DemoWithTasks {
        fn panel(&self) -> &PanelState {
            self.demo.panel()
        }
        fn create_account(&mut self, p: PlatformId, new: NewAccount) -> Result<String, String> {
            self.demo.create_account(p, new)
        }
        fn rename_account(&mut self, p: PlatformId, a: &str, n: &str) -> Result<String, String> {
            self.demo.rename_account(p, a, n)
        }
        fn reset_account(&mut self, p: PlatformId, a: &str) -> Result<(), String> {
            self.demo.reset_account(p, a)
        }
        fn add_domain(&mut self, p: PlatformId, n: &str, k: DomainKind) -> Result<(), String> {
            self.demo.add_domain(p, n, k)
        }
        fn dns_check(
            &self,
            p: PlatformId,
            d: &str,
        ) -> futures::future::BoxFuture<'static, DomainReport> {
            self.demo.dns_check(p, d)
        }
        fn apply_fix(&mut self, d: &str, f: &Fix) -> Result<Vec<PendingChange>, String> {
            self.demo.apply_fix(d, f)
        }
        fn pending_changes(&self) -> Vec<PendingChange> {
            self.demo.pending_changes()
        }
        fn sandbox_note(&self) -> Option<String> {
            self.demo.sandbox_note()
        }
        fn migrator(&self) -> Option<Migrator> {
            Some(self.migrator.clone())
        }
    }

    fn task_app() -> App {
        let dir = tempfile::tempdir().unwrap();
        let migrator = Migrator::open(dir.path(), Clock::manual(now())).unwrap();
        let backend = DemoWithTasks {
            demo: DemoBackend::with_clock(SimClock::manual()),
            migrator,
            _dir: dir,
        };
        let mut app = App::new(Box::new(backend), Theme::MONO);
        app.settle();
        app
    }

    fn side(login: &str, t: ServerType, port: u16) -> EndpointSpec {
        EndpointSpec {
            server_type: t,
            host: "127.0.0.1".into(),
            port,
            security: Security::None,
            auth: Default::default(),
            login: login.into(),
            insecure: false,
            ca_file: None,
            groupware: Default::default(),
        }
    }

    fn record(id: &str, from: &str, to: &str, minute: i64) -> TaskRecord {
        let spec = TaskSpec {
            source: side(from, ServerType::MxPlan, 40143),
            destination: side(to, ServerType::Exchange, 40144),
            options: OptionSet::emails(),
            notify: None,
            tuning: Tuning::default(),
            project: None,
        };
        let mut r = TaskRecord::new(id.into(), spec, at(minute));
        r.started = Some(at(minute));
        r.updated = at(minute + 5);
        r
    }

    /// A task copying e-mails: 1234 of 5000 messages.
    fn running() -> TaskRecord {
        let mut r = record(
            "MS-RUN4K7Q2XZ",
            "john.smith01@example.com",
            "john.smith@example.com",
            4,
        );
        r.state = TaskState::Running;
        r.set_step(
            StepKind::Connect,
            StepState::Done,
            Some("logged in to both sides".into()),
        );
        r.set_step(StepKind::Emails, StepState::Running, None);
        let p = &mut r.progress;
        p.folders_planned = 6;
        p.messages_total = 5000;
        p.messages_done = 1234;
        p.bytes_total = 160_000_000;
        p.bytes_done = 40_000_000;
        p.rate = vec![40, 80, 120, 100, 90, 130, 150, 140, 120, 110];
        p.problems = vec!["Junk: 1 message over the destination's size limit, left out".into()];
        p.folders = [
            ("Archives/2023", 800, 800),
            ("INBOX", 434, 3000),
            ("Sent", 0, 900),
            ("Drafts", 0, 100),
            ("Junk", 0, 150),
            ("Trash", 0, 50),
        ]
        .into_iter()
        .map(|(name, done, total)| FolderProgress {
            folder: name.into(),
            done,
            total,
            verified: None,
        })
        .collect();
        r
    }

    fn finished() -> TaskRecord {
        let mut r = record(
            "MS-FIN8H3M2PQ",
            "marie.dupont01@example.com",
            "marie.dupont@example.com",
            0,
        );
        r.state = TaskState::Finished;
        r.ended = Some(at(3));
        r.updated = at(3);
        for k in [StepKind::Connect, StepKind::Emails, StepKind::Verify] {
            r.set_step(k, StepState::Done, None);
        }
        r.progress.messages_total = 42;
        r.progress.messages_done = 42;
        r.progress.bytes_total = 1_800_000;
        r.progress.bytes_done = 1_800_000;
        let folder = |name: &str, n: u64| FolderReport {
            folder: name.into(),
            destination: name.into(),
            source_messages: n,
            copied: n,
            skipped: 0,
            bytes: n * 40_000,
            failed: 0,
            verified: true,
            state: FolderState::Copied,
            note: None,
            check: Some(FolderCheck {
                messages: n,
                bytes_compared: 3.min(n),
                ..FolderCheck::default()
            }),
        };
        r.report = Some(Report {
            task_id: r.id.clone(),
            copied: 42,
            bytes: 1_800_000,
            folders: 3,
            verified: true,
            duration_secs: 12.5,
            connections: 4,
            folder_reports: vec![
                folder("INBOX", 30),
                folder("Sent", 10),
                folder("Archives/2024", 2),
            ],
            ..Report::default()
        });
        r
    }

    fn failed() -> TaskRecord {
        let mut r = record(
            "MS-FAL2Z9W4RT",
            "paul.martin01@example.com",
            "paul.martin@example.com",
            -30,
        );
        r.state = TaskState::Failed;
        r.ended = Some(at(-29));
        r.set_step(StepKind::Connect, StepState::Failed, None);
        r.error = Some(
            "login refused by 127.0.0.1:40144 for paul.martin@example.com: check the destination password"
                .into(),
        );
        r
    }

    fn dashboard() -> App {
        let mut app = task_app();
        app.show(Screen::Dashboard);
        for r in [failed(), finished(), running()] {
            app.tasks.upsert(r);
        }
        app.tasks.select("MS-RUN4K7Q2XZ");
        app
    }

    #[test]
    fn dashboard_with_a_running_task() {
        let app = dashboard();
        let text = screen(&app, 80, 24);
        assert!(
            text.contains("MS-RUN4K7Q2XZ") && text.contains("running"),
            "{text}"
        );
        assert!(text.contains("1234/5000") && text.contains("25%"), "{text}");
        let wide = screen(&app, 120, 40);
        assert!(wide.contains("Rate") && wide.contains("ETA"), "{wide}");
        assert!(wide.contains("Junk: 1 message"), "the log tail: {wide}");
        // Issue #15: the folders while copying, not only in the final report.
        for (w, h) in SIZES {
            let text = screen(&app, w, h);
            let inbox = text.lines().find(|l| l.contains(" INBOX ")).unwrap_or("");
            assert!(
                inbox.contains("434/3000") && inbox.contains("14%") && inbox.contains("▸"),
                "{w}x{h}: INBOX copying, counted: {text}"
            );
            assert!(text.contains("Folders 1/6 copied"), "{w}x{h}: {text}");
        }
        snap("dashboard_running", &app);
    }

    /// Issue #15: the rate sparkline ran into the Bytes column and the message rate
    /// was only in `v`. With long values, every cell is whole and apart from the next.
    #[test]
    fn dashboard_row_shows_the_rate_and_keeps_columns_apart() {
        let mut app = dashboard();
        let mut big = running();
        big.id = "MS-BIG9X8Y7ZW".into();
        big.created = at(9);
        big.progress.messages_total = 12345;
        big.progress.messages_done = 12000;
        big.progress.bytes_total = 1_000_000_000;
        big.progress.bytes_done = 999_900_000;
        big.progress.rate = vec![999; 10];
        app.tasks.upsert(big);
        for (w, h) in SIZES {
            let text = screen(&app, w, h);
            let row = text
                .lines()
                .find(|l| l.contains("MS-BIG9X8Y7ZW"))
                .unwrap_or_else(|| panic!("{text}"));
            assert!(
                row.contains(" 12000/12345 ") && row.contains(" 999 msg/s "),
                "{w}x{h}: {row}"
            );
            let run = text.lines().find(|l| l.contains("MS-RUN4K7Q2XZ")).unwrap();
            assert!(
                run.contains(" 108 msg/s "),
                "{w}x{h}: the rate in the row: {run}"
            );
            if w >= 120 {
                assert!(row.contains(" 999.9 MB "), "{row}");
                let spark = row.rfind("██████████").expect("the sparkline, whole");
                let bytes = row.find("999.9 MB").unwrap();
                assert!(bytes < spark, "{row}");
            }
        }
        snap("dashboard_columns", &app);
    }

    /// Issue #15: the 13th of 20 tasks selected, the list stays full (it showed the
    /// selection alone with 11 blank lines under it).
    #[test]
    fn dashboard_scrolled_to_the_13th_task_keeps_the_list_full() {
        let mut app = task_app();
        app.show(Screen::Dashboard);
        for i in 0..20 {
            let mut r = record(
                &format!("MS-LIST{i:03}ZZZ"),
                "john.smith01@example.com",
                "john.smith@example.com",
                i,
            );
            r.state = TaskState::Finished;
            app.tasks.upsert(r);
        }
        // Newest first: the 13th row is task 7. Walk down to it as a user would.
        app.tasks.row = 0;
        for _ in 0..12 {
            run(&mut app, &[Action::Down]);
        }
        assert_eq!(app.tasks.selected().unwrap().id, "MS-LIST007ZZZ");
        for (w, h) in SIZES {
            let text = screen(&app, w, h);
            let lines: Vec<&str> = text.lines().collect();
            let header = lines.iter().position(|l| l.starts_with(" Task ")).unwrap();
            let rule = lines.iter().position(|l| l.starts_with("───")).unwrap();
            let rows = &lines[header + 1..rule];
            assert!(
                rows.iter().all(|l| l.contains("MS-LIST")),
                "no blank row in the list at {w}x{h}:\n{text}"
            );
            assert!(rows.len() > 5, "{w}x{h}: {rows:?}");
            assert!(
                rows.iter().any(|l| l.starts_with("▸MS-LIST007ZZZ")),
                "the selection is visible at {w}x{h}:\n{text}"
            );
        }
        snap("dashboard_scrolled", &app);
    }

    #[test]
    fn dashboard_finished_task_with_its_folders() {
        let mut app = dashboard();
        app.tasks.select("MS-FIN8H3M2PQ");
        let text = screen(&app, 120, 40);
        assert!(
            text.contains("Archives/2024") && text.contains("INBOX"),
            "{text}"
        );
        snap("dashboard_finished", &app);
    }

    #[test]
    fn dashboard_failed_task_says_why() {
        let mut app = dashboard();
        app.tasks.select("MS-FAL2Z9W4RT");
        let text = screen(&app, 80, 24);
        assert!(text.contains("destination password"), "{text}");
        snap("dashboard_failed", &app);
    }

    #[test]
    fn dashboard_empty_says_how_to_start() {
        let mut app = self::super::app();
        run(&mut app, &[Action::ShowDashboard]);
        let text = screen(&app, 80, 24);
        assert!(
            text.contains("No task") && text.contains("--demo"),
            "{text}"
        );
        snap("dashboard_empty", &app);
    }

    #[test]
    fn cancel_confirmation_names_the_step_that_completes() {
        let mut app = dashboard();
        run(&mut app, &[Action::CancelTask]);
        let text = screen(&app, 80, 24);
        assert!(
            text.contains("Cancel task MS-RUN4K7Q2XZ") && text.contains("(e-mails) completes"),
            "{text}"
        );
        snap("cancel_confirm", &app);
    }

    #[test]
    fn rollback_form_says_until_when_and_masks_the_password() {
        let mut app = dashboard();
        app.tasks.select("MS-FIN8H3M2PQ");
        run(&mut app, &[Action::RollbackTask]);
        type_text(&mut app, "Exchange-Pass-2026");
        let text = screen(&app, 80, 24);
        assert!(
            text.contains("2026-03-04 09:03") && text.contains("42 messages"),
            "{text}"
        );
        assert!(!text.contains("Exchange-Pass-2026"));
        snap("rollback_form", &app);
    }

    #[test]
    fn rollback_of_a_running_task_is_refused_with_the_reason() {
        let mut app = dashboard();
        run(&mut app, &[Action::RollbackTask]);
        assert!(app.form().is_none());
        let text = screen(&app, 80, 24);
        assert!(text.contains("cancel it first"), "{text}");
        snap("rollback_refused", &app);
    }

    #[test]
    fn follow_dialog_refuses_an_unknown_pair() {
        let mut app = dashboard();
        run(&mut app, &[Action::FollowTask]);
        type_text(&mut app, "MS-NOPE2345AB");
        run(&mut app, &[Action::NextField]);
        type_text(&mut app, "john.smith@example.com");
        run(&mut app, &[Action::Submit]);
        let text = screen(&app, 80, 24);
        assert!(text.contains("no such task"), "{text}");
        snap("follow_dialog", &app);
    }

    #[test]
    fn import_dialog_names_the_missing_file() {
        let mut app = dashboard();
        run(&mut app, &[Action::ImportProject]);
        type_text(&mut app, "/nonexistent/accounts.csv");
        run(&mut app, &[Action::Submit]);
        let text = screen(&app, 80, 24);
        assert!(text.contains("Import a project"), "{text}");
        assert!(text.contains("cannot read the project file"), "{text}");
        snap("import_dialog", &app);
    }

    #[test]
    fn report_dialog_shows_the_verification() {
        let mut app = dashboard();
        app.tasks.select("MS-FIN8H3M2PQ");
        run(&mut app, &[Action::ShowReport]);
        let text = screen(&app, 80, 24);
        assert!(
            text.contains("Verification") && text.contains("passed"),
            "{text}"
        );
        snap("report_dialog", &app);
    }

    #[test]
    fn quit_with_running_tasks_asks_what_to_do() {
        let mut app = dashboard();
        app.open_dialog(mailshift::tui::app::Dialog::Quit {
            running: vec!["MS-RUN4K7Q2XZ".into()],
        });
        let text = screen(&app, 80, 24);
        assert!(
            text.contains("continue in the background") && text.contains("cancel them"),
            "{text}"
        );
        snap("quit_running", &app);
    }

    #[test]
    fn new_migration_form_with_errors_and_disabled_options() {
        let mut app = task_app();
        run(&mut app, &[Action::ShowDashboard, Action::NewMigration]);
        // MX Plan source: everything but e-mails is disabled with the reason.
        for _ in 0..3 {
            run(&mut app, &[Action::Edit(InputRequest::GoToNextChar)]);
        }
        run(&mut app, &[Action::NextField, Action::NextField]);
        type_text(&mut app, "john.smith@example.com");
        run(&mut app, &[Action::NextField]);
        type_text(&mut app, "secret-pw");
        run(&mut app, &[Action::Submit]);
        let wide = screen(&app, 120, 40);
        assert!(wide.contains("MX Plan source has no calendars"), "{wide}");
        assert!(wide.contains("type the destination login"), "{wide}");
        assert!(!wide.contains("secret-pw") && wide.contains("•••••••••"));
        snap("new_migration", &app);
    }

    /// Issue #15: at 80x24 the summary and the Ctrl-T results were below the edge of
    /// the New migration form, out of reach. Moving down the form brings them in.
    #[test]
    fn new_migration_form_scrolls_to_the_summary_and_test_results_at_80x24() {
        let mut app = task_app();
        run(&mut app, &[Action::ShowDashboard, Action::NewMigration]);
        let top = screen(&app, 80, 24);
        assert!(top.contains("Move one mailbox"), "opens at its top: {top}");
        run(&mut app, &[Action::NextField, Action::NextField]);
        type_text(&mut app, "john.smith@example.com");
        run(
            &mut app,
            &[Action::ConnectionTested {
                side: mailshift_engine::imap::Side::Source,
                result: Ok("logged in; 12 folders".into()),
            }],
        );
        // Down to the source password, where Ctrl-T is pressed.
        run(&mut app, &[Action::NextField]);
        let text = screen(&app, 80, 24);
        assert!(text.contains("Summary: john.smith@example.com"), "{text}");
        assert!(text.contains("source: logged in; 12 folders"), "{text}");
        assert!(text.contains("Password"), "the focused field stays: {text}");
        snap("new_migration_scrolled", &app);
    }

    /// The wizard on john.smith@example.com (MX Plan), as far as `step`.
    fn wizard_at(step: WizardStep) -> App {
        let mut app = task_app();
        goto(&mut app, "mxplan-7f3e21", Action::ShowAccounts);
        select_account(&mut app, "john.smith@example.com");
        run(&mut app, &[Action::MigrateAccount]);
        if step >= WizardStep::Rename {
            run(&mut app, &[Action::Submit]);
        }
        if step >= WizardStep::Create {
            run(&mut app, &[Action::Submit]);
        }
        if step >= WizardStep::Migrate {
            run(&mut app, &[Action::NextField]);
            type_text(&mut app, "Exchange-Pass-2026");
            run(&mut app, &[Action::Submit]);
        }
        assert_eq!(
            app.wizard().unwrap().step,
            step.min(WizardStep::Migrate),
            "{:?}",
            app.wizard().unwrap().error
        );
        app
    }

    #[test]
    fn wizard_refused_in_the_demo_says_what_to_do() {
        let mut app = self::super::app();
        goto(&mut app, "mxplan-7f3e21", Action::ShowAccounts);
        select_account(&mut app, "john.smith@example.com");
        run(&mut app, &[Action::MigrateAccount, Action::Submit]);
        let text = screen(&app, 80, 24);
        assert!(
            text.contains("without --demo") && text.contains("Enter retries"),
            "{text}"
        );
        snap("wizard_refused", &app);
    }

    #[test]
    fn wizard_destination_step_previews_what_moves() {
        let app = wizard_at(WizardStep::Choose);
        let text = screen(&app, 120, 40);
        assert!(
            text.contains("Moves: e-mails") && text.contains("Left out"),
            "{text}"
        );
        snap("wizard_choose", &app);
    }

    #[test]
    fn wizard_rename_step_proposes_the_provisional_name() {
        let app = wizard_at(WizardStep::Rename);
        let text = screen(&app, 80, 24);
        assert!(
            text.contains("john.smith01") && text.contains("Rename john.smith@example.com"),
            "{text}"
        );
        snap("wizard_rename", &app);
    }

    #[test]
    fn wizard_create_step_refuses_a_weak_password() {
        let mut app = wizard_at(WizardStep::Create);
        run(&mut app, &[Action::NextField]);
        type_text(&mut app, "weak");
        run(&mut app, &[Action::Submit]);
        let text = screen(&app, 80, 24);
        assert!(text.contains("••••") && !text.contains("weak "), "{text}");
        assert!(text.contains("✗"), "{text}");
        snap("wizard_create_error", &app);
    }

    #[test]
    fn wizard_migrate_step_shows_the_running_task() {
        let mut app = wizard_at(WizardStep::Migrate);
        snap("wizard_migrate", &app);
        app.tasks.upsert(running());
        app.wizard_mut().unwrap().task_id = Some("MS-RUN4K7Q2XZ".into());
        let text = screen(&app, 80, 24);
        assert!(
            text.contains("1234/5000") && text.contains("running"),
            "{text}"
        );
        snap("wizard_running", &app);
    }

    #[test]
    fn wizard_finish_lists_what_to_recreate_by_hand() {
        let mut app = wizard_at(WizardStep::Migrate);
        let mut done = running();
        done.state = TaskState::Finished;
        done.progress.messages_done = 5000;
        done.progress.bytes_done = done.progress.bytes_total;
        app.wizard_mut().unwrap().task_id = Some(done.id.clone());
        run(&mut app, &[Action::TaskUpdated(Box::new(done))]);
        assert_eq!(app.wizard().unwrap().step, WizardStep::Finish);
        let text = screen(&app, 120, 40);
        assert!(
            text.contains("Recreate by hand") && text.contains("aliases"),
            "{text}"
        );
        assert!(text.contains("Mail clients: IMAP"), "{text}");
        snap("wizard_finish", &app);
        run(&mut app, &[Action::ShowClientSettings]);
        let text = screen(&app, 80, 24);
        assert!(text.contains("Mail client settings"), "{text}");
        snap("wizard_finish_settings", &app);
    }

    #[test]
    fn leaving_the_wizard_after_the_rename_asks_and_the_list_marks_it() {
        let mut app = wizard_at(WizardStep::Create);
        run(&mut app, &[Action::Back, Action::Back, Action::Back]);
        let text = screen(&app, 80, 24);
        assert!(
            text.contains("Leave the migration half-way?")
                && text.contains("renamed to john.smith01@example.com"),
            "{text}"
        );
        snap("wizard_leave", &app);
        run(&mut app, &[Action::LeaveWizardLater]);
        let text = screen(&app, 80, 24);
        assert!(
            text.contains("john.smith01@example.com") && text.contains("migrating"),
            "{text}"
        );
        snap("accounts_migrating", &app);
        // m on it resumes at its step.
        run(&mut app, &[Action::MigrateAccount]);
        let text = screen(&app, 80, 24);
        assert!(text.contains("resumed at step 3"), "{text}");
        snap("wizard_resumed", &app);
    }

    #[test]
    fn project_view_lists_rows_with_their_tasks() {
        use mailshift_tasks::project::{ProjectEntry, ProjectRecord, ProjectState};
        let mut app = dashboard();
        let entries = [failed(), finished(), running()]
            .iter()
            .enumerate()
            .map(|(i, r)| ProjectEntry {
                line: i + 2,
                source: r.spec.source.login.clone(),
                destination: r.spec.destination.login.clone(),
                task_id: r.id.clone(),
            })
            .collect();
        app.show(Screen::Project(mailshift::tui::app::ProjectView {
            record: Some(ProjectRecord {
                id: "PJ-7KQ2M4XR".into(),
                created: at(-40),
                updated: at(-1),
                file: "/home/it/moves.csv".into(),
                state: ProjectState::Running,
                global_limit: 4,
                per_server_limit: 2,
                entries,
                results: None,
                problem: None,
            }),
            row: 2,
        }));
        app.dirty = true;
        let text = screen(&app, 120, 40);
        assert!(
            text.contains("Project PJ-7KQ2M4XR") && text.contains("moves.csv"),
            "{text}"
        );
        assert!(
            text.contains("1/3 ended") || text.contains("2/3 ended"),
            "{text}"
        );
        assert!(
            text.contains("p pause") && text.contains("c cancel"),
            "{text}"
        );
        snap("project_view", &app);
    }

    #[test]
    fn project_view_without_a_project_says_how_to_get_one() {
        let mut app = task_app();
        run(&mut app, &[Action::ShowDashboard, Action::ShowProject]);
        let text = screen(&app, 80, 24);
        assert!(text.contains("Ctrl-W writes a template"), "{text}");
        snap("project_empty", &app);
    }
}
