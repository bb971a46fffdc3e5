//! Projects against a real Dovecot on 127.0.0.1: 50 accounts from one CSV, bounded
//! concurrency, per-row states, the result CSV; pause/resume and cancel as a whole.

use std::path::Path;

use mailshift_tasks::project::{
    parse_project, run_project, ProjectEvent, ProjectOptions, ProjectState, ProjectStore,
};
use mailshift_tasks::{Clock, Migrator, TaskState};
use mailshift_testkit::{seed, Dovecot, DovecotOptions, Oracle, SeedSpec};
use tokio::sync::mpsc;

const PASS: &str = "Project-pass-Heron-58";
const HEADER: &str = "src_type,src_host,src_port,src_security,src_login,src_password,dst_type,dst_host,dst_port,dst_security,dst_login,dst_password,options,notify";

fn dovecot() -> Option<Dovecot> {
    if !mailshift_testkit::require(
        Dovecot::is_available(),
        "dovecot",
        "apt-get install dovecot-imapd",
    ) {
        return None;
    }
    Some(Dovecot::start_with(DovecotOptions::default()).expect("start dovecot"))
}

/// `n` source accounts with a few messages each on `src`, empty ones on `dst`.
fn accounts(src: &Dovecot, dst: &Dovecot, n: usize) -> String {
    let mut csv = format!("{HEADER}\n");
    for i in 0..n {
        let user = format!("user{i:03}");
        src.add_user(&user, PASS).unwrap();
        dst.add_user(&user, PASS).unwrap();
        let mut spec = SeedSpec::bulk(3 + i % 4, i as u64);
        spec.folders = vec!["INBOX".into(), "Archives/2024".into()];
        seed(src, &user, PASS, &spec).unwrap();
        csv.push_str(&format!(
            "imap,127.0.0.1,{},none,{user},env:PROJECT_PW,mxplan,127.0.0.1,{},none,{user},env:PROJECT_PW,emails,\n",
            src.port(),
            dst.port()
        ));
    }
    csv
}

fn count(d: &Dovecot, user: &str) -> usize {
    let mut o = Oracle::login(d.host(), d.port(), user, PASS).unwrap();
    let s = o.snapshot().unwrap();
    assert!(s.duplicates().is_empty(), "{user}: {:?}", s.duplicates());
    let _ = o.logout();
    s.total_messages()
}

fn env(name: &str) -> Option<String> {
    (name == "PROJECT_PW").then(|| PASS.to_string())
}

