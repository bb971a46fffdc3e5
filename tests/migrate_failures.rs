//! Bad input and broken servers: one clear line naming the side and what
//! to fix, a distinct exit code, and nothing written.

mod support;

use std::process::Command;

use support::*;

fn pair() -> Option<(Dovecot, Dovecot)> {
    let src = dovecot(layout(Layout::Slash))?;
    let dst = dovecot(layout(Layout::Dot))?;
    src.add_user("john", PASS).unwrap();
    dst.add_user("john", PASS).unwrap();
    Some((src, dst))
}

fn nothing_written(home: &Home) {
    assert!(
        !home.path().join("journals").exists(),
        "no journal may be written when the run could not start"
    );
}

#[test]
fn wrong_password_names_the_side_and_exits_3() {
    let Some((src, dst)) = pair() else { return };
    let home = Home::new();
    let mut c = migrate_cmd(home.path(), (&src, "john"), (&dst, "john"), &[]);
    c.env("MAILSHIFT_DST_PASSWORD", "wrong");
    let r = run(c);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let msg = r.json["error"].as_str().unwrap();
    assert!(msg.starts_with("destination: login refused"), "{msg}");
    // The error says what happened; the hint, in command-line words, what to change.
    assert!(!msg.contains("--") && !msg.contains("MAILSHIFT_"), "{msg}");
    let hint = r.json["hint"].as_str().unwrap();
    assert!(
        hint.contains("MAILSHIFT_DST_PASSWORD") && hint.contains("--dst-password-file"),
        "{hint}"
    );
    assert_eq!(
        r.json["remedy"],
        serde_json::json!({ "password": "destination" })
    );
    assert!(
        r.stderr.contains(&format!(
            "mailshift: {msg}: check the password (MAILSHIFT_DST_PASSWORD or --dst-password-file)"
        )),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("wrong"),
        "the password is never echoed: {}",
        r.stderr
    );
    nothing_written(&home);
}

#[test]
fn refused_port_and_unknown_host_exit_4() {
    let Some((src, _dst)) = pair() else { return };
    let home = Home::new();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut c = Command::new(bin());
    c.env("MAILSHIFT_HOME", home.path())
        .env("MAILSHIFT_SRC_PASSWORD", PASS)
        .env("MAILSHIFT_DST_PASSWORD", PASS)
        .args(["migrate", "--src-host", "127.0.0.1", "--src-port"])
        .arg(src.port().to_string())
        .args(["--src-user", "john", "--src-security", "none"])
        .args(["--dst-host", "127.0.0.1", "--dst-port"])
        .arg(closed.to_string())
        .args(["--dst-user", "john", "--dst-security", "none", "--json"]);
    let r = run(c);
    assert_eq!(r.code, 4, "{}", r.stderr);
    let msg = r.json["error"].as_str().unwrap();
    assert!(
        msg.starts_with("destination: connection refused by 127.0.0.1:"),
        "{msg}"
    );
    assert!(!msg.contains("--"), "{msg}");
    assert!(
        r.json["hint"].as_str().unwrap().contains("--dst-port"),
        "{}",
        r.json
    );
    assert!(r.stderr.contains(": check --dst-port"), "{}", r.stderr);

    let mut c = Command::new(bin());
    c.env("MAILSHIFT_HOME", home.path())
        .env("MAILSHIFT_SRC_PASSWORD", PASS)
        .env("MAILSHIFT_DST_PASSWORD", PASS)
        .args([
            "migrate",
            "--src-host",
            "no-such-host.invalid",
            "--src-port",
            "143",
        ])
        .args(["--src-user", "john", "--src-security", "none"])
        .args(["--dst-host", "127.0.0.1", "--dst-port"])
        .arg(src.port().to_string())
        .args(["--dst-user", "john", "--dst-security", "none", "--json"]);
    let r = run(c);
    assert_eq!(r.code, 4, "{}", r.stderr);
    let msg = r.json["error"].as_str().unwrap();
    assert!(
        msg.starts_with("source: cannot resolve host no-such-host.invalid")
            || msg.starts_with("source: no answer"),
        "{msg}"
    );
    nothing_written(&home);
}

#[test]
fn missing_password_is_a_usage_error_naming_the_variable() {
    let Some((src, dst)) = pair() else { return };
    let home = Home::new();
    let mut c = migrate_cmd(home.path(), (&src, "john"), (&dst, "john"), &[]);
    c.env_remove("MAILSHIFT_SRC_PASSWORD");
    let r = run(c);
    assert_eq!(r.code, 2);
    assert_eq!(r.json["error"], "no password for the source");
    assert_eq!(
        r.json["hint"],
        "set MAILSHIFT_SRC_PASSWORD, pass --src-password-file, or run on a terminal to be asked"
    );
    nothing_written(&home);
}

fn tls_pair() -> Option<(Dovecot, Dovecot)> {
    let src = dovecot(DovecotOptions {
        tls: true,
        ..layout(Layout::Slash)
    })?;
    let dst = dovecot(layout(Layout::Dot))?;
    src.add_user("john", PASS).unwrap();
    dst.add_user("john", PASS).unwrap();
    mailshift_testkit::seed(&src, "john", PASS, &SeedSpec::bulk(20, 3)).unwrap();
    Some((src, dst))
}

