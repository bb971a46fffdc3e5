//! Hostile and odd input: strange messages and folder names copied byte-exact, and servers that
//! answer with garbage or hang up, met with a clear error. Never a crash, never a hang.

mod support;

use mailshift_testkit::fault::{Action, Direction, Fault, FaultProxy, Trigger};
use support::*;

const QUICK: &[&str] = &["--timeout-secs", "3"];

fn migrate_within(home: &Home, src: (u16, &str), dst: (u16, &str), extra: &[&str]) -> Finished {
    let mut args = QUICK.to_vec();
    args.extend_from_slice(extra);
    run_within(migrate_ports(home.path(), src, dst, &args), 180)
}

fn pair() -> Option<(Dovecot, Dovecot)> {
    let src = dovecot(layout(Layout::Slash))?;
    let dst = dovecot(layout(Layout::Dot))?;
    src.add_user("john", PASS).unwrap();
    dst.add_user("john", PASS).unwrap();
    Some((src, dst))
}

/// A 40 MB message: a base64 attachment of pseudo-random bytes.
fn forty_mb() -> Vec<u8> {
    let mut m = b"From: big@example.com\r\nTo: john@example.com\r\nSubject: 40 MB\r\nMessage-ID: <forty@x>\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n".to_vec();
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x: u64 = 0x2545f4914f6cdd1d;
    while m.len() < 40 * 1024 * 1024 {
        for _ in 0..76 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            m.push(alphabet[(x % 64) as usize]);
        }
        m.extend_from_slice(b"\r\n");
    }
    m
}

/// FAULTS: hostile messages (exit 0)
#[test]
fn odd_messages_arrive_byte_exact_and_survive_a_lost_journal() {
    let Some((src, dst)) = pair() else { return };
    let long_line = "x".repeat(1000);
    let odd: Vec<(&str, Vec<u8>)> = vec![
        ("bare LF", b"From: a@b\nSubject: bare lf\nMessage-ID: <lf@x>\n\nline1\nline2\n".to_vec()),
        ("NUL bytes", b"From: a@b\r\nSubject: nul\r\nMessage-ID: <nul@x>\r\n\r\nab\0cd\0\r\n".to_vec()),
        ("8-bit header", "From: Zoë <z@b>\r\nSubject: Café naïve 日本\r\nMessage-ID: <8bit@x>\r\n\r\nbody\r\n".as_bytes().to_vec()),
        ("invalid UTF-8 header", b"From: \xc3( <x@b>\r\nSubject: \xff\xfe bad \x80\r\nMessage-ID: <bad@x>\r\n\r\n\xfe\xff\r\n".to_vec()),
        ("no Message-ID", b"From: a@b\r\nSubject: no id\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nno id here\r\n".to_vec()),
        ("duplicate Message-ID 1", b"From: a@b\r\nSubject: dup\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <dup@x>\r\n\r\nversion AAAA\r\n".to_vec()),
        ("duplicate Message-ID 2", b"From: a@b\r\nSubject: dup\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <dup@x>\r\n\r\nversion BBBB\r\n".to_vec()),
        ("1000-character line", format!("From: a@b\r\nSubject: {long_line}\r\nMessage-ID: <long@x>\r\n\r\n{long_line}\r\n").into_bytes()),
        ("empty body", b"Subject: empty\r\n\r\n".to_vec()),
    ];
    let mut o = oracle(&src, "john");
    for (_, m) in &odd {
        o.append("INBOX", m, &["\\Seen"], Some("01-Feb-2020 10:00:00 +0000"))
            .unwrap();
    }
    let big = forty_mb();
    o.append("INBOX", &big, &[], None).unwrap();
    let _ = o.logout();

    let home = Home::new();
    let r = migrate_within(&home, (src.port(), "john"), (dst.port(), "john"), &[]).run();
    assert_eq!(r.code, 0, "{} {}", r.stderr, r.json);
    assert_eq!(r.n("copied") as usize, odd.len() + 1);
    assert_identical(src.port(), dst.port(), "john");
    // Byte for byte what the source serves (Dovecot itself normalises bare LF and NUL).
    let want = oracle(&src, "john").bodies("INBOX").unwrap();
    let got = oracle(&dst, "john").bodies("INBOX").unwrap();
    assert_eq!(want.len(), got.len());
    for w in &want {
        assert!(
            got.contains(w),
            "a message changed on the way ({} bytes)",
            w.len()
        );
    }
    assert!(
        got.iter().any(|b| b.len() == big.len()),
        "40 MB message arrived whole"
    );

    // With the journal lost, fingerprints must neither merge the two <dup@x> nor copy again.
    let other = Home::new();
    let again = migrate_within(&other, (src.port(), "john"), (dst.port(), "john"), &[]).run();
    assert_eq!(again.code, 0, "{} {}", again.stderr, again.json);
    assert_eq!(again.n("copied"), 0, "{}", again.json);
    assert_identical(src.port(), dst.port(), "john");
    fault_observed(
        "hostile messages",
        &format!(
            "{} odd messages + 40 MB copied byte-exact; rerun without journal copied 0; identical",
            odd.len()
        ),
    );
}

