//! The full option list on the sandbox's Exchange platform, as on first start: a demo
//! account's calendars, tasks, contacts, groups, rules and out-of-office move to a new
//! account over the sandbox's own CalDAV/CardDAV and ManageSieve servers.

use mailshift_engine::imap::{Secret, Security};
use mailshift_panel::migration::OptionSet;
use mailshift_panel::{NewAccount, PlatformKind, DEMO_PASSWORD};
use mailshift_sandbox::{Sandbox, SandboxOptions};
use mailshift_tasks::spec::{Groupware, SieveServer};
use mailshift_tasks::{
    Clock, Credentials, EndpointSpec, Migrator, ServerType, StepKind, StepState, TaskSpec,
    TaskState, Tuning,
};

const NEW_PASS: &str = "Fresh-pass-Crane-58";

/// A sandbox home with a demo Exchange account (`from`) and a new, empty one (`to`):
/// (home, sandbox, platform, service name, from, to).
async fn exchange_pair() -> (
    tempfile::TempDir,
    Sandbox,
    mailshift_panel::PlatformId,
    String,
    String,
    String,
) {
    let home = tempfile::tempdir().unwrap();
    let mut sb = Sandbox::start(home.path(), SandboxOptions::default())
        .await
        .unwrap();
    let (pid, service, from, domain) = {
        let p = sb
            .panel()
            .platforms
            .iter()
            .find(|p| p.kind == PlatformKind::Exchange)
            .expect("the demo has an Exchange platform");
        let a = p.configured_accounts().next().expect("a demo account");
        (p.id, p.service_name.clone(), a.address(), a.domain.clone())
    };
    let to = sb
        .create_account(
            pid,
            NewAccount {
                local_part: "kim.lee".into(),
                domain,
                display_name: String::new(),
                password: NEW_PASS.into(),
                quota_bytes: None,
            },
        )
        .unwrap();
    (home, sb, pid, service, from, to)
}

