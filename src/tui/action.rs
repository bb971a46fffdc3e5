//! Every user intent and background result the TUI handles: keys are turned into
//! these by the keymap, background tasks send them back over the Action channel.

use mailshift_dns::{DomainReport, PendingChange};
use mailshift_panel::{DomainKind, PlatformId};
use mailshift_tasks::Side;
use mailshift_tasks::TaskRecord;
use tui_input::InputRequest;

/// What the start-up effect found: the saved wizards and tasks, the backend's note.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Startup {
    /// The wizards' saved progress, and why it could not be read (when it could not).
    pub migrations: Option<(super::progress::ProgressStore, Option<String>)>,
    /// Every task on disk.
    pub tasks: Vec<TaskRecord>,
    /// What the backend is (the sandbox's line).
    pub note: Option<String>,
    /// Zone changes still propagating.
    pub pending: Vec<PendingChange>,
}

/// One thing to do; `update` consumes them one at a time.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Leave the application (asks first when tasks are running here).
    Quit,
    /// Leave now, whatever runs (Ctrl-C); unfinished tasks resume on the next start.
    QuitNow,
    /// Quit and let the running tasks continue in detached processes.
    HandOff,
    /// Quit after cancelling the running tasks (their step in progress completes).
    CancelAndQuit,
    /// The Platforms screen.
    ShowPlatforms,
    /// The tasks dashboard.
    ShowDashboard,
    /// The guided migration wizard for the selected account.
    MigrateAccount,
    /// The migrator's form (any source, any destination).
    NewMigration,
    /// Log in to both sides of the migration form without starting anything.
    TestConnection,
    /// Ask to cancel the selected task.
    CancelTask,
    /// Ask to roll back the selected task.
    RollbackTask,
    /// Resume the selected interrupted, failed or cancelled task.
    ResumeTask,
    /// Follow a task by ID and source login.
    FollowTask,
    /// The project import dialog.
    ImportProject,
    /// A running project's overall progress line.
    ProjectProgress(String),
    /// A project ended: what it says, or why it stopped.
    ProjectEnded(Result<String, String>),
    /// The mail client settings of the selected account (or the wizard's).
    ShowClientSettings,
    /// Where the completion e-mails to outside addresses land, and how to read them.
    ShowNotifications,
    /// Show or mask again the secrets of the settings dialog (the sandbox relay password).
    RevealSecret,
    /// An account key (m, r, x, n) pressed where no account is selected: say where.
    AccountKeyElsewhere,
    /// The project view (the last project imported).
    ShowProject,
    /// Ask the project shown to pause (running tasks finish, queued ones wait).
    PauseProject,
    /// Ask the project shown to resume.
    ResumeProject,
    /// Ask the project shown to cancel.
    CancelProject,
    /// Write the project CSV template to a file and put its path in the import form.
    WriteTemplate,
    /// A project was queued: its record (the project view follows it).
    ProjectStarted(Box<mailshift_tasks::project::ProjectRecord>),
    /// The verification report of the selected task.
    ShowReport,
    /// Keep the provisional account at the end of the wizard.
    KeepProvisional,
    /// Reset the provisional account at the end of the wizard (asks first).
    ResetProvisional,
    /// The DNS diagnostic of the migrated domain, from the wizard.
    WizardDns,
    /// Leave the wizard; its progress stays saved for `m` to resume.
    LeaveWizardLater,
    /// Leave the wizard and undo what it did (rename back, remove what it created).
    UndoWizard,
    /// Both logins of a New migration start were tried (the task starts if both held).
    StartChecked(Vec<(Side, Result<String, String>)>),
    /// Close the topmost overlay, or go back one screen.
    Back,
    /// Move the selection up.
    Up,
    /// Move the selection down.
    Down,
    /// Put the focus on the platform sidebar.
    FocusSidebar,
    /// Put the focus on the tab's table.
    FocusTable,
    /// Next tab of the platform (domains / accounts).
    NextTab,
    /// Previous tab of the platform.
    PrevTab,
    /// Show the associated-domains tab.
    ShowDomains,
    /// Show the email-accounts tab.
    ShowAccounts,
    /// Show or hide the help overlay.
    ToggleHelp,
    /// Show or hide the log pane.
    ToggleLog,
    /// Open what is selected (platform, domain's DNS, a red record's fix).
    Open,
    /// The DNS diagnostic of the selected domain.
    OpenDns,
    /// Run the diagnostic of the shown domain again.
    Recheck,
    /// The "add a domain" form.
    AddDomain,
    /// The "create an account" form.
    CreateAccount,
    /// The "rename an account" form.
    RenameAccount,
    /// The reset confirmation of the selected account.
    ResetAccount,
    /// Next form field.
    NextField,
    /// Previous form field.
    PrevField,
    /// An edit of the focused form field.
    Edit(InputRequest),
    /// Submit the open form.
    Submit,
    /// Say yes to the open dialog (reset, apply a fix).
    Confirm,
    /// A second passed (countdowns).
    Tick,
    /// The terminal has a new size (columns, rows).
    Resize(u16, u16),
    /// A mouse click at (column, row).
    Click(u16, u16),
    /// Start a DNS diagnostic in the background.
    StartDnsCheck {
        /// The platform whose expectations apply.
        platform: PlatformId,
        /// The domain to check.
        domain: String,
    },
    /// A task changed (from the migrator's broadcast).
    TaskUpdated(Box<TaskRecord>),
    /// Reload every task (other processes' too).
    RefreshTasks,
    /// The tasks as stored, newest first.
    TasksRefreshed(Vec<TaskRecord>),
    /// A connection test finished: what the server said, or why it failed.
    ConnectionTested {
        /// Which side was tested.
        side: Side,
        /// "logged in; 12 folders", or the error sentence.
        result: Result<String, String>,
    },
    /// A rollback finished.
    RolledBack {
        /// The task rolled back.
        id: String,
        /// What was removed, or why it stopped.
        result: Result<String, String>,
    },
    /// Running tasks were handed to detached processes: (task, pid or why not).
    HandedOff(Vec<(String, Result<u32, String>)>),
    /// A DNS diagnostic finished.
    DnsChecked {
        /// The platform it was run for.
        platform: PlatformId,
        /// What it found.
        report: DomainReport,
    },
    /// The start-up effect ran.
    Started(Box<Startup>),
    /// Something outside changed what is shown (mailbox sizes): draw again.
    Redraw,
    /// The backend added (or refused) a domain.
    DomainAdded {
        /// Where.
        platform: PlatformId,
        /// The domain.
        name: String,
        /// Its type.
        kind: DomainKind,
        /// Done, or why not.
        result: Result<(), String>,
    },
    /// The backend created an account (its address) or refused.
    AccountCreated(Result<String, String>),
    /// The backend renamed an account (its new address) or refused.
    AccountRenamed {
        /// The old address.
        address: String,
        /// The new address, or why not.
        result: Result<String, String>,
    },
    /// The backend reset an account or refused.
    AccountReset {
        /// The account.
        address: String,
        /// Done, or why not.
        result: Result<(), String>,
    },
    /// A DNS fix was applied (the changes now propagating) or refused.
    FixApplied {
        /// The domain.
        domain: String,
        /// The changes it made, or why not.
        result: Result<Vec<PendingChange>, String>,
        /// Every change propagating now.
        pending: Vec<PendingChange>,
    },
    /// The provider's clock moved on (a tick).
    Advanced {
        /// Whether the panel changed.
        changed: bool,
        /// Zone changes still propagating.
        pending: Vec<PendingChange>,
    },
    /// A wizard step's work is done: the renamed address, the created address or the
    /// task ID; or why it failed.
    WizardStepDone {
        /// The step.
        step: crate::tui::wizard::WizardStep,
        /// What it made, or why not.
        result: Result<String, String>,
        /// The task's record (the Migrate step).
        record: Option<Box<TaskRecord>>,
    },
    /// The wizard's undo ran.
    WizardUndone {
        /// The removal of the account it created (when it created one).
        removed: Option<Result<(), String>>,
        /// The rename back (when attempted).
        renamed_back: Option<Result<String, String>>,
    },
    /// A task was asked to resume.
    TaskResumed {
        /// The task.
        id: String,
        /// Its record, or why it did not resume.
        result: Result<Option<Box<TaskRecord>>, String>,
        /// Resumed by the start-up (a log line), not by the person (status line).
        at_start: bool,
    },
    /// A task was asked to cancel.
    TaskCancelRequested {
        /// The task.
        id: String,
        /// Done, or why not.
        result: Result<(), String>,
    },
    /// A task was found for following.
    TaskFollowed {
        /// The task ID as typed.
        id: String,
        /// Its record, or why not.
        result: Result<Box<TaskRecord>, String>,
    },
    /// The notifications mailbox was read: its settings with the messages it holds.
    NotificationsRead(Box<super::client_settings::ClientSettings>),
    /// The New migration task started: its ID and record, or why not.
    TaskStarted(Result<(String, Option<Box<TaskRecord>>), String>),
    /// The tasks running here were asked to cancel (quitting).
    CancelledHere,
    /// The project file of the import form was read: its row count, or why it is
    /// refused.
    ProjectChecked {
        /// The file.
        path: String,
        /// Tasks at once.
        global: usize,
        /// Tasks per server.
        per_server: usize,
        /// How many rows, or the refusal.
        rows: Result<usize, String>,
    },
    /// The last project of the state dir (none yet).
    ProjectLoaded(Option<Box<mailshift_tasks::project::ProjectRecord>>),
    /// The shown project's record as read again.
    ProjectReloaded(Option<Box<mailshift_tasks::project::ProjectRecord>>),
    /// The project's runner was asked to pause, resume or cancel.
    ProjectRequested {
        /// The project.
        id: String,
        /// What was asked.
        what: mailshift_tasks::project::ProjectState,
        /// Done, or why not.
        result: Result<(), String>,
    },
    /// The project template was written (its path), or why not.
    TemplateWritten(Result<String, String>),
    /// Work outside failed: say why on the status line.
    Failed(String),
}
