//! A self-signed certificate per TLS instance, valid for 127.0.0.1 and localhost.

use std::path::Path;

use crate::TestkitError;

/// Write `cert.pem` (also the CA to pin) and `key.pem` (0600) into `dir`.
pub(crate) fn write_self_signed(dir: &Path) -> Result<(), TestkitError> {
    let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let certified = rcgen::generate_simple_self_signed(names)
        .map_err(|e| TestkitError::Certificate(e.to_string()))?;
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    std::fs::write(&cert_path, certified.cert.pem())
        .map_err(|e| TestkitError::io(&cert_path, e))?;
    write_private(&key_path, certified.signing_key.serialize_pem().as_bytes())?;
    Ok(())
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), TestkitError> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| TestkitError::io(path, e))?;
    file.write_all(bytes).map_err(|e| TestkitError::io(path, e))
}
