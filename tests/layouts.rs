//! `mailshift migrate` between real servers in the layouts people leave:
//! Dovecot with `/`, Maildir++ with `.`, Dovecot configured like cPanel
//! hosting (`INBOX.` prefix, special folders under it, public and shared
//! namespaces), Cyrus IMAP in its standard (`INBOX.`, `user.`) and
//! alternate (`Other Users/`, `Shared Folders/`) namespaces. Judged by the
//! oracle, independently of the engine.

mod support;

use std::collections::BTreeMap;

use mailshift_testkit::{Cyrus, CyrusNamespace, CyrusOptions, MessageFacts, SeedSpec};
use support::*;

/// One running server of some layout.
enum Server {
    Dovecot(Dovecot),
    Cyrus(Cyrus),
}

impl Server {
    fn port(&self) -> u16 {
        match self {
            Server::Dovecot(d) => d.port(),
            Server::Cyrus(c) => c.port(),
        }
    }
    fn add_user(&self, user: &str) {
        match self {
            Server::Dovecot(d) => d.add_user(user, PASS).unwrap(),
            Server::Cyrus(c) => c.add_user(user, PASS).unwrap(),
        }
    }
    fn oracle(&self, user: &str) -> Oracle {
        Oracle::login("127.0.0.1", self.port(), user, PASS).expect("oracle login")
    }
}

fn cyrus(namespace: CyrusNamespace) -> Option<Cyrus> {
    if !mailshift_testkit::require(
        Cyrus::is_available(),
        "Cyrus IMAP",
        ".ci/run unpacks it in /opt/mailshift-cyrus",
    ) {
        return None;
    }
    Some(
        Cyrus::start(CyrusOptions {
            namespace,
            ..CyrusOptions::default()
        })
        .expect("start cyrus"),
    )
}

fn all_layouts() -> Option<Vec<(&'static str, Server)>> {
    Some(vec![
        (
            "dovecot-slash",
            Server::Dovecot(dovecot(layout(Layout::Slash))?),
        ),
        (
            "dovecot-dot",
            Server::Dovecot(dovecot(layout(Layout::Dot))?),
        ),
        (
            "dovecot-cpanel",
            Server::Dovecot(dovecot(layout(Layout::Cpanel))?),
        ),
        (
            "cyrus-standard",
            Server::Cyrus(cyrus(CyrusNamespace::Standard)?),
        ),
        ("cyrus-alt", Server::Cyrus(cyrus(CyrusNamespace::Alt)?)),
    ])
}

