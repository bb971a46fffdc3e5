//! Password cells: the password itself, `raw:TEXT`, `env:NAME` or `file:PATH`. A file
//! is read relative to the CSV's folder and must stay inside it unless the operator
//! allows password files anywhere; it must be a small regular file.

use std::path::{Path, PathBuf};

use mailshift_engine::imap::Secret;
use mailshift_net::{Failure, Remedy};

use crate::secret_file::read_secret_file;

/// Where `file:` password references may point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PasswordFiles {
    /// In the CSV's folder or below it (symbolic links resolved): a CSV from
    /// someone else cannot send, say, `file:../api-token.txt` to the server it names.
    #[default]
    BesideTheCsv,
    /// Anywhere (`--allow-password-files-anywhere`).
    Anywhere,
}

/// The file a `file:` reference names, checked against `files`.
fn password_file(path: &str, base_dir: &Path, files: PasswordFiles) -> Result<PathBuf, Failure> {
    let full = base_dir.join(path);
    if files == PasswordFiles::Anywhere {
        return Ok(full);
    }
    let real = std::fs::canonicalize(&full)
        .map_err(|e| format!("cannot read the password file {}: {e}", full.display()))?;
    let folder = std::fs::canonicalize(base_dir).map_err(|e| {
        format!(
            "cannot resolve the CSV's folder {} for the password file {path}: {e}",
            base_dir.display()
        )
    })?;
    if real.starts_with(&folder) {
        Ok(real)
    } else {
        Err(Failure::new(
            format!(
                "the password file {path} ({}) is outside the CSV's folder {}",
                real.display(),
                folder.display()
            ),
            Some(Remedy::PasswordFilesAnywhere),
        ))
    }
}

/// The secret a password cell stands for. Error messages name variables and paths,
/// never the value.
pub(super) fn resolve_password(
    cell: &str,
    base_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    files: PasswordFiles,
) -> Result<Secret, Failure> {
    const EMPTY: &str = "the password is empty: write it, or a reference env:NAME (environment \
                         variable) or file:PATH (a file next to the CSV)";
    if let Some(literal) = cell.strip_prefix("raw:") {
        return if literal.is_empty() {
            Err(Failure::from(EMPTY.to_string()))
        } else {
            Ok(Secret::new(literal))
        };
    }
    if let Some(name) = cell.strip_prefix("env:") {
        let name = name.trim();
        if name.is_empty() {
            return Err(Failure::from(
                "env: needs a variable name (env:SRC_PASSWORD)".to_string(),
            ));
        }
        return match env(name) {
            Some(value) if !value.is_empty() => Ok(Secret::new(value)),
            Some(_) => Err(Failure::from(format!(
                "environment variable {name} is empty: set it to the password"
            ))),
            None => Err(Failure::from(format!(
                "environment variable {name} is not set: export it with the password"
            ))),
        };
    }
    if let Some(path) = cell.strip_prefix("file:") {
        let path = path.trim();
        if path.is_empty() {
            return Err(Failure::from(
                "file: needs a path (file:passwords/john.txt)".to_string(),
            ));
        }
        let full = password_file(path, base_dir, files)?;
        return read_secret_file(&full).map_err(|e| Failure::from(e.to_string()));
    }
    if cell.is_empty() {
        Err(Failure::from(EMPTY.to_string()))
    } else {
        Ok(Secret::new(cell))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn password_files_stay_in_the_csv_folder_unless_allowed() {
        let d = tempfile::tempdir().unwrap();
        let csv_dir = d.path().join("project");
        std::fs::create_dir_all(csv_dir.join("secrets")).unwrap();
        std::fs::write(csv_dir.join("secrets/pw.txt"), "inside\n").unwrap();
        std::fs::write(d.path().join("api-token.txt"), "token").unwrap();
        std::os::unix::fs::symlink(d.path().join("api-token.txt"), csv_dir.join("link")).unwrap();
        let get = |cell: &str, files| resolve_password(cell, &csv_dir, &no_env, files);
        let inside = get("file:secrets/pw.txt", PasswordFiles::BesideTheCsv).unwrap();
        assert_eq!(inside.expose(), "inside");
        for outside in ["file:../api-token.txt", "file:link"] {
            let e = get(outside, PasswordFiles::BesideTheCsv).unwrap_err();
            assert!(e.text.contains("outside the CSV's folder"), "{e}");
            assert!(!e.text.contains("--"), "{e}");
            assert_eq!(e.remedy, Some(Remedy::PasswordFilesAnywhere));
        }
        let abs = format!("file:{}", d.path().join("api-token.txt").display());
        assert!(get(&abs, PasswordFiles::BesideTheCsv).is_err());
        let anywhere = get("file:../api-token.txt", PasswordFiles::Anywhere).unwrap();
        assert_eq!(anywhere.expose(), "token");
        let e = get("file:/dev/zero", PasswordFiles::Anywhere).unwrap_err();
        assert!(e.text.contains("not a regular file"), "{e}");
    }
}
