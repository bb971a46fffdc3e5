//! The sandbox's SMTP listener over real TCP on 127.0.0.1: the relay started with the
//! sandbox delivers into a sandbox account's INBOX and into the notifications mailbox
//! (readable over the sandbox IMAP), and the bare listener answers each protocol case
//! with the right code.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use mailshift_panel::{PlatformId, DEMO_PASSWORD};
use mailshift_sandbox::{
    Mailbox, RelayLogin, Sandbox, SandboxOptions, SandboxSmtp, SmtpConfig, NOTIFICATIONS_LOGIN,
};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;

const STEP: Duration = Duration::from_secs(10);
const JOHN: &str = "john.smith@example.com";
const MXPLAN: PlatformId = PlatformId(1);

/// A line-at-a-time SMTP client that returns each full (multi-line) reply.
struct Smtp {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
    greeting: String,
}

impl Smtp {
    async fn connect(addr: std::net::SocketAddr) -> Smtp {
        let socket = timeout(STEP, TcpStream::connect(addr))
            .await
            .unwrap()
            .unwrap();
        let (r, w) = socket.into_split();
        let mut c = Smtp {
            reader: BufReader::new(r),
            writer: w,
            greeting: String::new(),
        };
        c.greeting = c.reply().await;
        c
    }

    async fn reply(&mut self) -> String {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            let n = timeout(STEP, self.reader.read_line(&mut line))
                .await
                .expect("the server answers in time")
                .unwrap();
            if n == 0 {
                return all;
            }
            all.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return all;
            }
        }
    }

    async fn send(&mut self, raw: &[u8]) {
        timeout(STEP, self.writer.write_all(raw))
            .await
            .unwrap()
            .unwrap();
    }

    async fn cmd(&mut self, line: &str) -> String {
        self.send(format!("{line}\r\n").as_bytes()).await;
        self.reply().await
    }

    async fn login(&mut self, user: &str, password: &str) -> String {
        let token = STANDARD.encode(format!("\0{user}\0{password}"));
        self.cmd(&format!("AUTH PLAIN {token}")).await
    }
}

