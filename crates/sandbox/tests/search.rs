//! SEARCH and UID SEARCH on the sandbox, as rollback uses them: `UID SEARCH UID
//! set` names exactly the messages still there, `UID SEARCH DELETED` the ones
//! flagged for removal, and keys the sandbox cannot answer are refused (NO),
//! never answered with an empty list.

mod common;

use common::*;

/// The numbers of the `* SEARCH` line of an answer.
fn hits(answer: &Answer) -> Vec<u32> {
    let text = answer.text();
    let line = text
        .lines()
        .find(|l| l.starts_with("* SEARCH"))
        .unwrap_or_else(|| panic!("no SEARCH line in {text}"));
    line.trim_start_matches("* SEARCH")
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect()
}

#[tokio::test]
async fn uid_search_names_present_uids_and_deleted_ones() {
    let sb = Sandbox::start().await;
    let mut c = sb.logged_in().await;
    assert!(c.cmd("CREATE Box").await.ok());
    let mut uids = Vec::new();
    for i in 0..5 {
        let a = c.append("Box", "", &message(i)).await;
        assert!(a.ok(), "{}", a.text());
        uids.push(appenduid(&a).1);
    }
    assert!(c.cmd("SELECT Box").await.ok());
    // Remove the second message so the set names one UID that is gone.
    let r = c
        .cmd(&format!("UID STORE {} +FLAGS.SILENT (\\Deleted)", uids[1]))
        .await;
    assert!(r.ok(), "{}", r.text());
    assert!(c.cmd(&format!("UID EXPUNGE {}", uids[1])).await.ok());

    let r = c
        .cmd(&format!("UID SEARCH UID {}:{}", uids[0], uids[4] + 10))
        .await;
    assert!(r.ok(), "{}", r.text());
    assert_eq!(hits(&r), vec![uids[0], uids[2], uids[3], uids[4]]);

    let r = c
        .cmd(&format!(
            "UID STORE {},{} +FLAGS.SILENT (\\Deleted)",
            uids[2], uids[4]
        ))
        .await;
    assert!(r.ok());
    let r = c.cmd("UID SEARCH DELETED").await;
    assert!(r.ok(), "{}", r.text());
    assert_eq!(hits(&r), vec![uids[2], uids[4]]);
    let r = c.cmd("UID SEARCH UNDELETED").await;
    assert_eq!(hits(&r), vec![uids[0], uids[3]]);
    // Plain SEARCH answers sequence numbers: after the expunge, 4 messages remain.
    let r = c.cmd("SEARCH DELETED").await;
    assert!(r.ok(), "{}", r.text());
    assert_eq!(hits(&r), vec![2, 4]);
    let r = c.cmd("SEARCH NOT DELETED 1:3").await;
    assert_eq!(hits(&r), vec![1, 3]);
    let r = c
        .cmd(&format!("UID SEARCH OR UID {} DELETED", uids[0]))
        .await;
    assert_eq!(hits(&r), vec![uids[0], uids[2], uids[4]]);
    // UID EXPUNGE removes only the named UID, not every \Deleted message.
    assert!(c.cmd(&format!("UID EXPUNGE {}", uids[2])).await.ok());
    let r = c.cmd("UID SEARCH ALL").await;
    assert_eq!(hits(&r), vec![uids[0], uids[3], uids[4]]);
}

#[tokio::test]
async fn search_on_an_empty_folder_and_text_keys() {
    let sb = Sandbox::start().await;
    let mut c = sb.logged_in().await;
    assert!(c.cmd("CREATE Empty").await.ok());
    assert!(c.cmd("SELECT Empty").await.ok());
    let r = c.cmd("UID SEARCH UID 1:*").await;
    assert!(r.ok(), "{}", r.text());
    assert!(hits(&r).is_empty());
    // A key the sandbox cannot evaluate is refused, not answered with nothing.
    let r = c.cmd("UID SEARCH SUBJECT hello").await;
    assert_eq!(r.status(), "NO", "{}", r.text());
    // SEARCH needs a selected folder.
    assert!(c.cmd("UNSELECT").await.ok());
    assert_eq!(c.cmd("UID SEARCH ALL").await.status(), "BAD");
}
