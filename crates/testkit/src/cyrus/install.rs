//! Where the unpacked Debian Cyrus packages live. `.ci/run` downloads `cyrus-common` and
//! `cyrus-imapd` (they conflict with `dovecot-imapd`, so they are not installed) and unpacks
//! them there; their library dependencies are installed normally.

use std::path::{Path, PathBuf};

/// The unpacked packages' root (the `/` of `dpkg -x`), unless `MAILSHIFT_CYRUS_ROOT` says.
pub const DEFAULT_ROOT: &str = "/opt/mailshift-cyrus/root";
/// Environment variable naming another unpack root.
pub const ROOT_ENV: &str = "MAILSHIFT_CYRUS_ROOT";
/// From `sasl2-bin`: writes the private sasldb holding the test users.
pub(crate) const SASLPASSWD2: &str = "/usr/sbin/saslpasswd2";

/// One unpacked Cyrus.
#[derive(Debug, Clone)]
pub(crate) struct Install {
    root: PathBuf,
}

impl Install {
    pub fn locate() -> Install {
        let root = std::env::var_os(ROOT_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_ROOT));
        Install { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn master(&self) -> PathBuf {
        self.root.join("usr/lib/cyrus/bin/master")
    }

    pub fn imapd(&self) -> PathBuf {
        self.root.join("usr/lib/cyrus/bin/imapd")
    }

    /// Is everything there that a test server needs?
    pub fn is_complete(&self) -> bool {
        self.master().exists() && self.imapd().exists() && Path::new(SASLPASSWD2).exists()
    }

    /// `LD_LIBRARY_PATH` for the package's private libraries (`libcyrus*.so`).
    pub fn library_path(&self) -> String {
        let lib = self.root.join("usr/lib");
        let mut dirs: Vec<String> = std::fs::read_dir(&lib)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.is_dir() && p.to_string_lossy().ends_with("-linux-gnu"))
                    .map(|p| p.display().to_string())
                    .collect()
            })
            .unwrap_or_default();
        dirs.sort();
        dirs.push(lib.display().to_string());
        dirs.join(":")
    }
}
