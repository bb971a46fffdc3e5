//! Security: passwords never reach files, logs or output; private state modes; STARTTLS that a
//! man in the middle refuses is never downgraded; the sandbox listens on loopback only.

mod support;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mailshift_testkit::fault::{Action, Direction, Fault, FaultProxy, Trigger};
use support::*;

const SRC_PW: &str = "Src-Zq7!pw-93311";
const DST_PW: &str = "Dst-Wx3#pw-55127";
const WRONG_PW: &str = "Wrong-Kp2$pw-71409";

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            out.push(p.clone());
            if p.is_dir() {
                walk(&p, out);
            }
        }
    }
}

fn with_passwords(mut c: Command, src: &str, dst: &str) -> Command {
    c.env("MAILSHIFT_SRC_PASSWORD", src)
        .env("MAILSHIFT_DST_PASSWORD", dst);
    c
}

/// FAULTS: secrets in files and output (exit 0)
/// FAULTS: state file modes
#[test]
fn passwords_never_reach_files_logs_or_output() {
    let Some(src) = dovecot(layout(Layout::Slash)) else {
        return;
    };
    let Some(dst) = dovecot(layout(Layout::Dot)) else {
        return;
    };
    src.add_user("john", SRC_PW).unwrap();
    dst.add_user("john", DST_PW).unwrap();
    mailshift_testkit::seed(&src, "john", SRC_PW, &SeedSpec::bulk(60, 9)).unwrap();
    let home = Home::new();
    // MAILSHIFT_HOME is the operator's folder: mailshift keeps its mode (it used to force
    // 0700, which turned a shared 1777 folder private); what it creates inside is 0700.
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o750)).unwrap();
    let mut outputs = Vec::new();
    let cmd = |port: u16, extra: &[&str]| {
        let mut c = migrate_ports(home.path(), (src.port(), "john"), (port, "john"), extra);
        // The most verbose logging: whatever the libraries log must not carry a secret
        // (async-imap traces every command it sends; main caps it at debug).
        c.env("MAILSHIFT_LOG", "trace");
        c
    };

    // A run whose connection is cut mid-APPEND (errors, reconnects, retries get logged).
    let proxy = FaultProxy::start(dst.port(), vec![Fault::cut_in_append_literal(10, 100)]).unwrap();
    let f = run_within(
        with_passwords(
            cmd(
                proxy.port(),
                &["--timeout-secs", "3", "--batch-messages", "10"],
            ),
            SRC_PW,
            DST_PW,
        ),
        120,
    );
    assert_eq!(proxy.fired_total(), 1, "{} {}", f.stderr, f.stdout);
    assert_eq!(f.code, 0, "the cut run completes: {}", f.stderr);
    outputs.push(f);
    // A clean run, with the source password from a file.
    let pw_file = home.path().join("src-password");
    std::fs::write(&pw_file, SRC_PW).unwrap();
    std::fs::set_permissions(&pw_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut c = with_passwords(
        cmd(
            dst.port(),
            &["--src-password-file", pw_file.to_str().unwrap()],
        ),
        "",
        DST_PW,
    );
    c.env_remove("MAILSHIFT_SRC_PASSWORD");
    let f = run_within(c, 120);
    assert_eq!(f.code, 0, "{} {}", f.stderr, f.stdout);
    outputs.push(f);
    std::fs::remove_file(&pw_file).unwrap();

    // A failing login, last: Dovecot slows down logins from an address that just failed.
    let f = run_within(with_passwords(cmd(dst.port(), &[]), SRC_PW, WRONG_PW), 120);
    assert_eq!(f.code, 3, "{}", f.stderr);
    outputs.push(f);
    let mut files = Vec::new();
    walk(home.path(), &mut files);
    assert!(
        files
            .iter()
            .any(|p| p.to_string_lossy().contains("journals")),
        "a journal was written: {files:?}"
    );
    assert!(
        files
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "log")),
        "a log was written: {files:?}"
    );
    let secrets = [SRC_PW, DST_PW, WRONG_PW];
    for p in &files {
        let mode = std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        if p.is_dir() {
            assert_eq!(mode, 0o700, "directory {p:?} is {mode:o}");
            continue;
        }
        assert_eq!(mode, 0o600, "file {p:?} is {mode:o}");
        let bytes = std::fs::read(p).unwrap();
        for s in secrets {
            if let Some(at) = bytes.windows(s.len()).position(|w| w == s.as_bytes()) {
                let around = &bytes[at.saturating_sub(200)..(at + 60).min(bytes.len())];
                panic!(
                    "{s:?} found in {p:?}: ...{}...",
                    String::from_utf8_lossy(around)
                );
            }
        }
    }
    let home_mode = std::fs::metadata(home.path()).unwrap().permissions().mode() & 0o777;
    assert_eq!(home_mode, 0o750, "MAILSHIFT_HOME itself keeps its mode");
    for f in &outputs {
        for s in secrets {
            assert!(!f.stdout.contains(s), "{s:?} on stdout");
            assert!(!f.stderr.contains(s), "{s:?} on stderr");
        }
    }
    fault_observed(
        "secrets in files and output",
        &format!(
            "3 runs (wrong password, cut, clean) at debug level; {} paths and all output free of the passwords",
            files.len()
        ),
    );
    fault_observed(
        "state file modes",
        "every directory mailshift created 0700, every file 0600, MAILSHIFT_HOME's own mode kept",
    );
}

