//! Dovecot configured like the hosts users leave: the cPanel layout (`INBOX.` prefix, `.`,
//! public and shared namespaces) next to the plain `/` and `.` layouts, judged by the oracle.

mod common;

use std::time::Instant;

use common::{available, mail, seed_personal, SPECIAL};
use mailshift_testkit::{seed, Dovecot, Layout, NamespaceKind, Oracle, SeedSpec};

fn start(layout: Layout) -> Option<Dovecot> {
    if !available(
        "Dovecot",
        Dovecot::is_available(),
        "install dovecot-imapd, e.g. with .ci/run",
    ) {
        return None;
    }
    let t = Instant::now();
    let d = Dovecot::start(layout).unwrap_or_else(|e| panic!("{e}"));
    eprintln!("dovecot {layout:?} started in {:?}", t.elapsed());
    Some(d)
}

#[test]
fn cpanel_layout_lists_inbox_prefix_special_use_public_and_shared() {
    let Some(d) = start(Layout::Cpanel) else {
        return;
    };
    assert_eq!(d.separator(), '.');
    assert_eq!(d.layout().personal_prefix(), "INBOX.");
    d.add_user("alice", "pw-alice").unwrap();
    d.add_user("bob", "pw-bob").unwrap();

    let mut o = Oracle::login(d.host(), d.port(), "alice", "pw-alice").unwrap();
    let ns = o.namespace().unwrap();
    assert_eq!(ns.personal_prefix(), "INBOX.");
    assert_eq!(ns.personal_separator(), Some('.'));
    assert_eq!(ns.other.len(), 1, "{ns:?}");
    assert_eq!(ns.other[0].prefix, "shared.");
    assert_eq!(ns.shared.len(), 1, "{ns:?}");
    assert_eq!(ns.shared[0].prefix, "Public.");

    // special-use folders exist from the first login, under INBOX.
    let folders = o.list().unwrap();
    for (name, flag) in SPECIAL {
        let f = folders
            .iter()
            .find(|f| f.raw == format!("INBOX.{name}"))
            .unwrap_or_else(|| panic!("INBOX.{name} missing: {folders:?}"));
        assert!(f.has_attribute(flag), "{f:?}");
        assert_eq!(f.name, format!("INBOX/{name}"));
    }

    // bob shares a folder with alice; a public folder holds mail
    let shared = d
        .share_folder(
            "bob",
            "pw-bob",
            "Projects",
            "alice",
            &[mail(20, "from bob", &[])],
        )
        .unwrap();
    assert_eq!(shared, "shared/bob/Projects");
    let public = d.public_folder("announce").unwrap();
    assert_eq!(public, "Public/announce");
    o.append_many(
        &public,
        &[mail(21, "news", &[]), mail(22, "more news", &[])],
    )
    .unwrap();
    seed_personal(&mut o);
    o.logout().unwrap();

    // Dovecot finds the folders shared with alice when her session starts: log in again.
    let mut o = Oracle::login(d.host(), d.port(), "alice", "pw-alice").unwrap();
    let folders = o.list().unwrap();
    let raw: Vec<&str> = folders.iter().map(|f| f.raw.as_str()).collect();
    for expected in [
        "shared.bob.Projects",
        "Public.announce",
        "INBOX.Projects.2024",
    ] {
        assert!(raw.contains(&expected), "{expected} missing from {raw:?}");
    }
    assert_eq!(o.count(&shared).unwrap(), 1);
    assert_eq!(o.count(&public).unwrap(), 2);
    assert_eq!(ns.kind_of(&shared).map(|k| k.0), Some(NamespaceKind::Other));
    assert_eq!(
        ns.kind_of(&public).map(|k| k.0),
        Some(NamespaceKind::Shared)
    );

    // the personal snapshot has only alice's own folders, relative to INBOX.
    let snap = o.personal_snapshot().unwrap();
    let names: Vec<&str> = snap.folders.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "Archive",
            "Drafts",
            "INBOX",
            "Junk",
            "Projects",
            "Projects/2024",
            "Sent",
            "Trash"
        ],
        "{names:?}"
    );
    assert_eq!(snap.total_messages(), 9);
    // bob does not see alice's folders, and sees his own shared one as INBOX.Projects
    let mut b = Oracle::login(d.host(), d.port(), "bob", "pw-bob").unwrap();
    let bob_names: Vec<String> = b.list().unwrap().into_iter().map(|f| f.raw).collect();
    assert!(
        bob_names.contains(&"INBOX.Projects".to_string()),
        "{bob_names:?}"
    );
    assert!(
        !bob_names.iter().any(|n| n.contains("alice")),
        "{bob_names:?}"
    );
}

#[test]
fn the_same_mail_gives_the_same_personal_snapshot_on_every_layout() {
    let mut snapshots = Vec::new();
    for layout in [Layout::Slash, Layout::Dot, Layout::Cpanel] {
        let Some(d) = start(layout) else {
            return;
        };
        d.add_user("carol", "pw").unwrap();
        let mut o = Oracle::login(d.host(), d.port(), "carol", "pw").unwrap();
        seed_personal(&mut o);
        let snap = o.personal_snapshot().unwrap();
        assert_eq!(snap.total_messages(), 9, "{layout:?}");
        snapshots.push((layout, snap));
    }
    let (first_layout, first) = &snapshots[0];
    for (layout, snap) in &snapshots[1..] {
        assert!(
            first.diff(snap).is_empty(),
            "{first_layout:?} vs {layout:?}: {}",
            first.diff(snap)
        );
        assert_eq!(first.full_digest(), snap.full_digest());
    }
}

#[test]
fn plain_layouts_have_one_namespace_and_refuse_sharing_helpers() {
    let Some(d) = start(Layout::Dot) else {
        return;
    };
    d.add_user("dave", "pw").unwrap();
    let mut o = Oracle::login(d.host(), d.port(), "dave", "pw").unwrap();
    let ns = o.namespace().unwrap();
    assert_eq!(ns.personal_prefix(), "");
    assert_eq!(ns.personal_separator(), Some('.'));
    assert!(ns.other.is_empty() && ns.shared.is_empty(), "{ns:?}");
    assert_eq!(o.personal_name("Sent").unwrap(), "Sent");
    assert!(d.public_folder("announce").is_err());
    assert!(d.share_folder("dave", "pw", "x", "erin", &[]).is_err());
}

#[test]
fn realistic_seed_lands_under_inbox_prefix_and_matches_the_slash_layout() {
    let spec = SeedSpec::realistic(11);
    let mut snapshots = Vec::new();
    for layout in [Layout::Slash, Layout::Cpanel] {
        let Some(d) = start(layout) else {
            return;
        };
        d.add_user("hank", "pw").unwrap();
        let report = seed(&d, "hank", "pw", &spec).unwrap();
        assert_eq!(report.messages, spec.total_messages());
        let mut o = Oracle::login(d.host(), d.port(), "hank", "pw").unwrap();
        let mut snap = o.personal_snapshot().unwrap();
        // cPanel's auto-created special-use folders stay empty when the spec has none
        snap.folders.retain(|_, msgs| !msgs.is_empty());
        for (folder, n) in &report.per_folder {
            assert_eq!(snap.folder(folder).map(<[_]>::len), Some(*n), "{folder}");
        }
        snapshots.push(snap);
    }
    let diff = snapshots[0].diff(&snapshots[1]);
    assert!(diff.is_empty(), "{diff}");
}
