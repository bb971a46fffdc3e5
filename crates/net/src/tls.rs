//! TLS options (what the user chose) and, with the `tls` feature, the rustls client
//! configuration they make: web PKI roots, a pinned CA or certificate file, or no
//! certificate check at all; handshake signatures are checked in every case.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// How to check the server's certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsOptions {
    /// Skip certificate verification entirely (must be spelled out by the user).
    pub insecure: bool,
    /// Trust this PEM CA (or self-signed certificate) instead of the web PKI roots.
    pub ca_file: Option<PathBuf>,
}

#[cfg(feature = "tls")]
pub use client::{client_config, tls_failure_reason, TlsConfigError};

#[cfg(feature = "tls")]
mod client {
    use std::io;
    use std::path::Path;
    use std::sync::Arc;

    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::client::{verify_server_name, WebPkiServerVerifier};
    use rustls::crypto::CryptoProvider;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::server::ParsedCertificate;
    use rustls::{CertificateError, DigitallySignedStruct, OtherError, SignatureScheme};

    use super::TlsOptions;

    /// Why a TLS client configuration could not be built.
    #[derive(Debug, thiserror::Error)]
    pub enum TlsConfigError {
        #[error("cannot read CA file {path}: {reason}")]
        CaFile { path: String, reason: String },
        #[error("cannot set up TLS: {0}")]
        Setup(String),
    }

