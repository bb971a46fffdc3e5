//! Task commands: `status` (follow by ID + source login), `cancel`, `rollback`,
//! `resume` and `tasks` (list), all on the tasks under the data dir.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use mailshift_tasks::{Credentials, Migrator, StepState, TaskError, TaskRecord, TaskState};
use mailshift_tasks::{Failure, Secret, Side};

use super::relay::RelayArgs;
use super::{advice, exit, fail, secret};

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The task ID (MS-...).
    pub task_id: String,
    /// The task's source login (it must match, or the task is not shown).
    #[arg(long, value_name = "LOGIN")]
    pub login: String,
    /// Keep following until the task ends.
    #[arg(long)]
    pub watch: bool,
    /// Print the task as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CancelArgs {
    /// The task ID (MS-...).
    pub task_id: String,
    /// Wait until the task has stopped.
    #[arg(long)]
    pub wait: bool,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The task ID (MS-...).
    pub task_id: String,
    /// The task's source login (it must match).
    #[arg(long, value_name = "LOGIN")]
    pub login: String,
    /// Read the destination password from this file (else MAILSHIFT_DST_PASSWORD or a prompt).
    #[arg(long, value_name = "FILE")]
    pub dst_password_file: Option<PathBuf>,
    #[command(flatten)]
    pub relay: RelayArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// The task ID (MS-...).
    pub task_id: String,
    #[arg(long, value_name = "FILE")]
    pub src_password_file: Option<PathBuf>,
    #[arg(long, value_name = "FILE")]
    pub dst_password_file: Option<PathBuf>,
    /// Read the source then the destination secret, one per line, from stdin
    /// (how the control panel hands a task to a background process).
    #[arg(long, hide = true)]
    pub secrets_stdin: bool,
    #[command(flatten)]
    pub relay: RelayArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long)]
    pub json: bool,
}

fn open() -> Result<Migrator, (i32, String)> {
    let dir = mailshift_store::data_dir().map_err(|e| (exit::STATE, e.to_string()))?;
    let m = Migrator::open(&dir, super::clock()).map_err(|e| (exit::STATE, e.to_string()))?;
    mailshift::sandbox_backend::place_tasks(&m, &dir);
    Ok(m)
}

/// The sandbox task `rec` needs, started here when nobody serves it (see
/// `sandbox_backend::host_for`); `handed_off` for a runner the panel started.
async fn host_sandbox(
    rec: &mailshift_tasks::TaskRecord,
    handed_off: bool,
) -> Result<Option<mailshift_sandbox::Sandbox>, String> {
    let handed_off =
        handed_off && std::env::var_os(mailshift::sandbox_backend::HOST_SANDBOX_ENV).is_some();
    let home = mailshift_store::data_dir().map_err(|e| e.to_string())?;
    mailshift::sandbox_backend::host_for(&home, rec, handed_off).await
}

fn code_of(e: &TaskError) -> i32 {
    match e {
        TaskError::NoSuchTask
        | TaskError::BadId(_)
        | TaskError::Invalid(_)
        | TaskError::Unheld(_) => exit::USAGE,
        TaskError::State { .. }
        | TaskError::RunningElsewhere { .. }
        | TaskError::Busy { .. }
        | TaskError::Damaged(_) => exit::STATE,
        _ => exit::FAILURE,
    }
}

/// A task as a person reads it.
pub fn describe(r: &TaskRecord) -> String {
    let mut s = format!(
        "Task {}  {}\n  source       {} ({} {}:{})\n  destination  {} ({} {}:{})\n  created      {}\n  updated      {}\n",
        r.id,
        r.state,
        r.spec.source.login,
        r.spec.source.server_type,
        r.spec.source.host,
        r.spec.source.port,
        r.spec.destination.login,
        r.spec.destination.server_type,
        r.spec.destination.host,
        r.spec.destination.port,
        r.created.format("%Y-%m-%d %H:%M:%S UTC"),
        r.updated.format("%Y-%m-%d %H:%M:%S UTC"),
    );
    if let Some(e) = r.ended {
        s.push_str(&format!(
            "  ended        {}\n",
            e.format("%Y-%m-%d %H:%M:%S UTC")
        ));
    }
    let p = &r.progress;
    s.push_str(&format!(
        "  progress     {}/{} messages, {:.1}/{:.1} MiB, {} already there ({:.0}%)\n",
        p.messages_done,
        p.messages_total,
        p.bytes_done as f64 / 1048576.0,
        p.bytes_total as f64 / 1048576.0,
        p.skipped,
        p.ratio() * 100.0
    ));
    s.push_str("  steps\n");
    for st in &r.steps {
        let mark = match st.state {
            StepState::Pending => "·",
            StepState::Running => "▶",
            StepState::Done => "✓",
            StepState::Skipped => "-",
            StepState::Failed => "✗",
        };
        s.push_str(&format!("    {mark} {:<13}", st.kind.label()));
        if let Some(d) = &st.detail {
            s.push_str(d);
        }
        s.push('\n');
    }
    if let Some(e) = &r.error {
        s.push_str(&format!(
            "  problem      {}\n",
            advice::with_hint(e, r.remedy)
        ));
    }
    if let Some(rb) = &r.rollback {
        s.push_str(&format!(
            "  rolled back  {} messages removed, folders removed: {}\n",
            rb.messages_removed,
            if rb.folders_removed.is_empty() {
                "none".into()
            } else {
                rb.folders_removed.join(", ")
            }
        ));
    }
    s
}

