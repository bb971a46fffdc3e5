//! Why a ManageSieve operation failed, in words that say what to fix.

#[derive(Debug, thiserror::Error)]
pub enum SieveError {
    #[error("cannot connect to the ManageSieve server {host}:{port}: {cause} (check the host, the port, usually 4190, and the firewall)")]
    Connect {
        host: String,
        port: u16,
        cause: String,
    },
    #[error("TLS with the ManageSieve server {host} failed: {cause} (check the security setting and the certificate or CA file)")]
    Tls { host: String, cause: String },
    #[error("the ManageSieve server {server} refused the login of {user}: {text} (check the user name and password)")]
    Auth {
        user: String,
        server: String,
        text: String,
    },
    #[error("the ManageSieve server {server} refuses to log in without TLS and does not offer STARTTLS: {text} (use its implicit-TLS port, or enable TLS on the server; the password was not checked)")]
    NeedsTls { server: String, text: String },
    #[error("the ManageSieve server {server} does not offer STARTTLS; refusing to send the password in clear (use implicit TLS, or security \"none\" only on a trusted network)")]
    NoStartTls { server: String },
    #[error("ManageSieve protocol error: {what}")]
    Protocol { what: String },
    #[error("the server rejected {command}: {text}")]
    Rejected { command: String, text: String },
    #[error("the server's Sieve quota refuses the script: {text} (make the script smaller or free space by deleting scripts)")]
    Quota { text: String },
    #[error("there is no Sieve script named {name:?} on the server")]
    NotFound { name: String },
    #[error("{what} got no answer within {secs} s (the server is slow or unreachable; raise the timeout)")]
    Timeout { what: String, secs: u64 },
}