/// FAULTS: STARTTLS stripped by a man in the middle (exit 4)
#[test]
fn starttls_refused_by_a_man_in_the_middle_never_sends_the_password() {
    let Some(src) = dovecot(DovecotOptions {
        tls: true,
        ..layout(Layout::Slash)
    }) else {
        return;
    };
    let Some(dst) = dovecot(layout(Layout::Dot)) else {
        return;
    };
    src.add_user("john", SRC_PW).unwrap();
    dst.add_user("john", DST_PW).unwrap();
    // The attacker strips STARTTLS: it answers the command itself with NO and hangs up.
    let proxy = FaultProxy::start(
        src.port(),
        vec![Fault::new(
            "strip STARTTLS",
            Direction::ToServer,
            Trigger::AfterPattern {
                pattern: b"STARTTLS\r\n".to_vec(),
                occurrence: 1,
                after: 0,
            },
            // The first command of the connection carries async-imap's first tag.
            Action::Reply(b"A0001 NO STARTTLS is not available today\r\n".to_vec()),
        )
        .times(usize::MAX)],
    )
    .unwrap();
    let home = Home::new();
    let mut c = Command::new(bin());
    c.env("MAILSHIFT_HOME", home.path())
        .env("MAILSHIFT_SRC_PASSWORD", SRC_PW)
        .env("MAILSHIFT_DST_PASSWORD", DST_PW)
        .args(["migrate", "--src-host", "localhost", "--src-port"])
        .arg(proxy.port().to_string())
        .args(["--src-user", "john", "--src-security", "starttls"])
        .args([
            "--src-ca-file",
            src.ca_cert_pem().unwrap().to_str().unwrap(),
        ])
        .args(["--dst-host", "127.0.0.1", "--dst-port"])
        .arg(dst.port().to_string())
        .args(["--dst-user", "john", "--dst-security", "none", "--json"])
        .args(["--timeout-secs", "5"])
        .stdin(Stdio::null());
    let r = run_within(c, 60).run();
    assert!(proxy.fired_total() >= 1, "the attack happened");
    assert_eq!(r.code, 4, "{} {}", r.stderr, r.json);
    let msg = r.json["error"].as_str().unwrap();
    // Either the refusal is seen as such, or (when the hang-up wins the race) the TLS
    // handshake fails: both stop before any password is sent.
    assert!(
        msg.contains("does not offer STARTTLS; refusing to send the password in clear")
            || msg.contains("TLS with localhost"),
        "{msg}"
    );
    let wire = proxy.captured(Direction::ToServer);
    assert!(
        !wire.windows(SRC_PW.len()).any(|w| w == SRC_PW.as_bytes()),
        "the password crossed the wire"
    );
    assert!(
        !String::from_utf8_lossy(&wire).contains("LOGIN"),
        "no LOGIN sent"
    );
    fault_observed(
        "STARTTLS stripped by a man in the middle",
        &format!("exit 4: {msg}; no LOGIN on the wire"),
    );
}