/// FAULTS: hostile folder names (exit 0)
#[test]
fn odd_folder_names_survive_separator_translation() {
    let Some((src, dst)) = pair() else { return };
    let deep: String = (1..=15)
        .map(|i| format!("d{i}"))
        .collect::<Vec<_>>()
        .join("/");
    let names = [
        "a&b",
        "st*ar",
        "pe%rc",
        "q\"uote",
        " lead",
        "trail ",
        "Société/Ωmega",
        deep.as_str(),
        "a.b",
        "a_b",
    ];
    let mut o = oracle(&src, "john");
    for (i, n) in names.iter().enumerate() {
        o.create(n).unwrap();
        let msg = format!("From: a@b\r\nSubject: in {n}\r\nMessage-ID: <f{i}@x>\r\n\r\nhello\r\n");
        o.append(n, msg.as_bytes(), &[], None).unwrap();
    }
    let _ = o.logout();
    let home = Home::new();
    let r = migrate_within(&home, (src.port(), "john"), (dst.port(), "john"), &[]).run();
    assert_eq!(r.code, 0, "{} {}", r.stderr, r.json);
    assert_eq!(r.n("copied") as usize, names.len(), "{}", r.json);
    // On the '.' destination, "a.b" cannot keep its dot: it becomes "a_b", and the real
    // "a_b" (sorted after it) becomes "a_b (2)".
    let expected = non_empty(snapshot(&src, "john"))
        .renamed("a_b", "a_b (2)")
        .renamed("a.b", "a_b");
    let got = non_empty(snapshot(&dst, "john"));
    let diff = expected.diff(&got);
    assert!(diff.is_empty(), "{diff}");
    for n in [
        "a&b",
        "st*ar",
        "pe%rc",
        "q\"uote",
        " lead",
        "trail ",
        "Société/Ωmega",
    ] {
        assert!(got.folder(n).is_some(), "{n:?} kept its name");
    }
    assert!(got.folder(&deep).is_some(), "15 levels deep");
    let again = migrate_within(&home, (src.port(), "john"), (dst.port(), "john"), &[]).run();
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.n("copied"), 0);
    fault_observed(
        "hostile folder names",
        "all copied; a.b -> a_b, a_b -> a_b (2); 15 levels; rerun copied 0",
    );
}

fn seeded_src_and_empty_dst() -> Option<(Dovecot, Dovecot)> {
    let (src, dst) = pair()?;
    mailshift_testkit::seed(&src, "john", PASS, &SeedSpec::bulk(30, 5)).unwrap();
    Some((src, dst))
}

/// FAULTS: garbage greeting (exit 4)
#[test]
fn a_server_answering_garbage_is_refused_clearly() {
    let Some((src, dst)) = seeded_src_and_empty_dst() else {
        return;
    };
    let proxy = FaultProxy::start(
        dst.port(),
        vec![
            Fault::garbage_greeting(b"HTTP/1.1 400 Bad Request\r\n\r\n\x00\xff").times(usize::MAX),
        ],
    )
    .unwrap();
    let home = Home::new();
    let f = migrate_within(&home, (src.port(), "john"), (proxy.port(), "john"), &[]);
    let r = f.run();
    assert_eq!(r.code, 4, "{} {}", r.stderr, r.json);
    let msg = r.json["error"].as_str().unwrap();
    assert!(msg.starts_with("destination:"), "{msg}");
    assert!(msg.contains("did not greet as an IMAP server"), "{msg}");
    fault_observed("garbage greeting", &format!("exit 4: {msg}"));
}

