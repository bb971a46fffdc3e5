//! The application state: which screen, which row, which overlay, the cached DNS
//! reports, the tasks, the wizard, the log, and the background work queued for the
//! event loop. Rendering reads it; only `update` changes it.

use std::collections::{HashMap, HashSet, VecDeque};

use crossterm::event::{Event, KeyEvent};
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::StreamExt;
use mailshift_dns::{DomainReport, PendingChange, RecordCheck};
use mailshift_panel::{Account, Domain, Platform, PlatformId, Wipe};
use mailshift_tasks::Side;
use mailshift_tasks::{Credentials, Migrator, TaskRecord};
use tokio::sync::broadcast::error::RecvError;

use super::action::{Action, Startup};
use super::backend::Backend;
use super::effect::Effect;
use super::form::Form;
use super::keymap::{self, Context};
use super::progress::ProgressStore;
use super::task_board::TaskBoard;
use super::theme::Theme;
use super::wizard::{Wizard, WizardStep};

/// How many lines the log keeps.
const LOG_LINES: usize = 200;

/// The tabs of a platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Associated domains.
    Domains,
    /// Email accounts.
    Accounts,
}

/// What has the keyboard on the Platforms screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The platform list.
    Sidebar,
    /// The tab's table.
    Table,
}

/// The DNS diagnostic of one domain as one platform expects it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsView {
    /// The platform whose records are expected.
    pub platform: PlatformId,
    /// The domain, lower case.
    pub domain: String,
    /// The selected record row.
    pub row: usize,
}

/// One project (a CSV import) and its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectView {
    /// The project as last read from its record (`None` until read).
    pub record: Option<mailshift_tasks::project::ProjectRecord>,
    /// The selected row.
    pub row: usize,
}

/// The Platforms screen's state: which platform, tab, focus and rows are selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformsView {
    /// Index of the selected platform in the sidebar.
    pub platform: usize,
    /// The selected platform's tab.
    pub tab: Tab,
    /// Sidebar or table.
    pub focus: Focus,
    /// Selected row of the domains table.
    pub domain_row: usize,
    /// Selected row of the accounts table.
    pub account_row: usize,
}

impl Default for PlatformsView {
    fn default() -> Self {
        PlatformsView {
            platform: 0,
            tab: Tab::Domains,
            focus: Focus::Sidebar,
            domain_row: 0,
            account_row: 0,
        }
    }
}

/// The full-screen views, each with its own state. They stack: the Platforms screen
/// is always at the bottom (its selection survives a visit to another screen), a
/// DNS view opened from the wizard sits above the wizard, and Esc pops.
#[derive(Debug, Clone)]
pub enum Screen {
    /// Sidebar of platforms and the selected platform's tabs.
    Platforms(PlatformsView),
    /// DNS diagnostic of a domain.
    Dns(DnsView),
    /// The guided migration wizard.
    Wizard(Box<Wizard>),
    /// Every task with its progress; the selected one's folders and log. (The
    /// selection lives in `App::tasks`: it follows a task across reloads, and the
    /// wizard and the New migration form select the task they start before this
    /// screen is shown.)
    Dashboard,
    /// The last project imported: its rows, their tasks, pause/resume/cancel.
    Project(ProjectView),
}

/// A modal layer above the screen; they stack, the last one has the keyboard and Esc
/// closes it first.
#[derive(Debug, Clone)]
pub enum Overlay {
    /// An open form.
    Form(Form),
    /// A question or a report.
    Dialog(Dialog),
    /// The help overlay, scrolled this many lines (it scrolls when taller than the
    /// screen, so that nothing of it is cut).
    Help {
        /// Lines scrolled.
        scroll: u16,
    },
}

/// A modal question.
#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    /// Confirm a reset; names what will be wiped.
    Reset {
        /// The account's platform.
        platform: PlatformId,
        /// What the reset wipes.
        wipe: Wipe,
    },
    /// Show (and offer to apply) the fix of a red record.
    Fix {
        /// The domain whose zone changes.
        domain: String,
        /// The red record, with its fix.
        check: Box<RecordCheck>,
    },
    /// Confirm cancelling a task.
    Cancel {
        /// The task.
        id: String,
    },
    /// Tasks are running: continue them headless, cancel them, or stay.
    Quit {
        /// The tasks this process runs.
        running: Vec<String>,
    },
    /// A task's verification report.
    Report {
        /// The task.
        id: String,
    },
    /// The mail client settings of an account.
    ClientSettings(Box<super::client_settings::ClientSettings>),
    /// Leaving a wizard that changed something: continue later or undo it.
    LeaveWizard {
        /// What the wizard did so far, one sentence each.
        done: Vec<String>,
    },
}