/// Socket inodes the process holds.
fn socket_inodes(pid: u32) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(format!("/proc/{pid}/fd")) {
        for e in rd.flatten() {
            if let Ok(target) = std::fs::read_link(e.path()) {
                let t = target.to_string_lossy().to_string();
                if let Some(inode) = t.strip_prefix("socket:[").and_then(|s| s.strip_suffix(']')) {
                    out.push(inode.to_string());
                }
            }
        }
    }
    out
}

/// (table, local address, state) of every socket of `pid` listed in /proc/<pid>/net.
fn sockets_of(pid: u32) -> Vec<(String, String, String)> {
    let inodes = socket_inodes(pid);
    let mut out = Vec::new();
    for table in ["tcp", "tcp6", "udp", "udp6"] {
        let text = std::fs::read_to_string(format!("/proc/{pid}/net/{table}")).unwrap_or_default();
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.len() > 9 && inodes.iter().any(|i| i == cols[9]) {
                out.push((table.to_string(), cols[1].to_string(), cols[3].to_string()));
            }
        }
    }
    out
}

fn is_loopback(local: &str) -> bool {
    let addr = local.split(':').next().unwrap_or_default();
    match addr.len() {
        // 127.x.x.x, little-endian hex: the last byte is 7F.
        8 => addr.ends_with("7F"),
        // ::1, or ::ffff:127.x.x.x.
        32 => {
            addr == "00000000000000000000000001000000"
                || (addr.starts_with("0000000000000000FFFF0000") && addr.ends_with("7F"))
        }
        _ => false,
    }
}

