//! The real binary in a pseudo-terminal: a tmux server of the test's own (its socket
//! in a temp dir), driven with send-keys and read with capture-pane.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The tmux session every pty test runs the panel in.
pub const SESSION: &str = "mailshift";

/// A tmux server of our own, killed on drop.
pub struct Tmux {
    pub socket: PathBuf,
}

impl Tmux {
    /// A tmux server whose socket lives in `dir`.
    pub fn in_dir(dir: &Path) -> Tmux {
        Tmux {
            socket: dir.join("tmux.sock"),
        }
    }

    /// Run the real binary in a new `width`x`height` session through the shell script
    /// `script`, with MAILSHIFT_HOME=`data`, the assignments in `env` and NO_COLOR=1;
    /// its exit status is written to `status` when it ends.
    pub fn launch(&self, script: &Path, data: &Path, env: &str, status: &Path, size: (u16, u16)) {
        let quote = |p: &Path| format!("'{}'", p.display());
        std::fs::write(
            script,
            format!(
                "MAILSHIFT_HOME={} {env} NO_COLOR=1 {}\necho $? > {}\n",
                quote(data),
                quote(&super::bin()),
                quote(status)
            ),
        )
        .unwrap();
        let (width, height) = (size.0.to_string(), size.1.to_string());
        let script_arg = script.display().to_string();
        let out = self.cmd(&[
            "new-session",
            "-d",
            "-s",
            SESSION,
            "-x",
            &width,
            "-y",
            &height,
            "sh",
            &script_arg,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn cmd(&self, args: &[&str]) -> Output {
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

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", SESSION];
        args.extend_from_slice(keys);
        let out = self.cmd(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn text(&self, text: &str) {
        let out = self.cmd(&["send-keys", "-t", SESSION, "-l", text]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", SESSION]).stdout)
            .into_owned()
    }

    /// Wait until some screen line satisfies `ok`; panics with the screen after `timeout`.
    pub fn wait_line(&self, what: &str, timeout: Duration, ok: impl Fn(&str) -> bool) -> String {
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

    /// Wait until the screen shows `what`; panics with the screen after `timeout`.
    pub fn wait_for(&self, what: &str, timeout: Duration) -> String {
        self.wait_line(&format!("'{what}'"), timeout, |l| l.contains(what))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

/// Whether tmux is here (`mailshift_testkit::require`: a skip said aloud, a failure under CI).
pub fn tmux_available() -> bool {
    let found = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    mailshift_testkit::require(found, "tmux", "apt-get install tmux")
}

/// The file's text once it ends with a newline (a whole line was written), or None
/// after `timeout`.
pub fn wait_for_file(path: &Path, timeout: Duration) -> Option<String> {
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
