//! Persistence primitives shared by every part of mailshift: where the data
//! directory is (`MAILSHIFT_HOME` or the platform data dir), atomic writes of
//! private (0600) files in private (0700) directories, and versioned JSON
//! state files that refuse to be silently overwritten when corrupt or newer.

mod atomic;
mod home;
mod versioned;

pub use atomic::{create_private_dir, write_atomic, AtomicWriteError};
pub use home::{data_dir, HomeError};
pub use versioned::{load_versioned, save_versioned, StateError};
