//! The TLS client side for the relay: web roots by default, or only the given PEM
//! CA file, or no verification at all when the relay is marked insecure.

use lettre::transport::smtp::client::{Certificate, CertificateStore, TlsParameters};

use crate::{NotifyError, Relay};

/// TLS parameters for `relay` (used for implicit TLS and for STARTTLS alike).
pub(crate) fn parameters(relay: &Relay) -> Result<TlsParameters, NotifyError> {
    let mut builder = TlsParameters::builder(relay.host.clone());
    if let Some(path) = &relay.ca_file {
        let ca_err = |reason: String| NotifyError::CaFile {
            path: path.clone(),
            reason,
        };
        let pem = std::fs::read(path).map_err(|e| ca_err(e.to_string()))?;
        if !pem
            .windows(b"-----BEGIN CERTIFICATE-----".len())
            .any(|w| w == b"-----BEGIN CERTIFICATE-----")
        {
            return Err(ca_err("no PEM certificate in it".into()));
        }
        let cert = Certificate::from_pem(&pem).map_err(|e| ca_err(e.to_string()))?;
        builder = builder
            .certificate_store(CertificateStore::None)
            .add_root_certificate(cert);
    }
    if relay.insecure {
        builder = builder
            .dangerous_accept_invalid_certs(true)
            .dangerous_accept_invalid_hostnames(true);
    }
    builder.build_rustls().map_err(|e| NotifyError::Tls {
        relay: relay.address(),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::SmtpSecurity;

    fn relay(ca: Option<std::path::PathBuf>) -> Relay {
        Relay {
            host: "127.0.0.1".into(),
            port: 465,
            security: SmtpSecurity::Tls,
            user: None,
            password: None,
            from: "a@b.c".into(),
            ca_file: ca,
            insecure: false,
            timeout: Duration::from_secs(5),
        }
    }

    #[test]
    fn web_roots_by_default() {
        assert_eq!(parameters(&relay(None)).unwrap().domain(), "127.0.0.1");
    }

    #[test]
    fn a_missing_or_empty_ca_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.pem");
        let Err(err) = parameters(&relay(Some(missing.clone()))) else {
            panic!("a missing CA file is accepted");
        };
        assert!(matches!(&err, NotifyError::CaFile { path, .. } if *path == missing));
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "hello").unwrap();
        let Err(err) = parameters(&relay(Some(empty))) else {
            panic!("a CA file without certificate is accepted");
        };
        let err = err.to_string();
        assert!(err.contains("no PEM certificate"), "{err}");
    }
}
