//! Rollback on the sandbox, sandbox to sandbox with every option, into a demo account
//! that already holds mail, folders, calendars, contacts and scripts: the rollback
//! removes exactly what the task added (checked from outside over IMAP, and in the
//! groupware store the DAV and ManageSieve servers serve), and its numbers match
//! what the task reported copying.

use mailshift_engine::imap::{Secret, Security};
use mailshift_panel::migration::OptionSet;
use mailshift_panel::{PlatformId, PlatformKind, DEMO_PASSWORD};
use mailshift_sandbox::{Sandbox, SandboxOptions};
use mailshift_tasks::spec::{Groupware, SieveServer};
use mailshift_tasks::{
    Clock, Credentials, EndpointSpec, Migrator, ServerType, StepKind, TaskSpec, TaskState, Tuning,
};
use mailshift_testkit::oracle::{MailboxSnapshot, Oracle};

fn side(sb: &Sandbox, pid: PlatformId, login: &str) -> EndpointSpec {
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
            sieve: Some(SieveServer {
                host: g.sieve.ip().to_string(),
                port: g.sieve.port(),
                security: Security::None,
            }),
        },
    }
}

/// The whole mailbox of `login` as an independent IMAP client sees it.
async fn snapshot(sb: &Sandbox, pid: PlatformId, login: &str) -> MailboxSnapshot {
    let addr = sb.imap_addr(pid).unwrap();
    let login = login.to_string();
    tokio::task::spawn_blocking(move || {
        let mut o = Oracle::login(&addr.ip().to_string(), addr.port(), &login, DEMO_PASSWORD)
            .expect("oracle login");
        o.snapshot().expect("snapshot")
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_removes_what_the_task_added_and_only_that() {
    let home = tempfile::tempdir().unwrap();
    let sb = Sandbox::start(
        home.path(),
        SandboxOptions {
            clock_factor: 0.0,
            ..SandboxOptions::default()
        },
    )
    .await
    .unwrap();
    let p = sb
        .panel()
        .platforms
        .iter()
        .find(|p| p.kind == PlatformKind::Exchange)
        .expect("the demo has an Exchange platform");
    let pid = p.id;
    let accounts: Vec<String> = p.configured_accounts().map(|a| a.address()).collect();
    // Two demo accounts that both hold mail and groupware.
    let from = accounts[0].clone();
    let to = accounts
        .iter()
        .rev()
        .find(|a| **a != from && sb.groupware_summary(pid, a).unwrap().events > 0)
        .cloned()
        .unwrap_or_else(|| accounts[accounts.len() - 1].clone());
    let mail_before = snapshot(&sb, pid, &to).await;
    let gw_before = sb.groupware_summary(pid, &to).unwrap();
    let src_before = snapshot(&sb, pid, &from).await;
    assert!(
        mail_before.total_messages() > 0,
        "the destination holds mail"
    );

    let spec = TaskSpec {
        source: side(&sb, pid, &from),
        destination: side(&sb, pid, &to),
        options: OptionSet::all(),
        notify: None,
        tuning: Tuning::default(),
        project: None,
    };
    let state = tempfile::tempdir().unwrap();
    let m = Migrator::open(state.path(), Clock::system()).unwrap();
    let creds = Credentials {
        source: Secret::new(DEMO_PASSWORD),
        destination: Secret::new(DEMO_PASSWORD),
    };
    let rec = m.start(spec, creds).unwrap().wait().await;
    assert_eq!(rec.state, TaskState::Finished, "{rec:#?}");
    let copied = rec.progress.messages_done - rec.progress.skipped;
    assert!(copied > 0, "{:?}", rec.progress);
    let mail_during = snapshot(&sb, pid, &to).await;
    assert_eq!(
        mail_during.total_messages(),
        mail_before.total_messages() + copied as usize
    );
    let items: u64 = [
        StepKind::Calendars,
        StepKind::Tasks,
        StepKind::Contacts,
        StepKind::ContactGroups,
    ]
    .into_iter()
    .filter_map(|k| rec.steps.iter().find(|s| s.kind == k))
    .filter_map(|s| s.counts.map(|c| c.copied))
    .sum();
    assert!(items > 0, "{:#?}", rec.steps);
    let created_folders = mail_during.folders.len() - mail_before.folders.len();

    let out = m
        .rollback(&rec.id, &from, Secret::new(DEMO_PASSWORD))
        .await
        .expect("rollback");
    // The numbers the report gives are what the task added.
    assert_eq!(out.messages_removed, copied, "{out:#?}");
    assert_eq!(out.items_removed, items, "{out:#?}");
    assert_eq!(out.folders_removed.len(), created_folders, "{out:#?}");
    assert!(
        out.kept.iter().all(|k| !k.contains("did not add")),
        "nothing the task added stays behind: {:?}",
        out.kept
    );
    // From outside: the destination is back to what it was, the source untouched.
    assert_eq!(snapshot(&sb, pid, &to).await, mail_before);
    assert_eq!(sb.groupware_summary(pid, &to).unwrap(), gw_before);
    assert_eq!(snapshot(&sb, pid, &from).await, src_before);
    let after = m.follow(&rec.id, &from).unwrap();
    assert_eq!(after.state, TaskState::RolledBack);
    sb.shutdown().await;
}
