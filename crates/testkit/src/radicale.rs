//! Throwaway Radicale (CalDAV/CardDAV) servers on 127.0.0.1 for tests: own temp directory,
//! htpasswd users (apr1 hashes, never clear text), owner-only rights or read-only users,
//! log captured to a file. Dropping the value stops the server and removes the directory.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::TestkitError;

const RADICALE_BIN: &str = "/usr/bin/radicale";
/// Radicale runs with the system Python (its modules live in dist-packages), never a pyenv one.
const SYSTEM_PYTHON: &str = "/usr/bin/python3";
const START_LIMIT: Duration = Duration::from_secs(20);
const STOP_LIMIT: Duration = Duration::from_secs(5);
const PORT_ATTEMPTS: usize = 5;
const SHM_DIR: &str = "/dev/shm";

/// How to configure a test server.
#[derive(Debug, Clone, Default)]
pub struct RadicaleOptions {
    /// These users may read every collection of every user but write nothing (a PUT, DELETE
    /// or MKCOL from them answers 403). Everyone else owns only their own collections.
    pub read_only_users: Vec<String>,
    /// Largest request body the server accepts (Radicale's `max_content_length`).
    pub max_content_length: Option<u64>,
}

/// A running Radicale server.
pub struct Radicale {
    root: PathBuf,
    port: u16,
    child: Option<Child>,
    users_lock: Mutex<()>,
    _temp: tempfile::TempDir,
}

impl Radicale {
    /// Is the Debian `radicale` package installed?
    pub fn is_available() -> bool {
        Path::new(RADICALE_BIN).exists() && Path::new(SYSTEM_PYTHON).exists()
    }

    /// A server with owner-only rights and no users yet.
    pub fn start() -> Result<Radicale, TestkitError> {
        Radicale::start_with(RadicaleOptions::default())
    }

    pub fn start_with(opts: RadicaleOptions) -> Result<Radicale, TestkitError> {
        if !Radicale::is_available() {
            return Err(TestkitError::Setup(format!(
                "radicale is not installed (looked for {RADICALE_BIN}); install the Debian \
                 package `radicale`"
            )));
        }
        for user in &opts.read_only_users {
            check_user_name(user)?;
        }
        // Radicale fsyncs every write; on tmpfs that costs nothing (a 1000-object collection
        // fills about twice as fast). Fall back to the usual temp dir.
        let builder = {
            let mut b = tempfile::Builder::new();
            b.prefix("mstk-radicale-");
            b
        };
        let temp = builder
            .tempdir_in(SHM_DIR)
            .or_else(|_| builder.tempdir())
            .map_err(|e| TestkitError::io(std::env::temp_dir(), e))?;
        let root = temp.path().to_path_buf();
        let users = root.join("users");
        std::fs::write(&users, "").map_err(|e| TestkitError::io(&users, e))?;
        let rights = root.join("rights");
        std::fs::write(&rights, render_rights(&opts.read_only_users))
            .map_err(|e| TestkitError::io(&rights, e))?;
        let collections = root.join("collections");
        std::fs::create_dir_all(&collections).map_err(|e| TestkitError::io(&collections, e))?;

        let mut server = Radicale {
            root: root.clone(),
            port: 0,
            child: None,
            users_lock: Mutex::new(()),
            _temp: temp,
        };
        let mut last_err = None;
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port().map_err(|e| TestkitError::io(&root, e))?;
            let conf = server.conf_path();
            std::fs::write(&conf, render_config(&root, port, &opts))
                .map_err(|e| TestkitError::io(&conf, e))?;
            server.port = port;
            match server.launch() {
                Ok(()) => return Ok(server),
                Err(e) if server.log_text().contains("in use") => last_err = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last_err.unwrap_or_else(|| TestkitError::Setup("no free port found".into())))
    }

