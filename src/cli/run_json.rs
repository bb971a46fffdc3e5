//! The one JSON object a `migrate` (or `resume`) run prints with `--json`, whatever
//! the options: the e-mail report's fields (zeros when no e-mail moved), whether the
//! e-mails were verified, whether everything asked for is on the destination, and the
//! task's state, steps, problems and notifications. Built here, not in the engine.

use mailshift_panel::migration::{MigrationOption, OptionSet};
use mailshift_tasks::Report;
use mailshift_tasks::{StepState, TaskRecord, TaskState};
use serde_json::{json, Value};

/// The e-mail report's fields: the real report, or the same keys with zeros.
fn report_fields(report: Option<&Report>, task_id: &str) -> Value {
    let zero = Report {
        task_id: task_id.to_string(),
        ..Report::default()
    };
    let report = report.unwrap_or(&zero);
    let mut v = serde_json::to_value(report).unwrap_or_else(|_| json!({}));
    v["rate_per_sec"] = json!(report.rate_per_sec());
    // What to change about what was left out or refused, in command-line words.
    v["hints"] = json!(report
        .remedies
        .iter()
        .map(|r| super::advice::hint(*r))
        .collect::<Vec<_>>());
    v
}

fn option_names(options: &OptionSet) -> Value {
    // As `--options` spells them.
    json!(options
        .iter()
        .map(|o| match o {
            MigrationOption::Emails => "emails".to_string(),
            _ => o.label().replace(' ', "-"),
        })
        .collect::<Vec<_>>())
}

/// The shape of a task that ran (or stopped): `verified` is true only when the e-mails
/// were moved and compared; `complete` when the task finished with every step done and,
/// for e-mails, verified.
pub fn of_task(rec: &TaskRecord) -> Value {
    let report = rec.report.as_ref();
    let mut v = report_fields(report, &rec.id);
    let emails = rec.spec.options.contains(MigrationOption::Emails);
    let verified = emails && report.is_some_and(|r| r.verified);
    let steps_done = rec
        .steps
        .iter()
        .all(|s| matches!(s.state, StepState::Done | StepState::Skipped))
        && rec
            .steps
            .iter()
            .filter_map(|s| s.counts.as_ref())
            .all(|c| c.failed == 0);
    let emails_complete = !emails || report.is_some_and(Report::complete);
    v["task_id"] = json!(rec.id);
    v["options"] = option_names(&rec.spec.options);
    v["verified"] = json!(verified);
    v["complete"] = json!(rec.state == TaskState::Finished && steps_done && emails_complete);
    v["state"] = json!(rec.state);
    v["steps"] = json!(rec.steps);
    v["problems"] = json!(rec.progress.problems);
    v["notifications"] = json!(rec.notifications);
    v
}

/// The shape of a dry run: nothing moved, nothing verified; `groupware` says per step
/// what the rehearsal found.
pub fn of_dry_run(
    report: Option<&Report>,
    options: &OptionSet,
    groupware: serde_json::Map<String, Value>,
) -> Value {
    let mut v = report_fields(report, "dry-run");
    v["dry_run"] = json!(true);
    v["options"] = option_names(options);
    v["verified"] = json!(false);
    v["complete"] = json!(false);
    v["state"] = json!("dry-run");
    v["steps"] = json!([]);
    v["problems"] = json!(report.map(|r| r.errors.clone()).unwrap_or_default());
    v["notifications"] = json!([]);
    v["groupware"] = Value::Object(groupware);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(v: &Value) -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    }

    #[test]
    fn a_dry_run_has_the_same_keys_with_or_without_an_email_report() {
        let with = of_dry_run(
            Some(&Report::default()),
            &OptionSet::emails(),
            Default::default(),
        );
        let without = of_dry_run(None, &OptionSet::all(), Default::default());
        assert_eq!(keys(&with), keys(&without));
        for k in [
            "copied", "verified", "complete", "skipped", "bytes", "folders", "errors",
        ] {
            assert!(without.get(k).is_some(), "{k} missing: {without}");
        }
        assert_eq!(without["copied"], json!(0));
        assert_eq!(without["verified"], json!(false));
    }
}
