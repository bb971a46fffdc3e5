//! Reusable drawing pieces: the used/quota bar, countdowns, the footer hints and
//! status line, the help overlay generated from the keymap, forms, dialogs, the log,
//! task progress cells.

mod countdown;
pub mod dialog;
pub mod field;
pub mod footer;
pub mod form;
pub mod help;
pub mod log;
pub mod progress;
mod quota_bar;

pub use countdown::countdown;
pub use quota_bar::{usage_line, usage_text};
