//! The real binary in a pseudo-terminal (tmux) against the real sandbox, across
//! restarts: a task migrated earlier rolls back from the dashboard (`t`, `b`) and the
//! destination is checked over IMAP; a task running in the panel continues after a
//! hand-off (`q`, `h`) or resumes at the next start after Ctrl-C, and finishes with
//! the destination complete; a domain added to a platform turns OK once the platform
//! has set it up, while its DNS is still red.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mailshift_panel::DEMO_PASSWORD;
use mailshift_sandbox::{Sandbox, SandboxOptions};
use support::tmux::{tmux_available, wait_for_file, Tmux};
use support::{bin, migrate_ports, run, Home, MailboxSnapshot, Oracle};

const LONG: Duration = Duration::from_secs(90);

impl Tmux {
    /// Start the panel on the data dir `data` with `env`; its exit status goes to `status`.
    fn panel(home: &Home, data: &Path, env: &str, status: &Path) -> Tmux {
        let tmux = Tmux::in_dir(home.path());
        tmux.launch(&home.path().join("run.sh"), data, env, status, (120, 36));
        tmux
    }

    /// Quit with q and wait for the exit status.
    fn quit(&self, status: &Path) {
        self.keys(&["q"]);
        let code = wait_for_file(status, LONG)
            .unwrap_or_else(|| panic!("mailshift did not quit; the screen:\n{}", self.screen()));
        assert_eq!(code.trim(), "0", "exit status");
    }
}

fn snap(port: u16, user: &str) -> MailboxSnapshot {
    let mut o = Oracle::login("127.0.0.1", port, user, DEMO_PASSWORD).expect("login");
    o.snapshot().expect("snapshot")
}

#[test]
fn a_task_migrated_earlier_rolls_back_from_the_dashboard() {
    if !tmux_available() {
        return;
    }
    let home = Home::new();
    let data = home.path().join("data");
    let status = home.path().join("status");
    // Migrate with the CLI while a sandbox runs on this data dir, then stop it.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let opts = SandboxOptions {
        clock_factor: 0.0,
        ..SandboxOptions::default()
    };
    let sb = rt.block_on(Sandbox::start(&data, opts)).expect("sandbox");
    let port = |service: &str| {
        let id = sb.panel().platform_by_service(service).unwrap().id;
        sb.imap_addr(id).unwrap().port()
    };
    let (mx, ex) = (port("mxplan-7f3e21"), port("exchange-ab12cd"));
    let (src, dst) = ("john.smith@example.com", "claire.moreau@example.org");
    let before = snap(ex, dst);
    // The sandbox's demo accounts share one password.
    let mut c = migrate_ports(&data, (mx, src), (ex, dst), &[]);
    c.env("MAILSHIFT_SRC_PASSWORD", DEMO_PASSWORD)
        .env("MAILSHIFT_DST_PASSWORD", DEMO_PASSWORD);
    let first = run(c);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let copied = first.json["copied"].as_u64().expect("copied");
    assert!(copied > 0);
    rt.block_on(sb.shutdown());

    // The panel starts the sandbox again on the same ports; the dashboard rolls back.
    let tmux = Tmux::panel(&home, &data, "", &status);
    tmux.wait_for("mxplan-7f3e21", LONG);
    tmux.keys(&["t"]);
    tmux.wait_for("finished", LONG);
    tmux.keys(&["b"]);
    tmux.wait_for("Roll back", LONG);
    // The demo password is known to the sandbox: the field comes filled in.
    tmux.keys(&["Enter"]);
    let want = format!("rolled back: {copied} messages");
    let s = tmux.wait_for(&want, LONG);
    assert!(!s.contains("kept"), "nothing the task added is kept:\n{s}");
    // From outside, while the panel hosts the sandbox: the destination is as before.
    assert_eq!(snap(ex, dst), before);
    tmux.quit(&status);
}

