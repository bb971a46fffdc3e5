//! Migration pre-checks: which options (e-mails, calendars, ...) can move
//! between two platforms, whether the source fits the destination, and what
//! the person must recreate by hand afterwards.

mod choice;
mod manual;
mod option;
mod precheck;

pub use choice::{option_named, OptionChoice, OptionsError, OPTION_NAMES};
pub use manual::ManualItem;
pub use option::{MigrationOption, OptionSet};
pub use precheck::{precheck, Precheck};
