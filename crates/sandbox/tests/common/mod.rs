//! Test support: a sandbox server on 127.0.0.1:0 over a temporary store and
//! a tiny raw IMAP client that reads responses (with literals) under a timeout.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use mailshift_sandbox::{Directory, MailStore, SandboxImap, SandboxImapHandle, ServerConfig};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;

pub const LOGIN: &str = "john@example.net";
pub const PASSWORD: &str = "correct horse";
pub const STEP: Duration = Duration::from_secs(10);

pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub store: Arc<MailStore>,
    pub directory: Arc<Directory>,
    pub server: SandboxImapHandle,
}

impl Sandbox {
    pub async fn start() -> Self {
        Self::start_with(ServerConfig::default()).await
    }

    pub async fn start_with(config: ServerConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(MailStore::open(dir.path().join("mail")).unwrap());
        store.create_account(LOGIN).unwrap();
        let directory = Arc::new(Directory::new());
        directory.set_password(LOGIN, PASSWORD);
        let server = SandboxImap::start_with(
            store.clone(),
            directory.clone(),
            "127.0.0.1:0",
            "Test",
            config,
        )
        .await
        .unwrap();
        Self {
            dir,
            store,
            directory,
            server,
        }
    }

    pub async fn client(&self) -> Client {
        Client::connect(self.server.local_addr()).await
    }

    pub async fn logged_in(&self) -> Client {
        let mut c = self.client().await;
        let r = c.cmd(&format!("LOGIN \"{LOGIN}\" \"{PASSWORD}\"")).await;
        assert!(r.ok(), "login failed: {}", r.text());
        c
    }
}

pub struct Client {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
    next_tag: u32,
    pub greeting: String,
}

/// Everything a command got back: untagged lines (literals inline) and the tagged line.
pub struct Answer {
    pub untagged: Vec<Vec<u8>>,
    pub tagged: String,
}

impl Answer {
    pub fn ok(&self) -> bool {
        self.tagged.split(' ').nth(1) == Some("OK")
    }
    pub fn status(&self) -> &str {
        self.tagged.split(' ').nth(1).unwrap_or("")
    }
    pub fn text(&self) -> String {
        let mut all = String::new();
        for u in &self.untagged {
            all.push_str(&String::from_utf8_lossy(u));
        }
        all.push_str(&self.tagged);
        all
    }
}

impl Client {
    pub async fn connect(addr: std::net::SocketAddr) -> Self {
        let stream = timeout(STEP, TcpStream::connect(addr))
            .await
            .unwrap()
            .unwrap();
        let (r, w) = stream.into_split();
        let mut c = Self {
            reader: BufReader::new(r),
            writer: w,
            next_tag: 1,
            greeting: String::new(),
        };
        c.greeting =
            String::from_utf8_lossy(&c.read_response().await.expect("greeting")).into_owned();
        c
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        timeout(STEP, self.writer.write_all(bytes))
            .await
            .unwrap()
            .unwrap();
    }

    /// One response line with any literals it carries; `None` on EOF.
    pub async fn read_response(&mut self) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        loop {
            let mut line = Vec::new();
            let n = timeout(STEP, self.reader.read_until(b'\n', &mut line))
                .await
                .expect("server answered within the time limit")
                .ok()?;
            if n == 0 {
                return if out.is_empty() { None } else { Some(out) };
            }
            out.extend_from_slice(&line);
            let trimmed = line.strip_suffix(b"\r\n").unwrap_or(&line);
            if let Some(open) = trimmed.iter().rposition(|&b| b == b'{') {
                if trimmed.ends_with(b"}") {
                    if let Ok(n) = std::str::from_utf8(&trimmed[open + 1..trimmed.len() - 1])
                        .unwrap_or("x")
                        .parse::<usize>()
                    {
                        let mut lit = vec![0; n];
                        timeout(STEP, self.reader.read_exact(&mut lit))
                            .await
                            .unwrap()
                            .ok()?;
                        out.extend_from_slice(&lit);
                        continue;
                    }
                }
            }
            return Some(out);
        }
    }

    pub fn tag(&mut self) -> String {
        let t = format!("t{}", self.next_tag);
        self.next_tag += 1;
        t
    }

    /// Reads until the line tagged `tag`.
    pub async fn read_until_tagged(&mut self, tag: &str) -> Answer {
        let mut untagged = Vec::new();
        loop {
            let line = self
                .read_response()
                .await
                .expect("connection closed before the tagged answer");
            if line.starts_with(format!("{tag} ").as_bytes()) {
                return Answer {
                    untagged,
                    tagged: String::from_utf8_lossy(&line).trim_end().to_string(),
                };
            }
            untagged.push(line);
        }
    }

    pub async fn cmd(&mut self, command: &str) -> Answer {
        let tag = self.tag();
        self.send_raw(format!("{tag} {command}\r\n").as_bytes())
            .await;
        self.read_until_tagged(&tag).await
    }

    /// APPEND with a LITERAL+ literal.
    pub async fn append(&mut self, folder: &str, flags: &str, message: &[u8]) -> Answer {
        let tag = self.tag();
        let mut bytes = format!(
            "{tag} APPEND \"{folder}\" ({flags}) {{{}+}}\r\n",
            message.len()
        )
        .into_bytes();
        bytes.extend_from_slice(message);
        bytes.extend_from_slice(b"\r\n");
        self.send_raw(&bytes).await;
        self.read_until_tagged(&tag).await
    }
}

/// `[APPENDUID v u]` of a tagged answer.
pub fn appenduid(answer: &Answer) -> (u32, u32) {
    let start = answer
        .tagged
        .find("[APPENDUID ")
        .expect("APPENDUID in the answer")
        + 11;
    let rest = &answer.tagged[start..];
    let end = rest.find(']').unwrap();
    let mut parts = rest[..end].split(' ').map(|p| p.parse::<u32>().unwrap());
    (parts.next().unwrap(), parts.next().unwrap())
}

pub fn message(n: usize) -> Vec<u8> {
    format!(
        "From: alice@example.org\r\nTo: john@example.net\r\nSubject: test {n}\r\nMessage-ID: <{n}@example.org>\r\n\r\nHello number {n}.\r\n"
    )
    .into_bytes()
}
