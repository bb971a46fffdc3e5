//! Groupware tasks against real servers started here on 127.0.0.1: Radicale for
//! CalDAV/CardDAV and Dovecot Pigeonhole for ManageSieve. Calendars, tasks, contacts,
//! groups, rules and the out-of-office move byte for byte; a re-run copies nothing; a
//! rollback removes what the task created; a refused item does not stop the rest.

use std::time::Duration;

use mailshift_dav::{CollectionKind, CollectionProps, DavAccount, DavClient, PutOutcome};
use mailshift_engine::imap::{Secret, Security, TlsOptions};
use mailshift_panel::migration::{MigrationOption, OptionSet};
use mailshift_sieve::{SieveAccount, SieveClient};
use mailshift_tasks::spec::{Groupware, SieveServer};
use mailshift_tasks::{
    Clock, Credentials, EndpointSpec, FailureKind, Migrator, ServerType, StepKind, StepState,
    TaskRecord, TaskSpec, TaskState, Tuning,
};
use mailshift_testkit::radicale::{Radicale, RadicaleOptions};
use mailshift_testkit::{Dovecot, DovecotOptions};

const SRC: &str = "src@x.test";
const DST: &str = "dst@x.test";
const PW_SRC: &str = "Src-pass-Otter-27";
const PW_DST: &str = "Dst-pass-Heron-64";

fn servers(radicale: RadicaleOptions) -> Option<(Dovecot, Radicale)> {
    if !mailshift_testkit::require(
        Dovecot::is_available() && Radicale::is_available(),
        "dovecot or radicale",
        ".ci/run installs dovecot-managesieved and radicale",
    ) {
        return None;
    }
    let d = Dovecot::start_with(DovecotOptions {
        managesieve: true,
        ..DovecotOptions::default()
    })
    .expect("start dovecot");
    let r = Radicale::start_with(radicale).expect("start radicale");
    for (u, p) in [(SRC, PW_SRC), (DST, PW_DST)] {
        d.add_user(u, p).unwrap();
        r.add_user(u, p).unwrap();
    }
    Some((d, r))
}

fn ep(d: &Dovecot, r: &Radicale, login: &str) -> EndpointSpec {
    EndpointSpec {
        server_type: ServerType::Exchange,
        host: "127.0.0.1".into(),
        port: d.port(),
        security: Security::None,
        auth: Default::default(),
        login: login.into(),
        insecure: false,
        ca_file: None,
        groupware: Groupware {
            dav_url: Some(r.base_url()),
            sieve: Some(SieveServer {
                host: "127.0.0.1".into(),
                port: d.sieve_port().unwrap(),
                security: Security::None,
            }),
        },
    }
}

fn groupware_options() -> OptionSet {
    [
        MigrationOption::Calendars,
        MigrationOption::Tasks,
        MigrationOption::Contacts,
        MigrationOption::ContactGroups,
        MigrationOption::InboxRules,
        MigrationOption::OutOfOffice,
    ]
    .into_iter()
    .collect()
}

fn spec(d: &Dovecot, r: &Radicale) -> TaskSpec {
    TaskSpec {
        source: ep(d, r, SRC),
        destination: ep(d, r, DST),
        options: groupware_options(),
        notify: None,
        tuning: Tuning {
            timeout_secs: Some(30),
            ..Tuning::default()
        },
        project: None,
    }
}

fn creds() -> Credentials {
    Credentials {
        source: Secret::new(PW_SRC),
        destination: Secret::new(PW_DST),
    }
}

fn dav(r: &Radicale, user: &str, pw: &str) -> DavClient {
    DavClient::new(DavAccount {
        base_url: r.base_url(),
        user: user.into(),
        password: Secret::new(pw),
        tls: TlsOptions::default(),
        timeout: Duration::from_secs(30),
    })
    .unwrap()
}

async fn sieve(d: &Dovecot, user: &str, pw: &str) -> SieveClient {
    SieveClient::connect(&SieveAccount {
        host: "127.0.0.1".into(),
        port: d.sieve_port().unwrap(),
        security: Security::None,
        user: user.into(),
        password: Secret::new(pw),
        tls: TlsOptions::default(),
        timeout: Duration::from_secs(30),
    })
    .await
    .unwrap()
}

