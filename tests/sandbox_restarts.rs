//! Tasks recorded on sandbox platforms keep working after the sandbox stops and
//! starts again: its endpoints are kept, and `mailshift rollback` started while
//! no panel runs hosts the sandbox itself for as long as it needs it.

mod support;

use std::process::{Command, Stdio};

use mailshift_panel::DEMO_PASSWORD;
use mailshift_sandbox::{Sandbox, SandboxOptions};
use support::*;

fn snap(port: u16, user: &str) -> MailboxSnapshot {
    let mut o = Oracle::login("127.0.0.1", port, user, DEMO_PASSWORD).expect("login");
    o.snapshot().expect("snapshot")
}

fn opts() -> SandboxOptions {
    SandboxOptions {
        clock_factor: 0.0,
        ..SandboxOptions::default()
    }
}

/// The sandbox started in `home`, with its MX Plan (the tests' source) and Exchange
/// (their destination) platforms.
fn start(
    rt: &tokio::runtime::Runtime,
    home: &Home,
) -> (
    Sandbox,
    mailshift_panel::PlatformId,
    mailshift_panel::PlatformId,
) {
    let sb = rt
        .block_on(Sandbox::start(home.path(), opts()))
        .expect("sandbox starts");
    let id = |service: &str| sb.panel().platform_by_service(service).unwrap().id;
    let (mx, ex) = (id("mxplan-7f3e21"), id("exchange-ab12cd"));
    (sb, mx, ex)
}

fn cli(home: &Home, args: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.env("MAILSHIFT_HOME", home.path())
        .env("MAILSHIFT_SRC_PASSWORD", DEMO_PASSWORD)
        .env("MAILSHIFT_DST_PASSWORD", DEMO_PASSWORD)
        .env_remove("MAILSHIFT_LOG")
        .env_remove("MAILSHIFT_FAKE_NOW")
        .args(args)
        .stdin(Stdio::null());
    c
}

#[test]
fn a_task_rolls_back_after_the_sandbox_restarted_without_a_panel() {
    let home = Home::new();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (sb, mx, ex) = start(&rt, &home);
    let mx_port = sb.imap_addr(mx).unwrap().port();
    let ex_port = sb.imap_addr(ex).unwrap().port();
    let src = "john.smith@example.com";
    let dst = "claire.moreau@example.org";
    let before = snap(ex_port, dst);

    // The sandbox's demo accounts share one password.
    let mut c = migrate_ports(home.path(), (mx_port, src), (ex_port, dst), &[]);
    c.env("MAILSHIFT_SRC_PASSWORD", DEMO_PASSWORD)
        .env("MAILSHIFT_DST_PASSWORD", DEMO_PASSWORD)
        .env_remove("MAILSHIFT_FAKE_NOW");
    let first = run(c);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.json["state"], "finished");
    let id = first.json["task_id"].as_str().unwrap().to_string();
    let copied = first.json["copied"].as_u64().expect("copied in the JSON");
    assert!(copied > 0);
    assert_eq!(
        snap(ex_port, dst).total_messages(),
        before.total_messages() + copied as usize
    );
    rt.block_on(sb.shutdown());

    // No sandbox runs now: the rollback starts it on the kept ports, removes what the
    // task added, and stops it again.
    let back = run(cli(&home, &["rollback", &id, "--login", src, "--json"]));
    assert_eq!(back.code, 0, "{}", back.stderr);
    assert_eq!(back.json["messages_removed"].as_u64(), Some(copied));

    let sb = rt
        .block_on(Sandbox::start(home.path(), opts()))
        .expect("sandbox starts again");
    assert_eq!(sb.imap_addr(ex).unwrap().port(), ex_port, "same endpoint");
    assert_eq!(snap(ex_port, dst), before, "the destination is as it was");
    rt.block_on(sb.shutdown());
}

/// `n` consecutive free ports on 127.0.0.1 (the sandbox puts platform k on base + k - 1).
fn free_base(n: u16) -> u16 {
    for _ in 0..50 {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = probe.local_addr().unwrap().port();
        drop(probe);
        if base.checked_add(n).is_none() {
            continue;
        }
        let all_free =
            (base..base + n).all(|p| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok());
        if all_free {
            return base;
        }
    }
    panic!("no {n} consecutive free ports");
}

/// The task as `mailshift status --json` shows it.
fn status(home: &Home, id: &str, login: &str) -> serde_json::Value {
    run(cli(home, &["status", id, "--login", login, "--json"])).json
}

