//! Tasks against a real Dovecot on 127.0.0.1: recording and follow, cancel from
//! another instance and resume, rollback (exactness, login, 48 h window), restart.

use std::path::Path;

use chrono::{Duration, TimeZone, Utc};
use mailshift_engine::imap::{Secret, Security};
use mailshift_panel::migration::OptionSet;
use mailshift_tasks::{
    Clock, Credentials, EndpointSpec, Migrator, ServerType, StepKind, StepState, TaskError,
    TaskSpec, TaskState, Tuning,
};
use mailshift_testkit::{seed, Dovecot, DovecotOptions, MailboxSnapshot, Oracle, SeedSpec};

const PASS: &str = "Task-pass-Zebra-91";

fn dovecot() -> Option<Dovecot> {
    if !mailshift_testkit::require(
        Dovecot::is_available(),
        "dovecot",
        "apt-get install dovecot-imapd",
    ) {
        return None;
    }
    let d = Dovecot::start_with(DovecotOptions::default()).expect("start dovecot");
    for u in ["alice", "bob", "carol"] {
        d.add_user(u, PASS).unwrap();
    }
    Some(d)
}

fn ep(d: &Dovecot, login: &str) -> EndpointSpec {
    EndpointSpec {
        server_type: ServerType::Imap,
        host: "127.0.0.1".into(),
        port: d.port(),
        security: Security::None,
        auth: Default::default(),
        login: login.into(),
        insecure: false,
        ca_file: None,
        groupware: Default::default(),
    }
}

fn spec(d: &Dovecot, from: &str, to: &str) -> TaskSpec {
    TaskSpec {
        source: ep(d, from),
        destination: ep(d, to),
        options: OptionSet::emails(),
        notify: None,
        tuning: Tuning {
            connections: 2,
            ..Tuning::default()
        },
        project: None,
    }
}

fn creds() -> Credentials {
    Credentials {
        source: Secret::new(PASS),
        destination: Secret::new(PASS),
    }
}

fn snap(d: &Dovecot, user: &str) -> MailboxSnapshot {
    let mut o = Oracle::login(d.host(), d.port(), user, PASS).unwrap();
    let s = o.snapshot().unwrap();
    let _ = o.logout();
    s
}

fn non_empty(mut s: MailboxSnapshot) -> MailboxSnapshot {
    s.folders.retain(|_, v| !v.is_empty());
    s
}

