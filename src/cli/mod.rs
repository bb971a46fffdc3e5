//! The headless command line: clap definitions and the commands that print
//! text or `--json`. The TUI is the default when no command is given.

pub mod advice;
pub mod dns;
pub mod migrate;
pub mod project;
mod relay;
mod run_json;
pub mod sandbox;
mod secret;
pub mod tasks;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Parser, Subcommand};

/// A clap parser for a closed set of words, read by the type's own `FromStr` (the one
/// the CSV reader and the TUI use too); `--help` and clap's errors list the words.
pub fn words<T>(names: &'static [&'static str]) -> impl TypedValueParser<Value = T>
where
    T: std::str::FromStr + Clone + Send + Sync + 'static,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    PossibleValuesParser::new(names).try_map(|word| word.parse::<T>())
}

/// Exit codes shared by every headless command.
pub mod exit {
    /// Everything done and verified.
    pub const OK: i32 = 0;
    /// An unexpected error (see the message).
    pub const FAILURE: i32 = 1;
    /// Bad command-line usage (clap's own code).
    pub const USAGE: i32 = 2;
    /// A server refused the login.
    pub const AUTH: i32 = 3;
    /// A server could not be reached (host, port, TLS, not IMAP).
    pub const CONNECT: i32 = 4;
    /// Some messages are not on the destination (failed, cancelled, unverified).
    pub const PARTIAL: i32 = 5;
    /// Local state problem (journal locked, data dir not writable).
    pub const STATE: i32 = 6;
    /// `dns check`: at least one record is red (missing, wrong, extra, unreachable).
    pub const DNS_RED: i32 = 7;
}

#[derive(Debug, Parser)]
#[command(
    name = "mailshift",
    version,
    about = "Move mailboxes between email platforms: a keyboard-driven control panel and an IMAP migrator.",
    long_about = "Move mailboxes between email platforms.\n\nWithout a command, opens the control panel (TUI) on the sandbox provider.\nHeadless commands serve scripts and benchmarks; see `mailshift help migrate`."
)]
pub struct Cli {
    /// Open the control panel on an in-memory demo instead of the sandbox
    /// (nothing is started, nothing is written).
    #[arg(long)]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Copy every folder and message from one IMAP account to another.
    Migrate(Box<migrate::MigrateArgs>),
    /// The simulated provider: serve it headless, or restore its demo data.
    Sandbox {
        #[command(subcommand)]
        command: sandbox::SandboxCommand,
    },
    /// DNS diagnostic for a domain: expected records vs what resolvers see.
    Dns {
        #[command(subcommand)]
        command: dns::DnsCommand,
    },
    /// Show a task, given its ID and its source login (--watch to follow it live).
    Status(tasks::StatusArgs),
    /// Cancel a task (any mailshift process's): the batch in progress completes.
    Cancel(tasks::CancelArgs),
    /// Remove from the destination what a task added (up to 48 h after it ended).
    Rollback(Box<tasks::RollbackArgs>),
    /// Run an interrupted, failed or cancelled task again from where it stopped.
    Resume(Box<tasks::ResumeArgs>),
    /// List the tasks of this machine.
    Tasks(tasks::ListArgs),
    /// Bulk migrations from a CSV file.
    Project {
        #[command(subcommand)]
        command: Box<project::ProjectCommand>,
    },
}

/// Say why a command failed (one JSON object on stdout with `--json`, a
/// sentence on stderr always) and give its exit code.
pub fn fail(json: bool, code: i32, msg: &str) -> i32 {
    if json {
        println!("{}", serde_json::json!({ "error": msg, "exit_code": code }));
    }
    eprintln!("mailshift: {msg}");
    code
}

/// The exit code of a task that failed before it had a report.
pub fn failure_code(kind: Option<mailshift_tasks::FailureKind>) -> i32 {
    use mailshift_tasks::FailureKind;
    match kind {
        Some(FailureKind::Auth) => exit::AUTH,
        Some(FailureKind::Connect) => exit::CONNECT,
        Some(FailureKind::State) => exit::STATE,
        Some(FailureKind::Usage) => exit::USAGE,
        Some(FailureKind::Other) | None => exit::FAILURE,
    }
}

/// The clock tasks are judged by. `MAILSHIFT_FAKE_NOW` (RFC 3339) stands in for the
/// system clock; the tests use it to check the 48 h rollback window.
pub fn clock() -> mailshift_tasks::Clock {
    match std::env::var("MAILSHIFT_FAKE_NOW")
        .ok()
        .and_then(|v| chrono::DateTime::parse_from_rfc3339(&v).ok())
    {
        Some(t) => mailshift_tasks::Clock::manual(t.with_timezone(&chrono::Utc)),
        None => mailshift_tasks::Clock::system(),
    }
}
