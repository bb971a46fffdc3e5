//! `update(&mut App, Action) -> Option<Action>`: the only place the state changes.
//! A returned action is a follow-up that `dispatch` feeds back in.

use mailshift_panel::{
    check_strength, validate_domain_name, validate_local_part, DomainKind, NewAccount,
};

use mailshift_tasks::project::ProjectState;

use super::action::{Action, Startup};
use super::app::{App, Dialog, DnsView, Focus, Overlay, Screen, Tab};
use super::effect::Effect;
use super::form::{Field, FieldKey, Form, FormKind};
use super::layout;
use super::widgets::countdown;

mod migration;
mod project;
mod tasks;
mod wizard;

/// Every this many ticks (seconds) the task list is reloaded from disk, for the
/// tasks of other processes.
const TASK_REFRESH_TICKS: u64 = 2;

/// Apply `action` and every follow-up it produces.
pub fn dispatch(app: &mut App, action: Action) {
    let mut next = Some(action);
    while let Some(a) = next {
        next = update(app, a);
    }
}

/// Apply one action; returns a follow-up action, if any.
pub fn update(app: &mut App, action: Action) -> Option<Action> {
    if !matches!(
        action,
        Action::Tick
            | Action::Advanced { .. }
            | Action::ProjectReloaded(_)
            | Action::TaskUpdated(_)
            | Action::TasksRefreshed(_)
            | Action::ProjectProgress(_)
    ) {
        app.dirty = true;
    }
    match action {
        Action::Quit => tasks::quit(app),
        Action::QuitNow => app.should_quit = true,
        Action::HandOff => tasks::hand_off(app),
        Action::CancelAndQuit => tasks::cancel_and_quit(app),
        Action::ShowPlatforms => app.show(Screen::Platforms(Default::default())),
        Action::ShowDashboard => {
            app.show(Screen::Dashboard);
            app.refresh_tasks();
        }
        Action::MigrateAccount => wizard::open(app),
        Action::NewMigration => migration::open(app),
        Action::TestConnection => migration::test_connection(app),
        Action::CancelTask => tasks::cancel_dialog(app),
        Action::RollbackTask => tasks::rollback_form(app),
        Action::ResumeTask => tasks::resume(app),
        Action::FollowTask => tasks::follow_form(app),
        Action::ImportProject => project::import_form(app),
        Action::ProjectProgress(text) => project::progress(app, text),
        Action::ProjectEnded(result) => {
            match result {
                Ok(text) => app.inform(text),
                Err(e) => app.fail(format!("the project stopped: {e}")),
            }
            app.refresh_tasks();
        }
        Action::ShowReport => tasks::report(app),
        Action::ShowProject => project::show(app),
        Action::AccountKeyElsewhere => app.fail(
            "m, r, x and n act on an account: open the platform (Enter), its Email accounts (2), then select one"
                .into(),
        ),
        Action::ShowClientSettings => show_client_settings(app),
        Action::ShowNotifications => show_notifications(app),
        Action::RevealSecret => {
            if let Some(Dialog::ClientSettings(s)) = app.dialog_mut() {
                s.revealed = !s.revealed;
            }
        }
        Action::PauseProject => project::request(app, ProjectState::Paused),
        Action::ResumeProject => project::request(app, ProjectState::Running),
        Action::CancelProject => project::request(app, ProjectState::Cancelled),
        Action::WriteTemplate => project::write_template(app),
        Action::ProjectStarted(record) => project::started(app, *record),
        Action::KeepProvisional => wizard::keep(app),
        Action::ResetProvisional => wizard::reset(app),
        Action::WizardDns => return wizard::dns(app),
        Action::LeaveWizardLater => wizard::leave_later(app),
        Action::UndoWizard => wizard::undo(app),
        Action::TaskUpdated(rec) => tasks::updated(app, *rec),
        Action::RefreshTasks => app.refresh_tasks(),
        Action::TasksRefreshed(records) => tasks::refreshed(app, records),
        Action::ConnectionTested { side, result } => migration::tested(app, side, result),
        Action::StartChecked(results) => migration::start_checked(app, results),
        Action::RolledBack { id, result } => tasks::rolled_back(app, &id, result),
        Action::HandedOff(results) => tasks::handed_off(app, results),
        Action::Back => back(app),
        Action::Up => move_selection(app, -1),
        Action::Down => move_selection(app, 1),
        Action::FocusSidebar => app.home_mut().focus = Focus::Sidebar,
        Action::FocusTable => app.home_mut().focus = Focus::Table,
        Action::NextTab | Action::PrevTab => {
            let home = app.home_mut();
            home.tab = match home.tab {
                Tab::Domains => Tab::Accounts,
                Tab::Accounts => Tab::Domains,
            }
        }
        Action::ShowDomains => app.home_mut().tab = Tab::Domains,
        Action::ShowAccounts => app.home_mut().tab = Tab::Accounts,
        Action::ToggleHelp => {
            if app.help_open() {
                app.overlays.retain(|o| !matches!(o, Overlay::Help { .. }));
            } else {
                app.overlays.push(Overlay::Help { scroll: 0 });
            }
        }
        Action::ToggleLog => app.log_visible = !app.log_visible,
        Action::Open => return open(app),
        Action::OpenDns => return open_dns(app),
        Action::Recheck => {
            if let Screen::Dns(v) = app.screen() {
                return Some(Action::StartDnsCheck {
                    platform: v.platform,
                    domain: v.domain.clone(),
                });
            }
        }
        Action::AddDomain => add_domain_form(app),
        Action::CreateAccount => create_account_form(app),
        Action::RenameAccount => rename_form(app),
        Action::ResetAccount => reset_dialog(app),
        Action::NextField => match app.form_mut() {
            Some(f) => f.next(),
            None => app.wizard_mut().into_iter().for_each(|w| w.move_focus(1)),
        },
        Action::PrevField => match app.form_mut() {
            Some(f) => f.prev(),
            None => app.wizard_mut().into_iter().for_each(|w| w.move_focus(-1)),
        },
        Action::Edit(req) => edit(app, req),
        Action::Submit => return submit(app),
        Action::Confirm => return confirm(app),
        Action::Tick => return tick(app),
        Action::Advanced { changed, pending } => advanced(app, changed, pending),
        Action::Started(s) => started(app, *s),
        Action::Redraw => {}
        Action::Failed(e) => app.fail(e),
        Action::DomainAdded {
            platform,
            name,
            kind,
            result,
        } => return domain_added(app, platform, name, kind, result),
        Action::AccountCreated(result) => account_created(app, result),
        Action::AccountRenamed { address, result } => account_renamed(app, &address, result),
        Action::AccountReset { address, result } => match result {
            Ok(()) => {
                wizard::provisional_reset(app, &address);
                app.inform(format!(
                    "{address} reset: its mail is wiped and the slot is free"
                ))
            }
            Err(e) => app.fail(e),
        },
        Action::FixApplied {
            domain,
            result,
            pending,
        } => match result {
            Ok(changes) => {
                let wait = changes
                    .iter()
                    .map(|c| c.remaining)
                    .max()
                    .unwrap_or_default();
                app.inform(format!(
                    "fix applied to {domain}: resolvers see it in {}",
                    countdown(wait)
                ));
                app.pending = pending;
            }
            Err(e) => app.fail(e),
        },
        Action::WizardStepDone {
            step,
            result,
            record,
        } => wizard::step_done(app, step, result, record),
        Action::WizardUndone {
            removed,
            renamed_back,
        } => wizard::undone(app, removed, renamed_back),
        Action::TaskResumed {
            id,
            result,
            at_start,
        } => tasks::resumed(app, &id, result, at_start),
        Action::TaskCancelRequested { id, result } => match result {
            Ok(()) => app.inform(format!(
                "cancel requested for {id}: the step in progress completes, then it stops"
            )),
            Err(e) => app.fail(e),
        },
        Action::TaskFollowed { id, result } => tasks::followed(app, &id, result),
        Action::TaskStarted(result) => migration::task_started(app, result),
        Action::NotificationsRead(settings) => app.open_dialog(Dialog::ClientSettings(settings)),
        Action::CancelledHere => tasks::check_quitting(app),
        Action::ProjectChecked {
            path,
            global,
            per_server,
            rows,
        } => project::checked(app, path, global, per_server, rows),
        Action::ProjectLoaded(record) => project::loaded(app, record.map(|r| *r)),
        Action::ProjectReloaded(record) => project::reloaded(app, record.map(|r| *r)),
        Action::ProjectRequested { id, what, result } => {
            project::requested(app, &id, what, result)
        }
        Action::TemplateWritten(result) => project::template_written(app, result),
        Action::Resize(w, h) => app.size = (w, h),
        Action::Click(x, y) => return click(app, x, y),
        Action::StartDnsCheck { platform, domain } => {
            app.log_line(format!("checking the DNS of {domain}"));
            app.start_check(platform, &domain);
        }
        Action::DnsChecked { platform, report } => {
            let key = (platform, report.domain.clone());
            app.checking.remove(&key);
            let red = report.checks.iter().filter(|c| c.is_red()).count();
            app.log_line(match red {
                0 => format!("DNS of {}: all records OK", report.domain),
                n => format!("DNS of {}: {n} red record(s)", report.domain),
            });
            app.reports.insert(key, report);
        }
    }
    None
}