fn code(reply: &str) -> &str {
    reply.get(..3).unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_relay_delivers_to_accounts_and_to_the_notifications_mailbox() {
    let home = tempfile::tempdir().unwrap();
    let opts = SandboxOptions {
        clock_factor: 0.0,
        ..SandboxOptions::default()
    };
    let sb = timeout(Duration::from_secs(120), Sandbox::start(home.path(), opts))
        .await
        .unwrap()
        .unwrap();
    let store = sb.mail_store(MXPLAN).unwrap().clone();
    let before = store.status(JOHN, "INBOX").unwrap().messages;

    let relay = sb.smtp_relay();
    assert_eq!(relay.host, "127.0.0.1");
    assert_eq!(relay.port, sb.smtp_addr().port());
    assert_eq!(
        sb.smtp_credential(),
        (relay.user.clone(), relay.password.clone())
    );
    assert!(!format!("{relay:?}").contains(&relay.password));
    assert!(relay
        .certificate_pem
        .starts_with("-----BEGIN CERTIFICATE-----"));
    let text = sb.endpoints_text();
    assert!(text.contains(&sb.smtp_addr().to_string()), "{text}");
    assert!(text.contains(NOTIFICATIONS_LOGIN), "{text}");
    assert!(
        !text.contains(&relay.password),
        "the relay password is not printed"
    );

    let mut c = Smtp::connect(sb.smtp_addr()).await;
    assert_eq!(code(&c.greeting), "220", "{}", c.greeting);
    assert_eq!(code(&c.cmd("EHLO test.client").await), "250");
    let r = c.cmd("MAIL FROM:<mailshift@sandbox.invalid>").await;
    assert_eq!(code(&r), "530", "a login comes first: {r}");
    let r = c.login(&relay.user, "wrong").await;
    assert_eq!(code(&r), "535", "{r}");
    let r = c.login(&relay.user, &relay.password).await;
    assert_eq!(code(&r), "235", "{r}");
    assert_eq!(
        code(&c.cmd("MAIL FROM:<mailshift@sandbox.invalid>").await),
        "250"
    );
    let r = c.cmd("RCPT TO:<nobody@example.com>").await;
    assert_eq!(code(&r), "550", "unknown user at a sandbox domain: {r}");
    assert_eq!(
        code(&c.cmd("RCPT TO:<John.Smith@Example.com>").await),
        "250"
    );
    assert_eq!(
        code(&c.cmd("RCPT TO:<ops@third-party.example>").await),
        "250"
    );
    assert_eq!(code(&c.cmd("DATA").await), "354");
    c.send(
        b"From: mailshift@sandbox.invalid\r\nTo: ops@third-party.example\r\n\
          Subject: Task T-7 finished\r\n\r\nAll mail copied.\r\n..dotted line\r\n.\r\n",
    )
    .await;
    let r = c.reply().await;
    assert_eq!(code(&r), "250", "{r}");
    assert_eq!(code(&c.cmd("QUIT").await), "221");

    // John's INBOX, through the store.
    let status = store.status(JOHN, "INBOX").unwrap();
    assert_eq!(status.messages, before + 1);
    let raw = store
        .read_message(JOHN, "INBOX", status.uid_next - 1)
        .unwrap();
    let raw = String::from_utf8(raw).unwrap();
    assert!(raw.contains("Subject: Task T-7 finished\r\n"), "{raw}");
    assert!(raw.contains("\r\n.dotted line\r\n"), "dot-unstuffed: {raw}");
    assert!(raw.starts_with("Return-Path: <mailshift@sandbox.invalid>\r\nReceived: "));

    // The third-party copy, through the sandbox IMAP with the demo password.
    let mut imap = common::Client::connect(sb.imap_addr(MXPLAN).unwrap()).await;
    let r = imap
        .cmd(&format!(
            "LOGIN \"{NOTIFICATIONS_LOGIN}\" \"{DEMO_PASSWORD}\""
        ))
        .await;
    assert!(r.ok(), "{}", r.text());
    let r = imap.cmd("SELECT INBOX").await;
    assert!(r.text().contains("* 1 EXISTS"), "{}", r.text());
    let r = imap.cmd("FETCH 1 BODY[]").await;
    assert!(r.ok(), "{}", r.text());
    assert!(
        r.text().contains("Subject: Task T-7 finished"),
        "{}",
        r.text()
    );
    assert!(r.text().contains("All mail copied."), "{}", r.text());
    sb.shutdown().await;
}

#[derive(Default)]
struct Kept(Mutex<Vec<Vec<u8>>>);

impl Mailbox for Kept {
    fn deliver(&self, _rcpt: &str, raw: &[u8]) -> Result<(), String> {
        self.0.lock().unwrap().push(raw.to_vec());
        Ok(())
    }
}

async fn bare(max_message_bytes: usize) -> (mailshift_sandbox::SandboxSmtpHandle, Arc<Kept>) {
    let kept = Arc::new(Kept::default());
    let config = SmtpConfig {
        max_message_bytes,
        idle_timeout: Duration::from_secs(2),
        ..SmtpConfig::default()
    };
    let login = Some(RelayLogin::new("u@x.y", "pw"));
    let handle = SandboxSmtp::start("127.0.0.1:0".parse().unwrap(), kept.clone(), login, config)
        .await
        .unwrap();
    (handle, kept)
}

#[tokio::test]
async fn protocol_cases_get_their_reply_codes() {
    let (handle, kept) = bare(200).await;
    let mut c = Smtp::connect(handle.local_addr()).await;
    assert_eq!(code(&c.cmd("MAIL FROM:<a@b.c>").await), "503", "EHLO first");
    let ehlo = c.cmd("EHLO me").await;
    for ext in [
        "250-SIZE 200",
        "250-STARTTLS",
        "250-AUTH PLAIN LOGIN",
        "250 HELP",
    ] {
        assert!(ehlo.contains(ext), "{ext} not in {ehlo}");
    }
    assert_eq!(code(&c.cmd("FROB").await), "500");
    assert_eq!(code(&c.cmd("MAIL FROM:nonsense").await), "501");
    assert_eq!(code(&c.cmd("NOOP").await), "250");
    // AUTH LOGIN, step by step.
    assert_eq!(c.cmd("AUTH LOGIN").await, "334 VXNlcm5hbWU6\r\n");
    assert_eq!(
        c.cmd(&STANDARD.encode("u@x.y")).await,
        "334 UGFzc3dvcmQ6\r\n"
    );
    assert_eq!(code(&c.cmd(&STANDARD.encode("pw")).await), "235");
    assert_eq!(code(&c.cmd("DATA").await), "503", "no transaction yet");
    let r = c.cmd("MAIL FROM:<a@b.c> SIZE=5000").await;
    assert_eq!(code(&r), "552", "announced size over the limit: {r}");
    assert_eq!(code(&c.cmd("MAIL FROM:<a@b.c>").await), "250");
    assert_eq!(code(&c.cmd("RCPT TO:<x@y.z>").await), "250");
    assert_eq!(code(&c.cmd("DATA").await), "354");
    let mut big = Vec::new();
    for _ in 0..30 {
        big.extend_from_slice(b"0123456789\r\n");
    }
    big.extend_from_slice(b".\r\n");
    c.send(&big).await;
    assert_eq!(code(&c.reply().await), "552", "too big after DATA");
    // The session goes on after a refused message, and RSET clears the transaction.
    assert_eq!(code(&c.cmd("MAIL FROM:<a@b.c>").await), "250");
    assert_eq!(code(&c.cmd("RSET").await), "250");
    assert_eq!(code(&c.cmd("RCPT TO:<x@y.z>").await), "503");
    let long = format!("NOOP {}", "x".repeat(10_000));
    assert_eq!(code(&c.cmd(&long).await), "500", "line too long");
    assert_eq!(code(&c.cmd("QUIT").await), "221");
    assert!(kept.0.lock().unwrap().is_empty());
    handle.shutdown().await;
}

#[tokio::test]
async fn hostile_clients_are_cut_off() {
    let (handle, _kept) = bare(200).await;
    // Three bad passwords and the server hangs up.
    let mut c = Smtp::connect(handle.local_addr()).await;
    c.cmd("EHLO me").await;
    for _ in 0..2 {
        assert_eq!(code(&c.login("u@x.y", "bad").await), "535");
    }
    assert_eq!(code(&c.login("u@x.y", "bad").await), "535");
    assert_eq!(code(&c.reply().await), "421", "then the server hangs up");
    assert_eq!(c.reply().await, "", "and closes the connection");

    // A silent client is dropped after the idle timeout (the read ends, no hang).
    let mut idle = Smtp::connect(handle.local_addr()).await;
    assert_eq!(idle.reply().await, "", "connection closed by the server");

    // Plain text pipelined after STARTTLS is dropped, not run inside TLS.
    let mut p = Smtp::connect(handle.local_addr()).await;
    p.cmd("EHLO me").await;
    let r = p.cmd("STARTTLS\r\nNOOP").await;
    assert_eq!(code(&r), "220", "{r}");
    // The server now expects a TLS ClientHello: plain text gets a TLS alert (or
    // nothing) and the connection closes. Had the pipelined NOOP been run in clear,
    // its 250 would come first.
    p.send(b"QUIT\r\n").await;
    let mut rest = Vec::new();
    timeout(STEP, p.reader.read_to_end(&mut rest))
        .await
        .expect("the server closes")
        .unwrap();
    assert!(!rest.starts_with(b"250"), "{rest:?}");
    assert!(rest.is_empty() || rest[0] == 0x15, "a TLS alert: {rest:?}");
    handle.shutdown().await;
}

#[tokio::test]
async fn the_listener_refuses_non_loopback_addresses() {
    let err = SandboxSmtp::start(
        "0.0.0.0:0".parse().unwrap(),
        Arc::new(Kept::default()),
        None,
        SmtpConfig::default(),
    )
    .await
    .err()
    .expect("0.0.0.0 refused");
    assert!(err.to_string().contains("loopback only"), "{err}");
}
