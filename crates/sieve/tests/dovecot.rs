//! The ManageSieve client against a real Dovecot Pigeonhole started by the test, and
//! against small fake servers on 127.0.0.1 for what Dovecot will not do on demand
//! (no STARTTLS, LOGIN only, silence).

use std::path::Path;
use std::time::Duration;

use mailshift_net::{Secret, Security, TlsOptions};
use mailshift_sieve::{inspect, SieveAccount, SieveClient, SieveError};
use mailshift_testkit::{Dovecot, DovecotOptions};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const PASS: &str = "Sieve-pass-Otter-31";
const MANAGESIEVE_LOGIN: &str = "/usr/lib/dovecot/managesieve-login";

/// Dovecot with ManageSieve, or a loud skip when it is not installed (a failure under CI).
fn dovecot(tls: bool) -> Option<Dovecot> {
    if !mailshift_testkit::require(
        Dovecot::is_available() && Path::new(MANAGESIEVE_LOGIN).exists(),
        "Dovecot Pigeonhole",
        "apt-get install -y dovecot-imapd dovecot-managesieved dovecot-sieve",
    ) {
        return None;
    }
    let d = Dovecot::start_with(DovecotOptions {
        managesieve: true,
        tls,
        ..Default::default()
    })
    .expect("start dovecot with managesieve");
    d.add_user("sam", PASS).expect("add user");
    Some(d)
}

fn account(d: &Dovecot, password: &str, security: Security) -> SieveAccount {
    SieveAccount {
        host: "127.0.0.1".into(),
        port: d.sieve_port().expect("managesieve port"),
        security,
        user: "sam".into(),
        password: Secret::new(password),
        tls: TlsOptions::default(),
        timeout: Duration::from_secs(10),
    }
}

const RULES: &str = "# Règles de tri — migrated\r\nrequire [\"fileinto\", \"imap4flags\"];\r\n\
    if header :contains \"subject\" \"Rapport \\\"mensuel\\\"\" {\r\n  fileinto \"Archives/Été 2026\";\r\n}\r\n";

const VACATION: &str = "require [\"vacation\"];\nvacation :days 3 :subject \"Absent ✈\" text:\n\
    Bonjour,\n\nJe suis absent jusqu'au 3 août.\n..a dot-stuffed line\n.\n;\n";

#[tokio::test]
async fn scripts_round_trip_byte_exact_and_activation_follows() {
    let Some(d) = dovecot(false) else { return };
    let mut c = SieveClient::connect(&account(&d, PASS, Security::None))
        .await
        .unwrap();
    let caps = c.capabilities().clone();
    assert!(caps.supports("vacation"), "{caps:?}");
    assert!(caps.supports("fileinto"), "{caps:?}");
    assert!(caps.implementation.contains("Dovecot"), "{caps:?}");
    assert!(caps.sasl.iter().any(|m| m == "PLAIN"), "{caps:?}");
    assert_eq!(caps.version.as_deref(), Some("1.0"));

    assert!(c.list().await.unwrap().is_empty());
    c.put("Règles", RULES).await.unwrap();
    c.put("vacation", VACATION).await.unwrap();
    assert_eq!(c.get("Règles").await.unwrap(), RULES);
    let vacation = c.get("vacation").await.unwrap();
    assert_eq!(vacation, VACATION);
    assert!(inspect(&vacation).unwrap().uses_vacation);
    assert!(!inspect(RULES).unwrap().uses_vacation);

    let mut names: Vec<_> = c.list().await.unwrap();
    names.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(
        names
            .iter()
            .map(|e| (e.name.as_str(), e.active))
            .collect::<Vec<_>>(),
        [("Règles", false), ("vacation", false)]
    );

    c.set_active(Some("vacation")).await.unwrap();
    let active: Vec<_> = c
        .list()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.active)
        .collect();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].name, "vacation");

    // The active script cannot be deleted; a missing one is NotFound.
    match c.delete("vacation").await {
        Err(SieveError::Rejected { command, text }) => {
            assert!(command.contains("DELETESCRIPT"), "{command}");
            assert!(!text.is_empty());
        }
        other => panic!("deleting the active script: {other:?}"),
    }
    assert!(matches!(
        c.set_active(Some("nope")).await,
        Err(SieveError::NotFound { name }) if name == "nope"
    ));

    c.set_active(None).await.unwrap();
    assert!(c.list().await.unwrap().iter().all(|e| !e.active));

    c.delete("Règles").await.unwrap();
    let left = c.list().await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].name, "vacation");
    assert!(matches!(
        c.get("Règles").await,
        Err(SieveError::NotFound { name }) if name == "Règles"
    ));
    assert!(matches!(
        c.delete("Règles").await,
        Err(SieveError::NotFound { .. })
    ));
    c.logout().await.unwrap();
}