/// s: the mail client settings of the wizard's new account (last step), or of the
/// account selected in the accounts table.
fn show_client_settings(app: &mut App) {
    let target = match app.screen() {
        Screen::Wizard(w) => Some((
            w.destination_id(),
            w.created.clone().unwrap_or_else(|| w.address.clone()),
        )),
        _ => match (app.selected_platform(), app.selected_account()) {
            (Some(p), Some(a)) if a.is_configured() => Some((p.id, a.address())),
            (Some(_), Some(a)) => {
                let msg = format!(
                    "{} is a free slot: create the account first (n)",
                    a.address()
                );
                app.fail(msg);
                return;
            }
            _ => None,
        },
    };
    let Some((platform, address)) = target else {
        return;
    };
    match crate::tui::client_settings::client_settings(app.backend.as_ref(), platform, &address) {
        Some(s) => app.open_dialog(Dialog::ClientSettings(Box::new(s))),
        None => app.fail(format!("no settings for {address}: its platform is gone")),
    }
}

/// e: where completion e-mails to addresses outside the panel land: the settings of
/// that mailbox, to read it with a mail client.
fn show_notifications(app: &mut App) {
    let Some((platform, login)) = app.backend.notifications_mailbox() else {
        app.fail(
            "this backend keeps no notification mailbox: notifications go to the addresses given"
                .into(),
        );
        return;
    };
    match crate::tui::client_settings::client_settings(app.backend.as_ref(), platform, &login) {
        Some(s) => {
            app.inform(format!(
                "completion e-mails to outside addresses land in {login}: read it over IMAP"
            ));
            // Reading the mailbox is I/O: an effect, whose result opens the dialog.
            app.queue(Effect::run(
                "read the notifications mailbox",
                move |backend| {
                    let notices = backend.notifications();
                    Action::NotificationsRead(Box::new(s.with_notices(notices)))
                },
            ));
        }
        None => app.fail(format!("the notification mailbox {login} is not reachable")),
    }
}

