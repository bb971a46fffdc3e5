//! Snapshots of every screen and dialog of the TUI at 80x24 and 120x40, drawn on
//! ratatui's TestBackend over the demo backend (manual clock: deterministic).

use mailshift::tui::app::Dialog;
use mailshift::tui::{dispatch, render, Action, App, DemoBackend, Theme};
use mailshift_dns::SimClock;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tui_input::InputRequest;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

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
    app.platform = app
        .backend
        .panel()
        .platforms
        .iter()
        .position(|p| p.service_name == service)
        .expect("demo platform");
    run(app, &[tab, Action::FocusTable]);
}

fn select_account(app: &mut App, address: &str) {
    app.account_row = app
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
    assert!(text.contains("john.smith@example.com") && text.contains("3.4/5 GB"));
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
    assert!(matches!(app.dialog, Some(Dialog::Fix { .. })));
    assert!(screen(&app, 80, 24).contains("mx1.mail.ovh.net"));
    snap("fix_dialog", &app);
    run(&mut app, &[Action::Confirm, Action::Tick]);
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("Propagating") && text.contains(" h "),
        "{text}"
    );
    snap("dns_pending", &app);
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
