//! The sandbox server seen through raw IMAP: capabilities, LIST with
//! special use, SELECT/STATUS data, APPENDUID vs UID FETCH, STORE/EXPUNGE
//! numbering, quota, account rename, restart stability, concurrency, IDLE.

mod common;

use std::sync::Arc;

use base64::Engine;
use common::*;
use mailshift_sandbox::{SandboxImap, ServerConfig};

#[tokio::test]
async fn capability_line_lists_the_engine_needs_and_no_multiappend() {
    let sb = Sandbox::start().await;
    let mut c = sb.client().await;
    assert!(c.greeting.starts_with("* OK"), "{}", c.greeting);
    let r = c.cmd("CAPABILITY").await;
    assert!(r.ok());
    let caps = r.text().to_uppercase();
    for cap in [
        "IMAP4REV1",
        "LITERAL+",
        "UIDPLUS",
        "SPECIAL-USE",
        "IDLE",
        "AUTH=PLAIN",
    ] {
        assert!(caps.contains(cap), "{cap} missing: {caps}");
    }
    assert!(!caps.contains("MULTIAPPEND"));
}

#[tokio::test]
async fn wrong_password_is_refused_and_commands_need_login() {
    let sb = Sandbox::start().await;
    let mut c = sb.client().await;
    let r = c.cmd(&format!("LOGIN \"{LOGIN}\" \"nope\"")).await;
    assert_eq!(r.status(), "NO");
    let r = c.cmd("SELECT INBOX").await;
    assert_eq!(r.status(), "BAD");
}

#[tokio::test]
async fn authenticate_plain_with_and_without_initial_response() {
    let sb = Sandbox::start().await;
    let creds = base64::engine::general_purpose::STANDARD.encode(format!("\0{LOGIN}\0{PASSWORD}"));
    let mut c = sb.client().await;
    let r = c.cmd(&format!("AUTHENTICATE PLAIN {creds}")).await;
    assert!(r.ok(), "{}", r.text());

    let mut c = sb.client().await;
    c.send_raw(b"a1 AUTHENTICATE PLAIN\r\n").await;
    let cont = c.read_response().await.unwrap();
    assert!(cont.starts_with(b"+"), "{}", String::from_utf8_lossy(&cont));
    c.send_raw(format!("{creds}\r\n").as_bytes()).await;
    let r = c.read_until_tagged("a1").await;
    assert!(r.ok(), "{}", r.text());
    assert!(c.cmd("SELECT INBOX").await.ok());
}

#[tokio::test]
async fn list_shows_special_use_and_percent_stops_at_the_separator() {
    let sb = Sandbox::start().await;
    let mut c = sb.logged_in().await;
    assert!(c.cmd("CREATE \"Work/2024\"").await.ok());
    let all = c.cmd("LIST \"\" \"*\"").await.text();
    for (name, attr) in [
        ("Sent", "\\Sent"),
        ("Drafts", "\\Drafts"),
        ("Trash", "\\Trash"),
        ("Junk", "\\Junk"),
        ("Archive", "\\Archive"),
    ] {
        let line = all
            .lines()
            .find(|l| l.ends_with(&format!("\"/\" {name}")))
            .unwrap_or_else(|| panic!("{name} missing: {all}"));
        assert!(line.contains(attr), "{line}");
    }
    assert!(all.contains("\"/\" Work/2024"), "{all}");
    assert!(all.contains("INBOX"));
    let top = c.cmd("LIST \"\" \"%\"").await.text();
    assert!(top.contains("\"/\" Work\r\n"), "{top}");
    assert!(!top.contains("Work/2024"), "{top}");
    let delim = c.cmd("LIST \"\" \"\"").await.text();
    assert!(delim.contains("(\\Noselect) \"/\" \"\""), "{delim}");
}

#[tokio::test]
async fn select_and_status_report_what_the_engine_reads() {
    let sb = Sandbox::start().await;
    let mut c = sb.logged_in().await;
    let a = c.append("INBOX", "\\Seen", &message(1)).await;
    let (validity, uid) = appenduid(&a);
    c.append("INBOX", "", &message(2)).await;
    let r = c.cmd("SELECT INBOX").await;
    let text = r.text();
    assert!(r.tagged.contains("[READ-WRITE]"), "{text}");
    assert!(text.contains("* 2 EXISTS"), "{text}");
    assert!(text.contains("* FLAGS ("), "{text}");
    assert!(text.contains("[PERMANENTFLAGS ("), "{text}");
    assert!(
        text.contains(&format!("[UIDVALIDITY {validity}]")),
        "{text}"
    );
    assert!(text.contains(&format!("[UIDNEXT {}]", uid + 2)), "{text}");
    let s = c
        .cmd("STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)")
        .await
        .text();
    assert!(s.contains("MESSAGES 2"), "{s}");
    assert!(s.contains(&format!("UIDNEXT {}", uid + 2)), "{s}");
    assert!(s.contains(&format!("UIDVALIDITY {validity}")), "{s}");
    assert!(s.contains("UNSEEN 1"), "{s}");
}

