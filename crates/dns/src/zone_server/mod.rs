//! An authoritative DNS server on loopback for simulated zones (sandbox and tests): records
//! served over UDP and TCP, changes that become visible only when the simulated clock
//! reaches their propagation time, and the list of changes still pending.

mod responder;
mod wire;
mod zones;

use crate::clock::{SimClock, SimTime};
use crate::error::DnsError;
use crate::record::ZoneRecord;
use hickory_server::ServerFuture;
use responder::Responder;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::net::{TcpListener, UdpSocket};
use zones::ZoneSet;

/// One edit to a zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", content = "record", rename_all = "lowercase")]
pub enum RecordChange {
    Add(ZoneRecord),
    Remove(ZoneRecord),
}

/// A change not yet visible, for the countdown in the TUI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingChange {
    pub id: u64,
    pub domain: String,
    pub change: RecordChange,
    pub visible_at: SimTime,
    /// Simulated time left before resolvers see it.
    pub remaining: Duration,
}

/// A running zone server; it stops when dropped.
pub struct ZoneServer {
    zones: Arc<Mutex<ZoneSet>>,
    clock: SimClock,
    local_addr: SocketAddr,
    server: ServerFuture<Responder>,
}

impl ZoneServer {
    /// Serve on `bind` (use `127.0.0.1:0` for an ephemeral port) over UDP and TCP on the same
    /// port. Must be called inside a Tokio runtime.
    pub async fn start(bind: SocketAddr, clock: SimClock) -> Result<ZoneServer, DnsError> {
        // With port 0 the kernel picks a free UDP port, but the same TCP port
        // may be taken by someone else: pick again a few times before giving up.
        let attempts = if bind.port() == 0 { 32 } else { 1 };
        let mut attempt = 0;
        let (udp, tcp, local_addr) = loop {
            attempt += 1;
            let udp = UdpSocket::bind(bind)
                .await
                .map_err(|source| DnsError::Bind { addr: bind, source })?;
            let local_addr = udp
                .local_addr()
                .map_err(|source| DnsError::Bind { addr: bind, source })?;
            match TcpListener::bind(local_addr).await {
                Ok(tcp) => break (udp, tcp, local_addr),
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && attempt < attempts => {
                    continue;
                }
                Err(source) => {
                    return Err(DnsError::Bind {
                        addr: local_addr,
                        source,
                    });
                }
            }
        };
        let zones = Arc::new(Mutex::new(ZoneSet::default()));
        let mut server = ServerFuture::new(Responder {
            zones: zones.clone(),
            clock: clock.clone(),
        });
        server.register_socket(udp);
        server.register_listener(tcp, Duration::from_secs(5));
        tracing::info!("simulated DNS server listening on {local_addr} (udp+tcp)");
        Ok(ZoneServer {
            zones,
            clock,
            local_addr,
            server,
        })
    }

    /// Where resolvers should send their questions.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The clock that decides when pending changes become visible.
    pub fn clock(&self) -> &SimClock {
        &self.clock
    }

    fn zones(&self) -> MutexGuard<'_, ZoneSet> {
        let mut z = self.zones.lock().unwrap_or_else(|p| p.into_inner());
        z.promote(self.clock.now());
        z
    }

    /// Replace the records of `domain` immediately (creating the zone). Records are checked
    /// first so the server never holds one it cannot serve.
    pub fn set_records(&self, domain: &str, records: Vec<ZoneRecord>) -> Result<(), DnsError> {
        for r in &records {
            wire::to_wire(r)?;
        }
        self.zones().set_records(domain, records);
        Ok(())
    }

    /// Make the zone answer SERVFAIL (a broken DNS host), or stop doing so.
    pub fn set_failing(&self, domain: &str, failing: bool) {
        self.zones().set_failing(domain, failing);
    }

    /// Stop serving a zone (questions about it are then refused).
    pub fn remove_zone(&self, domain: &str) {
        self.zones().remove_zone(domain);
    }

    /// Queue a change that resolvers see once the clock reaches `visible_at`. Returns its id.
    pub fn apply_change(
        &self,
        domain: &str,
        change: RecordChange,
        visible_at: SimTime,
    ) -> Result<u64, DnsError> {
        if let RecordChange::Add(r) = &change {
            wire::to_wire(r)?;
        }
        Ok(self.zones().apply_change(domain, change, visible_at))
    }

    /// The records of `domain` as resolvers see them now.
    pub fn records(&self, domain: &str) -> Vec<ZoneRecord> {
        self.zones().records(domain)
    }

    /// Changes still propagating, soonest first, with their remaining simulated time.
    pub fn pending(&self) -> Vec<PendingChange> {
        let now = self.clock.now();
        self.zones().pending(now)
    }
}

impl ZoneServer {
    /// Stop and wait until the sockets are closed, so that a restart can listen on the
    /// same port at once (dropping only cancels; the tasks close the sockets later).
    pub async fn shutdown(mut self) {
        if let Err(e) = self.server.shutdown_gracefully().await {
            tracing::debug!("the simulated DNS server stopped with: {e}");
        }
    }
}

impl Drop for ZoneServer {
    fn drop(&mut self) {
        // Cancelling stops the accept loops; dropping the server aborts its tasks.
        self.server.shutdown_token().cancel();
    }
}
