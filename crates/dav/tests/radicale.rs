//! The DAV client against a real Radicale server on 127.0.0.1 (skipped, with a printed
//! reason, when the Debian `radicale` package is not installed), plus error cases against
//! a closed port and a plain HTTP server that is not DAV.

use std::time::Duration;

use mailshift_dav::{
    inspect, CollectionKind, CollectionProps, DavAccount, DavClient, DavError, DeleteOutcome,
    ItemKind, PutOutcome,
};
use mailshift_net::{Secret, TlsOptions};
use mailshift_testkit::radicale::{Radicale, RadicaleOptions};

fn radicale(opts: RadicaleOptions) -> Option<Radicale> {
    if !mailshift_testkit::require(
        Radicale::is_available(),
        "radicale",
        "Debian package `radicale`",
    ) {
        return None;
    }
    Some(Radicale::start_with(opts).expect("radicale starts"))
}

fn client(base_url: &str, user: &str, password: &str) -> DavClient {
    DavClient::new(DavAccount {
        base_url: base_url.into(),
        user: user.into(),
        password: Secret::new(password),
        tls: TlsOptions::default(),
        timeout: Duration::from_secs(20),
    })
    .expect("client builds")
}

fn calendar_props() -> CollectionProps {
    CollectionProps {
        display_name: Some("Work & play <2026>".into()),
        color: Some("#FF8800FF".into()),
        description: Some("Team \"calendar\"".into()),
        components: vec!["VEVENT".into(), "VTODO".into()],
    }
}

const EVENT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//mailshift//test//EN\r\n\
BEGIN:VEVENT\r\nUID:meeting-1@example.org\r\nDTSTAMP:20260101T090000Z\r\n\
DTSTART:20260105T100000Z\r\nDTEND:20260105T110000Z\r\nSUMMARY:Planning\r\n\
ORGANIZER;CN=Alice:mailto:alice@example.org\r\n\
ATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.org\r\n\
ATTENDEE;CN=Carol;PARTSTAT=ACCEPTED:mailto:carol@example.org\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";

const TODO: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//mailshift//test//EN\r\n\
BEGIN:VTODO\r\nUID:todo-1\r\nDTSTAMP:20260101T090000Z\r\nSUMMARY:Buy milk\r\n\
STATUS:NEEDS-ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";

const CARD: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:card-1\r\nFN:Bob Builder\r\n\
N:Builder;Bob;;;\r\nEMAIL;TYPE=INTERNET:bob@example.org\r\nEND:VCARD\r\n";

const GROUP: &str = "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:group-1\r\nKIND:group\r\nFN:Builders\r\n\
MEMBER:urn:uuid:card-1\r\nEND:VCARD\r\n";