#[tokio::test]
async fn invalid_scripts_are_rejected_with_the_servers_reason() {
    let Some(d) = dovecot(false) else { return };
    let mut c = SieveClient::connect(&account(&d, PASS, Security::None))
        .await
        .unwrap();
    c.check(VACATION).await.unwrap();
    let bad = "require \"no-such-extension\";\nkeep;\n";
    match c.check(bad).await {
        Err(SieveError::Rejected { command, text }) => {
            assert_eq!(command, "CHECKSCRIPT");
            assert!(text.contains("no-such-extension"), "{text}");
        }
        other => panic!("CHECKSCRIPT of an invalid script: {other:?}"),
    }
    match c.put("broken", "if true { keep;\n").await {
        Err(SieveError::Rejected { command, text }) => {
            assert!(command.contains("PUTSCRIPT") && command.contains("broken"));
            assert!(!text.is_empty());
        }
        other => panic!("PUTSCRIPT of an invalid script: {other:?}"),
    }
    assert!(c.list().await.unwrap().is_empty());
    c.logout().await.unwrap();
}

#[tokio::test]
async fn have_space_reports_the_quota_for_a_huge_script() {
    let Some(d) = dovecot(false) else { return };
    let mut c = SieveClient::connect(&account(&d, PASS, Security::None))
        .await
        .unwrap();
    c.have_space("small", 2_000).await.unwrap();
    match c.have_space("huge", 50 * 1024 * 1024).await {
        Err(SieveError::Quota { text }) => assert!(!text.is_empty()),
        other => panic!("HAVESPACE of 50 MiB: {other:?}"),
    }
    // The session is still usable after a refusal.
    assert!(c.list().await.unwrap().is_empty());
    c.logout().await.unwrap();
}

#[tokio::test]
async fn a_wrong_password_is_an_auth_error_naming_user_and_server_only() {
    let Some(d) = dovecot(false) else { return };
    let wrong = "Wrong-pass-Lynx-77";
    let err = SieveClient::connect(&account(&d, wrong, Security::None))
        .await
        .unwrap_err();
    assert!(matches!(err, SieveError::Auth { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("sam"), "{msg}");
    assert!(msg.contains(&d.sieve_port().unwrap().to_string()), "{msg}");
    assert!(!msg.contains(wrong) && !format!("{err:?}").contains(wrong));
}

#[tokio::test]
async fn starttls_with_the_pinned_ca_when_the_server_offers_it() {
    let Some(d) = dovecot(true) else { return };
    // STARTTLS is used whenever offered: probe without verification to see if it is.
    let mut probe = account(&d, PASS, Security::None);
    probe.tls.insecure = true;
    let plain = SieveClient::connect(&probe).await.unwrap();
    let offered = format!("{plain:?}").contains("tls: true");
    plain.logout().await.unwrap();

    let mut pinned = account(&d, PASS, Security::Starttls);
    pinned.tls.ca_file = Some(d.ca_cert_pem().expect("CA of the TLS instance"));
    if !offered {
        eprintln!("NOTE: this Dovecot does not offer STARTTLS on its ManageSieve port");
        assert!(matches!(
            SieveClient::connect(&pinned).await,
            Err(SieveError::NoStartTls { .. })
        ));
        return;
    }
    let mut c = SieveClient::connect(&pinned).await.unwrap();
    assert!(format!("{c:?}").contains("tls: true"), "{c:?}");
    assert!(c.capabilities().supports("vacation"));
    assert!(
        !c.capabilities().starttls,
        "STARTTLS is not offered again after TLS"
    );
    c.put("over-tls", "keep;\n").await.unwrap();
    assert_eq!(c.get("over-tls").await.unwrap(), "keep;\n");
    c.logout().await.unwrap();

    // Without the pinned CA the self-signed certificate is refused.
    let unpinned = account(&d, PASS, Security::Starttls);
    assert!(matches!(
        SieveClient::connect(&unpinned).await,
        Err(SieveError::Tls { .. })
    ));
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let acct = SieveAccount {
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        user: "sam".into(),
        password: Secret::new(PASS),
        tls: TlsOptions::default(),
        timeout: Duration::from_secs(5),
    };
    match SieveClient::connect(&acct).await {
        Err(SieveError::Connect {
            host,
            port: p,
            cause,
        }) => {
            assert_eq!((host.as_str(), p), ("127.0.0.1", port));
            assert!(!cause.is_empty());
        }
        other => panic!("connecting to a closed port: {other:?}"),
    }
}

/// A one-connection fake server: sends `greeting`, then answers each client line with the
/// next reply ("" = stay silent). Returns every line the client sent, until it hangs up.
async fn fake_server(
    greeting: &'static str,
    replies: Vec<&'static str>,
) -> (u16, tokio::task::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (sock, _) = listener.accept().await.unwrap();
        let (read, mut write) = sock.into_split();
        let mut read = BufReader::new(read);
        write.write_all(greeting.as_bytes()).await.unwrap();
        let mut replies = replies.into_iter();
        let mut seen = Vec::new();
        loop {
            let mut line = String::new();
            let n = tokio::time::timeout(Duration::from_secs(10), read.read_line(&mut line))
                .await
                .map_or(0, |r| r.unwrap_or(0));
            if n == 0 {
                return seen;
            }
            seen.push(line.trim_end().to_string());
            if let Some(reply) = replies.next() {
                if !reply.is_empty() {
                    write.write_all(reply.as_bytes()).await.unwrap();
                }
            }
        }
    });
    (port, task)
}

