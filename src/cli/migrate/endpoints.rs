//! Each side's server and secret from its `--src-*` / `--dst-*` options.

use mailshift_tasks::{EndpointSpec, Secret, Side};

use super::MigrateArgs;
use crate::cli::secret;

/// One side's server and its secret from its `--src-*` or `--dst-*` options.
pub(super) fn endpoint(
    side: Side,
    a: &MigrateArgs,
) -> Result<(EndpointSpec, Secret), secret::SecretError> {
    let (server_type, host, port, user, security, auth, ca, pw_file) = match side {
        Side::Source => (
            a.src_type,
            &a.src_host,
            a.src_port,
            &a.src_user,
            a.src_security,
            a.src_auth,
            &a.src_ca_file,
            &a.src_password_file,
        ),
        Side::Destination => (
            a.dst_type,
            &a.dst_host,
            a.dst_port,
            &a.dst_user,
            a.dst_security,
            a.dst_auth,
            &a.dst_ca_file,
            &a.dst_password_file,
        ),
    };
    let secret = secret::resolve(side, pw_file.as_deref(), user)?;
    let spec = EndpointSpec {
        server_type,
        host: host.clone(),
        port: port.unwrap_or(security.imap_port()),
        security,
        auth,
        login: user.clone(),
        insecure: a.insecure,
        ca_file: ca.clone(),
        groupware: Default::default(),
    };
    Ok((spec, secret))
}
