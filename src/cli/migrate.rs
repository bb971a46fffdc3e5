//! `mailshift migrate`: one account to another, headless.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use tokio::sync::mpsc;

use mailshift_panel::migration::OptionChoice;
use mailshift_tasks::spec::{choose_options, SieveServer};
use mailshift_tasks::{
    AuthMethod, Credentials, EndpointSpec, Event, FailureKind, Migrator, Secret, Security,
    ServerType, Side, TaskRecord, TaskSpec, TaskState, Tuning, VerifyMode,
};

use super::relay::RelayArgs;
use super::{exit, run_json, secret, words};

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

/// One side's server and its secret from its `--src-*` or `--dst-*` options.
fn endpoint(side: Side, a: &MigrateArgs) -> Result<(EndpointSpec, Secret), secret::SecretError> {
    let (server_type, host, port, user, security, auth, ca, pw_file) = match side {
        Side::Source => (
            a.src_type,
            &a.src_host,
            a.src_port,
            &a.src_user,
            a.src_security,
            a.src_auth,
            &a.src_ca_file,
            &a.src_password_file,
        ),
        Side::Destination => (
            a.dst_type,
            &a.dst_host,
            a.dst_port,
            &a.dst_user,
            a.dst_security,
            a.dst_auth,
            &a.dst_ca_file,
            &a.dst_password_file,
        ),
    };
    let secret = secret::resolve(side, pw_file.as_deref(), user)?;
    let spec = EndpointSpec {
        server_type,
        host: host.clone(),
        port: port.unwrap_or(security.imap_port()),
        security,
        auth,
        login: user.clone(),
        insecure: a.insecure,
        ca_file: ca.clone(),
        groupware: Default::default(),
    };
    Ok((spec, secret))
}

/// Run the command; returns the process exit code.
pub async fn run(args: MigrateArgs) -> i32 {
    let json = args.json;
    let fail = |code: i32, msg: String| super::fail(json, code, &msg);
    let (mut source, src_secret) = match endpoint(Side::Source, &args) {
        Ok(e) => e,
        Err(e) => return fail(exit::USAGE, e.to_string()),
    };
    let (mut destination, dst_secret) = match endpoint(Side::Destination, &args) {
        Ok(e) => e,
        Err(e) => return fail(exit::USAGE, e.to_string()),
    };
    let state_dir = match mailshift_store::data_dir() {
        Ok(d) => d,
        Err(e) => return fail(exit::STATE, e.to_string()),
    };
    for (ep, dav, sieve) in [
        (&mut source, &args.src_dav, &args.src_sieve),
        (&mut destination, &args.dst_dav, &args.dst_sieve),
    ] {
        ep.groupware.dav_url = dav.clone();
        if let Some(text) = sieve {
            match SieveServer::parse(text, ep.security == Security::None) {
                Ok(server) => ep.groupware.sieve = Some(server),
                Err(e) => return fail(exit::USAGE, e),
            }
        }
    }
    let options = match choose_options(&args.options, &source, &destination) {
        Ok(o) => o,
        Err(refused) => {
            let why: Vec<String> = refused.iter().map(ToString::to_string).collect();
            return fail(exit::USAGE, why.join("; "));
        }
    };
    let spec = TaskSpec {
        source,
        destination,
        options,
        notify: args.notify.clone(),
        tuning: Tuning {
            connections: args.connections as usize,
            batch_messages: args.batch_messages as usize,
            inflight_mib: args.max_inflight_mib as u64,
            include: args.include.clone(),
            exclude: args.exclude.clone(),
            timeout_secs: args.timeout_secs,
            verify: args.verify,
            other_namespaces_into: args.other_namespaces_into.clone(),
        },
        project: None,
    };
    let creds = Credentials {
        source: src_secret,
        destination: dst_secret,
    };
    if args.dry_run {
        return dry_run(json, &state_dir, &spec, &creds).await;
    }
    let (src_label, dst_label) = (spec.source.label(), spec.destination.label());
    let src_login = spec.source.login.clone();
    let relay = match args.relay.relay(args.insecure) {
        Ok(r) => r,
        Err(e) => return fail(exit::USAGE, e),
    };
    if args.notify.is_some() && relay.is_none() {
        return fail(
            exit::USAGE,
            "--notify needs a relay to send through: pass --smtp-host (or set MAILSHIFT_SMTP_HOST)"
                .into(),
        );
    }
    let migrator = match Migrator::open(&state_dir, super::clock()) {
        Ok(m) => m,
        Err(e) => return fail(exit::STATE, e.to_string()),
    };
    migrator.set_relay(relay);
    mailshift::sandbox_backend::place_tasks(&migrator, &state_dir);
    let (tx, rx) = mpsc::unbounded_channel();
    let handle = match migrator.start_with_events(spec, creds, Some(tx)) {
        Ok(h) => h,
        Err(e) => return fail(exit::USAGE, e.to_string()),
    };
    let task_id = handle.id.clone();
    tracing::info!(task = %task_id, src = %src_label, dst = %dst_label, "migration starts");
    if !json {
        eprintln!(
            "mailshift: task {task_id} (follow it with `mailshift status {task_id} --login {src_login}`)"
        );
    }
    let live = std::io::stderr().is_terminal() && !json;
    let printer = tokio::spawn(progress(rx, live));
    let ctrl_c = {
        let (migrator, id) = (migrator.clone(), task_id.clone());
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\nmailshift: cancelling: the batch in progress completes, the rest is skipped (Ctrl-C again to quit now)");
                let _ = migrator.cancel(&id);
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            }
        })
    };
    let rec = handle.wait().await;
    ctrl_c.abort();
    let _ = printer.await;
    finish(&rec, json)
}

