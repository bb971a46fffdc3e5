//! Running a project: one queued task per row, started as the limits allow, the
//! whole project paused / resumed / cancelled through control files any mailshift
//! process may drop, its state saved under `<state dir>/projects/`, and the result CSV.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::{results_csv, Limits, ProjectFile, ResultRow};
use crate::error::TaskError;
use crate::migrator::Migrator;
use crate::record::{TaskRecord, TaskState};

/// Where a project stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectState {
    Running,
    Paused,
    /// Cancelled as a whole: running tasks stop after their batch, queued ones are skipped.
    Cancelled,
    /// Every task ended (whatever each one's outcome).
    Finished,
    /// The project itself could not complete (its result CSV could not be written):
    /// `problem` says why. Its tasks ended as their records say.
    Failed,
}

impl std::fmt::Display for ProjectState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ProjectState::Running => "running",
            ProjectState::Paused => "paused",
            ProjectState::Cancelled => "cancelled",
            ProjectState::Finished => "finished",
            ProjectState::Failed => "failed",
        })
    }
}

/// One row of a project and its task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectEntry {
    pub line: usize,
    pub source: String,
    pub destination: String,
    pub task_id: String,
}

/// A project as stored (no secrets: they stay in the CSV).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectRecord {
    pub id: String,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// The CSV it was imported from (an absolute path since imports resolve it).
    pub file: String,
    pub state: ProjectState,
    pub global_limit: usize,
    pub per_server_limit: usize,
    pub entries: Vec<ProjectEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<PathBuf>,
    /// Why the project failed (state `failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Overall progress of a project, from its tasks' records.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProjectProgress {
    pub tasks: usize,
    pub queued: usize,
    pub running: usize,
    pub finished: usize,
    pub failed: usize,
    pub cancelled: usize,
    pub other: usize,
    pub messages_done: u64,
    pub messages_total: u64,
    pub bytes_done: u64,
    /// Rows waiting at the project's closed pause gate (only while paused).
    #[serde(skip_serializing_if = "is_zero")]
    pub held: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl ProjectProgress {
    pub fn of(records: &[TaskRecord]) -> ProjectProgress {
        let mut p = ProjectProgress {
            tasks: records.len(),
            ..Default::default()
        };
        for r in records {
            match r.state {
                TaskState::Queued => p.queued += 1,
                TaskState::Running => p.running += 1,
                TaskState::Finished => p.finished += 1,
                TaskState::Failed => p.failed += 1,
                TaskState::Cancelled => p.cancelled += 1,
                _ => p.other += 1,
            }
            p.messages_done += r.progress.messages_done;
            p.messages_total += r.progress.messages_total;
            p.bytes_done += r.progress.bytes_done;
        }
        p
    }

    pub fn ended(&self) -> usize {
        self.finished + self.failed + self.cancelled + self.other
    }

    /// One line for a status bar or a terminal, after `prefix` ("project running").
    pub fn summary(&self, prefix: &str) -> String {
        format!(
            "{prefix}: {}/{} tasks ended ({} finished, {} failed, {} cancelled), {} running, {} queued; {}/{} messages",
            self.ended(),
            self.tasks,
            self.finished,
            self.failed,
            self.cancelled,
            self.running,
            self.queued,
            self.messages_done,
            self.messages_total
        )
    }
}

/// `PJ-` and eight characters.
pub fn new_project_id() -> String {
    let t = crate::record::new_task_id();
    format!("PJ-{}", &t[3..11])
}

