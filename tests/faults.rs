//! Faults against real Dovecot through the fault-injecting proxy: connections cut during FETCH
//! and APPEND, stalled servers, a restart mid-task, a full destination, SIGKILL at 20 points,
//! a damaged journal. After each, a further run leaves source and destination identical.

mod support;

use std::time::{Duration, Instant};

use mailshift_testkit::fault::{Action, Direction, Fault, FaultProxy, Trigger};
use mailshift_testkit::SeedRng;
use support::*;

/// Short command timeouts so stalls cost seconds; small batches so faults hit mid-folder.
const QUICK: &[&str] = &["--timeout-secs", "3", "--batch-messages", "20"];

fn migrate_via(home: &Home, src: u16, dst: u16, extra: &[&str]) -> Finished {
    let mut args = QUICK.to_vec();
    args.extend_from_slice(extra);
    run_within(
        migrate_ports(home.path(), (src, "john"), (dst, "john"), &args),
        180,
    )
}

/// The run after a fault: completes, copies what was missing, and leaves a mirror.
fn rerun_is_clean(home: &Home, src: (&Dovecot, u16), dst: (&Dovecot, u16)) -> u64 {
    let again = migrate_via(home, src.1, dst.1, &[]);
    let r = again.run();
    assert_eq!(r.code, 0, "rerun: {} {}", r.stderr, r.json);
    assert_identical(src.0.port(), dst.0.port(), "john");
    r.n("copied")
}

#[test]
fn faults_md_has_a_row_for_every_fault_the_tests_inject() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/FAULTS.md"))
        .expect("FAULTS.md at the repository root");
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("| ")).collect();
    for name in FAULT_NAMES {
        assert!(
            rows.iter()
                .any(|r| r.trim_start_matches("| ").starts_with(&format!("{name} |"))),
            "FAULTS.md has no table row starting with `| {name} |`"
        );
    }
}

#[test]
fn proxy_forwards_cuts_stalls_and_injects_on_loopback() {
    use std::io::{Read, Write};
    // An echo server on an ephemeral loopback port.
    let echo = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let echo_port = echo.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for c in echo.incoming().flatten() {
            std::thread::spawn(move || {
                let mut c = c;
                let mut buf = [0u8; 4096];
                while let Ok(n) = c.read(&mut buf) {
                    if n == 0 || c.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
        }
    });
    let proxy = FaultProxy::start(
        echo_port,
        vec![
            Fault::new(
                "inject",
                Direction::ToClient,
                Trigger::AfterPattern {
                    pattern: b"ping".to_vec(),
                    occurrence: 1,
                    after: 0,
                },
                Action::Inject(b"!".to_vec()),
            ),
            Fault::new(
                "cut",
                Direction::ToServer,
                Trigger::AtOffset(10),
                Action::Cut,
            ),
        ],
    )
    .unwrap();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", proxy.port())).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"ping").unwrap();
    let mut got = Vec::new();
    while got.len() < 5 {
        let mut b = [0u8; 16];
        let n = s.read(&mut b).unwrap();
        assert!(n > 0, "closed early: {got:?}");
        got.extend_from_slice(&b[..n]);
    }
    assert_eq!(got, b"ping!");
    // Byte 10 of the client's stream: the first 6 of these 10 get through, then a cut.
    let _ = s.write_all(b"0123456789");
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    assert!(
        b"012345".starts_with(&rest),
        "at most what got through: {rest:?}"
    );
    assert_eq!(
        proxy.captured(Direction::ToServer),
        b"ping012345",
        "cut exactly at offset 10"
    );
    assert_eq!(proxy.fired("cut"), 1);
    assert_eq!(proxy.fired("inject"), 1);
    // Fired once: the next connection goes through untouched.
    let mut s = std::net::TcpStream::connect(("127.0.0.1", proxy.port())).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"0123456789ab").unwrap();
    let mut b = vec![0u8; 12];
    s.read_exact(&mut b).unwrap();
    assert_eq!(b, b"0123456789ab");
    assert_eq!(proxy.connections(), 2);
    assert!(proxy
        .captured(Direction::ToServer)
        .starts_with(b"ping0123450123456789ab"));
}

