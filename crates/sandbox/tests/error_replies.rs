//! Errors are worded for the client: its mistakes are `NO`/`BAD` with a sentence, server
//! faults `[SERVERBUG]` without a file path, and never Rust debug output.

mod common;

use common::{Sandbox, LOGIN};
use mailshift_sandbox::MailStore;

#[tokio::test]
async fn a_mailbox_name_too_long_is_the_clients_mistake() {
    let sb = Sandbox::start().await;
    let mut c = sb.logged_in().await;
    // 180 bytes, 300 once stored (a space is stored as three): too long for a file name.
    for name in ["a b".repeat(60), "x".repeat(300)] {
        let answer = c.cmd(&format!("CREATE \"{name}\"")).await;
        let text = answer.tagged.clone();
        assert_eq!(answer.status(), "NO", "{text}");
        assert!(
            text.contains("[CANNOT] mailbox name too long (max"),
            "{text}"
        );
        assert!(!text.contains("SERVERBUG") && !text.contains('/'), "{text}");
        let answer = c.cmd(&format!("SELECT \"{name}\"")).await;
        assert!(!answer.tagged.contains('/'), "{}", answer.tagged);
    }
    // The session goes on.
    assert!(c.cmd("CREATE Fine").await.ok());
}

#[tokio::test]
async fn a_damaged_index_is_a_server_fault_told_without_a_path() {
    let sb = Sandbox::start().await;
    // Made behind the server's back so it has not cached the index.
    let other = MailStore::open(sb.dir.path().join("mail")).unwrap();
    other.create_folder(LOGIN, "Broken").unwrap();
    let account = sb
        .dir
        .path()
        .join("mail/accounts/john@example%2Enet/.Broken");
    std::fs::write(account.join("mailshift-index.json"), b"{ not json").unwrap();
    let mut c = sb.logged_in().await;
    let answer = c.cmd("SELECT Broken").await;
    let text = answer.text();
    assert_eq!(answer.status(), "NO", "{text}");
    assert!(text.contains("[SERVERBUG]"), "{text}");
    assert!(
        !text.contains('/') && !text.contains("mailshift-index"),
        "{text}"
    );
}

#[tokio::test]
async fn unsupported_items_are_named_not_debug_printed() {
    let sb = Sandbox::start().await;
    let mut c = sb.logged_in().await;
    assert!(c.append("INBOX", "", &common::message(1)).await.ok());
    let answer = c.cmd("STATUS INBOX (DELETED)").await;
    assert!(
        answer
            .tagged
            .contains("STATUS item DELETED is not supported"),
        "{}",
        answer.tagged
    );
    assert!(c.cmd("SELECT INBOX").await.ok());
    let answer = c.cmd("FETCH 1 BODYSTRUCTURE").await;
    assert!(
        answer
            .tagged
            .contains("FETCH BODYSTRUCTURE is not supported"),
        "{}",
        answer.tagged
    );
}
