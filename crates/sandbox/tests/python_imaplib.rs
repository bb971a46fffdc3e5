//! Proof that a client library other than ours speaks to the sandbox:
//! Python's imaplib logs in, lists, creates, appends with flags and date,
//! selects, fetches the exact bytes back, stores flags and expunges.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_imaplib_round_trip() {
    let sb = Sandbox::start().await;
    let port = sb.server.local_addr().port();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/imaplib_client.py");
    let output = tokio::task::spawn_blocking(move || {
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .env("SANDBOX_LOGIN", LOGIN)
            .env("SANDBOX_PASSWORD", PASSWORD)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 is installed");
        let started = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "imaplib script failed\nstdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stdout.contains("all checks passed"), "{stdout}");
    // The message was expunged, the folder it was created in remains.
    assert_eq!(sb.store.status(LOGIN, "Projects/2024").unwrap().messages, 0);
}
