//! The panel on a sandbox another mailshift serves (a handed-off runner finishing its
//! task): it reads the panel and the tasks from the data dir and reaches the host's
//! servers on their ports. Account and domain changes wait for the next start, when
//! this process hosts the sandbox again: the host keeps the logins and zones in memory.

use futures::future::BoxFuture;
use futures::FutureExt;
use mailshift_dns::{check_domain, DomainReport, Fix, Lookup, PendingChange};
use mailshift_panel::{DomainKind, NewAccount, PanelState, PlatformId};
use mailshift_sandbox::provider::login_of;
use mailshift_sandbox::ServedSandbox;
use mailshift_tasks::spec::{Groupware, SieveServer};
use mailshift_tasks::{Clock, EndpointSpec, Migrator, Secret, Security};
use std::net::SocketAddr;
use std::path::Path;

use crate::tui::Backend;

/// The panel attached to a sandbox served by another process.
pub struct AttachedBackend {
    served: ServedSandbox,
    migrator: Result<Migrator, String>,
    /// The host has gone (its task ended): its servers are closed.
    host_gone: bool,
}

impl AttachedBackend {
    /// The backend on the sandbox `served` under the data dir `home`. Completion
    /// e-mails of tasks started here are not sent: the relay's password lives in
    /// the host's memory only.
    pub fn new(home: &Path, served: ServedSandbox) -> Self {
        let migrator = Migrator::open(home, Clock::system()).map_err(|e| {
            format!("migrations are off: {e} (check that the data dir is writable, or set MAILSHIFT_HOME)")
        });
        if let Ok(m) = &migrator {
            super::place_tasks(m, home);
        }
        AttachedBackend {
            served,
            migrator,
            host_gone: false,
        }
    }

    /// The pid of the process serving the sandbox.
    pub fn host_pid(&self) -> u32 {
        self.served.host.pid
    }

    fn refusal(&self) -> String {
        format!(
            "the sandbox is served by a background mailshift (pid {}) finishing a task: \
             accounts and domains can be changed once it has ended (quit and start again)",
            self.served.host.pid
        )
    }

    fn platform_at(&self, endpoint: &EndpointSpec) -> Option<PlatformId> {
        super::platform_at(&self.served.panel.platforms, endpoint, |p| {
            Some((p.endpoints.host.clone(), p.endpoints.imap_port))
        })
    }
}

impl Backend for AttachedBackend {
    fn panel(&self) -> &PanelState {
        &self.served.panel
    }

    fn create_account(&mut self, _: PlatformId, _: NewAccount) -> Result<String, String> {
        Err(self.refusal())
    }

    fn rename_account(&mut self, _: PlatformId, _: &str, _: &str) -> Result<String, String> {
        Err(self.refusal())
    }

    fn reset_account(&mut self, _: PlatformId, _: &str) -> Result<(), String> {
        Err(self.refusal())
    }

    fn add_domain(&mut self, _: PlatformId, _: &str, _: DomainKind) -> Result<(), String> {
        Err(self.refusal())
    }

    fn dns_check(&self, platform: PlatformId, domain: &str) -> BoxFuture<'static, DomainReport> {
        let kind = self
            .served
            .panel
            .platform(platform)
            .map(|p| p.kind)
            .unwrap_or(mailshift_panel::PlatformKind::MxPlan);
        let host = kind.facts().endpoints.host.clone();
        let lookup = Lookup::nameserver(SocketAddr::from(([127, 0, 0, 1], self.served.ports.dns)));
        let domain = domain.to_string();
        async move { check_domain(&lookup, kind, &domain, &host).await }.boxed()
    }

    fn apply_fix(&mut self, _: &str, _: &Fix) -> Result<Vec<PendingChange>, String> {
        Err(self.refusal())
    }

    fn pending_changes(&self) -> Vec<PendingChange> {
        Vec::new()
    }

    fn sandbox_note(&self) -> Option<String> {
        if self.host_gone {
            return Some(format!(
                "the background mailshift (pid {}) has ended and its sandbox with it: quit and start mailshift again to serve the sandbox",
                self.served.host.pid
            ));
        }
        Some(format!(
            "sandbox served by a background mailshift (pid {}) until its task ends · DNS 127.0.0.1:{}",
            self.served.host.pid, self.served.ports.dns
        ))
    }

    fn migrator(&self) -> Option<Migrator> {
        self.migrator.as_ref().ok().cloned()
    }

    fn migrations_refused(&self) -> Option<String> {
        self.migrator.as_ref().err().cloned()
    }

    fn imap_endpoint(&self, platform: PlatformId, address: &str) -> Option<EndpointSpec> {
        let p = self.served.panel.platform(platform).ok()?;
        let mut ep = crate::tui::backend::platform_endpoint(p, address);
        let ports = self.served.ports.platform(&p.service_name);
        if ports.dav != 0 && ports.sieve != 0 {
            ep.groupware = Groupware {
                dav_url: Some(format!("http://127.0.0.1:{}/dav/", ports.dav)),
                sieve: Some(SieveServer {
                    host: "127.0.0.1".into(),
                    port: ports.sieve,
                    security: Security::None,
                }),
            };
        }
        Some(ep)
    }

    fn advance(&mut self) -> bool {
        if !self.host_gone && !self.served.host.alive() {
            self.host_gone = true;
            return true;
        }
        false
    }

    fn known_secret(&self, endpoint: &EndpointSpec) -> Option<Secret> {
        let platform = self.platform_at(endpoint)?;
        super::demo_secret(&self.served.panel, platform, &login_of(&endpoint.login))
    }
}
