//! The sandbox's own IMAP server, started in-process on 127.0.0.1:0 for tests.

use std::sync::Arc;

use mailshift_sandbox::{Directory, MailStore, SandboxImap, SandboxImapHandle};

pub struct SandboxServer {
    pub store: Arc<MailStore>,
    pub directory: Arc<Directory>,
    handle: Option<SandboxImapHandle>,
    runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

impl SandboxServer {
    pub fn start() -> SandboxServer {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(MailStore::open(dir.path().join("mail")).unwrap());
        let directory = Arc::new(Directory::new());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let handle = runtime
            .block_on(SandboxImap::start(
                store.clone(),
                directory.clone(),
                "127.0.0.1:0",
                "test",
            ))
            .unwrap();
        SandboxServer {
            store,
            directory,
            handle: Some(handle),
            runtime,
            _dir: dir,
        }
    }

    pub fn add_user(&self, login: &str, password: &str) {
        self.store.create_account(login).unwrap();
        self.directory.set_password(login, password);
    }

    pub fn port(&self) -> u16 {
        self.handle.as_ref().unwrap().local_addr().port()
    }
}

impl Drop for SandboxServer {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            self.runtime.block_on(h.shutdown());
        }
    }
}

/// `n` messages ("bulk 0" …) of `filler` bytes of body each, in a new folder "Bulk"
/// of `login` in `store`: a source long enough to cancel or hand off mid-copy.
pub fn seed_bulk(store: &MailStore, login: &str, n: usize, filler: usize) {
    store.create_folder(login, "Bulk").unwrap();
    let body = "x".repeat(filler);
    for i in 0..n {
        let m = format!(
            "From: a@example.org\r\nTo: {login}\r\nSubject: bulk {i}\r\nMessage-ID: <bulk-{i}@example.org>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\n{body}\r\n"
        );
        store
            .append(login, "Bulk", m.as_bytes(), &[], None)
            .unwrap();
    }
}

/// A task copying e-mails between two plain-IMAP servers on 127.0.0.1 (`(port, login)`
/// each side).
pub fn loopback_emails_task(src: (u16, &str), dst: (u16, &str)) -> mailshift_tasks::TaskSpec {
    use mailshift_tasks::{EndpointSpec, Security, ServerType, TaskSpec};
    let side = |(port, login): (u16, &str)| EndpointSpec {
        server_type: ServerType::Imap,
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        auth: Default::default(),
        login: login.into(),
        insecure: false,
        ca_file: None,
        groupware: Default::default(),
    };
    TaskSpec {
        source: side(src),
        destination: side(dst),
        options: mailshift_panel::migration::OptionSet::emails(),
        notify: None,
        tuning: Default::default(),
        project: None,
    }
}
