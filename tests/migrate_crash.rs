//! Killed with SIGKILL in the middle, the next run completes with no loss
//! and no duplicate; large messages stream through byte-exact.

mod support;

use std::time::{Duration, Instant};

use support::*;

fn journal_bytes(home: &Home) -> u64 {
    let dir = home.path().join("journals");
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

#[test]
fn sigkill_at_several_points_then_resume_loses_and_duplicates_nothing() {
    let Some(src) = dovecot(layout(Layout::Slash)) else {
        return;
    };
    let Some(dst) = dovecot(layout(Layout::Dot)) else {
        return;
    };
    src.add_user("john", PASS).unwrap();
    dst.add_user("john", PASS).unwrap();
    mailshift_testkit::seed(&src, "john", PASS, &SeedSpec::bulk(3000, 11)).unwrap();
    let expected = non_empty(snapshot(&src, "john"));
    let home = Home::new();

    // Small batches so that there are many journal writes to interrupt.
    let mut kills = 0;
    for threshold in [300u64, 2_000, 6_000, 12_000] {
        let mut child = migrate_cmd(
            home.path(),
            (&src, "john"),
            (&dst, "john"),
            &["--connections", "3"],
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut finished = false;
        while journal_bytes(&home) < threshold {
            if child.try_wait().unwrap().is_some() {
                finished = true;
                break;
            }
            assert!(Instant::now() < deadline, "migration made no progress");
            std::thread::sleep(Duration::from_millis(5));
        }
        if !finished {
            // SAFETY: plain kill(2) on our own child's pid.
            unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
            kills += 1;
        }
        let _ = child.wait();
    }
    assert!(
        kills >= 2,
        "the test must interrupt at least two runs (killed {kills})"
    );

    let last = run(migrate_cmd(
        home.path(),
        (&src, "john"),
        (&dst, "john"),
        &[],
    ));
    assert_eq!(last.code, 0, "{} {}", last.stderr, last.json);
    let got = non_empty(snapshot(&dst, "john"));
    assert!(
        got.duplicates().is_empty(),
        "duplicates: {:?}",
        got.duplicates()
    );
    let diff = expected.diff(&got);
    assert!(diff.is_empty(), "{diff}");
}

#[test]
fn a_30_mb_message_arrives_byte_exact() {
    let Some(src) = dovecot(layout(Layout::Slash)) else {
        return;
    };
    let Some(dst) = dovecot(layout(Layout::Slash)) else {
        return;
    };
    src.add_user("john", PASS).unwrap();
    dst.add_user("john", PASS).unwrap();
    let mut body = b"From: big@example.com\r\nTo: john@example.com\r\nSubject: big attachment\r\nMessage-ID: <big@x>\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n".to_vec();
    let mut x: u64 = 0x9e3779b97f4a7c15;
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    while body.len() < 30 * 1024 * 1024 {
        for _ in 0..76 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            body.push(alphabet[(x % 64) as usize]);
        }
        body.extend_from_slice(b"\r\n");
    }
    let mut o = oracle(&src, "john");
    o.append(
        "INBOX",
        &body,
        &["\\Seen"],
        Some("15-Jun-2022 09:30:00 +0200"),
    )
    .unwrap();
    o.append("INBOX", b"Subject: small\r\n\r\nx\r\n", &[], None)
        .unwrap();
    let home = Home::new();
    let r = run(migrate_cmd(
        home.path(),
        (&src, "john"),
        (&dst, "john"),
        &[],
    ));
    assert_eq!(r.code, 0, "{} {}", r.stderr, r.json);
    assert_eq!(r.n("copied"), 2);
    let bodies = oracle(&dst, "john").bodies("INBOX").unwrap();
    assert!(bodies.contains(&body), "30 MB message identical");
    assert_eq!(
        non_empty(snapshot(&src, "john")),
        non_empty(snapshot(&dst, "john"))
    );
}