/// The keymap context of a dialog.
fn dialog_context(d: &Dialog) -> Context {
    match d {
        Dialog::Reset { .. } => Context::Confirm,
        Dialog::Cancel { .. } => Context::CancelAsk,
        Dialog::Fix { .. } => Context::Fix,
        Dialog::Quit { .. } => Context::QuitAsk,
        Dialog::Report { .. } => Context::Report,
        Dialog::ClientSettings(_) => Context::Settings,
        Dialog::LeaveWizard { .. } => Context::LeaveAsk,
    }
}

/// Every change of a task, as actions; a lagging receiver asks for a full reload.
fn task_updates(m: &Migrator) -> BoxStream<'static, Action> {
    futures::stream::unfold(m.subscribe(), |mut rx| async move {
        match rx.recv().await {
            Ok(rec) => Some((Action::TaskUpdated(Box::new(rec)), rx)),
            Err(RecvError::Lagged(_)) => Some((Action::RefreshTasks, rx)),
            Err(RecvError::Closed) => None,
        }
    })
    .boxed()
}

/// The one-line message under the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// What happened.
    pub text: String,
    /// Whether it is a failure.
    pub error: bool,
}

/// Everything the TUI knows.
pub struct App {
    /// What the panel operations go to. `update` only reads it (the panel snapshot in
    /// memory, for drawing and for the choices a form offers, the secrets this process
    /// knows); every write, provider clock step, migrator call or file access goes
    /// through an `Effect` run by the event loop.
    pub backend: Box<dyn Backend>,
    /// Colours or monochrome.
    pub theme: Theme,
    /// Terminal size (columns, rows), for mouse hit-testing.
    pub size: (u16, u16),
    /// The screens, bottom first: `[0]` is always the Platforms screen; the last is
    /// shown.
    screens: Vec<Screen>,
    /// The modal overlays, bottom first; the last has the keyboard.
    pub overlays: Vec<Overlay>,
    /// Whether the log pane is shown.
    pub log_visible: bool,
    /// What happened, oldest first.
    pub log: VecDeque<String>,
    /// The last message.
    pub status: Option<Status>,
    /// DNS reports by (platform, domain).
    pub reports: HashMap<(PlatformId, String), DomainReport>,
    /// DNS checks in flight.
    pub checking: HashSet<(PlatformId, String)>,
    /// Zone changes still propagating (refreshed every tick).
    pub pending: Vec<PendingChange>,
    /// Whether the screen must be redrawn.
    pub dirty: bool,
    /// Whether the event loop must stop.
    pub should_quit: bool,
    /// Waiting for cancelled tasks to stop before quitting.
    pub quitting: bool,
    /// The wizards that changed something and have not ended (saved between runs).
    pub migrations: ProgressStore,
    /// Every known task, newest first.
    pub tasks: TaskBoard,
    /// The migrator, when the backend can migrate.
    pub migrator: Option<Migrator>,
    /// The last connection tests of the migration form, by side.
    pub connection_tests: Vec<(Side, Result<String, String>)>,
    /// A New migration task waiting for its two logins to be checked.
    pub pending_start: Option<(mailshift_tasks::TaskSpec, Credentials)>,
    /// Seconds since start (ticks), for periodic refreshes.
    pub ticks: u64,
    effects: Vec<Effect>,
    streams: Vec<BoxStream<'static, Action>>,
}

impl App {
    /// The app on `backend`, with its start-up work queued (nothing runs here): the
    /// saved wizards and tasks are read, interrupted tasks resumed and every
    /// associated domain checked once the event loop runs the first effects.
    pub fn new(backend: Box<dyn Backend>, theme: Theme) -> App {
        let mut app = App {
            backend,
            theme,
            size: (80, 24),
            screens: vec![Screen::Platforms(PlatformsView::default())],
            overlays: Vec::new(),
            log_visible: false,
            log: VecDeque::new(),
            status: None,
            reports: HashMap::new(),
            checking: HashSet::new(),
            pending: Vec::new(),
            dirty: true,
            should_quit: false,
            quitting: false,
            migrations: ProgressStore::default(),
            tasks: TaskBoard::default(),
            migrator: None,
            connection_tests: Vec::new(),
            pending_start: None,
            ticks: 0,
            effects: Vec::new(),
            streams: Vec::new(),
        };
        // Everything that reads the disk or the backend's state is the loop's first
        // effect; its result (`Action::Started`) fills the app in.
        app.queue(Effect::run("start up", startup));
        app
    }