/// `login` on the sandbox's Exchange platform, with its DAV and (if asked) Sieve servers.
fn sandbox_side(
    sb: &Sandbox,
    pid: mailshift_panel::PlatformId,
    login: &str,
    sieve: bool,
) -> EndpointSpec {
    let g = sb.groupware(pid).expect("Exchange serves groupware");
    let p = sb.panel().platform(pid).unwrap();
    EndpointSpec {
        server_type: ServerType::Exchange,
        host: p.endpoints.host.clone(),
        port: p.endpoints.imap_port,
        security: Security::None,
        auth: Default::default(),
        login: login.into(),
        insecure: false,
        ca_file: None,
        groupware: Groupware {
            dav_url: Some(g.dav_url.clone()),
            sieve: sieve.then(|| SieveServer {
                host: g.sieve.ip().to_string(),
                port: g.sieve.port(),
                security: Security::None,
            }),
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_option_moves_between_two_exchange_accounts_of_the_sandbox() {
    let (_home, sb, pid, _, from, to) = exchange_pair().await;
    let before = sb.groupware_summary(pid, &from).unwrap();
    assert!(
        before.events > 0 && before.tasks > 0 && before.contacts > 0 && before.groups > 0,
        "the demo account holds groupware: {before:?}"
    );
    assert!(
        before.scripts >= 2 && before.active_script.is_some(),
        "{before:?}"
    );
    let ep = |login: &str| sandbox_side(&sb, pid, login, true);
    let spec = TaskSpec {
        source: ep(&from),
        destination: ep(&to),
        options: OptionSet::all(),
        notify: None,
        tuning: Tuning::default(),
        project: None,
    };
    let state = tempfile::tempdir().unwrap();
    let m = Migrator::open(state.path(), Clock::system()).unwrap();
    let creds = Credentials {
        source: Secret::new(DEMO_PASSWORD),
        destination: Secret::new(NEW_PASS),
    };
    let rec = m.start(spec.clone(), creds.clone()).unwrap().wait().await;
    assert_eq!(rec.state, TaskState::Finished, "{rec:#?}");
    for s in &rec.steps {
        assert_eq!(s.state, StepState::Done, "{s:?}");
    }
    let after = sb.groupware_summary(pid, &to).unwrap();
    assert_eq!(after.events, before.events, "{after:?} vs {before:?}");
    assert_eq!(after.tasks, before.tasks);
    assert_eq!(after.contacts, before.contacts);
    assert_eq!(after.groups, before.groups);
    assert_eq!(after.scripts, before.scripts);
    assert_eq!(after.active_script, before.active_script);
    assert!(rec.progress.messages_done > 0, "mail moved too");
    let step = |k| {
        rec.steps
            .iter()
            .find(|s| s.kind == k)
            .unwrap()
            .counts
            .unwrap()
    };
    assert_eq!(step(StepKind::ContactGroups).copied as usize, before.groups);

    // The source is untouched; rolling back leaves the new account as it was created.
    assert_eq!(sb.groupware_summary(pid, &from).unwrap(), before);
    let out = m
        .rollback(&rec.id, &from, Secret::new(NEW_PASS))
        .await
        .unwrap();
    let left = sb.groupware_summary(pid, &to).unwrap();
    assert_eq!(
        (
            left.events,
            left.tasks,
            left.contacts,
            left.groups,
            left.scripts
        ),
        (0, 0, 0, 0, 0),
        "{out:?}"
    );
    assert_eq!(left.active_script, None);
    sb.shutdown().await;
}

/// Radicale + Pigeonhole to the sandbox: what the destination cannot hold (a script
/// needing `enotify`, which the sandbox lacks) is known before anything moves, and the
/// rest moves across two different server implementations.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_destination_cannot_hold_is_said_before_the_start() {
    use mailshift_dav::{CollectionKind, CollectionProps, DavAccount, DavClient};
    use mailshift_engine::imap::TlsOptions;
    use mailshift_panel::migration::MigrationOption;
    use mailshift_sieve::{SieveAccount, SieveClient};
    use mailshift_testkit::radicale::Radicale;
    use mailshift_testkit::{Dovecot, DovecotOptions};
    use std::time::Duration;

    if !mailshift_testkit::require(
        Dovecot::is_available() && Radicale::is_available(),
        "dovecot or radicale",
        ".ci/run installs dovecot-managesieved and radicale",
    ) {
        return;
    }
    const SRC: &str = "ann@x.test";
    const PW: &str = "Ann-pass-Quail-33";
    let d = Dovecot::start_with(DovecotOptions {
        managesieve: true,
        ..DovecotOptions::default()
    })
    .unwrap();
    d.add_user(SRC, PW).unwrap();
    let r = Radicale::start().unwrap();
    r.add_user(SRC, PW).unwrap();

    // Source: a calendar with two events, a plain rule and an enotify rule (active).
    let c = DavClient::new(DavAccount {
        base_url: r.base_url(),
        user: SRC.into(),
        password: Secret::new(PW),
        tls: TlsOptions::default(),
        timeout: Duration::from_secs(30),
    })
    .unwrap();
    let home = c.discover().await.unwrap().calendars.unwrap();
    let cal = c
        .create_collection(
            &home,
            "team",
            &CollectionProps {
                display_name: Some("Team".into()),
                components: vec!["VEVENT".into()],
                ..CollectionProps::default()
            },
            CollectionKind::Calendar,
        )
        .await
        .unwrap();
    for i in 0..2 {
        let body = format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:team-{i}\r\nDTSTAMP:20260101T090000Z\r\nDTSTART:20261202T090000Z\r\nSUMMARY:Standup {i}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
        c.put_new(
            &format!("{cal}team-{i}.ics"),
            "text/calendar",
            body.as_bytes(),
        )
        .await
        .unwrap();
    }
    let mut s = SieveClient::connect(&SieveAccount {
        host: "127.0.0.1".into(),
        port: d.sieve_port().unwrap(),
        security: Security::None,
        user: SRC.into(),
        password: Secret::new(PW),
        tls: TlsOptions::default(),
        timeout: Duration::from_secs(30),
    })
    .await
    .unwrap();
    s.put("plain", "require \"fileinto\";\r\nfileinto \"INBOX\";\r\n")
        .await
        .unwrap();
    s.put(
        "alerts",
        "require [\"enotify\"];\r\nnotify \"mailto:boss@y.test\";\r\n",
    )
    .await
    .unwrap();
    let _ = s.logout().await;

    let (_home, sb, pid, _, _, to) = exchange_pair().await;
    let spec = TaskSpec {
        source: EndpointSpec {
            server_type: ServerType::Exchange,
            host: "127.0.0.1".into(),
            port: d.port(),
            security: Security::None,
            auth: Default::default(),
            login: SRC.into(),
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
        },
        destination: sandbox_side(&sb, pid, &to, true),
        options: [
            MigrationOption::Emails,
            MigrationOption::Calendars,
            MigrationOption::InboxRules,
        ]
        .into_iter()
        .collect(),
        notify: None,
        tuning: Tuning::default(),
        project: None,
    };
    let state = tempfile::tempdir().unwrap();
    let m = Migrator::open(state.path(), Clock::system()).unwrap();
    let mut updates = m.subscribe();
    let handle = m
        .start(
            spec,
            Credentials {
                source: Secret::new(PW),
                destination: Secret::new(NEW_PASS),
            },
        )
        .unwrap();
    // The warning is published while nothing has moved yet.
    let mut early = None;
    while let Ok(Ok(rec)) = tokio::time::timeout(Duration::from_secs(60), updates.recv()).await {
        let rules = rec
            .steps
            .iter()
            .find(|s| s.kind == StepKind::InboxRules)
            .unwrap();
        let detail = rules.detail.clone().unwrap_or_default();
        if detail.contains("known before the start") {
            early = Some((detail, rec.progress.messages_done, rules.counts));
            break;
        }
        if rec.state.is_ended() {
            break;
        }
    }
    let (detail, mails, counts) = early.expect("a record with the rehearsal's warning");
    assert!(
        detail.contains("enotify") && detail.contains("alerts"),
        "{detail}"
    );
    assert_eq!((mails, counts), (0, None), "nothing had moved yet");
    let rec = handle.wait().await;
    assert_eq!(rec.state, TaskState::Finished, "{rec:#?}");
    let rules = rec
        .steps
        .iter()
        .find(|s| s.kind == StepKind::InboxRules)
        .unwrap();
    let counts = rules.counts.unwrap();
    assert_eq!((counts.copied, counts.refused), (1, 1), "{rules:?}");
    let cal = rec
        .steps
        .iter()
        .find(|s| s.kind == StepKind::Calendars)
        .unwrap();
    assert_eq!(cal.counts.unwrap().copied, 2, "{cal:?}");
    let held = sb.groupware_summary(pid, &to).unwrap();
    assert_eq!(held.scripts, 1);
    assert!(held.events >= 2, "{held:?}");
    sb.shutdown().await;
}

/// An invalid event and an invalid card on the source are refused one by one, with
/// their names and the reason; everything else moves and the task still finishes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_items_are_refused_one_by_one_and_the_rest_moves() {
    let (_home, sb, pid, service, from, to) = exchange_pair().await;
    let before = sb.groupware_summary(pid, &from).unwrap();
    // Damage the source behind the server's back (it validates what it is given).
    let account = sb
        .root()
        .join("groupware")
        .join(&service)
        .join(from.to_ascii_lowercase());
    let mut planted = 0;
    for (home_dir, file, text) in [
        ("calendars", "broken.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:no uid\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"),
        ("contacts", "broken.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:x\r\nFN:cut short\r\n"),
    ] {
        let col = std::fs::read_dir(account.join(home_dir))
            .unwrap_or_else(|e| panic!("{}: {e}", account.join(home_dir).display()))
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.join("objects").is_dir())
            .expect("a collection with objects");
        std::fs::write(col.join("objects").join(file), text).unwrap();
        planted += 1;
    }
    assert_eq!(planted, 2);
    let ep = |login: &str| sandbox_side(&sb, pid, login, false);
    let spec = TaskSpec {
        source: ep(&from),
        destination: ep(&to),
        options: [
            mailshift_panel::migration::MigrationOption::Calendars,
            mailshift_panel::migration::MigrationOption::Tasks,
            mailshift_panel::migration::MigrationOption::Contacts,
        ]
        .into_iter()
        .collect(),
        notify: None,
        tuning: Tuning::default(),
        project: None,
    };
    let state = tempfile::tempdir().unwrap();
    let m = Migrator::open(state.path(), Clock::system()).unwrap();
    let rec = m
        .start(
            spec,
            Credentials {
                source: Secret::new(DEMO_PASSWORD),
                destination: Secret::new(NEW_PASS),
            },
        )
        .unwrap()
        .wait()
        .await;
    assert_eq!(rec.state, TaskState::Finished, "{rec:#?}");
    let problems = rec.progress.problems.join("\n");
    assert!(
        problems.contains("broken.ics") && problems.contains("UID"),
        "{problems}"
    );
    assert!(problems.contains("broken.vcf"), "{problems}");
    let counts = |k| {
        rec.steps
            .iter()
            .find(|s| s.kind == k)
            .unwrap()
            .counts
            .unwrap()
    };
    let refused = counts(StepKind::Calendars).refused + counts(StepKind::Tasks).refused;
    assert_eq!(refused, 1);
    assert_eq!(counts(StepKind::Contacts).refused, 1);
    let after = sb.groupware_summary(pid, &to).unwrap();
    assert_eq!((after.events, after.tasks), (before.events, before.tasks));
    assert_eq!(after.contacts, before.contacts);
    sb.shutdown().await;
}

