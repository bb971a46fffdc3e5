//! Errors of the DAV client, worded so a person knows what to fix. Never holds a password.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum DavError {
    #[error("the DAV address {url:?} is not usable: {reason}")]
    BadUrl { url: String, reason: String },
    #[error(
        "login or password refused by {url} (HTTP {status}); check the user name and password"
    )]
    Auth { url: String, status: u16 },
    #[error("cannot connect to {addr}: {cause}")]
    Connect { addr: String, cause: String },
    #[error("TLS with {addr} failed: {cause} (check the CA file, or the server's certificate)")]
    Tls { addr: String, cause: String },
    #[error("{what} took longer than {secs} s; the server is slow or unreachable")]
    Timeout { what: String, secs: u64 },
    #[error("{url} answered, but is not a CalDAV/CardDAV server: {detail}")]
    NotDav { url: String, detail: String },
    #[error("{method} {url} failed with HTTP {status}: {detail}")]
    Http {
        method: String,
        url: String,
        status: u16,
        detail: String,
    },
    #[error("could not read the server's XML answer ({what}) from {url}")]
    Xml { what: String, url: String },
    #[error("{0} already exists on the server")]
    AlreadyExists(String),
    #[error("{method} {url} refused by the server (HTTP 403 Forbidden): the account may not change this; check its rights")]
    Forbidden { method: String, url: String },
}
