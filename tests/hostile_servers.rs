//! Servers whose answers never end: mailshift stops them with a sentence,
//! in bounded time and memory, never following them until memory runs out.
//! The hostile server is a few lines of std TCP on 127.0.0.1 (no real
//! server misbehaves this way on purpose).

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Stdio;
use std::time::{Duration, Instant};

use support::*;

/// What the endless server sends forever.
#[derive(Clone, Copy)]
enum Endless {
    List,
    UidListing,
}

/// Serve every connection: log in, then answer `what` without end.
fn endless_server(what: Endless) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = serve(conn, what);
            });
        }
    });
    port
}

fn serve(conn: TcpStream, what: Endless) -> std::io::Result<()> {
    conn.set_write_timeout(Some(Duration::from_secs(30)))?;
    let mut out = conn.try_clone()?;
    let mut lines = BufReader::new(conn);
    out.write_all(b"* OK [CAPABILITY IMAP4rev1 LITERAL+] endless\r\n")?;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.trim_end().splitn(3, ' ');
        let tag = parts.next().unwrap_or("*").to_string();
        let cmd = parts.next().unwrap_or("").to_ascii_uppercase();
        let rest = parts.next().unwrap_or("").to_ascii_uppercase();
        match (cmd.as_str(), what) {
            ("CAPABILITY", _) => {
                out.write_all(b"* CAPABILITY IMAP4rev1 LITERAL+\r\n")?;
                out.write_all(format!("{tag} OK done\r\n").as_bytes())?;
            }
            ("LOGIN", _) => out.write_all(format!("{tag} OK logged in\r\n").as_bytes())?,
            ("LOGOUT", _) => {
                out.write_all(format!("* BYE\r\n{tag} OK bye\r\n").as_bytes())?;
                return Ok(());
            }
            ("LIST", Endless::List) => {
                let mut n = 0u64;
                loop {
                    let mut chunk = String::new();
                    for _ in 0..1000 {
                        n += 1;
                        chunk.push_str(&format!("* LIST () \"/\" \"folder-{n}\"\r\n"));
                    }
                    out.write_all(chunk.as_bytes())?;
                }
            }
            ("LIST", Endless::UidListing) => {
                out.write_all(b"* LIST () \"/\" INBOX\r\n")?;
                out.write_all(format!("{tag} OK done\r\n").as_bytes())?;
            }
            ("STATUS", _) => {
                out.write_all(b"* STATUS INBOX (MESSAGES 3 UIDNEXT 4 UIDVALIDITY 7)\r\n")?;
                out.write_all(format!("{tag} OK done\r\n").as_bytes())?;
            }
            ("SELECT" | "EXAMINE", _) => {
                out.write_all(
                    b"* 3 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 7] x\r\n* OK [UIDNEXT 4] x\r\n* FLAGS (\\Seen)\r\n",
                )?;
                out.write_all(format!("{tag} OK [READ-ONLY] done\r\n").as_bytes())?;
            }
            ("UID", Endless::UidListing) if rest.starts_with("FETCH") => {
                let mut n = 0u64;
                loop {
                    let mut chunk = String::new();
                    for _ in 0..1000 {
                        n += 1;
                        chunk.push_str(&format!("* {n} FETCH (UID {n} RFC822.SIZE 100)\r\n"));
                    }
                    out.write_all(chunk.as_bytes())?;
                }
            }
            _ => out.write_all(format!("{tag} OK fine\r\n").as_bytes())?,
        }
    }
}

/// Run mailshift against the endless source; the peak RSS it reached (KiB).
fn run_and_watch(src_port: u16, dst: &Dovecot) -> (Finished, u64) {
    let home = Home::new();
    let mut c = migrate_ports(
        home.path(),
        (src_port, "john"),
        (dst.port(), "john"),
        &["--timeout-secs", "20"],
    );
    let child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let watcher = {
        let peak = peak.clone();
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            while Instant::now() < deadline {
                let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
                    return;
                };
                if let Some(kb) = s
                    .lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse::<u64>().ok())
                {
                    peak.fetch_max(kb, std::sync::atomic::Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let out = child.wait_with_output().unwrap();
    let _ = watcher.join();
    (
        Finished {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into(),
            stderr: String::from_utf8_lossy(&out.stderr).into(),
        },
        peak.load(std::sync::atomic::Ordering::Relaxed),
    )
}

/// FAULTS: endless LIST answer (exit 1)
#[test]
fn a_list_answer_without_end_is_refused_in_bounded_memory() {
    let Some(dst) = dovecot(layout(Layout::Slash)) else {
        return;
    };
    dst.add_user("john", PASS).unwrap();
    let port = endless_server(Endless::List);
    let t = Instant::now();
    let (f, peak_kib) = run_and_watch(port, &dst);
    eprintln!(
        "endless LIST: exit {} after {:?}, peak RSS {peak_kib} KiB",
        f.code,
        t.elapsed()
    );
    assert_eq!(f.code, 1, "{} {}", f.stderr, f.stdout);
    assert!(
        f.stderr.contains("more than 100000 folders")
            || f.stdout.contains("more than 100000 folders"),
        "{} {}",
        f.stderr,
        f.stdout
    );
    assert!(
        peak_kib < 400 * 1024,
        "memory stayed bounded: {peak_kib} KiB"
    );
    assert!(snapshot(&dst, "john").total_messages() == 0);
}

/// FAULTS: endless UID listing (exit 5)
#[test]
fn a_uid_listing_without_end_is_refused_in_bounded_memory() {
    let Some(dst) = dovecot(layout(Layout::Slash)) else {
        return;
    };
    dst.add_user("john", PASS).unwrap();
    let port = endless_server(Endless::UidListing);
    let (f, peak_kib) = run_and_watch(port, &dst);
    eprintln!(
        "endless UID listing: exit {}, peak RSS {peak_kib} KiB",
        f.code
    );
    assert_eq!(f.code, 5, "{} {}", f.stderr, f.stdout);
    assert!(
        f.stderr.contains("mailshift stops there") || f.stdout.contains("mailshift stops there"),
        "{} {}",
        f.stderr,
        f.stdout
    );
    assert!(
        peak_kib < 400 * 1024,
        "memory stayed bounded: {peak_kib} KiB"
    );
}
