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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_option_moves_between_two_exchange_accounts_of_the_sandbox() {
    let home = tempfile::tempdir().unwrap();
    let mut sb = Sandbox::start(home.path(), SandboxOptions::default())
        .await
        .unwrap();
    let (pid, from, domain) = {
        let p = sb
            .panel()
            .platforms
            .iter()
            .find(|p| p.kind == PlatformKind::Exchange)
            .expect("the demo has an Exchange platform");
        let a = p.configured_accounts().next().expect("a demo account");
        (p.id, a.address(), a.domain.clone())
    };
    let to = sb
        .create_account(
            pid,
            NewAccount {
                local_part: "kim.lee".into(),
                domain,
                display_name: "Newbie".into(),
                password: NEW_PASS.into(),
                quota_bytes: None,
            },
        )
        .unwrap();
    let before = sb.groupware_summary(pid, &from).unwrap();
    assert!(
        before.events > 0 && before.tasks > 0 && before.contacts > 0 && before.groups > 0,
        "the demo account holds groupware: {before:?}"
    );
    assert!(before.scripts >= 2 && before.active_script.is_some(), "{before:?}");
    let g = sb.groupware(pid).expect("Exchange serves groupware");
    let p = sb.panel().platform(pid).unwrap();
    let ep = |login: &str| EndpointSpec {
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
    };
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
    let step = |k| rec.steps.iter().find(|s| s.kind == k).unwrap().counts.unwrap();
    assert_eq!(step(StepKind::ContactGroups).copied as usize, before.groups);

    // The source is untouched; rolling back leaves the new account as it was created.
    assert_eq!(sb.groupware_summary(pid, &from).unwrap(), before);
    let out = m.rollback(&rec.id, &from, Secret::new(NEW_PASS)).await.unwrap();
    let left = sb.groupware_summary(pid, &to).unwrap();
    assert_eq!(
        (left.events, left.tasks, left.contacts, left.groups, left.scripts),
        (0, 0, 0, 0, 0),
        "{out:?}"
    );
    assert_eq!(left.active_script, None);
    sb.shutdown().await;
}
