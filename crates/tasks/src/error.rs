//! Why a task operation was refused, in sentences that say what happened; what the
//! user can change is `remedy()`.

use chrono::{DateTime, Utc};
use mailshift_net::Remedy;

#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// Deliberately the same for an unknown ID and a wrong login: it must not
    /// tell whether the ID exists.
    #[error("no such task for this login: check the task ID and the source login")]
    NoSuchTask,
    #[error("'{0}' is not a task ID (they look like MS-7KQ2M4XR9P)")]
    BadId(String),
    #[error("task {id} is {state}: {what}")]
    WrongState {
        id: String,
        state: String,
        what: String,
    },
    #[error("rollback of {id} was possible until {until} (48 h after it ended at {ended}); the destination is left as it is")]
    RollbackExpired {
        id: String,
        ended: DateTime<Utc>,
        until: DateTime<Utc>,
    },
    #[error("task {id} is being run by another mailshift process (pid {pid})")]
    RunningElsewhere { id: String, pid: u32 },
    #[error("cannot start: {0}")]
    Invalid(String),
    /// An option one side cannot hold (it names no server for it).
    #[error("cannot start: {0}")]
    Unheld(crate::spec::Unheld),
    #[error("rollback of {id} stopped: {reason}")]
    Rollback { id: String, reason: String },
    #[error("task state under {path}: {reason}")]
    State { path: String, reason: String },
    /// The task's record file exists but cannot be used.
    #[error("{0}")]
    Damaged(crate::store::DamagedRecord),
    /// The task is running now (in this process or another): what was asked needs it ended.
    #[error("task {id} is running now: {what}")]
    Busy { id: String, what: String },
}

impl TaskError {
    /// What the user can change so that the operation may succeed.
    pub fn remedy(&self) -> Option<Remedy> {
        match self {
            TaskError::Unheld(u) => Some(u.remedy()),
            TaskError::RunningElsewhere { .. } => Some(Remedy::RunningElsewhere),
            _ => None,
        }
    }
}
