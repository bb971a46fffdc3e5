//! Sources that lie, and destinations that change what they store: the
//! engine never trusts one number, never duplicates, never loses mail
//! silently and never says "verified" when it is not.
//! The lying source is the testkit's small IMAP server (no real server
//! misbehaves exactly so); destinations are real Dovecot and Cyrus.

mod support;

use mailshift_testkit::liar::{LiarConfig, LiarFolder, LiarServer, Lies};
use mailshift_testkit::{Cyrus, CyrusNamespace, CyrusOptions, SeedMessage};
use support::*;

const USER: &str = "liar";

fn liar(lies: Lies) -> LiarServer {
    let cfg = LiarConfig::new(USER, PASS)
        .with_folder(LiarFolder::seeded("INBOX", 20, 7))
        .with_folder(LiarFolder::seeded("Archive", 12, 8))
        .with_lies(lies);
    LiarServer::start(cfg).expect("start the lying server")
}

fn from_liar(home: &Home, l: &LiarServer, d: &Dovecot, user: &str, extra: &[&str]) -> Run {
    run(migrate_ports(
        home.path(),
        (l.port(), USER),
        (d.port(), user),
        extra,
    ))
}

/// The destination holds each source message exactly once, byte for byte.
fn assert_exact(l: &LiarServer, d: &Dovecot, user: &str) {
    let got = snapshot(d, user);
    for name in ["INBOX", "Archive"] {
        let folder = l.config().folder(name).unwrap();
        let mut want: Vec<String> = folder.messages.iter().map(|m| sha_hex(&m.body)).collect();
        want.sort();
        let mut have: Vec<String> = got
            .folder(name)
            .unwrap_or_default()
            .iter()
            .map(|f| f.sha256.clone())
            .collect();
        have.sort();
        assert_eq!(have, want, "{name}: each message exactly once, same bytes");
    }
    assert!(got.duplicates().is_empty(), "{:?}", got.duplicates());
}

fn sha_hex(b: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(b))
}

fn fresh(user: &str) -> Option<Dovecot> {
    let d = dovecot(layout(Layout::Slash))?;
    d.add_user(user, PASS).unwrap();
    Some(d)
}