    /// Build the rustls client configuration for these options.
    ///
    /// With a CA file, a server is trusted when its chain leads to a certificate in the file
    /// (a private CA), or when it presents, byte for byte, a certificate in the file (a
    /// pinned self-signed certificate, even one marked CA as `openssl req -x509` makes
    /// them) that names the server. Handshake signatures are always checked.
    pub fn client_config(opts: &TlsOptions) -> Result<Arc<rustls::ClientConfig>, TlsConfigError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsConfigError::Setup(e.to_string()))?;
        let config = if opts.insecure {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(NoVerification(provider)))
                .with_no_client_auth()
        } else {
            match &opts.ca_file {
                Some(path) => {
                    let verifier = PinnedVerifier::load(path, provider)?;
                    builder
                        .dangerous()
                        .with_custom_certificate_verifier(Arc::new(verifier))
                        .with_no_client_auth()
                }
                None => {
                    let mut roots = rustls::RootCertStore::empty();
                    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
                    builder.with_root_certificates(roots).with_no_client_auth()
                }
            }
        };
        Ok(Arc::new(config))
    }

    /// The certificates of a PEM file (at least one).
    fn read_pem_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsConfigError> {
        let err = |reason: String| TlsConfigError::CaFile {
            path: path.display().to_string(),
            reason,
        };
        let data = std::fs::read(path).map_err(|e| err(e.to_string()))?;
        let certs = CertificateDer::pem_slice_iter(&data)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| err(e.to_string()))?;
        if certs.is_empty() {
            return Err(err("no PEM certificate in it".into()));
        }
        Ok(certs)
    }

    /// Why the certificate check failed, as a sentence, from the error a TLS handshake
    /// returned (tokio-rustls wraps the rustls error in an `io::Error`).
    pub fn tls_failure_reason(e: &io::Error) -> String {
        let inner = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
        match inner {
            Some(rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(why)))) => {
                match why.downcast_ref::<PinRefusal>() {
                    Some(refusal) => refusal.0.clone(),
                    None => format!("invalid peer certificate: {why}"),
                }
            }
            _ => e.to_string(),
        }
    }

    /// What a `--*-ca-file` check refused, in words that name the file.
    #[derive(Debug)]
    struct PinRefusal(String);

    impl std::fmt::Display for PinRefusal {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }

    impl std::error::Error for PinRefusal {}

    fn refusal(text: String) -> rustls::Error {
        rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(
            PinRefusal(text),
        ))))
    }

    /// `--*-ca-file`: web PKI verification with the file's certificates as the only roots,
    /// and a presented certificate identical to one in the file trusted as that server's own.
    #[derive(Debug)]
    struct PinnedVerifier {
        webpki: Arc<WebPkiServerVerifier>,
        pinned: Vec<CertificateDer<'static>>,
        file: String,
        provider: Arc<CryptoProvider>,
    }

    impl PinnedVerifier {
        fn load(path: &Path, provider: Arc<CryptoProvider>) -> Result<Self, TlsConfigError> {
            let file = path.display().to_string();
            let err = |reason: String| TlsConfigError::CaFile {
                path: file.clone(),
                reason,
            };
            let pinned = read_pem_file(path)?;
            let mut roots = rustls::RootCertStore::empty();
            for cert in &pinned {
                roots.add(cert.clone()).map_err(|e| err(e.to_string()))?;
            }
            let webpki =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|e| err(e.to_string()))?;
            Ok(PinnedVerifier {
                webpki,
                pinned,
                file,
                provider,
            })
        }

        /// The webpki refusal of a certificate that is not in the file, naming the file.
        fn explain(&self, e: rustls::Error, server: &ServerName<'_>) -> rustls::Error {
            let file = &self.file;
            let server = server.to_str();
            let text = match &e {
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => format!(
                "the certificate {server} presents is not the one in {file} and is not signed by a certificate in it"
            ),
            rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            ) => format!(
                "the certificate {server} presents is signed by one in {file} but is not valid for that name ({e})"
            ),
            rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(why)))
                if format!("{why:?}").contains("CaUsedAsEndEntity") =>
            {
                format!(
                    "the certificate {server} presents is not the one in {file} (it is marked as a CA certificate, so only that exact certificate in the file makes it trusted)"
                )
            }
            rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(why))) => {
                format!("the certificate {server} presents does not verify against {file}: {why}")
            }
            _ => format!("the certificate {server} presents does not verify against {file}: {e}"),
        };
            refusal(text)
        }
    }

    impl ServerCertVerifier for PinnedVerifier {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            intermediates: &[CertificateDer<'_>],
            server_name: &ServerName<'_>,
            ocsp: &[u8],
            now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            let refused = match self.webpki.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp,
                now,
            ) {
                Ok(verified) => return Ok(verified),
                Err(e) => e,
            };
            if !self
                .pinned
                .iter()
                .any(|c| c.as_ref() == end_entity.as_ref())
            {
                return Err(self.explain(refused, server_name));
            }
            // The very certificate of the file: trusted as this server's own if it names it.
            let parsed = ParsedCertificate::try_from(end_entity)?;
            match verify_server_name(&parsed, server_name) {
            Ok(()) => Ok(ServerCertVerified::assertion()),
            Err(e) => Err(refusal(format!(
                "{server} presents the certificate in {file}, but that certificate is not valid for the name {server} ({e}): connect with a name it lists",
                server = server_name.to_str(),
                file = self.file,
            ))),
        }
        }
        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            signature(&self.provider, Tls::V12, message, cert, dss)
        }
        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            signature(&self.provider, Tls::V13, message, cert, dss)
        }
        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.provider
                .signature_verification_algorithms
                .supported_schemes()
        }
    }

    /// `--insecure`: accept any certificate (signatures are still checked).
    #[derive(Debug)]
    struct NoVerification(Arc<rustls::crypto::CryptoProvider>);

    impl ServerCertVerifier for NoVerification {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }
        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            signature(&self.0, Tls::V12, message, cert, dss)
        }
        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            signature(&self.0, Tls::V13, message, cert, dss)
        }
        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }

    enum Tls {
        V12,
        V13,
    }

    /// Handshake signatures are checked the same way by every verifier here,
    /// including `--insecure` (which skips only the certificate chain).
    fn signature(
        provider: &rustls::crypto::CryptoProvider,
        version: Tls,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = &provider.signature_verification_algorithms;
        match version {
            Tls::V12 => rustls::crypto::verify_tls12_signature(message, cert, dss, algs),
            Tls::V13 => rustls::crypto::verify_tls13_signature(message, cert, dss, algs),
        }
    }
}
