//! The migration engine: map folders by namespace and meaning, plan what
//! each folder still needs, copy in MULTIAPPEND batches over parallel
//! connections with bounded bytes in flight, dedupe, verify, report.

mod context;
mod filter;
pub mod fingerprint;
pub mod folder_map;
mod message;
mod pool;
mod progress;
mod report;
mod retry;
mod rollback;
mod run;
mod verify;
mod worker;

pub use filter::{FilterError, FolderFilter};
pub use message::{batches, MessageRef};
pub use progress::Event;
pub use report::{FolderReport, FolderState, Report};
pub use rollback::{rollback, RollbackError, Rolled};
pub use run::{run, MigrateError, Migration, Options};
pub use verify::{FolderCheck, VerifyMode};
pub use worker::FOUND;