/// Cancelled right after it starts, a groupware task ends `cancelled` with its steps
/// skipped or partial; a further task moves the rest, nothing twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_groupware_task_is_completed_by_the_next_without_duplicates() {
    let (_home, sb, pid, _, from, to) = exchange_pair().await;
    let ep = |login: &str| sandbox_side(&sb, pid, login, true);
    let mut spec = TaskSpec {
        source: ep(&from),
        destination: ep(&to),
        options: OptionSet::all(),
        notify: None,
        tuning: Tuning::default(),
        project: None,
    };
    spec.options = spec
        .options
        .iter()
        .filter(|o| *o != mailshift_panel::migration::MigrationOption::Emails)
        .collect();
    let creds = Credentials {
        source: Secret::new(DEMO_PASSWORD),
        destination: Secret::new(NEW_PASS),
    };
    let state = tempfile::tempdir().unwrap();
    let m = Migrator::open(state.path(), Clock::system()).unwrap();
    let handle = m.start(spec.clone(), creds.clone()).unwrap();
    m.cancel(&handle.id).unwrap();
    let first = handle.wait().await;
    assert_eq!(first.state, TaskState::Cancelled, "{first:#?}");
    assert!(
        first
            .steps
            .iter()
            .any(|s| matches!(s.state, StepState::Skipped)),
        "{:?}",
        first.steps
    );
    let second = m.start(spec, creds).unwrap().wait().await;
    assert_eq!(second.state, TaskState::Finished, "{second:#?}");
    let before = sb.groupware_summary(pid, &from).unwrap();
    let after = sb.groupware_summary(pid, &to).unwrap();
    assert_eq!(
        (
            after.events,
            after.tasks,
            after.contacts,
            after.groups,
            after.scripts
        ),
        (
            before.events,
            before.tasks,
            before.contacts,
            before.groups,
            before.scripts
        ),
        "everything once, nothing twice"
    );
    sb.shutdown().await;
}
