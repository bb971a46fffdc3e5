//! Fuzz-ish input: malformed, truncated, unknown and oversized commands get
//! BAD or NO (never a hang) and the server keeps serving.

mod common;

use common::*;
use mailshift_sandbox::ServerConfig;

/// A fresh connection can still log in and NOOP.
async fn server_is_alive(sb: &Sandbox) {
    let mut c = sb.logged_in().await;
    assert!(c.cmd("NOOP").await.ok());
}

#[tokio::test]
async fn unknown_and_malformed_commands_get_bad_and_the_session_goes_on() {
    let sb = Sandbox::start().await;
    let mut c = sb.logged_in().await;
    for bad in [
        "FROBNICATE now",
        "SELECT",
        "UID FETCH x:y (FLAGS)",
        "FETCH 1 (NOTANITEM)",
        "LIST \"unterminated",
        "STORE 1 +FLAGS (\\Seen",
    ] {
        let r = c.cmd(bad).await;
        assert_eq!(r.status(), "BAD", "{bad:?} -> {}", r.text());
    }
    // A bad date is only known once the literal came: BAD after it, and the
    // literal's bytes are not taken for a command.
    c.send_raw(b"d1 APPEND INBOX (\\Seen) \"not a date\" {9}\r\n")
        .await;
    let cont = c.read_response().await.unwrap();
    assert!(cont.starts_with(b"+"), "{}", String::from_utf8_lossy(&cont));
    c.send_raw(b"x2 LOGOUT\r\n").await;
    let r = c.read_until_tagged("d1").await;
    assert_eq!(r.status(), "BAD", "{}", r.text());
    // Garbage without a usable tag gets an untagged BAD.
    c.send_raw(b"\x01\x02\x03\r\n").await;
    let line = c.read_response().await.unwrap();
    assert!(
        line.starts_with(b"* BAD"),
        "{}",
        String::from_utf8_lossy(&line)
    );
    // Bare LF is refused too.
    c.send_raw(b"z1 NOOP\n").await;
    let line = c.read_response().await.unwrap();
    assert!(
        line.starts_with(b"z1 BAD"),
        "{}",
        String::from_utf8_lossy(&line)
    );
    assert!(c.cmd("NOOP").await.ok());
    server_is_alive(&sb).await;
}

#[tokio::test]
async fn fetch_out_of_range_and_unsupported_items_are_refused() {
    let sb = Sandbox::start().await;
    let mut c = sb.logged_in().await;
    c.cmd("SELECT INBOX").await;
    c.append("INBOX", "", &message(1)).await;
    assert_eq!(c.cmd("FETCH 5 (FLAGS)").await.status(), "BAD");
    assert_eq!(c.cmd("FETCH 1 (ENVELOPE)").await.status(), "BAD");
    // Text keys are refused (the sandbox searches flags, UIDs, sizes, dates).
    assert_eq!(c.cmd("SEARCH SUBJECT test").await.status(), "NO");
    assert!(c.cmd("FETCH 1 (FLAGS)").await.ok());
}

#[tokio::test]
async fn truncated_command_then_disconnect_leaves_the_server_alive() {
    let sb = Sandbox::start().await;
    for partial in [
        &b"a1 LOGI"[..],
        b"a1 APPEND INBOX {20}\r\nFrom: x",
        b"a1 LIST \"\" \"*",
    ] {
        let mut c = sb.client().await;
        c.send_raw(partial).await;
        drop(c);
    }
    let mut c = sb.logged_in().await;
    c.send_raw(b"a1 APPEND INBOX {20+}\r\nFrom: x").await;
    drop(c);
    server_is_alive(&sb).await;
    assert_eq!(sb.store.status(LOGIN, "INBOX").unwrap().messages, 0);
}

#[tokio::test]
async fn huge_synchronising_literal_is_refused_without_being_read() {
    let sb = Sandbox::start().await;
    let mut c = sb.logged_in().await;
    c.send_raw(b"h1 APPEND INBOX {999999999}\r\n").await;
    let line = c.read_response().await.unwrap();
    let text = String::from_utf8_lossy(&line);
    assert!(
        text.starts_with("h1 BAD") || text.starts_with("h1 NO"),
        "{text}"
    );
    assert!(text.contains("too large"), "{text}");
    // The same connection still works: nothing was swallowed as literal.
    assert!(c.cmd("NOOP").await.ok());
    server_is_alive(&sb).await;
}

#[tokio::test]
async fn huge_non_synchronising_literal_is_discarded_and_answered() {
    // A small limit keeps the test fast: 1 KiB messages, a 4 KiB literal+.
    let sb = Sandbox::start_with(ServerConfig {
        max_literal_bytes: 1024,
        ..ServerConfig::default()
    })
    .await;
    let mut c = sb.logged_in().await;
    let mut cmd = b"h2 APPEND INBOX {4096+}\r\n".to_vec();
    cmd.extend(std::iter::repeat_n(b'x', 4096));
    cmd.extend_from_slice(b"\r\n");
    c.send_raw(&cmd).await;
    let line = c.read_response().await.unwrap();
    let text = String::from_utf8_lossy(&line);
    assert!(text.contains("BAD") || text.contains("NO"), "{text}");
    assert!(c.cmd("NOOP").await.ok());
    assert_eq!(sb.store.status(LOGIN, "INBOX").unwrap().messages, 0);
}

#[tokio::test]
async fn idle_connections_are_closed_after_the_timeout() {
    let sb = Sandbox::start_with(ServerConfig {
        idle_timeout: std::time::Duration::from_millis(300),
        ..ServerConfig::default()
    })
    .await;
    let mut c = sb.logged_in().await;
    let bye = c.read_response().await.unwrap();
    assert!(
        bye.starts_with(b"* BYE"),
        "{}",
        String::from_utf8_lossy(&bye)
    );
    assert!(
        c.read_response().await.is_none(),
        "connection should be closed"
    );
    server_is_alive(&sb).await;
}

#[tokio::test]
async fn logout_says_bye_and_closes() {
    let sb = Sandbox::start().await;
    let mut c = sb.logged_in().await;
    let r = c.cmd("LOGOUT").await;
    assert!(r.ok());
    assert!(r.text().contains("* BYE"));
    assert!(
        c.read_response().await.is_none(),
        "connection closed after LOGOUT"
    );
}
