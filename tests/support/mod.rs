//! Shared helpers for the integration tests: throwaway Dovecots, seeding,
//! running the real `mailshift` binary with an isolated MAILSHIFT_HOME.
#![allow(dead_code)]

pub mod sandbox;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

#[allow(unused_imports)]
pub use mailshift_testkit::{Dovecot, DovecotOptions, Layout, MailboxSnapshot, Oracle, SeedSpec};

pub const PASS: &str = "Secret-pass-42";

/// Start a Dovecot or explain loudly why the test cannot run.
/// On CI (CI=true) a missing Dovecot is a failure, not a skip.
pub fn dovecot(opts: DovecotOptions) -> Option<Dovecot> {
    if !Dovecot::is_available() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("dovecot is not installed: .ci/run should have installed dovecot-imapd");
        }
        eprintln!("SKIPPED: dovecot is not installed here (apt-get install dovecot-imapd)");
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
