//! Handing a running task to a detached `mailshift` process: it runs
//! `mailshift resume ID --secrets-stdin` in its own session, reads the two secrets
//! from a pipe, and logs to the state dir like any mailshift process.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::spec::Credentials;

/// Start the child for `id`; returns its pid.
pub(crate) fn spawn_child(state_dir: &Path, id: &str, creds: &Credentials) -> Result<u32, String> {
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot find the mailshift program: {e}"))?;
    let mut cmd = Command::new(exe);
    cmd.arg("resume")
        .arg(id)
        .arg("--secrets-stdin")
        .env("MAILSHIFT_HOME", state_dir)
        // The child hosts the sandbox (if the task's endpoints are the sandbox's)
        // once this process has let go of it: the panel's sandbox stops with it.
        .env("MAILSHIFT_HOST_SANDBOX", "1")
        .env_remove("MAILSHIFT_SRC_PASSWORD")
        .env_remove("MAILSHIFT_DST_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: setsid is async-signal-safe; the child leaves our session so the
    // terminal closing does not stop it.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start a background mailshift: {e}"))?;
    let pid = child.id();
    if let Some(mut stdin) = child.stdin.take() {
        let payload = format!(
            "{}\n{}\n",
            creds.source.expose(),
            creds.destination.expose()
        );
        stdin
            .write_all(payload.as_bytes())
            .map_err(|e| format!("cannot pass the secrets to the background mailshift: {e}"))?;
    }
    tracing::info!(task = %id, pid, "handed over to a background process");
    Ok(pid)
}
