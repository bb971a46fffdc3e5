//! `ports.json`: the ports the sandbox's servers listen on, chosen once (free ports
//! at the first start) and reused at every later start, so that tasks recorded
//! against a sandbox platform still reach it after a restart. Ports given
//! explicitly (options, `MAILSHIFT_SANDBOX_*_PORT`) win and are kept from then on.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, UdpSocket};
use std::path::Path;

use mailshift_store::{load_versioned, save_versioned, StateError};
use serde::{Deserialize, Serialize};

use super::SandboxError;

/// The format of `ports.json` this build reads and writes.
pub const PORTS_FORMAT: u32 = 1;

/// The file's name in the sandbox folder.
pub const PORTS_FILE: &str = "ports.json";

/// One platform's listeners.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformPorts {
    pub imap: u16,
    #[serde(default)]
    pub dav: u16,
    #[serde(default)]
    pub sieve: u16,
}

/// The contents of `ports.json` (0 = not chosen yet).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptPorts {
    pub dns: u16,
    pub smtp: u16,
    /// By platform service name (stable across renames of the display name).
    pub platforms: BTreeMap<String, PlatformPorts>,
}

impl KeptPorts {
    pub fn load(path: &Path) -> Result<KeptPorts, StateError> {
        Ok(load_versioned(path, PORTS_FORMAT)?.unwrap_or_default())
    }

    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        save_versioned(path, PORTS_FORMAT, self)
    }

    pub fn platform(&self, service: &str) -> PlatformPorts {
        self.platforms.get(service).copied().unwrap_or_default()
    }
}

/// The port to ask for: the explicit one when given, else the kept one (0 = any).
pub fn wanted(explicit: u16, kept: u16) -> u16 {
    if explicit != 0 {
        explicit
    } else {
        kept
    }
}

/// Fail with a clear message when `port` (not 0) is held by another program. Checked
/// before the server starts so the person learns which listener and which setting.
pub fn ensure_free(port: u16, what: &str, udp_too: bool) -> Result<(), SandboxError> {
    if port == 0 {
        return Ok(());
    }
    let addr = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port);
    let taken = match TcpListener::bind(addr) {
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => true,
        Err(e) => {
            return Err(SandboxError::PortUnusable {
                what: what.to_string(),
                port,
                reason: e.to_string(),
            })
        }
        Ok(_) => udp_too && UdpSocket::bind(addr).is_err(),
    };
    if taken {
        return Err(SandboxError::PortTaken {
            what: what.to_string(),
            port,
        });
    }
    Ok(())
}

/// A port from the environment variable `name`, when set.
pub fn from_env(name: &str) -> Result<Option<u16>, String> {
    match std::env::var(name) {
        Err(_) => Ok(None),
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => v
            .trim()
            .parse::<u16>()
            .map(Some)
            .map_err(|_| format!("{name}={v} is not a port number (1 to 65535, or 0 for any)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_round_trip_and_explicit_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(PORTS_FILE);
        assert_eq!(KeptPorts::load(&path).unwrap(), KeptPorts::default());
        let mut k = KeptPorts {
            dns: 5300,
            smtp: 2525,
            ..KeptPorts::default()
        };
        k.platforms.insert(
            "mx-1".into(),
            PlatformPorts {
                imap: 1143,
                dav: 8080,
                sieve: 4190,
            },
        );
        k.save(&path).unwrap();
        assert_eq!(KeptPorts::load(&path).unwrap(), k);
        assert_eq!(k.platform("mx-1").imap, 1143);
        assert_eq!(k.platform("other"), PlatformPorts::default());
        assert_eq!(wanted(0, 1143), 1143);
        assert_eq!(wanted(2000, 1143), 2000);
        assert_eq!(wanted(0, 0), 0);
    }

    #[test]
    fn a_taken_port_is_named() {
        let holder = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = holder.local_addr().unwrap().port();
        let e = ensure_free(port, "the IMAP server of mx-1", false).unwrap_err();
        let text = e.to_string();
        assert!(text.contains(&port.to_string()), "{text}");
        assert!(text.contains("IMAP server of mx-1"), "{text}");
        drop(holder);
        ensure_free(port, "the IMAP server of mx-1", false).unwrap();
        ensure_free(0, "anything", true).unwrap();
    }
}