fn tls_cmd(
    home: &Home,
    src: &Dovecot,
    dst: &Dovecot,
    security: &str,
    port: u16,
    extra: &[&str],
) -> Command {
    let mut c = Command::new(bin());
    c.env("MAILSHIFT_HOME", home.path())
        .env("MAILSHIFT_SRC_PASSWORD", PASS)
        .env("MAILSHIFT_DST_PASSWORD", PASS)
        // The certificate is issued for "localhost".
        .args(["migrate", "--src-host", "localhost", "--src-port"])
        .arg(port.to_string())
        .args(["--src-user", "john", "--src-security", security])
        .args(["--dst-host", "127.0.0.1", "--dst-port"])
        .arg(dst.port().to_string())
        .args(["--dst-user", "john", "--dst-security", "none", "--json"])
        .args(extra);
    let _ = src;
    c
}

/// FAULTS: self-signed certificate (exit 4)
#[test]
fn tls_is_verified_by_default_and_passes_with_the_pinned_ca_or_insecure() {
    let Some((src, dst)) = tls_pair() else { return };
    let home = Home::new();
    let tls_port = src.tls_port().expect("tls port");

    let r = run(tls_cmd(&home, &src, &dst, "tls", tls_port, &[]));
    assert_eq!(r.code, 4, "{}", r.stderr);
    let msg = r.json["error"].as_str().unwrap();
    assert!(msg.starts_with("source: TLS with localhost:"), "{msg}");
    assert!(!msg.contains("--"), "{msg}");
    let hint = r.json["hint"].as_str().unwrap();
    assert!(
        hint.contains("--src-ca-file") && hint.contains("--insecure"),
        "{hint}"
    );
    nothing_written(&home);

    let ca = src.ca_cert_pem().expect("ca");
    let r = run(tls_cmd(
        &home,
        &src,
        &dst,
        "tls",
        tls_port,
        &["--src-ca-file", ca.to_str().unwrap()],
    ));
    assert_eq!(r.code, 0, "{} {}", r.stderr, r.json);
    assert_eq!(r.n("copied"), 20);

    let r = run(tls_cmd(
        &home,
        &src,
        &dst,
        "starttls",
        src.port(),
        &["--src-ca-file", ca.to_str().unwrap()],
    ));
    assert_eq!(
        r.code, 0,
        "STARTTLS with the pinned CA: {} {}",
        r.stderr, r.json
    );
    assert_eq!(r.n("skipped"), 20);

    let other = Home::new();
    let r = run(tls_cmd(
        &other,
        &src,
        &dst,
        "tls",
        tls_port,
        &["--insecure"],
    ));
    assert_eq!(r.code, 0, "{} {}", r.stderr, r.json);
}

#[test]
fn starttls_is_never_silently_downgraded() {
    // This Dovecot has no TLS at all, so it cannot honour STARTTLS.
    let Some((src, dst)) = pair() else { return };
    let home = Home::new();
    let r = run(tls_cmd(&home, &src, &dst, "starttls", src.port(), &[]));
    assert_eq!(r.code, 4, "{}", r.stderr);
    let msg = r.json["error"].as_str().unwrap();
    assert!(msg.contains("does not offer STARTTLS"), "{msg}");
    assert_eq!(
        r.json["hint"],
        "use --src-security tls, or none only on a trusted network"
    );
    nothing_written(&home);
}

/// `openssl req -x509` (CA:TRUE under OpenSSL 3) as `dir/NAME.pem` + `dir/NAME.key`.
fn openssl_cert(dir: &std::path::Path, name: &str) -> Option<std::path::PathBuf> {
    let cert = dir.join(format!("{name}.pem"));
    let ok = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .arg("-keyout")
        .arg(dir.join(format!("{name}.key")))
        .arg("-out")
        .arg(&cert)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("SKIPPED: openssl did not make a certificate");
    }
    ok.then_some(cert)
}

#[test]
fn an_openssl_self_signed_certificate_is_trusted_when_pinned_and_another_is_named() {
    let Some((mut src, dst)) = tls_pair() else {
        return;
    };
    // The source presents a plain `openssl req -x509` certificate (marked CA:TRUE).
    let Some(_) = openssl_cert(src.dir(), "cert") else {
        return;
    };
    std::fs::rename(src.dir().join("cert.key"), src.dir().join("key.pem")).unwrap();
    src.restart().expect("restart with the openssl certificate");
    let tls_port = src.tls_port().expect("tls port");
    let pinned = src.dir().join("cert.pem");

    let home = Home::new();
    let r = run(tls_cmd(
        &home,
        &src,
        &dst,
        "tls",
        tls_port,
        &["--src-ca-file", pinned.to_str().unwrap()],
    ));
    assert_eq!(r.code, 0, "{} {}", r.stderr, r.json);
    assert_eq!(r.n("copied"), 20);

    // Another certificate in the file: the refusal names the file, not the flag to pass.
    let other_dir = tempfile::tempdir().unwrap();
    let Some(other) = openssl_cert(other_dir.path(), "other") else {
        return;
    };
    let home = Home::new();
    let r = run(tls_cmd(
        &home,
        &src,
        &dst,
        "tls",
        tls_port,
        &["--src-ca-file", other.to_str().unwrap()],
    ));
    assert_eq!(r.code, 4, "{}", r.stderr);
    let msg = r.json["error"].as_str().unwrap();
    assert!(
        msg.contains("is not the one in") && msg.contains(other.to_str().unwrap()),
        "{msg}"
    );
    let hint = r.json["hint"].as_str().unwrap();
    assert!(
        hint.starts_with("give --src-ca-file the certificate this server presents"),
        "{hint}"
    );
    nothing_written(&home);
}
