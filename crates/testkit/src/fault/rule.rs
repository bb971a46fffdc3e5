//! What can go wrong on a proxied connection: a `Fault` is a direction, a trigger (on accept, at a
//! byte offset, or some bytes after the K-th match of a pattern) and an action (cut, stall,
//! reply with other bytes, inject bytes). Pure: the matching logic is unit-tested here.

use std::time::Duration;

/// Which way the bytes travel through the proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the client (the engine) to the server.
    ToServer,
    /// From the server to the client.
    ToClient,
}

/// When a fault fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// As soon as a connection is accepted; the server is never contacted.
    OnAccept,
    /// After this many bytes of one connection in the fault's direction.
    AtOffset(u64),
    /// After a number of bytes drawn for each connection between `min` and
    /// `max` (inclusive), from `seed` and the connection's rank: a link that
    /// breaks every so often, differently each time.
    AtOffsetBetween { min: u64, max: u64, seed: u64 },
    /// `after` bytes past the end of the `occurrence`-th match (1-based, counted over all
    /// connections since the fault was armed) of `pattern` in the fault's direction.
    AfterPattern {
        pattern: Vec<u8>,
        occurrence: usize,
        after: u64,
    },
}

/// What happens when a fault fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Close both sides at once (the peer sees a reset or EOF mid-stream).
    Cut,
    /// Forward nothing more in this direction for this long (then carry on), unless the
    /// connection is closed meanwhile.
    Stall(Duration),
    /// Send these bytes to the client, then close both sides.
    Reply(Vec<u8>),
    /// Insert these bytes into the stream and carry on forwarding.
    Inject(Vec<u8>),
}

/// One scheduled fault. It fires `times` times: on that many matches from `occurrence` on
/// (pattern triggers) or on that many connections (accept and offset triggers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub name: String,
    pub direction: Direction,
    pub trigger: Trigger,
    pub action: Action,
    pub times: usize,
}

/// The offset `AtOffsetBetween` uses for the `n`-th connection (splitmix64).
pub fn offset_between(min: u64, max: u64, seed: u64, n: u64) -> u64 {
    let mut z = seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    min + z % (max.saturating_sub(min) + 1)
}

impl Fault {
    /// A fault that fires once.
    pub fn new(name: &str, direction: Direction, trigger: Trigger, action: Action) -> Fault {
        Fault {
            name: name.to_string(),
            direction,
            trigger,
            action,
            times: 1,
        }
    }

    /// Fire this many times instead of once (`usize::MAX`: always).
    pub fn times(mut self, times: usize) -> Fault {
        self.times = times;
        self
    }

    /// Cut the connection `n` bytes into the `k`-th message literal the client sends
    /// (APPEND, counted over all connections; every literal of a MULTIAPPEND counts).
    pub fn cut_in_append_literal(k: usize, n: u64) -> Fault {
        Fault::new(
            "cut in APPEND literal",
            Direction::ToServer,
            Trigger::AfterPattern {
                pattern: b"}\r\n".to_vec(),
                occurrence: k,
                after: n,
            },
            Action::Cut,
        )
    }

    /// Cut the connection `n` bytes into the `k`-th message body a FETCH response carries.
    pub fn cut_in_fetch_body(k: usize, n: u64) -> Fault {
        Fault::new(
            "cut in FETCH body",
            Direction::ToClient,
            Trigger::AfterPattern {
                pattern: b"BODY[] {".to_vec(),
                occurrence: k,
                after: n,
            },
            Action::Cut,
        )
    }

    /// Stop sending the `k`-th FETCH body `n` bytes in, for `d`.
    pub fn stall_in_fetch_body(k: usize, n: u64, d: Duration) -> Fault {
        Fault::new(
            "stall in FETCH body",
            Direction::ToClient,
            Trigger::AfterPattern {
                pattern: b"BODY[] {".to_vec(),
                occurrence: k,
                after: n,
            },
            Action::Stall(d),
        )
    }

    /// Accept, then close at once without a word.
    pub fn reject() -> Fault {
        Fault::new(
            "reject connection",
            Direction::ToClient,
            Trigger::OnAccept,
            Action::Cut,
        )
    }

