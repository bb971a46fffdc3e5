//! Which side of a migration an endpoint is.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Which side of a migration an endpoint is; named in every error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Source,
    Destination,
}

impl Side {
    /// The command-line prefix for this side's options (`src` / `dst`).
    pub fn flag(self) -> &'static str {
        match self {
            Side::Source => "src",
            Side::Destination => "dst",
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Source => "source",
            Side::Destination => "destination",
        })
    }
}
