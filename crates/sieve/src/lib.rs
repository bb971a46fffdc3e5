//! mailshift-sieve: a ManageSieve (RFC 5804) client for moving inbox rules and the
//! out-of-office reply (Sieve `vacation`), and the inspection of scripts
//! (which extensions a script requires, whether it is an out-of-office).

#[cfg(feature = "client")]
pub mod client;
pub mod script;

#[cfg(feature = "client")]
pub use client::{Capabilities, ScriptEntry, SieveAccount, SieveClient, SieveError};
pub use script::{inspect, ScriptError, ScriptFacts};
