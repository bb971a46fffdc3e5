//! The log file (`<state dir>/logs/mailshift.log`, 0600) and what may reach it: the
//! user's `MAILSHIFT_LOG` filter, capped at `debug` for every library that traces the
//! bytes it exchanges with a server (a LOGIN line carries the password).

use std::fs::OpenOptions;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;

use tracing_subscriber::filter::{EnvFilter, FilterExt, LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

/// Libraries that log wire bytes (commands, literals, headers) at trace level.
/// Whatever `MAILSHIFT_LOG` says, including a directive naming one of their
/// modules, they log at `debug` at most.
pub const WIRE_TARGETS: [&str; 11] = [
    "async_imap",
    "imap_next",
    "imap_codec",
    "imap_proto",
    "imap_types",
    "hyper",
    "hyper_util",
    "reqwest",
    "h2",
    "lettre",
    "rustls",
];

/// The cap on [`WIRE_TARGETS`]; everything else passes through to the user's filter.
pub fn wire_cap() -> Targets {
    WIRE_TARGETS.iter().fold(
        Targets::new().with_default(LevelFilter::TRACE),
        |t, name| t.with_target(*name, LevelFilter::DEBUG),
    )
}

/// Why the log file is not used this run.
#[derive(Debug, thiserror::Error)]
pub enum LogFileError {
    #[error("no state directory for the log file ({0})")]
    Home(#[from] mailshift_store::HomeError),
    #[error("cannot create the log file {}: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The log file, opened for appending and made 0600 (created 0600 when missing).
fn open_log_file() -> Result<std::fs::File, LogFileError> {
    let dir = mailshift_store::data_dir()?.join("logs");
    let path = dir.join("mailshift.log");
    let open = || -> std::io::Result<std::fs::File> {
        mailshift_store::create_private_dir(&dir)?;
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        Ok(file)
    };
    match open() {
        Ok(file) => Ok(file),
        Err(source) => Err(LogFileError::Open { path, source }),
    }
}

/// Send logs to the log file. When it cannot be created (a read-only state dir, a
/// folder in its place, another owner's file), say so on stderr and run without it:
/// the command itself reports any state problem that concerns it (exit 6).
pub fn init() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let file = match open_log_file() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("mailshift: {e}; running without a log file");
            return None;
        }
    };
    let (writer, guard) = tracing_appender::non_blocking(file);
    let user = EnvFilter::try_from_env("MAILSHIFT_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(false)
        .with_filter(user.and(wire_cap()));
    if tracing_subscriber::registry()
        .with(layer)
        .try_init()
        .is_err()
    {
        return None;
    }
    Some(guard)
}
