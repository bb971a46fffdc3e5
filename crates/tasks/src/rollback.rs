//! Rolling a task back: check the login and the 48 h window, let the engine remove
//! what the task added, record the outcome and tell the notification address.

use mailshift_engine::imap::{Secret, Side, Timeouts};
use mailshift_engine::migrate;

use mailshift_panel::migration::MigrationOption;

use crate::error::TaskError;
use crate::groupware;
use crate::migrator::Migrator;
use crate::record::{RollbackOutcome, TaskState};

pub(crate) async fn run(
    m: &Migrator,
    id: &str,
    login: &str,
    dst_secret: Secret,
) -> Result<RollbackOutcome, TaskError> {
    let mut rec = m.follow(id, login)?;
    m.rollback_until(&rec)?;
    if m.inner.store.is_locked(&rec.id) {
        return Err(TaskError::Busy {
            id: rec.id.clone(),
            what: "a mailshift process holds it (running or queued in a project): cancel it \
                   or wait for it to end, then roll back"
                .into(),
        });
    }
    m.relocate(&mut rec);
    let spec = rec.spec.clone();
    let mut outcome = RollbackOutcome {
        at: Some(m.clock().now()),
        ..RollbackOutcome::default()
    };
    // Groupware first: it is the smaller part, and its ledger says exactly what to remove.
    let undone = groupware::undo::run(&spec, &dst_secret, m.state_dir(), &rec.id)
        .await
        .map_err(|reason| TaskError::Rollback {
            id: rec.id.clone(),
            reason,
        })?;
    outcome.items_removed = undone.items_removed;
    outcome.collections_removed = undone.collections_removed;
    outcome.scripts_removed = undone.scripts_removed;
    outcome.kept.extend(undone.kept);
    if spec.options.contains(MigrationOption::Emails) {
        let src_label = spec
            .source
            .endpoint(Side::Source, Secret::default())
            .label();
        let dst = spec.destination.endpoint(Side::Destination, dst_secret);
        let rolled = migrate::rollback(
            &dst,
            &src_label,
            m.state_dir(),
            &rec.id,
            Timeouts::default(),
        )
        .await
        .map_err(|e| TaskError::Rollback {
            id: rec.id.clone(),
            reason: e.to_string(),
        })?;
        outcome.messages_removed = rolled.messages_removed;
        outcome.folders_removed = rolled.folders_removed;
        outcome.earlier_messages_removed = rolled.earlier_messages_removed;
        outcome.earlier_folders_removed = rolled.earlier_folders_removed;
        outcome.kept.extend(rolled.kept);
    }
    tracing::info!(task = %rec.id, removed = outcome.messages_removed, "rolled back");
    rec.state = TaskState::RolledBack;
    rec.rollback = Some(outcome.clone());
    m.publish(&mut rec);
    crate::notice::send_for(&m.inner, &mut rec).await;
    m.publish(&mut rec);
    Ok(outcome)
}
