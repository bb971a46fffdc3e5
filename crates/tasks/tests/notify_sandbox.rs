//! The completion e-mail through a real SMTP listener on loopback (the sandbox's):
//! sent when a task finishes and when it is rolled back; a relay that refuses the
//! login is recorded on the task and never fails the migration.

use std::time::Duration;

use mailshift_engine::imap::{Secret, Security};
use mailshift_notify::{Relay, SmtpSecurity};
use mailshift_panel::migration::OptionSet;
use mailshift_panel::PlatformId;
use mailshift_sandbox::{Sandbox, SandboxOptions, NOTIFICATIONS_LOGIN};
use mailshift_tasks::{
    Clock, Credentials, EndpointSpec, Migrator, ServerType, StepKind, StepState, TaskSpec,
    TaskState, Tuning,
};
use mailshift_testkit::{seed, Dovecot, DovecotOptions, SeedSpec};

const PASS: &str = "Notify-pass-Lynx-27";
const MXPLAN: PlatformId = PlatformId(1);

fn spec(d: &Dovecot, notify: &str) -> TaskSpec {
    let ep = |login: &str| EndpointSpec {
        server_type: ServerType::Imap,
        host: "127.0.0.1".into(),
        port: d.port(),
        security: Security::None,
        auth: Default::default(),
        login: login.into(),
        insecure: false,
        ca_file: None,
        groupware: Default::default(),
    };
    TaskSpec {
        source: ep("alice"),
        destination: ep("bob"),
        options: OptionSet::emails(),
        notify: Some(notify.into()),
        tuning: Tuning::default(),
        project: None,
    }
}

fn relay(sb: &Sandbox, password: &str) -> Relay {
    let r = sb.smtp_relay();
    Relay {
        host: r.host,
        port: r.port,
        security: SmtpSecurity::None,
        user: Some(r.user),
        password: Some(Secret::new(password)),
        from: r.from,
        ca_file: None,
        insecure: false,
        timeout: Duration::from_secs(10),
    }
}

/// Raw messages in the third-party notifications mailbox, oldest first.
fn notifications(sb: &Sandbox) -> Vec<String> {
    let store = sb.mail_store(MXPLAN).unwrap();
    let snap = store.snapshot(NOTIFICATIONS_LOGIN, "INBOX").unwrap();
    snap.messages
        .iter()
        .map(|m| {
            String::from_utf8(
                store
                    .read_message(NOTIFICATIONS_LOGIN, "INBOX", m.uid)
                    .unwrap(),
            )
            .unwrap()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_notification_tells_the_end_and_the_rollback_and_a_refused_relay_fails_nothing() {
    if !mailshift_testkit::require(
        Dovecot::is_available(),
        "dovecot",
        "apt-get install dovecot-imapd",
    ) {
        return;
    }
    let d = Dovecot::start_with(DovecotOptions::default()).unwrap();
    d.add_user("alice", PASS).unwrap();
    d.add_user("bob", PASS).unwrap();
    seed(&d, "alice", PASS, &SeedSpec::bulk(30, 5)).unwrap();
    let home = tempfile::tempdir().unwrap();
    let sb = Sandbox::start(home.path(), SandboxOptions::default())
        .await
        .unwrap();
    let sb_pw = sb.smtp_relay().password;
    let state = tempfile::tempdir().unwrap();
    let m = Migrator::open(state.path(), Clock::system()).unwrap();
    let creds = Credentials {
        source: Secret::new(PASS),
        destination: Secret::new(PASS),
    };

    // A relay that refuses the login: the task still finishes; the failure is on record.
    m.set_relay(Some(relay(&sb, "not-the-relay-password")));
    let rec = m
        .start(spec(&d, "ops@third-party.example"), creds.clone())
        .unwrap()
        .wait()
        .await;
    assert_eq!(rec.state, TaskState::Finished, "{:?}", rec.error);
    let n = &rec.notifications[0];
    let why = n.error.as_deref().unwrap();
    assert!(why.contains("refused the login"), "{why}");
    let step = rec
        .steps
        .iter()
        .find(|s| s.kind == StepKind::Notify)
        .unwrap();
    assert_eq!(step.state, StepState::Failed);
    assert!(notifications(&sb).is_empty());

    // The real relay: the end and then the rollback are told, with the report.
    m.set_relay(Some(relay(&sb, &sb_pw)));
    let rec = m
        .start(spec(&d, "ops@third-party.example"), creds.clone())
        .unwrap()
        .wait()
        .await;
    assert_eq!(rec.state, TaskState::Finished, "{:?}", rec.error);
    assert_eq!(rec.notifications.len(), 1);
    assert_eq!(rec.notifications[0].error, None);
    assert_eq!(rec.notifications[0].about, TaskState::Finished);
    let got = notifications(&sb);
    assert_eq!(got.len(), 1);
    assert!(
        got[0].contains(&format!("Subject: [mailshift] {} finished", rec.id)),
        "{}",
        got[0]
    );
    assert!(got[0].contains("To: ops@third-party.example"), "{}", got[0]);
    assert!(got[0].contains("Verification report"), "{}", got[0]);
    assert!(got[0].contains(&format!("mailshift status {} --login alice", rec.id)));

    // Roll back the first task (the one that copied the mail).
    let first = m.tasks().into_iter().find(|t| t.id != rec.id).unwrap();
    let out = m
        .rollback(&first.id, "alice", Secret::new(PASS))
        .await
        .unwrap();
    assert_eq!(out.messages_removed, 30);
    let got = notifications(&sb);
    assert_eq!(got.len(), 2);
    assert!(
        got[1].contains(&format!("{} rolled back", first.id)),
        "{}",
        got[1]
    );
    assert!(got[1].contains("30 messages removed"), "{}", got[1]);
    // Neither secret reaches the state dir.
    for f in walk(state.path()) {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).to_string();
        assert!(
            !text.contains(&sb_pw) && !text.contains(PASS),
            "{}",
            f.display()
        );
    }
    sb.shutdown().await;
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
