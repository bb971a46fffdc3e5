//! Test support: well-formed platform zones, a nameserver that never answers, and a real
//! dnsmasq on a free loopback port.
#![allow(dead_code)]

use mailshift_dns::{expected_records, PlatformKind, RecordKind, ZoneRecord};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SERVICE_HOST: &str = "ex5.mail.ovh.net";

/// Every record the platform expects, as zone records (a healthy zone).
pub fn healthy_zone(kind: PlatformKind, domain: &str) -> Vec<ZoneRecord> {
    expected_records(kind, domain, SERVICE_HOST)
        .into_iter()
        .map(|e| e.record)
        .collect()
}

/// The healthy zone without records of `kind` at `name`, plus `extra`.
pub fn zone_with(
    kind: PlatformKind,
    domain: &str,
    drop: &[(&str, RecordKind)],
    extra: &[ZoneRecord],
) -> Vec<ZoneRecord> {
    let mut zone: Vec<ZoneRecord> = healthy_zone(kind, domain)
        .into_iter()
        .filter(|r| !drop.iter().any(|(n, k)| r.name == *n && r.kind == *k))
        .collect();
    zone.extend(extra.iter().cloned());
    zone
}

/// A "nameserver" on loopback that accepts UDP packets and TCP connections and never
/// answers. Kept alive as long as the value lives.
pub struct SilentServer {
    pub addr: SocketAddr,
    _udp: UdpSocket,
    _tcp: TcpListener,
}

impl SilentServer {
    pub fn start() -> SilentServer {
        // Bind UDP on an ephemeral port, then TCP on the same port (retry on the rare clash).
        for _ in 0..20 {
            let udp = UdpSocket::bind("127.0.0.1:0").expect("bind udp on loopback");
            let addr = udp.local_addr().unwrap();
            if let Ok(tcp) = TcpListener::bind(addr) {
                return SilentServer {
                    addr,
                    _udp: udp,
                    _tcp: tcp,
                };
            }
        }
        panic!("could not find a free loopback port for udp+tcp");
    }
}

/// A free port for both UDP and TCP on 127.0.0.1 (released before returning).
pub fn free_port() -> u16 {
    let s = SilentServer::start();
    s.addr.port()
}

/// The dnsmasq binary, if installed (Debian package dnsmasq-base).
pub fn dnsmasq_binary() -> Option<String> {
    ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq", "/sbin/dnsmasq"]
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| p.to_string())
}

/// A real dnsmasq answering only from its command line, on 127.0.0.1; killed on drop.
pub struct Dnsmasq {
    pub addr: SocketAddr,
    child: Child,
}

impl Dnsmasq {
    /// Start dnsmasq with extra record flags; authoritative-style answers for `local_domains`
    /// (NXDOMAIN for names it does not know). Returns None when dnsmasq is not installed.
    pub fn start(local_domains: &[&str], records: &[String]) -> Option<Dnsmasq> {
        let binary = dnsmasq_binary()?;
        let port = free_port();
        let mut cmd = Command::new(binary);
        cmd.args([
            "--keep-in-foreground",
            "--conf-file=/dev/null",
            "--no-resolv",
            "--no-hosts",
            "--no-poll",
            "--bind-interfaces",
            "--listen-address=127.0.0.1",
            "--except-interface=nonexistent0",
            "--pid-file=",
            "--user=root",
            "--group=root",
            "--log-facility=-",
        ]);
        cmd.arg(format!("--port={port}"));
        for d in local_domains {
            cmd.arg(format!("--local=/{d}/"));
        }
        cmd.args(records);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let child = cmd.spawn().expect("start dnsmasq");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let mut me = Dnsmasq { addr, child };
        me.wait_ready();
        Some(me)
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                let mut err = String::new();
                if let Some(mut e) = self.child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                panic!("dnsmasq exited at start ({status}): {err}");
            }
            if std::net::TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)).is_ok()
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "dnsmasq did not start listening on {} within 10 s",
            self.addr
        );
    }
}

impl Drop for Dnsmasq {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