#[tokio::test]
async fn appenduid_matches_uid_fetch_and_bytes_are_exact() {
    let sb = Sandbox::start().await;
    let mut c = sb.logged_in().await;
    let mut expected = Vec::new();
    for n in 0..5 {
        let msg = message(n);
        let r = c.append("Archive", "\\Flagged", &msg).await;
        assert!(r.ok(), "{}", r.text());
        expected.push((appenduid(&r), msg));
    }
    let sel = c.cmd("SELECT Archive").await.text();
    for ((validity, uid), msg) in expected {
        assert!(sel.contains(&format!("[UIDVALIDITY {validity}]")));
        let r = c
            .cmd(&format!(
                "UID FETCH {uid} (UID FLAGS RFC822.SIZE BODY.PEEK[])"
            ))
            .await;
        assert!(r.ok());
        let fetched = &r.untagged[0];
        let head = String::from_utf8_lossy(fetched);
        assert!(head.contains(&format!("UID {uid}")), "{head}");
        assert!(head.contains("\\Flagged"), "{head}");
        assert!(
            head.contains(&format!("RFC822.SIZE {}", msg.len())),
            "{head}"
        );
        let lit = format!("BODY[] {{{}}}\r\n", msg.len());
        let at = fetched
            .windows(lit.len())
            .position(|w| w == lit.as_bytes())
            .expect("literal")
            + lit.len();
        assert_eq!(&fetched[at..at + msg.len()], msg.as_slice());
    }
}

#[tokio::test]
async fn header_fields_and_internaldate_come_back() {
    let sb = Sandbox::start().await;
    let mut c = sb.logged_in().await;
    let tag = c.tag();
    let msg = message(7);
    let mut cmd = format!(
        "{tag} APPEND INBOX (\\Seen) \"01-Feb-2024 10:20:30 +0100\" {{{}+}}\r\n",
        msg.len()
    )
    .into_bytes();
    cmd.extend_from_slice(&msg);
    cmd.extend_from_slice(b"\r\n");
    c.send_raw(&cmd).await;
    let (_, uid) = appenduid(&c.read_until_tagged(&tag).await);
    c.cmd("EXAMINE INBOX").await;
    let r = c
        .cmd(&format!(
            "UID FETCH {uid} (INTERNALDATE BODY.PEEK[HEADER.FIELDS (SUBJECT MESSAGE-ID)])"
        ))
        .await;
    let text = r.text();
    assert!(
        text.contains("INTERNALDATE \"01-Feb-2024 10:20:30 +0100\""),
        "{text}"
    );
    assert!(
        text.contains("Subject: test 7\r\nMessage-ID: <7@example.org>\r\n\r\n"),
        "{text}"
    );
    assert!(!text.contains("From: alice"), "{text}");
}

#[tokio::test]
async fn store_and_expunge_keep_sequence_numbers_and_uids_right() {
    let sb = Sandbox::start().await;
    let mut c = sb.logged_in().await;
    let mut uids = Vec::new();
    for n in 0..4 {
        uids.push(appenduid(&c.append("INBOX", "", &message(n)).await).1);
    }
    c.cmd("SELECT INBOX").await;
    let r = c
        .cmd(&format!(
            "UID STORE {},{} +FLAGS (\\Deleted)",
            uids[1], uids[2]
        ))
        .await;
    assert!(r.ok());
    assert_eq!(r.untagged.len(), 2, "{}", r.text());
    // UID EXPUNGE only removes the named one of the two deleted messages.
    let r = c.cmd(&format!("UID EXPUNGE {}", uids[1])).await;
    assert!(r.ok(), "{}", r.text());
    assert!(r.text().contains("* 2 EXPUNGE"), "{}", r.text());
    let r = c.cmd("EXPUNGE").await;
    assert!(r.text().contains("* 2 EXPUNGE"), "{}", r.text());
    let r = c.cmd("FETCH 1:* (UID)").await;
    let text = r.text();
    assert!(
        text.contains(&format!("* 1 FETCH (UID {})", uids[0])),
        "{text}"
    );
    assert!(
        text.contains(&format!("* 2 FETCH (UID {})", uids[3])),
        "{text}"
    );
    assert_eq!(r.untagged.len(), 2);
}

