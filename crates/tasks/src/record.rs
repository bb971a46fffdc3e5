//! A task as it is stored and shown: identity, dates, state, steps, live counters and
//! the final report. One JSON file per task under `<state dir>/tasks/`.

use std::fmt;

use chrono::{DateTime, Utc};
use mailshift_engine::migrate::Report;
use serde::{Deserialize, Serialize};

use mailshift_panel::migration::MigrationOption;

use crate::spec::TaskSpec;

/// `MS-` and ten characters from an alphabet without look-alikes (no 0/O, 1/I).
pub fn new_task_id() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let tail: String = (0..10)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("MS-{tail}")
}

/// Is `id` shaped like a task ID (so it can name a file safely)?
pub fn is_task_id(id: &str) -> bool {
    id.len() == 13
        && id.starts_with("MS-")
        && id[3..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// Waiting for a slot (projects) or for its runner to start.
    Queued,
    Running,
    /// Stopped by a crash or a quit; the journal knows where it stopped.
    Interrupted,
    /// Everything copied and verified.
    Finished,
    /// Ended with messages missing or an error.
    Failed,
    /// Ended early on request; what was done is kept.
    Cancelled,
    /// What the task added was removed again.
    RolledBack,
}

impl TaskState {
    /// No runner will change it any more (rollback aside).
    pub fn is_ended(self) -> bool {
        matches!(
            self,
            TaskState::Finished | TaskState::Failed | TaskState::Cancelled | TaskState::RolledBack
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Queued => "queued",
            TaskState::Running => "running",
            TaskState::Interrupted => "interrupted",
            TaskState::Finished => "finished",
            TaskState::Failed => "failed",
            TaskState::Cancelled => "cancelled",
            TaskState::RolledBack => "rolled back",
        }
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The steps of a task, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Log in to both sides.
    Connect,
    /// Folders and messages.
    Emails,
    /// Compare source and destination per folder.
    Verify,
    /// Calendar events (CalDAV).
    Calendars,
    /// Task lists (CalDAV VTODO).
    Tasks,
    /// Address book cards (CardDAV).
    Contacts,
    /// Contact groups (CardDAV group cards).
    ContactGroups,
    /// Sieve scripts without `vacation` (ManageSieve).
    InboxRules,
    /// Sieve scripts with `vacation` (ManageSieve).
    OutOfOffice,
    /// The completion e-mail.
    Notify,
}

impl StepKind {
    pub fn label(self) -> &'static str {
        match self {
            StepKind::Connect => "connect",
            StepKind::Emails => "e-mails",
            StepKind::Verify => "verify",
            StepKind::Calendars => "calendars",
            StepKind::Tasks => "tasks",
            StepKind::Contacts => "contacts",
            StepKind::ContactGroups => "contact groups",
            StepKind::InboxRules => "inbox rules",
            StepKind::OutOfOffice => "out-of-office",
            StepKind::Notify => "notification",
        }
    }

    /// The step that moves a groupware option (None for e-mails).
    pub fn of_option(option: MigrationOption) -> Option<StepKind> {
        match option {
            MigrationOption::Emails => None,
            MigrationOption::Calendars => Some(StepKind::Calendars),
            MigrationOption::Tasks => Some(StepKind::Tasks),
            MigrationOption::Contacts => Some(StepKind::Contacts),
            MigrationOption::ContactGroups => Some(StepKind::ContactGroups),
            MigrationOption::InboxRules => Some(StepKind::InboxRules),
            MigrationOption::OutOfOffice => Some(StepKind::OutOfOffice),
        }
    }
}

/// Item counters of a groupware step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepCounts {
    /// Items found on the source.
    pub total: u64,
    /// Copied by this task.
    pub copied: u64,
    /// Already on the destination.
    pub present: u64,
    /// Refused: invalid at the source, or the destination cannot hold it.
    pub refused: u64,
    /// The destination failed to take it (a further run retries).
    pub failed: u64,
}

impl StepCounts {
    pub fn handled(&self) -> u64 {
        self.copied + self.present + self.refused + self.failed
    }

