//! Where passwords come from: an environment variable, a file, or a masked
//! prompt on a terminal. Never from the command line.

use std::io::IsTerminal;
use std::path::Path;

use mailshift_tasks::{Remedy, Secret, Side};

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("no password for the {side}")]
    Missing { side: Side },
    #[error("{side}: {source}")]
    File {
        side: Side,
        #[source]
        source: mailshift_tasks::SecretFileError,
    },
}

pub fn env_name(side: Side) -> String {
    format!("MAILSHIFT_{}_PASSWORD", side.flag().to_uppercase())
}

/// Resolve the secret for one side, in order: env var, file, prompt.
pub fn resolve(side: Side, file: Option<&Path>, login: &str) -> Result<Secret, SecretError> {
    let env = env_name(side);
    if let Some(v) = std::env::var_os(&env) {
        if !v.is_empty() {
            return Ok(Secret::new(v.to_string_lossy().into_owned()));
        }
    }
    if let Some(path) = file {
        // A small regular file only: /dev/zero or a pipe would be read forever.
        return mailshift_tasks::read_secret_file(path)
            .map_err(|source| SecretError::File { side, source });
    }
    if std::io::stdin().is_terminal() {
        if let Ok(p) = rpassword::prompt_password(format!("Password for {login} ({side}): ")) {
            if !p.is_empty() {
                return Ok(Secret::new(p));
            }
        }
    }
    Err(SecretError::Missing { side })
}

impl SecretError {
    pub fn remedy(&self) -> Option<Remedy> {
        match self {
            SecretError::Missing { side } => Some(Remedy::PasswordMissing(*side)),
            SecretError::File { .. } => None,
        }
    }
}
