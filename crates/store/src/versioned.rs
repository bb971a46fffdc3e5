use std::path::{Path, PathBuf};

use serde::{de::DeserializeOwned, Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is corrupt ({reason}); it was left untouched: move it aside to start fresh")]
    Corrupt { path: PathBuf, reason: String },
    #[error("{path} was written by a newer mailshift (format {found}, this one reads up to {supported}); upgrade mailshift or move the file aside")]
    Newer {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error(transparent)]
    Write(#[from] crate::AtomicWriteError),
}

#[derive(Serialize, Deserialize)]
struct Envelope<T> {
    format: u32,
    data: T,
}

#[derive(Deserialize)]
struct FormatOnly {
    format: u32,
}

/// Load a versioned JSON state file. `Ok(None)` when it does not exist.
pub fn load_versioned<T: DeserializeOwned>(
    path: &Path,
    supported: u32,
) -> Result<Option<T>, StateError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(StateError::Read {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let corrupt = |reason: String| StateError::Corrupt {
        path: path.to_path_buf(),
        reason,
    };
    let head: FormatOnly = serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
    if head.format > supported {
        return Err(StateError::Newer {
            path: path.to_path_buf(),
            found: head.format,
            supported,
        });
    }
    let env: Envelope<T> = serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
    Ok(Some(env.data))
}

/// Save `data` as a versioned JSON state file, atomically, mode 0600.
pub fn save_versioned<T: Serialize>(path: &Path, format: u32, data: &T) -> Result<(), StateError> {
    let bytes = serde_json::to_vec_pretty(&Envelope { format, data })
        .expect("state types serialize to JSON");
    crate::write_atomic(path, &bytes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_missing_corrupt_and_newer() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("s.json");
        assert!(load_versioned::<Vec<u32>>(&p, 1).unwrap().is_none());
        save_versioned(&p, 1, &vec![1u32, 2]).unwrap();
        assert_eq!(load_versioned::<Vec<u32>>(&p, 1).unwrap(), Some(vec![1, 2]));

        std::fs::write(&p, b"{\"format\":1,\"da").unwrap();
        let e = load_versioned::<Vec<u32>>(&p, 1).unwrap_err();
        assert!(matches!(e, StateError::Corrupt { .. }), "{e}");
        assert_eq!(
            std::fs::read(&p).unwrap(),
            b"{\"format\":1,\"da",
            "left untouched"
        );

        save_versioned(&p, 7, &vec![1u32]).unwrap();
        let e = load_versioned::<Vec<u32>>(&p, 1).unwrap_err();
        assert!(e.to_string().contains("newer mailshift"), "{e}");
    }
}
