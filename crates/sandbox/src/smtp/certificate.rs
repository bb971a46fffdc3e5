//! The listener's STARTTLS identity: a self-signed certificate for `localhost` and
//! `127.0.0.1` made at start (rcgen), whose PEM clients pin to trust it.

use std::sync::Arc;

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;

use super::SmtpError;

/// A fresh certificate and the rustls server side using it.
pub(crate) struct Identity {
    pub pem: String,
    pub config: Arc<ServerConfig>,
}

pub(crate) fn self_signed() -> Result<Identity, SmtpError> {
    let fail = |e: &dyn std::fmt::Display| SmtpError::Certificate(e.to_string());
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .map_err(|e| fail(&e))?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| fail(&e))?
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .map_err(|e| fail(&e))?;
    Ok(Identity {
        pem: certified.cert.pem(),
        config: Arc::new(config),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_a_pem_certificate() {
        let id = self_signed().unwrap();
        assert!(
            id.pem.starts_with("-----BEGIN CERTIFICATE-----"),
            "{}",
            id.pem
        );
        assert_ne!(self_signed().unwrap().pem, id.pem, "a new key each start");
    }
}
