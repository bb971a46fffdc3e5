//! The sandbox's CalDAV/CardDAV server end to end, each test in its own temporary data
//! dir, over raw HTTP/1.1 on loopback: the demo data, Basic auth and confinement, PUT
//! validation and preconditions, collections, and groupware following account rename,
//! reset and restarts.

use std::path::Path;
use std::time::Duration;

use base64::Engine;
use mailshift_panel::{NewAccount, PlatformId, DEMO_PASSWORD};
use mailshift_sandbox::{Sandbox, SandboxOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

const MXPLAN: PlatformId = PlatformId(1);
const EXCHANGE: PlatformId = PlatformId(2);
const THOMAS: &str = "thomas.leroy@example.org";
const CLAIRE: &str = "claire.moreau@example.org";
const STEP: Duration = Duration::from_secs(20);

async fn start(home: &Path) -> Sandbox {
    let opts = SandboxOptions {
        clock_factor: 0.0,
        ..SandboxOptions::default()
    };
    timeout(Duration::from_secs(120), Sandbox::start(home, opts))
        .await
        .expect("the sandbox starts in time")
        .expect("the sandbox starts")
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request on its own connection (`Connection: close`), read to the end.
async fn http(
    sb: &Sandbox,
    method: &str,
    path: &str,
    auth: Option<(&str, &str)>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let url = sb
        .groupware(EXCHANGE)
        .expect("Exchange serves groupware")
        .dav_url;
    let host = url
        .strip_prefix("http://")
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_string();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some((u, p)) = auth {
        let b = base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"));
        req.push_str(&format!("Authorization: Basic {b}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    let raw = timeout(STEP, async {
        let mut s = TcpStream::connect(&host).await.unwrap();
        s.write_all(&bytes).await.unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.unwrap();
        out
    })
    .await
    .expect("the DAV server answers in time");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a full HTTP head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

async fn as_user(
    sb: &Sandbox,
    user: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    http(sb, method, path, Some((user, DEMO_PASSWORD)), headers, body).await
}

const PROPFIND_ALL: &[u8] = br#"<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CR="urn:ietf:params:xml:ns:carddav" xmlns:A="http://apple.com/ns/ical/" xmlns:CS="http://calendarserver.org/ns/">
<D:prop><D:current-user-principal/><C:calendar-home-set/><CR:addressbook-home-set/><D:resourcetype/><D:displayname/><A:calendar-color/><C:calendar-description/><C:supported-calendar-component-set/><D:getetag/><CS:getctag/><D:x-unknown/></D:prop></D:propfind>"#;

fn event(uid: &str, summary: &str) -> Vec<u8> {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260102T100000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    .into_bytes()
}

fn calendar_path(user: &str, rest: &str) -> String {
    format!("/dav/{user}/calendars/{rest}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_serves_demo_calendars_contacts_and_rules() {
    let home = tempfile::tempdir().unwrap();
    let sb = start(home.path()).await;
    assert!(sb.groupware(MXPLAN).is_none(), "MX Plan has no groupware");
    let ep = sb.groupware(EXCHANGE).unwrap();
    assert!(ep.dav_url.starts_with("http://127.0.0.1:") && ep.dav_url.ends_with("/dav/"));
    assert!(ep.sieve.ip().is_loopback());

    for login in [
        THOMAS,
        CLAIRE,
        "lucas.petit@example.org",
        "admin@example.org",
    ] {
        let s = sb.groupware_summary(EXCHANGE, login).unwrap();
        assert!((8..=15).contains(&s.events), "{login}: {s:?}");
        assert!(s.tasks >= 5, "{login}: {s:?}");
        assert!((10..=20).contains(&s.contacts), "{login}: {s:?}");
        assert_eq!(
            (s.groups, s.calendars, s.address_books, s.scripts),
            (2, 2, 1, 2)
        );
    }
    let active: Vec<_> = [
        THOMAS,
        CLAIRE,
        "lucas.petit@example.org",
        "admin@example.org",
    ]
    .iter()
    .map(|l| {
        sb.groupware_summary(EXCHANGE, l)
            .unwrap()
            .active_script
            .unwrap()
    })
    .collect();
    assert_eq!(active.iter().filter(|a| *a == "out-of-office").count(), 1);
    assert_eq!(active.iter().filter(|a| *a == "rules").count(), 3);
    assert!(sb
        .groupware_summary(MXPLAN, "john.smith@example.com")
        .is_err());

    let r = http(&sb, "GET", "/.well-known/caldav", None, &[], b"").await;
    assert_eq!((r.status, r.header("location")), (301, Some("/dav/")));
    let r = http(&sb, "OPTIONS", "/dav/", None, &[], b"").await;
    assert!(r.header("dav").unwrap().contains("calendar-access"));

    let r = as_user(
        &sb,
        THOMAS,
        "PROPFIND",
        "/dav/",
        &[("Depth", "0")],
        PROPFIND_ALL,
    )
    .await;
    assert_eq!(r.status, 207);
    assert!(r
        .text()
        .contains("<D:href>/dav/thomas.leroy@example.org/</D:href>"));
    let r = as_user(
        &sb,
        THOMAS,
        "PROPFIND",
        &format!("/dav/{THOMAS}/"),
        &[("Depth", "0")],
        PROPFIND_ALL,
    )
    .await;
    let t = r.text();
    assert!(
        t.contains(
            "<C:calendar-home-set><D:href>/dav/thomas.leroy@example.org/calendars/</D:href>"
        ),
        "{t}"
    );
    assert!(
        t.contains(
            "<CR:addressbook-home-set><D:href>/dav/thomas.leroy@example.org/contacts/</D:href>"
        ),
        "{t}"
    );
    assert!(
        t.contains("<D:x-unknown/></D:prop><D:status>HTTP/1.1 404 Not Found"),
        "{t}"
    );

    let r = as_user(
        &sb,
        THOMAS,
        "PROPFIND",
        &calendar_path(THOMAS, ""),
        &[("Depth", "1")],
        PROPFIND_ALL,
    )
    .await;
    let t = r.text();
    assert!(
        t.contains("<A:calendar-color>#1E88E5FF</A:calendar-color>"),
        "{t}"
    );
    assert!(
        t.contains("<C:comp name=\"VTODO\"/>") && t.contains("<C:calendar/>"),
        "{t}"
    );
    assert!(
        t.contains("Meetings and appointments of Thomas Leroy"),
        "{t}"
    );

    let r = as_user(
        &sb,
        THOMAS,
        "PROPFIND",
        &calendar_path(THOMAS, "calendar/"),
        &[("Depth", "1")],
        b"",
    )
    .await;
    let t = r.text();
    let hrefs: Vec<&str> = t
        .split("<D:href>")
        .skip(1)
        .filter_map(|s| s.split("</D:href>").next())
        .filter(|h| h.ends_with(".ics"))
        .collect();
    assert!((8..=15).contains(&hrefs.len()), "{t}");

    let multiget = format!(
        "<C:calendar-multiget xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:prop><D:getetag/><C:calendar-data/></D:prop><D:href>{}</D:href><D:href>/dav/{THOMAS}/calendars/calendar/missing.ics</D:href></C:calendar-multiget>",
        hrefs[0]
    );
    let r = as_user(
        &sb,
        THOMAS,
        "REPORT",
        &calendar_path(THOMAS, "calendar/"),
        &[("Depth", "1")],
        multiget.as_bytes(),
    )
    .await;
    let t = r.text();
    assert_eq!(r.status, 207);
    assert!(t.contains("<C:calendar-data>BEGIN:VCALENDAR&#13;\n"), "{t}");
    assert!(t.contains("BEGIN:VTIMEZONE"), "{t}");
    assert!(
        t.contains("missing.ics</D:href><D:status>HTTP/1.1 404"),
        "{t}"
    );

    let r = as_user(
        &sb,
        THOMAS,
        "PROPFIND",
        &format!("/dav/{THOMAS}/contacts/contacts/"),
        &[("Depth", "1")],
        b"",
    )
    .await;
    assert!(r.text().contains("<CR:addressbook/>") && r.text().contains(".vcf</D:href>"));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_need_their_password_and_stay_in_their_own_tree() {
    let home = tempfile::tempdir().unwrap();
    let sb = start(home.path()).await;
    let path = format!("/dav/{THOMAS}/");
    let r = http(&sb, "PROPFIND", &path, None, &[], b"").await;
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").unwrap().starts_with("Basic"));
    let r = http(
        &sb,
        "PROPFIND",
        &path,
        Some((THOMAS, "wrong-password")),
        &[],
        b"",
    )
    .await;
    assert_eq!(r.status, 401);
    let r = as_user(
        &sb,
        THOMAS,
        "PROPFIND",
        &format!("/dav/{CLAIRE}/calendars/"),
        &[],
        b"",
    )
    .await;
    assert_eq!(r.status, 403);
    let r = as_user(
        &sb,
        THOMAS,
        "GET",
        &calendar_path(CLAIRE, "calendar/x.ics"),
        &[],
        b"",
    )
    .await;
    assert_eq!(r.status, 403);
    let r = as_user(&sb, THOMAS, "PROPFIND", "/dav/x/calendars/../../", &[], b"").await;
    assert_eq!(r.status, 404);
    let r = as_user(
        &sb,
        THOMAS,
        "PROPFIND",
        &path,
        &[("Depth", "0")],
        b"<not xml",
    )
    .await;
    assert_eq!(r.status, 400);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn puts_are_validated_kept_byte_for_byte_and_conditional() {
    let home = tempfile::tempdir().unwrap();
    let sb = start(home.path()).await;
    let obj = calendar_path(THOMAS, "calendar/new-1.ics");
    let bad = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VCALENDAR\r\n";
    let r = as_user(
        &sb,
        THOMAS,
        "PUT",
        &obj,
        &[("Content-Type", "text/calendar")],
        bad,
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("END:VCALENDAR"), "{}", r.text());
    let r = as_user(&sb, THOMAS, "PUT", &obj, &[], b"hello").await;
    assert_eq!(r.status, 415, "{}", r.text());

    let body = event("uid-new-1@test", "Tést, with ünïcode; and a \\, comma");
    let r = as_user(&sb, THOMAS, "PUT", &obj, &[("If-None-Match", "*")], &body).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let etag = r.header("etag").unwrap().to_string();
    let r = as_user(&sb, THOMAS, "GET", &obj, &[], b"").await;
    assert_eq!((r.status, r.body.as_slice()), (200, body.as_slice()));
    assert_eq!(r.header("etag"), Some(etag.as_str()));

    let r = as_user(&sb, THOMAS, "PUT", &obj, &[("If-None-Match", "*")], &body).await;
    assert_eq!(r.status, 412);
    let r = as_user(
        &sb,
        THOMAS,
        "PUT",
        &obj,
        &[("If-Match", "\"stale\"")],
        &body,
    )
    .await;
    assert_eq!(r.status, 412);
    let r = as_user(&sb, THOMAS, "PUT", &obj, &[("If-Match", &etag)], &body).await;
    assert_eq!(r.status, 204);

    let other = calendar_path(THOMAS, "nope/new-2.ics");
    let r = as_user(&sb, THOMAS, "PUT", &other, &[], &body).await;
    assert_eq!(r.status, 409, "an object needs an existing collection");
    let other = calendar_path(THOMAS, "calendar/new-2.ics");
    let r = as_user(&sb, THOMAS, "PUT", &other, &[], &body).await;
    assert_eq!(r.status, 409);
    assert!(r.text().contains("<C:no-uid-conflict><D:href>/dav/thomas.leroy@example.org/calendars/calendar/new-1.ics</D:href>"), "{}", r.text());
    let r = as_user(
        &sb,
        THOMAS,
        "PUT",
        &calendar_path(THOMAS, "tasks/e.ics"),
        &[],
        &event("u2", "x"),
    )
    .await;
    assert_eq!(r.status, 403, "a task list refuses events");

    let r = as_user(
        &sb,
        THOMAS,
        "DELETE",
        &obj,
        &[("If-Match", "\"stale\"")],
        b"",
    )
    .await;
    assert_eq!(r.status, 412);
    let r = as_user(&sb, THOMAS, "DELETE", &obj, &[("If-Match", &etag)], b"").await;
    assert_eq!(r.status, 204);
    let r = as_user(&sb, THOMAS, "GET", &obj, &[], b"").await;
    assert_eq!(r.status, 404);

    let card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c-1\r\nFN:A B\r\nN:B;A;;;\r\nEND:VCARD\r\n";
    let book = format!("/dav/{THOMAS}/contacts/contacts/");
    let r = as_user(&sb, THOMAS, "PUT", &format!("{book}c1.vcf"), &[], card).await;
    assert_eq!(r.status, 201);
    let r = as_user(&sb, THOMAS, "PUT", &format!("{book}c2.vcf"), &[], card).await;
    assert_eq!(r.status, 409);
    assert!(r.text().contains("<CR:no-uid-conflict>"));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collections_are_made_patched_and_deleted() {
    let home = tempfile::tempdir().unwrap();
    let sb = start(home.path()).await;
    let work = calendar_path(THOMAS, "work/");
    let mk = br##"<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:A="http://apple.com/ns/ical/"><D:set><D:prop><D:displayname>Work &amp; travel</D:displayname><A:calendar-color>#FF0000FF</A:calendar-color><C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>"##;
    let r = as_user(&sb, THOMAS, "MKCALENDAR", &work, &[], mk).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = as_user(&sb, THOMAS, "MKCALENDAR", &work, &[], mk).await;
    assert_eq!(r.status, 405);
    let patch = br#"<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><C:calendar-description>Trips</C:calendar-description></D:prop></D:set></D:propertyupdate>"#;
    let r = as_user(&sb, THOMAS, "PROPPATCH", &work, &[], patch).await;
    assert_eq!(r.status, 207);
    assert!(r.text().contains("200 OK"));
    let r = as_user(
        &sb,
        THOMAS,
        "PROPFIND",
        &work,
        &[("Depth", "0")],
        PROPFIND_ALL,
    )
    .await;
    let t = r.text();
    assert!(
        t.contains("<D:displayname>Work &amp; travel</D:displayname>"),
        "{t}"
    );
    assert!(
        t.contains("<C:calendar-description>Trips</C:calendar-description>"),
        "{t}"
    );
    assert!(
        t.contains("#FF0000FF") && !t.contains("<C:comp name=\"VTODO\"/>"),
        "{t}"
    );

    let book = format!("/dav/{THOMAS}/contacts/team/");
    let mkcol = br#"<D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav"><D:set><D:prop><D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype><D:displayname>Team</D:displayname></D:prop></D:set></D:mkcol>"#;
    let r = as_user(&sb, THOMAS, "MKCOL", &book, &[], mkcol).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(
        sb.groupware_summary(EXCHANGE, THOMAS)
            .unwrap()
            .address_books,
        2
    );
    let r = as_user(&sb, THOMAS, "DELETE", &book, &[], b"").await;
    assert_eq!(r.status, 204);
    let r = as_user(&sb, THOMAS, "DELETE", &work, &[], b"").await;
    assert_eq!(r.status, 204);
    let s = sb.groupware_summary(EXCHANGE, THOMAS).unwrap();
    assert_eq!((s.calendars, s.address_books), (2, 1));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groupware_follows_rename_reset_create_and_survives_restarts() {
    let home = tempfile::tempdir().unwrap();
    let mut sb = start(home.path()).await;
    let before = sb.groupware_summary(EXCHANGE, THOMAS).unwrap();
    let body = event("keep-me@test", "Survives restarts");
    let r = as_user(
        &sb,
        THOMAS,
        "PUT",
        &calendar_path(THOMAS, "calendar/keep.ics"),
        &[],
        &body,
    )
    .await;
    assert_eq!(r.status, 201);
    let etag = r.header("etag").unwrap().to_string();

    let rename = sb
        .rename_account(EXCHANGE, THOMAS, "thomas.leroy01")
        .unwrap();
    let new = rename.new.to_ascii_lowercase();
    let after = sb.groupware_summary(EXCHANGE, &new).unwrap();
    assert_eq!(after.events, before.events + 1);
    assert_eq!(sb.groupware_summary(EXCHANGE, THOMAS).unwrap().calendars, 0);
    let r = as_user(
        &sb,
        &new,
        "GET",
        &calendar_path(&new, "calendar/keep.ics"),
        &[],
        b"",
    )
    .await;
    assert_eq!((r.status, r.body.as_slice()), (200, body.as_slice()));
    let r = as_user(
        &sb,
        THOMAS,
        "GET",
        &calendar_path(THOMAS, "calendar/keep.ics"),
        &[],
        b"",
    )
    .await;
    assert_eq!(r.status, 401, "the old login is gone");

    let created = sb
        .create_account(
            EXCHANGE,
            NewAccount {
                local_part: "zoe".into(),
                domain: "example.org".into(),
                display_name: "Zoé".into(),
                password: "Sunny-Day42".into(),
                quota_bytes: None,
            },
        )
        .unwrap();
    let z = sb.groupware_summary(EXCHANGE, &created).unwrap();
    assert_eq!(
        (z.calendars, z.address_books, z.events, z.scripts),
        (2, 1, 0, 0)
    );

    sb.shutdown().await;
    let sb = start(home.path()).await;
    let r = as_user(
        &sb,
        &new,
        "GET",
        &calendar_path(&new, "calendar/keep.ics"),
        &[],
        b"",
    )
    .await;
    assert_eq!((r.status, r.body.as_slice()), (200, body.as_slice()));
    assert_eq!(
        r.header("etag"),
        Some(etag.as_str()),
        "ETags are stable across restarts"
    );
    assert_eq!(sb.groupware_summary(EXCHANGE, &new).unwrap(), after);

    let mut sb = sb;
    sb.reset_account(EXCHANGE, &rename.new).unwrap();
    let gone = sb.groupware_summary(EXCHANGE, &new).unwrap();
    assert_eq!((gone.calendars, gone.events, gone.scripts), (0, 0, 0));
    assert!(!home
        .path()
        .join("sandbox/groupware/exchange-ab12cd")
        .join(&new)
        .exists());
    sb.shutdown().await;
}

/// Send raw bytes on one connection and return what came back (until close).
async fn raw(sb: &Sandbox, bytes: &[u8]) -> String {
    let url = sb.groupware(EXCHANGE).unwrap().dav_url;
    let host = url
        .strip_prefix("http://")
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_string();
    timeout(STEP, async {
        let mut s = TcpStream::connect(&host).await.unwrap();
        s.write_all(bytes).await.unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out).await;
        String::from_utf8_lossy(&out).into_owned()
    })
    .await
    .expect("the DAV server answers or closes in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_an_error_and_the_server_goes_on() {
    let home = tempfile::tempdir().unwrap();
    let sb = start(home.path()).await;
    let b = base64::engine::general_purpose::STANDARD.encode(format!("{THOMAS}:{DEMO_PASSWORD}"));
    let huge = format!(
        "PUT /dav/{THOMAS}/calendars/calendar/big.ics HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {b}\r\nContent-Length: 999999999\r\n\r\n"
    );
    let answer = raw(&sb, huge.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let answer = raw(&sb, b"\x00\xff garbage\r\n\r\n").await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
        "{answer}"
    );
    let r = as_user(&sb, THOMAS, "FROB", &format!("/dav/{THOMAS}/"), &[], b"").await;
    assert_eq!(r.status, 405);
    let r = as_user(
        &sb,
        THOMAS,
        "REPORT",
        &calendar_path(THOMAS, "calendar/"),
        &[],
        b"<D:sync-collection xmlns:D=\"DAV:\"/>",
    )
    .await;
    assert_eq!(r.status, 403);
    let r = as_user(
        &sb,
        THOMAS,
        "PROPFIND",
        &format!("/dav/{THOMAS}/"),
        &[("Depth", "0")],
        b"",
    )
    .await;
    assert_eq!(r.status, 207, "the server still answers");
    sb.shutdown().await;
}
