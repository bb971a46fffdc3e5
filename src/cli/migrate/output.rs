//! What a run prints: live progress on stderr, the summary or the one JSON object,
//! and the exit code.

use std::io::Write;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use mailshift_tasks::{Event, FailureKind, Report, TaskRecord, TaskState};

use crate::cli::{advice, exit, run_json};

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
            kind => crate::cli::failure_code(kind),
        };
        let msg = rec
            .error
            .clone()
            .unwrap_or_else(|| format!("task {} ended {}", rec.id, rec.state));
        if json {
            let mut v = run_json::of_task(rec);
            v["error"] = serde_json::json!(msg);
            v["exit_code"] = serde_json::json!(code);
            advice::add_hint(&mut v, rec.remedy);
            println!("{v}");
        }
        eprintln!("mailshift: {}", advice::with_hint(&msg, rec.remedy));
        return code;
    };
    if json {
        println!("{}", run_json::of_task(rec));
    } else {
        eprint!("{}", report.to_text());
        report_hints(report);
    }
    tracing::info!(task = %rec.id, copied = report.copied, skipped = report.skipped, verified = report.verified, state = %rec.state, "migration ends");
    if rec.state == TaskState::Finished {
        exit::OK
    } else {
        exit::PARTIAL
    }
}

/// What the user can change about what the report left out or could not copy.
pub(super) fn report_hints(report: &Report) {
    for r in &report.remedies {
        eprintln!("Hint                 : {}", advice::hint(*r));
    }
}

/// Consume engine events; on a terminal, redraw one progress line.
pub(super) async fn progress(mut rx: mpsc::UnboundedReceiver<Event>, live: bool) {
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
            Event::Problem { message, remedy } => {
                if drew {
                    eprint!("\r\x1b[2K");
                }
                eprintln!("mailshift: {}", advice::with_hint(&message, remedy));
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
