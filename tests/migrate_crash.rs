//! Large messages stream through byte-exact (SIGKILL at 20 points is in faults.rs).

mod support;

use support::*;

#[test]
fn a_30_mb_message_arrives_byte_exact() {
    let Some(src) = dovecot(layout(Layout::Slash)) else {
        return;
    };
    let Some(dst) = dovecot(layout(Layout::Slash)) else {
        return;
    };
    src.add_user("john", PASS).unwrap();
    dst.add_user("john", PASS).unwrap();
    let mut body = b"From: big@example.com\r\nTo: john@example.com\r\nSubject: big attachment\r\nMessage-ID: <big@x>\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n".to_vec();
    let mut x: u64 = 0x9e3779b97f4a7c15;
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    while body.len() < 30 * 1024 * 1024 {
        for _ in 0..76 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            body.push(alphabet[(x % 64) as usize]);
        }
        body.extend_from_slice(b"\r\n");
    }
    let mut o = oracle(&src, "john");
    o.append(
        "INBOX",
        &body,
        &["\\Seen"],
        Some("15-Jun-2022 09:30:00 +0200"),
    )
    .unwrap();
    o.append("INBOX", b"Subject: small\r\n\r\nx\r\n", &[], None)
        .unwrap();
    let home = Home::new();
    let r = run(migrate_cmd(
        home.path(),
        (&src, "john"),
        (&dst, "john"),
        &[],
    ));
    assert_eq!(r.code, 0, "{} {}", r.stderr, r.json);
    assert_eq!(r.n("copied"), 2);
    let bodies = oracle(&dst, "john").bodies("INBOX").unwrap();
    assert!(bodies.contains(&body), "30 MB message identical");
    assert_eq!(
        non_empty(snapshot(&src, "john")),
        non_empty(snapshot(&dst, "john"))
    );
}
