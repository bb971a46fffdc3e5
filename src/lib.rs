//! The mailshift application library: the TUI (and, later, task handling)
//! shared by the `mailshift` binary and its tests.

pub mod tui;