/// FAULTS: cut during FETCH (exit 0)
#[test]
fn connections_cut_during_fetch_lose_and_duplicate_nothing() {
    let Some((src, dst)) = seeded_pair(200, 21) else {
        return;
    };
    let mut rng = SeedRng::new(0xfe7c);
    let mut faults = Vec::new();
    for _ in 0..4 {
        let k = rng.range(1, 200) as usize;
        let n = rng.range(0, 3000);
        eprintln!("cut in FETCH body #{k} after {n} bytes");
        faults.push(Fault::cut_in_fetch_body(k, n));
    }
    let proxy = FaultProxy::start(src.port(), faults).unwrap();
    let home = Home::new();
    let first = migrate_via(&home, proxy.port(), dst.port(), &[]).run();
    assert!(
        proxy.fired_total() >= 2,
        "cuts happened: {}",
        proxy.fired_total()
    );
    assert_eq!(
        first.code, 0,
        "the run itself completes: {} {}",
        first.stderr, first.json
    );
    assert_eq!(first.json["verified"], true);
    assert!(snapshot(&dst, "john").duplicates().is_empty());
    let rerun = rerun_is_clean(&home, (&src, proxy.port()), (&dst, dst.port()));
    fault_observed(
        "cut during FETCH",
        &format!(
            "{} cut(s); first run exit {} copied {}; rerun copied {rerun}; identical, no duplicate",
            proxy.fired_total(),
            first.code,
            first.n("copied")
        ),
    );
}

/// FAULTS: flaky link (exit 0)
#[test]
fn a_link_that_breaks_every_few_megabytes_completes_in_one_run() {
    let Some((src, dst)) = seeded_pair(600, 29) else {
        return;
    };
    let cut = |seed| {
        Fault::new(
            "flaky link",
            Direction::ToClient,
            Trigger::AtOffsetBetween {
                min: 200_000,
                max: 3_000_000,
                seed,
            },
            Action::Cut,
        )
        .times(usize::MAX)
    };
    let cut_up = |seed| Fault {
        direction: Direction::ToServer,
        ..cut(seed)
    };
    // Both sides: every connection dies after 0.2-3 MB, each way.
    let src_proxy = FaultProxy::start(src.port(), vec![cut(1), cut_up(2)]).unwrap();
    let dst_proxy = FaultProxy::start(dst.port(), vec![cut(3), cut_up(4)]).unwrap();
    let home = Home::new();
    let first = run_within(
        migrate_ports(
            home.path(),
            (src_proxy.port(), "john"),
            (dst_proxy.port(), "john"),
            &["--timeout-secs", "5"],
        ),
        600,
    )
    .run();
    let cuts = src_proxy.fired_total() + dst_proxy.fired_total();
    assert!(cuts >= 5, "the link broke often: {cuts} cut(s)");
    assert_eq!(
        first.code, 0,
        "completes in one invocation: {} {}",
        first.stderr, first.json
    );
    assert_eq!(first.n("copied"), 600);
    assert_eq!(first.json["verified"], true);
    assert_identical(src.port(), dst.port(), "john");
    fault_observed(
        "flaky link",
        &format!(
            "{cuts} cut(s) at 0.2-3 MB on both sides; one run, exit {}, copied {}, verified; identical, no duplicate",
            first.code,
            first.n("copied")
        ),
    );
}

/// FAULTS: cut during APPEND literal (exit 0)
#[test]
fn connections_cut_during_append_literals_lose_and_duplicate_nothing() {
    let Some((src, dst)) = seeded_pair(200, 22) else {
        return;
    };
    let mut rng = SeedRng::new(0xa99e);
    let mut faults = Vec::new();
    for _ in 0..4 {
        let k = rng.range(1, 200) as usize;
        let n = rng.range(0, 3000);
        eprintln!("cut in APPEND literal #{k} after {n} bytes");
        faults.push(Fault::cut_in_append_literal(k, n));
    }
    let proxy = FaultProxy::start(dst.port(), faults).unwrap();
    let home = Home::new();
    let first = migrate_via(&home, src.port(), proxy.port(), &[]).run();
    assert!(
        proxy.fired_total() >= 2,
        "cuts happened: {}",
        proxy.fired_total()
    );
    assert_eq!(
        first.code, 0,
        "the run itself completes: {} {}",
        first.stderr, first.json
    );
    assert_eq!(first.json["verified"], true);
    assert!(snapshot(&dst, "john").duplicates().is_empty());
    let rerun = rerun_is_clean(&home, (&src, src.port()), (&dst, proxy.port()));
    fault_observed(
        "cut during APPEND literal",
        &format!(
            "{} cut(s); first run exit {} copied {}; rerun copied {rerun}; identical, no duplicate",
            proxy.fired_total(),
            first.code,
            first.n("copied")
        ),
    );
}

