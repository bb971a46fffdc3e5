//! The same engine, unchanged, against the sandbox's own IMAP server (no
//! MULTIAPPEND there: APPENDs are pipelined with LITERAL+).

mod support;

use support::sandbox::SandboxServer;
use support::*;

#[test]
fn dovecot_to_sandbox_and_back_byte_exact_without_duplicates() {
    let Some(dc) = dovecot(layout(Layout::Dot)) else {
        return;
    };
    dc.add_user("john", PASS).unwrap();
    mailshift_testkit::seed(&dc, "john", PASS, &SeedSpec::realistic(5)).unwrap();
    let sb = SandboxServer::start();
    sb.add_user("john.smith@example.org", PASS);
    let home = Home::new();

    let r = run(migrate_ports(
        home.path(),
        (dc.port(), "john"),
        (sb.port(), "john.smith@example.org"),
        &[],
    ));
    assert_eq!(r.code, 0, "{} {}", r.stderr, r.json);
    let expected = non_empty(snapshot(&dc, "john").renamed("Sent Items", "Sent"));
    let got = non_empty(snapshot_at(sb.port(), "john.smith@example.org"));
    let diff = expected.diff(&got);
    assert!(diff.is_empty(), "{diff}");

    let again = run(migrate_ports(
        home.path(),
        (dc.port(), "john"),
        (sb.port(), "john.smith@example.org"),
        &[],
    ));
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.n("copied"), 0);

    // Sandbox -> sandbox (another platform), then sandbox -> Dovecot.
    let sb2 = SandboxServer::start();
    sb2.add_user("john.smith@example.com", PASS);
    let r = run(migrate_ports(
        home.path(),
        (sb.port(), "john.smith@example.org"),
        (sb2.port(), "john.smith@example.com"),
        &["--connections", "2"],
    ));
    assert_eq!(r.code, 0, "{} {}", r.stderr, r.json);
    let got2 = non_empty(snapshot_at(sb2.port(), "john.smith@example.com"));
    assert!(expected.diff(&got2).is_empty(), "{}", expected.diff(&got2));

    dc.add_user("back", PASS).unwrap();
    let r = run(migrate_ports(
        home.path(),
        (sb2.port(), "john.smith@example.com"),
        (dc.port(), "back"),
        &[],
    ));
    assert_eq!(r.code, 0, "{} {}", r.stderr, r.json);
    let back = non_empty(snapshot(&dc, "back"));
    // "Sent" stays "Sent" on a Dovecot without a \Sent folder yet.
    assert!(expected.diff(&back).is_empty(), "{}", expected.diff(&back));
}

#[test]
fn full_destination_stops_with_a_clear_error_and_resumes_after_space_is_freed() {
    let Some(dc) = dovecot(layout(Layout::Slash)) else {
        return;
    };
    dc.add_user("john", PASS).unwrap();
    mailshift_testkit::seed(&dc, "john", PASS, &SeedSpec::bulk(200, 9)).unwrap();
    let total = snapshot(&dc, "john").total_bytes();
    let sb = SandboxServer::start();
    sb.add_user("john@example.net", PASS);
    sb.store
        .set_quota("john@example.net", Some(total / 3))
        .unwrap();
    let home = Home::new();

    let r = run(migrate_ports(
        home.path(),
        (dc.port(), "john"),
        (sb.port(), "john@example.net"),
        &[],
    ));
    assert_eq!(r.code, 5, "partial copy: {} {}", r.stderr, r.json);
    let errors = r.json["errors"].to_string();
    assert!(
        errors.contains("john@example.net") && errors.contains("is full"),
        "{errors}"
    );
    assert!(r.n("copied") > 0 && (r.n("copied") as usize) < 200);

    sb.store.set_quota("john@example.net", None).unwrap();
    let r = run(migrate_ports(
        home.path(),
        (dc.port(), "john"),
        (sb.port(), "john@example.net"),
        &[],
    ));
    assert_eq!(r.code, 0, "{} {}", r.stderr, r.json);
    let expected = non_empty(snapshot(&dc, "john").renamed("Sent Items", "Sent"));
    let got = non_empty(snapshot_at(sb.port(), "john@example.net"));
    assert!(expected.diff(&got).is_empty(), "{}", expected.diff(&got));
}