/// The personal tree of a user: relative names with `/`, non-empty folders only.
fn personal(s: &Server, user: &str) -> BTreeMap<String, Vec<MessageFacts>> {
    let mut o = s.oracle(user);
    let snap = o.personal_snapshot().expect("personal snapshot");
    let _ = o.logout();
    snap.folders
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

/// Whether the user has a folder flagged `\Sent` (relative name).
fn flagged_sent(s: &Server, user: &str) -> bool {
    let mut o = s.oracle(user);
    let found = o.list().unwrap().iter().any(|f| f.has_attribute("\\Sent"));
    let _ = o.logout();
    found
}

fn sorted(mut v: Vec<MessageFacts>) -> Vec<MessageFacts> {
    v.sort_by(|a, b| a.sha256.cmp(&b.sha256));
    v
}

#[test]
fn every_layout_pair_moves_the_personal_tree_in_place_both_ways() {
    let Some(servers) = all_layouts() else {
        return;
    };
    // One seeded source user per server.
    for (_, s) in &servers {
        s.add_user("src");
        let mut o = s.oracle("src");
        let _ = o.namespace();
        let _ = o.logout();
        mailshift_testkit::seed_at("127.0.0.1", s.port(), "src", PASS, &SeedSpec::realistic(11))
            .expect("seed");
    }
    let sources: Vec<BTreeMap<String, Vec<MessageFacts>>> =
        servers.iter().map(|(_, s)| personal(s, "src")).collect();
    let total: usize = sources[0].values().map(Vec::len).sum();
    assert!(total >= 60, "seed is realistic: {total}");

    for (a, (a_name, a_srv)) in servers.iter().enumerate() {
        for (b, (b_name, b_srv)) in servers.iter().enumerate() {
            if a == b {
                continue;
            }
            let user = format!("from{a}");
            b_srv.add_user(&user);
            // Let the destination make its own special folders first (Cyrus, cPanel).
            let _ = b_srv.oracle(&user).logout();
            let dst_has_sent = flagged_sent(b_srv, &user);
            let src_has_sent = flagged_sent(a_srv, "src");
            let home = Home::new();
            let r = run(migrate_ports(
                home.path(),
                (a_srv.port(), "src"),
                (b_srv.port(), &user),
                &[],
            ));
            let pair = format!("{a_name} -> {b_name}");
            assert_eq!(r.code, 0, "{pair}: {}\n{}", r.stderr, r.json);
            assert_eq!(r.json["verified"], true, "{pair}: {}", r.json);
            assert_eq!(r.n("copied") as usize, total, "{pair}: {}", r.json);
            assert!(r.json["left_out"].as_array().unwrap().is_empty(), "{pair}");

            // Same tree (relative to each side's personal namespace), same
            // bytes, flags and dates. "Sent Items" meets the destination's
            // \Sent folder when the source has no flagged one of its own.
            let got = personal(b_srv, &user);
            let mut want: BTreeMap<String, Vec<MessageFacts>> = BTreeMap::new();
            for (name, msgs) in &sources[a] {
                let target = if name == "Sent Items" && dst_has_sent && !src_has_sent {
                    "Sent".to_string()
                } else {
                    name.clone()
                };
                want.entry(target).or_default().extend(msgs.iter().cloned());
            }
            let want: BTreeMap<_, _> = want.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            let got_sorted: BTreeMap<_, _> = got
                .clone()
                .into_iter()
                .map(|(k, v)| (k, sorted(v)))
                .collect();
            assert_eq!(
                want.keys().collect::<Vec<_>>(),
                got_sorted.keys().collect::<Vec<_>>(),
                "{pair}: folder trees differ"
            );
            for (k, v) in &want {
                assert_eq!(v, &got_sorted[k], "{pair}: folder {k} differs");
            }
            assert!(
                got.keys().all(|k| k == "INBOX" || !k.starts_with("INBOX/")),
                "{pair}: nothing under INBOX/ by accident: {:?}",
                got.keys().collect::<Vec<_>>()
            );

            // A second run copies nothing and still verifies.
            let again = run(migrate_ports(
                home.path(),
                (a_srv.port(), "src"),
                (b_srv.port(), &user),
                &[],
            ));
            assert_eq!(again.code, 0, "{pair} rerun: {}", again.stderr);
            assert_eq!(again.n("copied"), 0, "{pair} rerun: {}", again.json);
            assert_eq!(again.json["verified"], true, "{pair} rerun");
        }
    }
}

#[test]
fn other_users_and_shared_folders_stay_out_unless_asked_for() {
    let Some(cp) = dovecot(layout(Layout::Cpanel)) else {
        return;
    };
    let Some(plain) = dovecot(layout(Layout::Slash)) else {
        return;
    };
    for u in ["alice", "bob"] {
        cp.add_user(u, PASS).unwrap();
    }
    plain.add_user("alice", PASS).unwrap();
    plain.add_user("alice2", PASS).unwrap();
    let own = mailshift_testkit::seed(&cp, "alice", PASS, &SeedSpec::realistic(3)).unwrap();
    let shared = cp
        .share_folder("bob", PASS, "Projects", "alice", &[msg(1), msg(2)])
        .unwrap();
    let public = cp.public_folder("News").unwrap();
    oracle(&cp, "alice")
        .append_many(&public, &[msg(3)])
        .unwrap();
    let names: Vec<String> = oracle(&cp, "alice")
        .list()
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert!(
        names.contains(&shared) && names.contains(&public),
        "{names:?}"
    );

    let home = Home::new();
    let r = run(migrate_cmd(
        home.path(),
        (&cp, "alice"),
        (&plain, "alice"),
        &[],
    ));
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.json);
    assert_eq!(r.n("copied"), own.messages as u64);
    let left: Vec<String> = r.json["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(
        left.iter()
            .any(|l| l.contains("Projects") && l.contains("another user")),
        "{left:?}"
    );
    assert!(
        left.iter()
            .any(|l| l.contains("News") && l.contains("shared or public")),
        "{left:?}"
    );
    // Said plainly in the report; the flag that copies them is the CLI's hint.
    assert!(left.iter().all(|l| !l.contains("--")), "{left:?}");
    assert_eq!(
        r.json["hints"],
        serde_json::json!(["pass --other-namespaces-into FOLDER to copy them"]),
        "{}",
        r.json
    );
    let got = snapshot(&plain, "alice");
    assert!(
        got.folders
            .keys()
            .all(|k| !k.contains("Projects") && !k.contains("News")),
        "nothing from other namespaces: {:?}",
        got.folders.keys().collect::<Vec<_>>()
    );

    // On request, they go into a folder the user names.
    let r = run(migrate_cmd(
        Home::new().path(),
        (&cp, "alice"),
        (&plain, "alice2"),
        &["--other-namespaces-into", "Other people"],
    ));
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.json);
    assert_eq!(r.n("copied"), own.messages as u64 + 3);
    let got = snapshot(&plain, "alice2");
    let other: Vec<&String> = got
        .folders
        .keys()
        .filter(|k| k.starts_with("Other people/"))
        .collect();
    assert_eq!(
        other.iter().map(|k| got.folders[*k].len()).sum::<usize>(),
        3,
        "{other:?}"
    );
}

