//! Two runs of the same mailbox pair at once, the hosts spelled differently:
//! one journal and one lock for the pair, so the second is refused with a
//! sentence and nothing is ever copied twice.

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mailshift_testkit::fault::{Action, Direction, Fault, FaultProxy, Trigger};
use support::*;

/// `mailshift migrate` with the hosts spelled `host`.
fn migrate_as(home: &Home, host: &str, src: u16, dst: u16) -> Command {
    let mut c = Command::new(bin());
    c.env("MAILSHIFT_HOME", home.path())
        .env("MAILSHIFT_SRC_PASSWORD", PASS)
        .env("MAILSHIFT_DST_PASSWORD", PASS)
        .env_remove("MAILSHIFT_LOG")
        .args(["migrate", "--src-host", host, "--src-port"])
        .arg(src.to_string())
        .args(["--src-user", "john", "--src-security", "none"])
        .args(["--dst-host", host, "--dst-port"])
        .arg(dst.to_string())
        .args(["--dst-user", "john", "--dst-security", "none", "--json"])
        .stdin(Stdio::null());
    c
}

/// FAULTS: two runs of one pair, spelled differently (exit 6)
#[test]
fn two_runs_of_one_pair_spelled_differently_never_copy_twice() {
    let Some((src, dst)) = seeded_pair(300, 31) else {
        return;
    };
    // The first run's first message body stalls for a while: it holds the
    // pair's journal meanwhile.
    let stall = Fault::new(
        "stall the first body",
        Direction::ToClient,
        Trigger::AfterPattern {
            pattern: b"BODY[] {".to_vec(),
            occurrence: 1,
            after: 0,
        },
        Action::Stall(Duration::from_secs(6)),
    );
    let proxy = FaultProxy::start(src.port(), vec![stall]).unwrap();
    let home = Home::new();
    let first = std::thread::spawn({
        let c = migrate_as(&home, "127.0.0.1", proxy.port(), dst.port());
        move || run_within(c, 300)
    });
    // Wait (bounded) until the first run has opened its journal.
    let deadline = Instant::now() + Duration::from_secs(60);
    while journal_size(home.path()) == 0 {
        assert!(
            Instant::now() < deadline,
            "the first run never opened its journal"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let second = run_within(
        migrate_as(&home, "localhost", proxy.port(), dst.port()),
        300,
    );
    assert_eq!(
        second.code, 6,
        "the second run is refused: {} {}",
        second.stderr, second.stdout
    );
    assert!(
        second.stderr.contains("another mailshift run")
            || second.stdout.contains("another mailshift run"),
        "{}",
        second.stderr
    );
    let first = first.join().unwrap().run();
    assert_eq!(first.code, 0, "{} {}", first.stderr, first.json);
    assert_eq!(first.n("copied"), 300);
    assert!(snapshot(&dst, "john").duplicates().is_empty());
    assert_identical(src.port(), dst.port(), "john");

    // Afterwards the other spelling finds the same journal: nothing to copy.
    let again = run_within(
        migrate_as(&home, "localhost", proxy.port(), dst.port()),
        120,
    )
    .run();
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.n("copied"), 0);
    assert_eq!(
        std::fs::read_dir(home.path().join("journals"))
            .unwrap()
            .count(),
        1,
        "one journal for the pair, whatever the spelling"
    );
}
