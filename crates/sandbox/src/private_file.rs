//! Files the sandbox writes outside `mailshift_store::write_atomic` (Maildir messages, index
//! logs, markers): created 0600 like every other state file, whatever the umask, since
//! they hold people's mail.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

const MODE: u32 = 0o600;

/// Creates (or truncates) `path` with `bytes`.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(MODE)
        .open(path)?;
    file.write_all(bytes)
}

/// Opens `path` for appending, creating it when absent.
pub fn append(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(MODE)
        .open(path)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn files_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        super::write(&a, b"x").unwrap();
        let b = dir.path().join("b");
        super::append(&b).unwrap();
        for p in [a, b] {
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", p.display());
        }
    }
}
