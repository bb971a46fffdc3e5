//! `--dry-run`: what a task would do, read-only on both sides and recorded nowhere:
//! the groupware steps rehearsed, then the engine's mail plan.

use std::path::Path;

use mailshift_engine::migrate::{self, Event, Report};
use mailshift_panel::migration::MigrationOption;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::groupware::{self, ServiceFailure};
use crate::record::{FailureKind, StepKind};
use crate::spec::{Credentials, TaskSpec};
use crate::Migrator;

/// What a dry run found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DryRun {
    /// Each groupware step asked for, with what it would do (empty: both sides ready).
    pub groupware: Vec<(StepKind, Vec<String>)>,
    /// The mail plan; `None` when e-mails are not among the options.
    pub mail: Option<Report>,
}

impl Migrator {
    /// Plan `spec` without writing anything: no task record, no journal entry, nothing
    /// on either server. Engine events go to `events` as the plan is made. Needs no
    /// open task store (a dry run may run beside anything).
    pub async fn dry_run(
        state_dir: &Path,
        spec: &TaskSpec,
        creds: &Credentials,
        events: mpsc::UnboundedSender<Event>,
    ) -> Result<DryRun, ServiceFailure> {
        if let Some((_, why)) = spec.unsupported().into_iter().next() {
            return Err(ServiceFailure {
                kind: FailureKind::Usage,
                text: why.to_string(),
                remedy: Some(why.remedy()),
            });
        }
        let mut found = DryRun::default();
        let steps = groupware::wanted_steps(spec);
        if !steps.is_empty() {
            let tally = groupware::rehearse(spec, creds).await?;
            for step in steps {
                let notes = tally.notes.get(&step).cloned().unwrap_or_default();
                found.groupware.push((step, notes));
            }
        }
        if !spec.options.contains(MigrationOption::Emails) {
            return Ok(found);
        }
        let migration = spec.migration(creds, "dry-run", state_dir, true);
        match migrate::run(migration, events, CancellationToken::new()).await {
            Ok(report) => {
                found.mail = Some(report);
                Ok(found)
            }
            Err(e) => Err(ServiceFailure {
                kind: FailureKind::of(&e),
                text: e.to_string(),
                remedy: e.remedy(),
            }),
        }
    }
}