pub async fn status(a: StatusArgs) -> i32 {
    let m = match open() {
        Ok(m) => m,
        Err((c, e)) => return fail(a.json, c, &e),
    };
    let mut last = None;
    loop {
        let rec = match m.follow(&a.task_id, &a.login) {
            Ok(r) => r,
            Err(e) => return fail(a.json, code_of(&e), &e.to_string()),
        };
        if last.as_ref() != Some(&rec) {
            if a.json {
                let mut v = serde_json::to_value(&rec).expect("record serializes");
                advice::add_hint(&mut v, rec.remedy);
                println!("{v}");
            } else {
                if a.watch && last.is_some() && std::io::stdout().is_terminal() {
                    print!("\x1b[2J\x1b[H");
                }
                print!("{}", describe(&rec));
            }
        }
        let ended = rec.state.is_ended() || rec.state == TaskState::Interrupted;
        last = Some(rec);
        if !a.watch || ended {
            return exit::OK;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

pub async fn cancel(a: CancelArgs) -> i32 {
    let m = match open() {
        Ok(m) => m,
        Err((c, e)) => return fail(false, c, &e),
    };
    let queued = matches!(m.find(&a.task_id), Ok(Some(r)) if r.state == TaskState::Queued);
    if let Err(e) = m.cancel(&a.task_id) {
        return fail(false, code_of(&e), &e.to_string());
    }
    if queued {
        eprintln!(
            "mailshift: cancel requested for {}: it is queued and will not start",
            a.task_id
        );
    } else {
        eprintln!(
            "mailshift: cancel requested for {}: the batch in progress completes, the rest is skipped",
            a.task_id
        );
    }
    if a.wait {
        loop {
            match m.get(&a.task_id) {
                Some(r) if r.state.is_ended() => {
                    eprintln!("mailshift: {} is {}", r.id, r.state);
                    break;
                }
                None => break,
                _ => tokio::time::sleep(Duration::from_millis(300)).await,
            }
        }
    }
    exit::OK
}

pub async fn rollback(a: RollbackArgs) -> i32 {
    let m = match open() {
        Ok(m) => m,
        Err((c, e)) => return fail(a.json, c, &e),
    };
    // Check the pair and the window before asking for a password.
    let rec = match m.follow(&a.task_id, &a.login) {
        Ok(r) => r,
        Err(e) => return fail(a.json, code_of(&e), &e.to_string()),
    };
    if let Err(e) = m.rollback_until(&rec) {
        return fail(a.json, code_of(&e), &e.to_string());
    }
    match a.relay.relay(false) {
        Ok(r) => m.set_relay(r),
        Err(e) => return fail(a.json, exit::USAGE, &e),
    }
    let secret = match secret::resolve(
        Side::Destination,
        a.dst_password_file.as_deref(),
        &rec.spec.destination.login,
    ) {
        Ok(s) => s,
        Err(e) => {
            return advice::fail(
                a.json,
                exit::USAGE,
                &Failure::new(e.to_string(), e.remedy()),
            )
        }
    };
    let hosted = match host_sandbox(&rec, false).await {
        Ok(h) => h,
        Err(e) => return fail(a.json, exit::STATE, &e),
    };
    let result = m.rollback(&rec.id, &a.login, secret).await;
    if let Some(sb) = hosted {
        sb.shutdown().await;
    }
    match result {
        Ok(out) => {
            if a.json {
                println!(
                    "{}",
                    serde_json::to_string(&out).expect("outcome serializes")
                );
            } else {
                eprintln!(
                    "mailshift: {} rolled back: {} messages removed from {}, folders removed: {}",
                    rec.id,
                    out.messages_removed,
                    rec.spec.destination.label(),
                    if out.folders_removed.is_empty() {
                        "none".into()
                    } else {
                        out.folders_removed.join(", ")
                    }
                );
                if out.earlier_messages_removed > 0 || !out.earlier_folders_removed.is_empty() {
                    eprintln!(
                        "mailshift: an earlier rollback of {} had already removed {} messages and {} folders",
                        rec.id,
                        out.earlier_messages_removed,
                        out.earlier_folders_removed.len()
                    );
                }
                if out.items_removed > 0
                    || !out.collections_removed.is_empty()
                    || !out.scripts_removed.is_empty()
                {
                    eprintln!(
                        "mailshift: also removed {} calendar items and contacts, {} calendars or address books, {} Sieve scripts",
                        out.items_removed,
                        out.collections_removed.len(),
                        out.scripts_removed.len()
                    );
                }
                for k in &out.kept {
                    eprintln!("mailshift: kept {k}");
                }
            }
            exit::OK
        }
        Err(e) => fail(a.json, code_of(&e), &e.to_string()),
    }
}

pub async fn resume(a: ResumeArgs) -> i32 {
    let m = match open() {
        Ok(m) => m,
        Err((c, e)) => return fail(a.json, c, &e),
    };
    let rec = match m.find(&a.task_id) {
        Ok(Some(rec)) => rec,
        Ok(None) => return fail(a.json, exit::USAGE, &TaskError::NoSuchTask.to_string()),
        Err(e) => return fail(a.json, code_of(&e), &e.to_string()),
    };
    match a.relay.relay(false) {
        Ok(r) => m.set_relay(r),
        Err(e) => return fail(a.json, exit::USAGE, &e),
    }
    let creds = if a.secrets_stdin {
        let mut lines = std::io::stdin().lock().lines();
        let src = lines.next().and_then(Result::ok).unwrap_or_default();
        let dst = lines.next().and_then(Result::ok).unwrap_or_default();
        Credentials {
            source: Secret::new(src),
            destination: Secret::new(dst),
        }
    } else {
        let src = secret::resolve(
            Side::Source,
            a.src_password_file.as_deref(),
            &rec.spec.source.login,
        );
        let dst = secret::resolve(
            Side::Destination,
            a.dst_password_file.as_deref(),
            &rec.spec.destination.login,
        );
        match (src, dst) {
            (Ok(s), Ok(d)) => Credentials {
                source: s,
                destination: d,
            },
            (Err(e), _) | (_, Err(e)) => {
                return advice::fail(
                    a.json,
                    exit::USAGE,
                    &Failure::new(e.to_string(), e.remedy()),
                )
            }
        }
    };
    let hosted = match host_sandbox(&rec, a.secrets_stdin).await {
        Ok(h) => h,
        Err(e) => return fail(a.json, exit::STATE, &e),
    };
    let handle = match m.resume(&rec.id, creds) {
        Ok(h) => h,
        Err(e) => {
            if let Some(sb) = hosted {
                sb.shutdown().await;
            }
            return advice::fail(
                a.json,
                code_of(&e),
                &Failure::new(e.to_string(), e.remedy()),
            );
        }
    };
    let rec = handle.wait().await;
    if let Some(sb) = hosted {
        mailshift::sandbox_backend::keep_while_used(&m, &rec.id).await;
        sb.shutdown().await;
    }
    super::migrate::finish(&rec, a.json)
}

pub async fn list(a: ListArgs) -> i32 {
    let m = match open() {
        Ok(m) => m,
        Err((c, e)) => return fail(a.json, c, &e),
    };
    let listing = m.listing();
    let tasks = listing.records;
    // Damaged record files are named (stderr) and make the exit code 6; the good
    // tasks are still listed.
    let code = if listing.damaged.is_empty() {
        exit::OK
    } else {
        exit::STATE
    };
    for d in &listing.damaged {
        eprintln!("mailshift: {d}");
    }
    if a.json {
        match serde_json::to_string(&tasks) {
            Ok(text) => println!("{text}"),
            Err(e) => return fail(true, exit::FAILURE, &e.to_string()),
        }
        return code;
    }
    if tasks.is_empty() && listing.damaged.is_empty() {
        eprintln!("mailshift: no tasks yet");
    }
    for r in tasks {
        println!(
            "{}  {:<11}  {:>6}/{:<6}  {} -> {}  {}",
            r.id,
            r.state.to_string(),
            r.progress.messages_done,
            r.progress.messages_total,
            r.spec.source.label(),
            r.spec.destination.label(),
            r.created.format("%Y-%m-%d %H:%M")
        );
    }
    code
}
