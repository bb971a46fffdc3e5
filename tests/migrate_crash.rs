//! Large messages stream through byte-exact (SIGKILL at 20 points is in faults.rs).

mod support;

use support::*;

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

/// `mailshift` with MAILSHIFT_HOME and both passwords set, for task commands.
fn task_cmd(home: &Home, args: &[&str]) -> std::process::Command {
    let mut c = std::process::Command::new(bin());
    c.env("MAILSHIFT_HOME", home.path())
        .env("MAILSHIFT_SRC_PASSWORD", PASS)
        .env("MAILSHIFT_DST_PASSWORD", PASS)
        .env_remove("MAILSHIFT_LOG")
        .env_remove("MAILSHIFT_FAKE_NOW")
        .args(args)
        .stdin(std::process::Stdio::null());
    c
}

/// FAULTS: SIGKILL with a batch in flight, then rollback (exit 0)
/// The batch a SIGKILL interrupted had reached the destination (Dovecot answered its APPEND,
/// the answer was held back so the run never recorded it): after a resume, rollback removes
/// it with everything else the task added, and the destination is as it was before the task.
#[test]
fn rollback_after_a_sigkill_and_a_resume_removes_the_batch_that_was_in_flight() {
    use mailshift_testkit::fault::{Action, Direction, Fault, FaultProxy, Trigger};
    use std::time::{Duration, Instant};
    let Some((src, dst)) = seeded_pair(120, 31) else {
        return;
    };
    // The destination holds mail of its own before the task: it must stay.
    let mut o = oracle(&dst, "john");
    for i in 0..3 {
        o.append(
            "INBOX",
            format!("From: a@b\r\nSubject: mine {i}\r\nMessage-ID: <mine{i}@x>\r\n\r\nkeep\r\n")
                .as_bytes(),
            &[],
            None,
        )
        .unwrap();
    }
    let _ = o.logout();
    let before = snapshot(&dst, "john");
    let total = snapshot(&src, "john").total_messages();
    // The second batch lands (Dovecot sends its APPENDUID) but the answer is held back.
    let proxy = FaultProxy::start(
        dst.port(),
        vec![Fault::new(
            "hold the answer of batch 2",
            Direction::ToClient,
            Trigger::AfterPattern {
                pattern: b"[APPENDUID ".to_vec(),
                occurrence: 2,
                after: 0,
            },
            Action::Stall(Duration::from_secs(300)),
        )],
    )
    .unwrap();
    let home = Home::new();
    let mut child = migrate_ports(
        home.path(),
        (src.port(), "john"),
        (proxy.port(), "john"),
        &["--connections", "1", "--batch-messages", "20"],
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    while proxy.fired_total() == 0 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before its second batch"
        );
        assert!(Instant::now() < deadline, "the second batch never landed");
        std::thread::sleep(Duration::from_millis(10));
    }
    // SAFETY: plain kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    let _ = child.wait();
    // The proxy stays: the task record names its port. Its one fault has fired.
    let list = task_cmd(&home, &["tasks", "--json"]).output().unwrap();
    let tasks: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let id = tasks[0]["id"]
        .as_str()
        .expect("the killed task")
        .to_string();
    let resumed = run(task_cmd(&home, &["resume", &id, "--json"]));
    assert_eq!(resumed.code, 0, "{} {}", resumed.stderr, resumed.json);
    assert_eq!(resumed.json["state"], "finished", "{}", resumed.json);
    let copied = snapshot(&dst, "john");
    assert!(copied.duplicates().is_empty(), "{:?}", copied.duplicates());
    assert_eq!(copied.total_messages(), before.total_messages() + total);

    let rolled = run(task_cmd(
        &home,
        &["rollback", &id, "--login", "john", "--json"],
    ));
    assert_eq!(rolled.code, 0, "{} {}", rolled.stderr, rolled.json);
    // Everything the task added, the batch in flight included, and nothing else.
    assert_eq!(
        rolled.n("messages_removed"),
        total as u64,
        "rollback says what it removed: {}",
        rolled.json
    );
    let kept = rolled.json["kept"].to_string();
    assert!(!kept.contains("did not add"), "{kept}");
    let after = snapshot(&dst, "john");
    let diff = non_empty(before.clone()).diff(&non_empty(after.clone()));
    assert!(
        diff.is_empty(),
        "the destination is as before the task: {diff}"
    );
    let mut names_before: Vec<_> = before.folders.keys().cloned().collect();
    let mut names_after: Vec<_> = after.folders.keys().cloned().collect();
    names_before.sort();
    names_after.sort();
    assert_eq!(
        names_after, names_before,
        "the folders the task created are gone"
    );
    assert_eq!(
        snapshot(&src, "john").total_messages(),
        total,
        "source untouched"
    );
    fault_observed(
        "SIGKILL with a batch in flight, then rollback",
        &format!(
            "killed with batch 2 landed but unanswered; resume exit 0; rollback removed {} \
             (all the task added), the destination's own mail stays, created folders gone",
            rolled.n("messages_removed")
        ),
    );
    drop(proxy);
}
