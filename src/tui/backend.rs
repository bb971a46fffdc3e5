//! What the TUI talks to: the panel model, account and domain operations, the DNS
//! diagnostic and its fixes, and the migrator that runs tasks. The TUI never knows
//! whether it is the sandbox, a demo or (later) a real provider behind this trait.

mod demo;

pub use demo::DemoBackend;

use futures::future::BoxFuture;
use mailshift_dns::{DomainReport, Fix, PendingChange};
use mailshift_panel::{DomainKind, NewAccount, PanelState, Platform, PlatformId};
use mailshift_tasks::{AuthMethod, Secret};
use mailshift_tasks::{EndpointSpec, Migrator, ServerType};

/// Why migrations cannot run when a backend has no migrator.
pub const NO_MIGRATOR: &str =
    "the demo (--demo) runs no migration: start mailshift without --demo to migrate on the sandbox";

/// The operations the control panel offers. Errors are sentences a person can act on.
pub trait Backend: Send {
    /// The panel as it stands (platforms, domains, accounts).
    fn panel(&self) -> &PanelState;
    /// Create an account on `platform`; returns its address.
    fn create_account(&mut self, platform: PlatformId, new: NewAccount) -> Result<String, String>;
    /// Give `address` the login `new_local` (same domain); returns the new address.
    fn rename_account(
        &mut self,
        platform: PlatformId,
        address: &str,
        new_local: &str,
    ) -> Result<String, String>;
    /// Wipe `address` and turn its slot back into a free one.
    fn reset_account(&mut self, platform: PlatformId, address: &str) -> Result<(), String>;
    /// Associate `name` with `platform`.
    fn add_domain(
        &mut self,
        platform: PlatformId,
        name: &str,
        kind: DomainKind,
    ) -> Result<(), String>;
    /// DNS diagnostic of `domain` as `platform` expects it. The future is run by the
    /// TUI's event loop in the background; its result comes back as an Action.
    fn dns_check(&self, platform: PlatformId, domain: &str) -> BoxFuture<'static, DomainReport>;
    /// Apply a fix to the zone of `domain`; returns the changes now propagating.
    fn apply_fix(&mut self, domain: &str, fix: &Fix) -> Result<Vec<PendingChange>, String>;
    /// Zone changes not yet visible to resolvers, soonest first.
    fn pending_changes(&self) -> Vec<PendingChange>;
    /// A line saying what this backend is (shown in the header), if anything.
    fn sandbox_note(&self) -> Option<String>;

    /// The migrator that runs tasks, when this backend can migrate.
    fn migrator(&self) -> Option<Migrator> {
        None
    }
    /// Why migrations cannot run here, when they cannot (a sentence saying what to do).
    fn migrations_refused(&self) -> Option<String> {
        self.migrator().is_none().then(|| NO_MIGRATOR.to_string())
    }
    /// Where the migrator reaches `address` on `platform` (without its secret).
    fn imap_endpoint(&self, platform: PlatformId, address: &str) -> Option<EndpointSpec> {
        let p = self.panel().platform(platform).ok()?;
        Some(platform_endpoint(p, address))
    }
    /// The password of the account behind `endpoint`, when this process knows it
    /// (kept in memory only).
    fn known_secret(&self, _endpoint: &EndpointSpec) -> Option<Secret> {
        None
    }
    /// Read mailbox sizes again (after a migration changed them).
    fn refresh_usage(&mut self) {}

    /// Let the provider's own time pass (a domain it finished setting up turns OK);
    /// true when the panel changed and the screen must be drawn again.
    fn advance(&mut self) -> bool {
        false
    }
    /// The SMTP server this backend runs itself for mail clients (the sandbox's
    /// relay), when it runs one: the platforms' own SMTP settings then do not apply.
    fn local_smtp(&self) -> Option<LocalSmtp> {
        None
    }
    /// Where the completion e-mails sent to addresses outside the panel land:
    /// (platform, login), when this backend keeps them.
    fn notifications_mailbox(&self) -> Option<(PlatformId, String)> {
        None
    }
    /// The completion e-mails in the notifications mailbox, newest first.
    fn notifications(&self) -> Vec<Notice> {
        Vec::new()
    }
    /// Stop whatever this backend runs, saving its state: awaited when the panel
    /// quits, so that the ports are free and the state on disk before the process
    /// exits (a handed-off runner or the next start reuses them at once).
    fn shutdown(self: Box<Self>) -> BoxFuture<'static, ()> {
        Box::pin(async {})
    }
}

/// One message in the notifications mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub subject: String,
    /// When it arrived, as shown (`2026-12-01 04:30 +00:00`).
    pub date: String,
}

/// An SMTP server run by the backend itself (the sandbox relay).
#[derive(Debug, Clone)]
pub struct LocalSmtp {
    /// Its address.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// The relay login.
    pub user: String,
    /// Its password, generated at each start (memory only; shown masked until revealed).
    pub password: Secret,
}

/// The migrator's view of `platform`'s IMAP service for the login `address`.
pub fn platform_endpoint(p: &Platform, address: &str) -> EndpointSpec {
    let e = &p.endpoints;
    EndpointSpec {
        server_type: ServerType::from(p.kind),
        host: e.host.clone(),
        port: e.imap_port,
        security: e.imap_security,
        auth: AuthMethod::Login,
        login: address.to_ascii_lowercase(),
        insecure: false,
        ca_file: None,
        groupware: Default::default(),
    }
}