    /// Add (or replace) a user; the server reads the htpasswd file on every login, so this
    /// takes effect at once. The password is stored only as an apr1 (MD5) hash.
    pub fn add_user(&self, user: &str, password: &str) -> Result<(), TestkitError> {
        check_user_name(user)?;
        let hash = apr1_hash(password)?;
        let _guard = self.users_lock.lock().unwrap_or_else(|p| p.into_inner());
        let path = self.root.join("users");
        let old = std::fs::read_to_string(&path).map_err(|e| TestkitError::io(&path, e))?;
        let prefix = format!("{user}:");
        let mut text: String = old
            .lines()
            .filter(|l| !l.starts_with(&prefix))
            .map(|l| format!("{l}\n"))
            .collect();
        text.push_str(&format!("{user}:{hash}\n"));
        // Write a sibling file and rename, so the server never reads a half-written file.
        let tmp = self.root.join("users.new");
        std::fs::write(&tmp, text).map_err(|e| TestkitError::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| TestkitError::io(&path, e))
    }

    /// `http://127.0.0.1:PORT/`
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The instance directory (config, htpasswd, rights, `collections/`, log).
    pub fn dir(&self) -> &Path {
        &self.root
    }

    /// Everything the server logged so far (stdout and stderr).
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn conf_path(&self) -> PathBuf {
        self.root.join("radicale.conf")
    }

    fn log_path(&self) -> PathBuf {
        self.root.join("radicale.log")
    }

    fn launch(&mut self) -> Result<(), TestkitError> {
        let log_path = self.log_path();
        let log = std::fs::File::create(&log_path).map_err(|e| TestkitError::io(&log_path, e))?;
        let log2 = log
            .try_clone()
            .map_err(|e| TestkitError::io(&log_path, e))?;
        let child = Command::new(SYSTEM_PYTHON)
            .arg(RADICALE_BIN)
            .arg("--config")
            .arg(self.conf_path())
            .env_remove("PYTHONPATH")
            .env_remove("PYTHONHOME")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log2))
            .spawn()
            .map_err(|e| TestkitError::io(SYSTEM_PYTHON, e))?;
        self.child = Some(child);
        let port = self.port;
        let start = Instant::now();
        let mut exited = false;
        while start.elapsed() < START_LIMIT {
            if answers_http(port) {
                return Ok(());
            }
            if let Some(c) = self.child.as_mut() {
                if matches!(c.try_wait(), Ok(Some(_))) {
                    exited = true;
                    break;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.stop();
        let reason = if exited {
            "the radicale process exited".to_string()
        } else {
            format!("no HTTP answer on 127.0.0.1:{port} within {START_LIMIT:?}")
        };
        Err(TestkitError::Setup(format!(
            "Radicale did not start: {reason}\n--- last lines of {} ---\n{}",
            log_path.display(),
            self.log_tail(20)
        )))
    }

    fn log_tail(&self, lines: usize) -> String {
        let text = self.log_text();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(None) = child.try_wait() {
            // SAFETY: plain kill(2) on the pid of our own child process.
            unsafe {
                libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
            }
            let start = Instant::now();
            while start.elapsed() < STOP_LIMIT && matches!(child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
        }
        let _ = child.wait();
    }
}

impl Drop for Radicale {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for Radicale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Radicale")
            .field("dir", &self.root)
            .field("port", &self.port)
            .finish()
    }
}

fn render_config(root: &Path, port: u16, opts: &RadicaleOptions) -> String {
    let rights = if opts.read_only_users.is_empty() {
        "type = owner_only\n".to_string()
    } else {
        format!(
            "type = from_file\nfile = {}\n",
            root.join("rights").display()
        )
    };
    let max_len = opts
        .max_content_length
        .map(|n| format!("max_content_length = {n}\n"))
        .unwrap_or_default();
    format!(
        "[server]\nhosts = 127.0.0.1:{port}\n{max_len}\n\
         [auth]\ntype = htpasswd\nhtpasswd_filename = {users}\nhtpasswd_encryption = md5\ndelay = 0.1\n\n\
         [rights]\n{rights}\n\
         [storage]\nfilesystem_folder = {collections}\n\n\
         [web]\ntype = none\n\n\
         [logging]\nlevel = info\nmask_passwords = True\n",
        users = root.join("users").display(),
        collections = root.join("collections").display(),
    )
}

/// Rights equal to `owner_only`, plus read-everything-write-nothing for the listed users
/// (their rule comes first: Radicale uses the first matching section).
fn render_rights(read_only: &[String]) -> String {
    let mut out = String::new();
    if !read_only.is_empty() {
        let names: Vec<String> = read_only.iter().map(|u| regex_escape(u)).collect();
        out.push_str(&format!(
            "[read-only]\nuser: ({})\ncollection: .*\npermissions: Rr\n\n",
            names.join("|")
        ));
    }
    out.push_str(
        "[root]\nuser: .+\ncollection:\npermissions: R\n\n\
         [principal]\nuser: .+\ncollection: {user}\npermissions: RW\n\n\
         [collections]\nuser: .+\ncollection: {user}/[^/]+\npermissions: rw\n",
    );
    out
}

fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if !c.is_ascii_alphanumeric() && c != '_' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// User names end up in an htpasswd file, a URL path and a rights regex: keep them plain.
fn check_user_name(user: &str) -> Result<(), TestkitError> {
    let ok = !user.is_empty()
        && user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(TestkitError::Setup(format!(
            "Radicale test user {user:?}: use only letters, digits and . _ - @"
        )))
    }
}

