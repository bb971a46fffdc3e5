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
