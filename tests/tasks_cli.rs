//! The task commands of the real binary against real Dovecot: status (follow by ID +
//! login), rollback with the 48 h window, cancel from another process then resume,
//! and CSV projects.

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::*;

fn cmd(home: &Home, args: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.env("MAILSHIFT_HOME", home.path())
        .env_remove("MAILSHIFT_LOG")
        .env_remove("MAILSHIFT_FAKE_NOW")
        .args(args)
        .stdin(Stdio::null());
    c
}

fn pair() -> Option<(Dovecot, Dovecot)> {
    let src = dovecot(layout(Layout::Slash))?;
    let dst = dovecot(layout(Layout::Dot))?;
    src.add_user("john", PASS).unwrap();
    dst.add_user("john", PASS).unwrap();
    Some((src, dst))
}

#[test]
fn status_shows_a_task_only_with_its_login_and_rollback_keeps_to_48_hours() {
    let Some((src, dst)) = pair() else { return };
    mailshift_testkit::seed(&src, "john", PASS, &SeedSpec::bulk(40, 3)).unwrap();
    let home = Home::new();
    let first = run(migrate_cmd(
        home.path(),
        (&src, "john"),
        (&dst, "john"),
        &[],
    ));
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.json["state"], "finished");
    let id = first.json["task_id"].as_str().unwrap().to_string();

    let st = run(cmd(&home, &["status", &id, "--login", "john", "--json"]));
    assert_eq!(st.code, 0, "{}", st.stderr);
    assert_eq!(st.json["id"], id.as_str());
    assert_eq!(st.json["state"], "finished");
    assert_eq!(st.json["progress"]["messages_done"], 40);
    let wrong = run(cmd(&home, &["status", &id, "--login", "mary", "--json"]));
    let unknown = run(cmd(
        &home,
        &["status", "MS-ABCDEFGHJK", "--login", "john", "--json"],
    ));
    assert_eq!(wrong.code, 2);
    assert_eq!(wrong.json["error"], unknown.json["error"]);
    assert!(wrong.json["error"]
        .as_str()
        .unwrap()
        .contains("no such task for this login"));
    let list = run(cmd(&home, &["tasks", "--json"]));
    assert_eq!(list.json.as_array().unwrap().len(), 1);

    // Two days and a bit after the end: refused, nothing touched.
    let ended = chrono::DateTime::parse_from_rfc3339(st.json["ended"].as_str().unwrap()).unwrap();
    let late = (ended + chrono::Duration::hours(49)).to_rfc3339();
    let mut c = cmd(&home, &["rollback", &id, "--login", "john", "--json"]);
    c.env("MAILSHIFT_FAKE_NOW", &late)
        .env("MAILSHIFT_DST_PASSWORD", PASS);
    let refused = run(c);
    assert_eq!(refused.code, 1);
    let why = refused.json["error"].as_str().unwrap();
    assert!(why.contains("was possible until"), "{why}");
    assert_eq!(snapshot(&dst, "john").total_messages(), 40);

    // In time, with the right login: exactly the task's mail goes.
    let mut c = cmd(&home, &["rollback", &id, "--login", "john", "--json"]);
    c.env("MAILSHIFT_DST_PASSWORD", PASS);
    let done = run(c);
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert_eq!(done.json["messages_removed"], 40);
    assert_eq!(snapshot(&dst, "john").total_messages(), 0);
    assert_eq!(
        snapshot(&src, "john").total_messages(),
        40,
        "source untouched"
    );
    let st = run(cmd(&home, &["status", &id, "--login", "john", "--json"]));
    assert_eq!(st.json["state"], "rolled_back");
}

