//! Shared helpers for the integration tests: throwaway Dovecots, seeding,
//! running the real `mailshift` binary with an isolated MAILSHIFT_HOME.
#![allow(dead_code)]

pub mod sandbox;
pub mod tmux;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

#[allow(unused_imports)]
pub use mailshift_testkit::{Dovecot, DovecotOptions, Layout, MailboxSnapshot, Oracle, SeedSpec};

pub const PASS: &str = "Secret-pass-42";

/// Start a Dovecot or explain loudly why the test cannot run (`mailshift_testkit::require`:
/// under CI a missing Dovecot is a failure, not a skip).
pub fn dovecot(opts: DovecotOptions) -> Option<Dovecot> {
    if !mailshift_testkit::require(
        Dovecot::is_available(),
        "dovecot",
        "apt-get install dovecot-imapd",
    ) {
        return None;
    }
    Some(Dovecot::start_with(opts).expect("start dovecot"))
}

pub fn layout(layout: Layout) -> DovecotOptions {
    DovecotOptions {
        layout,
        ..DovecotOptions::default()
    }
}

pub fn oracle(d: &Dovecot, user: &str) -> Oracle {
    Oracle::login(d.host(), d.port(), user, PASS).expect("oracle login")
}

pub fn snapshot(d: &Dovecot, user: &str) -> MailboxSnapshot {
    snapshot_at(d.port(), user)
}

pub fn snapshot_at(port: u16, user: &str) -> MailboxSnapshot {
    let mut o = Oracle::login("127.0.0.1", port, user, PASS).expect("oracle login");
    let s = o.snapshot().expect("snapshot");
    let _ = o.logout();
    s
}

/// A snapshot without empty folders (servers differ in which they show).
pub fn non_empty(mut s: MailboxSnapshot) -> MailboxSnapshot {
    s.folders.retain(|_, v| !v.is_empty());
    s
}

pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_mailshift"))
}

/// `mailshift migrate` between two servers, plain IMAP on loopback.
pub fn migrate_cmd(
    home: &Path,
    src: (&Dovecot, &str),
    dst: (&Dovecot, &str),
    extra: &[&str],
) -> Command {
    migrate_ports(home, (src.0.port(), src.1), (dst.0.port(), dst.1), extra)
}

/// `mailshift migrate` between any two plain IMAP servers on 127.0.0.1.
pub fn migrate_ports(home: &Path, src: (u16, &str), dst: (u16, &str), extra: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.env("MAILSHIFT_HOME", home)
        .env("MAILSHIFT_SRC_PASSWORD", PASS)
        .env("MAILSHIFT_DST_PASSWORD", PASS)
        .env_remove("MAILSHIFT_LOG")
        .args(["migrate", "--src-host", "127.0.0.1", "--src-port"])
        .arg(src.0.to_string())
        .args(["--src-user", src.1, "--src-security", "none"])
        .args(["--dst-host", "127.0.0.1", "--dst-port"])
        .arg(dst.0.to_string())
        .args(["--dst-user", dst.1, "--dst-security", "none", "--json"])
        .args(extra)
        .stdin(Stdio::null());
    c
}

pub struct Run {
    pub code: i32,
    pub json: serde_json::Value,
    pub stderr: String,
}

pub fn run(mut c: Command) -> Run {
    let out: Output = c.output().expect("run mailshift");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!("stdout is not one JSON object ({e}): {stdout:?}\nstderr: {stderr}")
    });
    Run {
        code: out.status.code().unwrap_or(-1),
        json,
        stderr,
    }
}

impl Run {
    pub fn n(&self, key: &str) -> u64 {
        self.json[key]
            .as_u64()
            .unwrap_or_else(|| panic!("{key} missing in {}", self.json))
    }
}

// ---- Faults, hostile input and security (tests/faults.rs, hostile_input.rs, security.rs) ----