    /// "12/40 copied, 3 already there, 1 refused, 0 failed".
    pub fn sentence(&self, what: &str) -> String {
        let mut out = format!("{}/{} {what} copied", self.copied, self.total);
        if self.present > 0 {
            out.push_str(&format!(", {} already there", self.present));
        }
        if self.refused > 0 {
            out.push_str(&format!(", {} refused", self.refused));
        }
        if self.failed > 0 {
            out.push_str(&format!(", {} failed", self.failed));
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Pending,
    Running,
    Done,
    Skipped,
    Failed,
}

/// One step and how it went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub kind: StepKind,
    pub state: StepState,
    /// A sentence: what happened, or why it failed / was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Item counters (groupware steps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<StepCounts>,
}

/// Live counters, updated while the task runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub folders_planned: u64,
    pub folders_verified: u64,
    pub messages_total: u64,
    pub messages_done: u64,
    pub bytes_total: u64,
    pub bytes_done: u64,
    /// Already on the destination before this run.
    pub skipped: u64,
    /// Messages per second, one sample a second, newest last (at most 60).
    #[serde(default)]
    pub rate: Vec<u64>,
    /// Problems that did not stop the task, newest last (at most 50).
    #[serde(default)]
    pub problems: Vec<String>,
    /// Each folder as the engine plans, copies and verifies it, in plan order: the
    /// dashboard shows them while the task copies (the report comes only at the end).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub folders: Vec<FolderProgress>,
}

/// One folder of a running task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FolderProgress {
    /// The source folder's name.
    pub folder: String,
    /// Messages the run has to have on the destination: to copy + already there.
    pub total: u64,
    /// Of those, on the destination: already there when planned + copied since.
    pub done: u64,
    /// The verification's verdict, once the folder is checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
}

impl Progress {
    /// Fraction done in 0..=1 (by bytes when known, else by messages).
    pub fn ratio(&self) -> f64 {
        if self.bytes_total > 0 {
            (self.bytes_done as f64 / self.bytes_total as f64).min(1.0)
        } else if self.messages_total > 0 {
            (self.messages_done as f64 / self.messages_total as f64).min(1.0)
        } else {
            0.0
        }
    }

    /// Seconds left at the recent rate, if it can be told.
    pub fn eta_secs(&self) -> Option<u64> {
        let recent = &self.rate[self.rate.len().saturating_sub(10)..];
        let avg = recent.iter().sum::<u64>() as f64 / recent.len().max(1) as f64;
        let left = self.messages_total.saturating_sub(self.messages_done);
        (avg > 0.0 && left > 0).then(|| (left as f64 / avg).ceil() as u64)
    }
}

/// What kind of failure ended a task (the CLI maps it to an exit code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// A server refused the login.
    Auth,
    /// A server could not be reached (host, port, TLS, not IMAP).
    Connect,
    /// Local state (journal locked or unwritable).
    State,
    /// Bad options (folder patterns).
    Usage,
    /// Anything else (messages missing after the run, ...).
    Other,
}

impl FailureKind {
    /// The kind of an engine error that stopped a run before its report.
    pub fn of(e: &mailshift_engine::migrate::MigrateError) -> FailureKind {
        use mailshift_engine::migrate::MigrateError;
        match e {
            MigrateError::Imap(i) if i.is_auth() => FailureKind::Auth,
            MigrateError::Imap(i) if i.is_connect() => FailureKind::Connect,
            MigrateError::Imap(_) => FailureKind::Other,
            MigrateError::Journal(_) => FailureKind::State,
            MigrateError::Filter(_) => FailureKind::Usage,
        }
    }
}

/// What a notification attempt gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationOutcome {
    pub to: String,
    pub at: DateTime<Utc>,
    /// The event it told about (finished, failed, cancelled, rolled back).
    pub about: TaskState,
    /// None when delivered to the relay, else why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What a rollback removed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RollbackOutcome {
    pub at: Option<DateTime<Utc>>,
    pub messages_removed: u64,
    pub folders_removed: Vec<String>,
    /// What earlier (interrupted or repeated) rollbacks of the task removed.
    #[serde(default)]
    pub earlier_messages_removed: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_folders_removed: Vec<String>,
    /// Folders left in place and why (not empty, recreated since, ...).
    pub kept: Vec<String>,
    /// Calendar objects and cards removed.
    #[serde(default)]
    pub items_removed: u64,
    /// Calendars and address books removed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collections_removed: Vec<String>,
    /// Sieve scripts removed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scripts_removed: Vec<String>,
}

