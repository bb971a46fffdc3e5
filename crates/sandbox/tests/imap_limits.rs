//! What the IMAP server takes from a client before login (a few KiB, no large literal),
//! how many clients it serves at once, and that logged-in clients keep their limits.

mod common;

use std::time::Duration;

use common::{Client, Sandbox, LOGIN, PASSWORD};
use mailshift_sandbox::ServerConfig;

/// Reads the answers until the server closes; panics if it does not within the step.
async fn answers_until_closed(c: &mut Client) -> String {
    let mut all = String::new();
    while let Some(line) = c.read_response().await {
        all.push_str(&String::from_utf8_lossy(&line));
    }
    all
}

#[tokio::test]
async fn a_large_literal_before_login_is_refused_and_the_connection_closed() {
    let sb = Sandbox::start().await;
    // A non-synchronising literal: before the fix the server silently took up to 64 MiB.
    let mut c = sb.client().await;
    c.send_raw(b"a1 LOGIN {67108864+}\r\n").await;
    c.send_raw(&vec![b'x'; 64 * 1024]).await;
    let answer = answers_until_closed(&mut c).await;
    assert!(answer.starts_with("a1 BAD "), "{answer}");
    assert!(answer.contains("before login"), "{answer}");
    assert!(answer.contains("* BYE"), "{answer}");

    // A synchronising one gets no continuation.
    let mut c = sb.client().await;
    c.send_raw(b"a2 LOGIN {5000000}\r\n").await;
    let answer = answers_until_closed(&mut c).await;
    assert!(!answer.starts_with('+'), "{answer}");
    assert!(answer.starts_with("a2 BAD "), "{answer}");
}

#[tokio::test]
async fn a_long_line_or_chained_literals_before_login_close_the_connection() {
    let sb = Sandbox::start().await;
    let mut c = sb.client().await;
    c.send_raw(b"a1 LOGIN ").await;
    c.send_raw(&vec![b'x'; 16 * 1024]).await;
    let answer = answers_until_closed(&mut c).await;
    assert!(answer.starts_with("a1 BAD "), "{answer}");
    assert!(answer.contains("too long before login"), "{answer}");

    let mut c = sb.client().await;
    let mut chained = b"a2 LOGIN".to_vec();
    for _ in 0..16 {
        chained.extend_from_slice(b" {1000+}\r\n");
        chained.extend(vec![b'x'; 1000]);
    }
    c.send_raw(&chained).await;
    let answer = answers_until_closed(&mut c).await;
    assert!(answer.starts_with("a2 BAD "), "{answer}");
}

#[tokio::test]
async fn small_literals_still_log_in_and_large_appends_work_after_login() {
    let sb = Sandbox::start().await;
    let mut c = sb.client().await;
    let login = format!(
        "a1 LOGIN {{{}+}}\r\n{LOGIN} {{{}+}}\r\n{PASSWORD}\r\n",
        LOGIN.len(),
        PASSWORD.len()
    );
    // Pipelined: the NOOP waits behind the LOGIN, then both are answered.
    c.send_raw(format!("{login}a2 NOOP\r\n").as_bytes()).await;
    let answer = c.read_until_tagged("a1").await;
    assert!(answer.ok(), "{}", answer.text());
    assert!(c.read_until_tagged("a2").await.ok());
    let mut big = common::message(1);
    big.extend(std::iter::repeat_n(b'y', 2 * 1024 * 1024));
    big.extend_from_slice(b"\r\n");
    let answer = c.append("INBOX", "", &big).await;
    assert!(answer.ok(), "{}", answer.text());
    let answer = c.cmd("LOGOUT").await;
    assert!(answer.ok(), "{}", answer.text());
}

