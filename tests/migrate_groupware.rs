//! `mailshift migrate` with groupware between two plain IMAP servers (the default
//! `--src-type imap`/`--dst-type imap`): a DAV URL or a Sieve server makes a side able to
//! hold those options, `--options all` is what both sides can hold, a named option a side
//! cannot hold is refused with the real flag to pass, and every run prints one JSON shape.
//! Dovecot (with Pigeonhole) and Radicale on 127.0.0.1.

mod support;

use std::collections::BTreeSet;

use mailshift_testkit::radicale::Radicale;
use support::*;

fn servers() -> Option<(Dovecot, Radicale)> {
    if !mailshift_testkit::require(
        Radicale::is_available(),
        "radicale",
        "Debian package `radicale`",
    ) {
        return None;
    }
    let d = dovecot(DovecotOptions {
        managesieve: true,
        ..DovecotOptions::default()
    })?;
    let r = Radicale::start().expect("start radicale");
    for u in ["src", "dst"] {
        d.add_user(u, PASS).unwrap();
        r.add_user(u, PASS).unwrap();
    }
    Some((d, r))
}

fn groupware_flags(d: &Dovecot, r: &Radicale) -> Vec<String> {
    let sieve = format!("127.0.0.1:{}", d.sieve_port().unwrap());
    vec![
        "--src-dav".into(),
        r.base_url(),
        "--dst-dav".into(),
        r.base_url(),
        "--src-sieve".into(),
        sieve.clone(),
        "--dst-sieve".into(),
        sieve,
    ]
}

fn keys(v: &serde_json::Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn options_of(v: &serde_json::Value) -> Vec<String> {
    v["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn all_between_plain_imap_servers_is_what_both_can_hold_and_the_json_keeps_one_shape() {
    let Some((d, r)) = servers() else { return };

    // No groupware server named: `all` is e-mails.
    let home = Home::new();
    let mail = run(migrate_cmd(
        home.path(),
        (&d, "src"),
        (&d, "dst"),
        &["--options", "all"],
    ));
    assert_eq!(mail.code, 0, "{} {}", mail.stderr, mail.json);
    assert_eq!(options_of(&mail.json), ["emails"]);
    assert_eq!(mail.json["verified"], true);
    assert_eq!(mail.json["complete"], true);

    // DAV and Sieve servers named for both IMAP sides: `all` is everything.
    let flags = groupware_flags(&d, &r);
    let mut extra: Vec<&str> = flags.iter().map(String::as_str).collect();
    extra.extend(["--options", "all"]);
    let home = Home::new();
    let every = run(migrate_cmd(home.path(), (&d, "src"), (&d, "dst"), &extra));
    assert_eq!(every.code, 0, "{} {}", every.stderr, every.json);
    assert_eq!(options_of(&every.json).len(), 7, "{}", every.json);
    let rules = every.json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "inbox_rules")
        .unwrap_or_else(|| panic!("no inbox rules step: {}", every.json));
    assert_eq!(rules["state"], "done", "{rules}");

    // Groupware only: the same keys, e-mail fields at zero, nothing verified.
    let mut extra: Vec<&str> = flags.iter().map(String::as_str).collect();
    extra.extend(["--options", "inbox-rules,calendars"]);
    let home = Home::new();
    let gw = run(migrate_cmd(home.path(), (&d, "src"), (&d, "dst"), &extra));
    assert_eq!(gw.code, 0, "{} {}", gw.stderr, gw.json);
    assert_eq!(keys(&gw.json), keys(&mail.json));
    assert_eq!(keys(&gw.json), keys(&every.json));
    assert_eq!(gw.n("copied"), 0);
    assert_eq!(gw.json["verified"], false);
    assert_eq!(gw.json["complete"], true);
}

#[test]
fn a_named_option_a_side_cannot_hold_names_the_real_flag() {
    let Some((d, r)) = servers() else { return };
    let home = Home::new();
    let url = r.base_url();
    let refused = run(migrate_cmd(
        home.path(),
        (&d, "src"),
        (&d, "dst"),
        &["--src-dav", &url, "--options", "emails,calendars"],
    ));
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert_eq!(
        refused.json["error"],
        "calendars: the destination has no CalDAV server"
    );
    assert_eq!(refused.json["hint"], "pass --dst-dav URL");
    assert!(
        refused
            .stderr
            .contains("calendars: the destination has no CalDAV server: pass --dst-dav URL"),
        "{}",
        refused.stderr
    );
    let refused = run(migrate_cmd(
        home.path(),
        (&d, "src"),
        (&d, "dst"),
        &["--options", "out-of-office", "--dry-run"],
    ));
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    let msg = refused.json["error"].as_str().unwrap();
    assert_eq!(msg, "out-of-office: the source has no ManageSieve server");
    assert_eq!(refused.json["hint"], "pass --src-sieve HOST[:PORT]");
}
