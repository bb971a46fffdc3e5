//! A throwaway Dovecot IMAP server: own directory, config, users, ports on 127.0.0.1 only.
//! Started in the foreground as our child, stopped (SIGTERM, then SIGKILL) on drop.
//! Special-use folders Sent/Drafts/Trash/Junk/Archive are declared but not auto-created,
//! except in the cPanel-like layout (`INBOX.` prefix, public and shared namespaces).

mod cert;
mod config;
pub mod cpanel;
mod passwd;
pub(crate) mod readiness;
mod sharing;
pub(crate) mod system_user;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use crate::TestkitError;

const DOVECOT_BIN: &str = "/usr/sbin/dovecot";
const START_LIMIT: Duration = Duration::from_secs(15);
const STOP_LIMIT: Duration = Duration::from_secs(5);
const PORT_ATTEMPTS: usize = 6;

/// How folders nest on disk, and so which hierarchy separator the server announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `maildir:...:LAYOUT=fs`, separator `/`.
    Slash,
    /// Classic Maildir++, separator `.`.
    Dot,
    /// Like cPanel hosting ships Dovecot: Maildir++, personal namespace prefix `INBOX.` with
    /// separator `.`, special-use `INBOX.Sent`/`Drafts`/`Trash`/`Junk`/`Archive` auto-created,
    /// a public namespace `Public.` and other users' shared folders under `shared.<owner>.`
    /// (ACL plugin; see [`Dovecot::share_folder`] and [`Dovecot::public_folder`]).
    Cpanel,
}

impl Layout {
    pub fn separator(self) -> char {
        match self {
            Layout::Slash => '/',
            Layout::Dot | Layout::Cpanel => '.',
        }
    }

    /// The personal namespace prefix (`""`, or `INBOX.` for [`Layout::Cpanel`]).
    pub fn personal_prefix(self) -> &'static str {
        match self {
            Layout::Slash | Layout::Dot => "",
            Layout::Cpanel => cpanel::PERSONAL_PREFIX,
        }
    }
}

/// What kind of server to start.
#[derive(Debug, Clone)]
pub struct DovecotOptions {
    pub layout: Layout,
    /// Also listen on an implicit-TLS port and offer STARTTLS, with a fresh self-signed cert.
    pub tls: bool,
    /// Per-user storage quota (count backend); appends beyond it get `NO [OVERQUOTA]`.
    pub quota_bytes: Option<u64>,
    /// Run in this directory (created if missing, kept afterwards) instead of a temporary one.
    pub dir: Option<PathBuf>,
    /// Also serve ManageSieve (Pigeonhole, `dovecot-managesieved`) on a loopback port.
    pub managesieve: bool,
    /// Cap concurrent IMAP sessions server-wide (`service imap { process_limit }`).
    pub max_connections: Option<u32>,
    /// Cap the IMAP sessions of one user from one address (`mail_max_userip_connections`).
    pub max_userip_connections: Option<u32>,
}

impl Default for DovecotOptions {
    fn default() -> Self {
        DovecotOptions {
            layout: Layout::Slash,
            tls: false,
            quota_bytes: None,
            dir: None,
            managesieve: false,
            max_connections: None,
            max_userip_connections: None,
        }
    }
}

/// A running Dovecot instance; dropping it stops the server and removes its temp dir.
pub struct Dovecot {
    root: PathBuf,
    conf: PathBuf,
    log: PathBuf,
    users_file: PathBuf,
    /// Owner of the Maildirs (public folders are created on disk with it).
    mail_owner: (u32, u32),
    /// The auth process runs as this account and must read the users file.
    auth_owner: (u32, u32),
    layout: Layout,
    port: u16,
    tls_port: Option<u16>,
    sieve_port: Option<u16>,
    ca_cert: Option<PathBuf>,
    child: Option<Child>,
    users_lock: Mutex<()>,
    // Last: removed after the server is stopped.
    _temp: Option<tempfile::TempDir>,
    _base_temp: Option<tempfile::TempDir>,
}

impl Dovecot {
    /// Is the Dovecot binary installed?
    pub fn is_available() -> bool {
        Path::new(DOVECOT_BIN).exists()
    }

    /// A plaintext-only server with the given layout.
    pub fn start(layout: Layout) -> Result<Dovecot, TestkitError> {
        Dovecot::start_with(DovecotOptions {
            layout,
            ..DovecotOptions::default()
        })
    }

