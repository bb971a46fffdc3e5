//! Every listener of the sandbox serves a bounded number of connections at once and
//! turns the next one away with its protocol's answer (IMAP and ManageSieve have theirs
//! in `imap_limits.rs` and `sieve_limits.rs`): SMTP `421`, DAV `503`.

use std::sync::Arc;
use std::time::Duration;

use mailshift_sandbox::{dav, Directory, GroupwareStore, Mailbox, SandboxSmtp, SmtpConfig};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::time::timeout;

const STEP: Duration = Duration::from_secs(10);

struct Drop;

impl Mailbox for Drop {
    fn deliver(&self, _rcpt: &str, _raw: &[u8]) -> Result<(), String> {
        Ok(())
    }
}

/// What the server sends before it closes (or the first 4 KiB).
async fn first_words(addr: std::net::SocketAddr) -> String {
    let mut s = timeout(STEP, TcpStream::connect(addr))
        .await
        .unwrap()
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = timeout(STEP, s.read(&mut buf)).await.unwrap().unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[tokio::test]
async fn smtp_answers_421_beyond_its_connections() {
    let config = SmtpConfig {
        starttls: false,
        max_connections: 1,
        ..SmtpConfig::default()
    };
    let handle = SandboxSmtp::start("127.0.0.1:0".parse().unwrap(), Arc::new(Drop), None, config)
        .await
        .unwrap();
    let first = first_words(handle.local_addr()).await;
    assert!(first.starts_with("220 "), "{first}");
    let _held = TcpStream::connect(handle.local_addr()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut refused = String::new();
    // The first connection's slot is given back once the server sees it closed.
    for _ in 0..20 {
        refused = first_words(handle.local_addr()).await;
        if refused.starts_with("421 ") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        refused.starts_with("421 4.7.0 Too many connections"),
        "{refused}"
    );
}

#[tokio::test]
async fn dav_answers_503_beyond_its_connections() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(GroupwareStore::open(dir.path().join("groupware")).unwrap());
    let handle = dav::start_with(store, Arc::new(Directory::new()), "127.0.0.1:0", 1)
        .await
        .unwrap();
    let _held = TcpStream::connect(handle.local_addr()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let refused = first_words(handle.local_addr()).await;
    assert!(refused.starts_with("HTTP/1.1 503 "), "{refused}");
    assert!(refused.ends_with("Too many connections\n"), "{refused}");
}
