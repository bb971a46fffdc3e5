//! Where and how to reach one CalDAV/CardDAV account.

use std::time::Duration;

use mailshift_net::{Secret, TlsOptions};

/// One account on a CalDAV/CardDAV server.
#[derive(Debug, Clone)]
pub struct DavAccount {
    /// `https://dav.example.org/` (discovery starts at `/.well-known/caldav`) or the URL of
    /// a principal or home collection. Must not hold a user or password.
    pub base_url: String,
    pub user: String,
    pub password: Secret,
    pub tls: TlsOptions,
    /// Limit for each request, from connecting to the end of the answer body.
    pub timeout: Duration,
}