/// FAULTS: stalled FETCH (timeout) (exit 0)
#[test]
fn a_stalled_fetch_times_out_reconnects_and_resumes() {
    let Some((src, dst)) = seeded_pair(80, 23) else {
        return;
    };
    let proxy = FaultProxy::start(
        src.port(),
        vec![Fault::stall_in_fetch_body(
            30,
            200,
            Duration::from_secs(120),
        )],
    )
    .unwrap();
    let home = Home::new();
    let started = Instant::now();
    let r = migrate_via(&home, proxy.port(), dst.port(), &[]).run();
    assert_eq!(proxy.fired_total(), 1, "the stall happened");
    assert_eq!(r.code, 0, "{} {}", r.stderr, r.json);
    assert!(r.stderr.contains("timed out after 3 s"), "{}", r.stderr);
    assert_identical(src.port(), dst.port(), "john");
    let rerun = rerun_is_clean(&home, (&src, proxy.port()), (&dst, dst.port()));
    assert_eq!(rerun, 0);
    fault_observed(
        "stalled FETCH (timeout)",
        &format!(
            "2-minute stall; per-command timeout 3 s fired, reconnected, exit 0 in {:.0} s; identical",
            started.elapsed().as_secs_f64()
        ),
    );
}

/// FAULTS: stalled APPEND answer (timeout) (exit 0)
#[test]
fn a_lost_append_answer_is_resolved_without_duplicates() {
    let Some((src, dst)) = seeded_pair(80, 24) else {
        return;
    };
    // The APPEND lands, but its tagged answer never arrives: the engine must find the
    // messages on the destination instead of appending them again.
    let proxy = FaultProxy::start(
        dst.port(),
        vec![Fault::new(
            "stall APPEND answer",
            Direction::ToClient,
            Trigger::AfterPattern {
                pattern: b"[APPENDUID ".to_vec(),
                occurrence: 2,
                after: 0,
            },
            Action::Stall(Duration::from_secs(120)),
        )],
    )
    .unwrap();
    let home = Home::new();
    let r = migrate_via(&home, src.port(), proxy.port(), &[]).run();
    assert_eq!(proxy.fired_total(), 1);
    assert_eq!(r.code, 0, "{} {}", r.stderr, r.json);
    assert_identical(src.port(), dst.port(), "john");
    let rerun = rerun_is_clean(&home, (&src, src.port()), (&dst, proxy.port()));
    assert_eq!(rerun, 0);
    fault_observed(
        "stalled APPEND answer (timeout)",
        "timeout, reconnect, landed batch found by fingerprint; exit 0; identical, no duplicate",
    );
}

/// FAULTS: server restart mid-task (exit 0)
#[test]
fn a_destination_restart_mid_task_is_survived() {
    let Some((src, mut dst)) = seeded_pair(200, 25) else {
        return;
    };
    // Hold the 60th literal for a moment so the restart surely falls mid-task.
    let proxy = FaultProxy::start(
        dst.port(),
        vec![Fault::new(
            "hold",
            Direction::ToServer,
            Trigger::AfterPattern {
                pattern: b"}\r\n".to_vec(),
                occurrence: 60,
                after: 10,
            },
            Action::Stall(Duration::from_secs(2)),
        )],
    )
    .unwrap();
    let home = Home::new();
    let mut args = QUICK.to_vec();
    args[1] = "10";
    let cmd = migrate_ports(
        home.path(),
        (src.port(), "john"),
        (proxy.port(), "john"),
        &args,
    );
    let port = proxy.port();
    let runner = std::thread::spawn(move || run_within(cmd, 180));
    let deadline = Instant::now() + Duration::from_secs(60);
    while proxy.fired("hold") == 0 {
        assert!(Instant::now() < deadline, "never reached the 60th message");
        std::thread::sleep(Duration::from_millis(10));
    }
    dst.restart().expect("restart dovecot");
    let first = runner.join().unwrap().run();
    assert_eq!(
        first.code, 0,
        "the run itself completes: {} {}",
        first.stderr, first.json
    );
    assert_eq!(first.json["verified"], true);
    assert!(snapshot(&dst, "john").duplicates().is_empty());
    let rerun = rerun_is_clean(&home, (&src, src.port()), (&dst, port));
    fault_observed(
        "server restart mid-task",
        &format!(
            "first run exit {} copied {}; rerun copied {rerun}; identical, no duplicate",
            first.code,
            first.n("copied")
        ),
    );
}

