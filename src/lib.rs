//! The mailshift application library: the TUI and its sandbox backend,
//! shared by the `mailshift` binary and its tests.

pub mod core_dumps;
pub mod sandbox_backend;
pub mod tui;
