//! The completion e-mail: what it says (summary + verification report) and sending
//! it through the configured relay. A failure is recorded and logged, never fatal.

use mailshift_notify::Notice;

use crate::migrator::Inner;
use crate::record::{NotificationOutcome, StepKind, StepState, TaskRecord, TaskState};

/// Subject and text telling `to` how `rec` ended.
pub fn compose(rec: &TaskRecord, to: &str) -> Notice {
    let src = &rec.spec.source;
    let dst = &rec.spec.destination;
    let subject = format!(
        "[mailshift] {} {}: {} -> {}",
        rec.id, rec.state, src.login, dst.login
    );
    let mut text = String::new();
    text.push_str(&format!(
        "Migration task {} is {}.\n\nSource:      {} ({} {}:{})\nDestination: {} ({} {}:{})\n",
        rec.id,
        rec.state,
        src.login,
        src.server_type,
        src.host,
        src.port,
        dst.login,
        dst.server_type,
        dst.host,
        dst.port
    ));
    let opts: Vec<&str> = rec.spec.options.iter().map(|o| o.label()).collect();
    text.push_str(&format!("Options:     {}\n", opts.join(", ")));
    text.push_str(&format!(
        "Created:     {}\n",
        rec.created.format("%Y-%m-%d %H:%M:%S UTC")
    ));
    if let Some(e) = rec.ended {
        text.push_str(&format!(
            "Ended:       {}\n",
            e.format("%Y-%m-%d %H:%M:%S UTC")
        ));
    }
    text.push_str("\nSteps:\n");
    for s in &rec.steps {
        if s.kind == StepKind::Notify {
            continue;
        }
        let state = match s.state {
            StepState::Pending => "pending",
            StepState::Running => "running",
            StepState::Done => "done",
            StepState::Skipped => "skipped",
            StepState::Failed => "failed",
        };
        text.push_str(&format!("  {:<10} {state}", s.kind.label()));
        if let Some(d) = &s.detail {
            text.push_str(&format!(": {d}"));
        }
        text.push('\n');
    }
    if let Some(e) = &rec.error {
        text.push_str(&format!("\nWhat went wrong: {e}\n"));
    }
    if let Some(rb) = &rec.rollback {
        text.push_str(&format!(
            "\nRollback: {} messages removed from the destination, folders removed: {}\n",
            rb.messages_removed,
            if rb.folders_removed.is_empty() {
                "none".to_string()
            } else {
                rb.folders_removed.join(", ")
            }
        ));
    }
    if let Some(r) = &rec.report {
        text.push_str("\nVerification report\n-------------------\n");
        text.push_str(&r.to_text());
    }
    text.push_str(&format!(
        "\nFollow this task with: mailshift status {} --login {}\n",
        rec.id, src.login
    ));
    if matches!(
        rec.state,
        TaskState::Finished | TaskState::Cancelled | TaskState::Failed
    ) {
        text.push_str(&format!(
            "It can be rolled back until 48 h after its end: mailshift rollback {} --login {}\n",
            rec.id, src.login
        ));
    }
    Notice {
        to: to.to_string(),
        subject,
        text,
    }
}

/// Send the notification for `rec`'s current (ended) state, if it has an address.
pub(crate) async fn send_for(inner: &Inner, rec: &mut TaskRecord) {
    let Some(to) = rec.spec.notify.clone() else {
        return;
    };
    rec.set_step(StepKind::Notify, StepState::Running, None);
    let notice = compose(rec, &to);
    let relay = inner
        .relay
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let error = match relay {
        None => Some("no notification relay is configured, so no e-mail was sent".to_string()),
        Some(relay) => mailshift_notify::send(&relay, &notice)
            .await
            .err()
            .map(|e| e.to_string()),
    };
    match &error {
        None => {
            tracing::info!(task = %rec.id, "notification sent to {to}");
            rec.set_step(
                StepKind::Notify,
                StepState::Done,
                Some(format!("sent to {to}")),
            );
        }
        Some(e) => {
            tracing::warn!(task = %rec.id, "notification to {to} failed: {e}");
            rec.set_step(
                StepKind::Notify,
                StepState::Failed,
                Some(format!("not sent to {to}: {e}")),
            );
        }
    }
    rec.notifications.push(NotificationOutcome {
        to,
        at: inner.clock.now(),
        about: rec.state,
        error,
    });
}