#[test]
fn a_task_on_sandbox_platforms_rolls_back_after_the_sandbox_moved_to_other_ports() {
    let home = Home::new();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (sb, mx, ex) = start(&rt, &home);
    let platforms = sb.panel().platforms.len() as u16;
    let (mx_port, ex_port) = (
        sb.imap_addr(mx).unwrap().port(),
        sb.imap_addr(ex).unwrap().port(),
    );
    let (src, dst) = ("john.smith@example.com", "claire.moreau@example.org");
    let before = snap(ex_port, dst);
    let mut c = migrate_ports(home.path(), (mx_port, src), (ex_port, dst), &[]);
    c.env("MAILSHIFT_SRC_PASSWORD", DEMO_PASSWORD)
        .env("MAILSHIFT_DST_PASSWORD", DEMO_PASSWORD)
        .env_remove("MAILSHIFT_FAKE_NOW");
    let first = run(c);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let id = first.json["task_id"].as_str().unwrap().to_string();
    let copied = first.json["copied"].as_u64().expect("copied");
    assert!(copied > 0);
    // The task names the platforms, not only their ports.
    let st = status(&home, &id, src);
    assert_eq!(st["platforms"]["source"], "mxplan-7f3e21", "{st:#}");
    assert_eq!(st["platforms"]["destination"], "exchange-ab12cd", "{st:#}");
    rt.block_on(sb.shutdown());

    // The rollback hosts the sandbox on other IMAP ports (the variable), and still
    // reaches the task's destination.
    let base = free_base(platforms);
    let mut c = cli(&home, &["rollback", &id, "--login", src, "--json"]);
    c.env("MAILSHIFT_SANDBOX_IMAP_PORT", base.to_string());
    let back = run(c);
    assert_eq!(back.code, 0, "{}", back.stderr);
    assert_eq!(back.json["messages_removed"].as_u64(), Some(copied));
    let st = status(&home, &id, src);
    assert_eq!(st["state"], "rolled_back", "{st:#}");
    let new_ex = st["spec"]["destination"]["port"].as_u64().unwrap() as u16;
    assert_ne!(new_ex, ex_port, "the record follows the platform");

    // The sandbox now keeps the new ports; over IMAP there, the destination is as it was.
    let sb = rt
        .block_on(Sandbox::start(home.path(), opts()))
        .expect("sandbox starts again");
    assert_eq!(sb.imap_addr(ex).unwrap().port(), new_ex);
    assert_eq!(snap(new_ex, dst), before, "the destination is as it was");
    rt.block_on(sb.shutdown());
}

#[test]
fn a_cancelled_task_on_sandbox_platforms_resumes_after_the_sandbox_moved_to_other_ports() {
    use mailshift_tasks::{Clock, Credentials, Migrator, Secret, TaskState};
    const BIG: usize = 3000;
    let (src, dst) = ("john.smith@example.com", "claire.moreau@example.org");
    let home = Home::new();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (sb, mx, ex) = start(&rt, &home);
    let platforms = sb.panel().platforms.len() as u16;
    let store = sb.mail_store(mx).unwrap();
    support::sandbox::seed_bulk(store, src, BIG, 600);
    let (mx_port, ex_port) = (
        sb.imap_addr(mx).unwrap().port(),
        sb.imap_addr(ex).unwrap().port(),
    );
    let before = snap(ex_port, dst);
    let src_before = snap(mx_port, src);
    let spec = support::sandbox::loopback_emails_task((mx_port, src), (ex_port, dst));
    let m = Migrator::open(home.path(), Clock::system()).unwrap();
    mailshift::sandbox_backend::place_tasks(&m, home.path());
    let id = rt.block_on(async {
        let creds = Credentials {
            source: Secret::new(DEMO_PASSWORD),
            destination: Secret::new(DEMO_PASSWORD),
        };
        let h = m.start(spec, creds).unwrap();
        let id = h.id.clone();
        m.cancel(&id).unwrap();
        let rec = h.wait().await;
        assert_eq!(
            rec.state,
            TaskState::Cancelled,
            "cancelled before {BIG} messages"
        );
        assert_eq!(rec.platforms.source.as_deref(), Some("mxplan-7f3e21"));
        id
    });
    drop(m);
    rt.block_on(sb.shutdown());

    // `mailshift resume` hosts the sandbox on other IMAP ports and finishes the task.
    let base = free_base(platforms);
    let mut c = cli(&home, &["resume", &id, "--json"]);
    c.env("MAILSHIFT_SANDBOX_IMAP_PORT", base.to_string());
    let done = run(c);
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert_eq!(done.json["state"], "finished", "{:#}", done.json);
    // The dashboard shows the cancelled-then-resumed task at 100 %, from the record's
    // own progress (what was copied before the cancel counts), not only its state.
    let rec: mailshift_tasks::TaskRecord =
        serde_json::from_value(status(&home, &id, src)).expect("a task record");
    assert_eq!(rec.state, TaskState::Finished);
    assert_eq!(mailshift::tui::widgets::progress::task_ratio(&rec), 1.0);
    assert_eq!(rec.ratio(), 1.0, "{:?}", rec.progress);

    let sb = rt
        .block_on(Sandbox::start(home.path(), opts()))
        .expect("sandbox starts again");
    let (new_mx, new_ex) = (
        sb.imap_addr(mx).unwrap().port(),
        sb.imap_addr(ex).unwrap().port(),
    );
    assert_ne!(new_ex, ex_port, "the sandbox moved");
    // Checked over IMAP on the new ports: every source message once, nothing lost.
    let after = snap(new_ex, dst);
    assert!(after.duplicates().is_empty(), "{:?}", after.duplicates());
    assert_eq!(
        after.total_messages(),
        before.total_messages() + src_before.total_messages()
    );
    assert_eq!(snap(new_mx, src), src_before, "the source is untouched");
    rt.block_on(sb.shutdown());
}
