//! The guide's flow on the sandbox, headless: rename the source account to
//! its provisional name, create the real name on the destination platform,
//! migrate with the engine over the sandbox's real IMAP servers.

mod support;

use std::process::Command;

use mailshift_panel::{NewAccount, DEMO_PASSWORD};
use mailshift_sandbox::{Sandbox, SandboxOptions};
use support::*;

fn snap(port: u16, user: &str, pass: &str) -> MailboxSnapshot {
    let mut o = Oracle::login("127.0.0.1", port, user, pass).expect("login");
    o.snapshot().expect("snapshot")
}

#[test]
fn mx_plan_account_moves_to_exchange_through_the_provisional_name() {
    let home = Home::new();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut sb = rt
        .block_on(Sandbox::start(
            home.path(),
            SandboxOptions {
                clock_factor: 0.0,
                ..SandboxOptions::default()
            },
        ))
        .expect("sandbox starts");
    let mx = sb.panel().platform_by_service("mxplan-7f3e21").unwrap().id;
    let ex = sb
        .panel()
        .platform_by_service("exchange-ab12cd")
        .unwrap()
        .id;
    let mx_port = sb.imap_addr(mx).unwrap().port();
    let ex_port = sb.imap_addr(ex).unwrap().port();

    let before = non_empty(snap(mx_port, "john.smith@example.com", DEMO_PASSWORD));
    assert!(before.total_messages() > 10, "the demo account has mail");

    // Step 2 of the guide.
    let suggested = sb
        .panel()
        .platform(mx)
        .unwrap()
        .suggest_provisional_name("john.smith", "example.com");
    assert_eq!(suggested, "john.smith01");
    sb.rename_account(mx, "john.smith@example.com", &suggested)
        .unwrap();
    sb.create_account(
        ex,
        NewAccount {
            local_part: "john.smith".into(),
            domain: "example.com".into(),
            display_name: "John Smith".into(),
            password: "Exchange-Pass-2026".into(),
            quota_bytes: None,
        },
    )
    .unwrap();
    assert_eq!(
        non_empty(snap(mx_port, "john.smith01@example.com", DEMO_PASSWORD)),
        before,
        "the provisional account keeps its mail"
    );

    let work = Home::new();
    let mut c = migrate_ports(
        work.path(),
        (mx_port, "john.smith01@example.com"),
        (ex_port, "john.smith@example.com"),
        &[],
    );
    c.env("MAILSHIFT_SRC_PASSWORD", DEMO_PASSWORD)
        .env("MAILSHIFT_DST_PASSWORD", "Exchange-Pass-2026");
    let r = run(c);
    assert_eq!(r.code, 0, "{} {}", r.stderr, r.json);
    assert_eq!(r.n("copied") as usize, before.total_messages());
    let after = non_empty(snap(
        ex_port,
        "john.smith@example.com",
        "Exchange-Pass-2026",
    ));
    let diff = before.diff(&after);
    assert!(diff.is_empty(), "{diff}");
    rt.block_on(sb.shutdown());
}

#[test]
fn sandbox_serve_prints_its_endpoints() {
    let home = Home::new();
    let out = Command::new(bin())
        .env("MAILSHIFT_HOME", home.path())
        .args(["sandbox", "serve", "--once"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("exchange-ab12cd") && text.contains("IMAP     127.0.0.1:"),
        "{text}"
    );
    assert!(text.contains("john.smith@example.com"), "{text}");
    assert!(home.path().join("sandbox/panel.json").exists());

    let out = Command::new(bin())
        .env("MAILSHIFT_HOME", home.path())
        .args(["sandbox", "reset"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
