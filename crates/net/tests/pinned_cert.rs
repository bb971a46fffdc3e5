//! `--*-ca-file` with a certificate made by plain `openssl req -x509` (OpenSSL 3 marks
//! it CA:TRUE, which webpki refuses as a server's own certificate): trusted when the
//! server presents exactly that certificate for a name it lists; anything else is
//! refused with a reason that names the file. A tokio-rustls server on 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use mailshift_net::{client_config, tls_failure_reason, TlsOptions};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// `openssl req -x509` into `dir/NAME.pem` + `dir/NAME.key`; None (loud skip) without openssl.
fn openssl_cert(dir: &Path, name: &str) -> Option<(PathBuf, PathBuf)> {
    let cert = dir.join(format!("{name}.pem"));
    let key = dir.join(format!("{name}.key"));
    let out = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output();
    match out {
        Ok(o) if o.status.success() => Some((cert, key)),
        other => {
            assert!(
                std::env::var("CI").map_or(true, |v| v != "true"),
                "openssl is needed: {other:?}"
            );
            eprintln!("SKIPPED: openssl did not make a certificate: {other:?}");
            None
        }
    }
}

fn is_marked_ca(cert: &Path) -> bool {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-text", "-in"])
        .arg(cert)
        .output()
        .expect("openssl x509");
    String::from_utf8_lossy(&out.stdout).contains("CA:TRUE")
}

/// A TLS server presenting `cert`/`key` that answers one connection with "hello".
async fn server(cert: &Path, key: &Path) -> (u16, tokio::task::JoinHandle<()>) {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let key: PrivateKeyDer<'static> = PrivateKeyDer::from_pem_file(key).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        if let Ok(mut tls) = acceptor.accept(tcp).await {
            let _ = tls.write_all(b"hello").await;
            let _ = tls.shutdown().await;
        }
    });
    (port, task)
}

/// Connect to 127.0.0.1:`port` as `name`, trusting `ca_file`; the greeting or the reason.
async fn connect(port: u16, name: &str, ca_file: &Path) -> Result<String, String> {
    let config = client_config(&TlsOptions {
        insecure: false,
        ca_file: Some(ca_file.to_path_buf()),
    })
    .map_err(|e| e.to_string())?;
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let server_name = ServerName::try_from(name.to_string()).unwrap();
    let mut tls = tokio_rustls::TlsConnector::from(config)
        .connect(server_name, tcp)
        .await
        .map_err(|e| tls_failure_reason(&e))?;
    let mut text = String::new();
    tls.read_to_string(&mut text)
        .await
        .map_err(|e| e.to_string())?;
    Ok(text)
}

#[tokio::test]
async fn an_openssl_self_signed_certificate_given_as_ca_file_is_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let Some((cert, key)) = openssl_cert(dir.path(), "server") else {
        return;
    };
    assert!(
        is_marked_ca(&cert),
        "OpenSSL 3 marks req -x509 certs CA:TRUE"
    );
    for name in ["localhost", "127.0.0.1"] {
        let (port, task) = server(&cert, &key).await;
        assert_eq!(connect(port, name, &cert).await, Ok("hello".to_string()));
        task.await.unwrap();
    }
}

#[tokio::test]
async fn another_certificate_is_refused_naming_the_file_not_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let Some((cert, key)) = openssl_cert(dir.path(), "server") else {
        return;
    };
    let Some((other, _)) = openssl_cert(dir.path(), "other") else {
        return;
    };
    let (port, task) = server(&cert, &key).await;
    let why = connect(port, "localhost", &other).await.unwrap_err();
    task.await.unwrap();
    assert!(
        why.contains("is not the one in") && why.contains(&other.display().to_string()),
        "{why}"
    );
    assert!(!why.contains("CaUsedAsEndEntity"), "{why}");
}

#[tokio::test]
async fn the_pinned_certificate_for_another_name_is_refused_with_the_name() {
    let dir = tempfile::tempdir().unwrap();
    let Some((cert, key)) = openssl_cert(dir.path(), "server") else {
        return;
    };
    let (port, task) = server(&cert, &key).await;
    let why = connect(port, "imap.example.net", &cert).await.unwrap_err();
    task.await.unwrap();
    assert!(
        why.contains("imap.example.net") && why.contains("not valid for the name"),
        "{why}"
    );
    assert!(why.contains(&cert.display().to_string()), "{why}");
}

#[tokio::test]
async fn a_file_without_a_certificate_is_a_config_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    let e = client_config(&TlsOptions {
        insecure: false,
        ca_file: Some(empty.clone()),
    })
    .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains(&empty.display().to_string()) && msg.contains("no PEM certificate"),
        "{msg}"
    );
}
