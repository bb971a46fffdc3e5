//! `host.json`: which process serves the sandbox now. Written once its servers are
//! up, removed when they stop, so that a mailshift started meanwhile (a panel opened
//! while a handed-off runner hosts the sandbox) uses those servers instead of failing
//! on their ports. A file left by a process that died is recognised: the pid is gone,
//! or the kept IMAP port no longer answers with the sandbox's greeting.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use mailshift_panel::PanelState;
use mailshift_store::{load_versioned, save_versioned, StateError};
use serde::{Deserialize, Serialize};

use super::ports::KeptPorts;
use super::{runtime_endpoints, Layout, SandboxError, LOOPBACK, PORTS_FILE};

/// The file's name in the sandbox folder.
pub const HOST_FILE: &str = "host.json";
const HOST_FORMAT: u32 = 1;

/// The process serving the sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxHost {
    pub pid: u32,
    pub since: DateTime<Utc>,
}

impl SandboxHost {
    /// Record this process as the sandbox's host.
    pub(crate) fn claim(root: &Path) -> Result<(), StateError> {
        let me = SandboxHost {
            pid: std::process::id(),
            since: Utc::now(),
        };
        save_versioned(&root.join(HOST_FILE), HOST_FORMAT, &me)
    }

    /// Remove the record if it names this process (another may have taken over).
    pub(crate) fn release(root: &Path) {
        let path = root.join(HOST_FILE);
        if let Ok(Some(h)) = load_versioned::<SandboxHost>(&path, HOST_FORMAT) {
            if h.pid == std::process::id() {
                if let Err(e) = std::fs::remove_file(&path) {
                    tracing::warn!("could not remove {}: {e}", path.display());
                }
            }
        }
    }

    /// Whether the process still exists.
    pub fn alive(&self) -> bool {
        if cfg!(target_os = "linux") {
            Path::new("/proc").join(self.pid.to_string()).exists()
        } else {
            // Elsewhere the greeting check alone decides.
            true
        }
    }
}

/// Whether `addr` answers with the sandbox's IMAP greeting (within 3 s).
pub async fn sandbox_greets(addr: SocketAddr) -> bool {
    use tokio::io::AsyncReadExt;
    let probe = async {
        let mut s = tokio::net::TcpStream::connect(addr).await.ok()?;
        let mut buf = [0u8; 64];
        let n = s.read(&mut buf).await.ok()?;
        Some(buf[..n].starts_with(b"* OK mailshift sandbox IMAP"))
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(3), probe).await,
        Ok(Some(true))
    )
}

/// The sandbox under a data dir as served by another live process.
#[derive(Debug, Clone)]
pub struct ServedSandbox {
    pub host: SandboxHost,
    /// The panel with each platform's endpoints on the host's loopback servers.
    pub panel: PanelState,
    /// Where the host's servers listen.
    pub ports: KeptPorts,
}

impl ServedSandbox {
    /// The sandbox under `home` when another live mailshift serves it (its host file
    /// names a running process other than this one, and its IMAP servers answer).
    pub async fn find(home: &Path) -> Result<Option<ServedSandbox>, SandboxError> {
        let layout = Layout::live(home);
        let host = match load_versioned::<SandboxHost>(&layout.root().join(HOST_FILE), HOST_FORMAT)
        {
            Ok(Some(h)) => h,
            Ok(None) => return Ok(None),
            Err(e) => {
                tracing::warn!("ignoring an unreadable sandbox host file: {e}");
                return Ok(None);
            }
        };
        if host.pid == std::process::id() || !host.alive() {
            return Ok(None);
        }
        let ports = KeptPorts::load(&layout.root().join(PORTS_FILE))?;
        let mut panel = match super::PanelStore::open(layout.panel_dir()).load()? {
            Some(p) => p,
            None => return Ok(None),
        };
        for p in &mut panel.platforms {
            let imap = ports.platform(&p.service_name).imap;
            if imap == 0 || !sandbox_greets(SocketAddr::new(LOOPBACK, imap)).await {
                return Ok(None);
            }
            p.endpoints = runtime_endpoints(SocketAddr::new(LOOPBACK, imap));
        }
        Ok(Some(ServedSandbox { host, panel, ports }))
    }
}