    /// The screen shown.
    pub fn screen(&self) -> &Screen {
        self.screens.last().unwrap_or(&self.screens[0])
    }

    /// The screen shown, to change its state.
    pub fn screen_mut(&mut self) -> &mut Screen {
        let last = self.screens.len() - 1;
        &mut self.screens[last]
    }

    /// The Platforms screen's state (kept under the other screens).
    pub fn home(&self) -> &PlatformsView {
        match &self.screens[0] {
            Screen::Platforms(v) => v,
            _ => unreachable!("the Platforms screen is always at the bottom"),
        }
    }

    /// The Platforms screen's state, to change it.
    pub fn home_mut(&mut self) -> &mut PlatformsView {
        match &mut self.screens[0] {
            Screen::Platforms(v) => v,
            _ => unreachable!("the Platforms screen is always at the bottom"),
        }
    }

    /// Show `screen` as a top-level view: every screen above the Platforms screen
    /// goes (an open wizard's progress is saved as it changes), then `screen` is put
    /// on top (nothing for `Platforms`, which keeps its selection).
    pub fn show(&mut self, screen: Screen) {
        self.screens.truncate(1);
        match screen {
            Screen::Platforms(_) => {}
            other => self.screens.push(other),
        }
    }

    /// Put `screen` above the one shown (Esc comes back to it).
    pub fn push_screen(&mut self, screen: Screen) {
        self.screens.push(screen);
    }

    /// Close the screen shown (never the Platforms screen).
    pub fn pop_screen(&mut self) {
        if self.screens.len() > 1 {
            self.screens.pop();
        }
    }

    /// Whether the screen shown is the wizard.
    pub fn on_wizard(&self) -> bool {
        matches!(self.screen(), Screen::Wizard(_))
    }

    /// The open wizard (shown, or under a DNS view opened from it).
    pub fn wizard(&self) -> Option<&Wizard> {
        self.screens.iter().rev().find_map(|s| match s {
            Screen::Wizard(w) => Some(w.as_ref()),
            _ => None,
        })
    }

    /// The open wizard, to change it.
    pub fn wizard_mut(&mut self) -> Option<&mut Wizard> {
        self.screens.iter_mut().rev().find_map(|s| match s {
            Screen::Wizard(w) => Some(w.as_mut()),
            _ => None,
        })
    }

    /// Close the wizard and whatever was opened above it.
    pub fn close_wizard(&mut self) {
        if let Some(i) = self
            .screens
            .iter()
            .position(|s| matches!(s, Screen::Wizard(_)))
        {
            self.screens.truncate(i.max(1));
        }
    }

    /// The open form (the topmost one).
    pub fn form(&self) -> Option<&Form> {
        self.overlays.iter().rev().find_map(|o| match o {
            Overlay::Form(f) => Some(f),
            _ => None,
        })
    }

    /// The open form, to change it.
    pub fn form_mut(&mut self) -> Option<&mut Form> {
        self.overlays.iter_mut().rev().find_map(|o| match o {
            Overlay::Form(f) => Some(f),
            _ => None,
        })
    }

    /// Open `form` (replacing a form already open).
    pub fn open_form(&mut self, form: Form) {
        self.close_form();
        self.overlays.push(Overlay::Form(form));
    }

    /// Close the open form.
    pub fn close_form(&mut self) {
        self.overlays.retain(|o| !matches!(o, Overlay::Form(_)));
    }

    /// Take the open form out of the stack, with its place (to be put back with
    /// `put_form` when it stays open).
    pub fn take_form(&mut self) -> Option<(usize, Form)> {
        let i = self
            .overlays
            .iter()
            .rposition(|o| matches!(o, Overlay::Form(_)))?;
        match self.overlays.remove(i) {
            Overlay::Form(f) => Some((i, f)),
            _ => None,
        }
    }

    /// Put a form taken with `take_form` back at its place.
    pub fn put_form(&mut self, at: usize, form: Form) {
        let at = at.min(self.overlays.len());
        self.overlays.insert(at, Overlay::Form(form));
    }

    /// The open dialog (the topmost one).
    pub fn dialog(&self) -> Option<&Dialog> {
        self.overlays.iter().rev().find_map(|o| match o {
            Overlay::Dialog(d) => Some(d),
            _ => None,
        })
    }

    /// The open dialog, to change it.
    pub fn dialog_mut(&mut self) -> Option<&mut Dialog> {
        self.overlays.iter_mut().rev().find_map(|o| match o {
            Overlay::Dialog(d) => Some(d),
            _ => None,
        })
    }

