use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct AtomicWriteError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

/// Create `dir` and whichever of its parents are missing, each with mode 0700.
/// A directory that already exists keeps its mode: it may be the operator's
/// (a shared 1777 folder, a 2775 results folder), and only what mailshift
/// creates is mailshift's to set.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// The folder `path` sits in (`.` for a bare file name).
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Replace `path` with `bytes` atomically: write a 0600 temporary file in the
/// same directory, fsync it, rename it over the target, fsync the directory.
/// A crash at any point leaves either the old or the new content, never a mix.
/// Missing parent folders are created 0700; existing ones are left as they are.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), AtomicWriteError> {
    let wrap = |source| AtomicWriteError {
        path: path.to_path_buf(),
        source,
    };
    let dir = parent_of(path);
    create_private_dir(dir).map_err(wrap)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(wrap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn existing_folders_keep_their_mode_sticky_and_setgid_bits_included() {
        let d = tempfile::tempdir().unwrap();
        let shared = d.path().join("shared");
        let results = d.path().join("results");
        fs::create_dir(&shared).unwrap();
        fs::create_dir(&results).unwrap();
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
        fs::set_permissions(&results, fs::Permissions::from_mode(0o2775)).unwrap();
        write_atomic(&shared.join("a.csv"), b"x").unwrap();
        write_atomic(&results.join("a.csv.results.csv"), b"x").unwrap();
        create_private_dir(&shared).unwrap();
        create_private_dir(&results).unwrap();
        assert_eq!(mode(&shared), 0o1777);
        assert_eq!(mode(&results), 0o2775);
        // What mailshift creates is private, every level of it.
        create_private_dir(&shared.join("new/deeper")).unwrap();
        assert_eq!(mode(&shared.join("new")), 0o700);
        assert_eq!(mode(&shared.join("new/deeper")), 0o700);
    }

    #[test]
    fn a_bare_file_name_is_written_in_the_current_folder() {
        assert_eq!(
            parent_of(Path::new("accounts.csv.results.csv")),
            Path::new(".")
        );
        assert_eq!(parent_of(Path::new("/a/b.csv")), Path::new("/a"));
    }

    #[test]
    fn writes_private_file_and_replaces_content() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sub/state.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(mode(&p), 0o600);
        assert_eq!(mode(p.parent().unwrap()), 0o700);
        let leftovers: Vec<_> = fs::read_dir(p.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
    }
}