/// Esc: close the topmost overlay, or go back one screen.
fn back(app: &mut App) {
    match app.overlays.last_mut() {
        // What was typed is not dropped on one key press: the first Esc asks.
        Some(Overlay::Form(form)) if form.touched && !form.leave_asked => {
            form.leave_asked = true;
            form.error = Some("Esc again drops what you typed; Enter submits it".into());
        }
        Some(_) => {
            app.overlays.pop();
        }
        None => match app.screen() {
            // Below a DNS view is the screen it was opened from (the wizard, the
            // Platforms screen); below the project view, the dashboard.
            Screen::Dns(_) | Screen::Dashboard | Screen::Project(_) => app.pop_screen(),
            Screen::Wizard(_) => wizard::back(app),
            Screen::Platforms(_) => app.home_mut().focus = Focus::Sidebar,
        },
    }
}

fn edit(app: &mut App, req: tui_input::InputRequest) {
    if let Some((at, mut form)) = app.take_form() {
        let focus = form.focused_key();
        form.edit(req);
        if form.kind == FormKind::NewMigration {
            if matches!(focus, Some(FieldKey::SrcType | FieldKey::DstPlatform)) {
                crate::tui::migration_form::follow_choice(&mut form, app.backend.panel());
            }
            crate::tui::migration_form::refresh(
                &mut form,
                app.backend.panel(),
                &app.connection_tests,
            );
        }
        app.put_form(at, form);
    } else if let Screen::Wizard(w) = app.screen_mut() {
        w.edit(req);
    }
}