    /// Open `dialog` (replacing a dialog already open), above any form.
    pub fn open_dialog(&mut self, dialog: Dialog) {
        self.close_dialog();
        self.overlays.push(Overlay::Dialog(dialog));
    }

    /// Close the open dialog, returning it.
    pub fn close_dialog(&mut self) -> Option<Dialog> {
        let i = self
            .overlays
            .iter()
            .rposition(|o| matches!(o, Overlay::Dialog(_)))?;
        match self.overlays.remove(i) {
            Overlay::Dialog(d) => Some(d),
            _ => None,
        }
    }

    /// Whether the help overlay is shown.
    pub fn help_open(&self) -> bool {
        self.overlays
            .iter()
            .any(|o| matches!(o, Overlay::Help { .. }))
    }

    /// How far the help overlay is scrolled (0 when closed).
    pub fn help_scroll(&self) -> u16 {
        self.overlays
            .iter()
            .find_map(|o| match o {
                Overlay::Help { scroll } => Some(*scroll),
                _ => None,
            })
            .unwrap_or(0)
    }

    /// The platform selected in the sidebar.
    pub fn selected_platform(&self) -> Option<&Platform> {
        self.backend.panel().platforms.get(self.home().platform)
    }

    /// The domain selected in the domains table.
    pub fn selected_domain(&self) -> Option<&Domain> {
        self.selected_platform()?
            .domains
            .get(self.home().domain_row)
    }

    /// The account (or free slot) selected in the accounts table.
    pub fn selected_account(&self) -> Option<&Account> {
        self.selected_platform()?
            .accounts
            .get(self.home().account_row)
    }

    /// The cached report of `domain` on `platform`.
    pub fn report(&self, platform: PlatformId, domain: &str) -> Option<&DomainReport> {
        self.reports.get(&(platform, domain.to_ascii_lowercase()))
    }

    /// The keymap contexts in force, most specific first: the topmost overlay's, or
    /// the screen's.
    pub fn contexts(&self) -> Vec<Context> {
        match self.overlays.last() {
            Some(Overlay::Help { .. }) => vec![Context::Help, Context::Always],
            Some(Overlay::Dialog(d)) => vec![dialog_context(d), Context::Always],
            Some(Overlay::Form(f)) if f.kind == super::form::FormKind::ImportProject => {
                vec![Context::ImportForm, Context::Form, Context::Always]
            }
            Some(Overlay::Form(_)) => vec![Context::Form, Context::Always],
            None => self.screen_contexts(),
        }
    }

    /// Whether typed characters edit a field (a form, or a wizard text field).
    pub fn takes_text(&self) -> bool {
        match self.overlays.last() {
            Some(Overlay::Help { .. } | Overlay::Dialog(_)) => false,
            Some(Overlay::Form(f)) => f.fields.get(f.focus).is_some(),
            None => match self.screen() {
                Screen::Wizard(w) => !w.fields().is_empty(),
                _ => false,
            },
        }
    }

    /// The contexts of the screen under any overlay (what the help overlay lists).
    pub fn screen_contexts(&self) -> Vec<Context> {
        if self.form().is_some() {
            return vec![Context::Form, Context::Always];
        }
        match self.screen() {
            Screen::Dns(_) => vec![Context::Dns, Context::Global, Context::Always],
            Screen::Dashboard => vec![Context::Dashboard, Context::Global, Context::Always],
            Screen::Project(_) => vec![Context::Project, Context::Global, Context::Always],
            Screen::Wizard(w) if w.takes_text() => vec![Context::Wizard, Context::Always],
            Screen::Wizard(w) if w.step == WizardStep::Finish => vec![
                Context::WizardDone,
                Context::Wizard,
                Context::Global,
                Context::Always,
            ],
            Screen::Wizard(_) => vec![Context::Wizard, Context::Global, Context::Always],
            Screen::Platforms(v) => {
                let here = match (v.focus, v.tab) {
                    (Focus::Sidebar, _) => Context::Sidebar,
                    (Focus::Table, Tab::Domains) => Context::Domains,
                    (Focus::Table, Tab::Accounts) => Context::Accounts,
                };
                vec![here, Context::Platforms, Context::Global, Context::Always]
            }
        }
    }

    /// The action a key press means here: the keymap first, then (in a form) an edit.
    pub fn key_action(&self, key: KeyEvent) -> Option<Action> {
        keymap::resolve(&self.contexts(), &key).or_else(|| {
            if self.takes_text() {
                tui_input::backend::crossterm::to_input_request(&Event::Key(key)).map(Action::Edit)
            } else {
                None
            }
        })
    }