fn fake_account(port: u16, security: Security, timeout: Duration) -> SieveAccount {
    SieveAccount {
        host: "127.0.0.1".into(),
        port,
        security,
        user: "sam".into(),
        password: Secret::new(PASS),
        tls: TlsOptions::default(),
        timeout,
    }
}

#[tokio::test]
async fn a_server_without_starttls_gets_no_login_when_starttls_is_required() {
    let greeting = "\"IMPLEMENTATION\" \"Fake\"\r\n\"SASL\" \"PLAIN LOGIN\"\r\n\"SIEVE\" \"vacation\"\r\nOK \"ready\"\r\n";
    let (port, server) = fake_server(greeting, vec![]).await;
    let err = SieveClient::connect(&fake_account(
        port,
        Security::Starttls,
        Duration::from_secs(5),
    ))
    .await
    .unwrap_err();
    assert!(matches!(err, SieveError::NoStartTls { .. }), "{err:?}");
    assert!(err.to_string().contains("STARTTLS"));
    let seen = server.await.unwrap();
    assert!(seen.is_empty(), "the client sent {seen:?}");
}

#[tokio::test]
async fn login_mechanism_answers_the_challenges_in_order() {
    let greeting = "\"IMPLEMENTATION\" \"Fake\"\r\n\"SASL\" \"LOGIN\"\r\nOK\r\n";
    let replies = vec![
        "\"VXNlcm5hbWU6\"\r\n",
        "\"UGFzc3dvcmQ6\"\r\n",
        "OK \"Logged in.\"\r\n",
        "\"first\" ACTIVE\r\n{6}\r\nsecond\r\nOK\r\n",
        "OK \"bye\"\r\n",
    ];
    let (port, server) = fake_server(greeting, replies).await;
    let mut c = SieveClient::connect(&fake_account(port, Security::None, Duration::from_secs(5)))
        .await
        .unwrap();
    let list = c.list().await.unwrap();
    assert_eq!(
        list.iter()
            .map(|e| (e.name.as_str(), e.active))
            .collect::<Vec<_>>(),
        [("first", true), ("second", false)]
    );
    c.logout().await.unwrap();
    let seen = server.await.unwrap();
    // "sam" and the password, base64.
    assert_eq!(
        seen,
        [
            "AUTHENTICATE \"LOGIN\"",
            "\"c2Ft\"",
            "\"U2lldmUtcGFzcy1PdHRlci0zMQ==\"",
            "LISTSCRIPTS",
            "LOGOUT"
        ]
    );
}