/// FAULTS: connection rejected (exit 4)
#[test]
fn a_rejected_connection_is_reported() {
    let Some((src, dst)) = seeded_src_and_empty_dst() else {
        return;
    };
    let proxy = FaultProxy::start(src.port(), vec![Fault::reject().times(usize::MAX)]).unwrap();
    let home = Home::new();
    let r = migrate_within(&home, (proxy.port(), "john"), (dst.port(), "john"), &[]).run();
    assert_eq!(r.code, 4, "{} {}", r.stderr, r.json);
    let msg = r.json["error"].as_str().unwrap();
    assert!(msg.starts_with("source:"), "{msg}");
    fault_observed("connection rejected", &format!("exit 4: {msg}"));
}

/// FAULTS: close right after LOGIN (exit 1)
#[test]
fn a_server_closing_after_login_is_reported_not_retried_forever() {
    let Some((src, dst)) = seeded_src_and_empty_dst() else {
        return;
    };
    let proxy = FaultProxy::start(
        src.port(),
        vec![Fault::close_after_login().times(usize::MAX)],
    )
    .unwrap();
    let home = Home::new();
    let r = migrate_within(&home, (proxy.port(), "john"), (dst.port(), "john"), &[]).run();
    assert!(proxy.fired_total() >= 1);
    assert_eq!(r.code, 1, "{} {}", r.stderr, r.json);
    let msg = r.json["error"].as_str().unwrap_or_default().to_string();
    assert!(msg.starts_with("source:"), "{msg} {}", r.json);
    assert!(msg.contains("connection lost"), "{msg}");
    assert!(snapshot(&dst, "john").total_messages() == 0);
    fault_observed(
        "close right after LOGIN",
        &format!("exit {}: {msg}", r.code),
    );
}

/// FAULTS: garbage mid-session (exit 1)
#[test]
fn garbage_in_the_middle_of_a_session_never_hangs_or_crashes() {
    let Some((src, dst)) = seeded_src_and_empty_dst() else {
        return;
    };
    // Garbage inside the answer to LIST: the run cannot even plan.
    let proxy = FaultProxy::start(
        src.port(),
        vec![Fault::new(
            "garbage in LIST",
            Direction::ToClient,
            Trigger::AfterPattern {
                pattern: b"* LIST (".to_vec(),
                occurrence: 1,
                after: 0,
            },
            Action::Inject(b"\\\x00\xff)))(((\"\r\n* 99999999999999999999 GARBAGE {".to_vec()),
        )],
    )
    .unwrap();
    let home = Home::new();
    let first = migrate_within(&home, (proxy.port(), "john"), (dst.port(), "john"), &[]);
    assert_eq!(proxy.fired_total(), 1);
    let list_outcome = format!("exit {}", first.code);
    // Planning is not retried: the run stops with a sentence.
    assert_eq!(first.code, 1, "{} {}", first.stderr, first.stdout);
    let msg = first.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(msg.starts_with("source:"), "{msg}");
    assert!(
        !msg.contains("Error {") && !msg.contains("during parsing"),
        "a sentence, not parser debug output: {msg}"
    );
    // Garbage where a FETCH literal's length should be: reconnect and carry on.
    proxy.disarm_all();
    proxy.arm(Fault::new(
        "garbage in FETCH",
        Direction::ToClient,
        Trigger::AfterPattern {
            pattern: b"BODY[] {".to_vec(),
            occurrence: 5,
            after: 0,
        },
        Action::Inject(b"zz}\r\n)))".to_vec()),
    ));
    let second = migrate_within(&home, (proxy.port(), "john"), (dst.port(), "john"), &[]).run();
    assert_eq!(proxy.fired("garbage in FETCH"), 1);
    assert_eq!(second.code, 0, "{} {}", second.stderr, second.json);
    assert_identical(src.port(), dst.port(), "john");
    fault_observed(
        "garbage mid-session",
        &format!("LIST garbage: {list_outcome}; FETCH garbage: reconnected, exit 0, identical"),
    );
}