pub fn is_project_id(id: &str) -> bool {
    id.len() == 11
        && id.starts_with("PJ-")
        && id[3..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Project files under `<state dir>/projects/`.
#[derive(Debug, Clone)]
pub struct ProjectStore {
    dir: PathBuf,
}

impl ProjectStore {
    pub fn open(state_dir: &Path) -> Result<ProjectStore, TaskError> {
        let dir = state_dir.join("projects");
        mailshift_store::create_private_dir(&dir).map_err(|e| TaskError::State {
            path: dir.display().to_string(),
            reason: e.to_string(),
        })?;
        Ok(ProjectStore { dir })
    }

    fn path(&self, id: &str, ext: &str) -> PathBuf {
        self.dir.join(format!("{id}.{ext}"))
    }

    pub fn save(&self, p: &ProjectRecord) -> Result<(), TaskError> {
        let path = self.path(&p.id, "json");
        mailshift_store::save_versioned(&path, 1, p).map_err(|e| TaskError::State {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
    }

    pub fn load(&self, id: &str) -> Result<ProjectRecord, TaskError> {
        if !is_project_id(id) {
            return Err(TaskError::Invalid(format!(
                "'{id}' is not a project ID (they look like PJ-7KQ2M4XR)"
            )));
        }
        let path = self.path(id, "json");
        match mailshift_store::load_versioned(&path, 1) {
            Ok(Some(p)) => Ok(p),
            Ok(None) => Err(TaskError::Invalid(format!("no project {id} here"))),
            Err(e) => Err(TaskError::State {
                path: path.display().to_string(),
                reason: e.to_string(),
            }),
        }
    }

    /// Ask the project's runner (in whichever process) to pause, resume or cancel.
    pub fn request(&self, id: &str, what: ProjectState) -> Result<(), TaskError> {
        let p = self.load(id)?;
        if matches!(
            p.state,
            ProjectState::Finished | ProjectState::Cancelled | ProjectState::Failed
        ) {
            return Err(TaskError::WrongState {
                id: id.to_string(),
                state: p.state.to_string(),
                what: "it has already ended".into(),
            });
        }
        let path = self.path(id, "control");
        let word = match what {
            ProjectState::Paused => "pause",
            ProjectState::Cancelled => "cancel",
            _ => "resume",
        };
        mailshift_store::write_atomic(&path, word.as_bytes()).map_err(|e| TaskError::State {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
    }

    fn control(&self, id: &str) -> Option<String> {
        std::fs::read_to_string(self.path(id, "control")).ok()
    }

    fn clear_control(&self, id: &str) {
        let _ = std::fs::remove_file(self.path(id, "control"));
    }
}

/// How a project runs.
#[derive(Debug, Clone)]
pub struct ProjectOptions {
    /// Most tasks at once.
    pub global: usize,
    /// Most tasks at once touching one server (source or destination). With
    /// `connections`, this bounds the connections open to any one server at
    /// `per_server * connections`: keep that at or under the server's connection cap.
    /// A task whose source and destination are the same server counts both sides there.
    pub per_server: usize,
    /// Connections each task opens per side (fewer for a task whose source and
    /// destination are one server, when both sides would not fit in the bound).
    pub connections: usize,
    /// Where to write the result CSV (make it absolute: it is recorded with the project).
    pub results: PathBuf,
    /// The CSV the rows came from (shown in listings).
    pub file: String,
}

/// What the caller sees while a project runs.
#[derive(Debug, Clone)]
pub enum ProjectEvent {
    Started(ProjectRecord),
    Progress(ProjectState, ProjectProgress),
    Ended(ProjectRecord, ProjectProgress),
}

/// Connections per side for one task: `wanted`, unless its source and destination are
/// one server and both sides would not fit in that server's `budget` together; then as
/// many as fit (at least one: a task needs one per side, and then runs alone there).
fn connections_per_side(wanted: usize, budget: usize, same_server: bool) -> usize {
    let wanted = wanted.max(1);
    match same_server {
        true => wanted.min(budget / 2).max(1),
        false => wanted,
    }
}

/// Queue every row as a task, then run them under the limits until all ended.
pub async fn run_project(
    migrator: &Migrator,
    file: ProjectFile,
    opts: ProjectOptions,
    events: Option<mpsc::UnboundedSender<ProjectEvent>>,
) -> Result<(ProjectRecord, Vec<ResultRow>), TaskError> {
    let store = ProjectStore::open(migrator.state_dir())?;
    let id = new_project_id();
    let now = migrator.clock().now();
    let mut entries = Vec::new();
    let mut queued = Vec::new();
    let budget = opts.per_server.max(1) * opts.connections.max(1);
    for row in file.rows {
        let mut spec = row.spec;
        spec.project = Some(id.clone());
        let src = super::server_key(&spec.source.host, spec.source.port);
        let dst = super::server_key(&spec.destination.host, spec.destination.port);
        let per_side = connections_per_side(opts.connections, budget, src == dst);
        spec.tuning.connections = per_side;
        let task = migrator.enqueue_held(spec)?;
        entries.push(ProjectEntry {
            line: row.line,
            source: task.record.spec.source.label(),
            destination: task.record.spec.destination.label(),
            task_id: task.record.id.clone(),
        });
        let uses = [(src, per_side), (dst, per_side)];
        queued.push((task, uses, row.credentials));
    }
    let mut record = ProjectRecord {
        id: id.clone(),
        created: now,
        updated: now,
        file: opts.file.clone(),
        state: ProjectState::Running,
        global_limit: opts.global,
        per_server_limit: opts.per_server,
        entries,
        results: Some(opts.results.clone()),
        problem: None,
    };
    store.save(&record)?;
    let send = |e: ProjectEvent| {
        if let Some(tx) = &events {
            let _ = tx.send(e);
        }
    };
    send(ProjectEvent::Started(record.clone()));

    // The per-server bound counts connections: a task holds its connections on each side.
    let limits = Limits::new(opts.global.max(1), budget);
    let cancelled = tokio_util::sync::CancellationToken::new();
    let mut joins = Vec::new();
    // Rows take their slots in the CSV's order: each row starts waiting for a slot
    // once the row before it has one (or has ended), whichever task the runtime
    // happens to poll first. (A row waiting for a busy server thus holds back the
    // rows after it.)
    let mut turn: Option<tokio::sync::oneshot::Receiver<()>> = None;
    for (task, uses, creds) in queued {
        let (m, limits, cancelled) = (migrator.clone(), limits.clone(), cancelled.clone());
        let my_turn = turn.take();
        let (next_turn, next) = tokio::sync::oneshot::channel::<()>();
        turn = Some(next);
        joins.push(tokio::spawn(async move {
            let task_id = task.record.id.clone();
            // Wait for this row's turn, then for a slot; meanwhile a cancel of this task
            // (from any process) or of the whole project ends it here, and it never
            // starts. `next_turn` is fired once the slot is held, or dropped on return.
            let acquire = async {
                if let Some(t) = my_turn {
                    let _ = t.await;
                }
                limits.acquire_connections(&uses).await
            };
            tokio::pin!(acquire);
            let slot = loop {
                tokio::select! {
                    s = &mut acquire => break s,
                    _ = cancelled.cancelled() => {
                        m.cancel_queued(task);
                        return;
                    }
                    _ = tokio::time::sleep(Duration::from_millis(200)) => {
                        if m.cancel_requested(&task) {
                            m.cancel_queued(task);
                            return;
                        }
                    }
                }
            };
            let _ = next_turn.send(());
            if cancelled.is_cancelled() {
                m.cancel_queued(task);
                return;
            }
            match m.start_queued(task, creds) {
                Ok(Some(h)) => {
                    h.wait().await;
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(task = %task_id, "could not start: {e}"),
            }
            drop(slot);
        }));
    }

    // Watch the control file and report progress until every row has ended.
    let ids: Vec<String> = record.entries.iter().map(|e| e.task_id.clone()).collect();
    loop {
        if joins.iter().all(|j| j.is_finished()) {
            break;
        }
        match store.control(&id).as_deref().map(str::trim) {
            Some("pause") if record.state == ProjectState::Running => {
                limits.gate().pause();
                record.state = ProjectState::Paused;
                store.save(&record)?;
            }
            Some("resume") if record.state == ProjectState::Paused => {
                limits.gate().resume();
                record.state = ProjectState::Running;
                store.save(&record)?;
                store.clear_control(&id);
            }
            Some("cancel") if record.state != ProjectState::Cancelled => {
                record.state = ProjectState::Cancelled;
                store.save(&record)?;
                cancelled.cancel();
                limits.gate().resume();
                for t in &ids {
                    if let Some(r) = migrator.get(t) {
                        if r.state == TaskState::Running {
                            let _ = migrator.cancel(t);
                        }
                    }
                }
            }
            _ => {}
        }
        let recs: Vec<TaskRecord> = ids.iter().filter_map(|t| migrator.get(t)).collect();
        let mut progress = ProjectProgress::of(&recs);
        progress.held = limits.gate().parked();
        send(ProjectEvent::Progress(record.state, progress));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    store.clear_control(&id);

    let recs: Vec<TaskRecord> = ids.iter().filter_map(|t| migrator.get(t)).collect();
    let rows: Vec<ResultRow> = record
        .entries
        .iter()
        .map(|e| {
            let r = recs.iter().find(|r| r.id == e.task_id);
            let report = r.and_then(|r| r.report.as_ref());
            ResultRow {
                line: e.line,
                source: e.source.clone(),
                destination: e.destination.clone(),
                task_id: e.task_id.clone(),
                state: r.map(|r| r.state.to_string()).unwrap_or_default(),
                copied: report.map_or(0, |x| x.copied),
                skipped: report.map_or(0, |x| x.skipped),
                failed: report.map_or(0, |x| x.failed),
                bytes: report.map_or(0, |x| x.bytes),
                error: r.and_then(|r| r.error.clone()).unwrap_or_default(),
                remedy: r.and_then(|r| r.remedy),
            }
        })
        .collect();
    let written = mailshift_store::write_atomic(&opts.results, results_csv(&rows).as_bytes());
    record.updated = migrator.clock().now();
    if let Err(e) = written {
        // Never leave the project `running`: it ends failed, saying why.
        let problem = format!(
            "every task ended, but the result CSV could not be written ({e}); \
             `mailshift project status {id}` shows each row's outcome"
        );
        record.state = ProjectState::Failed;
        record.problem = Some(problem.clone());
        store.save(&record)?;
        send(ProjectEvent::Ended(
            record.clone(),
            ProjectProgress::of(&recs),
        ));
        return Err(TaskError::State {
            path: opts.results.display().to_string(),
            reason: problem,
        });
    }
    if record.state != ProjectState::Cancelled {
        record.state = ProjectState::Finished;
    }
    store.save(&record)?;
    send(ProjectEvent::Ended(
        record.clone(),
        ProjectProgress::of(&recs),
    ));
    Ok((record, rows))
}

#[cfg(test)]
mod tests {
    use super::connections_per_side;

    #[test]
    fn a_task_on_one_server_opens_only_as_many_connections_as_fit_there() {
        // Different servers: as asked.
        assert_eq!(connections_per_side(4, 4, false), 4);
        assert_eq!(connections_per_side(0, 4, false), 1);
        // One server, both sides: 2 x 2 fits in 12, 2 x 4 does not fit in 4.
        assert_eq!(connections_per_side(2, 12, true), 2);
        assert_eq!(connections_per_side(4, 4, true), 2);
        assert_eq!(connections_per_side(3, 5, true), 2);
        // Cannot go below one per side.
        assert_eq!(connections_per_side(1, 1, true), 1);
    }
}
