//! Load: a 200-account project between two Dovecots that each allow only CAP IMAP
//! sessions at once. Every account arrives exactly once, no session is ever refused or
//! held back by the cap (the servers' logs say so), and memory stays flat.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mailshift_tasks::project::{
    parse_project, run_project, ProjectEvent, ProjectOptions, ProjectState,
};
use mailshift_tasks::{Clock, Migrator};
use mailshift_testkit::{seed, Dovecot, DovecotOptions, Oracle, SeedSpec};
use tokio::sync::mpsc;

const PASS: &str = "Load-pass-Osprey-31";
/// What Dovecot 2.3 logs when `service imap { process_limit }` holds a session back:
/// `master: Warning: service(imap): process_limit (12) reached, client connections are being dropped`.
const CAP_REACHED: &str = "client connections are being dropped";

fn dovecot(cap: u32) -> Option<Dovecot> {
    if !mailshift_testkit::require(
        Dovecot::is_available(),
        "dovecot",
        "apt-get install dovecot-imapd",
    ) {
        return None;
    }
    Some(
        Dovecot::start_with(DovecotOptions {
            max_connections: Some(cap),
            ..DovecotOptions::default()
        })
        .expect("start dovecot"),
    )
}

const HEADER: &str = "src_type,src_host,src_port,src_security,src_login,src_password,dst_type,dst_host,dst_port,dst_security,dst_login,dst_password,options,notify";
/// Sessions each server allows at once.
/// Two sessions above what the project may open (6 x 2 = 12): Dovecot counts a session
/// until it has reaped its process, a moment after our LOGOUT.
const CAP: u32 = 14;

/// Accounts in the load project (`MAILSHIFT_LOAD_ACCOUNTS` overrides, for the bench).
fn account_count() -> usize {
    std::env::var("MAILSHIFT_LOAD_ACCOUNTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

/// Messages account `i` starts with: 3 to 5, in INBOX and one subfolder.
fn messages_of(i: usize) -> usize {
    3 + i % 3
}

/// The same users on both servers, mail on the source only; four seeders at a time
/// (well under the cap). Returns the project CSV.
fn accounts(src: &Dovecot, dst: &Dovecot, n: usize) -> String {
    let mut csv = format!("{HEADER}\n");
    for i in 0..n {
        let user = format!("load{i:03}");
        src.add_user(&user, PASS).unwrap();
        dst.add_user(&user, PASS).unwrap();
        csv.push_str(&format!(
            "imap,127.0.0.1,{},none,{user},env:LOAD_PW,imap,127.0.0.1,{},none,{user},env:LOAD_PW,emails,\n",
            src.port(),
            dst.port()
        ));
    }
    std::thread::scope(|s| {
        for t in 0..4 {
            s.spawn(move || {
                for i in (t..n).step_by(4) {
                    let spec = SeedSpec {
                        folders: vec!["INBOX".into(), "Archives/2024".into()],
                        messages_per_folder: 1,
                        extra_inbox_messages: messages_of(i) - 2,
                        ..SeedSpec::bulk(10, i as u64)
                    };
                    seed(src, &format!("load{i:03}"), PASS, &spec).expect("seed");
                }
            });
        }
    });
    csv
}

fn env(name: &str) -> Option<String> {
    (name == "LOAD_PW").then(|| PASS.to_string())
}

/// A memory figure of this process from /proc/self/status (`VmRSS:`, `VmHWM:`), in KiB.
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/self/status"))
}

fn rss_kib() -> u64 {
    status_kib("VmRSS:")
}

/// Established TCP connections from this host to `port` (client ends), from /proc/net/tcp.
fn clients_of(port: u16) -> usize {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    table
        .lines()
        .skip(1)
        .filter(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.len() > 3
                && f[3] == "01"
                && f[2]
                    .rsplit(':')
                    .next()
                    .and_then(|p| u16::from_str_radix(p, 16).ok())
                    == Some(port)
        })
        .count()
}

/// Samples the busiest moment of each port until stopped.
struct Peaks {
    stop: Arc<AtomicBool>,
    join: std::thread::JoinHandle<Vec<usize>>,
}

