//! The sandbox provider end to end, each test in its own temporary data dir: the demo
//! seed, real IMAP logins over TCP on each platform's port, account operations that keep
//! panel, mail and logins in step across restarts, and DNS verdicts and propagation
//! through the sandbox's own DNS server.

mod common;

use std::path::Path;
use std::time::Duration;

use common::Client;
use mailshift_dns::{check_domain, Lookup, PlatformKind as DnsKind, Verdict};
use mailshift_panel::{AccountChanges, NewAccount, PlatformId, DEMO_PASSWORD, GB};
use mailshift_sandbox::PanelStore;
use mailshift_sandbox::{Sandbox, SandboxOptions};

const MXPLAN: PlatformId = PlatformId(1);
const EXCHANGE: PlatformId = PlatformId(2);
const EMAILPRO: PlatformId = PlatformId(3);
const JOHN: &str = "john.smith@example.com";

/// A manual clock: simulated time moves only when the test says so.
fn opts() -> SandboxOptions {
    SandboxOptions {
        clock_factor: 0.0,
        ..SandboxOptions::default()
    }
}

async fn start(home: &Path) -> Sandbox {
    tokio::time::timeout(Duration::from_secs(120), Sandbox::start(home, opts()))
        .await
        .expect("the sandbox starts in time")
        .expect("the sandbox starts")
}

async fn login(sb: &Sandbox, platform: PlatformId, user: &str, password: &str) -> (Client, bool) {
    let mut c = Client::connect(sb.imap_addr(platform).unwrap()).await;
    let ok = c
        .cmd(&format!("LOGIN \"{user}\" \"{password}\""))
        .await
        .ok();
    (c, ok)
}

/// Messages in `folder` as the IMAP server reports them (SELECT ... EXISTS).
async fn exists(c: &mut Client, folder: &str) -> u32 {
    let r = c.cmd(&format!("SELECT \"{folder}\"")).await;
    assert!(r.ok(), "{}", r.text());
    r.text()
        .lines()
        .find_map(|l| l.strip_prefix("* ")?.strip_suffix(" EXISTS")?.parse().ok())
        .expect("an EXISTS line")
}

