//! A fault-injecting TCP proxy for tests, on 127.0.0.1: forwards to a real server (Dovecot) and
//! cuts, stalls, rejects or garbles connections at scheduled points (byte offsets, or N bytes
//! after the K-th match of a pattern such as an APPEND literal or a FETCH body). Threads only.

mod proxy;
mod rule;

pub use proxy::FaultProxy;
pub use rule::{Action, Direction, Fault, Trigger};
