//! What the ManageSieve server takes before login (credentials only: large or chained
//! literals close the connection unread), how many clients it serves at once, and that a
//! client's mistake (a script name too long) is answered as one, not as a server fault.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use mailshift_sandbox::{sieve, Directory, GroupwareStore};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;

const LOGIN: &str = "lucas@example.org";
const PASSWORD: &str = "secret words";
const STEP: Duration = Duration::from_secs(10);

struct Server {
    _dir: tempfile::TempDir,
    handle: sieve::SandboxSieveHandle,
}

async fn start(max_connections: usize) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(GroupwareStore::open(dir.path().join("groupware")).unwrap());
    store.create_account(LOGIN).unwrap();
    let directory = Arc::new(Directory::new());
    directory.set_password(LOGIN, PASSWORD);
    let handle = sieve::start_with(store, directory, "127.0.0.1:0", max_connections)
        .await
        .unwrap();
    Server { _dir: dir, handle }
}

struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    async fn connect(server: &Server) -> (Client, String) {
        let s = timeout(STEP, TcpStream::connect(server.handle.local_addr()))
            .await
            .unwrap()
            .unwrap();
        let mut c = Client {
            reader: BufReader::new(s),
        };
        let greeting = c.answer().await;
        (c, greeting)
    }

    async fn send(&mut self, bytes: &[u8]) {
        // The server may close before taking everything: that is what some tests expect.
        let _ = timeout(STEP, self.reader.get_mut().write_all(bytes)).await;
    }

    /// Lines up to the final OK / NO / BYE (or the close).
    async fn answer(&mut self) -> String {
        let mut out = String::new();
        loop {
            let mut line = String::new();
            let n = timeout(STEP, self.reader.read_line(&mut line))
                .await
                .expect("the server answers in time")
                .unwrap_or(0);
            if n == 0 {
                return out;
            }
            out.push_str(&line);
            if ["OK", "NO", "BYE"].iter().any(|w| line.starts_with(w)) {
                return out;
            }
        }
    }

    async fn closed(&mut self) -> bool {
        let mut rest = String::new();
        matches!(
            timeout(STEP, self.reader.read_line(&mut rest)).await,
            Ok(Ok(0)) | Ok(Err(_))
        )
    }

    async fn login(&mut self) {
        let plain =
            base64::engine::general_purpose::STANDARD.encode(format!("\0{LOGIN}\0{PASSWORD}"));
        self.send(format!("AUTHENTICATE \"PLAIN\" \"{plain}\"\r\n").as_bytes())
            .await;
        let answer = self.answer().await;
        assert!(answer.starts_with("OK"), "{answer}");
    }
}

#[tokio::test]
async fn a_large_literal_before_login_ends_the_session_unread() {
    let server = start(10).await;
    let (mut c, _) = Client::connect(&server).await;
    c.send(b"AUTHENTICATE \"PLAIN\" {2097152+}\r\n").await;
    let answer = c.answer().await;
    assert!(answer.starts_with("BYE"), "{answer}");
    assert!(answer.contains("before login"), "{answer}");
    assert!(c.closed().await);
}

#[tokio::test]
async fn chained_literals_before_login_end_the_session() {
    let server = start(10).await;
    let (mut c, _) = Client::connect(&server).await;
    let mut chained = b"AUTHENTICATE".to_vec();
    for _ in 0..16 {
        chained.extend_from_slice(b" {1000+}\r\n");
        chained.extend(vec![b'x'; 1000]);
    }
    c.send(&chained).await;
    let answer = c.answer().await;
    assert!(answer.starts_with("BYE"), "{answer}");
    assert!(c.closed().await);
}

#[tokio::test]
async fn a_script_name_too_long_is_the_clients_mistake() {
    let server = start(10).await;
    let (mut c, _) = Client::connect(&server).await;
    c.login().await;
    // 150 characters, 300 bytes: within a count of characters, too long for a file name.
    let name = "é".repeat(150);
    c.send(format!("PUTSCRIPT \"{name}\" {{5+}}\r\nkeep;\r\n").as_bytes())
        .await;
    let answer = c.answer().await;
    assert!(answer.starts_with("NO"), "{answer}");
    assert!(answer.contains("script name too long"), "{answer}");
    assert!(
        !answer.contains("TRYLATER") && !answer.contains('/'),
        "{answer}"
    );
    // The session goes on.
    c.send(b"PUTSCRIPT \"ok\" {5+}\r\nkeep;\r\n").await;
    let answer = c.answer().await;
    assert!(answer.starts_with("OK"), "{answer}");
}

#[tokio::test]
async fn connections_beyond_the_limit_are_told_bye() {
    let server = start(1).await;
    let (_first, greeting) = Client::connect(&server).await;
    assert!(greeting.contains("OK"), "{greeting}");
    let (mut second, greeting) = Client::connect(&server).await;
    assert!(
        greeting.starts_with("BYE \"Too many connections\""),
        "{greeting}"
    );
    assert!(second.closed().await);
}
