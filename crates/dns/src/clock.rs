//! Simulated time for the sandbox: a clock that runs N times faster than real time (or only
//! moves when told, for tests), and the 4-to-24-hour DNS propagation delay drawn from a seed.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A point in simulated time: milliseconds since the clock started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SimTime(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);

    pub fn from_duration(d: Duration) -> SimTime {
        SimTime(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn as_duration(self) -> Duration {
        Duration::from_millis(self.0)
    }

    /// This time plus a simulated duration.
    pub fn after(self, d: Duration) -> SimTime {
        SimTime(self.0.saturating_add(SimTime::from_duration(d).0))
    }

    /// How long from `now` until this time (zero when already past).
    pub fn remaining_from(self, now: SimTime) -> Duration {
        Duration::from_millis(self.0.saturating_sub(now.0))
    }
}

#[derive(Debug)]
enum Mode {
    Scaled { start: Instant, factor: f64 },
    Manual,
}

#[derive(Debug)]
struct Inner {
    mode: Mode,
    offset: Mutex<Duration>,
}

/// A simulated clock shared by the sandbox and its zone server. Cloning shares it.
#[derive(Debug, Clone)]
pub struct SimClock {
    inner: Arc<Inner>,
}

impl SimClock {
    /// A clock that runs `factor` times faster than real time (e.g. 3600: an hour a second).
    pub fn scaled(factor: f64) -> SimClock {
        let factor = if factor.is_finite() && factor > 0.0 {
            factor
        } else {
            1.0
        };
        SimClock::with_mode(Mode::Scaled {
            start: Instant::now(),
            factor,
        })
    }

    /// A clock that only moves with `advance` (tests, deterministic demos).
    pub fn manual() -> SimClock {
        SimClock::with_mode(Mode::Manual)
    }

    fn with_mode(mode: Mode) -> SimClock {
        SimClock {
            inner: Arc::new(Inner {
                mode,
                offset: Mutex::new(Duration::ZERO),
            }),
        }
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        let offset = *self.inner.offset.lock().unwrap_or_else(|p| p.into_inner());
        let running = match &self.inner.mode {
            Mode::Scaled { start, factor } => start.elapsed().mul_f64(*factor),
            Mode::Manual => Duration::ZERO,
        };
        SimTime::from_duration(running + offset)
    }

    /// Jump ahead by a simulated duration (both kinds of clock).
    pub fn advance(&self, by: Duration) {
        let mut offset = self.inner.offset.lock().unwrap_or_else(|p| p.into_inner());
        *offset += by;
    }
}

/// Draws DNS propagation delays between 4 and 24 simulated hours, reproducibly from a seed.
#[derive(Debug)]
pub struct PropagationDelay {
    rng: StdRng,
}

impl PropagationDelay {
    pub const MIN: Duration = Duration::from_secs(4 * 3600);
    pub const MAX: Duration = Duration::from_secs(24 * 3600);

    pub fn new(seed: u64) -> PropagationDelay {
        PropagationDelay {
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// The next delay, whole minutes, within [4 h, 24 h].
    pub fn next_delay(&mut self) -> Duration {
        let minutes = self
            .rng
            .random_range(Self::MIN.as_secs() / 60..=Self::MAX.as_secs() / 60);
        Duration::from_secs(minutes * 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let clock = SimClock::manual();
        assert_eq!(clock.now(), SimTime::ZERO);
        let shared = clock.clone();
        shared.advance(Duration::from_secs(90));
        assert_eq!(clock.now(), SimTime(90_000));
    }

    #[test]
    fn scaled_clock_runs_ahead_of_real_time() {
        let clock = SimClock::scaled(1_000_000.0);
        std::thread::sleep(Duration::from_millis(5));
        assert!(clock.now() >= SimTime::from_duration(Duration::from_secs(3600)));
    }

    #[test]
    fn propagation_delays_are_bounded_and_reproducible() {
        let mut a = PropagationDelay::new(7);
        let mut b = PropagationDelay::new(7);
        for _ in 0..200 {
            let d = a.next_delay();
            assert_eq!(d, b.next_delay());
            assert!(
                d >= PropagationDelay::MIN && d <= PropagationDelay::MAX,
                "{d:?}"
            );
        }
    }

    #[test]
    fn remaining_time_saturates_at_zero() {
        let t = SimTime::ZERO.after(Duration::from_secs(60));
        assert_eq!(t.remaining_from(SimTime(30_000)), Duration::from_secs(30));
        assert_eq!(t.remaining_from(SimTime(90_000)), Duration::ZERO);
    }
}