    /// Queue background work; its resulting action comes back through the event loop.
    pub fn spawn(&mut self, work: BoxFuture<'static, Action>) {
        self.effects.push(Effect::Spawn(work));
    }

    /// Add the task broadcast of `m` to the sources of actions.
    pub fn follow_tasks(&mut self, m: &Migrator) {
        self.streams.push(task_updates(m));
    }

    /// Add a long-lived source of actions (a running project's progress).
    pub fn add_stream(&mut self, s: BoxStream<'static, Action>) {
        self.streams.push(s);
    }

    /// The long-lived sources of actions queued since the last call (the task
    /// broadcast); the event loop forwards each into the action channel.
    pub fn take_streams(&mut self) -> Vec<BoxStream<'static, Action>> {
        std::mem::take(&mut self.streams)
    }

    /// The two secrets of `rec` when this process knows both.
    pub fn known_credentials(&self, rec: &TaskRecord) -> Option<Credentials> {
        Some(Credentials {
            source: self.backend.known_secret(&rec.spec.source)?,
            destination: self.backend.known_secret(&rec.spec.destination)?,
        })
    }

    /// Queue the DNS diagnostic of `domain` on `platform` as background work.
    pub fn start_check(&mut self, platform: PlatformId, domain: &str) {
        let domain = domain.to_ascii_lowercase();
        self.checking.insert((platform, domain.clone()));
        self.effects.push(Effect::SpawnOn {
            what: "check DNS",
            make: Box::new(move |backend| {
                let future = backend.dns_check(platform, &domain);
                Box::pin(async move {
                    Action::DnsChecked {
                        platform,
                        report: future.await,
                    }
                })
            }),
        });
    }

    /// Queue an effect for the event loop.
    pub fn queue(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    /// The effects queued since the last call (tests look at them).
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    /// Run the queued effects that act on the backend, in order, dispatching what
    /// each returns (and running what that queues in turn); hand back the background
    /// work for the caller to spawn. The event loop calls this after every action.
    pub fn run_effects(&mut self) -> Vec<BoxFuture<'static, Action>> {
        let mut background = Vec::new();
        loop {
            let effects = self.take_effects();
            if effects.is_empty() {
                return background;
            }
            for effect in effects {
                match effect {
                    Effect::Spawn(work) => background.push(work),
                    Effect::SpawnOn { make, .. } => background.push(make(self.backend.as_ref())),
                    Effect::Run { run, .. } => {
                        let action = run(self.backend.as_mut());
                        super::update::dispatch(self, action);
                    }
                }
            }
        }
    }

    /// Run every queued effect to completion on this thread and apply the results,
    /// background work included (tests: the same behaviour, synchronously).
    pub fn settle(&mut self) {
        loop {
            let background = self.run_effects();
            if background.is_empty() {
                break;
            }
            for work in background {
                let action = futures::executor::block_on(work);
                super::update::dispatch(self, action);
            }
        }
    }

    /// Queue a reload of every task (other processes' too), off the UI thread.
    pub fn refresh_tasks(&mut self) {
        let Some(m) = self.migrator.clone() else {
            return;
        };
        self.effects.push(Effect::Spawn(Box::pin(async move {
            let records = match tokio::runtime::Handle::try_current() {
                Ok(h) => h
                    .spawn_blocking(move || m.tasks())
                    .await
                    .unwrap_or_default(),
                Err(_) => m.tasks(),
            };
            Action::TasksRefreshed(records)
        })));
    }

    /// Add a line to the in-app log (and the log file, through tracing).
    pub fn log_line(&mut self, line: String) {
        tracing::info!(target: "mailshift::tui", "{line}");
        self.log.push_back(line);
        while self.log.len() > LOG_LINES {
            self.log.pop_front();
        }
    }

    /// Tell the person something went well.
    pub fn inform(&mut self, text: String) {
        self.log_line(text.clone());
        self.status = Some(Status { text, error: false });
    }

    /// Tell the person something failed and why.
    pub fn fail(&mut self, text: String) {
        self.log_line(format!("error: {text}"));
        self.status = Some(Status { text, error: true });
    }
}

/// The start-up effect: what the saved state holds and what the backend says.
fn startup(backend: &mut dyn Backend) -> Action {
    let mut s = Startup {
        note: backend.sandbox_note(),
        pending: backend.pending_changes(),
        ..Startup::default()
    };
    if let Some(m) = backend.migrator() {
        s.migrations = Some(ProgressStore::open(m.state_dir()));
        s.tasks = m.tasks();
    }
    Action::Started(Box::new(s))
}