fn event(uid: &str, summary: &str, attendees: bool, extra: &str) -> String {
    let who = if attendees {
        "ORGANIZER:mailto:src@x.test\r\nATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION:mailto:bob@y.test\r\n"
    } else {
        ""
    };
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//mailshift tests//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T090000Z\r\nDTSTART:20261201T090000Z\r\nDTEND:20261201T100000Z\r\nSUMMARY:{summary}\r\n{who}{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn todo(uid: &str, summary: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//mailshift tests//EN\r\nBEGIN:VTODO\r\nUID:{uid}\r\nDTSTAMP:20260101T090000Z\r\nSUMMARY:{summary}\r\nSTATUS:NEEDS-ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
    )
}

fn card(uid: &str, name: &str) -> String {
    format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{name}\r\nN:{name};;;;\r\nEMAIL;TYPE=INTERNET:{uid}@y.test\r\nEND:VCARD\r\n"
    )
}

fn group(uid: &str, name: &str, members: &[&str]) -> String {
    let m: String = members
        .iter()
        .map(|u| format!("X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:{u}\r\n"))
        .collect();
    format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{name}\r\nN:{name};;;;\r\nX-ADDRESSBOOKSERVER-KIND:group\r\n{m}END:VCARD\r\n"
    )
}

const RULES: &str = "require [\"fileinto\"];\r\n# newsletters\r\nif header :contains \"List-Id\" \"news\" {\r\n  fileinto \"INBOX\";\r\n}\r\n";
const OOO: &str = "require [\"vacation\"];\r\nvacation :days 3 :subject \"Away\" text:\r\nI am away until Monday; écrivez-moi après.\r\n.\r\n;\r\n";

/// Calendars "work" (events + tasks) and "chores" (tasks only), address book "friends"
/// (cards + 2 groups), Sieve "rules" (active) and "away" (vacation).
async fn seed_source(d: &Dovecot, r: &Radicale, events: usize) {
    let c = dav(r, SRC, PW_SRC);
    let homes = c.discover().await.unwrap();
    let cal_home = homes.calendars.clone().unwrap();
    let book_home = homes.contacts.clone().unwrap();
    let work = c
        .create_collection(
            &cal_home,
            "work",
            &CollectionProps {
                display_name: Some("Work & meetings".into()),
                color: Some("#FF8800FF".into()),
                description: Some("The team calendar".into()),
                components: vec!["VEVENT".into(), "VTODO".into()],
            },
            CollectionKind::Calendar,
        )
        .await
        .unwrap();
    for i in 0..events {
        let body = event(&format!("ev-{i}"), &format!("Meeting {i}"), i % 3 == 0, "");
        let r = c
            .put_new(
                &format!("{work}ev-{i}.ics"),
                "text/calendar",
                body.as_bytes(),
            )
            .await
            .unwrap();
        assert!(matches!(r, PutOutcome::Created { .. }));
    }
    for i in 0..3 {
        c.put_new(
            &format!("{work}todo-{i}.ics"),
            "text/calendar",
            todo(&format!("todo-{i}"), &format!("Prepare {i}")).as_bytes(),
        )
        .await
        .unwrap();
    }
    let chores = c
        .create_collection(
            &cal_home,
            "chores",
            &CollectionProps {
                display_name: Some("Chores".into()),
                components: vec!["VTODO".into()],
                ..CollectionProps::default()
            },
            CollectionKind::Calendar,
        )
        .await
        .unwrap();
    for i in 0..2 {
        c.put_new(
            &format!("{chores}chore-{i}.ics"),
            "text/calendar",
            todo(&format!("chore-{i}"), &format!("Chore {i}")).as_bytes(),
        )
        .await
        .unwrap();
    }
    let friends = c
        .create_collection(
            &book_home,
            "friends",
            &CollectionProps {
                display_name: Some("Friends".into()),
                description: Some("People I know".into()),
                ..CollectionProps::default()
            },
            CollectionKind::AddressBook,
        )
        .await
        .unwrap();
    for i in 0..8 {
        c.put_new(
            &format!("{friends}card-{i}.vcf"),
            "text/vcard",
            card(&format!("card-{i}"), &format!("Friend {i}")).as_bytes(),
        )
        .await
        .unwrap();
    }
    for (g, members) in [
        ("group-a", ["card-1", "card-2"]),
        ("group-b", ["card-3", "card-4"]),
    ] {
        c.put_new(
            &format!("{friends}{g}.vcf"),
            "text/vcard",
            group(g, g, &members).as_bytes(),
        )
        .await
        .unwrap();
    }
    let mut s = sieve(d, SRC, PW_SRC).await;
    s.put("rules", RULES).await.unwrap();
    s.put("away", OOO).await.unwrap();
    s.set_active(Some("rules")).await.unwrap();
    let _ = s.logout().await;
}