fn step(current: usize, delta: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    current.saturating_add_signed(delta).min(len - 1)
}

fn move_selection(app: &mut App, delta: isize) {
    if let Some(Overlay::Help { scroll }) = app.overlays.last_mut() {
        // Clamped again when drawn (only the renderer knows the height).
        *scroll = scroll.saturating_add_signed(delta as i16).min(200);
        return;
    }
    if !app.overlays.is_empty() {
        return;
    }
    match app.screen() {
        Screen::Dashboard => app.tasks.move_by(delta),
        Screen::Wizard(_) => {}
        Screen::Project(v) => {
            let len = v.record.as_ref().map_or(0, |r| r.entries.len());
            let row = step(v.row, delta, len);
            if let Screen::Project(v) = app.screen_mut() {
                v.row = row;
            }
        }
        Screen::Dns(view) => {
            let len = app
                .report(view.platform, &view.domain)
                .map_or(0, |r| r.checks.len());
            let row = step(view.row, delta, len);
            if let Screen::Dns(view) = app.screen_mut() {
                view.row = row;
            }
        }
        Screen::Platforms(home) => {
            let home = *home;
            let platforms = app.backend.panel().platforms.len();
            let lens = app
                .selected_platform()
                .map(|p| (p.domains.len(), p.accounts.len()));
            let v = app.home_mut();
            match home.focus {
                Focus::Sidebar => {
                    let new = step(home.platform, delta, platforms);
                    if new != home.platform {
                        v.platform = new;
                        v.domain_row = 0;
                        v.account_row = 0;
                    }
                }
                Focus::Table => {
                    let Some((domains, accounts)) = lens else {
                        return;
                    };
                    match home.tab {
                        Tab::Domains => v.domain_row = step(home.domain_row, delta, domains),
                        Tab::Accounts => v.account_row = step(home.account_row, delta, accounts),
                    }
                }
            }
        }
    }
}

fn open(app: &mut App) -> Option<Action> {
    match app.screen() {
        Screen::Dns(view) => {
            let check = app
                .report(view.platform, &view.domain)
                .and_then(|r| r.checks.get(view.row))
                .cloned()?;
            if let Some(wait) = check
                .fix
                .as_ref()
                .and_then(|f| queued_fix(app, &view.domain, f))
            {
                app.inform(format!(
                    "the fix of {} {} is already queued: resolvers see it in {}",
                    check.rtype,
                    check.name,
                    countdown(wait)
                ));
            } else if check.fix.is_some() && check.is_red() {
                let domain = view.domain.clone();
                app.open_dialog(Dialog::Fix {
                    domain,
                    check: Box::new(check),
                });
            } else if check.is_red() {
                let why = check
                    .note
                    .unwrap_or_else(|| "no automatic fix for this record".into());
                app.fail(why);
            } else {
                app.inform(format!(
                    "{} {} is fine: nothing to fix",
                    check.rtype, check.name
                ));
            }
            None
        }
        Screen::Platforms(v) => match v.focus {
            Focus::Sidebar => {
                app.home_mut().focus = Focus::Table;
                None
            }
            Focus::Table if v.tab == Tab::Domains => open_dns(app),
            Focus::Table => None,
        },
        Screen::Wizard(_) | Screen::Dashboard | Screen::Project(_) => None,
    }
}