fn contains(dir: &Path, needle: &str) -> bool {
    fn walk(dir: &Path, needle: &[u8]) -> bool {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, needle)
                } else {
                    std::fs::read(&p).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle))
                }
            })
    }
    walk(dir, needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_accounts_from_one_csv_all_arrive_once_and_the_result_csv_tells_each_row() {
    let (Some(src), Some(dst)) = (dovecot(), dovecot()) else {
        return;
    };
    let csv = accounts(&src, &dst, 50);
    let file = parse_project(&csv, Path::new("."), &env).expect("valid project");
    assert_eq!(file.rows.len(), 50);
    let home = tempfile::tempdir().unwrap();
    let m = Migrator::open(home.path(), Clock::system()).unwrap();
    let results = home.path().join("results.csv");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let opts = ProjectOptions {
        global: 6,
        per_server: 3,
        connections: 1,
        results: results.clone(),
        file: "accounts.csv".into(),
    };
    let watcher = tokio::spawn(async move {
        let (mut max_running, mut saw_progress) = (0, 0);
        while let Some(ev) = rx.recv().await {
            if let ProjectEvent::Progress(_, p) = ev {
                max_running = max_running.max(p.running);
                saw_progress += 1;
            }
        }
        (max_running, saw_progress)
    });
    let (record, rows) = run_project(&m, file, opts, Some(tx)).await.unwrap();
    let (max_running, progress_events) = watcher.await.unwrap();
    assert!(progress_events > 0);
    assert!(max_running <= 3, "per-server bound exceeded: {max_running}");
    assert_eq!(record.state, ProjectState::Finished);
    assert_eq!(rows.len(), 50);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.state, "finished", "line {}: {}", r.line, r.error);
        assert_eq!(r.line, i + 2);
        let user = format!("user{i:03}");
        assert_eq!(r.copied as usize, 3 + i % 4, "{user}");
        assert_eq!(count(&dst, &user), 3 + i % 4, "{user}");
    }
    let text = std::fs::read_to_string(&results).unwrap();
    assert_eq!(text.lines().count(), 51);
    assert!(text.starts_with("line,source,destination,task_id,state"));
    // Every task belongs to the project; the password is nowhere on disk.
    let tasks = m.tasks();
    assert_eq!(tasks.len(), 50);
    assert!(tasks
        .iter()
        .all(|t| t.spec.project.as_deref() == Some(record.id.as_str())));
    assert!(!contains(home.path(), PASS));
    let stored = ProjectStore::open(home.path())
        .unwrap()
        .load(&record.id)
        .unwrap();
    assert_eq!(stored.state, ProjectState::Finished);
    assert_eq!(stored.entries.len(), 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_project_starts_nothing_new_until_resumed_and_a_cancelled_one_skips_the_queue() {
    let (Some(src), Some(dst)) = (dovecot(), dovecot()) else {
        return;
    };
    let csv = accounts(&src, &dst, 12);
    let home = tempfile::tempdir().unwrap();
    let m = Migrator::open(home.path(), Clock::system()).unwrap();
    let store = ProjectStore::open(home.path()).unwrap();

    // Pause as soon as it starts (through the control file, as another process would).
    let (tx, mut rx) = mpsc::unbounded_channel();
    let opts = |name: &str| ProjectOptions {
        global: 1,
        per_server: 1,
        connections: 1,
        results: home.path().join(name),
        file: "p.csv".into(),
    };
    let file = parse_project(&csv, Path::new("."), &env).unwrap();
    let run = {
        let m = m.clone();
        let o = opts("paused.csv");
        tokio::spawn(async move { run_project(&m, file, o, Some(tx)).await })
    };
    let id = match rx.recv().await.unwrap() {
        ProjectEvent::Started(p) => p.id,
        other => panic!("first event {other:?}"),
    };
    store.request(&id, ProjectState::Paused).unwrap();
    // Once whatever was running ends, the next row parks at the closed gate, holding
    // back every row behind it (rows take their slots in CSV order): from then on nothing
    // can start until the resume. Wait for the runner to report exactly that.
    let started = |m: &Migrator| {
        m.tasks()
            .iter()
            .filter(|t| t.state != TaskState::Queued)
            .count()
    };
    let frozen = loop {
        match rx.recv().await.unwrap() {
            ProjectEvent::Progress(ProjectState::Paused, p) if p.running == 0 && p.held == 1 => {
                break started(&m);
            }
            ProjectEvent::Ended(..) => panic!("the project ended while paused"),
            _ => {}
        }
    };
    assert!(
        frozen < 12,
        "every row started although the project was paused"
    );
    // The runner's next rounds of its control loop start nothing either.
    for _ in 0..3 {
        match rx.recv().await.unwrap() {
            ProjectEvent::Progress(ProjectState::Paused, p) => {
                assert_eq!((p.running, p.held), (0, 1), "{p:?}");
                assert_eq!(started(&m), frozen, "a task started while paused");
            }
            other => panic!("while paused: {other:?}"),
        }
    }
    store.request(&id, ProjectState::Running).unwrap();
    let (record, rows) = run.await.unwrap().unwrap();
    assert_eq!(record.state, ProjectState::Finished);
    assert!(rows.iter().all(|r| r.state == "finished"), "{rows:?}");

    // A second import of the same accounts, cancelled at once: queued rows are skipped,
    // the project ends cancelled, the result CSV still tells every row.
    let file = parse_project(&csv, Path::new("."), &env).unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let run = {
        let m = m.clone();
        let o = opts("cancelled.csv");
        tokio::spawn(async move { run_project(&m, file, o, Some(tx)).await })
    };
    let id = match rx.recv().await.unwrap() {
        ProjectEvent::Started(p) => p.id,
        other => panic!("first event {other:?}"),
    };
    store.request(&id, ProjectState::Cancelled).unwrap();
    let (record, rows) = run.await.unwrap().unwrap();
    assert_eq!(record.state, ProjectState::Cancelled);
    assert_eq!(rows.len(), 12);
    let cancelled = rows.iter().filter(|r| r.state == "cancelled").count();
    // Rows that started before the runner saw the request (it looks every 200 ms)
    // finish; the queue behind them is skipped.
    assert!(cancelled >= 1, "{rows:?}");
    assert!(rows
        .iter()
        .all(|r| r.state == "cancelled" || r.state == "finished"));
    assert!(
        std::fs::read_to_string(home.path().join("cancelled.csv"))
            .unwrap()
            .lines()
            .count()
            == 13
    );
    // Nothing was duplicated by the second import.
    for i in 0..12 {
        assert_eq!(count(&dst, &format!("user{i:03}")), 3 + i % 4);
    }
}