/// Every object of `user`'s collections: (collection segment, file, bytes).
async fn contents(r: &Radicale, user: &str, pw: &str) -> Vec<(String, String, Vec<u8>)> {
    let c = dav(r, user, pw);
    let homes = c.discover().await.unwrap();
    let mut out = Vec::new();
    for home in [homes.calendars.unwrap(), homes.contacts.unwrap()] {
        for col in c.collections(&home).await.unwrap() {
            let seg = col
                .href
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap()
                .to_string();
            for o in c.objects(&col.href).await.unwrap() {
                let file = o.href.rsplit('/').next().unwrap().to_string();
                let body = c.get(&o.href).await.unwrap().body;
                out.push((seg.clone(), file, body));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn step(rec: &TaskRecord, kind: StepKind) -> &mailshift_tasks::Step {
    rec.steps
        .iter()
        .find(|s| s.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} step in {:?}", rec.steps))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groupware_moves_exactly_once_and_rolls_back() {
    let Some((d, r)) = servers(RadicaleOptions::default()) else {
        return;
    };
    seed_source(&d, &r, 12).await;
    let home = tempfile::tempdir().unwrap();
    let m = Migrator::open(home.path(), Clock::system()).unwrap();
    let rec = m.start(spec(&d, &r), creds()).unwrap().wait().await;
    assert_eq!(rec.state, TaskState::Finished, "{rec:#?}\n{}", r.log_text());
    assert!(
        !rec.steps.iter().any(|s| s.kind == StepKind::Emails),
        "e-mails were not asked for"
    );
    let counts = |k| step(&rec, k).counts.unwrap();
    assert_eq!(counts(StepKind::Calendars).copied, 12);
    assert_eq!(counts(StepKind::Tasks).copied, 5, "3 in work + 2 in chores");
    assert_eq!(counts(StepKind::Contacts).copied, 8);
    assert_eq!(counts(StepKind::ContactGroups).copied, 2);
    assert_eq!(counts(StepKind::InboxRules).copied, 1);
    assert_eq!(counts(StepKind::OutOfOffice).copied, 1);
    for s in &rec.steps {
        assert_eq!(s.state, StepState::Done, "{s:?}");
    }
    assert_eq!(
        rec.ratio(),
        1.0,
        "a groupware-only task's gauge follows its items"
    );

    // Byte for byte, under the same names, with the collections' properties.
    let src = contents(&r, SRC, PW_SRC).await;
    let dst = contents(&r, DST, PW_DST).await;
    assert_eq!(src.len(), 12 + 5 + 8 + 2);
    assert_eq!(src, dst, "destination differs from source");
    let dc = dav(&r, DST, PW_DST);
    let cols = dc
        .collections(&dc.discover().await.unwrap().calendars.unwrap())
        .await
        .unwrap();
    let work = cols.iter().find(|c| c.href.ends_with("/work/")).unwrap();
    assert_eq!(work.props.display_name.as_deref(), Some("Work & meetings"));
    assert_eq!(work.props.description.as_deref(), Some("The team calendar"));
    assert_eq!(work.props.color.as_deref(), Some("#FF8800FF"));
    let attendees = dst
        .iter()
        .filter(|(_, _, b)| String::from_utf8_lossy(b).contains("ATTENDEE"))
        .count();
    assert_eq!(attendees, 4, "attendees are kept (ev-0, 3, 6, 9)");

    let mut s = sieve(&d, DST, PW_DST).await;
    let mut list = s.list().await.unwrap();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(
        list.iter()
            .map(|e| (e.name.as_str(), e.active))
            .collect::<Vec<_>>(),
        vec![("away", false), ("rules", true)]
    );
    assert_eq!(s.get("away").await.unwrap(), OOO);
    assert_eq!(s.get("rules").await.unwrap(), RULES);
    let _ = s.logout().await;

    // A second task finds everything there and copies nothing.
    let again = m.start(spec(&d, &r), creds()).unwrap().wait().await;
    assert_eq!(again.state, TaskState::Finished, "{again:#?}");
    for k in [
        StepKind::Calendars,
        StepKind::Tasks,
        StepKind::Contacts,
        StepKind::ContactGroups,
    ] {
        let c = step(&again, k).counts.unwrap();
        assert_eq!(c.copied, 0, "{k:?} {c:?}");
        assert_eq!(c.present, c.total, "{k:?} {c:?}");
    }
    assert_eq!(
        contents(&r, DST, PW_DST).await,
        dst,
        "a re-run changes nothing"
    );

    // Rolling back the first task removes what it created, nothing else.
    let out = m.rollback(&rec.id, SRC, Secret::new(PW_DST)).await.unwrap();
    assert_eq!(out.items_removed, 27, "{out:?}");
    assert_eq!(out.collections_removed.len(), 3, "{out:?}");
    let mut removed = out.scripts_removed.clone();
    removed.sort();
    assert_eq!(removed, vec!["away".to_string(), "rules".to_string()]);
    assert!(contents(&r, DST, PW_DST).await.is_empty());
    let mut s = sieve(&d, DST, PW_DST).await;
    assert!(s.list().await.unwrap().is_empty());
    let _ = s.logout().await;
    assert_eq!(
        contents(&r, SRC, PW_SRC).await,
        src,
        "the source is untouched"
    );
    assert_eq!(m.get(&rec.id).unwrap().state, TaskState::RolledBack);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_the_destination_refuses_is_reported_and_the_rest_moves() {
    let Some((d, r)) = servers(RadicaleOptions::default()) else {
        return;
    };
    // The destination's Radicale refuses request bodies above 4 KB: one big event cannot go.
    let small = Radicale::start_with(RadicaleOptions {
        max_content_length: Some(4096),
        ..RadicaleOptions::default()
    })
    .unwrap();
    small.add_user(DST, PW_DST).unwrap();
    seed_source(&d, &r, 4).await;
    let c = dav(&r, SRC, PW_SRC);
    let work = format!("{}work/", c.discover().await.unwrap().calendars.unwrap());
    let big = event(
        "ev-big",
        "Offsite",
        false,
        // One long DESCRIPTION, folded at 70 characters.
        &format!("DESCRIPTION:{}\r\n", vec!["x".repeat(70); 80].join("\r\n ")),
    );
    c.put_new(
        &format!("{work}ev-big.ics"),
        "text/calendar",
        big.as_bytes(),
    )
    .await
    .unwrap();

    let home = tempfile::tempdir().unwrap();
    let m = Migrator::open(home.path(), Clock::system()).unwrap();
    let mut s = spec(&d, &r);
    s.destination.groupware.dav_url = Some(small.base_url());
    s.options = [MigrationOption::Calendars, MigrationOption::Contacts]
        .into_iter()
        .collect();
    let rec = m.start(s, creds()).unwrap().wait().await;
    assert_eq!(rec.state, TaskState::Failed, "{rec:#?}");
    let cal = step(&rec, StepKind::Calendars);
    assert_eq!(cal.state, StepState::Failed);
    let counts = cal.counts.unwrap();
    assert_eq!(
        (counts.copied, counts.failed),
        (4, 1),
        "{counts:?} {rec:#?}"
    );
    assert!(
        rec.progress
            .problems
            .iter()
            .any(|p| p.contains("ev-big.ics") && p.contains("refused")),
        "{:?}",
        rec.progress.problems
    );
    assert!(rec
        .error
        .as_deref()
        .unwrap_or("")
        .contains("run the task again"));
    assert_eq!(step(&rec, StepKind::Contacts).counts.unwrap().copied, 8);
    assert_eq!(step(&rec, StepKind::Contacts).state, StepState::Done);
    assert_eq!(contents(&small, DST, PW_DST).await.len(), 4 + 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_groupware_password_stops_the_task_before_anything_moves() {
    let Some((d, r)) = servers(RadicaleOptions::default()) else {
        return;
    };
    seed_source(&d, &r, 2).await;
    let home = tempfile::tempdir().unwrap();
    let m = Migrator::open(home.path(), Clock::system()).unwrap();
    let mut s = spec(&d, &r);
    s.options.insert(MigrationOption::Emails);
    let rec = m
        .start(
            s,
            Credentials {
                source: Secret::new(PW_SRC),
                destination: Secret::new("Wrong-Password-Qx7"),
            },
        )
        .unwrap()
        .wait()
        .await;
    assert_eq!(rec.state, TaskState::Failed);
    assert_eq!(rec.failure, Some(FailureKind::Auth), "{rec:#?}");
    let err = rec.error.clone().unwrap();
    assert!(
        err.contains("destination") && err.contains("refused"),
        "{err}"
    );
    assert_eq!(step(&rec, StepKind::Connect).state, StepState::Failed);
    assert_eq!(rec.progress.messages_done, 0, "no mail moved either");
    assert!(contents(&r, DST, PW_DST).await.is_empty());
}
