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
    // Per-folder progress (issue #15: the dashboard shows it while copying): every
    // folder counted to its total, and checked.
    let folders = st.json["progress"]["folders"].as_array().expect("folders");
    let done: u64 = folders.iter().map(|f| f["done"].as_u64().unwrap()).sum();
    assert_eq!(done, 40, "{folders:?}");
    for f in folders {
        assert_eq!(f["done"], f["total"], "{f}");
        assert_eq!(f["verified"], true, "{f}");
    }
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
    // Busy: resume and rollback of the running task exit 6 with a sentence.
    let mut r = cmd(&home, &["resume", &id, "--json"]);
    r.env("MAILSHIFT_SRC_PASSWORD", PASS)
        .env("MAILSHIFT_DST_PASSWORD", PASS);
    let busy = run(r);
    assert_eq!(busy.code, 6, "{}", busy.json);
    assert!(
        busy.json["error"]
            .as_str()
            .unwrap()
            .contains("is running now"),
        "{}",
        busy.json
    );
    let mut r = cmd(&home, &["rollback", &id, "--login", "john", "--json"]);
    r.env("MAILSHIFT_DST_PASSWORD", PASS);
    let busy = run(r);
    assert_eq!(busy.code, 6, "{}", busy.json);
    assert!(
        busy.json["error"]
            .as_str()
            .unwrap()
            .contains("cancel it first"),
        "{}",
        busy.json
    );
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

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn damaged_task_records_are_named_and_the_good_ones_still_listed() {
    let home = Home::new();
    // A good record: a task that failed to connect.
    let port = closed_port();
    let failed = run(migrate_ports(
        home.path(),
        (port, "john"),
        (port, "mary"),
        &[],
    ));
    assert_eq!(failed.code, 4, "{}", failed.stderr);
    let good = failed.json["task_id"].as_str().unwrap().to_string();
    let tasks = home.path().join("tasks");
    let corrupt = tasks.join("MS-ABCDEFGHJK.json");
    std::fs::write(&corrupt, b"{\"format\":1,\"da").unwrap();
    let unreadable = tasks.join("MS-BCDEFGHJKL.json");
    std::fs::create_dir(&unreadable).unwrap();

    let list = cmd(&home, &["tasks", "--json"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&list.stderr);
    assert_eq!(list.status.code(), Some(6), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v[0]["id"], good.as_str());
    for p in [&corrupt, &unreadable] {
        assert!(stderr.contains(&p.display().to_string()), "{stderr}");
    }
    let text = cmd(&home, &["tasks"]).output().unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&text.stdout),
        String::from_utf8_lossy(&text.stderr),
    );
    assert!(out.contains(&good), "{out}");
    assert!(
        !err.contains("no tasks yet") && err.contains("corrupt"),
        "{err}"
    );

    let st = run(cmd(
        &home,
        &["status", "MS-ABCDEFGHJK", "--login", "john", "--json"],
    ));
    assert_eq!(st.code, 6, "{}", st.stderr);
    let why = st.json["error"].as_str().unwrap();
    assert!(
        why.contains(&corrupt.display().to_string()) && !why.contains("no such task"),
        "{why}"
    );
    let mut r = cmd(&home, &["resume", "MS-BCDEFGHJKL", "--json"]);
    r.env("MAILSHIFT_SRC_PASSWORD", PASS)
        .env("MAILSHIFT_DST_PASSWORD", PASS);
    let resumed = run(r);
    assert_eq!(resumed.code, 6, "{}", resumed.stderr);
    assert!(
        resumed.json["error"]
            .as_str()
            .unwrap()
            .contains(&unreadable.display().to_string()),
        "{}",
        resumed.json
    );
}

const HEADER: &str = "src_type,src_host,src_port,src_security,src_login,src_password,dst_type,dst_host,dst_port,dst_security,dst_login,dst_password,options,notify\n";