/// A task, as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    /// Format version of this file.
    pub version: u32,
    pub id: String,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<DateTime<Utc>>,
    pub spec: TaskSpec,
    pub state: TaskState,
    pub steps: Vec<Step>,
    pub progress: Progress,
    /// Why the task failed, as a sentence saying what happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What the user can change about `error` (absent in records written before it
    /// was kept, and when nothing can be said).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy: Option<mailshift_net::Remedy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<FailureKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<Report>,
    #[serde(default)]
    pub notifications: Vec<NotificationOutcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback: Option<RollbackOutcome>,
    /// How many times it was (re)started.
    #[serde(default)]
    pub runs: u32,
    /// The sandbox platform each side is on, if any: resuming and rolling back reach
    /// it where it listens then (records written before this field have none).
    #[serde(
        default,
        skip_serializing_if = "crate::places::SidePlatforms::is_empty"
    )]
    pub platforms: crate::places::SidePlatforms,
}

pub const RECORD_VERSION: u32 = 1;

impl TaskRecord {
    pub fn new(id: String, spec: TaskSpec, now: DateTime<Utc>) -> TaskRecord {
        let mail = spec.options.contains(MigrationOption::Emails);
        let steps = [StepKind::Connect]
            .into_iter()
            .chain(mail.then_some(StepKind::Emails))
            .chain(mail.then_some(StepKind::Verify))
            .chain(MigrationOption::ALL.into_iter().filter_map(|o| {
                spec.options
                    .contains(o)
                    .then(|| StepKind::of_option(o))
                    .flatten()
            }))
            .chain(spec.notify.as_ref().map(|_| StepKind::Notify))
            .map(|kind| Step {
                kind,
                state: StepState::Pending,
                detail: None,
                counts: None,
            })
            .collect();
        TaskRecord {
            version: RECORD_VERSION,
            id,
            created: now,
            updated: now,
            started: None,
            ended: None,
            spec,
            state: TaskState::Queued,
            steps,
            progress: Progress::default(),
            error: None,
            remedy: None,
            failure: None,
            report: None,
            notifications: Vec::new(),
            rollback: None,
            runs: 0,
            platforms: Default::default(),
        }
    }

    /// The step in progress, else the first not yet run.
    pub fn current_step(&self) -> Option<&Step> {
        self.steps
            .iter()
            .find(|s| s.state == StepState::Running)
            .or_else(|| self.steps.iter().find(|s| s.state == StepState::Pending))
    }

    pub fn step_mut(&mut self, kind: StepKind) -> Option<&mut Step> {
        self.steps.iter_mut().find(|s| s.kind == kind)
    }

    pub fn set_step(&mut self, kind: StepKind, state: StepState, detail: Option<String>) {
        if let Some(s) = self.step_mut(kind) {
            s.state = state;
            if detail.is_some() {
                s.detail = detail;
            }
        }
    }

    /// Fraction done in 0..=1: the mail's when e-mails are moved, else the groupware
    /// items handled over those found (an ended task with nothing to move is done).
    pub fn ratio(&self) -> f64 {
        if self.spec.options.contains(MigrationOption::Emails) {
            return self.progress.ratio();
        }
        let (done, total) = self
            .steps
            .iter()
            .filter_map(|s| s.counts)
            .fold((0, 0), |(d, t), c| (d + c.handled(), t + c.total));
        if total > 0 {
            (done as f64 / total as f64).min(1.0)
        } else if self.state.is_ended() {
            1.0
        } else {
            0.0
        }
    }

    /// Does `login` name this task's source account (case-insensitive, trimmed)?
    pub fn login_matches(&self, login: &str) -> bool {
        self.spec
            .source
            .login
            .trim()
            .eq_ignore_ascii_case(login.trim())
    }
}
