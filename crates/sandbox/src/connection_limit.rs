//! How many connections one listener serves at once: every server of the sandbox takes a
//! permit per accepted connection and turns the connection away (with its protocol's
//! "too many connections" answer) when none is left, so a flood of idle or hostile
//! connections cannot exhaust memory or file descriptors.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Default bound per listener: far above what a migration opens (a few connections per
/// task and side) and far below what hurts the process.
pub const DEFAULT_MAX_CONNECTIONS: usize = 100;

/// A shared count of open connections; cloning shares the same count.
#[derive(Debug, Clone)]
pub struct ConnectionLimit(Arc<Semaphore>);

/// Held for as long as one connection is open.
#[derive(Debug)]
pub struct ConnectionSlot(#[allow(dead_code)] OwnedSemaphorePermit);

impl ConnectionLimit {
    pub fn new(max: usize) -> Self {
        ConnectionLimit(Arc::new(Semaphore::new(max.max(1))))
    }

    /// A slot when fewer than the maximum are open, `None` otherwise.
    pub fn try_admit(&self) -> Option<ConnectionSlot> {
        self.0.clone().try_acquire_owned().ok().map(ConnectionSlot)
    }
}

/// Sends `answer` (the protocol's "too many connections" line) and closes, off the accept
/// loop and bounded in time so a client that does not read cannot hold it up.
pub fn turn_away(mut socket: TcpStream, answer: &'static [u8]) {
    tokio::spawn(async move {
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            socket.write_all(answer).await?;
            socket.shutdown().await
        })
        .await;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_counted_and_given_back() {
        let limit = ConnectionLimit::new(2);
        let a = limit.try_admit().unwrap();
        let _b = limit.try_admit().unwrap();
        assert!(limit.try_admit().is_none());
        drop(a);
        assert!(limit.try_admit().is_some());
    }
}