/// `openssl passwd -apr1 -stdin`: the password goes through a pipe, never on a command line.
fn apr1_hash(password: &str) -> Result<String, TestkitError> {
    if password.contains(['\n', '\r']) {
        return Err(TestkitError::Setup(
            "a Radicale test password cannot contain a line break".into(),
        ));
    }
    let mut child = Command::new("openssl")
        .args(["passwd", "-apr1", "-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            TestkitError::Setup(format!(
                "cannot run `openssl passwd` to hash a Radicale password ({e}); install the \
                 Debian package `openssl`"
            ))
        })?;
    let mut stdin = child.stdin.take().expect("piped");
    stdin
        .write_all(format!("{password}\n").as_bytes())
        .map_err(|e| TestkitError::Setup(format!("writing to `openssl passwd`: {e}")))?;
    drop(stdin);
    let out = child
        .wait_with_output()
        .map_err(|e| TestkitError::Setup(format!("waiting for `openssl passwd`: {e}")))?;
    let hash = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || !hash.starts_with("$apr1$") {
        return Err(TestkitError::Setup(format!(
            "`openssl passwd -apr1` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(hash)
}

fn free_port() -> std::io::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Does the server on `port` answer an HTTP request with a status line?
fn answers_http(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(300)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    let request = "OPTIONS / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut buf = [0u8; 12];
    stream.read_exact(&mut buf).is_ok() && buf.starts_with(b"HTTP/1.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rights_put_read_only_users_first_and_escape_names() {
        let text = render_rights(&["ro.user".into(), "b-2".into()]);
        let ro = text.find("[read-only]").unwrap();
        let owner = text.find("[principal]").unwrap();
        assert!(ro < owner);
        assert!(text.contains(r"user: (ro\.user|b\-2)"));
        assert!(text.contains("permissions: Rr"));
    }

    #[test]
    fn owner_only_config_without_read_only_users() {
        let conf = render_config(
            Path::new("/x"),
            4242,
            &RadicaleOptions {
                max_content_length: Some(1000),
                ..RadicaleOptions::default()
            },
        );
        assert!(conf.contains("hosts = 127.0.0.1:4242"));
        assert!(conf.contains("type = owner_only"));
        assert!(conf.contains("max_content_length = 1000"));
        assert!(conf.contains("[web]\ntype = none"));
    }

    #[test]
    fn odd_user_names_are_refused() {
        assert!(check_user_name("alice@example.org").is_ok());
        assert!(check_user_name("a:b").is_err());
        assert!(check_user_name("{user}").is_err());
        assert!(check_user_name("").is_err());
    }
}