#[tokio::test]
async fn append_over_quota_is_refused_with_overquota() {
    let sb = Sandbox::start().await;
    sb.store.set_quota(LOGIN, Some(300)).unwrap();
    let mut c = sb.logged_in().await;
    let r = c.append("INBOX", "", &message(1)).await;
    assert!(r.ok(), "{}", r.text());
    let big = vec![b'x'; 400];
    let r = c.append("INBOX", "", &big).await;
    assert_eq!(r.status(), "NO", "{}", r.text());
    assert!(r.tagged.contains("[OVERQUOTA]"), "{}", r.tagged);
    assert!(r.tagged.contains("quota"), "{}", r.tagged);
    assert_eq!(sb.store.status(LOGIN, "INBOX").unwrap().messages, 1);
    assert!(c.cmd("NOOP").await.ok());
}

#[tokio::test]
async fn rename_account_keeps_mail_and_uids() {
    let sb = Sandbox::start().await;
    let mut c = sb.logged_in().await;
    let (validity, uid) = appenduid(&c.append("Sent", "\\Seen", &message(1)).await);
    c.cmd("LOGOUT").await;
    sb.store
        .rename_account(LOGIN, "john.old@example.net")
        .unwrap();
    sb.directory.rename(LOGIN, "john.old@example.net").unwrap();
    assert!(!sb.store.account_exists(LOGIN));
    let mut c = sb.client().await;
    assert!(c
        .cmd(&format!("LOGIN \"john.old@example.net\" \"{PASSWORD}\""))
        .await
        .ok());
    let sel = c.cmd("SELECT Sent").await.text();
    assert!(sel.contains(&format!("[UIDVALIDITY {validity}]")), "{sel}");
    let r = c.cmd(&format!("UID FETCH {uid} BODY.PEEK[]")).await;
    assert!(r.text().contains("Subject: test 1"), "{}", r.text());
    // The old login is now free and can be created empty.
    sb.store.create_account(LOGIN).unwrap();
    assert_eq!(sb.store.status(LOGIN, "Sent").unwrap().messages, 0);
}

#[tokio::test]
async fn reset_account_wipes_mail_but_keeps_the_account() {
    let sb = Sandbox::start().await;
    let mut c = sb.logged_in().await;
    assert!(c.cmd("CREATE Projects").await.ok());
    c.append("INBOX", "", &message(1)).await;
    sb.store.reset_account(LOGIN).unwrap();
    assert_eq!(sb.store.used_bytes(LOGIN).unwrap(), 0);
    let names: Vec<String> = sb
        .store
        .folders(LOGIN)
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert!(!names.contains(&"Projects".to_string()));
    assert!(names.contains(&"Sent".to_string()));
}

#[tokio::test]
async fn uids_and_uidvalidity_survive_a_restart() {
    let sb = Sandbox::start().await;
    let mut c = sb.logged_in().await;
    let mut got = Vec::new();
    for n in 0..3 {
        got.push(appenduid(&c.append("INBOX", "", &message(n)).await));
    }
    drop(c);
    let root = sb.store.root().to_path_buf();
    let directory = sb.directory.clone();
    sb.server.shutdown().await;

    let store = Arc::new(mailshift_sandbox::MailStore::open(&root).unwrap());
    let server = SandboxImap::start_with(
        store,
        directory,
        "127.0.0.1:0",
        "Again",
        ServerConfig::default(),
    )
    .await
    .unwrap();
    let mut c = Client::connect(server.local_addr()).await;
    assert!(c
        .cmd(&format!("LOGIN \"{LOGIN}\" \"{PASSWORD}\""))
        .await
        .ok());
    let sel = c.cmd("SELECT INBOX").await.text();
    assert!(
        sel.contains(&format!("[UIDVALIDITY {}]", got[0].0)),
        "{sel}"
    );
    assert!(
        sel.contains(&format!("[UIDNEXT {}]", got[2].1 + 1)),
        "{sel}"
    );
    let r = c.cmd("UID FETCH 1:* (UID)").await.text();
    for (_, uid) in &got {
        assert!(r.contains(&format!("UID {uid})")), "{r}");
    }
    let (_, next) = appenduid(&c.append("INBOX", "", &message(9)).await);
    assert_eq!(next, got[2].1 + 1);
}

