//! `mailshift migrate`'s options.

use std::path::PathBuf;

use clap::Args;

use mailshift_panel::migration::OptionChoice;
use mailshift_tasks::{AuthMethod, Security, ServerType, VerifyMode};

use crate::cli::relay::RelayArgs;
use crate::cli::words;

/// Copy every folder and message from one IMAP account to another.
///
/// Passwords (or XOAUTH2 tokens) come from MAILSHIFT_SRC_PASSWORD /
/// MAILSHIFT_DST_PASSWORD, from --src-password-file / --dst-password-file,
/// or from a masked prompt when stdin is a terminal; never from the command
/// line. Re-running continues where the last run stopped and never
/// duplicates. Exit codes: 0 done and verified, 3 login refused, 4 server
/// unreachable, 5 partial copy, 6 local state problem, 1 other.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  MAILSHIFT_SRC_PASSWORD=... MAILSHIFT_DST_PASSWORD=... mailshift migrate \\\n    --src-host imap.old.example --src-user john@example.com \\\n    --dst-host ssl0.ovh.net --dst-user john@example.com --json"
)]
pub struct MigrateArgs {
    /// Source IMAP server host name.
    #[arg(long, value_name = "HOST")]
    pub src_host: String,
    /// Source port (default: 993 for tls, 143 otherwise).
    #[arg(long, value_name = "PORT")]
    pub src_port: Option<u16>,
    /// Source login.
    #[arg(long, value_name = "LOGIN")]
    pub src_user: String,
    #[arg(long, default_value = "tls", value_name = "MODE", value_parser = words::<Security>(&Security::NAMES))]
    pub src_security: Security,
    #[arg(long, default_value = "login", value_name = "METHOD", value_parser = words::<AuthMethod>(&AuthMethod::NAMES))]
    pub src_auth: AuthMethod,
    /// Read the source password (or token) from this file.
    #[arg(long, value_name = "FILE")]
    pub src_password_file: Option<PathBuf>,
    /// Trust this PEM certificate (private CA or self-signed) for the source.
    #[arg(long, value_name = "PEM")]
    pub src_ca_file: Option<PathBuf>,

    /// Destination IMAP server host name.
    #[arg(long, value_name = "HOST")]
    pub dst_host: String,
    /// Destination port (default: 993 for tls, 143 otherwise).
    #[arg(long, value_name = "PORT")]
    pub dst_port: Option<u16>,
    /// Destination login.
    #[arg(long, value_name = "LOGIN")]
    pub dst_user: String,
    #[arg(long, default_value = "tls", value_name = "MODE", value_parser = words::<Security>(&Security::NAMES))]
    pub dst_security: Security,
    #[arg(long, default_value = "login", value_name = "METHOD", value_parser = words::<AuthMethod>(&AuthMethod::NAMES))]
    pub dst_auth: AuthMethod,
    /// Read the destination password (or token) from this file.
    #[arg(long, value_name = "FILE")]
    pub dst_password_file: Option<PathBuf>,
    /// Trust this PEM certificate (private CA or self-signed) for the destination.
    #[arg(long, value_name = "PEM")]
    pub dst_ca_file: Option<PathBuf>,

    /// Skip TLS certificate verification on both sides (dangerous).
    #[arg(long)]
    pub insecure: bool,
    /// Only folders matching this glob (`/` between levels, e.g. 'Archives/**').
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Leave out folders matching this glob.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Verification: `sampled` compares every message by UID and size and the
    /// bytes of a sample plus any doubtful message; `full` compares every byte.
    #[arg(long, default_value = "sampled", value_name = "MODE")]
    pub verify: VerifyMode,
    /// Copy other users' and shared folders the source lists (left out by
    /// default) into this destination folder, `/` between levels.
    #[arg(long, value_name = "FOLDER")]
    pub other_namespaces_into: Option<String>,
    /// Connections per side (folders and batches spread across them).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=16))]
    pub connections: u16,
    /// Most messages per APPEND batch (MULTIAPPEND servers).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub batch_messages: u16,
    /// Most message data held in memory at once, in MiB, across all connections.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(2..=1024))]
    pub max_inflight_mib: u16,
    /// Show what would be copied; write nothing anywhere.
    #[arg(long)]
    pub dry_run: bool,
    /// Kind of source server (decides which options apply).
    #[arg(long, default_value = "imap", value_name = "TYPE")]
    pub src_type: ServerType,
    /// Kind of destination server.
    #[arg(long, default_value = "imap", value_name = "TYPE")]
    pub dst_type: ServerType,
    /// What to move, comma-separated: emails, calendars, tasks, contacts, contact-groups,
    /// inbox-rules, out-of-office, or all (everything both sides can hold). Calendars,
    /// tasks and contacts need --src-dav and --dst-dav (CalDAV/CardDAV), rules and the
    /// out-of-office --src-sieve and --dst-sieve (ManageSieve), whatever the server type;
    /// the same logins and passwords as IMAP are used.
    #[arg(long, default_value = "emails", value_name = "LIST")]
    pub options: OptionChoice,
    /// Source CalDAV/CardDAV URL (e.g. https://dav.old.example/).
    #[arg(long, value_name = "URL")]
    pub src_dav: Option<String>,
    /// Destination CalDAV/CardDAV URL.
    #[arg(long, value_name = "URL")]
    pub dst_dav: Option<String>,
    /// Source ManageSieve server, HOST[:PORT] (port 4190 by default). STARTTLS is used
    /// whenever the server offers it; without it the login is refused unless
    /// --src-security is none.
    #[arg(long, value_name = "HOST[:PORT]")]
    pub src_sieve: Option<String>,
    /// Destination ManageSieve server, HOST[:PORT].
    #[arg(long, value_name = "HOST[:PORT]")]
    pub dst_sieve: Option<String>,
    /// E-mail this third-party address when the task ends (needs --smtp-host).
    #[arg(long, value_name = "ADDRESS")]
    pub notify: Option<String>,
    #[command(flatten)]
    pub relay: RelayArgs,
    /// Print one JSON object on stdout instead of the text summary.
    #[arg(long)]
    pub json: bool,
    /// Time limit in seconds for connecting and for each IMAP command
    /// (default 15 s to connect, 120 s per command). Hidden: for fault tests.
    #[arg(long, hide = true, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout_secs: Option<u64>,
}