#[test]
fn a_cancel_from_another_process_stops_the_run_and_resume_finishes_it() {
    let Some((src, dst)) = pair() else { return };
    mailshift_testkit::seed(&src, "john", PASS, &SeedSpec::bulk(3000, 5)).unwrap();
    let expected = non_empty(snapshot(&src, "john"));
    let home = Home::new();
    let child = migrate_cmd(
        home.path(),
        (&src, "john"),
        (&dst, "john"),
        &["--connections", "1", "--batch-messages", "5"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    // Wait for the task to appear, then cancel it from this (another) process.
    let deadline = Instant::now() + Duration::from_secs(60);
    let id = loop {
        let out = cmd(&home, &["tasks", "--json"]).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        if let Some(t) = v.as_array().and_then(|a| a.first()) {
            if t["state"] == "running" {
                break t["id"].as_str().unwrap().to_string();
            }
        }
        assert!(Instant::now() < deadline, "the task never started");
        std::thread::sleep(Duration::from_millis(20));
    };
    let c = cmd(&home, &["cancel", &id]).output().unwrap();
    assert_eq!(
        c.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&c.stderr)
    );
    let out = child.wait_with_output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(5), "{json}");
    assert_eq!(json["state"], "cancelled");
    assert!(json["copied"].as_u64().unwrap() < 3000);

    let mut r = cmd(&home, &["resume", &id, "--json"]);
    r.env("MAILSHIFT_SRC_PASSWORD", PASS)
        .env("MAILSHIFT_DST_PASSWORD", PASS);
    let resumed = run(r);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    assert_eq!(resumed.json["state"], "finished");
    let got = non_empty(snapshot(&dst, "john"));
    assert!(got.duplicates().is_empty(), "{:?}", got.duplicates());
    assert!(expected.diff(&got).is_empty(), "{}", expected.diff(&got));
}

#[test]
fn a_project_is_validated_whole_then_run_with_a_result_csv_and_a_status() {
    let Some((src, dst)) = pair() else { return };
    let home = Home::new();
    let template = cmd(&home, &["project", "template"]).output().unwrap();
    assert!(String::from_utf8_lossy(&template.stdout).contains("src_type,src_host"));

    let header = "src_type,src_host,src_port,src_security,src_login,src_password,dst_type,dst_host,dst_port,dst_security,dst_login,dst_password,options,notify\n";
    let mut rows = String::new();
    for u in ["ann", "ben", "cyd"] {
        src.add_user(u, PASS).unwrap();
        dst.add_user(u, PASS).unwrap();
        mailshift_testkit::seed(&src, u, PASS, &SeedSpec::bulk(10, 1)).unwrap();
        rows.push_str(&format!(
            "imap,127.0.0.1,{},none,{u},env:PW,exchange,127.0.0.1,{},none,{u},env:PW,emails,\n",
            src.port(),
            dst.port()
        ));
    }
    let bad = home.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!("{header}{rows}imap,127.0.0.1,99999,none,dan,env:PW,mxplan,127.0.0.1,1,none,dan,env:PW,contacts,\n"),
    )
    .unwrap();
    let mut c = cmd(
        &home,
        &["project", "import", bad.to_str().unwrap(), "--json"],
    );
    c.env("PW", PASS);
    let refused = run(c);
    assert_eq!(refused.code, 2);
    let why = refused.json["error"].as_str().unwrap();
    assert!(
        why.contains("line 5") && why.contains("src_port") && why.contains("contacts"),
        "{why}"
    );
    assert!(
        !home.path().join("tasks").exists()
            || std::fs::read_dir(home.path().join("tasks"))
                .unwrap()
                .count()
                == 0
    );

    let good = home.path().join("accounts.csv");
    std::fs::write(&good, format!("{header}{rows}")).unwrap();
    let mut c = cmd(
        &home,
        &["project", "import", good.to_str().unwrap(), "--json"],
    );
    c.env("PW", PASS);
    let done = run(c);
    assert_eq!(done.code, 0, "{}", done.stderr);
    let pid = done.json["project_id"].as_str().unwrap().to_string();
    assert_eq!(done.json["rows"].as_array().unwrap().len(), 3);
    let results = std::fs::read_to_string(home.path().join("accounts.csv.results.csv")).unwrap();
    assert_eq!(results.lines().count(), 4);
    assert!(
        results.lines().skip(1).all(|l| l.contains(",finished,")),
        "{results}"
    );
    assert!(!results.contains(PASS));
    for u in ["ann", "ben", "cyd"] {
        assert_eq!(snapshot(&dst, u).total_messages(), 10);
    }
    let st = run(cmd(&home, &["project", "status", &pid, "--json"]));
    assert_eq!(st.json["project"]["state"], "finished");
    assert_eq!(st.json["progress"]["finished"], 3);
}
