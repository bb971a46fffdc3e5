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
    let sb = rt
        .block_on(Sandbox::start(home.path(), opts()))
        .expect("sandbox starts");
    let mx = sb.panel().platform_by_service("mxplan-7f3e21").unwrap().id;
    let ex = sb
        .panel()
        .platform_by_service("exchange-ab12cd")
        .unwrap()
        .id;
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