fn open_dns(app: &mut App) -> Option<Action> {
    let platform = app.selected_platform()?.id;
    let Some(domain) = app.selected_domain().map(|d| d.name.clone()) else {
        app.fail("this platform has no domain yet: add one with a".into());
        return None;
    };
    app.push_screen(Screen::Dns(DnsView {
        platform,
        domain: domain.clone(),
        row: 0,
    }));
    Some(Action::StartDnsCheck { platform, domain })
}

fn add_domain_form(app: &mut App) {
    let Some(p) = app.selected_platform() else {
        return;
    };
    let form = Form::new(
        FormKind::AddDomain { platform: p.id },
        "Add a domain",
        &format!(
            "Associate a domain with {}. Non-authoritative: the platform shares the domain's mail with another server (the migration set-up).",
            p.label()
        ),
        vec![
            Field::text(FieldKey::DomainName, ""),
            Field::choice(
                FieldKey::DomainType,
                vec![
                    DomainKind::NonAuthoritative.to_string(),
                    DomainKind::Authoritative.to_string(),
                ],
            ),
        ],
    );
    app.open_form(form);
}

fn create_account_form(app: &mut App) {
    let Some(p) = app.selected_platform() else {
        return;
    };
    if p.domains.is_empty() {
        let msg = format!("{} has no domain: add a domain first (tab 1, a)", p.label());
        app.fail(msg);
        return;
    }
    if p.unconfigured_count() == 0 {
        let msg = format!(
            "no unconfigured account left on {}: order another account first",
            p.label()
        );
        app.fail(msg);
        return;
    }
    let domains = p.domains.iter().map(|d| d.name.clone()).collect();
    app.open_form(Form::new(
        FormKind::CreateAccount { platform: p.id },
        "Create an account",
        &format!(
            "A new mailbox on {} ({} free slot(s)).",
            p.label(),
            p.unconfigured_count()
        ),
        vec![
            Field::text(FieldKey::Login, ""),
            Field::choice(FieldKey::AccountDomain, domains),
            Field::text(FieldKey::DisplayName, ""),
            Field::secret(FieldKey::Password),
        ],
    ));
}

fn rename_form(app: &mut App) {
    let Some(p) = app.selected_platform() else {
        return;
    };
    let Some(a) = app.selected_account() else {
        return;
    };
    if !a.is_configured() {
        let msg = format!(
            "{} is a free slot: create an account first (n)",
            a.address()
        );
        app.fail(msg);
        return;
    }
    let suggestion = p.suggest_provisional_name(&a.local_part, &a.domain);
    let form = Form::new(
        FormKind::Rename {
            platform: p.id,
            address: a.address(),
        },
        "Rename an account",
        &format!(
            "Give {} a new login on @{}; the mailbox keeps its content. The suggestion is a free provisional name for a migration.",
            a.address(),
            a.domain
        ),
        vec![Field::text(FieldKey::NewLogin, &suggestion)],
    );
    app.open_form(form);
}

fn reset_dialog(app: &mut App) {
    let (Some(p), Some(a)) = (app.selected_platform(), app.selected_account()) else {
        return;
    };
    let platform = p.id;
    match p.reset_preview(&a.address()) {
        Ok(wipe) => app.open_dialog(Dialog::Reset { platform, wipe }),
        Err(e) => app.fail(e.to_string()),
    }
}

fn submit(app: &mut App) -> Option<Action> {
    if app.form().is_none() && app.on_wizard() {
        return wizard::submit(app);
    }
    let (at, mut form) = app.take_form()?;
    form.clear_errors();
    let outcome = match form.kind.clone() {
        FormKind::AddDomain { platform } => submit_add_domain(app, &mut form, platform),
        FormKind::CreateAccount { platform } => submit_create(app, &mut form, platform),
        FormKind::Rename { platform, address } => submit_rename(app, &mut form, platform, &address),
        FormKind::NewMigration => migration::submit(app, &mut form),
        FormKind::Follow => tasks::submit_follow(app, &mut form),
        FormKind::ImportProject => project::submit(app, &mut form),
        FormKind::Rollback { id } => tasks::submit_rollback(app, &mut form, &id),
        FormKind::Resume { id } => tasks::submit_resume(app, &mut form, &id),
    };
    match outcome {
        Some(follow_up) => follow_up,
        None => {
            app.put_form(at, form);
            None
        }
    }
}

