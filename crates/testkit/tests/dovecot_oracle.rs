//! Real Dovecot instances judged by the oracle: layouts, users, seeding, snapshots, restart.

use mailshift_testkit::{seed, Dovecot, DovecotOptions, Layout, Oracle, SeedMessage, SeedSpec};

fn start(layout: Layout) -> Dovecot {
    assert!(Dovecot::is_available(), "install dovecot-imapd");
    Dovecot::start(layout).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn both_layouts_start_and_announce_their_separator() {
    for (layout, sep) in [(Layout::Slash, '/'), (Layout::Dot, '.')] {
        let d = start(layout);
        assert_eq!(d.separator(), sep);
        assert_eq!(d.host(), "127.0.0.1");
        d.add_user("alice", "pw-alice").unwrap();
        let mut o = Oracle::login(d.host(), d.port(), "alice", "pw-alice").unwrap();
        assert_eq!(o.separator().unwrap(), sep);
        for cap in ["UIDPLUS", "LITERAL+", "MULTIAPPEND", "SPECIAL-USE"] {
            assert!(
                o.has_capability(cap),
                "{cap} missing: {:?}",
                o.capabilities()
            );
        }
        assert!(!o.has_capability("QUOTA"));
    }
}

#[test]
fn wrong_password_and_unknown_user_are_refused() {
    let d = start(Layout::Slash);
    d.add_user("bob", "right").unwrap();
    let err = Oracle::login(d.host(), d.port(), "bob", "wrong").unwrap_err();
    assert!(err.server_response().is_some(), "{err}");
    assert!(Oracle::login(d.host(), d.port(), "nobody-here", "x").is_err());
    // changing the password takes effect while running
    d.add_user("bob", "new").unwrap();
    Oracle::login(d.host(), d.port(), "bob", "new").unwrap();
    let stored = std::fs::read_to_string(d.dir().join("users").join("bob")).unwrap();
    assert!(
        stored.starts_with("bob:{SSHA256}") && !stored.contains("new"),
        "{stored}"
    );
}

#[test]
fn realistic_seed_round_trips_on_both_layouts() {
    for layout in [Layout::Slash, Layout::Dot] {
        let d = start(layout);
        d.add_user("carol", "pw").unwrap();
        let spec = SeedSpec::realistic(7);
        let report = seed(&d, "carol", "pw", &spec).unwrap();
        assert_eq!(report.messages, spec.total_messages());

        let mut o = Oracle::login(d.host(), d.port(), "carol", "pw").unwrap();
        let folders = o.list().unwrap();
        let names: Vec<&str> = folders.iter().map(|f| f.name.as_str()).collect();
        for f in &spec.folders {
            assert!(
                names.contains(&f.as_str()),
                "{f} missing from {names:?} ({layout:?})"
            );
        }
        let projets = folders
            .iter()
            .find(|f| f.name == "Projets & Idées")
            .unwrap();
        assert_eq!(projets.raw, "Projets &- Id&AOk-es");
        let archives = folders
            .iter()
            .find(|f| f.name == "Archives")
            .expect("implied parent listed");
        assert!(!archives.is_selectable(), "{archives:?}");

        let snap = o.snapshot().unwrap();
        assert_eq!(snap.total_messages(), spec.total_messages());
        assert_eq!(snap.total_bytes(), report.bytes);
        assert!(snap.duplicates().is_empty(), "{:?}", snap.duplicates());
        for (folder, n) in &report.per_folder {
            assert_eq!(snap.folder(folder).map(<[_]>::len), Some(*n), "{folder}");
        }
        let inbox = snap.folder("INBOX").unwrap();
        assert!(inbox
            .iter()
            .any(|m| m.has_flag("$Forwarded") && m.has_flag("\\Seen")));
        assert!(inbox.iter().any(|m| m.has_flag("$Label1")));
        assert!(
            inbox.iter().any(|m| m.size > 1_500_000),
            "a multi-MB message"
        );
        assert!(snap
            .folder("Drafts")
            .unwrap()
            .iter()
            .all(|m| m.has_flag("\\Draft")));
        // dates spread over years, kept as given
        let years: std::collections::BTreeSet<i64> = snap
            .folders
            .values()
            .flatten()
            .map(|m| m.internaldate / 31_557_600)
            .collect();
        assert!(years.len() >= 5, "{years:?}");

        // Seeding again with the same seed into another user gives the same snapshot.
        d.add_user("dave", "pw").unwrap();
        seed(&d, "dave", "pw", &spec).unwrap();
        let again = Oracle::login(d.host(), d.port(), "dave", "pw")
            .unwrap()
            .snapshot()
            .unwrap();
        assert!(snap.diff(&again).is_empty(), "{}", snap.diff(&again));
        assert_eq!(snap.full_digest(), again.full_digest());
    }
}

#[test]
fn snapshots_are_read_only_and_diffs_explain() {
    let d = start(Layout::Slash);
    d.add_user("erin", "pw").unwrap();
    let mut o = Oracle::login(d.host(), d.port(), "erin", "pw").unwrap();
    o.append("INBOX", b"Subject: unseen\r\n\r\nbody\r\n", &[], None)
        .unwrap();
    let first = o.snapshot().unwrap();
    let second = o.snapshot().unwrap();
    assert_eq!(first, second);
    assert!(
        first.folder("INBOX").unwrap()[0].flags.is_empty(),
        "no \\Seen, no \\Recent"
    );

    o.create("Neu/Ünter").unwrap();
    o.append(
        "Neu/Ünter",
        b"Subject: x\r\n\r\ny\r\n",
        &["\\Flagged"],
        None,
    )
    .unwrap();
    let third = o.snapshot().unwrap();
    let text = first.diff(&third).to_string();
    assert!(
        text.contains("extra folder \"Neu/Ünter\" (1 messages)"),
        "{text}"
    );
}

#[test]
fn binary_bodies_and_internaldate_survive() {
    let d = start(Layout::Dot);
    d.add_user("frank", "pw").unwrap();
    let mut o = Oracle::login(d.host(), d.port(), "frank", "pw").unwrap();
    let msg = b"Subject: bin\r\n\r\nnul\0byte\nbare lf\xff\xfe\r\n{5}\r\n)\r\n".to_vec();
    o.append(
        "INBOX",
        &msg,
        &["\\Seen", "$Forwarded"],
        Some("17-Jul-1996 02:44:25 -0700"),
    )
    .unwrap();
    // Dovecot keeps 8-bit bytes but serves a bare LF as CRLF and a NUL as 0x80 in BODY[]
    // (the oracle's own NUL handling is unit-tested in oracle::wire).
    let served = b"Subject: bin\r\n\r\nnul\x80byte\r\nbare lf\xff\xfe\r\n{5}\r\n)\r\n".to_vec();
    let bodies = o.bodies("INBOX").unwrap();
    assert_eq!(bodies, vec![served.clone()]);
    let facts = o.messages("INBOX").unwrap();
    assert_eq!(facts[0].internaldate, 837_596_665);
    assert_eq!(facts[0].flags, vec!["$Forwarded", "\\Seen"]);
    assert_eq!(facts[0].size, served.len() as u64);
}

#[test]
fn append_many_and_restart_keep_mail() {
    let mut d = start(Layout::Slash);
    d.add_user("gina", "pw").unwrap();
    let msgs: Vec<SeedMessage> = (0..250)
        .map(|i| SeedMessage {
            bytes: format!("Subject: n{i}\r\n\r\nbody {i}\r\n").into_bytes(),
            flags: if i % 2 == 0 {
                vec!["\\Seen".into()]
            } else {
                vec![]
            },
            internaldate: Some("01-Feb-2020 10:00:00 +0000".into()),
        })
        .collect();
    let mut o = Oracle::login(d.host(), d.port(), "gina", "pw").unwrap();
    o.create("Bulk").unwrap();
    o.append_many("Bulk", &msgs).unwrap();
    let before = o.snapshot().unwrap();
    assert_eq!(before.folder("Bulk").unwrap().len(), 250);
    assert_eq!(
        before
            .folder("Bulk")
            .unwrap()
            .iter()
            .filter(|m| m.has_flag("\\Seen"))
            .count(),
        125
    );
    drop(o);

    let port = d.port();
    d.restart().unwrap();
    assert_eq!(d.port(), port);
    let after = Oracle::login(d.host(), d.port(), "gina", "pw")
        .unwrap()
        .snapshot()
        .unwrap();
    assert!(before.diff(&after).is_empty(), "{}", before.diff(&after));

    d.stop();
    assert!(Oracle::login("127.0.0.1", port, "gina", "pw").is_err());
}

#[test]
fn special_use_folders_appear_when_created() {
    let d = start(Layout::Slash);
    d.add_user("hank", "pw").unwrap();
    let mut o = Oracle::login(d.host(), d.port(), "hank", "pw").unwrap();
    assert!(
        !o.list().unwrap().iter().any(|f| f.name == "Sent"),
        "auto = no"
    );
    for name in ["Sent", "Drafts", "Trash", "Junk", "Archive"] {
        o.create(name).unwrap();
    }
    let folders = o.list().unwrap();
    for (name, attr) in [
        ("Sent", "\\Sent"),
        ("Drafts", "\\Drafts"),
        ("Trash", "\\Trash"),
        ("Junk", "\\Junk"),
        ("Archive", "\\Archive"),
    ] {
        let f = folders.iter().find(|f| f.name == name).unwrap();
        assert!(f.has_attribute(attr), "{f:?}");
    }
}

#[test]
fn quota_refuses_appends_over_the_limit() {
    let d = Dovecot::start_with(DovecotOptions {
        quota_bytes: Some(20_000),
        ..DovecotOptions::default()
    })
    .unwrap();
    d.add_user("ivy", "pw").unwrap();
    let mut o = Oracle::login(d.host(), d.port(), "ivy", "pw").unwrap();
    assert!(o.has_capability("QUOTA"));
    o.append("INBOX", &vec![b'a'; 5_000], &[], None).unwrap();
    let big = [b"Subject: big\r\n\r\n".as_slice(), &vec![b'x'; 30_000]].concat();
    let err = o.append("INBOX", &big, &[], None).unwrap_err();
    let response = err.server_response().unwrap_or_default().to_string();
    assert!(response.contains("OVERQUOTA"), "{err}");
    assert_eq!(o.count("INBOX").unwrap(), 1);
}

#[test]
fn several_instances_run_at_once() {
    let handles: Vec<_> = (0..3)
        .map(|_| std::thread::spawn(|| start(Layout::Dot)))
        .collect();
    let servers: Vec<Dovecot> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let mut ports: Vec<u16> = servers.iter().map(Dovecot::port).collect();
    ports.sort_unstable();
    ports.dedup();
    assert_eq!(ports.len(), 3);
    for d in &servers {
        d.add_user("u", "p").unwrap();
        Oracle::login(d.host(), d.port(), "u", "p").unwrap();
    }
    let dirs: Vec<_> = servers.iter().map(|d| d.dir().to_path_buf()).collect();
    drop(servers);
    assert!(
        dirs.iter().all(|p| !p.exists()),
        "temp dirs removed on drop"
    );
}