/// FAULTS: sizes that are not the bytes (exit 0)
#[test]
fn sizes_that_are_not_the_bytes_still_verify_and_never_duplicate() {
    let Some(d) = fresh("john") else { return };
    let l = liar(Lies {
        size_delta: 137,
        ..Lies::default()
    });
    let home = Home::new();
    let first = from_liar(&home, &l, &d, "john", &[]);
    assert_eq!(first.code, 0, "{}\n{}", first.stderr, first.json);
    assert_eq!(first.json["verified"], true);
    assert_eq!(first.n("copied"), 32);
    assert_exact(&l, &d, "john");

    // Same journal: nothing more, still verified.
    let again = from_liar(&home, &l, &d, "john", &[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.n("copied"), 0);
    assert_eq!(again.json["verified"], true);

    // Journal lost: fingerprints find everything, sizes play no part.
    let lost = from_liar(&Home::new(), &l, &d, "john", &[]);
    assert_eq!(lost.code, 0, "{}\n{}", lost.stderr, lost.json);
    assert_eq!(lost.n("copied"), 0, "{}", lost.json);
    assert_eq!(lost.n("skipped"), 32);
    assert_eq!(lost.json["verified"], true);
    assert_exact(&l, &d, "john");
    assert_eq!(l.mutations(), 0, "the source is never modified");
}

/// FAULTS: unrequested UIDs in FETCH (exit 0)
#[test]
fn unrequested_uids_in_a_fetch_answer_are_never_appended() {
    let Some(d) = fresh("john") else { return };
    let l = liar(Lies {
        extra_uids: true,
        ..Lies::default()
    });
    let home = Home::new();
    let r = from_liar(&home, &l, &d, "john", &["--batch-messages", "5"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.json);
    assert_eq!(r.n("copied"), 32, "{}", r.json);
    assert_eq!(r.json["verified"], true);
    assert_exact(&l, &d, "john");
    assert_eq!(l.mutations(), 0);
}

/// FAULTS: STATUS says 0 (exit 0)
#[test]
fn a_status_that_says_zero_does_not_hide_mail() {
    let Some(d) = fresh("john") else { return };
    let l = liar(Lies {
        status_zero: true,
        ..Lies::default()
    });
    let home = Home::new();
    let r = from_liar(&home, &l, &d, "john", &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.json);
    assert_eq!(r.n("copied"), 32, "{}", r.json);
    let inbox = r.json["folder_reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["folder"] == "INBOX")
        .unwrap();
    assert_eq!(inbox["source_messages"], 20);
    assert_exact(&l, &d, "john");

    // A second run with every lie at once: nothing more, nothing twice.
    l.set_lies(Lies::all(-11));
    let again = from_liar(&home, &l, &d, "john", &[]);
    assert_eq!(again.code, 0, "{}\n{}", again.stderr, again.json);
    assert_eq!(again.n("copied"), 0);
    assert_eq!(again.json["verified"], true);
    assert_exact(&l, &d, "john");
}

/// FAULTS: mail replaced on the destination (exit 0)
#[test]
fn mail_replaced_on_the_destination_is_not_called_unchanged() {
    let Some(src) = dovecot(layout(Layout::Slash)) else {
        return;
    };
    let Some(dst) = fresh("john") else { return };
    src.add_user("john", PASS).unwrap();
    let mut o = oracle(&src, "john");
    o.append_many("INBOX", &(1..=10).map(note).collect::<Vec<_>>())
        .unwrap();
    let _ = o.logout();
    let home = Home::new();
    let first = run(migrate_cmd(
        home.path(),
        (&src, "john"),
        (&dst, "john"),
        &[],
    ));
    assert_eq!(first.code, 0, "{}", first.stderr);

    // Someone removes 3 copies on the destination and adds 3 other messages.
    let mut d = oracle(&dst, "john");
    d.command("SELECT INBOX").unwrap();
    d.command("STORE 1:3 +FLAGS (\\Deleted)").unwrap();
    d.command("EXPUNGE").unwrap();
    d.append_many("INBOX", &(100..103).map(note).collect::<Vec<_>>())
        .unwrap();
    assert_eq!(d.count("INBOX").unwrap(), 10, "same count as before");
    let _ = d.logout();

    let second = run(migrate_cmd(
        home.path(),
        (&src, "john"),
        (&dst, "john"),
        &[],
    ));
    assert_eq!(second.code, 0, "{}\n{}", second.stderr, second.json);
    let inbox = &second.json["folder_reports"][0];
    assert_ne!(inbox["state"], "unchanged", "{}", second.json);
    assert_eq!(second.n("copied"), 3, "the three removed come back");
    assert_eq!(second.json["verified"], true);
    assert_eq!(oracle(&dst, "john").count("INBOX").unwrap(), 13);
}

/// FAULTS: destination rewrites bytes (exit 5)
#[test]
fn a_destination_that_rewrites_bytes_is_reported_altered_not_verified() {
    let Some(src) = dovecot(layout(Layout::Slash)) else {
        return;
    };
    if !mailshift_testkit::require(
        Cyrus::is_available(),
        "Cyrus IMAP",
        ".ci/run unpacks it in /opt/mailshift-cyrus",
    ) {
        return;
    }
    let cyrus = Cyrus::start(CyrusOptions {
        namespace: CyrusNamespace::Alt,
        ..CyrusOptions::default()
    })
    .unwrap();
    src.add_user("john", PASS).unwrap();
    cyrus.add_user("john", PASS).unwrap();
    // 40 plain messages and 3 with raw 8-bit bytes in a header (Cyrus
    // stores those as 'X'; the size stays the same).
    let mut msgs: Vec<SeedMessage> = (1..=40).map(note).collect();
    for n in 0..3 {
        let mut m = note(200 + n);
        let text = String::from_utf8(m.bytes.clone()).unwrap();
        m.bytes = text
            .replacen("Subject: note", "Subject: caf\u{e9} note", 1)
            .into_bytes();
        msgs.push(m);
    }
    let mut o = oracle(&src, "john");
    o.append_many("INBOX", &msgs).unwrap();
    let _ = o.logout();

    let home = Home::new();
    let r = run(migrate_ports(
        home.path(),
        (src.port(), "john"),
        (cyrus.port(), "john"),
        &[],
    ));
    assert_eq!(r.code, 5, "altered mail is a partial result: {}", r.stderr);
    assert_eq!(r.json["verified"], false);
    let inbox = &r.json["folder_reports"][0];
    assert_eq!(inbox["check"]["altered"], 3, "{}", r.json);
    assert_eq!(inbox["check"]["missing"], 0);
    assert!(
        inbox["note"]
            .as_str()
            .unwrap()
            .contains("altered by the destination"),
        "{inbox}"
    );
    // A re-run neither copies again nor pretends.
    let again = run(migrate_ports(
        home.path(),
        (src.port(), "john"),
        (cyrus.port(), "john"),
        &["--verify", "full"],
    ));
    assert_eq!(again.code, 5);
    assert_eq!(again.n("copied"), 0);
    assert_eq!(again.json["folder_reports"][0]["check"]["altered"], 3);
    assert_eq!(
        again.json["folder_reports"][0]["check"]["bytes_compared"], 43,
        "full verification compares every message"
    );
}

fn note(n: u32) -> SeedMessage {
    let bytes = format!(
        "From: a@example.test\r\nTo: b@example.test\r\nSubject: note {n}\r\n\
         Message-ID: <lying-{n}@example.test>\r\nDate: Tue, 04 Jun 2024 09:{:02}:00 +0000\r\n\r\nbody {n}\r\n",
        n % 60
    )
    .into_bytes();
    SeedMessage {
        bytes,
        flags: vec!["\\Seen".into()],
        internaldate: Some("04-Jun-2024 09:00:00 +0000".into()),
    }
}

/// FAULTS: sizes far below the bytes (exit 5)
#[test]
fn a_message_far_larger_than_announced_stays_within_the_byte_budget() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let Some(d) = fresh("john") else { return };
    // UID 2 announces 100 bytes (RFC822.SIZE) and sends 150 MB.
    let small = b"From: a@b\r\nSubject: small\r\nMessage-ID: <small@x>\r\n\r\nhello\r\n".to_vec();
    let mut huge = b"From: a@b\r\nSubject: huge\r\nMessage-ID: <huge@x>\r\n\r\n".to_vec();
    huge.resize(150_000_100, b'x');
    let mut inbox = LiarFolder::new("INBOX");
    inbox.messages = vec![
        mailshift_testkit::LiarMessage::new(1, small.clone()),
        mailshift_testkit::LiarMessage::new(2, huge),
    ];
    let l = LiarServer::start(
        LiarConfig::new(USER, PASS)
            .with_folder(inbox)
            .with_lies(Lies {
                size_delta: -150_000_000,
                ..Lies::default()
            }),
    )
    .expect("start the lying server");
    let home = Home::new();
    let child = migrate_ports(
        home.path(),
        (l.port(), USER),
        (d.port(), "john"),
        &["--max-inflight-mib", "8", "--connections", "2"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    // The kernel's high-water mark of the process's resident memory, read until it exits.
    let pid = child.id();
    let watcher = std::thread::spawn(move || {
        let mut peak = 0u64;
        let deadline = Instant::now() + Duration::from_secs(170);
        while Instant::now() < deadline {
            let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
                break;
            };
            if let Some(kb) = s
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
            {
                peak = peak.max(kb);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        peak
    });
    let out = child.wait_with_output().unwrap();
    let peak_kib = watcher.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    eprintln!("peak VmHWM {peak_kib} KiB; exit {:?}", out.status.code());
    assert!(
        peak_kib < (8 + 72) * 1024,
        "memory stayed within the 8 MiB budget plus a margin: {peak_kib} KiB"
    );
    // A clear error naming the folder and the message, never a silent truncation.
    assert_eq!(out.status.code(), Some(5), "{json}");
    let errors = json["errors"].to_string();
    assert!(
        errors.contains("INBOX: message UID 2 not copied")
            && errors.contains("announced 100 bytes")
            && !errors.contains("--"),
        "{errors}"
    );
    assert_eq!(
        json["hints"],
        serde_json::json!(["raise --max-inflight-mib to copy it"]),
        "{json}"
    );
    assert_ne!(json["verified"], true);
    let got = snapshot(&d, "john");
    let inbox = got.folder("INBOX").unwrap_or_default();
    assert_eq!(inbox.len(), 1, "only the honest message: {inbox:?}");
    assert_eq!(inbox[0].sha256, sha_hex(&small));
    assert_eq!(l.mutations(), 0, "the source is never modified");
    fault_observed(
        "sizes far below the bytes",
        &format!(
            "UID 2 announces 100 bytes and sends 150 MB, --max-inflight-mib 8: refused before it is \
             read (\"not copied: the source announced 100 bytes ...\"), exit 5, the honest message \
             copied; peak RSS {} MiB",
            peak_kib / 1024
        ),
    );
}