/// `None`: the form stays open with its errors; `Some(x)`: done, follow up with `x`.
pub(crate) type Outcome = Option<Option<Action>>;

fn submit_add_domain(
    app: &mut App,
    form: &mut Form,
    platform: mailshift_panel::PlatformId,
) -> Outcome {
    let name = form.value(FieldKey::DomainName).trim().to_ascii_lowercase();
    // The options were listed in this order.
    let kind = [DomainKind::NonAuthoritative, DomainKind::Authoritative]
        .get(form.choice_index(FieldKey::DomainType))
        .copied()
        .unwrap_or(DomainKind::NonAuthoritative);
    if let Err(e) = validate_domain_name(&name) {
        form.refuse(FieldKey::DomainName, e.to_string());
        return None;
    }
    app.queue(Effect::run("add a domain", move |b| {
        let result = b.add_domain(platform, &name, kind);
        Action::DomainAdded {
            platform,
            name,
            kind,
            result,
        }
    }));
    // The form stays until the backend answers (`domain_added`).
    None
}

/// The backend's answer to an added domain: close the form and check the domain, or
/// show the refusal in the form.
fn domain_added(
    app: &mut App,
    platform: mailshift_panel::PlatformId,
    name: String,
    kind: DomainKind,
    result: Result<(), String>,
) -> Option<Action> {
    let mine = |f: &Form| f.kind == FormKind::AddDomain { platform };
    match result {
        Ok(()) => {
            if app.form().is_some_and(mine) {
                app.close_form();
            }
            app.inform(format!("{name} added ({kind})"));
            Some(Action::StartDnsCheck {
                platform,
                domain: name,
            })
        }
        Err(e) => {
            match app.form_mut().filter(|f| mine(f)) {
                Some(form) => form.error = Some(e),
                None => app.fail(e),
            }
            None
        }
    }
}

fn submit_create(app: &mut App, form: &mut Form, platform: mailshift_panel::PlatformId) -> Outcome {
    let login = form.value(FieldKey::Login).trim().to_string();
    let password = form.value(FieldKey::Password).to_string();
    if let Err(e) = validate_local_part(&login) {
        form.refuse(FieldKey::Login, e.to_string());
    }
    if let Err(e) = check_strength(&password, &login) {
        form.refuse(FieldKey::Password, e.to_string());
    }
    if form.has_field_errors() {
        return None;
    }
    let new = NewAccount {
        local_part: login,
        domain: form.value(FieldKey::AccountDomain).to_string(),
        display_name: form.value(FieldKey::DisplayName).trim().to_string(),
        password,
        quota_bytes: None,
    };
    app.queue(Effect::run("create an account", move |b| {
        Action::AccountCreated(b.create_account(platform, new))
    }));
    None
}

/// The backend's answer to a created account.
fn account_created(app: &mut App, result: Result<String, String>) {
    let mine = |f: &Form| matches!(f.kind, FormKind::CreateAccount { .. });
    match result {
        Ok(address) => {
            if app.form().is_some_and(mine) {
                app.close_form();
            }
            app.inform(format!("{address} created"));
        }
        Err(e) => match app.form_mut().filter(|f| mine(f)) {
            Some(form) => form.error = Some(e),
            None => app.fail(e),
        },
    }
}

fn submit_rename(
    app: &mut App,
    form: &mut Form,
    platform: mailshift_panel::PlatformId,
    address: &str,
) -> Outcome {
    let new_local = form.value(FieldKey::NewLogin).trim().to_string();
    if let Err(e) = validate_local_part(&new_local) {
        form.refuse(FieldKey::NewLogin, e.to_string());
        return None;
    }
    let address = address.to_string();
    app.queue(Effect::run("rename an account", move |b| {
        let result = b.rename_account(platform, &address, &new_local);
        Action::AccountRenamed { address, result }
    }));
    None
}