#[tokio::test]
async fn connections_beyond_the_limit_are_told_bye() {
    let sb = Sandbox::start_with(ServerConfig {
        max_connections: 2,
        ..ServerConfig::default()
    })
    .await;
    let first = sb.client().await;
    let _second = sb.client().await;
    let third = sb.client().await;
    assert!(
        third.greeting.starts_with("* BYE Too many connections"),
        "{}",
        third.greeting
    );
    drop(first);
    // The slot is given back once the server sees the close.
    let mut greeted = String::new();
    for _ in 0..50 {
        let c = sb.client().await;
        greeted = c.greeting.clone();
        if greeted.starts_with("* OK") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(greeted.starts_with("* OK"), "{greeted}");
}

#[tokio::test]
async fn a_client_that_does_not_log_in_in_time_is_closed() {
    let sb = Sandbox::start_with(ServerConfig {
        login_timeout: Duration::from_millis(300),
        ..ServerConfig::default()
    })
    .await;
    let mut c = sb.client().await;
    let answer = answers_until_closed(&mut c).await;
    assert!(answer.starts_with("* BYE"), "{answer}");
    // A logged-in client is not bound by it: once a client connected after it has
    // been closed for not logging in, its own limit has long passed.
    let mut c = sb.logged_in().await;
    let mut later = sb.client().await;
    let answer = answers_until_closed(&mut later).await;
    assert!(answer.starts_with("* BYE"), "{answer}");
    assert!(c.cmd("NOOP").await.ok());
}

#[tokio::test]
async fn appends_wait_for_room_in_the_servers_input_budget() {
    use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};

    let sb = Sandbox::start_with(ServerConfig {
        max_literal_bytes: 900 * 1024,
        input_budget_bytes: 1024 * 1024,
        ..ServerConfig::default()
    })
    .await;
    const SIZE: usize = 800_000;
    let mut message = common::message(1);
    message.resize(SIZE, b'x');

    // A's APPEND is half received: the server holds its whole announced size.
    let mut a = sb.logged_in().await;
    a.send_raw(format!("a1 APPEND INBOX {{{SIZE}+}}\r\n").as_bytes())
        .await;
    a.send_raw(&message[..SIZE / 2]).await;
    wait_for(
        || sb.server.input_in_use() >= SIZE as u64,
        "A's reservation",
    )
    .await;

    // B's does not fit beside it: no go-ahead until A's is done.
    let s = tokio::net::TcpStream::connect(sb.server.local_addr())
        .await
        .unwrap();
    let mut b = BufReader::new(s);
    let mut line = String::new();
    b.read_line(&mut line).await.unwrap();
    b.get_mut()
        .write_all(format!("l LOGIN \"{LOGIN}\" \"{PASSWORD}\"\r\n").as_bytes())
        .await
        .unwrap();
    line.clear();
    b.read_line(&mut line).await.unwrap();
    assert!(line.starts_with("l OK"), "{line}");
    b.get_mut()
        .write_all(format!("b1 APPEND INBOX {{{SIZE}}}\r\n").as_bytes())
        .await
        .unwrap();
    line.clear();
    // B waits for room; the server sends its `+` only once the room is there.
    wait_for(|| sb.server.input_waiters() == 1, "B waiting for room").await;
    {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let pending = std::pin::Pin::new(&mut b).poll_fill_buf(&mut cx);
        assert!(
            matches!(pending, std::task::Poll::Pending),
            "B was told to go on while A held the budget: {pending:?}"
        );
    }

    a.send_raw(&message[SIZE / 2..]).await;
    a.send_raw(b"\r\n").await;
    let answer = a.read_until_tagged("a1").await;
    assert!(answer.ok(), "{}", answer.text());

    tokio::time::timeout(Duration::from_secs(10), b.read_line(&mut line))
        .await
        .unwrap()
        .unwrap();
    assert!(line.starts_with('+'), "{line}");
    b.get_mut().write_all(&message).await.unwrap();
    b.get_mut().write_all(b"\r\n").await.unwrap();
    loop {
        line.clear();
        b.read_line(&mut line).await.unwrap();
        if line.starts_with("b1 ") {
            break;
        }
    }
    assert!(line.starts_with("b1 OK"), "{line}");
}

/// Wait (at most 10 s) until `ready` holds: the server reports the state itself.
async fn wait_for(ready: impl Fn() -> bool, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !ready() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never reached: {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