#[tokio::test]
async fn a_silent_server_is_a_timeout_naming_the_command() {
    let greeting = "\"SASL\" \"PLAIN\"\r\nOK\r\n";
    let (port, server) = fake_server(greeting, vec!["OK\r\n", ""]).await;
    let mut c = SieveClient::connect(&fake_account(port, Security::None, Duration::from_secs(1)))
        .await
        .unwrap();
    match c.list().await {
        Err(SieveError::Timeout { what, secs }) => {
            assert_eq!((what.as_str(), secs), ("LISTSCRIPTS", 1));
        }
        other => panic!("LISTSCRIPTS to a silent server: {other:?}"),
    }
    drop(c);
    let seen = server.await.unwrap();
    assert!(seen[0].starts_with("AUTHENTICATE \"PLAIN\" \""), "{seen:?}");
}

/// `openssl req -x509` (CA:TRUE under OpenSSL 3) into the instance's cert.pem/key.pem.
fn openssl_cert_into(d: &Dovecot) -> Option<std::path::PathBuf> {
    let cert = d.dir().join("cert.pem");
    let ok = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .arg("-keyout")
        .arg(d.dir().join("key.pem"))
        .arg("-out")
        .arg(&cert)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("SKIPPED: openssl did not make a certificate");
        return None;
    }
    Some(cert)
}

/// Dovecot with `ssl = yes`, plaintext logins refused, and an openssl-made certificate.
fn dovecot_requiring_tls() -> Option<(Dovecot, std::path::PathBuf)> {
    let mut d = dovecot(true)?;
    let cert = openssl_cert_into(&d)?;
    let conf = d.dir().join("dovecot.conf");
    let text = std::fs::read_to_string(&conf).unwrap();
    std::fs::write(
        &conf,
        text.replace(
            "disable_plaintext_auth = no",
            "disable_plaintext_auth = yes",
        ),
    )
    .unwrap();
    d.restart().expect("restart with plaintext logins refused");
    Some((d, cert))
}

#[tokio::test]
async fn starttls_is_used_when_offered_even_if_the_imap_side_is_plain() {
    let Some((d, cert)) = dovecot_requiring_tls() else {
        return;
    };
    // The IMAP side's security is `none`: the Sieve account says None, yet the server
    // offers STARTTLS, so it is used (and the openssl certificate is trusted when pinned).
    let mut acct = account(&d, PASS, Security::None);
    acct.tls.ca_file = Some(cert);
    let mut c = SieveClient::connect(&acct).await.unwrap_or_else(|e| {
        panic!("{e}\n{}", d.log_text());
    });
    assert!(format!("{c:?}").contains("tls: true"), "{c:?}");
    c.put("over-starttls", "keep;\n").await.unwrap();
    c.logout().await.unwrap();

    // Without the pinned certificate the upgrade fails on the certificate, not the password.
    let err = SieveClient::connect(&account(&d, PASS, Security::None))
        .await
        .unwrap_err();
    assert!(matches!(err, SieveError::Tls { .. }), "{err:?}");
}

#[tokio::test]
async fn a_server_that_wants_tls_without_offering_starttls_does_not_blame_the_password() {
    let greeting = "\"IMPLEMENTATION\" \"Fake\"\r\n\"SASL\" \"PLAIN\"\r\nOK \"ready\"\r\n";
    let replies =
        vec!["NO \"Plaintext authentication disallowed on non-secure (SSL/TLS) connections.\"\r\n"];
    let (port, server) = fake_server(greeting, replies).await;
    let err = SieveClient::connect(&fake_account(port, Security::None, Duration::from_secs(5)))
        .await
        .unwrap_err();
    drop(server);
    assert!(matches!(err, SieveError::NeedsTls { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("without TLS") && !msg.contains("check the user name and password"),
        "{msg}"
    );

    // A real refusal of the credentials still says so.
    let (port, server) = fake_server(greeting, vec!["NO \"Authentication failed.\"\r\n"]).await;
    let err = SieveClient::connect(&fake_account(port, Security::None, Duration::from_secs(5)))
        .await
        .unwrap_err();
    drop(server);
    assert!(matches!(err, SieveError::Auth { .. }), "{err:?}");
    assert!(err.to_string().contains("password"), "{err}");
}
