//! mailshift-tasks: a migration as a task (ID, steps, persistence under the state dir),
//! follow by ID + source login, cancel across processes, rollback within 48 h,
//! the completion notification, and bulk CSV projects with bounded concurrency.

mod clock;
mod dry_run;
mod error;
pub mod groupware;
mod handoff;
mod migrator;
pub mod notice;
pub mod places;
mod probe;
pub mod project;
pub mod record;
mod rollback;
mod runner;
mod secret_file;
pub mod spec;
pub mod store;

pub use clock::Clock;
pub use dry_run::DryRun;
pub use error::TaskError;
pub use groupware::ServiceFailure;
pub use migrator::{Migrator, QueuedTask, TaskHandle, ROLLBACK_WINDOW_HOURS};
pub use places::{Places, SidePlatforms};
pub use probe::test_connection;
pub use record::{
    is_task_id, new_task_id, FailureKind, FolderProgress, NotificationOutcome, Progress,
    RollbackOutcome, Step, StepKind, StepState, TaskRecord, TaskState,
};
pub use secret_file::{read_secret_file, SecretFileError, MAX_SECRET_FILE_BYTES};
pub use spec::{Credentials, EndpointSpec, ServerType, TaskSpec, Tuning};
pub use store::{DamagedRecord, TaskListing};

pub use mailshift_engine::imap::ImapError;
/// What the TUI and the CLI need of the layers below, so that they import this crate
/// only (they never name the engine).
pub use mailshift_engine::migrate::{Event, Report, VerifyMode};
pub use mailshift_net::{
    check_address, AuthMethod, Failure, Remedy, Secret, Security, Side, TlsOptions,
};
