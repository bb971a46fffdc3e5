use std::path::PathBuf;

/// Environment variable that overrides the data directory (tests, scripts).
pub const HOME_ENV: &str = "MAILSHIFT_HOME";

#[derive(Debug, thiserror::Error)]
pub enum HomeError {
    #[error("cannot find a home directory for mailshift's data: set MAILSHIFT_HOME to a writable folder")]
    NoHome,
    #[error("cannot create the data directory {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The directory where mailshift keeps its state, created 0700 if missing.
pub fn data_dir() -> Result<PathBuf, HomeError> {
    let dir = match std::env::var_os(HOME_ENV) {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => directories::ProjectDirs::from("net", "mailshift", "mailshift")
            .ok_or(HomeError::NoHome)?
            .data_dir()
            .to_path_buf(),
    };
    crate::create_private_dir(&dir).map_err(|source| HomeError::Create {
        path: dir.clone(),
        source,
    })?;
    Ok(dir)
}