/// FAULTS: sandbox listens on loopback only
#[test]
fn the_sandbox_listens_on_loopback_only() {
    let home = Home::new();
    let mut child = Command::new(bin())
        .env("MAILSHIFT_HOME", home.path())
        .args(["sandbox", "serve"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            text.push_str(&line);
            text.push('\n');
            if line.starts_with("Serving") {
                break;
            }
        }
        text
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while !reader.is_finished() {
        if Instant::now() > deadline || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the sandbox did not start serving");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let banner = reader.join().unwrap();
    let sockets = sockets_of(pid);
    // SAFETY: plain kill(2) on our own child's pid.
    unsafe { libc::kill(pid as i32, libc::SIGINT) };
    let stop = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > stop {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.wait();

    let listening: Vec<_> = sockets
        .iter()
        .filter(|(t, _, state)| (t.starts_with("tcp") && state == "0A") || t.starts_with("udp"))
        .collect();
    assert!(
        listening
            .iter()
            .filter(|(t, _, _)| t.starts_with("tcp"))
            .count()
            >= 2,
        "the sandbox's IMAP servers are listening: {sockets:?}\n{banner}"
    );
    for (table, local, _) in &listening {
        assert!(
            is_loopback(local),
            "{table} socket bound to {local}: not loopback\n{banner}"
        );
    }
    fault_observed(
        "sandbox listens on loopback only",
        &format!("{} listening sockets, all on 127.0.0.1", listening.len()),
    );
}

#[test]
fn loopback_addresses_are_recognised_in_proc_net_format() {
    assert!(is_loopback("0100007F:1F90"));
    assert!(!is_loopback("00000000:1F90"));
    assert!(is_loopback("00000000000000000000000001000000:0035"));
    assert!(!is_loopback("00000000000000000000000000000000:0035"));
}

/// Every secret absent from every file under `home` and from the outputs.
fn assert_nowhere(home: &Path, outputs: &[&Finished], secrets: &[&str]) -> usize {
    let mut files = Vec::new();
    walk(home, &mut files);
    for p in files.iter().filter(|p| p.is_file()) {
        let bytes = std::fs::read(p).unwrap();
        for s in secrets {
            if let Some(at) = bytes.windows(s.len()).position(|w| w == s.as_bytes()) {
                let around = &bytes[at.saturating_sub(200)..(at + 60).min(bytes.len())];
                panic!(
                    "{s:?} found in {p:?}: ...{}...",
                    String::from_utf8_lossy(around)
                );
            }
        }
    }
    for f in outputs {
        for s in secrets {
            assert!(!f.stdout.contains(s), "{s:?} on stdout");
            assert!(!f.stderr.contains(s), "{s:?} on stderr");
        }
    }
    files.len()
}

/// FAULTS: secrets at trace level for one module (exit 0)
#[test]
fn a_trace_directive_for_an_imap_module_never_logs_the_password() {
    let Some(src) = dovecot(layout(Layout::Slash)) else {
        return;
    };
    let Some(dst) = dovecot(layout(Layout::Dot)) else {
        return;
    };
    src.add_user("john", SRC_PW).unwrap();
    dst.add_user("john", DST_PW).unwrap();
    mailshift_testkit::seed(&src, "john", SRC_PW, &SeedSpec::bulk(5, 3)).unwrap();
    let home = Home::new();
    let mut outputs = Vec::new();
    // A more specific directive used to override the cap on `async_imap`.
    for filter in [
        "async_imap::imap_stream=trace",
        "trace,async_imap::imap_stream=trace,imap_next=trace,async_imap::client=trace",
    ] {
        let mut c = with_passwords(
            migrate_ports(home.path(), (src.port(), "john"), (dst.port(), "john"), &[]),
            SRC_PW,
            DST_PW,
        );
        c.env("MAILSHIFT_LOG", filter);
        let f = run_within(c, 120);
        assert_eq!(f.code, 0, "{} {}", f.stderr, f.stdout);
        outputs.push(f);
    }
    let log = home.path().join("logs/mailshift.log");
    assert!(log.is_file(), "a log was written");
    let n = assert_nowhere(
        home.path(),
        &outputs.iter().collect::<Vec<_>>(),
        &[SRC_PW, DST_PW],
    );
    fault_observed(
        "secrets at trace level for one module",
        &format!(
            "MAILSHIFT_LOG=async_imap::imap_stream=trace (and trace everywhere): {n} paths and all output free of the passwords"
        ),
    );
}

/// FAULTS: log file cannot be created (exit 0)
#[test]
fn a_log_file_that_cannot_be_created_is_reported_and_the_command_still_runs() {
    // A folder where the log file should be.
    let home = Home::new();
    let log = home.path().join("logs/mailshift.log");
    std::fs::create_dir_all(&log).unwrap();
    let mut c = Command::new(bin());
    c.env("MAILSHIFT_HOME", home.path())
        .args(["tasks", "--json"])
        .stdin(Stdio::null());
    let f = run_within(c, 30);
    assert_eq!(f.code, 0, "{}", f.stderr);
    assert_eq!(f.stdout.trim(), "[]");
    assert!(
        f.stderr.contains(&log.display().to_string())
            && f.stderr.contains("running without a log file"),
        "{}",
        f.stderr
    );
    // A file where the logs folder should be.
    let home = Home::new();
    std::fs::write(home.path().join("logs"), "x").unwrap();
    let mut c = Command::new(bin());
    c.env("MAILSHIFT_HOME", home.path())
        .args(["project", "template"])
        .stdin(Stdio::null());
    let f = run_within(c, 30);
    assert_eq!(f.code, 0, "{}", f.stderr);
    assert!(f.stdout.contains("src_type,"), "{}", f.stdout);
    assert!(
        f.stderr.contains("running without a log file"),
        "{}",
        f.stderr
    );
    fault_observed(
        "log file cannot be created",
        "a folder in its place, a file in place of logs/: no panic; one sentence naming the path; the command runs",
    );
}

/// The test binary runs itself as a child to look at a process that called
/// `core_dumps::forbid` (what `main` does first), without changing this one.
#[test]
fn core_dumps_are_forbidden_probe() {
    if std::env::var_os("MAILSHIFT_CORE_DUMP_PROBE").is_none() {
        return;
    }
    assert!(mailshift::core_dumps::dumpable(), "dumpable before");
    mailshift::core_dumps::forbid().unwrap();
    assert!(!mailshift::core_dumps::dumpable(), "PR_GET_DUMPABLE is 0");
    assert_eq!(mailshift::core_dumps::core_limit(), (0, 0));
    println!("PROBE-OK");
}

/// FAULTS: core dumps
#[test]
fn core_dumps_are_forbidden() {
    // In a child: PR_GET_DUMPABLE after forbid().
    let me = std::env::current_exe().unwrap();
    let out = Command::new(me)
        .env("MAILSHIFT_CORE_DUMP_PROBE", "1")
        .args(["--exact", "core_dumps_are_forbidden_probe", "--nocapture"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("PROBE-OK"), "{text}");

    // The real binary, blocked opening a named pipe: its core limit is 0.
    let home = Home::new();
    let fifo = home.path().join("accounts.csv");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let mut child = Command::new(bin())
        .env("MAILSHIFT_HOME", home.path())
        .args(["project", "import", fifo.to_str().unwrap(), "--check"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let limits = loop {
        let l = std::fs::read_to_string(format!("/proc/{}/limits", child.id())).unwrap();
        let core = l
            .lines()
            .find(|x| x.starts_with("Max core file size"))
            .unwrap()
            .to_string();
        let cols: Vec<&str> = core.split_whitespace().collect();
        if (cols[4], cols[5]) == ("0", "0") || Instant::now() > deadline {
            break core;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // Unblock the child (it reads an empty project and exits).
    drop(std::fs::OpenOptions::new().write(true).open(&fifo));
    let _ = child.wait();
    let cols: Vec<&str> = limits.split_whitespace().collect();
    assert_eq!((cols[4], cols[5]), ("0", "0"), "{limits}");
    fault_observed(
        "core dumps",
        "PR_GET_DUMPABLE 0 after start-up, RLIMIT_CORE 0/0 (seen in /proc/PID/limits of the binary)",
    );
}

/// FAULTS: hostile password references (exit 2)
#[test]
fn password_files_that_are_devices_or_outside_the_csv_folder_are_refused() {
    let home = Home::new();
    // --src-password-file /dev/zero: refused at once, not read forever.
    let mut c = migrate_ports(home.path(), (1, "john"), (2, "mary"), &[]);
    c.env_remove("MAILSHIFT_SRC_PASSWORD")
        .args(["--src-password-file", "/dev/zero"]);
    let f = run_within(c, 30);
    assert_eq!(f.code, 2, "{}", f.stderr);
    assert!(
        f.stderr.contains("/dev/zero") && f.stderr.contains("not a regular file"),
        "{}",
        f.stderr
    );
    // A project whose password reference leaves the CSV's folder.
    let project = home.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(home.path().join("api-token.txt"), "Api-Token-7741").unwrap();
    let csv = project.join("accounts.csv");
    std::fs::write(
        &csv,
        "src_type,src_host,src_port,src_security,src_login,src_password,dst_type,dst_host,dst_port,dst_security,dst_login,dst_password,options,notify\n\
         imap,a.example,,,u1,file:../api-token.txt,imap,b.example,,,u2,file:/dev/zero,,\n",
    )
    .unwrap();
    let check = |extra: &[&str]| {
        let mut c = Command::new(bin());
        c.env("MAILSHIFT_HOME", home.path())
            .args(["project", "import", csv.to_str().unwrap(), "--check"])
            .args(extra)
            .stdin(Stdio::null());
        run_within(c, 30)
    };
    let f = check(&[]);
    assert_eq!(f.code, 2, "{}", f.stderr);
    assert!(
        f.stderr.contains("line 2, src_password")
            && f.stderr.contains("../api-token.txt")
            && f.stderr.contains("--allow-password-files-anywhere"),
        "{}",
        f.stderr
    );
    let f = check(&["--allow-password-files-anywhere"]);
    assert_eq!(f.code, 2, "{}", f.stderr);
    assert!(
        !f.stderr.contains("src_password")
            && f.stderr.contains("line 2, dst_password")
            && f.stderr.contains("/dev/zero"),
        "{}",
        f.stderr
    );
    assert!(!f.stderr.contains("Api-Token-7741"));
    fault_observed(
        "hostile password references",
        "file:../x refused (row, column, path named) unless --allow-password-files-anywhere; /dev/zero refused at once as a CSV reference and as --src-password-file",
    );
}
