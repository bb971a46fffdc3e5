//! The real binary in a pseudo-terminal (tmux) against the real sandbox, across
//! restarts: a task migrated earlier rolls back from the dashboard (`t`, `b`) and the
//! destination is checked over IMAP; a domain added to a platform turns OK once the
//! platform has set it up, while its DNS is still red.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use mailshift_panel::DEMO_PASSWORD;
use mailshift_sandbox::{Sandbox, SandboxOptions};
use support::{bin, run, Home, MailboxSnapshot, Oracle};

const SESSION: &str = "mailshift";
const LONG: Duration = Duration::from_secs(90);

/// A tmux server of our own (its socket in a temp dir), killed on drop.
struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("-f")
            .arg("/dev/null")
            .args(args)
            .env_remove("TMUX")
            .output()
            .expect("run tmux")
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", SESSION];
        args.extend_from_slice(keys);
        let out = self.cmd(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn text(&self, text: &str) {
        let out = self.cmd(&["send-keys", "-t", SESSION, "-l", text]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", SESSION]).stdout)
            .into_owned()
    }

    /// Wait until some screen line satisfies `ok`; panics with the screen after `timeout`.
    fn wait_line(&self, what: &str, timeout: Duration, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.lines().any(&ok) {
                return screen;
            }
            if start.elapsed() > timeout {
                panic!("{what} did not show within {timeout:?}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_for(&self, what: &str, timeout: Duration) -> String {
        self.wait_line(&format!("'{what}'"), timeout, |l| l.contains(what))
    }

    /// Start the panel on the data dir `data` with `env`; its exit status goes to `status`.
    fn panel(home: &Home, data: &Path, env: &str, status: &Path) -> Tmux {
        let script = home.path().join("run.sh");
        let quote = |p: &Path| format!("'{}'", p.display());
        std::fs::write(
            &script,
            format!(
                "MAILSHIFT_HOME={} {env} NO_COLOR=1 {}\necho $? > {}\n",
                quote(data),
                quote(&bin()),
                quote(status)
            ),
        )
        .unwrap();
        let tmux = Tmux {
            socket: home.path().join("tmux.sock"),
        };
        let script_arg = script.display().to_string();
        let out = tmux.cmd(&[
            "new-session",
            "-d",
            "-s",
            SESSION,
            "-x",
            "120",
            "-y",
            "36",
            "sh",
            &script_arg,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        tmux
    }

    /// Quit with q and wait for the exit status.
    fn quit(&self, status: &Path) {
        self.keys(&["q"]);
        let code = wait_for_file(status, LONG)
            .unwrap_or_else(|| panic!("mailshift did not quit; the screen:\n{}", self.screen()));
        assert_eq!(code.trim(), "0", "exit status");
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

fn tmux_available() -> bool {
    let found = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("tmux is not installed: .ci/run should have installed it");
        }
        eprintln!("SKIPPED: tmux is not installed here (apt-get install tmux)");
    }
    found
}

fn wait_for_file(path: &Path, timeout: Duration) -> Option<String> {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if let Ok(s) = std::fs::read_to_string(path) {
            if s.ends_with('\n') {
                return Some(s);
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}

fn snap(port: u16, user: &str) -> MailboxSnapshot {
    let mut o = Oracle::login("127.0.0.1", port, user, DEMO_PASSWORD).expect("login");
    o.snapshot().expect("snapshot")
}

#[test]
fn a_task_migrated_earlier_rolls_back_from_the_dashboard() {
    if !tmux_available() {
        return;
    }
    let home = Home::new();
    let data = home.path().join("data");
    let status = home.path().join("status");
    // Migrate with the CLI while a sandbox runs on this data dir, then stop it.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let opts = SandboxOptions {
        clock_factor: 0.0,
        ..SandboxOptions::default()
    };
    let sb = rt.block_on(Sandbox::start(&data, opts)).expect("sandbox");
    let port = |service: &str| {
        let id = sb.panel().platform_by_service(service).unwrap().id;
        sb.imap_addr(id).unwrap().port()
    };
    let (mx, ex) = (port("mxplan-7f3e21"), port("exchange-ab12cd"));
    let (src, dst) = ("john.smith@example.com", "claire.moreau@example.org");
    let before = snap(ex, dst);
    let (mx_p, ex_p) = (mx.to_string(), ex.to_string());
    let mut c = Command::new(bin());
    c.env("MAILSHIFT_HOME", &data)
        .env("MAILSHIFT_SRC_PASSWORD", DEMO_PASSWORD)
        .env("MAILSHIFT_DST_PASSWORD", DEMO_PASSWORD)
        .env_remove("MAILSHIFT_LOG")
        .args([
            "migrate",
            "--src-host",
            "127.0.0.1",
            "--src-port",
            &mx_p,
            "--src-security",
            "none",
            "--src-user",
            src,
            "--dst-host",
            "127.0.0.1",
            "--dst-port",
            &ex_p,
            "--dst-security",
            "none",
            "--dst-user",
            dst,
            "--json",
        ])
        .stdin(Stdio::null());
    let first = run(c);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let copied = first.json["copied"].as_u64().expect("copied");
    assert!(copied > 0);
    rt.block_on(sb.shutdown());

    // The panel starts the sandbox again on the same ports; the dashboard rolls back.
    let tmux = Tmux::panel(&home, &data, "", &status);
    tmux.wait_for("mxplan-7f3e21", LONG);
    tmux.keys(&["t"]);
    tmux.wait_for("finished", LONG);
    tmux.keys(&["b"]);
    tmux.wait_for("Roll back", LONG);
    // The demo password is known to the sandbox: the field comes filled in.
    tmux.keys(&["Enter"]);
    let want = format!("rolled back: {copied} messages");
    let s = tmux.wait_for(&want, LONG);
    assert!(!s.contains("kept"), "nothing the task added is kept:\n{s}");
    // From outside, while the panel hosts the sandbox: the destination is as before.
    assert_eq!(snap(ex, dst), before);
    tmux.quit(&status);
}

#[test]
fn a_domain_added_in_the_panel_turns_ok_once_the_platform_set_it_up() {
    if !tmux_available() {
        return;
    }
    let home = Home::new();
    let data = home.path().join("data");
    let status = home.path().join("status");
    // Four simulated hours: about 10 s at the panel's clock (x1440).
    let tmux = Tmux::panel(
        &home,
        &data,
        "MAILSHIFT_SANDBOX_DOMAIN_SETUP_SECS=14400",
        &status,
    );
    tmux.wait_for("exchange-ab12cd", LONG);
    // Exchange is the second platform: open it, focus its domains table, add one.
    tmux.keys(&["Down"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Associated domains (2)", LONG);
    tmux.keys(&["Right"]);
    tmux.keys(&["a"]);
    tmux.wait_for("Add a domain", LONG);
    tmux.text("newdomain.test");
    tmux.keys(&["Enter"]);
    let row = |l: &str| l.contains("newdomain.test");
    let s = tmux.wait_line("the new domain, pending", LONG, |l| {
        row(l) && l.contains("pending")
    });
    assert!(s.contains("Associated domains (3)"), "{s}");
    let s = tmux.wait_line("the new domain, OK", LONG, |l| row(l) && l.contains(" OK "));
    // Its DNS is not set up at all: the status does not wait on it.
    let line = s.lines().find(|l| row(l)).unwrap();
    assert!(
        line.contains("red"),
        "DNS stays red in its own column: {line}"
    );
    tmux.quit(&status);

    // The status is kept across a restart.
    let _ = std::fs::remove_file(&status);
    drop(tmux);
    let tmux = Tmux::panel(&home, &data, "", &status);
    tmux.wait_for("exchange-ab12cd", LONG);
    tmux.keys(&["Down"]);
    tmux.keys(&["Enter"]);
    tmux.wait_line("the new domain, OK after the restart", LONG, |l| {
        row(l) && l.contains(" OK ")
    });
    tmux.quit(&status);
}
