//! `mailshift migrate` against real Dovecot servers started by the tests.

mod support;

use support::*;

fn seeded_pair() -> Option<(Dovecot, Dovecot)> {
    let src = dovecot(layout(Layout::Slash))?;
    let dst = dovecot(layout(Layout::Dot))?;
    src.add_user("john", PASS).unwrap();
    dst.add_user("john", PASS).unwrap();
    mailshift_testkit::seed(&src, "john", PASS, &SeedSpec::realistic(7)).unwrap();
    // The destination already has its \Sent folder, under another name.
    oracle(&dst, "john").create("Sent").unwrap();
    Some((src, dst))
}

/// `mailshift migrate` from john on `src` to john on `dst`.
fn migrate_john(home: &Home, src: &Dovecot, dst: &Dovecot, extra: &[&str]) -> Run {
    run(migrate_cmd(
        home.path(),
        (src, "john"),
        (dst, "john"),
        extra,
    ))
}

/// The destination holds exactly the source's mail, Sent Items in `\Sent`.
fn assert_mirrors(src: &Dovecot, dst: &Dovecot) {
    let expected = non_empty(snapshot(src, "john").renamed("Sent Items", "Sent"));
    let diff = expected.diff(&non_empty(snapshot(dst, "john")));
    assert!(diff.is_empty(), "{diff}");
}

#[test]
fn copies_everything_byte_exact_then_second_run_copies_nothing() {
    let Some((src, dst)) = seeded_pair() else {
        return;
    };
    let home = Home::new();
    let before = snapshot(&src, "john");
    assert!(before.total_messages() >= 60, "seed is realistic");

    let first = migrate_john(&home, &src, &dst, &[]);
    assert_eq!(
        first.code, 0,
        "stderr: {}\njson: {}",
        first.stderr, first.json
    );
    assert_eq!(first.n("copied") as usize, before.total_messages());
    assert_eq!(first.json["verified"], true);
    assert!(first.json["task_id"].as_str().unwrap().starts_with("MS-"));

    // Sent Items lands in the destination's \Sent folder; everything else
    // keeps its name (and its non-ASCII / '&' characters) across separators.
    let expected = non_empty(before.renamed("Sent Items", "Sent"));
    let got = non_empty(snapshot(&dst, "john"));
    let diff = expected.diff(&got);
    assert!(diff.is_empty(), "{diff}");
    assert!(got.folder("Clients/Société Générale").is_some());
    assert!(got.folder("Projets & Idées").is_some());
    assert!(
        got.folders
            .values()
            .flatten()
            .any(|m| m.has_flag("$Forwarded")),
        "keywords kept"
    );
    assert_eq!(
        snapshot(&src, "john"),
        before,
        "the source is never modified"
    );

    let second = migrate_john(&home, &src, &dst, &[]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(second.n("copied"), 0);
    assert_eq!(second.n("skipped") as usize, before.total_messages());
    let states: Vec<&str> = second.json["folder_reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["state"].as_str().unwrap())
        .collect();
    assert!(states.iter().all(|s| *s == "unchanged"), "{states:?}");
    assert!(snapshot(&dst, "john").duplicates().is_empty());
}

#[test]
fn new_mail_between_runs_is_copied_by_the_next_run() {
    let Some((src, dst)) = seeded_pair() else {
        return;
    };
    let home = Home::new();
    let first = migrate_john(&home, &src, &dst, &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let mut o = oracle(&src, "john");
    o.append(
        "INBOX",
        b"From: a@b\r\nSubject: late\r\nMessage-ID: <late@x>\r\n\r\nhello\r\n",
        &["\\Flagged"],
        Some("02-Mar-2021 08:00:00 +0100"),
    )
    .unwrap();
    let second = migrate_john(&home, &src, &dst, &[]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(second.n("copied"), 1);
    assert_mirrors(&src, &dst);
}

#[test]
fn lost_journal_falls_back_to_fingerprints_without_duplicates() {
    let Some((src, dst)) = seeded_pair() else {
        return;
    };
    let home = Home::new();
    let first = migrate_john(&home, &src, &dst, &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    // A fresh state dir: the journal knows nothing, the destination is full.
    let other = Home::new();
    let again = run(migrate_cmd(
        other.path(),
        (&src, "john"),
        (&dst, "john"),
        &["--connections", "2"],
    ));
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.n("copied"), 0, "{}", again.json);
    assert!(snapshot(&dst, "john").duplicates().is_empty());
}

#[test]
fn reverse_direction_dot_to_slash_and_include_filter() {
    let Some((a, b)) = seeded_pair() else { return };
    let home = Home::new();
    // First a -> b, then b (dot) -> a fresh user on a (slash) with a filter.
    assert_eq!(migrate_john(&home, &a, &b, &[]).code, 0);
    a.add_user("copy", PASS).unwrap();
    let r = run(migrate_cmd(
        home.path(),
        (&b, "john"),
        (&a, "copy"),
        &["--include", "Archives/**"],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let got = non_empty(snapshot(&a, "copy"));
    let names: Vec<&String> = got.folders.keys().collect();
    assert_eq!(names, vec!["Archives/2023", "Archives/2024/Q1"]);
    let src = snapshot(&a, "john");
    assert_eq!(
        got.folder("Archives/2024/Q1"),
        src.folder("Archives/2024/Q1")
    );
}

#[test]
fn dry_run_writes_nothing() {
    let Some((src, dst)) = seeded_pair() else {
        return;
    };
    let home = Home::new();
    let before = snapshot(&dst, "john");
    let r = migrate_john(&home, &src, &dst, &["--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json["dry_run"], true);
    assert_eq!(
        r.n("copied") as usize,
        snapshot(&src, "john").total_messages()
    );
    assert_eq!(snapshot(&dst, "john"), before);
    assert!(
        !home.path().join("journals").exists(),
        "no journal for a dry run"
    );
}
