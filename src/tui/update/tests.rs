use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use mailshift_dns::SimClock;
use mailshift_panel::AccountState;
use tui_input::InputRequest;

use super::*;
use crate::tui::app::Overlay;
use crate::tui::backend::DemoBackend;
use crate::tui::form::FieldKey;
use crate::tui::theme::Theme;

fn app() -> (App, SimClock) {
    let clock = SimClock::manual();
    let mut app = App::new(
        Box::new(DemoBackend::with_clock(clock.clone())),
        Theme::MONO,
    );
    app.settle();
    (app, clock)
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

fn clear_field(app: &mut App) {
    dispatch(app, Action::Edit(InputRequest::DeleteLine));
}

/// Select the platform with this service name and focus its `tab`.
fn goto(app: &mut App, service: &str, tab: Action) {
    let i = app
        .backend
        .panel()
        .platforms
        .iter()
        .position(|p| p.service_name == service)
        .unwrap();
    app.home_mut().platform = i;
    run(app, &[tab, Action::FocusTable]);
}

fn select_account(app: &mut App, address: &str) {
    app.home_mut().account_row = app
        .selected_platform()
        .unwrap()
        .accounts
        .iter()
        .position(|a| a.has_address(address))
        .unwrap();
}

#[test]
fn startup_checks_every_domain_in_the_background() {
    let (app, _) = app();
    assert!(app.checking.is_empty());
    assert_eq!(app.reports.len(), 4, "{:?}", app.reports.keys());
    let pro = app.backend.panel().platforms[2].id;
    assert!(!app.report(pro, "example.net").unwrap().ok);
}

#[test]
fn navigation_moves_and_clamps_selections() {
    let (mut app, _) = app();
    run(&mut app, &[Action::Up]);
    assert_eq!(app.home().platform, 0);
    run(&mut app, &[Action::Down, Action::Down, Action::Down]);
    assert_eq!(app.home().platform, 2, "clamped to the last platform");
    run(&mut app, &[Action::Open]);
    assert_eq!(app.home().focus, Focus::Table);
    run(&mut app, &[Action::NextTab, Action::Down, Action::Down]);
    assert_eq!((app.home().tab, app.home().account_row), (Tab::Accounts, 2));
    run(&mut app, &[Action::Back]);
    assert_eq!(app.home().focus, Focus::Sidebar);
    run(&mut app, &[Action::Up]);
    assert_eq!(
        (app.home().platform, app.home().account_row),
        (1, 0),
        "rows reset with the platform"
    );
}

#[test]
fn keys_resolve_by_context_and_forms_take_typed_text() {
    let (mut app, _) = app();
    let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    assert_eq!(app.key_action(key('?')), Some(Action::ToggleHelp));
    assert_eq!(app.key_action(key('q')), Some(Action::Quit));
    goto(&mut app, "exchange-ab12cd", Action::ShowDomains);
    run(&mut app, &[Action::AddDomain]);
    assert_eq!(
        app.key_action(key('q')),
        Some(Action::Edit(InputRequest::InsertChar('q')))
    );
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(app.key_action(ctrl_c), Some(Action::QuitNow));
    run(&mut app, &[Action::QuitNow]);
    assert!(app.should_quit);
}

#[test]
fn add_domain_shows_validation_errors_inline_then_adds_and_checks() {
    let (mut app, _) = app();
    goto(&mut app, "exchange-ab12cd", Action::ShowDomains);
    run(&mut app, &[Action::AddDomain]);
    type_text(&mut app, "exa_mple.info");
    run(&mut app, &[Action::Submit]);
    let form = app.form().expect("the form stays open");
    let err = form
        .field(FieldKey::DomainName)
        .unwrap()
        .error
        .as_deref()
        .unwrap();
    assert!(err.contains("'_' is not allowed"), "{err}");
    clear_field(&mut app);
    assert!(
        app.form()
            .unwrap()
            .field(FieldKey::DomainName)
            .unwrap()
            .error
            .is_none(),
        "editing clears it"
    );
    type_text(&mut app, "Example.info");
    run(&mut app, &[Action::Submit]);
    assert!(app.form().is_none());
    let ex = app.selected_platform().unwrap();
    let d = ex.domain("example.info").unwrap();
    assert_eq!(d.kind, DomainKind::NonAuthoritative);
    let id = ex.id;
    assert!(
        app.report(id, "example.info").is_some(),
        "checked after adding"
    );
}

#[test]
fn add_domain_shows_the_backend_refusal() {
    let (mut app, _) = app();
    goto(&mut app, "mxplan-7f3e21", Action::ShowDomains);
    run(&mut app, &[Action::AddDomain]);
    type_text(&mut app, "example.info");
    run(&mut app, &[Action::Submit]);
    let err = app.form().unwrap().error.as_deref().unwrap();
    assert!(err.starts_with("MX Plan holds one domain"), "{err}");
    assert_eq!(app.selected_platform().unwrap().domains.len(), 1);
}

#[test]
fn create_account_validates_then_creates() {
    let (mut app, _) = app();
    goto(&mut app, "exchange-ab12cd", Action::ShowAccounts);
    run(&mut app, &[Action::CreateAccount]);
    type_text(&mut app, "emma.durand");
    run(&mut app, &[Action::NextField, Action::NextField]);
    type_text(&mut app, "Emma Durand");
    run(&mut app, &[Action::NextField]);
    type_text(&mut app, "weak");
    run(&mut app, &[Action::Submit]);
    let form = app.form().unwrap();
    assert!(form
        .field(FieldKey::Password)
        .unwrap()
        .error
        .as_deref()
        .unwrap()
        .contains("too weak"));
    assert_eq!(form.focused_key(), Some(FieldKey::Password));
    clear_field(&mut app);
    type_text(&mut app, "Strong-Pass9");
    run(&mut app, &[Action::Submit]);
    assert!(app.form().is_none(), "{:?}", app.form());
    let (_, a) = app.backend.panel().find_accounts("emma.durand@example.org")[0];
    assert_eq!(a.display_name, "Emma Durand");
    assert!(a.verify_password("Strong-Pass9"));
    assert!(
        !app.log.iter().any(|l| l.contains("Strong-Pass9")),
        "never logged"
    );
}

#[test]
fn rename_prefills_the_provisional_name_and_calls_the_backend() {
    let (mut app, _) = app();
    goto(&mut app, "mxplan-7f3e21", Action::ShowAccounts);
    select_account(&mut app, "john.smith@example.com");
    run(&mut app, &[Action::RenameAccount]);
    assert_eq!(
        app.form().unwrap().value(FieldKey::NewLogin),
        "john.smith01"
    );
    run(&mut app, &[Action::Submit]);
    assert!(app.form().is_none());
    let panel = app.backend.panel();
    assert_eq!(panel.find_accounts("john.smith01@example.com").len(), 1);
    assert!(panel.find_accounts("john.smith@example.com").is_empty());
    assert!(app
        .status
        .as_ref()
        .unwrap()
        .text
        .contains("renamed to john.smith01@example.com"));
}

#[test]
fn rename_refuses_a_taken_name_inline() {
    let (mut app, _) = app();
    goto(&mut app, "mxplan-7f3e21", Action::ShowAccounts);
    select_account(&mut app, "john.smith@example.com");
    run(&mut app, &[Action::RenameAccount]);
    clear_field(&mut app);
    type_text(&mut app, "marie.dupont");
    run(&mut app, &[Action::Submit]);
    let err = app.form().unwrap().error.as_deref().unwrap();
    assert!(err.contains("already exists"), "{err}");
}

#[test]
fn reset_asks_first_names_what_is_wiped_and_can_be_cancelled() {
    let (mut app, _) = app();
    goto(&mut app, "mxplan-7f3e21", Action::ShowAccounts);
    select_account(&mut app, "paul.martin@example.com");
    run(&mut app, &[Action::ResetAccount]);
    match app.dialog() {
        Some(Dialog::Reset { wipe, .. }) => {
            assert_eq!(wipe.address, "paul.martin@example.com");
            assert_eq!(wipe.used_bytes, 4_600_000_000);
        }
        other => panic!("{other:?}"),
    }
    run(&mut app, &[Action::Back]);
    assert!(app.dialog().is_none());
    assert_eq!(
        app.selected_account().unwrap().state,
        AccountState::Configured
    );
    run(&mut app, &[Action::ResetAccount, Action::Confirm]);
    let a = app.selected_account().unwrap();
    assert_eq!(a.state, AccountState::Unconfigured);
    assert!(app
        .backend
        .panel()
        .find_accounts("paul.martin@example.com")
        .is_empty());
}

#[test]
fn reset_or_rename_of_a_free_slot_says_why_not() {
    let (mut app, _) = app();
    goto(&mut app, "mxplan-7f3e21", Action::ShowAccounts);
    app.home_mut().account_row = app
        .selected_platform()
        .unwrap()
        .accounts
        .iter()
        .position(|a| !a.is_configured())
        .unwrap();
    run(&mut app, &[Action::ResetAccount]);
    assert!(app.dialog().is_none());
    assert!(app.status.as_ref().unwrap().error);
    run(&mut app, &[Action::RenameAccount]);
    assert!(app.form().is_none());
    assert!(app.status.as_ref().unwrap().text.contains("free slot"));
}

#[test]
fn dns_fix_flow_applies_counts_down_and_rechecks_when_visible() {
    let (mut app, clock) = app();
    goto(&mut app, "emailpro-c4d5e6", Action::ShowDomains);
    run(&mut app, &[Action::OpenDns]);
    let Screen::Dns(view) = app.screen().clone() else {
        panic!("not on the DNS screen")
    };
    assert_eq!(view.domain, "example.net");
    let report = app.report(view.platform, "example.net").unwrap().clone();
    let red = report
        .checks
        .iter()
        .position(|c| c.is_red() && c.expected.is_none())
        .expect("the old provider's MX is red");
    for _ in 0..red {
        dispatch(&mut app, Action::Down);
    }
    run(&mut app, &[Action::Open]);
    assert!(
        matches!(app.dialog(), Some(Dialog::Fix { .. })),
        "{:?}",
        app.dialog()
    );
    run(&mut app, &[Action::Confirm]);
    assert!(app.dialog().is_none());
    assert_eq!(app.pending.len(), 1);
    let status = app.status.clone().unwrap();
    assert!(status.text.contains("resolvers see it in"), "{status:?}");
    // Back on the domain list: the DNS cell refreshes when the change becomes
    // visible, without opening the domain.
    run(&mut app, &[Action::Back]);
    assert!(matches!(app.screen(), Screen::Platforms(_)));
    clock.advance(std::time::Duration::from_secs(25 * 3600));
    run(&mut app, &[Action::Tick]);
    assert!(app.pending.is_empty());
    let after = app.report(view.platform, "example.net").unwrap();
    assert!(
        after.checks.iter().all(|c| c.expected.is_some()),
        "old MX gone"
    );
}

#[test]
fn enter_on_a_green_record_opens_nothing() {
    let (mut app, _) = app();
    goto(&mut app, "mxplan-7f3e21", Action::ShowDomains);
    run(&mut app, &[Action::Open, Action::Open]);
    assert!(app.dialog().is_none());
    assert!(!app.status.as_ref().unwrap().error);
}

#[test]
fn esc_backs_out_one_layer_at_a_time() {
    let (mut app, _) = app();
    goto(&mut app, "emailpro-c4d5e6", Action::ShowDomains);
    run(&mut app, &[Action::OpenDns, Action::ToggleHelp]);
    run(&mut app, &[Action::Back]);
    assert!(!app.help_open());
    assert!(matches!(app.screen(), Screen::Dns(_)));
    run(&mut app, &[Action::Back]);
    assert!(matches!(app.screen(), Screen::Platforms(_)));
    assert_eq!(app.home().focus, Focus::Table);
    run(&mut app, &[Action::Back]);
    assert_eq!(app.home().focus, Focus::Sidebar);
    assert!(!app.should_quit);
}

#[test]
fn overlays_stack_and_esc_pops_the_topmost_first() {
    let (mut app, _) = app();
    goto(&mut app, "exchange-ab12cd", Action::ShowDomains);
    run(&mut app, &[Action::AddDomain, Action::ToggleHelp]);
    assert!(matches!(
        app.overlays.as_slice(),
        [Overlay::Form(_), Overlay::Help { .. }]
    ));
    assert_eq!(app.contexts()[0], crate::tui::keymap::Context::Help);
    run(&mut app, &[Action::Down, Action::Down]);
    assert_eq!(app.help_scroll(), 2, "arrows scroll the help, not the form");
    run(&mut app, &[Action::Back]);
    assert!(
        !app.help_open() && app.form().is_some(),
        "help closes first"
    );
    assert_eq!(app.contexts()[0], crate::tui::keymap::Context::Form);
    run(&mut app, &[Action::Back]);
    assert!(app.overlays.is_empty());
    assert!(matches!(app.screen(), Screen::Platforms(_)));
}

#[test]
fn the_dns_view_opened_from_the_wizard_sits_above_it_and_the_platforms_selection_survives() {
    let (mut app, _) = app();
    goto(&mut app, "mxplan-7f3e21", Action::ShowAccounts);
    select_account(&mut app, "john.smith@example.com");
    let home = *app.home();
    run(&mut app, &[Action::MigrateAccount, Action::WizardDns]);
    assert!(matches!(app.screen(), Screen::Dns(_)));
    assert!(
        app.wizard().is_some(),
        "the wizard stays under the DNS view"
    );
    run(&mut app, &[Action::Back]);
    assert!(matches!(app.screen(), Screen::Wizard(_)));
    run(&mut app, &[Action::ShowDashboard]);
    assert!(
        app.wizard().is_none(),
        "a top-level screen replaces the wizard"
    );
    run(&mut app, &[Action::Back]);
    assert!(matches!(app.screen(), Screen::Platforms(_)));
    assert_eq!(*app.home(), home, "the Platforms screen kept its selection");
}

#[test]
fn app_new_does_nothing_but_queue_its_start_up() {
    let clock = SimClock::manual();
    let mut app = App::new(
        Box::new(DemoBackend::with_clock(clock.clone())),
        Theme::MONO,
    );
    assert!(app.reports.is_empty() && app.checking.is_empty() && app.log.is_empty());
    let queued: Vec<&str> = app.take_effects().iter().map(|e| e.what()).collect();
    assert_eq!(queued, vec!["start up"]);
}

#[test]
fn update_queues_backend_writes_as_effects_and_their_results_come_back() {
    let (mut app, _) = app();
    goto(&mut app, "exchange-ab12cd", Action::ShowDomains);
    dispatch(&mut app, Action::AddDomain);
    type_text(&mut app, "example.info");
    dispatch(&mut app, Action::Submit);
    // update itself changed nothing on the backend: it queued the write.
    assert!(app
        .selected_platform()
        .unwrap()
        .domain("example.info")
        .is_none());
    assert!(app.form().is_some(), "the form waits for the answer");
    let queued: Vec<&str> = app.take_effects().iter().map(|e| e.what()).collect();
    assert_eq!(queued, vec!["add a domain"]);
    // Run again, this time executing the effects as the event loop does.
    dispatch(&mut app, Action::Submit);
    app.settle();
    assert!(app
        .selected_platform()
        .unwrap()
        .domain("example.info")
        .is_some());
    assert!(app.form().is_none());
    // A tick asks the provider's clock through an effect too.
    dispatch(&mut app, Action::Tick);
    let queued: Vec<&str> = app.take_effects().iter().map(|e| e.what()).collect();
    assert!(
        queued.contains(&"advance the provider's clock"),
        "{queued:?}"
    );
}

#[test]
fn ticks_without_pending_changes_do_not_redraw() {
    let (mut app, _) = app();
    app.dirty = false;
    assert_eq!(update(&mut app, Action::Tick), None);
    assert!(!app.dirty);
    update(&mut app, Action::Down);
    assert!(app.dirty);
}

#[test]
fn clicking_a_sidebar_row_selects_it() {
    let (mut app, _) = app();
    app.size = (80, 24);
    let list =
        layout::platforms(layout::screen(ratatui::layout::Rect::new(0, 0, 80, 24), false).body)
            .sidebar_list;
    run(&mut app, &[Action::Click(list.x + 2, list.y + 4)]);
    assert_eq!(app.home().platform, 2);
    run(&mut app, &[Action::Click(70, list.y)]);
    assert_eq!(
        app.home().platform,
        2,
        "a click outside the sidebar changes nothing"
    );
}

fn press(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

#[test]
fn without_a_migrator_task_actions_say_why_and_q_quits_at_once() {
    let (mut app, _) = app();
    run(&mut app, &[Action::ShowDashboard]);
    assert!(matches!(app.screen(), Screen::Dashboard));
    for a in [Action::CancelTask, Action::RollbackTask, Action::ResumeTask] {
        run(&mut app, &[a]);
        let s = app.status.clone().unwrap();
        assert!(s.error && s.text.contains("no task yet"), "{}", s.text);
    }
    run(&mut app, &[Action::FollowTask]);
    assert!(app.form().is_none());
    assert!(app.status.as_ref().unwrap().text.contains("--demo"));
    run(&mut app, &[Action::Back]);
    assert!(
        matches!(app.screen(), Screen::Platforms(_)),
        "Esc leaves the dashboard"
    );
    run(&mut app, &[Action::Quit]);
    assert!(
        app.should_quit && app.dialog().is_none(),
        "nothing runs: no question"
    );
}

#[test]
fn the_wizard_opens_on_the_selected_account_and_esc_walks_back_out() {
    let (mut app, _) = app();
    goto(&mut app, "mxplan-7f3e21", Action::ShowAccounts);
    select_account(&mut app, "john.smith@example.com");
    assert_eq!(app.key_action(press('m')), Some(Action::MigrateAccount));
    run(&mut app, &[Action::MigrateAccount]);
    assert!(matches!(app.screen(), Screen::Wizard(_)));
    assert_eq!(
        app.key_action(press('q')),
        Some(Action::Quit),
        "no text field on the first step"
    );
    app.wizard_mut()
        .unwrap()
        .show(crate::tui::wizard::WizardStep::Rename);
    assert_eq!(
        app.key_action(press('q')),
        Some(Action::Edit(InputRequest::InsertChar('q'))),
        "typed into the provisional login"
    );
    run(&mut app, &[Action::Back]);
    assert!(matches!(app.screen(), Screen::Wizard(_)));
    run(&mut app, &[Action::Back]);
    assert!(app.wizard().is_none());
    assert!(matches!(app.screen(), Screen::Platforms(_)));
}

#[test]
fn the_wizard_refuses_a_free_slot() {
    let (mut app, _) = app();
    goto(&mut app, "exchange-ab12cd", Action::ShowAccounts);
    app.home_mut().account_row = app
        .selected_platform()
        .unwrap()
        .accounts
        .iter()
        .position(|a| !a.is_configured())
        .unwrap();
    run(&mut app, &[Action::MigrateAccount]);
    assert!(app.wizard().is_none());
    assert!(app.status.as_ref().unwrap().text.contains("free slot"));
}

#[test]
fn task_updates_reach_the_board_and_redraw_only_on_change() {
    let (mut app, _) = app();
    let rec = crate::tui::task_board::tests::record("MS-AAAAAAAAAA", 1);
    app.dirty = false;
    run(&mut app, &[Action::TaskUpdated(Box::new(rec.clone()))]);
    assert!(app.dirty);
    assert_eq!(app.tasks.records.len(), 1);
    app.dirty = false;
    run(&mut app, &[Action::TaskUpdated(Box::new(rec))]);
    assert!(
        !app.dirty,
        "the same record again changes nothing on screen"
    );
    run(&mut app, &[Action::ShowDashboard, Action::CancelTask]);
    assert!(matches!(app.dialog(), Some(Dialog::Cancel { .. })));
    assert_eq!(app.key_action(press('y')), Some(Action::Confirm));
}

#[test]
fn the_service_url_clears_with_ctrl_u_and_typing_edits_it() {
    let (mut app, _) = app();
    run(&mut app, &[Action::ShowDashboard, Action::NewMigration]);
    let default = app.form().unwrap().value(FieldKey::SrcUrl).to_string();
    assert!(!default.is_empty());
    app.form_mut().unwrap().focus_on(FieldKey::SrcUrl);
    clear_field(&mut app);
    assert_eq!(
        app.form().unwrap().value(FieldKey::SrcUrl),
        "",
        "Ctrl-U clears"
    );
    type_text(&mut app, "imaps://mail.old.example");
    assert_eq!(
        app.form().unwrap().value(FieldKey::SrcUrl),
        "imaps://mail.old.example"
    );
    app.form_mut().unwrap().focus_on(FieldKey::DstUrl);
    clear_field(&mut app);
    assert_eq!(app.form().unwrap().value(FieldKey::DstUrl), "");
}

#[test]
fn esc_on_a_filled_form_asks_before_dropping_it() {
    let (mut app, _) = app();
    run(&mut app, &[Action::ShowDashboard, Action::NewMigration]);
    run(&mut app, &[Action::Back]);
    assert!(app.form().is_none(), "an untouched form closes at once");
    run(&mut app, &[Action::NewMigration]);
    app.form_mut().unwrap().focus_on(FieldKey::SrcLogin);
    type_text(&mut app, "john@old.example");
    run(&mut app, &[Action::Back]);
    let form = app.form().expect("kept after the first Esc");
    assert!(form.error.as_deref().unwrap_or("").contains("Esc again"));
    assert_eq!(form.value(FieldKey::SrcLogin), "john@old.example");
    run(&mut app, &[Action::Back]);
    assert!(app.form().is_none(), "the second Esc drops it");
}

#[test]
fn account_keys_with_the_sidebar_focused_say_where_they_work() {
    let (mut app, _) = app();
    assert_eq!(app.home().focus, Focus::Sidebar);
    let m = KeyEvent::new(KeyCode::Char('m'), KeyModifiers::NONE);
    let action = app
        .key_action(m)
        .expect("m is bound with the sidebar focused");
    run(&mut app, &[action]);
    let status = app.status.clone().expect("a message");
    assert!(
        status.error && status.text.contains("Email accounts (2)"),
        "{status:?}"
    );
}

#[test]
fn mouse_selects_tabs_and_rows_and_footer_hints_act_as_keys() {
    let (mut app, _) = app();
    app.size = (80, 24);
    let areas = layout::screen(ratatui::layout::Rect::new(0, 0, 80, 24), false);
    let p = layout::platforms(areas.body);
    // The second tab, far right of the first one.
    run(&mut app, &[Action::Click(p.tabs.x + 40, p.tabs.y + 1)]);
    assert_eq!(
        (app.home().tab, app.home().focus),
        (Tab::Accounts, Focus::Table)
    );
    run(&mut app, &[Action::Click(p.tabs.x + 3, p.tabs.y + 1)]);
    assert_eq!(app.home().tab, Tab::Domains);
    run(&mut app, &[Action::ShowAccounts]);
    // Narrow account rows are two lines high, under a one-line header.
    run(
        &mut app,
        &[Action::Click(p.content.x + 5, p.content.y + 1 + 2 * 2)],
    );
    assert_eq!(app.home().account_row, 2);
    // The footer's `? help` is a button.
    let (x, b) = crate::tui::widgets::footer::hint_layout(&app.contexts(), 80)
        .into_iter()
        .find(|(_, b)| b.label == "?")
        .expect("? help is always in the footer");
    assert_eq!(b.action, Action::ToggleHelp);
    run(&mut app, &[Action::Click(x, areas.footer.y)]);
    assert!(app.help_open(), "a click on ? help opens it");
}

/// Every hint shown in `app`'s state (the footer's, and `prompt`'s in the box on top)
/// names a key that, fed to the app, triggers the hinted action.
fn assert_hints_trigger_their_actions(app: &App, prompt: Option<crate::tui::keymap::Prompt>) {
    use crate::tui::keymap;
    let contexts = app.contexts();
    let mut hints: Vec<(&str, Action)> = Vec::new();
    for b in keymap::bindings_for(&contexts)
        .into_iter()
        .filter(|b| b.hint)
    {
        for token in b.label.split('/') {
            hints.push((token, b.action.clone()));
        }
    }
    if let Some(p) = prompt {
        assert_eq!(p.contexts()[0], contexts[0], "{p:?} shown in {contexts:?}");
        for ((key, _), (action, _)) in p.keys().into_iter().zip(p.items()) {
            hints.push((key, action.clone()));
        }
    }
    assert!(!hints.is_empty(), "{contexts:?}");
    for (label, action) in hints {
        let (code, mods) = keymap::chord_of_label(label).expect(label);
        assert_eq!(
            app.key_action(KeyEvent::new(code, mods)),
            Some(action.clone()),
            "in {contexts:?}, '{label}' is shown for {action:?}"
        );
    }
}

#[test]
fn every_hint_in_every_context_names_a_key_that_does_what_it_says() {
    use crate::tui::keymap::Prompt;
    let (mut app, _) = app();
    // The Platforms screen, each focus.
    assert_hints_trigger_their_actions(&app, None);
    goto(&mut app, "mxplan-7f3e21", Action::ShowDomains);
    assert_hints_trigger_their_actions(&app, None);
    run(&mut app, &[Action::ShowAccounts]);
    assert_hints_trigger_their_actions(&app, None);
    // Help on top.
    run(&mut app, &[Action::ToggleHelp]);
    assert_hints_trigger_their_actions(&app, Some(Prompt::Help));
    run(&mut app, &[Action::Back]);
    // Each form prompt (the same contexts; the words differ by form).
    run(&mut app, &[Action::CreateAccount]);
    for p in [
        Prompt::Form,
        Prompt::Rollback,
        Prompt::Resume,
        Prompt::NewMigration,
    ] {
        app.form_mut().unwrap().prompt = p;
        assert_hints_trigger_their_actions(&app, Some(p));
    }
    run(&mut app, &[Action::Back]);
    // Dialogs.
    select_account(&mut app, "john.smith@example.com");
    run(&mut app, &[Action::ResetAccount]);
    assert_hints_trigger_their_actions(&app, Some(Prompt::Reset));
    run(&mut app, &[Action::Back, Action::ShowClientSettings]);
    assert!(matches!(app.dialog(), Some(Dialog::ClientSettings(_))));
    assert_hints_trigger_their_actions(&app, Some(Prompt::Settings));
    run(&mut app, &[Action::Back]);
    let check = app
        .reports
        .values()
        .flat_map(|r| r.checks.iter())
        .next()
        .unwrap()
        .clone();
    for (dialog, prompt) in [
        (
            Dialog::Fix {
                domain: "example.net".into(),
                check: Box::new(check),
            },
            Prompt::Fix,
        ),
        (Dialog::Cancel { id: "MS-X".into() }, Prompt::Cancel),
        (
            Dialog::Quit {
                running: vec!["MS-X".into()],
            },
            Prompt::Quit,
        ),
        (Dialog::Report { id: "MS-X".into() }, Prompt::Report),
        (
            Dialog::LeaveWizard { done: Vec::new() },
            Prompt::LeaveWizard,
        ),
    ] {
        app.open_dialog(dialog);
        assert_hints_trigger_their_actions(&app, Some(prompt));
        run(&mut app, &[Action::Back]);
    }
    // The wizard: its first step, a text step (retry line), its last step.
    run(&mut app, &[Action::MigrateAccount]);
    assert_hints_trigger_their_actions(&app, Some(Prompt::WizardRetry));
    app.wizard_mut()
        .unwrap()
        .show(crate::tui::wizard::WizardStep::Rename);
    assert_hints_trigger_their_actions(&app, Some(Prompt::WizardRetry));
    app.wizard_mut()
        .unwrap()
        .show(crate::tui::wizard::WizardStep::Finish);
    assert_hints_trigger_their_actions(&app, None);
    // The DNS view and the dashboard.
    run(&mut app, &[Action::WizardDns]);
    assert_hints_trigger_their_actions(&app, None);
    run(&mut app, &[Action::ShowDashboard]);
    assert_hints_trigger_their_actions(&app, None);
}

#[test]
fn an_interrupted_task_whose_passwords_are_unknown_is_left_for_r_and_the_log_says_so() {
    let (mut app, _clock) = app();
    let mut rec = crate::tui::task_board::tests::record("MS-UNKN0WN001", 0);
    rec.state = mailshift_tasks::TaskState::Interrupted;
    assert!(
        app.known_credentials(&rec).is_none(),
        "the demo backend knows no password"
    );
    app.tasks.upsert(rec);
    let _ = app.take_effects();
    tasks::resume_interrupted(&mut app);
    assert!(
        app.log.iter().any(|l| l.contains(
            "task MS-UNKN0WN001 was interrupted: press r on the tasks screen (t) to resume it with its passwords"
        )),
        "{:?}",
        app.log
    );
    let queued: Vec<&str> = app.take_effects().iter().map(|e| e.what()).collect();
    assert!(!queued.contains(&"resume a task"), "{queued:?}");
}