    pub fn start_with(opts: DovecotOptions) -> Result<Dovecot, TestkitError> {
        if !Dovecot::is_available() {
            return Err(TestkitError::DovecotMissing(PathBuf::from(DOVECOT_BIN)));
        }
        let (temp, root) = crate::workdir::server_root(opts.dir.as_deref(), "mstk-")?;
        check_traversable(&root)?;
        let mail_user = system_user::first_of(&["nobody", "dovecot"])?;
        let internal = system_user::first_of(&["dovecot", "nobody"])?;
        let login = system_user::first_of(&["dovenull", "nobody"])?;

        set_mode(&root, 0o755)?;
        for sub in ["mail", "state"] {
            let p = root.join(sub);
            std::fs::create_dir_all(&p).map_err(|e| TestkitError::io(&p, e))?;
        }
        chown(&root.join("mail"), mail_user.uid, mail_user.gid)?;
        if opts.layout == Layout::Cpanel {
            for dir in [cpanel::public_dir(&root), cpanel::dict_dir(&root)] {
                std::fs::create_dir_all(&dir).map_err(|e| TestkitError::io(&dir, e))?;
                chown(&dir, mail_user.uid, mail_user.gid)?;
            }
        }
        // One passwd-file per user: Dovecot re-reads a changed file at most once a second,
        // but a new user's file is always read fresh.
        let users_file = root.join("users");
        std::fs::create_dir_all(&users_file).map_err(|e| TestkitError::io(&users_file, e))?;
        set_mode(&users_file, 0o700)?;
        chown(&users_file, internal.uid, internal.gid)?;
        // Unix socket paths are limited to ~108 bytes: keep base_dir short.
        let (base_temp, base_dir) = if root.join("run").as_os_str().len() <= 60 {
            (None, root.join("run"))
        } else {
            let t = tempfile::Builder::new()
                .prefix("mstk-run-")
                .tempdir()
                .map_err(|e| TestkitError::io(std::env::temp_dir(), e))?;
            let p = t.path().to_path_buf();
            (Some(t), p)
        };
        set_mode_if_exists(&base_dir, 0o755)?;
        let ca_cert = if opts.tls {
            cert::write_self_signed(&root)?;
            Some(root.join("cert.pem"))
        } else {
            None
        };

        let conf = root.join("dovecot.conf");
        let log = root.join("dovecot.log");
        let mut dovecot = Dovecot {
            root: root.clone(),
            conf,
            log,
            users_file,
            mail_owner: (mail_user.uid, mail_user.gid),
            auth_owner: (internal.uid, internal.gid),
            layout: opts.layout,
            port: 0,
            tls_port: None,
            sieve_port: None,
            ca_cert,
            child: None,
            users_lock: Mutex::new(()),
            _temp: temp,
            _base_temp: base_temp,
        };
        let mut last_err = None;
        for _ in 0..PORT_ATTEMPTS {
            let port = readiness::free_port().map_err(|e| TestkitError::io(&root, e))?;
            let tls = match opts.tls {
                true => Some(config::TlsFiles {
                    port: readiness::free_port().map_err(|e| TestkitError::io(&root, e))?,
                    cert: root.join("cert.pem"),
                    key: root.join("key.pem"),
                }),
                false => None,
            };
            let sieve_port = match opts.managesieve {
                true => Some(readiness::free_port().map_err(|e| TestkitError::io(&root, e))?),
                false => None,
            };
            let inputs = config::ConfigInputs {
                root: root.clone(),
                base_dir: base_dir.clone(),
                layout: opts.layout,
                port,
                tls: tls.clone(),
                quota_bytes: opts.quota_bytes,
                sieve_port,
                max_connections: opts.max_connections,
                max_userip_connections: opts.max_userip_connections,
                mail_uid: mail_user.uid,
                mail_gid: mail_user.gid,
                internal_user: internal.name.clone(),
                login_user: login.name.clone(),
            };
            std::fs::write(&dovecot.conf, config::render(&inputs))
                .map_err(|e| TestkitError::io(&dovecot.conf, e))?;
            dovecot.port = port;
            dovecot.tls_port = tls.map(|t| t.port);
            dovecot.sieve_port = sieve_port;
            match dovecot.launch() {
                Ok(()) => return Ok(dovecot),
                Err(e) if dovecot.log_mentions("in use") => last_err = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last_err.unwrap_or_else(|| TestkitError::Setup("no free port found".into())))
    }

    pub fn host(&self) -> &str {
        "127.0.0.1"
    }

    /// The plaintext IMAP port (STARTTLS is offered there when TLS is on).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The implicit-TLS (IMAPS) port, when started with `tls: true`.
    pub fn tls_port(&self) -> Option<u16> {
        self.tls_port
    }

    /// The ManageSieve port, when started with `managesieve: true`.
    pub fn sieve_port(&self) -> Option<u16> {
        self.sieve_port
    }

    /// The PEM certificate the server presents; pin it as the only CA.
    pub fn ca_cert_pem(&self) -> Option<PathBuf> {
        self.ca_cert.clone()
    }

    pub fn separator(&self) -> char {
        self.layout.separator()
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The instance directory (config, log, `mail/<user>` Maildirs).
    pub fn dir(&self) -> &Path {
        &self.root
    }

    /// The server log, handy when a test fails.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Add a user (or change their password). Takes effect at once, also while running
    /// (a password change waits ~1 s so Dovecot notices); only a salted hash is written.
    pub fn add_user(&self, user: &str, password: &str) -> Result<(), TestkitError> {
        if !passwd::valid_user(user) {
            return Err(TestkitError::Setup(format!(
                "user name {user:?} is not usable: use letters, digits and @._+- only"
            )));
        }
        if password.contains(['\r', '\n', '\0']) {
            return Err(TestkitError::Setup(
                "passwords may not contain CR, LF or NUL".into(),
            ));
        }
        let _guard = self.users_lock.lock().unwrap_or_else(|p| p.into_inner());
        let file = self.users_file.join(user);
        let existed = file.exists();
        let mut text = passwd::entry(user, password, &passwd::fresh_salt());
        text.push('\n');
        let tmp = self.users_file.join(format!(".{user}.new"));
        {
            use std::io::Write as _;
            use std::os::unix::fs::OpenOptionsExt as _;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&tmp)
                .map_err(|e| TestkitError::io(&tmp, e))?;
            f.write_all(text.as_bytes())
                .map_err(|e| TestkitError::io(&tmp, e))?;
        }
        chown(&tmp, self.auth_owner.0, self.auth_owner.1)?;
        std::fs::rename(&tmp, &file).map_err(|e| TestkitError::io(&file, e))?;
        if existed {
            std::thread::sleep(Duration::from_millis(1100));
        }
        Ok(())
    }

    /// Is the server process running?
    pub fn is_running(&mut self) -> bool {
        match &mut self.child {
            Some(c) => matches!(c.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Stop the server (SIGTERM, then SIGKILL after a few seconds). Never hangs.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(None) = child.try_wait() {
            // SAFETY: plain kill(2) on the pid of our own child process.
            unsafe {
                libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
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
        // The master's helpers notice it is gone; wait until the port is free again.
        let port = self.port;
        readiness::wait_until(STOP_LIMIT, || !readiness::accepts(port), || false);
    }

    /// Stop and start again with the same mail, users and ports.
    pub fn restart(&mut self) -> Result<(), TestkitError> {
        self.stop();
        self.launch()
    }

    fn launch(&mut self) -> Result<(), TestkitError> {
        let stderr_path = self.root.join("dovecot.stderr");
        let stderr_file =
            std::fs::File::create(&stderr_path).map_err(|e| TestkitError::io(&stderr_path, e))?;
        let child = Command::new(DOVECOT_BIN)
            .arg("-F")
            .arg("-c")
            .arg(&self.conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(stderr_file))
            .spawn()
            .map_err(|e| TestkitError::io(DOVECOT_BIN, e))?;
        self.child = Some(child);
        let port = self.port;
        let tls_port = self.tls_port;
        let sieve_port = self.sieve_port;
        let mut exited = false;
        let ready = {
            let child = self.child.as_mut().expect("just set");
            readiness::wait_until(
                START_LIMIT,
                || {
                    readiness::greets(port)
                        && tls_port.is_none_or(readiness::accepts)
                        && sieve_port.is_none_or(readiness::accepts)
                },
                || {
                    exited = matches!(child.try_wait(), Ok(Some(_)));
                    exited
                },
            )
        };
        if ready {
            return Ok(());
        }
        if let Some(mut child) = self.child.take() {
            if !exited {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
        let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        let reason = if exited {
            format!("the dovecot process exited: {}", stderr.trim())
        } else {
            format!("no IMAP greeting on 127.0.0.1:{port} within {START_LIMIT:?}")
        };
        Err(TestkitError::DovecotStart {
            reason,
            log: self.log.clone(),
            log_tail: self.log_tail(20),
        })
    }

    fn log_tail(&self, lines: usize) -> String {
        let text = self.log_text();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    fn log_mentions(&self, needle: &str) -> bool {
        let stderr = std::fs::read_to_string(self.root.join("dovecot.stderr")).unwrap_or_default();
        self.log_text().contains(needle) || stderr.contains(needle)
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for Dovecot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dovecot")
            .field("dir", &self.root)
            .field("port", &self.port)
            .field("tls_port", &self.tls_port)
            .field("layout", &self.layout)
            .finish()
    }
}

fn set_mode(path: &Path, mode: u32) -> Result<(), TestkitError> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| TestkitError::io(path, e))
}

fn set_mode_if_exists(path: &Path, mode: u32) -> Result<(), TestkitError> {
    if path.exists() {
        set_mode(path, mode)
    } else {
        Ok(())
    }
}

fn chown(path: &Path, uid: u32, gid: u32) -> Result<(), TestkitError> {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).map_err(|e| {
        TestkitError::Setup(format!(
            "cannot hand {} to uid {uid} ({e}); the test kit must run as root so Dovecot can \
             switch to an unprivileged mail user",
            path.display()
        ))
    })
}

/// The unprivileged mail user must be able to reach the instance directory.
fn check_traversable(root: &Path) -> Result<(), TestkitError> {
    use std::os::unix::fs::PermissionsExt as _;
    for ancestor in root.ancestors().skip(1) {
        if let Ok(meta) = std::fs::metadata(ancestor) {
            if meta.permissions().mode() & 0o001 == 0 {
                return Err(TestkitError::Setup(format!(
                    "{} is not searchable by other users (mode {:o}), so Dovecot's mail user \
                     cannot reach {}; pick a directory under /tmp",
                    ancestor.display(),
                    meta.permissions().mode() & 0o777,
                    root.display()
                )));
            }
        }
    }
    Ok(())
}