#[test]
fn a_domain_added_in_the_panel_turns_ok_once_the_platform_set_it_up() {
    if !tmux_available() {
        return;
    }
    let home = Home::new();
    let data = home.path().join("data");
    let status = home.path().join("status");
    // Four simulated hours: about 10 s at the panel's clock (x1440).
    let tmux = Tmux::panel(
        &home,
        &data,
        "MAILSHIFT_SANDBOX_DOMAIN_SETUP_SECS=14400",
        &status,
    );
    tmux.wait_for("exchange-ab12cd", LONG);
    // Exchange is the second platform: open it, focus its domains table, add one.
    tmux.keys(&["Down"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Associated domains (2)", LONG);
    tmux.keys(&["Right"]);
    tmux.keys(&["a"]);
    tmux.wait_for("Add a domain", LONG);
    tmux.text("newdomain.test");
    tmux.keys(&["Enter"]);
    let row = |l: &str| l.contains("newdomain.test");
    let s = tmux.wait_line("the new domain, pending", LONG, |l| {
        row(l) && l.contains("pending")
    });
    assert!(s.contains("Associated domains (3)"), "{s}");
    let s = tmux.wait_line("the new domain, OK", LONG, |l| row(l) && l.contains(" OK "));
    // Its DNS is not set up at all: the status does not wait on it.
    let line = s.lines().find(|l| row(l)).unwrap();
    assert!(
        line.contains("red"),
        "DNS stays red in its own column: {line}"
    );
    tmux.quit(&status);

    // The status is kept across a restart.
    let _ = std::fs::remove_file(&status);
    drop(tmux);
    let tmux = Tmux::panel(&home, &data, "", &status);
    tmux.wait_for("exchange-ab12cd", LONG);
    tmux.keys(&["Down"]);
    tmux.keys(&["Enter"]);
    tmux.wait_line("the new domain, OK after the restart", LONG, |l| {
        row(l) && l.contains(" OK ")
    });
    tmux.quit(&status);
}

const BIG: usize = 6000;
const SRC: &str = "john.smith@example.com";
const DST: &str = "claire.moreau@example.org";

/// A data dir whose sandbox gives john.smith a mailbox big enough that a copy takes a
/// while, and a task john.smith -> claire.moreau that was started and cancelled at
/// once (so `r` in the panel runs it): (task id, MX Plan port, Exchange port, the
/// destination before, the number of source messages).
fn cancelled_big_task(data: &Path) -> (String, u16, u16, MailboxSnapshot, usize) {
    use mailshift_engine::imap::Secret;
    use mailshift_tasks::{Clock, Credentials, Migrator};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let opts = SandboxOptions {
        clock_factor: 0.0,
        ..SandboxOptions::default()
    };
    let sb = rt.block_on(Sandbox::start(data, opts)).expect("sandbox");
    let id_of = |service: &str| sb.panel().platform_by_service(service).unwrap().id;
    let (mx_id, ex_id) = (id_of("mxplan-7f3e21"), id_of("exchange-ab12cd"));
    let store = sb.mail_store(mx_id).unwrap();
    support::sandbox::seed_bulk(store, SRC, BIG, 900);
    let (mx, ex) = (
        sb.imap_addr(mx_id).unwrap().port(),
        sb.imap_addr(ex_id).unwrap().port(),
    );
    let before = snap(ex, DST);
    let src_count = snap(mx, SRC).total_messages();
    let spec = support::sandbox::loopback_emails_task((mx, SRC), (ex, DST));
    let m = Migrator::open(data, Clock::system()).unwrap();
    let creds = Credentials {
        source: Secret::new(DEMO_PASSWORD),
        destination: Secret::new(DEMO_PASSWORD),
    };
    let id = rt.block_on(async {
        let h = m.start(spec, creds).unwrap();
        let id = h.id.clone();
        m.cancel(&id).unwrap();
        let rec = h.wait().await;
        assert_eq!(
            rec.state,
            mailshift_tasks::TaskState::Cancelled,
            "cancelled long before its {BIG} messages are copied"
        );
        id
    });
    rt.block_on(sb.shutdown());
    (id, mx, ex, before, src_count)
}

/// Wait (on the task file, by `mailshift status`) until task `id`'s state passes
/// `done`, at most `limit`; returns its status JSON.
fn wait_task(
    data: &Path,
    id: &str,
    limit: Duration,
    done: impl Fn(&str) -> bool,
) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let mut c = Command::new(bin());
        c.env("MAILSHIFT_HOME", data)
            .env_remove("MAILSHIFT_LOG")
            .args(["status", id, "--login", SRC, "--json"])
            .stdin(Stdio::null());
        let st = run(c);
        let state = st.json["state"].as_str().unwrap_or("").to_string();
        if done(&state) {
            return st.json;
        }
        assert!(
            start.elapsed() < limit,
            "task {id} still {state} after {limit:?}: {:#}",
            st.json
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Wait until task `id` has ended.
fn wait_task_end(data: &Path, id: &str) -> serde_json::Value {
    wait_task(data, id, Duration::from_secs(600), |state| {
        !matches!(state, "running" | "queued" | "interrupted" | "cancelled")
    })
}

/// Open the dashboard, select the only task and resume it with `r` (the demo
/// passwords are known to the sandbox); returns once it runs.
fn resume_in_panel(tmux: &Tmux, id: &str) {
    tmux.wait_for("mxplan-7f3e21", LONG);
    tmux.keys(&["t"]);
    tmux.wait_for("cancelled", LONG);
    tmux.keys(&["r"]);
    // Its row says running once the resumed run has connected and copies.
    tmux.wait_for(&format!("task {id} resumed: connected"), LONG);
    tmux.wait_line("the task, running", LONG, |l| {
        l.contains(&id[..8]) && l.contains("running")
    });
}

/// A cancelled big task resumed in the panel, then handed off (`q`, `h`): the panel
/// has quit with status 0 and its runner carries on. Returns the (ended) tmux
/// session, the task ID, the destination's port, its state before and the source's
/// message count.
fn hand_off_a_big_task(
    home: &Home,
    data: &Path,
    status: &Path,
) -> (Tmux, String, u16, MailboxSnapshot, usize) {
    let (id, _mx, ex, before, src_count) = cancelled_big_task(data);
    let tmux = Tmux::panel(home, data, "", status);
    resume_in_panel(&tmux, &id);
    tmux.keys(&["q"]);
    tmux.wait_for("continue in the background", LONG);
    tmux.keys(&["h"]);
    let code = wait_for_file(status, LONG)
        .unwrap_or_else(|| panic!("mailshift did not quit; the screen:\n{}", tmux.screen()));
    assert_eq!(code.trim(), "0");
    (tmux, id, ex, before, src_count)
}

/// The destination holds what it held plus every source message, once.
fn destination_complete(ex: u16, before: &MailboxSnapshot, src_count: usize) {
    let after = snap(ex, DST);
    assert_eq!(after.total_messages(), before.total_messages() + src_count);
}

#[test]
fn a_handed_off_task_finishes_after_the_panel_quit() {
    if !tmux_available() {
        return;
    }
    let home = Home::new();
    let data = home.path().join("data");
    let status = home.path().join("status");
    let (tmux, id, ex, before, src_count) = hand_off_a_big_task(&home, &data, &status);
    // The panel and its sandbox are gone; the runner it started hosts the sandbox.
    let end = wait_task_end(&data, &id);
    assert_eq!(end["state"], "finished", "{end:#}");
    let _ = std::fs::remove_file(&status);
    drop(tmux);
    // Relaunch: the task shows finished and the destination is complete.
    let tmux = Tmux::panel(&home, &data, "", &status);
    tmux.wait_for("mxplan-7f3e21", LONG);
    tmux.keys(&["t"]);
    tmux.wait_line("the task, finished", LONG, |l| {
        l.contains(&id[..8]) && l.contains("finished")
    });
    destination_complete(ex, &before, src_count);
    tmux.quit(&status);
}

#[test]
fn a_task_interrupted_by_ctrl_c_resumes_at_the_next_start() {
    if !tmux_available() {
        return;
    }
    let home = Home::new();
    let data = home.path().join("data");
    let status = home.path().join("status");
    let (id, _mx, ex, before, src_count) = cancelled_big_task(&data);
    let tmux = Tmux::panel(&home, &data, "", &status);
    resume_in_panel(&tmux, &id);
    tmux.keys(&["C-c"]);
    wait_for_file(&status, LONG)
        .unwrap_or_else(|| panic!("mailshift did not quit; the screen:\n{}", tmux.screen()));
    let _ = std::fs::remove_file(&status);
    drop(tmux);
    let mut c = Command::new(bin());
    c.env("MAILSHIFT_HOME", &data)
        .args(["status", &id, "--login", SRC, "--json"])
        .stdin(Stdio::null());
    let st = run(c);
    assert_eq!(st.json["state"], "interrupted", "{:#}", st.json);

    // The next start resumes it by itself, says so once it has connected, and it ends.
    let tmux = Tmux::panel(&home, &data, "", &status);
    tmux.wait_for("mxplan-7f3e21", LONG);
    tmux.wait_for("resumed: connected", LONG);
    tmux.keys(&["t"]);
    tmux.wait_line("the task, finished", Duration::from_secs(600), |l| {
        l.contains(&id[..8]) && l.contains("finished")
    });
    destination_complete(ex, &before, src_count);
    tmux.quit(&status);
}

/// Wait until task `id` is in `want`.
fn wait_task_state(data: &Path, id: &str, want: &str) {
    wait_task(data, id, LONG, |state| state == want);
}

#[test]
fn a_panel_started_while_a_handed_off_task_runs_uses_the_runners_sandbox() {
    if !tmux_available() {
        return;
    }
    let home = Home::new();
    let data = home.path().join("data");
    let status = home.path().join("status");
    let (tmux, id, ex, before, src_count) = hand_off_a_big_task(&home, &data, &status);
    let _ = std::fs::remove_file(&status);
    drop(tmux);
    // The runner has taken the task over: it hosts the sandbox now.
    wait_task_state(&data, &id, "running");

    // A new panel starts (no port conflict) on the runner's servers and shows the task.
    let tmux = Tmux::panel(&home, &data, "", &status);
    tmux.wait_for("served by a background mailshift", LONG);
    tmux.keys(&["t"]);
    let s = tmux.wait_line("the task, running", LONG, |l| {
        l.contains(&id[..8]) && l.contains("running")
    });
    let row = s.lines().find(|l| l.contains(&id[..8])).unwrap();
    assert!(row.contains('%'), "the dashboard shows its progress: {row}");
    tmux.wait_line("the task, finished", Duration::from_secs(600), |l| {
        l.contains(&id[..8]) && l.contains("finished")
    });
    // The runner ends with its task, and the panel says so.
    tmux.wait_for("has ended", LONG);
    tmux.quit(&status);
    let _ = std::fs::remove_file(&status);
    drop(tmux);

    // The next start hosts the sandbox again; over IMAP the destination is complete.
    let tmux = Tmux::panel(&home, &data, "", &status);
    let s = tmux.wait_for("mxplan-7f3e21", LONG);
    assert!(
        !s.contains("served by"),
        "this panel hosts the sandbox:\n{s}"
    );
    destination_complete(ex, &before, src_count);
    tmux.quit(&status);
}