/// The object's content lines, sorted (order-insensitive comparison).
fn content_lines(body: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(body)
        .replace("\r\n ", "")
        .replace("\r\n", "\n");
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

#[tokio::test]
async fn discover_create_put_list_get() {
    let Some(server) = radicale(RadicaleOptions::default()) else {
        return;
    };
    server.add_user("alice", "s3cret pass").unwrap();
    let dav = client(&server.base_url(), "alice", "s3cret pass");

    let homes = dav.discover().await.expect("discovery");
    assert_eq!(homes.principal, "/alice/");
    let cal_home = homes.calendars.clone().expect("calendar home");
    let card_home = homes.contacts.clone().expect("address-book home");
    assert_eq!(cal_home, "/alice/");

    let props = calendar_props();
    let cal = dav
        .create_collection(&cal_home, "work cal", &props, CollectionKind::Calendar)
        .await
        .expect("MKCALENDAR");
    assert_eq!(cal, "/alice/work%20cal/");
    let book_props = CollectionProps {
        display_name: Some("Contacts".into()),
        description: Some("People".into()),
        ..CollectionProps::default()
    };
    let book = dav
        .create_collection(
            &card_home,
            "contacts",
            &book_props,
            CollectionKind::AddressBook,
        )
        .await
        .expect("extended MKCOL");

    let mut listed = dav.collections(&cal_home).await.unwrap();
    listed.sort_by(|a, b| a.href.cmp(&b.href));
    assert_eq!(listed.len(), 2, "{listed:?}");
    let lc = listed
        .iter()
        .find(|c| c.href == cal)
        .expect("calendar listed");
    assert_eq!(lc.kind, CollectionKind::Calendar);
    assert_eq!(lc.props, props);
    let lb = listed
        .iter()
        .find(|c| c.href == book)
        .expect("address book listed");
    assert_eq!(lb.kind, CollectionKind::AddressBook);
    assert_eq!(lb.props.display_name.as_deref(), Some("Contacts"));
    assert_eq!(lb.props.description.as_deref(), Some("People"));
    assert!(lb.props.components.is_empty());

    let puts = [
        (
            format!("{cal}meeting-1@example.org.ics"),
            "text/calendar; charset=utf-8",
            EVENT,
        ),
        (
            format!("{cal}todo-1.ics"),
            "text/calendar; charset=utf-8",
            TODO,
        ),
        (
            format!("{book}card-1.vcf"),
            "text/vcard; charset=utf-8",
            CARD,
        ),
        (
            format!("{book}group-1.vcf"),
            "text/vcard; charset=utf-8",
            GROUP,
        ),
    ];
    for (href, ct, body) in &puts {
        match dav.put_new(href, ct, body.as_bytes()).await.unwrap() {
            PutOutcome::Created { .. } => {}
            other => panic!("PUT {href}: {other:?}"),
        }
    }

    let objs = dav.objects(&cal).await.unwrap();
    let mut hrefs: Vec<_> = objs.iter().map(|o| o.href.clone()).collect();
    hrefs.sort();
    assert_eq!(
        hrefs,
        vec![
            format!("{cal}meeting-1@example.org.ics"),
            format!("{cal}todo-1.ics")
        ]
    );
    assert!(objs.iter().all(|o| o.etag.is_some()));
    assert_eq!(dav.objects(&book).await.unwrap().len(), 2);

    let mut report = Vec::new();
    for (href, _, body) in &puts {
        let got = dav.get(href).await.unwrap();
        assert_eq!(&got.href, href);
        assert!(got.etag.is_some());
        let kind = if href.ends_with(".ics") {
            ItemKind::Calendar
        } else {
            ItemKind::Contact
        };
        let sent = inspect(kind, body.as_bytes()).unwrap();
        let back = inspect(kind, &got.body).expect("server returns a valid object");
        assert_eq!(
            sent, back,
            "UID/components/group/attendees survive on {href}"
        );
        report.push((href.clone(), got.body == body.as_bytes(), got.body));
    }
    // Radicale 3.1 re-serializes objects (vobject): same content lines, but properties are
    // reordered inside each component, so the bytes differ from what was PUT. Every content
    // line survives unchanged, though.
    for ((href, exact, body), (_, _, sent)) in report.iter().zip(&puts) {
        println!(
            "byte-exact={exact} {href}\n{}",
            String::from_utf8_lossy(body)
        );
        assert_eq!(
            content_lines(body),
            content_lines(sent.as_bytes()),
            "same content lines on {href}"
        );
    }
    let back = inspect(ItemKind::Contact, &report[3].2).unwrap();
    assert!(back.is_group);
    let event = inspect(ItemKind::Calendar, &report[0].2).unwrap();
    assert!(event.has_attendees);
    assert_eq!(
        inspect(ItemKind::Calendar, &report[1].2)
            .unwrap()
            .components,
        vec!["VTODO"]
    );
}

#[tokio::test]
async fn conflicts_stale_etags_and_existing_collections() {
    let Some(server) = radicale(RadicaleOptions::default()) else {
        return;
    };
    server.add_user("alice", "pw").unwrap();
    let dav = client(&server.base_url(), "alice", "pw");
    let homes = dav.discover().await.unwrap();
    let home = homes.calendars.unwrap();
    let cal = dav
        .create_collection(&home, "cal", &calendar_props(), CollectionKind::Calendar)
        .await
        .unwrap();
    let again = dav
        .create_collection(&home, "cal", &calendar_props(), CollectionKind::Calendar)
        .await
        .unwrap_err();
    assert!(
        matches!(&again, DavError::AlreadyExists(u) if u.ends_with("/alice/cal/")),
        "{again}"
    );

    let href = format!("{cal}todo.ics");
    let first = dav
        .put_new(&href, "text/calendar", TODO.as_bytes())
        .await
        .unwrap();
    let PutOutcome::Created { etag } = first else {
        panic!("first PUT: {first:?}");
    };
    assert_eq!(
        dav.put_new(&href, "text/calendar", TODO.as_bytes())
            .await
            .unwrap(),
        PutOutcome::AlreadyExists
    );
    // Same UID under another name: the server's no-uid-conflict precondition.
    assert_eq!(
        dav.put_new(&format!("{cal}other.ics"), "text/calendar", TODO.as_bytes())
            .await
            .unwrap(),
        PutOutcome::AlreadyExists
    );
    assert_eq!(
        dav.delete(&href, Some("\"stale-etag\"")).await.unwrap(),
        DeleteOutcome::Changed
    );
    let etag = etag
        .or(dav.get(&href).await.unwrap().etag)
        .expect("an etag");
    assert_eq!(
        dav.delete(&href, Some(&etag)).await.unwrap(),
        DeleteOutcome::Deleted
    );
    assert_eq!(dav.delete(&href, None).await.unwrap(), DeleteOutcome::Gone);
    assert!(dav.objects(&cal).await.unwrap().is_empty());
    let missing = dav.get(&href).await.unwrap_err();
    assert!(
        matches!(missing, DavError::Http { status: 404, .. }),
        "{missing}"
    );
}

#[tokio::test]
async fn wrong_password_is_an_auth_error_without_the_password() {
    let Some(server) = radicale(RadicaleOptions::default()) else {
        return;
    };
    server.add_user("alice", "right-one").unwrap();
    let dav = client(&server.base_url(), "alice", "wrong-one");
    let err = dav.discover().await.unwrap_err();
    assert!(matches!(err, DavError::Auth { status: 401, .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("login or password refused by http://127.0.0.1:"),
        "{text}"
    );
    assert!(!text.contains("wrong-one") && !format!("{err:?}").contains("wrong-one"));
    assert!(!format!("{dav:?}").contains("wrong-one"));
}

#[tokio::test]
async fn closed_port_is_a_connect_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dav = client(&format!("http://127.0.0.1:{port}/"), "alice", "pw");
    let err = dav.discover().await.unwrap_err();
    match &err {
        DavError::Connect { addr, .. } => assert_eq!(addr, &format!("127.0.0.1:{port}")),
        other => panic!("expected Connect, got {other:?}"),
    }
}

#[tokio::test]
async fn plain_http_server_is_not_dav() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let mut seen = Vec::new();
                // Read the head and whatever body arrived with it, then answer plain text.
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = tokio::time::timeout(Duration::from_millis(100), sock.read(&mut buf)).await;
                let body = "hello, this is a web page";
                let resp = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    let dav = client(&format!("http://127.0.0.1:{port}/"), "alice", "pw");
    let err = tokio::time::timeout(Duration::from_secs(30), dav.discover())
        .await
        .expect("discovery ends")
        .unwrap_err();
    assert!(matches!(err, DavError::NotDav { .. }), "{err:?}");
    assert!(
        err.to_string().contains("is not a CalDAV/CardDAV server"),
        "{err}"
    );
    server.abort();
}

#[tokio::test]
async fn read_only_user_put_is_forbidden_with_url_and_status() {
    let Some(server) = radicale(RadicaleOptions {
        read_only_users: vec!["reader".into()],
        ..RadicaleOptions::default()
    }) else {
        return;
    };
    server.add_user("alice", "pw").unwrap();
    server.add_user("reader", "pw2").unwrap();
    let owner = client(&server.base_url(), "alice", "pw");
    let home = owner.discover().await.unwrap().calendars.unwrap();
    let cal = owner
        .create_collection(&home, "shared", &calendar_props(), CollectionKind::Calendar)
        .await
        .unwrap();
    let href = format!("{cal}ev.ics");
    assert!(matches!(
        owner
            .put_new(&href, "text/calendar", EVENT.as_bytes())
            .await
            .unwrap(),
        PutOutcome::Created { .. }
    ));

    let reader = client(&server.base_url(), "reader", "pw2");
    // Reading works ...
    assert_eq!(reader.objects(&cal).await.unwrap().len(), 1);
    // ... writing does not.
    let err = reader
        .put_new(&format!("{cal}new.ics"), "text/calendar", TODO.as_bytes())
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, DavError::Forbidden { .. }), "{err:?}");
    assert!(
        text.contains("/alice/shared/new.ics") && text.contains("403"),
        "{text}"
    );
    let err = reader.delete(&href, None).await.unwrap_err();
    assert!(matches!(err, DavError::Forbidden { .. }), "{err:?}");
}

