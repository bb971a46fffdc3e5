//! The one retry rule of a run, for planning, copying, verifying and
//! reconnecting: keep going while attempts make progress, back off
//! exponentially (with jitter) while they do not, give up after several in
//! a row without progress, and wait at least as long as the server asks.

use std::time::Duration;

use rand::Rng;

use crate::imap::ImapError;
use mailshift_net::ReplyKind;

/// Attempts in a row without progress before giving up.
pub(crate) const GIVE_UP_AFTER: u32 = 6;
const BASE: Duration = Duration::from_millis(250);
const CAP: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, Default)]
pub(crate) struct Backoff {
    without_progress: u32,
}

impl Backoff {
    pub fn new() -> Backoff {
        Backoff::default()
    }

    /// After a failed attempt: how long to wait before the next one, or
    /// `None` when it is time to give up.
    pub fn after_failure(&mut self, progressed: bool, error: &ImapError) -> Option<Duration> {
        if progressed {
            self.without_progress = 0;
        } else {
            self.without_progress += 1;
        }
        if self.without_progress >= GIVE_UP_AFTER {
            return None;
        }
        let exp = BASE * 2u32.pow(self.without_progress.min(7));
        let jittered = exp.mul_f64(rand::rng().random_range(0.5..1.0)).min(CAP);
        Some(jittered.max(server_hint(error).unwrap_or_default()))
    }
}

/// Whether a failure is worth another attempt: the connection broke or
/// timed out, or the server said it is busy.
pub(crate) fn retryable(e: &ImapError) -> bool {
    e.is_transient() || server_hint(e).is_some()
}

/// How long a busy server asks us to wait: `[UNAVAILABLE]`, `[INUSE]`,
/// `[LIMIT]`, "too many connections", or Office 365's
/// "Suggested Backoff Time: N milliseconds".
pub(crate) fn server_hint(e: &ImapError) -> Option<Duration> {
    let text = match e {
        ImapError::Refusal { reason, .. } | ImapError::Lost { reason, .. } => reason,
        _ => return None,
    };
    match mailshift_net::classify(text) {
        ReplyKind::Busy(wait) => Some(wait),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::Side;

    fn lost() -> ImapError {
        ImapError::Lost {
            side: Side::Source,
            what: "FETCH".into(),
            reason: "reset".into(),
        }
    }

    #[test]
    fn progress_keeps_it_going_and_stalls_end_it() {
        let mut b = Backoff::new();
        for _ in 0..100 {
            assert!(
                b.after_failure(true, &lost()).is_some(),
                "progress never gives up"
            );
        }
        for i in 1..GIVE_UP_AFTER {
            let d = b.after_failure(false, &lost()).expect("not yet");
            assert!(d <= CAP, "{i}: {d:?}");
        }
        assert!(b.after_failure(false, &lost()).is_none());
    }

    #[test]
    fn delays_grow_while_stalled_and_reset_on_progress() {
        let mut b = Backoff::new();
        let first = b.after_failure(false, &lost()).unwrap();
        let _ = b.after_failure(false, &lost()).unwrap();
        let third = b.after_failure(false, &lost()).unwrap();
        assert!(third > first, "{first:?} then {third:?}");
        let reset = b.after_failure(true, &lost()).unwrap();
        assert!(reset <= BASE, "{reset:?}");
    }

    #[test]
    fn busy_servers_are_heard() {
        // The words themselves are mailshift_net::reply's tests; here, that they are heard.
        let said = |reason: &str| ImapError::Refusal {
            side: Side::Destination,
            what: "APPEND".into(),
            reason: reason.into(),
        };
        assert_eq!(
            server_hint(&said(
                "Server Unavailable. 15 Suggested Backoff Time: 3500 milliseconds"
            )),
            Some(Duration::from_millis(3500))
        );
        assert!(server_hint(&said("Mailbox doesn't exist")).is_none());
        let refused = ImapError::Refusal {
            side: Side::Destination,
            what: "APPEND".into(),
            reason: "[LIMIT] too many commands".into(),
        };
        assert!(retryable(&refused));
        let mut b = Backoff::new();
        let busy = ImapError::Refusal {
            side: Side::Destination,
            what: "APPEND".into(),
            reason: "Suggested Backoff Time: 9000 milliseconds".into(),
        };
        assert!(b.after_failure(false, &busy).unwrap() >= Duration::from_millis(9000));
    }
}
