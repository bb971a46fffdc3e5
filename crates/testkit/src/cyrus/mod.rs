//! A throwaway Cyrus IMAP 3.6 server (Debian's packages, unpacked by `.ci/run`, not
//! installed): own directory, config, sasldb users, a port on 127.0.0.1; `master` runs in the
//! foreground as our child under an unprivileged account, stopped (SIGTERM, then SIGKILL) on
//! drop.
//!
//! Two namespaces, as Cyrus hosts leave them:
//! - [`CyrusNamespace::Standard`]: personal prefix `INBOX.`, separator `.`, other users under
//!   `user.<name>.`, shared folders at the top level (prefix `""`).
//! - [`CyrusNamespace::Alt`]: personal prefix `""`, separator `/`, other users under
//!   `Other Users/<name>/`, shared folders under `Shared Folders/`.
//!
//! Every user gets `Sent`, `Drafts`, `Trash`, `Junk`, `Archive` with `\Sent`... at first login
//! (Cyrus spells the attributes in lower case: `\sent`).
//!
//! Known behaviour the engine must detect, deliberately left as is: Cyrus rewrites 8-bit bytes
//! in message headers (`munge8bit`, on by default): each one becomes `X`, so a message
//! appended with raw 8-bit headers comes back with the same size but other bytes (the body's
//! 8-bit bytes are kept). See the test `eight_bit_header_bytes_are_rewritten_by_cyrus`.
//! The sasldb keeps the throwaway passwords in clear inside the instance directory.

mod config;
mod folders;
pub mod install;
mod sasldb;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use crate::dovecot::{readiness, system_user};
use crate::{Oracle, TestkitError};

const START_LIMIT: Duration = Duration::from_secs(15);
const STOP_LIMIT: Duration = Duration::from_secs(5);
const PORT_ATTEMPTS: usize = 4;
/// The administrator (`admins:`), used for other users' and shared folders.
const ADMIN: &str = "mstkadmin";

/// Which namespace layout the server presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CyrusNamespace {
    /// `altnamespace: no`, `unixhierarchysep: no`: `INBOX.` and `.`.
    Standard,
    /// `altnamespace: yes`, `unixhierarchysep: yes`: `""` and `/`.
    Alt,
}

impl CyrusNamespace {
    pub fn separator(self) -> char {
        match self {
            CyrusNamespace::Standard => '.',
            CyrusNamespace::Alt => '/',
        }
    }

    /// Personal namespace prefix, as NAMESPACE announces it.
    pub fn personal_prefix(self) -> &'static str {
        match self {
            CyrusNamespace::Standard => "INBOX.",
            CyrusNamespace::Alt => "",
        }
    }

    /// Other users' namespace prefix, as NAMESPACE announces it.
    pub fn other_users_prefix(self) -> &'static str {
        match self {
            CyrusNamespace::Standard => "user.",
            CyrusNamespace::Alt => "Other Users/",
        }
    }

    /// Shared folders' namespace prefix, as NAMESPACE announces it.
    pub fn shared_prefix(self) -> &'static str {
        match self {
            CyrusNamespace::Standard => "",
            CyrusNamespace::Alt => "Shared Folders/",
        }
    }
}

/// What kind of server to start.
#[derive(Debug, Clone)]
pub struct CyrusOptions {
    pub namespace: CyrusNamespace,
    /// Run in this directory (created if missing, kept afterwards) instead of a temporary one.
    pub dir: Option<PathBuf>,
}

impl Default for CyrusOptions {
    fn default() -> Self {
        CyrusOptions {
            namespace: CyrusNamespace::Standard,
            dir: None,
        }
    }
}

/// A running Cyrus instance; dropping it stops the server and removes its temp dir.
pub struct Cyrus {
    root: PathBuf,
    install: install::Install,
    namespace: CyrusNamespace,
    port: u16,
    owner: (u32, u32),
    admin_pass: String,
    child: Option<Child>,
    users_lock: Mutex<()>,
    // Last: removed after the server is stopped.
    _temp: Option<tempfile::TempDir>,
}