/// FAULTS: destination over quota (exit 5)
#[test]
fn a_full_destination_stops_with_a_clear_error_and_resumes_after_space_is_freed() {
    let Some(src) = dovecot(layout(Layout::Slash)) else {
        return;
    };
    src.add_user("john", PASS).unwrap();
    let seeded = mailshift_testkit::seed(&src, "john", PASS, &SeedSpec::bulk(120, 26)).unwrap();
    // Room for the whole source plus a little, but half of it is taken by old mail.
    let quota = seeded.bytes + seeded.bytes / 10;
    let Some(dst) = dovecot(DovecotOptions {
        quota_bytes: Some(quota),
        ..layout(Layout::Dot)
    }) else {
        return;
    };
    dst.add_user("john", PASS).unwrap();
    let mut o = oracle(&dst, "john");
    o.create("Old").unwrap();
    let block = vec![b'x'; 64 * 1024];
    let mut filled = 0u64;
    let mut i = 0;
    while filled < seeded.bytes / 2 {
        let msg = [
            format!("Subject: old {i}\r\nMessage-ID: <old{i}@x>\r\n\r\n").as_bytes(),
            &block,
        ]
        .concat();
        o.append("Old", &msg, &[], None).unwrap();
        filled += msg.len() as u64;
        i += 1;
    }
    let home = Home::new();
    let first = migrate_via(&home, src.port(), dst.port(), &[]);
    let r = first.run();
    assert_eq!(r.code, 5, "partial: {} {}", r.stderr, r.json);
    let errors = r.json["errors"].to_string();
    let account = format!("john@127.0.0.1:{}", dst.port());
    assert!(errors.contains(&account), "names the account: {errors}");
    assert!(errors.contains("full"), "{errors}");
    assert!(
        errors.contains("more bytes are needed"),
        "says how much: {errors}"
    );
    assert!(errors.contains("run again"), "{errors}");
    assert!(snapshot(&dst, "john").duplicates().is_empty());

    // Free the space, run again: everything lands, nothing twice.
    o.delete("Old").unwrap();
    let _ = o.logout();
    let rerun = rerun_is_clean(&home, (&src, src.port()), (&dst, dst.port()));
    assert!(rerun > 0);
    fault_observed(
        "destination over quota",
        &format!(
            "exit 5 after {} copied, error names {account} and the bytes missing; after freeing space the rerun copied {rerun}; identical",
            r.n("copied")
        ),
    );
}