#[test]
fn a_dry_run_is_the_plan_the_run_carries_out_and_is_stable() {
    let Some(cp) = dovecot(layout(Layout::Cpanel)) else {
        return;
    };
    let Some(plain) = dovecot(layout(Layout::Slash)) else {
        return;
    };
    cp.add_user("john", PASS).unwrap();
    plain.add_user("john", PASS).unwrap();
    let mut o = oracle(&cp, "john");
    // The oracle names folders with '/': these are INBOX.Archive.2023 ... on the wire.
    o.create("INBOX/Archive/2023").unwrap();
    o.create("INBOX/Clients/Acme").unwrap();
    o.append_many("INBOX/Archive/2023", &[msg(10), msg(11)])
        .unwrap();
    o.append_many("INBOX/Clients/Acme", &[msg(12)]).unwrap();
    o.append_many("INBOX/Sent", &[msg(13)]).unwrap();
    o.append_many("INBOX/Trash", &[msg(14)]).unwrap();
    let _ = o.logout();

    let home = Home::new();
    let plan_of = |r: &Run| -> Vec<(String, String, u64)> {
        r.json["folder_reports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["folder"].as_str().unwrap().to_string(),
                    f["destination"].as_str().unwrap().to_string(),
                    f["copied"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let dry = run(migrate_cmd(
        home.path(),
        (&cp, "john"),
        (&plain, "john"),
        &["--dry-run"],
    ));
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    for _ in 0..4 {
        let again = run(migrate_cmd(
            home.path(),
            (&cp, "john"),
            (&plain, "john"),
            &["--dry-run"],
        ));
        assert_eq!(plan_of(&again), plan_of(&dry), "the same plan every time");
        assert_eq!(again.json["created_folders"], dry.json["created_folders"]);
    }
    let by: BTreeMap<String, String> = plan_of(&dry).into_iter().map(|(s, d, _)| (s, d)).collect();
    assert_eq!(by["INBOX.Archive.2023"], "Archive/2023");
    assert_eq!(by["INBOX.Sent"], "Sent");
    assert_eq!(by["INBOX.Trash"], "Trash");
    assert_eq!(by["INBOX.Clients.Acme"], "Clients/Acme");

    let real = run(migrate_cmd(
        home.path(),
        (&cp, "john"),
        (&plain, "john"),
        &[],
    ));
    assert_eq!(real.code, 0, "{}", real.stderr);
    assert_eq!(
        plan_of(&real),
        plan_of(&dry),
        "the run did what the dry run said"
    );
    assert_eq!(real.json["created_folders"], dry.json["created_folders"]);
    let got = snapshot(&plain, "john");
    assert_eq!(got.folder("Archive/2023").map(<[_]>::len), Some(2));
    assert_eq!(got.folder("Sent").map(<[_]>::len), Some(1));
    assert!(got
        .folders
        .keys()
        .all(|k| !k.starts_with("Trash/") && !k.starts_with("Sent/")));
}

fn msg(n: u32) -> mailshift_testkit::SeedMessage {
    let bytes = format!(
        "From: a@example.test\r\nTo: b@example.test\r\nSubject: m{n}\r\n\
         Message-ID: <layouts-{n}@example.test>\r\nDate: Mon, 03 Jun 2024 10:00:{:02} +0000\r\n\r\nbody {n}\r\n",
        n % 60
    )
    .into_bytes();
    mailshift_testkit::SeedMessage {
        bytes,
        flags: vec![],
        internaldate: Some("03-Jun-2024 10:00:00 +0000".into()),
    }
}

#[test]
fn cyrus_other_users_and_shared_folders_stay_out_in_both_namespace_modes() {
    for mode in [CyrusNamespace::Standard, CyrusNamespace::Alt] {
        let Some(c) = cyrus(mode) else {
            return;
        };
        let Some(plain) = dovecot(layout(Layout::Slash)) else {
            return;
        };
        c.add_user("alice", PASS).unwrap();
        c.add_user("bob", "pw-bob").unwrap();
        plain.add_user("alice", PASS).unwrap();
        c.share_folder("bob", "Projects", "alice", &[msg(30), msg(31)])
            .unwrap();
        c.shared_folder("announce", &[msg(32)]).unwrap();
        let mut o = Oracle::login("127.0.0.1", c.port(), "alice", PASS).unwrap();
        o.append_many("INBOX", &[msg(33), msg(34)]).unwrap();
        let _ = o.logout();

        let r = run(migrate_ports(
            Home::new().path(),
            (c.port(), "alice"),
            (plain.port(), "alice"),
            &[],
        ));
        assert_eq!(r.code, 0, "{mode:?}: {}\n{}", r.stderr, r.json);
        assert_eq!(
            r.n("copied"),
            2,
            "{mode:?}: only alice's own mail: {}",
            r.json
        );
        let left = r.json["left_out"].to_string();
        assert!(
            left.contains("Projects") && left.contains("announce"),
            "{mode:?}: {left}"
        );
        let got = snapshot(&plain, "alice");
        assert_eq!(
            got.total_messages(),
            2,
            "{mode:?}: {:?}",
            got.folders.keys()
        );
    }
}