/// Print how a task ended and give the exit code.
pub fn finish(rec: &TaskRecord, json: bool) -> i32 {
    for n in &rec.notifications {
        if let Some(e) = &n.error {
            eprintln!("mailshift: the notification to {} was not sent: {e}", n.to);
        }
    }
    let groupware: Vec<&mailshift_tasks::Step> =
        rec.steps.iter().filter(|s| s.counts.is_some()).collect();
    if !json {
        for st in &groupware {
            eprintln!(
                "  {:<15} {:<8} {}",
                st.kind.label(),
                format!("{:?}", st.state).to_lowercase(),
                st.detail.as_deref().unwrap_or("")
            );
        }
    }
    let Some(report) = &rec.report else {
        if rec.state == TaskState::Finished {
            if json {
                println!("{}", run_json::of_task(rec));
            }
            return exit::OK;
        }
        let code = match rec.failure {
            None | Some(FailureKind::Other) if rec.state == TaskState::Cancelled => exit::PARTIAL,
            kind => super::failure_code(kind),
        };
        let msg = rec
            .error
            .clone()
            .unwrap_or_else(|| format!("task {} ended {}", rec.id, rec.state));
        if json {
            let mut v = run_json::of_task(rec);
            v["error"] = serde_json::json!(msg);
            v["exit_code"] = serde_json::json!(code);
            println!("{v}");
        }
        eprintln!("mailshift: {msg}");
        return code;
    };
    if json {
        println!("{}", run_json::of_task(rec));
    } else {
        eprint!("{}", report.to_text());
    }
    tracing::info!(task = %rec.id, copied = report.copied, skipped = report.skipped, verified = report.verified, state = %rec.state, "migration ends");
    if rec.state == TaskState::Finished {
        exit::OK
    } else {
        exit::PARTIAL
    }
}

/// `--dry-run`: the task's plan through `Migrator::dry_run`, read-only; no task is
/// recorded.
async fn dry_run(
    json: bool,
    state_dir: &std::path::Path,
    spec: &TaskSpec,
    creds: &Credentials,
) -> i32 {
    let (tx, rx) = mpsc::unbounded_channel();
    let printer = tokio::spawn(progress(rx, false));
    let result = Migrator::dry_run(state_dir, spec, creds, tx).await;
    let _ = printer.await;
    let found = match result {
        Ok(found) => found,
        Err(f) => return super::fail(json, super::failure_code(Some(f.kind)), &f.text),
    };
    let mut groupware = serde_json::Map::new();
    for (step, notes) in &found.groupware {
        if !json {
            let line = match notes.is_empty() {
                true => "both sides are ready".to_string(),
                false => notes.join("; "),
            };
            eprintln!("  {:<15} {line}", step.label());
        }
        groupware.insert(step.label().to_string(), serde_json::json!(notes));
    }
    let Some(report) = found.mail else {
        if json {
            println!("{}", run_json::of_dry_run(None, &spec.options, groupware));
        }
        return exit::OK;
    };
    if json {
        println!(
            "{}",
            run_json::of_dry_run(Some(&report), &spec.options, groupware)
        );
    } else {
        eprint!("{}", report.to_text());
    }
    // The dry run predicts the real run's failures: same exit code.
    if report.errors.is_empty() {
        exit::OK
    } else {
        exit::PARTIAL
    }
}

/// Consume engine events; on a terminal, redraw one progress line.
async fn progress(mut rx: mpsc::UnboundedReceiver<Event>, live: bool) {
    let started = Instant::now();
    let (mut total, mut total_bytes, mut done, mut bytes, mut skipped) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut folders = 0usize;
    let mut last_draw = Instant::now() - Duration::from_secs(1);
    let mut drew = false;
    while let Some(ev) = rx.recv().await {
        match ev {
            Event::Planned {
                to_copy,
                bytes: b,
                skipped: s,
                ..
            } => {
                total += to_copy;
                total_bytes += b;
                skipped += s;
                folders += 1;
            }
            Event::Copied {
                messages, bytes: b, ..
            } => {
                done += messages;
                bytes += b;
            }
            Event::Problem { message } => {
                if drew {
                    eprint!("\r\x1b[2K");
                }
                eprintln!("mailshift: {message}");
            }
            Event::Connected { .. } | Event::Verified { .. } => {}
        }
        if live && last_draw.elapsed() >= Duration::from_millis(200) {
            last_draw = Instant::now();
            let secs = started.elapsed().as_secs_f64().max(0.001);
            let rate = done as f64 / secs;
            let eta = if rate > 0.0 && total > done {
                format!("{:.0}s", (total - done) as f64 / rate)
            } else {
                "-".into()
            };
            eprint!(
                "\r\x1b[2K{folders} folders  {done}/{total} messages  {:.1}/{:.1} MiB  {rate:.0} msg/s  ETA {eta}  ({skipped} already there)",
                bytes as f64 / 1048576.0,
                total_bytes as f64 / 1048576.0,
            );
            let _ = std::io::stderr().flush();
            drew = true;
        }
    }
    if drew {
        eprintln!();
    }
}
