//! `mailshift migrate`: one account to another, headless. The options are `args`,
//! each side's server `endpoints`, what is printed `output`.

mod args;
mod endpoints;
mod output;

use std::io::IsTerminal;

use tokio::sync::mpsc;

use mailshift_tasks::spec::{choose_options, SieveServer};
use mailshift_tasks::{Credentials, Failure, Migrator, Security, Side, TaskSpec, Tuning};

use super::{advice, exit, run_json};
pub use args::MigrateArgs;
use endpoints::endpoint;
pub use output::finish;
use output::{progress, report_hints};

/// Run the command; returns the process exit code.
pub async fn run(args: MigrateArgs) -> i32 {
    let json = args.json;
    let fail = |code: i32, msg: String| super::fail(json, code, &msg);
    let advised =
        |code: i32, text: String, remedy| advice::fail(json, code, &Failure::new(text, remedy));
    let (mut source, src_secret) = match endpoint(Side::Source, &args) {
        Ok(e) => e,
        Err(e) => return advised(exit::USAGE, e.to_string(), e.remedy()),
    };
    let (mut destination, dst_secret) = match endpoint(Side::Destination, &args) {
        Ok(e) => e,
        Err(e) => return advised(exit::USAGE, e.to_string(), e.remedy()),
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
            // Each with its own hint; in JSON the first one's.
            let why: Vec<String> = refused
                .iter()
                .map(|u| advice::with_hint(&u.to_string(), Some(u.remedy())))
                .collect();
            let plain: Vec<String> = refused.iter().map(ToString::to_string).collect();
            if json {
                let mut v =
                    serde_json::json!({ "error": plain.join("; "), "exit_code": exit::USAGE });
                advice::add_hint(&mut v, refused.first().map(|u| u.remedy()));
                println!("{v}");
            }
            eprintln!("mailshift: {}", why.join("; "));
            return exit::USAGE;
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
        Err(e) => return advised(exit::USAGE, e.to_string(), e.remedy()),
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
        Err(f) => {
            return advice::fail(
                json,
                super::failure_code(Some(f.kind)),
                &Failure::new(f.text, f.remedy),
            )
        }
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
        report_hints(&report);
    }
    // The dry run predicts the real run's failures: same exit code.
    if report.errors.is_empty() {
        exit::OK
    } else {
        exit::PARTIAL
    }
}