/// The backend's answer to a rename from the rename form.
fn account_renamed(app: &mut App, address: &str, result: Result<String, String>) {
    let mine = |f: &Form| matches!(&f.kind, FormKind::Rename { address: a, .. } if a == address);
    match result {
        Ok(new) => {
            if app.form().is_some_and(mine) {
                app.close_form();
            }
            app.inform(format!("{address} renamed to {new}"));
        }
        Err(e) => match app.form_mut().filter(|f| mine(f)) {
            Some(form) => form.error = Some(e),
            None => app.fail(e),
        },
    }
}

fn confirm(app: &mut App) -> Option<Action> {
    match app.close_dialog()? {
        Dialog::Reset { platform, wipe } => {
            let address = wipe.address;
            app.queue(Effect::run("reset an account", move |b| {
                let result = b.reset_account(platform, &address);
                Action::AccountReset { address, result }
            }));
            None
        }
        Dialog::Cancel { id } => {
            tasks::cancel(app, &id);
            None
        }
        Dialog::Quit { .. }
        | Dialog::Report { .. }
        | Dialog::LeaveWizard { .. }
        | Dialog::ClientSettings(_) => None,
        Dialog::Fix { domain, check } => {
            let fix = check.fix.as_ref()?;
            if let Some(wait) = queued_fix(app, &domain, fix) {
                app.inform(format!(
                    "this fix is already queued: resolvers see it in {}",
                    countdown(wait)
                ));
                return None;
            }
            let fix = fix.clone();
            app.queue(Effect::run("apply a DNS fix", move |b| {
                let result = b.apply_fix(&domain, &fix);
                Action::FixApplied {
                    domain,
                    result,
                    pending: b.pending_changes(),
                }
            }));
            None
        }
    }
}

/// How long until resolvers see `fix` of `domain`, when the same change is already
/// propagating (it is not queued a second time).
fn queued_fix(app: &App, domain: &str, fix: &mailshift_dns::Fix) -> Option<std::time::Duration> {
    use mailshift_dns::RecordChange;
    app.pending
        .iter()
        .filter(|c| c.domain.eq_ignore_ascii_case(domain))
        .find(|c| match &c.change {
            RecordChange::Add(r) | RecordChange::Remove(r) => *r == fix.target,
        })
        .map(|c| c.remaining)
}

fn tick(app: &mut App) -> Option<Action> {
    app.ticks += 1;
    if app.ticks.is_multiple_of(TASK_REFRESH_TICKS) {
        app.refresh_tasks();
    }
    tasks::check_quitting(app);
    app.queue(Effect::run("advance the provider's clock", |b| {
        Action::Advanced {
            changed: b.advance(),
            pending: b.pending_changes(),
        }
    }));
    project::reload(app);
    None
}

/// The provider's time passed: redraw when the panel changed or changes propagate;
/// recheck the domains whose change resolvers now see.
fn advanced(app: &mut App, changed: bool, now: Vec<mailshift_dns::PendingChange>) {
    if changed {
        app.dirty = true;
    }
    if !now.is_empty() || now != app.pending {
        app.dirty = true;
    }
    // A change resolvers now see: check its domain again on every platform holding
    // it, so that the DNS cell of the domain list is fresh without opening it.
    let mut visible: Vec<String> = app
        .pending
        .iter()
        .filter(|old| !now.iter().any(|c| c.id == old.id))
        .map(|c| c.domain.to_ascii_lowercase())
        .collect();
    visible.dedup();
    app.pending = now;
    let targets: Vec<(mailshift_panel::PlatformId, String)> = app
        .backend
        .panel()
        .platforms
        .iter()
        .flat_map(|p| {
            p.domains
                .iter()
                .filter(|d| visible.contains(&d.name.to_ascii_lowercase()))
                .map(move |d| (p.id, d.name.clone()))
        })
        .collect();
    for (platform, domain) in targets {
        app.log_line(format!(
            "a DNS change of {domain} is now visible: checking again"
        ));
        app.start_check(platform, &domain);
    }
}