/// FAULTS: SIGKILL at 20 points (exit 0)
#[test]
fn sigkill_at_20_seeded_points_then_resume_matches_a_clean_run() {
    let Some((src, dst)) = seeded_pair(400, 27) else {
        return;
    };
    dst.add_user("clean", PASS).unwrap();
    let seed = std::env::var("MAILSHIFT_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_0020u64);
    eprintln!("kill points from seed {seed} (set MAILSHIFT_KILL_SEED to replay)");
    let mut rng = SeedRng::new(seed);
    let home = Home::new();
    let args = ["--batch-messages", "5", "--connections", "3"];
    let mut points = Vec::new();
    for point in 0..20 {
        // Half the points by journal growth (mid-copy), half by time (connect, plan, create).
        let by_journal = rng.percent(50);
        let amount = if by_journal {
            rng.range(1, 1500)
        } else {
            rng.range(0, 300)
        };
        let mut child = migrate_ports(
            home.path(),
            (src.port(), "john"),
            (dst.port(), "john"),
            &args,
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
        let start_size = journal_size(home.path());
        let started = Instant::now();
        let deadline = started + Duration::from_secs(60);
        let mut finished = false;
        loop {
            if child.try_wait().unwrap().is_some() {
                finished = true;
                break;
            }
            let reached = if by_journal {
                journal_size(home.path()) >= start_size + amount
            } else {
                started.elapsed() >= Duration::from_millis(amount)
            };
            if reached {
                break;
            }
            assert!(Instant::now() < deadline, "point {point}: no progress");
            std::thread::sleep(Duration::from_millis(2));
        }
        if !finished {
            // SAFETY: plain kill(2) on our own child's pid.
            unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        }
        let _ = child.wait();
        points.push(format!(
            "{}{}{}",
            if by_journal { "journal+" } else { "t+" },
            amount,
            if finished { "(done)" } else { "" }
        ));
    }
    eprintln!("kill points: {}", points.join(" "));
    let killed = points.iter().filter(|p| !p.ends_with("(done)")).count();
    assert!(killed >= 15, "most points interrupted a run: {points:?}");

    let last = run_within(
        migrate_ports(home.path(), (src.port(), "john"), (dst.port(), "john"), &[]),
        180,
    )
    .run();
    assert_eq!(
        last.code, 0,
        "{} {} (points {points:?})",
        last.stderr, last.json
    );
    // A clean, uninterrupted run into another account for comparison.
    let clean_home = Home::new();
    let clean = run_within(
        migrate_ports(
            clean_home.path(),
            (src.port(), "john"),
            (dst.port(), "clean"),
            &[],
        ),
        180,
    )
    .run();
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    let got = non_empty(snapshot(&dst, "john"));
    let want = non_empty(snapshot(&dst, "clean"));
    assert!(
        got.duplicates().is_empty(),
        "{:?} (points {points:?})",
        got.duplicates()
    );
    let diff = want.diff(&got);
    assert!(diff.is_empty(), "points {points:?}: {diff}");
    assert_identical(src.port(), dst.port(), "john");
    // Atomic writes: every state file is whole (the old or the new content, never a mix).
    // A kill between writing and renaming may leave a `.NAME.tmp.PID` file behind; those are
    // counted and reported, never read.
    let mut leftovers = 0;
    for entry in walk(home.path()) {
        let name = entry.file_name().unwrap().to_string_lossy().to_string();
        if name.contains(".tmp.") {
            leftovers += 1;
            continue;
        }
        if name.ends_with(".json") {
            let bytes = std::fs::read(&entry).unwrap();
            assert!(
                serde_json::from_slice::<serde_json::Value>(&bytes).is_ok(),
                "{entry:?} is not whole JSON after the kills"
            );
        }
    }
    eprintln!("{leftovers} stale temporary file(s) left by killed runs");
    fault_observed(
        "SIGKILL at 20 points",
        &format!(
            "{killed} runs killed (seed {seed}); resume exit 0; identical to a clean run; \
             state files whole; {leftovers} stale temp file(s)"
        ),
    );
}

/// FAULTS: truncated and damaged journal (exit 0)
#[test]
fn a_truncated_and_damaged_journal_is_detected_and_not_trusted() {
    let Some((src, dst)) = seeded_pair(120, 28) else {
        return;
    };
    let home = Home::new();
    let first = run_within(
        migrate_ports(
            home.path(),
            (src.port(), "john"),
            (dst.port(), "john"),
            &["--batch-messages", "5"],
        ),
        180,
    )
    .run();
    assert_eq!(first.code, 0, "{}", first.stderr);
    let journal = std::fs::read_dir(home.path().join("journals"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .expect("a journal");
    let bytes = std::fs::read(&journal).unwrap();
    // Cut it in the middle of a line, and garble a line in the middle.
    let mut rng = SeedRng::new(0x7c);
    let mut cut = rng.range(bytes.len() as u64 / 3, bytes.len() as u64 * 2 / 3) as usize;
    while bytes[cut - 1] == b'\n' {
        cut += 1;
    }
    let mut damaged = bytes[..cut].to_vec();
    let line_starts: Vec<usize> = damaged
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
        .collect();
    let garble = line_starts[line_starts.len() / 2];
    damaged[garble] = b'#';
    damaged[garble + 5] = b'\xff';
    std::fs::write(&journal, &damaged).unwrap();
    // New mail arrives meanwhile.
    oracle(&src, "john")
        .append(
            "INBOX",
            b"From: a@b\r\nSubject: after\r\nMessage-ID: <after@x>\r\n\r\nnew\r\n",
            &[],
            None,
        )
        .unwrap();
    let r = migrate_via(&home, src.port(), dst.port(), &[]).run();
    assert_eq!(r.code, 0, "{} {}", r.stderr, r.json);
    assert_eq!(r.n("copied"), 1, "only the new message: {}", r.json);
    assert_identical(src.port(), dst.port(), "john");
    let log = std::fs::read_to_string(home.path().join("logs/mailshift.log")).unwrap_or_default();
    assert!(
        log.contains("torn line"),
        "the torn tail is reported: {log}"
    );
    assert!(
        log.contains("damaged lines"),
        "the damaged line is reported: {log}"
    );
    fault_observed(
        "truncated and damaged journal",
        "torn tail cut off and damaged line skipped (both logged); fingerprints took over; only the new message copied; identical",
    );
}

/// Every file under `dir`, recursively.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// FAULTS: too many connections at the start (exit 0)
#[test]
fn a_server_that_allows_fewer_connections_than_asked_gets_fewer_and_the_run_completes() {
    let Some(src) = dovecot(layout(Layout::Slash)) else {
        return;
    };
    // Two sessions per user and address on the destination; the run asks for four.
    let Some(dst) = dovecot(DovecotOptions {
        max_userip_connections: Some(2),
        ..layout(Layout::Dot)
    }) else {
        return;
    };
    src.add_user("john", PASS).unwrap();
    dst.add_user("john", PASS).unwrap();
    mailshift_testkit::seed(&src, "john", PASS, &SeedSpec::bulk(200, 32)).unwrap();
    let home = Home::new();
    let r = migrate_via(&home, src.port(), dst.port(), &["--connections", "4"]).run();
    assert_eq!(r.code, 0, "{} {}", r.stderr, r.json);
    assert_eq!(r.json["verified"], true);
    let problems = r.json["problems"].to_string();
    assert!(
        problems.contains("continuing with fewer connections")
            && problems.contains("mail_max_userip_connections=2"),
        "says it opened fewer connections, and why: {problems}"
    );
    assert!(
        !problems.contains("check the password"),
        "a busy server is not a wrong password: {problems}"
    );
    assert_identical(src.port(), dst.port(), "john");
    fault_observed(
        "too many connections at the start",
        &format!(
            "Dovecot mail_max_userip_connections=2, --connections 4: exit {}, {} copied, verified; \
             \"continuing with fewer connections\" with the server's words; identical",
            r.code,
            r.n("copied")
        ),
    );
}

/// FAULTS: too many connections mid-run (exit 0)
#[test]
fn a_reconnect_refused_as_too_many_connections_shrinks_the_pool_and_completes() {
    let Some((src, dst)) = seeded_pair(300, 33) else {
        return;
    };
    // The 10th batch's answer never arrives: that connection is cut mid-copy.
    let proxy = FaultProxy::start(
        dst.port(),
        vec![Fault::new(
            "cut one",
            Direction::ToClient,
            Trigger::AfterPattern {
                pattern: b"[APPENDUID ".to_vec(),
                occurrence: 10,
                after: 0,
            },
            Action::Cut,
        )],
    )
    .unwrap();
    let home = Home::new();
    let cmd = migrate_ports(
        home.path(),
        (src.port(), "john"),
        (proxy.port(), "john"),
        &[
            "--connections",
            "3",
            "--batch-messages",
            "10",
            "--timeout-secs",
            "5",
        ],
    );
    let runner = std::thread::spawn(move || run_within(cmd, 170));
    // Once the copy has begun (the pool holds its three connections: the journal has a
    // write-ahead `pending` record), every new connection is refused as one too many.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !journal_text(home.path()).contains("\"t\":\"pending\"") {
        assert!(Instant::now() < deadline, "the copy never began");
        std::thread::sleep(Duration::from_millis(5));
    }
    proxy.arm(
        Fault::new(
            "refuse",
            Direction::ToClient,
            Trigger::OnAccept,
            Action::Reply(
                b"* BYE [UNAVAILABLE] Too many connections from this address\r\n".to_vec(),
            ),
        )
        .times(usize::MAX),
    );
    let r = runner.join().unwrap().run();
    assert_eq!(proxy.fired("cut one"), 1, "a connection was cut mid-run");
    assert!(proxy.fired("refuse") >= 1, "its reconnect was refused");
    assert_eq!(r.code, 0, "completes: {} {}", r.stderr, r.json);
    assert_eq!(r.json["verified"], true);
    let problems = r.json["problems"].to_string();
    assert!(
        problems.contains("continuing with 2 connection(s)"),
        "says it reduced connections: {problems}"
    );
    assert_identical(src.port(), dst.port(), "john");
    fault_observed(
        "too many connections mid-run",
        &format!(
            "a connection cut mid-copy, every new one refused with BYE [UNAVAILABLE] Too many \
             connections: the worker leaves the pool (\"continuing with 2 connection(s)\"), its \
             batch goes to the others; exit {}, {} copied, verified; identical",
            r.code,
            r.n("copied")
        ),
    );
}

/// FAULTS.md checked against the tests themselves, so it cannot go stale: every row names a
/// test that exists and carries a `/// FAULTS: <row> (exit N)` marker; every marker has its
/// row; the exit code the marker states is the one the row states and the test asserts; and
/// no fault test accepts either of two outcomes.
#[test]
fn faults_md_rows_match_the_fault_tests_markers_and_outcomes() {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!("{root}/FAULTS.md")).unwrap();
    // name -> (file, fn, expected + observed text)
    let mut rows: Vec<(String, String, String, String)> = Vec::new();
    for line in text
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Fault |"))
    {
        let cols: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split(" | ")
            .map(str::trim)
            .collect();
        assert_eq!(
            cols.len(),
            4,
            "FAULTS.md row with {} columns: {line}",
            cols.len()
        );
        let (file, func) = cols[1]
            .split_once(" `")
            .map(|(f, t)| (f.to_string(), t.trim_end_matches('`').to_string()))
            .unwrap_or_else(|| panic!("row {:?}: Test column is not `file.rs `name``", cols[0]));
        rows.push((
            cols[0].to_string(),
            file,
            func,
            format!("{} {}", cols[2], cols[3]),
        ));
    }
    // Every marker in the test sources: (file, fn, name, exit code).
    let mut markers: Vec<(String, String, String, Option<u32>)> = Vec::new();
    let mut bodies: std::collections::HashMap<(String, String), String> = Default::default();
    for entry in std::fs::read_dir(format!("{root}/tests"))
        .unwrap()
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let src = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = src.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let Some(rest) = l.strip_prefix("/// FAULTS: ") else {
                continue;
            };
            let (name, code) = match rest.rsplit_once(" (exit ") {
                Some((n, c)) => (n.to_string(), c.trim_end_matches(')').parse().ok()),
                None => (rest.to_string(), None),
            };
            let func = lines[i..]
                .iter()
                .find_map(|l| l.strip_prefix("fn "))
                .and_then(|l| l.split('(').next())
                .unwrap_or_default()
                .to_string();
            let start = src.find(&format!("\nfn {func}(")).unwrap();
            let end = src[start + 1..]
                .find("\n#[test]")
                .map_or(src.len(), |e| start + 1 + e);
            bodies.insert((file.clone(), func.clone()), src[start..end].to_string());
            markers.push((file.clone(), func, name, code));
        }
    }
    for (name, file, func, claims) in &rows {
        let marker = markers
            .iter()
            .find(|(f, t, n, _)| f == file && t == func && n == name)
            .unwrap_or_else(|| {
                panic!("FAULTS.md row {name:?} names {file} `{func}`, which has no `/// FAULTS: {name}` marker (missing or renamed test)")
            });
        if let Some(code) = marker.3 {
            assert!(
                claims.contains(&format!("exit {code}")),
                "row {name:?} does not state the exit {code} its test asserts"
            );
            let body = &bodies[&(file.clone(), func.clone())];
            let asserted = [
                format!("code, {code}"),
                format!("code(), Some({code})"),
                format!("Some({code}),"),
            ];
            assert!(
                asserted.iter().any(|a| body.contains(a.as_str())),
                "{file} `{func}` does not assert exit {code}"
            );
        }
    }
    for (file, func, name, _) in &markers {
        assert!(
            rows.iter()
                .any(|(n, f, t, _)| n == name && f == file && t == func),
            "{file} `{func}` is marked `FAULTS: {name}` but FAULTS.md has no such row for it"
        );
        let body = &bodies[&(file.clone(), func.clone())];
        for either in [
            "code == 0 ||",
            "|| first.code == 5",
            "assert_ne!(r.code, 0",
            "assert_ne!(f.code, 0",
        ] {
            assert!(
                !body.contains(either),
                "{file} `{func}` accepts either outcome ({either})"
            );
        }
    }
}

/// Everything the journals under `home` hold.
fn journal_text(home: &std::path::Path) -> String {
    walk(&home.join("journals"))
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}