fn new_account(local: &str, domain: &str, password: &str) -> NewAccount {
    NewAccount {
        local_part: local.into(),
        domain: domain.into(),
        display_name: String::new(),
        password: password.into(),
        quota_bytes: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_seeds_the_demo_and_serves_it_over_imap() {
    let home = tempfile::tempdir().unwrap();
    let sb = start(home.path()).await;
    let panel = sb.panel();
    assert_eq!(panel.platforms.len(), 3);
    let configured: usize = panel
        .platforms
        .iter()
        .map(|p| p.configured_accounts().count())
        .sum();
    assert_eq!(configured, 11);

    // Real mail behind every account, a few hundred messages in all.
    let mut total = 0;
    for p in &panel.platforms {
        let store = sb.mail_store(p.id).unwrap();
        for a in p.configured_accounts() {
            let login = a.address().to_ascii_lowercase();
            let n: u32 = store
                .folders(&login)
                .unwrap()
                .iter()
                .map(|f| store.status(&login, &f.name).unwrap().messages)
                .sum();
            assert!(n > 0, "{login} has no mail");
            total += n;
            let used = store.used_bytes(&login).unwrap();
            if login == "thomas.leroy@example.org" {
                assert_eq!(a.used_bytes, 6_200_000_000, "simulated size kept");
                assert!(used < GB / 100, "no real gigabytes: {used}");
            } else {
                assert_eq!(a.used_bytes, used, "{login}: panel size from the store");
            }
        }
    }
    assert!((200..=600).contains(&total), "{total} messages");

    // The panel shows the loopback servers, panel.json keeps the published endpoints.
    let mx = panel.platform(MXPLAN).unwrap();
    assert_eq!(mx.endpoints.host, "127.0.0.1");
    assert_eq!(mx.endpoints.imap_port, sb.imap_addr(MXPLAN).unwrap().port());
    let on_disk = PanelStore::open(&home.path().join("sandbox"))
        .load()
        .unwrap()
        .unwrap();
    assert_ne!(on_disk.platforms[0].endpoints.host, "127.0.0.1");

    // A real IMAP login with the full address and the demo password.
    let (mut c, ok) = login(&sb, MXPLAN, JOHN, DEMO_PASSWORD).await;
    assert!(ok, "demo login refused");
    let list = c.cmd("LIST \"\" \"*\"").await;
    assert!(list.ok());
    let text = list.text();
    // Nested and non-ASCII folders, names in modified UTF-7 as IMAP4rev1 wants them.
    assert!(
        text.contains("(\\HasChildren) \"/\" Projets/2024\r\n"),
        "{text}"
    );
    for folder in [
        "Projets/2024/Q1",
        "Clients/Soci&AOk-t&AOk- G&AOk-n&AOk-rale",
        "&AMk-quipe",
    ] {
        assert!(text.contains(folder), "{folder} not in\n{text}");
    }
    assert!(text.is_ascii(), "{text}");
    assert!(text.contains("\\Sent") && text.contains("\\Drafts") && text.contains("\\Trash"));
    assert!(exists(&mut c, "&AMk-quipe").await > 0);
    let inbox = exists(&mut c, "INBOX").await;
    let store = sb.mail_store(MXPLAN).unwrap();
    assert_eq!(inbox, store.status(JOHN, "INBOX").unwrap().messages);
    assert!(inbox > 0);

    let (_, ok) = login(&sb, MXPLAN, JOHN, "Wrong-Password1").await;
    assert!(!ok, "a wrong password is refused");
    let (_, ok) = login(&sb, EXCHANGE, JOHN, DEMO_PASSWORD).await;
    assert!(!ok, "john is not on the Exchange yet");

    let text = sb.endpoints_text();
    assert!(
        text.contains(&sb.imap_addr(EXCHANGE).unwrap().to_string()),
        "{text}"
    );
    assert!(text.contains(&sb.dns_addr().to_string()), "{text}");
    assert!(text.contains("thomas.leroy@example.org") && text.contains(DEMO_PASSWORD));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_keeps_state_mail_and_uidvalidity() {
    let home = tempfile::tempdir().unwrap();
    let mut sb = start(home.path()).await;
    let before = sb
        .mail_store(MXPLAN)
        .unwrap()
        .status(JOHN, "INBOX")
        .unwrap();
    sb.create_account(EMAILPRO, new_account("alice", "example.net", "Sunny-Day42"))
        .unwrap();
    sb.modify_account(
        EXCHANGE,
        "admin@example.org",
        AccountChanges {
            password: Some("Fresh-Secret7".into()),
            ..AccountChanges::default()
        },
    )
    .unwrap();
    sb.shutdown().await;

    let sb = start(home.path()).await;
    let after = sb
        .mail_store(MXPLAN)
        .unwrap()
        .status(JOHN, "INBOX")
        .unwrap();
    assert_eq!(after, before, "same messages and UIDVALIDITY");
    assert!(sb.panel().find_accounts("alice@example.net").len() == 1);
    let (_, ok) = login(&sb, EMAILPRO, "alice@example.net", "Sunny-Day42").await;
    assert!(ok, "a created account logs in after a restart");
    let (_, ok) = login(&sb, EXCHANGE, "admin@example.org", "Fresh-Secret7").await;
    assert!(ok, "a changed password holds after a restart");
    let (_, ok) = login(&sb, EXCHANGE, "admin@example.org", DEMO_PASSWORD).await;
    assert!(!ok, "the old password is refused");
    let dir = std::fs::read_to_string(home.path().join("sandbox/directory/exchange-ab12cd.json"))
        .unwrap();
    assert!(!dir.contains("Fresh-Secret7") && !dir.contains(DEMO_PASSWORD));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_keeps_the_mail_and_moves_the_login() {
    let home = tempfile::tempdir().unwrap();
    let mut sb = start(home.path()).await;
    let (mut c, _) = login(&sb, MXPLAN, JOHN, DEMO_PASSWORD).await;
    let inbox = exists(&mut c, "INBOX").await;
    let q1 = exists(&mut c, "Projets/2024/Q1").await;
    drop(c);

    let rename = sb.rename_account(MXPLAN, JOHN, "john.smith01").unwrap();
    assert_eq!(rename.new, "john.smith01@example.com");
    let (mut c, ok) = login(&sb, MXPLAN, "john.smith01@example.com", DEMO_PASSWORD).await;
    assert!(ok, "the provisional login works");
    assert_eq!(exists(&mut c, "INBOX").await, inbox, "mail kept");
    assert_eq!(exists(&mut c, "Projets/2024/Q1").await, q1);
    let (_, ok) = login(&sb, MXPLAN, JOHN, DEMO_PASSWORD).await;
    assert!(!ok, "the old login is refused");
    let mx = sb.panel().platform(MXPLAN).unwrap();
    assert!(mx.account("john.smith01@example.com").is_some());
    assert!(mx.account(JOHN).is_none());
    let saved = PanelStore::open(&home.path().join("sandbox"))
        .load()
        .unwrap()
        .unwrap();
    assert!(saved.platforms[0]
        .account("john.smith01@example.com")
        .is_some());

    // Renaming the 6.2 GB mailbox carries its simulated size along.
    sb.rename_account(EXCHANGE, "thomas.leroy@example.org", "thomas.leroy01")
        .unwrap();
    sb.refresh_used_bytes().unwrap();
    let ex = sb.panel().platform(EXCHANGE).unwrap();
    assert_eq!(
        ex.account("thomas.leroy01@example.org").unwrap().used_bytes,
        6_200_000_000
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn created_account_logs_in_and_reset_empties_the_mailbox() {
    let home = tempfile::tempdir().unwrap();
    let mut sb = start(home.path()).await;
    // The guide's step: recreate john's address on the Exchange (example.com is there
    // as a non-authoritative domain).
    let address = sb
        .create_account(
            EXCHANGE,
            new_account("john.smith", "example.com", "Sunny-Day42"),
        )
        .unwrap();
    assert_eq!(address, JOHN);
    let (mut c, ok) = login(&sb, EXCHANGE, JOHN, "Sunny-Day42").await;
    assert!(ok, "the new account logs in");
    assert_eq!(exists(&mut c, "INBOX").await, 0);
    let r = c.append("INBOX", "\\Seen", &common::message(1)).await;
    assert!(r.ok(), "{}", r.text());
    drop(c);
    sb.refresh_used_bytes().unwrap();
    let used = sb
        .panel()
        .platform(EXCHANGE)
        .unwrap()
        .account(JOHN)
        .unwrap()
        .used_bytes;
    assert_eq!(used, common::message(1).len() as u64);
    let weak = sb.create_account(EXCHANGE, new_account("bob", "example.com", "short"));
    assert!(weak.unwrap_err().to_string().contains("password too weak"));

    // Reset the old mailbox: its mail and login go, the slot is free again.
    let wipe = sb.reset_account(MXPLAN, JOHN).unwrap();
    assert!(wipe.used_bytes > 0);
    let (_, ok) = login(&sb, MXPLAN, JOHN, DEMO_PASSWORD).await;
    assert!(!ok, "a reset account no longer logs in");
    assert!(!sb.mail_store(MXPLAN).unwrap().account_exists(JOHN));
    assert!(sb.panel().platform(MXPLAN).unwrap().account(JOHN).is_none());
    let again = sb
        .create_account(
            MXPLAN,
            new_account("john.smith", "example.com", "Sunny-Day42"),
        )
        .unwrap();
    let (mut c, ok) = login(&sb, MXPLAN, &again, "Sunny-Day42").await;
    assert!(ok);
    assert_eq!(exists(&mut c, "INBOX").await, 0, "the mailbox starts empty");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_shows_the_planned_verdicts() {
    let home = tempfile::tempdir().unwrap();
    let sb = start(home.path()).await;
    let lookup = Lookup::nameserver(sb.dns_addr());

    let org = check_domain(
        &lookup,
        DnsKind::Exchange,
        "example.org",
        "ex5.mail.ovh.net",
    )
    .await;
    assert!(org.ok, "{org:#?}");
    assert_eq!(org.summary.warnings, 0, "{org:#?}");

    let com = check_domain(
        &lookup,
        DnsKind::Exchange,
        "example.com",
        "ex5.mail.ovh.net",
    )
    .await;
    assert!(!com.ok);
    assert!(
        com.red_flag.as_deref().unwrap().contains("oldhost.example"),
        "{com:#?}"
    );
    let spf = com
        .checks
        .iter()
        .find(|c| {
            c.expected
                .as_deref()
                .is_some_and(|e| e.starts_with("v=spf1"))
        })
        .unwrap();
    assert_eq!(spf.verdict, Verdict::Wrong);
    let srv = com
        .checks
        .iter()
        .find(|c| c.name.starts_with("_autodiscover"))
        .unwrap();
    assert_eq!(srv.verdict, Verdict::Ok);

    let net = sb.check_domain(EMAILPRO, "example.net").await.unwrap();
    assert!(net.ok, "nothing red: {net:#?}");
    let srv = net
        .checks
        .iter()
        .find(|c| c.name.starts_with("_autodiscover"))
        .unwrap();
    assert_eq!(srv.verdict, Verdict::Missing);
    assert!(srv.is_warning());
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_fixes_become_visible_only_after_propagation() {
    let home = tempfile::tempdir().unwrap();
    let mut sb = start(home.path()).await;
    let report = sb.check_domain(EXCHANGE, "example.com").await.unwrap();
    assert!(!report.ok);
    let fixes: Vec<_> = report.fixes().cloned().collect();
    let mut pending = Vec::new();
    for fix in &fixes {
        pending.extend(sb.apply_dns_fix("example.com", fix).unwrap());
    }
    assert!(pending.len() >= fixes.len());
    for p in &pending {
        assert!(
            p.remaining >= Duration::from_secs(4 * 3600)
                && p.remaining <= Duration::from_secs(24 * 3600),
            "{p:?}"
        );
    }
    let still = sb.check_domain(EXCHANGE, "example.com").await.unwrap();
    assert!(still.red_flag.is_some(), "invisible before the delay");

    // The countdowns survive a restart.
    sb.clock().advance(Duration::from_secs(3600));
    let remaining_before: Vec<Duration> = sb.pending_dns().iter().map(|p| p.remaining).collect();
    sb.shutdown().await;
    let sb = start(home.path()).await;
    let remaining_after: Vec<Duration> = sb.pending_dns().iter().map(|p| p.remaining).collect();
    assert_eq!(remaining_after, remaining_before);
    assert!(sb
        .check_domain(EXCHANGE, "example.com")
        .await
        .unwrap()
        .red_flag
        .is_some());

    sb.clock().advance(Duration::from_secs(24 * 3600));
    assert!(sb.pending_dns().is_empty());
    let fixed = sb.check_domain(EXCHANGE, "example.com").await.unwrap();
    assert!(fixed.ok, "{fixed:#?}");
    assert!(fixed.red_flag.is_none());
    assert_eq!(fixed.summary.warnings, 0, "optional records were added too");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn added_domains_get_a_zone_and_reset_restores_the_seed() {
    let home = tempfile::tempdir().unwrap();
    let mut sb = start(home.path()).await;
    let seeded = sb
        .mail_store(MXPLAN)
        .unwrap()
        .status(JOHN, "INBOX")
        .unwrap()
        .messages;
    sb.add_domain(
        EMAILPRO,
        "example.info",
        mailshift_panel::DomainKind::Authoritative,
    )
    .unwrap();
    let info = sb.check_domain(EMAILPRO, "example.info").await.unwrap();
    assert_eq!(info.summary.unreachable, 0, "the zone is served: {info:#?}");
    assert!(
        info.summary.missing > 0,
        "an empty zone misses the MX: {info:#?}"
    );
    sb.rename_account(MXPLAN, JOHN, "john.smith01").unwrap();
    sb.shutdown().await;

    Sandbox::reset(home.path()).await.unwrap();
    let sb = start(home.path()).await;
    let mx = sb.panel().platform(MXPLAN).unwrap();
    assert!(mx.account(JOHN).is_some());
    assert!(mx.account("john.smith01@example.com").is_none());
    assert!(sb
        .panel()
        .platform(EMAILPRO)
        .unwrap()
        .domain("example.info")
        .is_none());
    let store = sb.mail_store(MXPLAN).unwrap();
    assert_eq!(store.status(JOHN, "INBOX").unwrap().messages, seeded);
    assert!(!store.account_exists("john.smith01@example.com"));
    let (_, ok) = login(&sb, MXPLAN, JOHN, DEMO_PASSWORD).await;
    assert!(ok);
    assert!(!home.path().join("sandbox.seeding").exists());
    sb.shutdown().await;
}