/// The start-up effect ran: take the saved wizards and tasks, follow the task
/// broadcast, resume what a previous run left interrupted, check every domain.
fn started(app: &mut App, s: Startup) {
    // The migrator is a handle the backend holds (no I/O to get it).
    app.migrator = app.backend.migrator();
    if let Some((store, problem)) = s.migrations {
        app.migrations = store;
        if let Some(p) = problem {
            app.log_line(p);
        }
    }
    if let Some(m) = app.migrator.clone() {
        app.tasks.replace_all(s.tasks);
        app.follow_tasks(&m);
        tasks::resume_interrupted(app);
    }
    if let Some(note) = s.note {
        app.log_line(note);
    }
    let all: Vec<(mailshift_panel::PlatformId, String)> = app
        .backend
        .panel()
        .platforms
        .iter()
        .flat_map(|p| p.domains.iter().map(move |d| (p.id, d.name.clone())))
        .collect();
    for (platform, domain) in all {
        app.start_check(platform, &domain);
    }
    app.pending = s.pending;
}

/// A left click: a footer hint acts as its key (the buttons of every screen, form and
/// dialog); on the Platforms screen a platform, a tab or a table row is selected.
fn click(app: &mut App, x: u16, y: u16) -> Option<Action> {
    let (w, h) = app.size;
    let areas = layout::screen(ratatui::layout::Rect::new(0, 0, w, h), app.log_visible);
    if y == areas.footer.y {
        let b = crate::tui::widgets::footer::hint_at(&app.contexts(), areas.footer.width, x)?;
        return Some(b.action.clone());
    }
    if !app.overlays.is_empty() {
        return None;
    }
    if let Screen::Project(v) = app.screen_mut() {
        // The head (two lines and a gap) and the table header come first.
        let first = areas.body.y + 4;
        if y >= first {
            let len = v.record.as_ref().map_or(0, |r| r.entries.len());
            let i = usize::from(y - first);
            if i < len {
                v.row = i;
            }
        }
        return None;
    }
    let Screen::Platforms(home) = app.screen() else {
        return None;
    };
    let home = *home;
    let p_areas = layout::platforms(areas.body);
    // The tab bar: " 1 Associated domains (N) │ 2 Email accounts (M) ".
    if y == p_areas.tabs.y + 1 && x >= p_areas.tabs.x {
        let first = app.selected_platform().map_or(0, |p| {
            format!(" 1 Associated domains ({}) ", p.domains.len())
                .chars()
                .count()
        });
        app.home_mut().tab = if usize::from(x - p_areas.tabs.x) < first {
            Tab::Domains
        } else {
            Tab::Accounts
        };
        app.home_mut().focus = Focus::Table;
        return None;
    }
    // A table row: the header takes the first line; narrow account rows take two.
    let content = p_areas.content;
    if x > content.x && y > content.y && y < content.bottom() {
        let p = app.selected_platform()?;
        let (len, height, selected) = match home.tab {
            Tab::Domains => (p.domains.len(), 1, home.domain_row),
            Tab::Accounts => (
                p.accounts.len(),
                if content.width.saturating_sub(1) >= 80 {
                    1
                } else {
                    2
                },
                home.account_row,
            ),
        };
        let visible = usize::from((content.height.saturating_sub(1)) / height).max(1);
        let offset = (selected + 1).saturating_sub(visible);
        let i = offset + usize::from((y - content.y - 1) / height);
        if i < len {
            let v = app.home_mut();
            v.focus = Focus::Table;
            match v.tab {
                Tab::Domains => v.domain_row = i,
                Tab::Accounts => v.account_row = i,
            }
        }
        return None;
    }
    let sidebar = p_areas.sidebar_list;
    if let Some(i) = layout::sidebar_row_at(sidebar, x, y) {
        if i < app.backend.panel().platforms.len() {
            let v = app.home_mut();
            v.platform = i;
            v.focus = Focus::Sidebar;
            v.domain_row = 0;
            v.account_row = 0;
        }
    }
    None
}

#[cfg(test)]
mod tests;