impl Cyrus {
    /// Are the unpacked Cyrus binaries and `saslpasswd2` there?
    pub fn is_available() -> bool {
        install::Install::locate().is_complete()
    }

    pub fn start(opts: CyrusOptions) -> Result<Cyrus, TestkitError> {
        let install = install::Install::locate();
        if !install.is_complete() {
            return Err(TestkitError::CyrusMissing(install.root().to_path_buf()));
        }
        let (temp, root) = crate::workdir::server_root(opts.dir.as_deref(), "mstk-cy-")?;
        let account = system_user::first_of(&["cyrus", "nobody"])?;
        prepare_dirs(&root, account.uid, account.gid)?;
        let mut cyrus = Cyrus {
            root: root.clone(),
            install,
            namespace: opts.namespace,
            port: 0,
            owner: (account.uid, account.gid),
            admin_pass: sasldb::fresh_secret(),
            child: None,
            users_lock: Mutex::new(()),
            _temp: temp,
        };
        cyrus.store_password(ADMIN, &cyrus.admin_pass.clone())?;
        let mut last_err = None;
        for _ in 0..PORT_ATTEMPTS {
            let port = readiness::free_port().map_err(|e| TestkitError::io(&root, e))?;
            let inputs = config::ConfigInputs {
                root: root.clone(),
                port,
                namespace: opts.namespace,
                cyrus_user: account.name.clone(),
                admin: ADMIN.into(),
                imapd: cyrus.install.imapd(),
            };
            for (path, text) in [
                (config::imapd_conf_path(&root), config::imapd_conf(&inputs)),
                (config::cyrus_conf_path(&root), config::cyrus_conf(&inputs)),
            ] {
                std::fs::write(&path, text).map_err(|e| TestkitError::io(&path, e))?;
            }
            cyrus.port = port;
            match cyrus.launch() {
                Ok(()) => return Ok(cyrus),
                // Still running but silent: most likely another process took the port.
                Err(e @ TestkitError::CyrusStart { exited: false, .. }) => last_err = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last_err.unwrap_or_else(|| TestkitError::Setup("no free port found".into())))
    }

    pub fn host(&self) -> &str {
        "127.0.0.1"
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn namespace(&self) -> CyrusNamespace {
        self.namespace
    }

    pub fn separator(&self) -> char {
        self.namespace.separator()
    }

    /// The instance directory (configs, `conf/` databases, `spool/` mail).
    pub fn dir(&self) -> &Path {
        &self.root
    }

    /// Add a user (or change their password) and create their INBOX with the special-use
    /// folders (by logging in once: Cyrus autocreates them).
    pub fn add_user(&self, user: &str, password: &str) -> Result<(), TestkitError> {
        if !sasldb::valid_user(user) || user == ADMIN {
            return Err(TestkitError::Setup(format!(
                "user name {user:?} is not usable with Cyrus: use letters, digits, '-' and '_'"
            )));
        }
        {
            let _guard = self.users_lock.lock().unwrap_or_else(|p| p.into_inner());
            self.store_password(user, password)?;
        }
        Oracle::login(self.host(), self.port, user, password)?.logout()
    }

    /// Is the master process running?
    pub fn is_running(&mut self) -> bool {
        match &mut self.child {
            Some(c) => matches!(c.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Stop the server (SIGTERM, then SIGKILL for the whole process group). Never hangs.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid = child.id() as libc::pid_t;
        if let Ok(None) = child.try_wait() {
            // SAFETY: plain kill(2) on the pid of our own child process.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
            let exited = readiness::wait_until(
                STOP_LIMIT,
                || matches!(child.try_wait(), Ok(Some(_))),
                || false,
            );
            if !exited {
                let _ = child.kill();
            }
        }
        let _ = child.wait();
        // SAFETY: the group we created for master (process_group(0)): its leftover imapd.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
        let port = self.port;
        readiness::wait_until(STOP_LIMIT, || !readiness::accepts(port), || false);
    }

    fn store_password(&self, user: &str, password: &str) -> Result<(), TestkitError> {
        let db = config::sasldb(&self.root);
        sasldb::set_password(&db, config::SERVERNAME, user, password)?;
        chown(&db, self.owner)
    }

    fn launch(&mut self) -> Result<(), TestkitError> {
        use std::os::unix::process::CommandExt as _;
        let log = self.root.join("master.log");
        let out = std::fs::File::create(&log).map_err(|e| TestkitError::io(&log, e))?;
        let err = out.try_clone().map_err(|e| TestkitError::io(&log, e))?;
        let conf_dir = config::config_dir(&self.root);
        let master = self.install.master();
        let child = Command::new(&master)
            .arg("-D")
            .arg("-C")
            .arg(config::imapd_conf_path(&self.root))
            .arg("-M")
            .arg(config::cyrus_conf_path(&self.root))
            .arg("-p")
            .arg(conf_dir.join("master.pid"))
            .env("LD_LIBRARY_PATH", self.install.library_path())
            .current_dir(&conf_dir)
            .uid(self.owner.0)
            .gid(self.owner.1)
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .map_err(|e| TestkitError::io(&master, e))?;
        self.child = Some(child);
        let port = self.port;
        let mut exited = false;
        let ready = match self.child.as_mut() {
            Some(child) => readiness::wait_until(
                START_LIMIT,
                || readiness::greets(port),
                || {
                    exited = matches!(child.try_wait(), Ok(Some(_)));
                    exited
                },
            ),
            None => false,
        };
        if ready {
            return Ok(());
        }
        self.stop();
        let output = std::fs::read_to_string(&log).unwrap_or_default();
        let reason = if exited {
            format!("the master process exited: {}", output.trim())
        } else {
            format!("no IMAP greeting on 127.0.0.1:{port} within {START_LIMIT:?}")
        };
        Err(TestkitError::CyrusStart {
            reason,
            dir: self.root.clone(),
            exited,
        })
    }

    /// An administrator's session (admins see the standard namespace: `user.<name>`).
    fn admin(&self) -> Result<Oracle, TestkitError> {
        Oracle::login(self.host(), self.port, ADMIN, &self.admin_pass)
    }
}

impl Drop for Cyrus {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for Cyrus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cyrus")
            .field("dir", &self.root)
            .field("port", &self.port)
            .field("namespace", &self.namespace)
            .finish()
    }
}

/// The instance directory: readable by all, config and spool owned by the service account.
fn prepare_dirs(root: &Path, uid: u32, gid: u32) -> Result<(), TestkitError> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| TestkitError::io(root, e))?;
    for ancestor in root.ancestors().skip(1) {
        if let Ok(meta) = std::fs::metadata(ancestor) {
            if meta.permissions().mode() & 0o001 == 0 {
                return Err(TestkitError::Setup(format!(
                    "{} is not searchable by other users, so Cyrus (uid {uid}) cannot reach {}; \
                     pick a directory under /tmp",
                    ancestor.display(),
                    root.display()
                )));
            }
        }
    }
    let conf = config::config_dir(root);
    let mut dirs: Vec<PathBuf> = vec![conf.clone(), config::spool_dir(root)];
    dirs.extend(config::CONFIG_SUBDIRS.iter().map(|d| conf.join(d)));
    for dir in dirs {
        std::fs::create_dir_all(&dir).map_err(|e| TestkitError::io(&dir, e))?;
        chown(&dir, (uid, gid))?;
    }
    Ok(())
}

fn chown(path: &Path, (uid, gid): (u32, u32)) -> Result<(), TestkitError> {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).map_err(|e| {
        TestkitError::Setup(format!(
            "cannot hand {} to uid {uid} ({e}); the test kit must run as root so Cyrus can run \
             as an unprivileged account",
            path.display()
        ))
    })
}
