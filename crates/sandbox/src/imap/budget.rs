//! How many bytes of commands in progress one server holds at once, over all its
//! connections. Each connection may receive an APPEND as large as the literal limit, so
//! without a shared bound a hundred logged-in clients could make the process hold a
//! hundred such messages. A connection reserves its command's size (announced literals
//! included) before the server accepts the bytes, and waits while the budget is spent
//! (its client waits for the `+` or is slowed down by TCP); a wait that lasts too long
//! ends the connection rather than the whole server.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Reservations are made in steps of this many bytes (so small commands cost one step).
const GRANULE: u64 = 64 * 1024;
/// Longest wait for room before the connection is closed.
const MAX_WAIT: Duration = Duration::from_secs(30);

/// The server-wide budget; cloning shares it.
#[derive(Debug, Clone)]
pub struct InputBudget {
    granules: Arc<Semaphore>,
    /// The budget's size, in granules.
    total: u32,
    /// The most one command can hold (imap-next drops what is larger as it comes).
    per_command: u32,
    /// Connections waiting for room right now.
    waiting: Arc<AtomicUsize>,
}

/// Counts one waiting connection while it lives (a wait may be dropped half-way).
struct Waiting(Arc<AtomicUsize>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One connection's share, given back when its command ends (or it closes).
#[derive(Debug, Default)]
pub struct Reservation {
    permit: Option<OwnedSemaphorePermit>,
    granules: u32,
}

/// The budget was spent for longer than [`MAX_WAIT`].
#[derive(Debug)]
pub struct Exhausted;

impl InputBudget {
    /// A budget of `bytes`, at least `largest_command` so any one command fits.
    pub fn new(bytes: u64, largest_command: u64) -> Self {
        let per_command = granules(largest_command).max(1);
        let total = granules(bytes).max(per_command);
        InputBudget {
            granules: Arc::new(Semaphore::new(total as usize)),
            total,
            per_command,
            waiting: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Bytes reserved by commands in progress (in whole granules).
    pub fn in_use(&self) -> u64 {
        let free = self.granules.available_permits() as u64;
        (u64::from(self.total) - free.min(u64::from(self.total))) * GRANULE
    }

    /// Connections waiting for room: their clients get no `+` (nor their bytes read)
    /// until a reservation is given back.
    pub fn waiters(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// Grows `held` to cover `bytes`, waiting for room when needed.
    pub async fn reserve(&self, held: &mut Reservation, bytes: u64) -> Result<(), Exhausted> {
        let want = granules(bytes).min(self.per_command);
        if want <= held.granules {
            return Ok(());
        }
        let more = self
            .granules
            .clone()
            .acquire_many_owned(want - held.granules);
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let _waiting = Waiting(self.waiting.clone());
        let permit = match tokio::time::timeout(MAX_WAIT, more).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(_)) | Err(_) => return Err(Exhausted),
        };
        match held.permit.as_mut() {
            Some(p) => p.merge(permit),
            None => held.permit = Some(permit),
        }
        held.granules = want;
        Ok(())
    }
}

impl Reservation {
    /// The command ended: its bytes left the server's buffer.
    pub fn release(&mut self) {
        *self = Reservation::default();
    }
}

fn granules(bytes: u64) -> u32 {
    u32::try_from(bytes.div_ceil(GRANULE)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reservations_grow_and_are_given_back() {
        let budget = InputBudget::new(4 * GRANULE, 4 * GRANULE);
        let mut a = Reservation::default();
        budget.reserve(&mut a, 10).await.unwrap();
        budget.reserve(&mut a, 3 * GRANULE).await.unwrap();
        assert_eq!(a.granules, 3);
        let mut b = Reservation::default();
        budget.reserve(&mut b, GRANULE).await.unwrap();
        assert_eq!(budget.in_use(), 4 * GRANULE);
        let mut c = Reservation::default();
        {
            let waiting = budget.reserve(&mut c, 1);
            tokio::pin!(waiting);
            let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            assert!(
                std::future::Future::poll(waiting.as_mut(), &mut cx).is_pending(),
                "the budget is spent"
            );
            assert_eq!(budget.waiters(), 1);
        }
        assert_eq!(budget.waiters(), 0, "a dropped wait is not counted");
        a.release();
        budget.reserve(&mut c, 2 * GRANULE).await.unwrap();
        // An announced size beyond any command reserves no more than one command.
        let budget = InputBudget::new(4 * GRANULE, 2 * GRANULE);
        let mut d = Reservation::default();
        budget.reserve(&mut d, u64::MAX).await.unwrap();
        assert_eq!(d.granules, 2);
    }
}
