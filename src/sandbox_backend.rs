//! The TUI's backend on the sandbox provider: every panel operation acts on
//! the sandbox's IMAP store, logins and DNS zones, and is persisted.

use futures::future::BoxFuture;
use futures::FutureExt;
use mailshift_dns::{check_domain, DomainReport, Fix, Lookup, PendingChange};
use mailshift_panel::{DomainKind, NewAccount, PanelState, PlatformId};
use mailshift_sandbox::provider::dns_kind;
use mailshift_sandbox::Sandbox;

use crate::tui::Backend;

pub struct SandboxBackend {
    sandbox: Sandbox,
}

impl SandboxBackend {
    pub fn new(sandbox: Sandbox) -> Self {
        SandboxBackend { sandbox }
    }

    pub fn into_inner(self) -> Sandbox {
        self.sandbox
    }
}

impl Backend for SandboxBackend {
    fn panel(&self) -> &PanelState {
        self.sandbox.panel()
    }

    fn create_account(&mut self, platform: PlatformId, new: NewAccount) -> Result<String, String> {
        self.sandbox
            .create_account(platform, new)
            .map_err(|e| e.to_string())
    }

    fn rename_account(
        &mut self,
        platform: PlatformId,
        address: &str,
        new_local: &str,
    ) -> Result<String, String> {
        self.sandbox
            .rename_account(platform, address, new_local)
            .map(|r| r.new)
            .map_err(|e| e.to_string())
    }

    fn reset_account(&mut self, platform: PlatformId, address: &str) -> Result<(), String> {
        self.sandbox
            .reset_account(platform, address)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn add_domain(
        &mut self,
        platform: PlatformId,
        name: &str,
        kind: DomainKind,
    ) -> Result<(), String> {
        self.sandbox
            .add_domain(platform, name, kind)
            .map_err(|e| e.to_string())
    }

    fn dns_check(&self, platform: PlatformId, domain: &str) -> BoxFuture<'static, DomainReport> {
        let (kind, host) = match self.sandbox.panel().platform(platform) {
            Ok(p) => (p.kind, p.kind.facts().endpoints.host.clone()),
            Err(_) => (
                mailshift_panel::PlatformKind::MxPlan,
                mailshift_panel::PlatformKind::MxPlan
                    .facts()
                    .endpoints
                    .host
                    .clone(),
            ),
        };
        let lookup = Lookup::nameserver(self.sandbox.dns_addr());
        let domain = domain.to_string();
        async move { check_domain(&lookup, dns_kind(kind), &domain, &host).await }.boxed()
    }

    fn apply_fix(&mut self, domain: &str, fix: &Fix) -> Result<Vec<PendingChange>, String> {
        self.sandbox
            .apply_dns_fix(domain, fix)
            .map_err(|e| e.to_string())
    }

    fn pending_changes(&self) -> Vec<PendingChange> {
        self.sandbox.pending_dns()
    }

    fn sandbox_note(&self) -> Option<String> {
        let ports: Vec<String> = self
            .sandbox
            .panel()
            .platforms
            .iter()
            .filter_map(|p| {
                self.sandbox
                    .imap_addr(p.id)
                    .ok()
                    .map(|a| format!("{} {}", p.service_name, a))
            })
            .collect();
        Some(format!(
            "sandbox: IMAP {} · DNS {}",
            ports.join(", "),
            self.sandbox.dns_addr()
        ))
    }
}
