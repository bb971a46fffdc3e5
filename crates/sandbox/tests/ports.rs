//! Stable sandbox endpoints: the ports chosen at the first start are kept in the
//! sandbox folder and reused at the next start (IMAP, DAV, ManageSieve, DNS, SMTP);
//! explicit ports win and are kept from then on; a kept port held by another
//! program stops the start with a message naming the listener and the port.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use mailshift_panel::PlatformId;
use mailshift_sandbox::{KeptPorts, Sandbox, SandboxError, SandboxOptions, PORTS_FILE};

const EXCHANGE: PlatformId = PlatformId(2);

fn opts() -> SandboxOptions {
    SandboxOptions {
        clock_factor: 0.0,
        ..SandboxOptions::default()
    }
}

async fn start(home: &Path, opts: SandboxOptions) -> Result<Sandbox, SandboxError> {
    tokio::time::timeout(Duration::from_secs(120), Sandbox::start(home, opts))
        .await
        .expect("the sandbox starts in time")
}

/// Every endpoint a client may have recorded.
fn endpoints(sb: &Sandbox) -> Vec<String> {
    let mut out = vec![sb.dns_addr().to_string(), sb.smtp_addr().to_string()];
    for p in &sb.panel().platforms {
        out.push(sb.imap_addr(p.id).unwrap().to_string());
        let e = &p.endpoints;
        out.push(format!("{}:{}", e.host, e.imap_port));
        if let Some(g) = sb.groupware(p.id) {
            out.push(g.dav_url);
            out.push(g.sieve.to_string());
        }
    }
    out
}

#[tokio::test]
async fn two_starts_listen_on_the_same_ports_and_a_reset_keeps_them() {
    let home = tempfile::tempdir().unwrap();
    let sb = start(home.path(), opts()).await.unwrap();
    let first = endpoints(&sb);
    assert!(sb.groupware(EXCHANGE).is_some());
    sb.shutdown().await;
    let kept = KeptPorts::load(&home.path().join("sandbox").join(PORTS_FILE)).unwrap();
    assert_ne!(kept.dns, 0);
    assert_eq!(kept.platforms.len(), 3, "{kept:?}");

    let sb = start(home.path(), opts()).await.unwrap();
    assert_eq!(endpoints(&sb), first);
    // The servers really answer there (not only the numbers are kept).
    let imap: SocketAddr = sb.imap_addr(EXCHANGE).unwrap();
    tokio::net::TcpStream::connect(imap).await.unwrap();
    sb.shutdown().await;

    Sandbox::reset(home.path()).await.unwrap();
    let sb = start(home.path(), opts()).await.unwrap();
    assert_eq!(endpoints(&sb), first, "a reset keeps the endpoints");
    sb.shutdown().await;
}

#[tokio::test]
async fn explicit_ports_win_and_are_kept() {
    let home = tempfile::tempdir().unwrap();
    // Find three consecutive free ports for the IMAP servers.
    let base = loop {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let p = l.local_addr().unwrap().port();
        if p < 60000 && (1..3).all(|i| std::net::TcpListener::bind(("127.0.0.1", p + i)).is_ok()) {
            break p;
        }
    };
    let sb = start(
        home.path(),
        SandboxOptions {
            imap_port_base: base,
            ..opts()
        },
    )
    .await
    .unwrap();
    let ports: Vec<u16> = sb
        .panel()
        .platforms
        .iter()
        .map(|p| sb.imap_addr(p.id).unwrap().port())
        .collect();
    assert_eq!(ports, vec![base, base + 1, base + 2]);
    sb.shutdown().await;
    // Without the override, the next start keeps them.
    let sb = start(home.path(), opts()).await.unwrap();
    assert_eq!(sb.imap_addr(PlatformId(1)).unwrap().port(), base);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_kept_port_taken_by_another_program_is_a_clear_error() {
    let home = tempfile::tempdir().unwrap();
    let sb = start(home.path(), opts()).await.unwrap();
    let imap = sb.imap_addr(EXCHANGE).unwrap();
    sb.shutdown().await;
    let squatter = std::net::TcpListener::bind(imap).unwrap();
    let err = match start(home.path(), opts()).await {
        Ok(_) => panic!("the sandbox started although {imap} is taken"),
        Err(e) => e,
    };
    assert!(
        matches!(&err, SandboxError::PortTaken { port, .. } if *port == imap.port()),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("IMAP server of"), "{text}");
    assert!(text.contains(&imap.port().to_string()), "{text}");
    assert!(text.contains("MAILSHIFT_SANDBOX_IMAP_PORT"), "{text}");
    drop(squatter);
    let sb = start(home.path(), opts()).await.unwrap();
    assert_eq!(sb.imap_addr(EXCHANGE).unwrap(), imap);
    sb.shutdown().await;
}