impl Peaks {
    fn watch(ports: Vec<u16>) -> Peaks {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let join = std::thread::spawn(move || {
            let mut peaks = vec![0; ports.len()];
            while !flag.load(Ordering::SeqCst) {
                for (peak, port) in peaks.iter_mut().zip(&ports) {
                    *peak = (*peak).max(clients_of(*port));
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            peaks
        });
        Peaks { stop, join }
    }

    fn stop(self) -> Vec<usize> {
        self.stop.store(true, Ordering::SeqCst);
        self.join.join().unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_accounts_under_a_connection_cap_all_arrive_without_hitting_it() {
    let (Some(src), Some(dst)) = (dovecot(CAP), dovecot(CAP)) else {
        return;
    };
    let n = account_count();
    let seeding = Instant::now();
    let csv = accounts(&src, &dst, n);
    let total: usize = (0..n).map(messages_of).sum();
    eprintln!(
        "seeded {n} accounts, {total} messages in {:?}",
        seeding.elapsed()
    );
    let file = parse_project(&csv, Path::new("."), &env).expect("valid project");
    assert_eq!(file.rows.len(), n);

    let home = tempfile::tempdir().unwrap();
    let m = Migrator::open(home.path(), Clock::system()).unwrap();
    // Each task holds `connections` sessions on its source and as many on its
    // destination: 6 tasks x 2 = 12 on each server at the busiest moment (cap 14).
    let opts = ProjectOptions {
        global: 16,
        per_server: 6,
        connections: 2,
        results: home.path().join("results.csv"),
        file: "load.csv".into(),
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let sampler = tokio::spawn(async move {
        let mut samples = vec![(0, rss_kib())];
        while let Some(ev) = rx.recv().await {
            if let ProjectEvent::Progress(_, p) | ProjectEvent::Ended(_, p) = ev {
                let mark = p.ended() / 25 * 25;
                if mark > samples.last().unwrap().0 {
                    samples.push((mark, rss_kib()));
                    eprintln!(
                        "rss after {mark:>4} accounts: {:>7} KiB",
                        samples.last().unwrap().1
                    );
                }
            }
        }
        samples
    });
    let peaks = Peaks::watch(vec![src.port(), dst.port()]);
    let started = Instant::now();
    let (record, rows) = run_project(&m, file, opts, Some(tx)).await.unwrap();
    let wall = started.elapsed();
    let peaks = peaks.stop();
    let samples = sampler.await.unwrap();
    eprintln!(
        "project: {n} accounts, {total} messages in {wall:?}; busiest moment: {} source / {} destination connections (cap {CAP})",
        peaks[0], peaks[1]
    );

    assert_eq!(record.state, ProjectState::Finished);
    assert_eq!(rows.len(), n);
    for r in &rows {
        assert_eq!(r.state, "finished", "line {}: {}", r.line, r.error);
        assert!(r.error.is_empty(), "line {}: {}", r.line, r.error);
    }
    // Nothing beyond the cap was even attempted, by our count and by the servers'.
    assert!(
        peaks.iter().all(|p| *p <= 12),
        "the project opened more than it may: {peaks:?}"
    );
    for (side, d) in [("source", &src), ("destination", &dst)] {
        let log = d.log_text();
        for bad in [
            CAP_REACHED,
            "process_limit",
            "Maximum number of connections",
        ] {
            assert!(!log.contains(bad), "{side} log says {bad:?}:\n{log}");
        }
    }
    // Every task: no connection trouble along the way, all sessions it asked for.
    for t in m.tasks() {
        assert!(t.failure.is_none(), "{}: {:?}", t.id, t.failure);
        assert!(
            t.progress.problems.is_empty(),
            "{}: {:?}",
            t.id,
            t.progress.problems
        );
        assert_eq!(
            t.report.as_ref().map(|r| r.connections),
            Some(2),
            "{}",
            t.id
        );
    }
    // Source == destination, account by account (the oracle shares no code with the engine).
    for i in 0..n {
        let user = format!("load{i:03}");
        let snap = |d: &Dovecot| {
            let mut o = Oracle::login(d.host(), d.port(), &user, PASS).unwrap();
            let s = o.snapshot().unwrap();
            let _ = o.logout();
            s
        };
        let (want, got) = (snap(&src), snap(&dst));
        assert_eq!(want.total_messages(), messages_of(i), "{user}");
        let diff = want.diff(&got);
        assert!(diff.is_empty(), "{user}: {:?}", diff.lines);
        assert!(
            got.duplicates().is_empty(),
            "{user}: {:?}",
            got.duplicates()
        );
    }
    // Memory: printed every 25 accounts; flat once warmed up (generous bound).
    let at = |mark: usize| samples.iter().find(|s| s.0 >= mark).map(|s| s.1);
    let peak = samples.iter().map(|s| s.1).max().unwrap();
    eprintln!(
        "rss peak {peak} KiB (high-water mark {} KiB); samples (accounts, KiB): {samples:?}",
        status_kib("VmHWM:")
    );
    if let (Some(warm), Some(last)) = (at(50), samples.last().map(|s| s.1)) {
        assert!(
            last.saturating_sub(warm) < 64 * 1024,
            "memory grew from {warm} KiB at 50 accounts to {last} KiB: {samples:?}"
        );
    }
}

/// A bare session: connect, read the greeting, send LOGIN; `None` while no answer came.
struct Raw {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Raw {
    fn login(port: u16, user: &str) -> Raw {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut raw = Raw {
            writer: stream.try_clone().unwrap(),
            reader: BufReader::new(stream),
        };
        let greeting = raw.line_within(Duration::from_secs(10));
        assert!(
            greeting.as_deref().is_some_and(|g| g.starts_with("* OK")),
            "{greeting:?}"
        );
        write!(raw.writer, "a1 LOGIN {user} {PASS}\r\n").unwrap();
        raw
    }

    /// The next line, or `None` if none came within `limit` (or the server closed).
    fn line_within(&mut self, limit: Duration) -> Option<String> {
        let start = Instant::now();
        let mut line = String::new();
        while start.elapsed() < limit {
            match self.reader.read_line(&mut line) {
                Ok(0) => return None,
                Ok(_) if line.ends_with('\n') => return Some(line),
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => return None,
            }
        }
        None
    }

    /// The tagged answer to LOGIN, if it came within `limit`.
    fn login_answer(&mut self, limit: Duration) -> Option<String> {
        let start = Instant::now();
        while start.elapsed() < limit {
            let line = self.line_within(limit.saturating_sub(start.elapsed()))?;
            if line.starts_with("a1 ") {
                return Some(line);
            }
        }
        None
    }
}

#[test]
fn the_connection_cap_is_real_and_dovecot_logs_when_it_is_reached() {
    // Proves the load test's log assertion can fail: CAP sessions log in, the next
    // ones are held back (no answer to LOGIN) and Dovecot logs CAP_REACHED.
    const CAP: u32 = 3;
    let Some(d) = dovecot(CAP) else {
        return;
    };
    d.add_user("capped", PASS).unwrap();
    let mut held: Vec<Oracle> = (0..CAP)
        .map(|_| Oracle::login(d.host(), d.port(), "capped", PASS).expect("within the cap"))
        .collect();
    assert!(!d.log_text().contains(CAP_REACHED), "{}", d.log_text());
    let mut extra: Vec<Raw> = (0..3).map(|_| Raw::login(d.port(), "capped")).collect();
    for (i, r) in extra.iter_mut().enumerate() {
        let answer = r.login_answer(Duration::from_secs(2));
        assert_eq!(
            answer,
            None,
            "session {} beyond the cap was let in",
            CAP as usize + i + 1
        );
    }
    let log = wait_for_log(&d, CAP_REACHED);
    assert!(
        log.contains(&format!("process_limit ({CAP}) reached")),
        "{log}"
    );
    // Held back, not refused: once a session ends, a waiting one gets in.
    held.pop().unwrap().logout().unwrap();
    let admitted = extra
        .iter_mut()
        .find_map(|r| r.login_answer(Duration::from_secs(5)));
    assert!(
        admitted.as_deref().is_some_and(|a| a.starts_with("a1 OK")),
        "{admitted:?}"
    );
}

fn wait_for_log(d: &Dovecot, needle: &str) -> String {
    let start = Instant::now();
    loop {
        let log = d.log_text();
        if log.contains(needle) || start.elapsed() > Duration::from_secs(10) {
            return log;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