#[tokio::test]
async fn concurrent_appenders_never_lose_or_share_a_uid() {
    let sb = Sandbox::start().await;
    let mut tasks = Vec::new();
    for worker in 0..4 {
        let addr = sb.server.local_addr();
        tasks.push(tokio::spawn(async move {
            let mut c = Client::connect(addr).await;
            assert!(c
                .cmd(&format!("LOGIN \"{LOGIN}\" \"{PASSWORD}\""))
                .await
                .ok());
            let mut uids = Vec::new();
            for n in 0..15 {
                let r = c.append("INBOX", "", &message(worker * 100 + n)).await;
                assert!(r.ok(), "{}", r.text());
                uids.push(appenduid(&r).1);
            }
            uids
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    let before = all.len();
    all.dedup();
    assert_eq!(all.len(), before, "a UID was handed out twice");
    assert_eq!(all.len(), 60);
    let status = sb.store.status(LOGIN, "INBOX").unwrap();
    assert_eq!(status.messages, 60);
    assert_eq!(status.uid_next, all.last().unwrap() + 1);
}

#[tokio::test]
async fn idle_reports_a_message_appended_elsewhere() {
    let config = ServerConfig {
        idle_poll: std::time::Duration::from_millis(100),
        ..ServerConfig::default()
    };
    let sb = Sandbox::start_with(config).await;
    let mut watcher = sb.logged_in().await;
    watcher.cmd("SELECT INBOX").await;
    watcher.send_raw(b"i1 IDLE\r\n").await;
    let cont = watcher.read_response().await.unwrap();
    assert!(
        cont.starts_with(b"+ "),
        "{}",
        String::from_utf8_lossy(&cont)
    );
    let mut other = sb.logged_in().await;
    assert!(other.append("INBOX", "", &message(1)).await.ok());
    let update = watcher.read_response().await.unwrap();
    assert_eq!(update, b"* 1 EXISTS\r\n");
    watcher.send_raw(b"DONE\r\n").await;
    assert!(watcher.read_until_tagged("i1").await.ok());
}

#[tokio::test]
async fn folder_create_rename_delete_over_imap() {
    let sb = Sandbox::start().await;
    let mut c = sb.logged_in().await;
    assert!(c.cmd("CREATE \"Clients/ACME\"").await.ok());
    assert_eq!(c.cmd("CREATE \"Clients/ACME\"").await.status(), "NO");
    c.append("Clients/ACME", "", &message(1)).await;
    assert!(c.cmd("RENAME Clients Customers").await.ok());
    let list = c.cmd("LIST \"\" \"*\"").await.text();
    assert!(list.contains("Customers/ACME"), "{list}");
    assert!(!list.contains("Clients"), "{list}");
    assert_eq!(
        sb.store.status(LOGIN, "Customers/ACME").unwrap().messages,
        1
    );
    assert_eq!(c.cmd("DELETE Customers").await.status(), "NO");
    assert!(c.cmd("DELETE \"Customers/ACME\"").await.ok());
    assert_eq!(c.cmd("DELETE INBOX").await.status(), "NO");
    assert_eq!(c.cmd("CREATE \"../escape\"").await.status(), "BAD");
    let r = c.append("Nowhere", "", &message(1)).await;
    assert!(r.tagged.contains("[TRYCREATE]"), "{}", r.tagged);
}

#[tokio::test]
async fn shutdown_says_bye_to_open_sessions_and_frees_the_port() {
    let sb = Sandbox::start().await;
    let addr = sb.server.local_addr();
    let mut c = sb.logged_in().await;
    sb.server.shutdown().await;
    let bye = c.read_response().await.unwrap();
    assert!(
        bye.starts_with(b"* BYE"),
        "{}",
        String::from_utf8_lossy(&bye)
    );
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn namespace_names_one_personal_namespace_with_the_delimiter() {
    let sb = Sandbox::start().await;
    let mut c = sb.client().await;
    let caps = c.cmd("CAPABILITY").await.text().to_uppercase();
    assert!(caps.contains("NAMESPACE"), "advertised: {caps}");
    // Like every command on mailboxes, it needs a login first.
    assert_eq!(c.cmd("NAMESPACE").await.status(), "BAD");
    assert!(c
        .cmd(&format!("LOGIN \"{LOGIN}\" \"{PASSWORD}\""))
        .await
        .ok());
    let r = c.cmd("NAMESPACE").await;
    assert!(r.ok(), "{}", r.text());
    // RFC 2342: personal "" with LIST's delimiter, no other users', no shared.
    assert!(
        r.text().contains("* NAMESPACE ((\"\" \"/\")) NIL NIL"),
        "{}",
        r.text()
    );
    let list = c.cmd("LIST \"\" \"\"").await;
    assert!(list.text().contains("\"/\""), "{}", list.text());
}