#[tokio::test]
async fn a_thousand_objects_list_fully() {
    let Some(server) = radicale(RadicaleOptions::default()) else {
        return;
    };
    server.add_user("alice", "pw").unwrap();
    let dav = client(&server.base_url(), "alice", "pw");
    let home = dav.discover().await.unwrap().contacts.unwrap();
    let book = dav
        .create_collection(
            &home,
            "many",
            &CollectionProps::default(),
            CollectionKind::AddressBook,
        )
        .await
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(8));
    for i in 0..1000 {
        let dav = dav.clone();
        let book = book.clone();
        let sem = sem.clone();
        tasks.spawn(async move {
            let _permit = sem.acquire().await.unwrap();
            let body = format!(
                "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:person-{i}\r\nFN:Person {i}\r\nEND:VCARD\r\n"
            );
            dav.put_new(
                &format!("{book}person-{i}.vcf"),
                "text/vcard",
                body.as_bytes(),
            )
            .await
        });
    }
    while let Some(r) = tasks.join_next().await {
        assert!(matches!(r.unwrap().unwrap(), PutOutcome::Created { .. }));
    }
    let objs = dav.objects(&book).await.unwrap();
    assert_eq!(objs.len(), 1000);
    let mut names: Vec<_> = objs.iter().map(|o| o.href.clone()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 1000);
    assert!(names.contains(&format!("{book}person-999.vcf")));
}

#[tokio::test]
async fn https_to_a_plain_http_port_is_a_tls_error() {
    let Some(server) = radicale(RadicaleOptions::default()) else {
        return;
    };
    let url = server.base_url().replace("http://", "https://");
    let dav = client(&url, "alice", "pw");
    let err = dav.discover().await.unwrap_err();
    assert!(matches!(err, DavError::Tls { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains(&format!("127.0.0.1:{}", server.port())),
        "{err}"
    );
}
