//! What the layout tests share: skipping (or failing under CI) when a server is missing, and
//! one small mailbox seeded relative to the personal namespace, whatever its prefix.

#![allow(dead_code)]

use mailshift_testkit::{Oracle, SeedMessage};

/// Special-use folders every layout must end up with, and their attribute.
pub const SPECIAL: [(&str, &str); 5] = [
    ("Sent", "\\Sent"),
    ("Drafts", "\\Drafts"),
    ("Trash", "\\Trash"),
    ("Junk", "\\Junk"),
    ("Archive", "\\Archive"),
];

/// `true` when the server can run; otherwise a "skipped" line, or a panic under `CI=true`.
pub fn available(what: &str, available: bool, hint: &str) -> bool {
    if available {
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{what} is missing under CI=true: {hint}");
    }
    eprintln!("skipped: {what} is not available ({hint})");
    false
}

/// One small message with a fixed INTERNALDATE, 7-bit only (Cyrus alters 8-bit headers).
pub fn mail(n: u32, subject: &str, flags: &[&str]) -> SeedMessage {
    let bytes = format!(
        "From: Seeder <seed@example.test>\r\nTo: user@example.test\r\n\
         Subject: {subject}\r\nMessage-ID: <layout-{n}@example.test>\r\n\
         Date: Mon, 03 Jun 2024 10:{:02}:00 +0000\r\n\r\nBody of message {n}.\r\n",
        n % 60
    )
    .into_bytes();
    SeedMessage {
        bytes,
        flags: flags.iter().map(|f| f.to_string()).collect(),
        internaldate: Some(format!("03-Jun-2024 10:{:02}:00 +0000", n % 60)),
    }
}

/// Folders (relative to the personal namespace) and what `seed_personal` puts in them.
pub fn personal_plan() -> Vec<(&'static str, Vec<SeedMessage>)> {
    vec![
        (
            "INBOX",
            vec![mail(1, "hello", &[]), mail(2, "read", &["\\Seen"])],
        ),
        ("Sent", vec![mail(3, "sent", &["\\Seen"])]),
        ("Drafts", vec![mail(4, "draft", &["\\Draft"])]),
        ("Trash", vec![]),
        ("Junk", vec![mail(5, "spam", &[])]),
        ("Archive", vec![mail(6, "old", &["\\Seen", "\\Flagged"])]),
        ("Projects", vec![mail(7, "plan", &[])]),
        (
            "Projects/2024",
            vec![mail(8, "q1", &[]), mail(9, "q2", &[])],
        ),
    ]
}

/// Create every folder of `personal_plan` under the personal namespace and append its mail.
pub fn seed_personal(o: &mut Oracle) {
    for (folder, msgs) in personal_plan() {
        let name = o.personal_name(folder).unwrap();
        if folder != "INBOX" {
            o.create(&name)
                .unwrap_or_else(|e| panic!("create {name}: {e}"));
        }
        o.append_many(&name, &msgs)
            .unwrap_or_else(|e| panic!("append to {name}: {e}"));
    }
}
