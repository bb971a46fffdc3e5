//! Bulk migrations from a CSV file: parse and validate every row before anything starts,
//! bound the concurrency (globally and per server), write the result CSV.

mod csv;
mod limits;
mod results;
mod run;

pub use self::csv::{
    parse_project, parse_project_with, read_project, read_project_with, template, PasswordFiles,
    ProjectFile, ProjectFileError, ProjectRow, RowError, OPTIONAL_COLUMNS, REQUIRED_COLUMNS,
};
pub use limits::{server_key, Gate, Limits, Slot};
pub use results::{results_csv, ResultRow, RESULT_COLUMNS};
pub use run::{
    is_project_id, new_project_id, run_project, ProjectEntry, ProjectEvent, ProjectOptions,
    ProjectProgress, ProjectRecord, ProjectState, ProjectStore,
};