    /// Answer with `bytes` instead of the server's greeting, then close.
    pub fn garbage_greeting(bytes: &[u8]) -> Fault {
        Fault::new(
            "garbage greeting",
            Direction::ToClient,
            Trigger::OnAccept,
            Action::Reply(bytes.to_vec()),
        )
    }

    /// Let the server's answer to LOGIN through (Dovecot says "Logged in"), then close.
    pub fn close_after_login() -> Fault {
        Fault::new(
            "close after LOGIN",
            Direction::ToClient,
            Trigger::AfterPattern {
                pattern: b"Logged in".to_vec(),
                occurrence: 1,
                after: 2,
            },
            Action::Cut,
        )
    }
}

/// Finds pattern matches in a stream that arrives in chunks (a match may straddle chunks).
#[derive(Debug, Clone)]
pub(crate) struct StreamMatcher {
    pattern: Vec<u8>,
    tail: Vec<u8>,
    /// Bytes of the stream seen so far.
    seen: u64,
}

impl StreamMatcher {
    pub(crate) fn new(pattern: &[u8]) -> StreamMatcher {
        StreamMatcher {
            pattern: pattern.to_vec(),
            tail: Vec::new(),
            seen: 0,
        }
    }

    /// Feed the next chunk; returns the stream offsets just past each match ending in it.
    pub(crate) fn feed(&mut self, chunk: &[u8]) -> Vec<u64> {
        let p = self.pattern.len();
        if p == 0 {
            self.seen += chunk.len() as u64;
            return Vec::new();
        }
        let mut window = std::mem::take(&mut self.tail);
        let window_start = self.seen - window.len() as u64;
        window.extend_from_slice(chunk);
        let mut ends = Vec::new();
        if window.len() >= p {
            for i in 0..=window.len() - p {
                if window[i..i + p] == self.pattern[..] {
                    ends.push(window_start + (i + p) as u64);
                }
            }
        }
        self.seen += chunk.len() as u64;
        let keep = (p - 1).min(window.len());
        self.tail = window[window.len() - keep..].to_vec();
        ends
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_inside_and_across_chunks_with_stream_offsets() {
        let mut m = StreamMatcher::new(b"}\r\n");
        assert_eq!(m.feed(b"A1 APPEND x {3+}\r\nabc"), vec![18]);
        assert_eq!(m.feed(b" {4+}"), Vec::<u64>::new());
        assert_eq!(m.feed(b"\r"), Vec::<u64>::new());
        assert_eq!(m.feed(b"\nabcd}\r\n"), vec![28, 35]);
    }

    #[test]
    fn no_match_means_no_offsets_and_empty_pattern_never_matches() {
        let mut m = StreamMatcher::new(b"BODY[] {");
        assert!(m.feed(b"* 1 FETCH (UID 4 BODY[]").is_empty());
        assert_eq!(m.feed(b" {12}\r\n"), vec![25]);
        let mut e = StreamMatcher::new(b"");
        assert!(e.feed(b"anything").is_empty());
    }

    #[test]
    fn a_match_is_reported_once_even_when_its_prefix_is_kept_as_tail() {
        let mut m = StreamMatcher::new(b"aa");
        assert_eq!(m.feed(b"aaa"), vec![2, 3]);
        assert_eq!(m.feed(b"a"), vec![4]);
    }

    #[test]
    fn helpers_build_the_expected_rules() {
        let f = Fault::cut_in_append_literal(3, 100).times(2);
        assert_eq!(f.direction, Direction::ToServer);
        assert_eq!(f.times, 2);
        assert!(matches!(
            f.trigger,
            Trigger::AfterPattern {
                occurrence: 3,
                after: 100,
                ..
            }
        ));
        assert_eq!(Fault::reject().trigger, Trigger::OnAccept);
        assert_eq!(
            Fault::garbage_greeting(b"HTTP/1.1 400\r\n").action,
            Action::Reply(b"HTTP/1.1 400\r\n".to_vec())
        );
    }
}
