//! Where a throwaway server keeps its files: a folder the caller names
//! (created, kept afterwards) or a temporary one removed on drop.

use std::path::{Path, PathBuf};

use crate::TestkitError;

/// The server's root folder (absolute) and, when temporary, its guard.
pub(crate) fn server_root(
    dir: Option<&Path>,
    prefix: &str,
) -> Result<(Option<tempfile::TempDir>, PathBuf), TestkitError> {
    match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| TestkitError::io(dir, e))?;
            let abs = std::fs::canonicalize(dir).map_err(|e| TestkitError::io(dir, e))?;
            Ok((None, abs))
        }
        None => {
            let t = tempfile::Builder::new()
                .prefix(prefix)
                .tempdir()
                .map_err(|e| TestkitError::io(std::env::temp_dir(), e))?;
            let p = t.path().to_path_buf();
            Ok((Some(t), p))
        }
    }
}