fn mode_of(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

#[test]
fn a_project_imported_by_relative_path_keeps_folder_modes_and_never_stays_running() {
    use std::os::unix::fs::PermissionsExt;
    let Some((src, dst)) = pair() else { return };
    for u in ["ann", "ben"] {
        src.add_user(u, PASS).unwrap();
        dst.add_user(u, PASS).unwrap();
        mailshift_testkit::seed(&src, u, PASS, &SeedSpec::bulk(5, 2)).unwrap();
    }
    let home = Home::new();
    let work = tempfile::tempdir().unwrap();
    // The operator's folders: a shared sticky one holding the CSV, a setgid results one.
    let shared = work.path().join("shared");
    let results = work.path().join("results");
    std::fs::create_dir(&shared).unwrap();
    std::fs::create_dir(&results).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    std::fs::set_permissions(&results, std::fs::Permissions::from_mode(0o2775)).unwrap();
    let mut rows = String::from(HEADER);
    for u in ["ann", "ben"] {
        rows.push_str(&format!(
            "imap,127.0.0.1,{},none,{u},env:PW,imap,127.0.0.1,{},none,{u},env:PW,emails,\n",
            src.port(),
            dst.port()
        ));
    }
    std::fs::write(shared.join("accounts.csv"), &rows).unwrap();

    // The README's own example: a relative path, run from the CSV's folder.
    let mut c = cmd(&home, &["project", "import", "accounts.csv", "--json"]);
    c.current_dir(&shared).env("PW", PASS);
    let done = run(c);
    assert_eq!(done.code, 0, "{} {}", done.stderr, done.json);
    let out = shared.join("accounts.csv.results.csv");
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    let pid = done.json["project_id"].as_str().unwrap().to_string();
    let st = run(cmd(&home, &["project", "status", &pid, "--json"]));
    assert_eq!(st.json["project"]["state"], "finished");
    assert_eq!(
        st.json["project"]["file"],
        shared.join("accounts.csv").display().to_string(),
        "the project records the absolute path"
    );

    // Results into the setgid folder, by a relative path from another folder.
    let mut c = cmd(
        &home,
        &[
            "project",
            "import",
            "shared/accounts.csv",
            "--results",
            "results/out.csv",
            "--json",
        ],
    );
    c.current_dir(work.path()).env("PW", PASS);
    let done = run(c);
    assert_eq!(done.code, 0, "{} {}", done.stderr, done.json);
    assert!(results.join("out.csv").is_file());
    assert_eq!(mode_of(&shared), 0o1777, "the CSV's folder kept its mode");
    assert_eq!(
        mode_of(&results),
        0o2775,
        "the results folder kept its mode"
    );

    // A result CSV that cannot be written: exit 6, a sentence, the project `failed`.
    let blocker = work.path().join("not-a-folder");
    std::fs::write(&blocker, "x").unwrap();
    let mut c = cmd(
        &home,
        &[
            "project",
            "import",
            "shared/accounts.csv",
            "--results",
            "not-a-folder/out.csv",
            "--json",
        ],
    );
    c.current_dir(work.path()).env("PW", PASS);
    let failed = run(c);
    assert_eq!(failed.code, 6, "{} {}", failed.stderr, failed.json);
    let why = failed.json["error"].as_str().unwrap();
    assert!(
        why.contains("not-a-folder/out.csv") && why.contains("result CSV could not be written"),
        "{why}"
    );
    let mut states = Vec::new();
    for e in std::fs::read_dir(home.path().join("projects"))
        .unwrap()
        .flatten()
    {
        let name = e.file_name().to_string_lossy().to_string();
        if let Some(id) = name.strip_suffix(".json") {
            let st = run(cmd(&home, &["project", "status", id, "--json"]));
            states.push(st.json["project"]["state"].as_str().unwrap().to_string());
            if st.json["project"]["state"] == "failed" {
                let problem = st.json["project"]["problem"].as_str().unwrap();
                assert!(problem.contains("could not be written"), "{problem}");
            }
        }
    }
    states.sort();
    assert_eq!(
        states,
        ["failed", "finished", "finished"],
        "never `running`"
    );
}

#[test]
fn a_queued_project_task_cancelled_from_another_process_never_starts() {
    use std::io::Read;
    let Some((src, dst)) = pair() else { return };
    src.add_user("amy", PASS).unwrap();
    dst.add_user("amy", PASS).unwrap();
    dst.add_user("bob", PASS).unwrap();
    mailshift_testkit::seed(&src, "amy", PASS, &SeedSpec::bulk(600, 4)).unwrap();
    // Row 1's source: a server that accepts and says nothing until the test lets go,
    // so row 2 stays queued behind it (--concurrency 1) as long as the test needs.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let home = Home::new();
    let csv = home.path().join("accounts.csv");
    std::fs::write(
        &csv,
        format!(
            "{HEADER}imap,127.0.0.1,{silent_port},none,bob,env:PW,imap,127.0.0.1,{},none,bob,env:PW,emails,\n\
             imap,127.0.0.1,{},none,amy,env:PW,imap,127.0.0.1,{},none,amy,env:PW,emails,\n",
            dst.port(),
            src.port(),
            dst.port()
        ),
    )
    .unwrap();
    let mut c = cmd(
        &home,
        &[
            "project",
            "import",
            csv.to_str().unwrap(),
            "--concurrency",
            "1",
            "--json",
        ],
    );
    c.env("PW", PASS);
    let child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (mut held, _) = silent.accept().unwrap();

    // Another process's view: row 2 is queued, not interrupted.
    let list = cmd(&home, &["tasks", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let tasks = v.as_array().unwrap();
    assert_eq!(tasks.len(), 2, "{v}");
    let amy = tasks
        .iter()
        .find(|t| t["spec"]["source"]["login"] == "amy")
        .unwrap();
    assert_eq!(amy["state"], "queued", "{v}");
    let id = amy["id"].as_str().unwrap().to_string();

    let c = cmd(&home, &["cancel", &id, "--wait"]).output().unwrap();
    let said = String::from_utf8_lossy(&c.stderr);
    assert_eq!(c.status.code(), Some(0), "{said}");
    assert!(
        said.contains("will not start") && said.contains("cancelled"),
        "{said}"
    );

    // Let row 1 fail (the silent server hangs up); the project then ends.
    let mut buf = [0u8; 64];
    held.set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let _ = held.read(&mut buf);
    drop(held);
    drop(silent);
    let out = child.wait_with_output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["task_id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["state"], "cancelled", "{json}");
    assert_eq!(row["copied"], 0, "{json}");
    assert_eq!(
        snapshot(&dst, "amy").total_messages(),
        0,
        "the cancelled task wrote nothing"
    );
    let st = run(cmd(&home, &["status", &id, "--login", "amy", "--json"]));
    assert_eq!(st.json["state"], "cancelled");
    assert_eq!(st.json["runs"], 0, "{}", st.json);
}
