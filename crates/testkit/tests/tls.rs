//! A TLS instance presents its self-signed certificate on the implicit-TLS port and offers
//! STARTTLS on the plain port.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use mailshift_testkit::{Dovecot, DovecotOptions, Layout, Oracle};

fn client_config(ca_pem: &[u8]) -> Arc<rustls::ClientConfig> {
    use rustls_pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::CertificateDer::pem_slice_iter(ca_pem) {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

#[test]
fn tls_port_accepts_a_client_pinning_the_ca() {
    let d = Dovecot::start_with(DovecotOptions {
        layout: Layout::Dot,
        tls: true,
        ..DovecotOptions::default()
    })
    .unwrap();
    d.add_user("tess", "pw").unwrap();
    let ca = std::fs::read(d.ca_cert_pem().unwrap()).unwrap();
    let config = client_config(&ca);
    let tls_port = d.tls_port().unwrap();
    assert_ne!(tls_port, d.port());

    let name = rustls_pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let conn = rustls::ClientConnection::new(config, name).unwrap();
    let sock = TcpStream::connect(("127.0.0.1", tls_port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut tls = rustls::StreamOwned::new(conn, sock);
    let mut reader = BufReader::new(&mut tls);
    let mut greeting = String::new();
    reader.read_line(&mut greeting).unwrap();
    assert!(greeting.starts_with("* OK"), "{greeting}");
    drop(reader);
    tls.write_all(b"a LOGIN tess pw\r\n").unwrap();
    let mut buf = [0u8; 4096];
    let mut got = String::new();
    while !got.contains("a OK") && !got.contains("a NO") {
        let n = tls.read(&mut buf).unwrap();
        assert!(n > 0);
        got.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(got.contains("a OK"), "{got}");

    // The plain port offers STARTTLS before login and still lets the oracle log in.
    let plain = TcpStream::connect(("127.0.0.1", d.port())).unwrap();
    plain
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut plain_greeting = String::new();
    BufReader::new(&plain)
        .read_line(&mut plain_greeting)
        .unwrap();
    assert!(plain_greeting.contains("STARTTLS"), "{plain_greeting}");
    Oracle::login(d.host(), d.port(), "tess", "pw").unwrap();
}

#[test]
fn a_client_without_the_ca_is_rejected() {
    let d = Dovecot::start_with(DovecotOptions {
        tls: true,
        ..DovecotOptions::default()
    })
    .unwrap();
    let other = rcgen_free_ca();
    let config = client_config(&other);
    let name = rustls_pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let conn = rustls::ClientConnection::new(config, name).unwrap();
    let sock = TcpStream::connect(("127.0.0.1", d.tls_port().unwrap())).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut tls = rustls::StreamOwned::new(conn, sock);
    let mut buf = [0u8; 64];
    let err = tls.read(&mut buf).unwrap_err();
    assert!(err.to_string().contains("certificate"), "{err}");
}

/// The CA of a second TLS instance: valid PEM, but not the one the first server uses.
fn rcgen_free_ca() -> Vec<u8> {
    let other = Dovecot::start_with(DovecotOptions {
        tls: true,
        ..DovecotOptions::default()
    })
    .unwrap();
    std::fs::read(other.ca_cert_pem().unwrap()).unwrap()
}