fn grep_dir(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for e in walk(dir) {
        if std::fs::read(&e)
            .map(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
            .unwrap_or(false)
        {
            hits.push(e.display().to_string());
        }
    }
    hits
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_is_recorded_followed_only_with_its_login_and_finishes() {
    let Some(d) = dovecot() else { return };
    seed(&d, "alice", PASS, &SeedSpec::bulk(60, 7)).unwrap();
    let home = tempfile::tempdir().unwrap();
    let m = Migrator::open(home.path(), Clock::system()).unwrap();
    let h = m.start(spec(&d, "alice", "bob"), creds()).unwrap();
    let id = h.id.clone();
    assert!(mailshift_tasks::is_task_id(&id), "{id}");
    let rec = h.wait().await;
    assert_eq!(rec.state, TaskState::Finished, "{:?}", rec.error);
    assert!(rec.started.is_some() && rec.ended.is_some());
    assert!(
        rec.steps.iter().all(|s| s.state == StepState::Done),
        "{:?}",
        rec.steps
    );
    assert_eq!(rec.progress.messages_done, 60);
    assert_eq!(non_empty(snap(&d, "alice")), non_empty(snap(&d, "bob")));

    // A fresh instance (another process, a restart) reads the same record.
    let other = Migrator::open(home.path(), Clock::system()).unwrap();
    let seen = other.follow(&id, " ALICE ").unwrap();
    assert_eq!(seen.state, TaskState::Finished);
    assert_eq!(seen.report.as_ref().unwrap().copied, 60);
    // Wrong login and unknown ID read exactly the same.
    let wrong = other.follow(&id, "bob").unwrap_err().to_string();
    let unknown = other
        .follow("MS-ABCDEFGHJK", "alice")
        .unwrap_err()
        .to_string();
    assert_eq!(wrong, unknown);
    assert!(wrong.contains("no such task for this login"), "{wrong}");
    // The secret is nowhere under the state dir.
    assert!(grep_dir(home.path(), PASS).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_from_another_instance_ends_the_task_cancelled_and_resume_completes_it() {
    let Some(d) = dovecot() else { return };
    seed(&d, "alice", PASS, &SeedSpec::bulk(120, 8)).unwrap();
    let before = snap(&d, "alice");
    let home = tempfile::tempdir().unwrap();
    let runner = Migrator::open(home.path(), Clock::system()).unwrap();
    let other = Migrator::open(home.path(), Clock::system()).unwrap();
    let mut s = spec(&d, "alice", "bob");
    s.tuning.connections = 1;
    s.tuning.batch_messages = 5;
    let h = runner.start(s, creds()).unwrap();
    // The other instance only sees the file; it asks through the cancel marker.
    other.cancel(&h.id).unwrap();
    let rec = h.wait().await;
    assert_eq!(rec.state, TaskState::Cancelled, "{:?}", rec.error);
    let emails = rec
        .steps
        .iter()
        .find(|s| s.kind == StepKind::Emails)
        .unwrap();
    assert_eq!(emails.state, StepState::Skipped);
    assert!(rec.progress.messages_done < 120);
    assert!(!home
        .path()
        .join("tasks")
        .join(format!("{}.cancel", rec.id))
        .exists());
    // Cancelling an ended task says so.
    let again = other.cancel(&rec.id).unwrap_err().to_string();
    assert!(again.contains("already ended"), "{again}");

    let rec = runner.resume(&rec.id, creds()).unwrap().wait().await;
    assert_eq!(rec.state, TaskState::Finished, "{:?}", rec.error);
    assert_eq!(rec.runs, 2);
    let dst = snap(&d, "bob");
    assert!(dst.duplicates().is_empty(), "{:?}", dst.duplicates());
    assert_eq!(non_empty(before.clone()), non_empty(dst));
    assert_eq!(before, snap(&d, "alice"), "the source is never modified");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_removes_exactly_what_the_task_added_within_48_hours_for_the_right_login() {
    let Some(d) = dovecot() else { return };
    let mut src_spec = SeedSpec::realistic(11);
    src_spec.messages_per_folder = 4;
    src_spec.extra_inbox_messages = 6;
    src_spec.large_messages = 0;
    seed(&d, "alice", PASS, &src_spec).unwrap();
    // carol already has mail of her own, in INBOX and in a folder the source also has.
    let mut own = SeedSpec::bulk(20, 99);
    own.folders = vec!["INBOX".into(), "Archives/2024".into()];
    seed(&d, "carol", PASS, &own).unwrap();
    let src_before = snap(&d, "alice");
    let dst_before = snap(&d, "carol");

    let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
    let clock = Clock::manual(t0);
    let home = tempfile::tempdir().unwrap();
    let m = Migrator::open(home.path(), clock.clone()).unwrap();
    let rec = m
        .start(spec(&d, "alice", "carol"), creds())
        .unwrap()
        .wait()
        .await;
    assert_eq!(rec.state, TaskState::Finished, "{:?}", rec.error);
    let after = snap(&d, "carol");
    assert!(after.total_messages() > dst_before.total_messages());

    // Wrong login: the same answer as an unknown task, nothing removed.
    let e = m
        .rollback(&rec.id, "carol", Secret::new(PASS))
        .await
        .unwrap_err();
    assert!(matches!(e, TaskError::NoSuchTask), "{e}");
    // 49 h after the end: refused, saying until when it was possible.
    clock.advance(Duration::hours(49));
    let e = m
        .rollback(&rec.id, "alice", Secret::new(PASS))
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, TaskError::RollbackExpired { .. }), "{text}");
    assert!(
        text.contains("possible until 2026-11-03 09:00:00"),
        "{text}"
    );
    assert_eq!(
        snap(&d, "carol"),
        after,
        "a refused rollback touches nothing"
    );

    // 47 h after the end: allowed; carol's own mail and folders stay, the task's go.
    clock.set(t0 + Duration::hours(47));
    let out = m
        .rollback(&rec.id, "alice", Secret::new(PASS))
        .await
        .unwrap();
    assert_eq!(out.messages_removed as usize, src_before.total_messages());
    assert!(!out.folders_removed.is_empty());
    assert!(!out
        .folders_removed
        .iter()
        .any(|f| f == "Archives/2024" || f == "INBOX"));
    let rolled = snap(&d, "carol");
    assert_eq!(non_empty(rolled.clone()), non_empty(dst_before.clone()));
    let created_left: Vec<_> = rolled
        .folders
        .keys()
        .filter(|f| !dst_before.folders.contains_key(*f))
        .collect();
    assert!(
        created_left.is_empty(),
        "folders the task created remain: {created_left:?}"
    );
    assert_eq!(snap(&d, "alice"), src_before, "the source is never touched");
    let rec = m.get(&rec.id).unwrap();
    assert_eq!(rec.state, TaskState::RolledBack);
    let e = m
        .rollback(&rec.id, "alice", Secret::new(PASS))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("already rolled back"), "{e}");

    // A new task copies everything again, once.
    let again = m
        .start(spec(&d, "alice", "carol"), creds())
        .unwrap()
        .wait()
        .await;
    assert_eq!(again.state, TaskState::Finished, "{:?}", again.error);
    let fin = snap(&d, "carol");
    assert!(fin.duplicates().is_empty(), "{:?}", fin.duplicates());
    assert_eq!(
        fin.total_messages(),
        dst_before.total_messages() + src_before.total_messages()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_left_running_by_a_dead_process_is_interrupted_and_resumes() {
    let Some(d) = dovecot() else { return };
    seed(&d, "alice", PASS, &SeedSpec::bulk(40, 3)).unwrap();
    let home = tempfile::tempdir().unwrap();
    let m = Migrator::open(home.path(), Clock::system()).unwrap();
    // A record as a killed process leaves it: running, no lock held.
    let mut rec = m.enqueue(spec(&d, "alice", "bob")).unwrap();
    rec.state = TaskState::Running;
    let store = mailshift_tasks::store::TaskStore::open(home.path()).unwrap();
    store.save(&rec).unwrap();
    drop(m);

    let m = Migrator::open(home.path(), Clock::system()).unwrap();
    assert_eq!(m.get(&rec.id).unwrap().state, TaskState::Interrupted);
    let done = m.resume(&rec.id, creds()).unwrap().wait().await;
    assert_eq!(done.state, TaskState::Finished, "{:?}", done.error);
    assert_eq!(non_empty(snap(&d, "alice")), non_empty(snap(&d, "bob")));
    // Finished tasks are not resumed.
    let e = m.resume(&rec.id, creds()).unwrap_err().to_string();
    assert!(e.contains("nothing left to resume"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_fails_the_task_at_connect_with_the_reason() {
    let Some(d) = dovecot() else { return };
    let home = tempfile::tempdir().unwrap();
    let m = Migrator::open(home.path(), Clock::system()).unwrap();
    let bad = Credentials {
        source: Secret::new(PASS),
        destination: Secret::new("Wrong-Password-Qx7"),
    };
    let rec = m.start(spec(&d, "alice", "bob"), bad).unwrap().wait().await;
    assert_eq!(rec.state, TaskState::Failed);
    assert_eq!(rec.failure, Some(mailshift_tasks::FailureKind::Auth));
    let connect = rec
        .steps
        .iter()
        .find(|s| s.kind == StepKind::Connect)
        .unwrap();
    assert_eq!(connect.state, StepState::Failed);
    let why = rec.error.unwrap();
    assert!(
        why.contains("destination") && why.contains("login refused"),
        "{why}"
    );
    assert!(grep_dir(home.path(), "Wrong-Password-Qx7").is_empty());
}

#[tokio::test]
async fn specs_that_cannot_run_are_refused_before_anything_starts() {
    let home = tempfile::tempdir().unwrap();
    let m = Migrator::open(home.path(), Clock::system()).unwrap();
    let mut s = TaskSpec {
        source: EndpointSpec {
            server_type: ServerType::Exchange,
            host: "a.example".into(),
            port: 993,
            security: Security::Tls,
            auth: Default::default(),
            login: "x@a.example".into(),
            insecure: false,
            ca_file: None,
            groupware: Default::default(),
        },
        destination: EndpointSpec {
            server_type: ServerType::MxPlan,
            host: "b.example".into(),
            port: 993,
            security: Security::Tls,
            auth: Default::default(),
            login: "x@b.example".into(),
            insecure: false,
            ca_file: None,
            groupware: Default::default(),
        },
        options: OptionSet::all(),
        notify: None,
        tuning: Tuning::default(),
        project: None,
    };
    let err = m.start(s.clone(), creds()).err().unwrap();
    let e = err.to_string();
    assert!(
        e.contains("the destination has no CalDAV server (MX Plan does not serve calendars)")
            && !e.contains("--"),
        "{e}"
    );
    assert_eq!(
        err.remedy(),
        Some(mailshift_tasks::Remedy::DavServer(
            mailshift_tasks::Side::Destination
        ))
    );
    s.options = OptionSet::emails();
    s.notify = Some("not an address".into());
    let e = m.start(s, creds()).err().unwrap().to_string();
    assert!(e.contains("not an address"), "{e}");
    assert!(m.tasks().is_empty(), "nothing was recorded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_on_maildir_plus_plus_with_nested_folders_is_complete_and_a_repeat_says_what_was_done(
) {
    if !mailshift_testkit::require(
        Dovecot::is_available(),
        "dovecot",
        "apt-get install dovecot-imapd",
    ) {
        return;
    }
    let d = Dovecot::start_with(DovecotOptions {
        layout: mailshift_testkit::Layout::Dot,
        ..DovecotOptions::default()
    })
    .unwrap();
    for u in ["alice", "carol"] {
        d.add_user(u, PASS).unwrap();
    }
    let mut s = SeedSpec::realistic(5);
    s.large_messages = 0;
    seed(&d, "alice", PASS, &s).unwrap();
    let before = snap(&d, "carol");
    let home = tempfile::tempdir().unwrap();
    let m = Migrator::open(home.path(), Clock::system()).unwrap();
    let rec = m
        .start(spec(&d, "alice", "carol"), creds())
        .unwrap()
        .wait()
        .await;
    assert_eq!(rec.state, TaskState::Finished, "{:?}", rec.error);
    let out = m
        .rollback(&rec.id, "alice", Secret::new(PASS))
        .await
        .unwrap();
    assert_eq!(out.messages_removed, s.total_messages() as u64, "{out:?}");
    assert_eq!(
        snap(&d, "carol"),
        before,
        "every message and folder the task added is gone"
    );

    // The engine asked again: nothing left to remove, and it says what was.
    let dst = spec(&d, "alice", "carol")
        .destination
        .endpoint(mailshift_engine::imap::Side::Destination, Secret::new(PASS));
    let again = mailshift_engine::migrate::rollback(
        &dst,
        "unused",
        home.path(),
        &rec.id,
        mailshift_engine::imap::Timeouts::default(),
    )
    .await
    .unwrap();
    assert_eq!(again.messages_removed, 0);
    assert_eq!(again.earlier_messages_removed, s.total_messages() as u64);
    assert!(!again.earlier_folders_removed.is_empty());
}
