//! The migration engine: map folders, plan what each folder still needs,
//! copy in MULTIAPPEND batches over parallel connections with bounded bytes
//! in flight, dedupe by journal and fingerprint, verify, report progress.

mod filter;
pub mod fingerprint;
pub mod folder_map;
mod progress;
mod report;
mod rollback;
mod run;
mod worker;

pub use filter::{FilterError, FolderFilter};
pub use progress::Event;
pub use report::{FolderReport, Report};
pub use rollback::{rollback, RollbackError, Rolled};
pub use run::{batches, run, MigrateError, Migration, Options};
pub use worker::FOUND;
