//! `mailshift project ...`: bulk migrations from a CSV file (one row per account),
//! validated as a whole before anything starts, run with bounded concurrency.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand};
use mailshift_tasks::project::{
    self, ProjectEvent, ProjectFileError, ProjectOptions, ProjectProgress, ProjectState,
    ProjectStore,
};
use mailshift_tasks::Migrator;
use tokio::sync::mpsc;

use super::relay::RelayArgs;
use super::{advice, exit, fail};

#[derive(Debug, Subcommand)]
pub enum ProjectCommand {
    /// Validate a CSV file and run one migration task per row.
    Import(ImportArgs),
    /// A project's overall progress and each row's state.
    Status {
        /// The project ID (PJ-...).
        project_id: String,
        #[arg(long)]
        json: bool,
    },
    /// Start no new task until `resume` (running ones carry on).
    Pause { project_id: String },
    /// Start tasks again after `pause`.
    Resume { project_id: String },
    /// Stop the whole project: running tasks finish their batch, queued ones are skipped.
    Cancel { project_id: String },
    /// Print an example CSV file with every column explained.
    Template,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV file (see `mailshift project template`).
    pub file: PathBuf,
    /// Most tasks running at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Most tasks at once on one server (source or destination).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub per_server: u16,
    /// IMAP connections per task and side.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=16))]
    pub connections: u16,
    /// Where to write the result CSV (default: FILE.results.csv next to the input).
    #[arg(long, value_name = "FILE")]
    pub results: Option<PathBuf>,
    /// Validate the file and stop.
    #[arg(long)]
    pub check: bool,
    /// Let `file:` password references point outside the CSV's folder (only for a CSV
    /// you wrote: a CSV from elsewhere could send any file on this machine as a password).
    #[arg(long)]
    pub allow_password_files_anywhere: bool,
    #[command(flatten)]
    pub relay: RelayArgs,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

fn line(state: ProjectState, p: &ProjectProgress) -> String {
    p.summary(&format!("project {state}"))
}

pub async fn run(cmd: ProjectCommand) -> i32 {
    match cmd {
        ProjectCommand::Import(a) => import(a).await,
        ProjectCommand::Template => {
            print!("{}", project::template());
            exit::OK
        }
        ProjectCommand::Status { project_id, json } => status(&project_id, json),
        ProjectCommand::Pause { project_id } => control(&project_id, ProjectState::Paused),
        ProjectCommand::Resume { project_id } => control(&project_id, ProjectState::Running),
        ProjectCommand::Cancel { project_id } => control(&project_id, ProjectState::Cancelled),
    }
}

fn stores() -> Result<(Migrator, ProjectStore), String> {
    let dir = mailshift_store::data_dir().map_err(|e| e.to_string())?;
    let m = Migrator::open(&dir, super::clock()).map_err(|e| e.to_string())?;
    mailshift::sandbox_backend::place_tasks(&m, &dir);
    let p = ProjectStore::open(&dir).map_err(|e| e.to_string())?;
    Ok((m, p))
}

fn control(id: &str, what: ProjectState) -> i32 {
    let (_, store) = match stores() {
        Ok(s) => s,
        Err(e) => return fail(false, exit::STATE, &e),
    };
    match store.request(id, what) {
        Ok(()) => {
            let verb = match what {
                ProjectState::Paused => "pause",
                ProjectState::Cancelled => "cancel",
                _ => "resume",
            };
            eprintln!("mailshift: {verb} requested for {id}");
            exit::OK
        }
        Err(e) => fail(false, exit::USAGE, &e.to_string()),
    }
}

fn status(id: &str, json: bool) -> i32 {
    let (m, store) = match stores() {
        Ok(s) => s,
        Err(e) => return fail(json, exit::STATE, &e),
    };
    let p = match store.load(id) {
        Ok(p) => p,
        Err(e) => return fail(json, exit::USAGE, &e.to_string()),
    };
    let recs: Vec<_> = p.entries.iter().filter_map(|e| m.get(&e.task_id)).collect();
    let progress = ProjectProgress::of(&recs);
    if json {
        let rows: Vec<_> = p
            .entries
            .iter()
            .map(|e| {
                let r = recs.iter().find(|r| r.id == e.task_id);
                serde_json::json!({
                    "line": e.line, "source": e.source, "destination": e.destination,
                    "task_id": e.task_id, "state": r.map(|r| r.state),
                    "messages_done": r.map(|r| r.progress.messages_done),
                    "error": r.and_then(|r| r.error.clone()),
                    "hint": r.and_then(|r| r.remedy).map(advice::hint),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({ "project": p, "progress": progress, "rows": rows })
        );
        return exit::OK;
    }
    println!("Project {} ({}) from {}", p.id, p.state, p.file);
    if let Some(problem) = &p.problem {
        println!("  problem: {problem}");
    }
    println!("  {}", line(p.state, &progress));
    for e in &p.entries {
        let r = recs.iter().find(|r| r.id == e.task_id);
        println!(
            "  line {:>4}  {}  {:<11}  {} -> {}{}",
            e.line,
            e.task_id,
            r.map(|r| r.state.to_string()).unwrap_or_default(),
            e.source,
            e.destination,
            r.and_then(|r| r.error.as_ref().map(|e| (e, r.remedy)))
                .map(|(e, remedy)| format!("  ({})", advice::with_hint(e, remedy)))
                .unwrap_or_default()
        );
    }
    exit::OK
}

/// `path` made absolute against the current folder, as it is at the start (the
/// project record and the result CSV must not depend on where later commands run).
fn absolute(path: &std::path::Path) -> Result<PathBuf, String> {
    std::path::absolute(path).map_err(|e| {
        format!(
            "cannot resolve {} against the current folder: {e}",
            path.display()
        )
    })
}

async fn import(mut a: ImportArgs) -> i32 {
    a.file = match absolute(&a.file) {
        Ok(p) => p,
        Err(e) => return fail(a.json, exit::USAGE, &e),
    };
    if let Some(r) = &a.results {
        match absolute(r) {
            Ok(p) => a.results = Some(p),
            Err(e) => return fail(a.json, exit::USAGE, &e),
        }
    }
    let files = if a.allow_password_files_anywhere {
        project::PasswordFiles::Anywhere
    } else {
        project::PasswordFiles::BesideTheCsv
    };
    let file = match project::read_project_with(&a.file, files) {
        Ok(f) => f,
        Err(e @ ProjectFileError::Invalid { .. }) => {
            // Each row's hint on stderr; in JSON the plain sentences, with the hints.
            if a.json {
                let hints: Vec<String> = match &e {
                    ProjectFileError::Invalid { errors, .. } => errors
                        .iter()
                        .filter_map(|r| r.remedy)
                        .map(advice::hint)
                        .collect(),
                    _ => Vec::new(),
                };
                println!(
                    "{}",
                    serde_json::json!({ "error": e.to_string(), "exit_code": exit::USAGE, "hints": hints })
                );
            }
            eprintln!("mailshift: {}", e.text_with(&advice::hint));
            return exit::USAGE;
        }
        Err(e) => return fail(a.json, exit::USAGE, &e.to_string()),
    };
    if a.check {
        if a.json {
            println!(
                "{}",
                serde_json::json!({ "valid": true, "rows": file.rows.len() })
            );
        } else {
            eprintln!("mailshift: {} rows, all valid", file.rows.len());
        }
        return exit::OK;
    }
    let (m, _) = match stores() {
        Ok(s) => s,
        Err(e) => return fail(a.json, exit::STATE, &e),
    };
    match a.relay.relay(false) {
        Ok(r) => m.set_relay(r),
        Err(e) => return fail(a.json, exit::USAGE, &e),
    }
    let results = a.results.clone().unwrap_or_else(|| {
        let mut p = a.file.clone().into_os_string();
        p.push(".results.csv");
        PathBuf::from(p)
    });
    let opts = ProjectOptions {
        global: a.concurrency as usize,
        per_server: a.per_server as usize,
        connections: a.connections as usize,
        results: results.clone(),
        file: a.file.display().to_string(),
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let live = std::io::stderr().is_terminal() && !a.json;
    let printer = tokio::spawn(async move {
        let mut last = String::new();
        while let Some(ev) = rx.recv().await {
            match ev {
                ProjectEvent::Started(p) => eprintln!(
                    "mailshift: project {} started: {} tasks (follow with `mailshift project status {}`)",
                    p.id,
                    p.entries.len(),
                    p.id
                ),
                ProjectEvent::Progress(state, p) => {
                    let l = line(state, &p);
                    if l != last {
                        if live {
                            eprint!("\r\x1b[2K{l}");
                            let _ = std::io::stderr().flush();
                        }
                        last = l;
                    }
                }
                ProjectEvent::Ended(p, progress) => {
                    if live {
                        eprintln!();
                    }
                    eprintln!("mailshift: {} {}", p.id, line(p.state, &progress));
                    if let Some(problem) = &p.problem {
                        eprintln!("mailshift: {} {problem}", p.id);
                    }
                }
            }
        }
    });
    let outcome = project::run_project(&m, file, opts, Some(tx)).await;
    let _ = printer.await;
    match outcome {
        Ok((p, rows)) => {
            if a.json {
                let rows: Vec<_> = rows
                    .iter()
                    .map(|r| serde_json::json!({
                        "line": r.line, "source": r.source, "destination": r.destination,
                        "task_id": r.task_id, "state": r.state, "copied": r.copied,
                        "skipped": r.skipped, "failed": r.failed, "bytes": r.bytes, "error": r.error,
                        "hint": r.remedy.map(advice::hint),
                    }))
                    .collect();
                println!(
                    "{}",
                    serde_json::json!({ "project_id": p.id, "state": p.state, "results": results, "rows": rows })
                );
            } else {
                eprintln!("mailshift: results written to {}", results.display());
            }
            let all_ok = rows.iter().all(|r| r.state == "finished");
            if all_ok {
                exit::OK
            } else {
                exit::PARTIAL
            }
        }
        Err(e) => fail(a.json, exit::STATE, &e.to_string()),
    }
}
