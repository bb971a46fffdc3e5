//! Everything the sandbox writes is private to its user: files 0600 and directories 0700
//! (messages, index snapshots and logs, markers, DAV objects, Sieve scripts), whatever the
//! process umask says.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{Sandbox, LOGIN};
use mailshift_sandbox::groupware::{CollectionKind, CollectionProps};
use mailshift_sandbox::GroupwareStore;

/// Every path under `root` whose mode is not 0600 (files) or 0700 (directories).
fn not_private(root: &Path) -> Vec<String> {
    let mut bad = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let mode = meta.permissions().mode() & 0o777;
            let want = if meta.is_dir() { 0o700 } else { 0o600 };
            if mode != want {
                bad.push(format!("{} is {mode:o}", path.display()));
            }
            if meta.is_dir() {
                stack.push(path);
            }
        }
    }
    bad
}

#[tokio::test]
async fn mail_indexes_scripts_and_objects_are_private() {
    let sb = Sandbox::start().await;
    let mut c = sb.logged_in().await;
    assert!(c.cmd("CREATE Projects/2024").await.ok());
    assert!(c.append("INBOX", "", &common::message(1)).await.ok());
    assert!(c
        .append("Projects/2024", "\\Seen", &common::message(2))
        .await
        .ok());
    assert!(c.cmd("SELECT INBOX").await.ok());
    // A flag change goes to the index log.
    assert!(c.cmd("STORE 1 +FLAGS (\\Flagged)").await.ok());
    assert!(c.cmd("LOGOUT").await.ok());

    let groupware = GroupwareStore::open(sb.dir.path().join("groupware")).unwrap();
    groupware.create_account(LOGIN).unwrap();
    groupware
        .create_collection(
            LOGIN,
            CollectionKind::Calendar,
            "Work",
            CollectionProps::default(),
        )
        .unwrap();
    groupware
        .put_object(
            LOGIN,
            CollectionKind::Calendar,
            "Work",
            "e1.ics",
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:e1\r\nDTSTART:20240101T100000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        )
        .unwrap();
    groupware.put_script(LOGIN, "rules", b"keep;\r\n").unwrap();
    groupware.set_active(LOGIN, Some("rules")).unwrap();

    let bad = not_private(sb.dir.path());
    assert!(bad.is_empty(), "not private:\n{}", bad.join("\n"));
}