/// Every fault the tests inject, by the name FAULTS.md lists it under. A fault test records its
/// outcome with `fault_observed`, which refuses names missing here; `faults.rs` checks that
/// FAULTS.md has a row for each name, so a new fault test cannot go undocumented.
pub const FAULT_NAMES: &[&str] = &[
    "cut during FETCH",
    "cut during APPEND literal",
    "flaky link",
    "stalled FETCH (timeout)",
    "stalled APPEND answer (timeout)",
    "server restart mid-task",
    "destination over quota",
    "SIGKILL at 20 points",
    "truncated and damaged journal",
    "hostile messages",
    "hostile folder names",
    "garbage greeting",
    "garbage mid-session",
    "close right after LOGIN",
    "connection rejected",
    "STARTTLS stripped by a man in the middle",
    "self-signed certificate",
    "secrets in files and output",
    "state file modes",
    "sandbox listens on loopback only",
    "secrets at trace level for one module",
    "log file cannot be created",
    "core dumps",
    "hostile password references",
    "too many connections at the start",
    "too many connections mid-run",
    "SIGKILL with a batch in flight, then rollback",
    "sizes far below the bytes",
];

/// Record what a fault test observed, under `target/tmp/faults-observed/` (one file per
/// fault) so a person can compare it with FAULTS.md. Panics on a name FAULTS.md does not know.
pub fn fault_observed(name: &str, observed: &str) {
    assert!(
        FAULT_NAMES.contains(&name),
        "fault {name:?} is not in support::FAULT_NAMES: add it there and a row to FAULTS.md"
    );
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("faults-observed");
    let _ = std::fs::create_dir_all(&dir);
    let file: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let _ = std::fs::write(
        dir.join(format!("{file}.txt")),
        format!("{name}: {observed}\n"),
    );
}

/// The raw outcome of a command that had to finish within a deadline.
pub struct Finished {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    /// The one JSON object a `--json` run prints on stdout.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON object ({e}): {:?}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }

    pub fn run(&self) -> Run {
        Run {
            code: self.code,
            json: self.json(),
            stderr: self.stderr.clone(),
        }
    }
}

/// Run a command, killing it (and failing the test) if it is still running after `secs`:
/// a hang is a bug. Exit code 101 (a Rust panic) fails the test too.
pub fn run_within(mut c: Command, secs: u64) -> Finished {
    use std::io::Read as _;
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mailshift");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = String::from_utf8_lossy(&t_err.join().unwrap_or_default()).to_string();
            panic!("mailshift still running after {secs} s (a hang): stderr: {stderr}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let f = Finished {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&t_out.join().unwrap_or_default()).to_string(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap_or_default()).to_string(),
    };
    assert_ne!(f.code, 101, "mailshift panicked: {}", f.stderr);
    assert!(
        !f.stderr.contains("panicked at"),
        "mailshift panicked: {}",
        f.stderr
    );
    f
}

/// Both mailboxes hold the same mail (empty folders aside) and the destination no duplicate.
pub fn assert_identical(src_port: u16, dst_port: u16, user: &str) {
    let expected = non_empty(snapshot_at(src_port, user));
    let got = non_empty(snapshot_at(dst_port, user));
    assert!(
        got.duplicates().is_empty(),
        "duplicates: {:?}",
        got.duplicates()
    );
    let diff = expected.diff(&got);
    assert!(diff.is_empty(), "{diff}");
}

/// A seeded source and an empty destination (slash -> dot layout), user john on both.
pub fn seeded_pair(messages: usize, seed: u64) -> Option<(Dovecot, Dovecot)> {
    let src = dovecot(layout(Layout::Slash))?;
    let dst = dovecot(layout(Layout::Dot))?;
    src.add_user("john", PASS).unwrap();
    dst.add_user("john", PASS).unwrap();
    mailshift_testkit::seed(&src, "john", PASS, &SeedSpec::bulk(messages, seed)).unwrap();
    Some((src, dst))
}

/// Total size of the files under `dir/journals`.
pub fn journal_size(home: &Path) -> u64 {
    std::fs::read_dir(home.join("journals"))
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}
