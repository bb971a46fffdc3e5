//! The TUI's backend on the sandbox provider: every panel operation acts on
//! the sandbox's IMAP store, logins and DNS zones, and is persisted; migrations run
//! as tasks of a `Migrator` whose state lives beside the sandbox (the data dir).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use futures::future::BoxFuture;
use futures::FutureExt;
use mailshift_dns::{check_domain, DomainReport, Fix, Lookup, PendingChange};
use mailshift_engine::imap::Secret;
use mailshift_panel::{DomainKind, NewAccount, PanelState, PlatformId, DEMO_PASSWORD};
use mailshift_sandbox::provider::login_of;
use mailshift_sandbox::Sandbox;
use mailshift_tasks::spec::{Groupware, SieveServer};
use mailshift_tasks::{Clock, EndpointSpec, Migrator, Places, TaskRecord};

use crate::tui::Backend;

mod attached;

pub use attached::AttachedBackend;

pub struct SandboxBackend {
    sandbox: Sandbox,
    migrator: Result<Migrator, String>,
    /// Passwords typed in this process for accounts it created, by (platform, login).
    /// Memory only: never written, never logged.
    typed: HashMap<(PlatformId, String), Secret>,
}

/// Completion e-mails go through the sandbox's own SMTP listener: sandbox addresses
/// land in their INBOX, any other in the notifications@sandbox.invalid mailbox.
pub fn sandbox_relay(sandbox: &Sandbox) -> mailshift_notify::Relay {
    let r = sandbox.smtp_relay();
    mailshift_notify::Relay {
        host: r.host,
        port: r.port,
        security: mailshift_notify::SmtpSecurity::None,
        user: Some(r.user),
        password: Some(mailshift_notify::Secret::new(r.password)),
        from: r.from,
        ca_file: None,
        insecure: false,
        timeout: mailshift_notify::Relay::DEFAULT_TIMEOUT,
    }
}

impl SandboxBackend {
    /// The backend on `sandbox`, with a migrator whose tasks live in the data dir the
    /// sandbox was started in (the parent of its root).
    pub fn new(sandbox: Sandbox) -> Self {
        let home = sandbox
            .root()
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| sandbox.root().to_path_buf());
        let migrator = Migrator::open(&home, Clock::system()).map_err(|e| {
            format!("migrations are off: {e} (check that the data dir is writable, or set MAILSHIFT_HOME)")
        });
        if let Ok(m) = &migrator {
            m.set_relay(Some(sandbox_relay(&sandbox)));
            place_tasks(m, &home);
        }
        SandboxBackend {
            sandbox,
            migrator,
            typed: HashMap::new(),
        }
    }

    /// The backend on `sandbox` with a migrator opened elsewhere (tests).
    pub fn with_migrator(sandbox: Sandbox, migrator: Migrator) -> Self {
        if let Some(home) = sandbox.root().parent() {
            place_tasks(&migrator, home);
        }
        SandboxBackend {
            sandbox,
            migrator: Ok(migrator),
            typed: HashMap::new(),
        }
    }

    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    pub fn into_inner(self) -> Sandbox {
        self.sandbox
    }

    /// The platform whose IMAP server `endpoint` points at (see [`platform_at`]).
    fn platform_at(&self, endpoint: &EndpointSpec) -> Option<PlatformId> {
        platform_at(&self.sandbox.panel().platforms, endpoint, |p| {
            let addr = self.sandbox.imap_addr(p.id).ok()?;
            Some((addr.ip().to_string(), addr.port()))
        })
    }
}

impl Backend for SandboxBackend {
    fn imap_endpoint(&self, platform: PlatformId, address: &str) -> Option<EndpointSpec> {
        let p = self.panel().platform(platform).ok()?;
        let mut ep = crate::tui::backend::platform_endpoint(p, address);
        if let Some(g) = self.sandbox.groupware(platform) {
            ep.groupware = Groupware {
                dav_url: Some(g.dav_url),
                sieve: Some(SieveServer {
                    host: g.sieve.ip().to_string(),
                    port: g.sieve.port(),
                    security: mailshift_engine::imap::Security::None,
                }),
            };
        }
        Some(ep)
    }

    fn panel(&self) -> &PanelState {
        self.sandbox.panel()
    }

    fn create_account(&mut self, platform: PlatformId, new: NewAccount) -> Result<String, String> {
        let secret = Secret::new(new.password.clone());
        let address = self
            .sandbox
            .create_account(platform, new)
            .map_err(|e| e.to_string())?;
        self.typed.insert((platform, login_of(&address)), secret);
        Ok(address)
    }

    fn rename_account(
        &mut self,
        platform: PlatformId,
        address: &str,
        new_local: &str,
    ) -> Result<String, String> {
        let new = self
            .sandbox
            .rename_account(platform, address, new_local)
            .map(|r| r.new)
            .map_err(|e| e.to_string())?;
        if let Some(s) = self.typed.remove(&(platform, login_of(address))) {
            self.typed.insert((platform, login_of(&new)), s);
        }
        Ok(new)
    }

    fn reset_account(&mut self, platform: PlatformId, address: &str) -> Result<(), String> {
        self.sandbox
            .reset_account(platform, address)
            .map(|_| ())
            .map_err(|e| e.to_string())?;
        self.typed.remove(&(platform, login_of(address)));
        Ok(())
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
        async move { check_domain(&lookup, kind, &domain, &host).await }.boxed()
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

    fn migrator(&self) -> Option<Migrator> {
        self.migrator.as_ref().ok().cloned()
    }

    fn migrations_refused(&self) -> Option<String> {
        self.migrator.as_ref().err().cloned()
    }

    fn known_secret(&self, endpoint: &EndpointSpec) -> Option<Secret> {
        let platform = self.platform_at(endpoint)?;
        let login = login_of(&endpoint.login);
        if let Some(s) = self.typed.get(&(platform, login.clone())) {
            return Some(s.clone());
        }
        demo_secret(self.sandbox.panel(), platform, &login)
    }

    fn advance(&mut self) -> bool {
        match self.sandbox.promote_domains() {
            Ok(changed) => changed,
            Err(e) => {
                tracing::warn!("could not record a domain the sandbox finished setting up: {e}");
                false
            }
        }
    }

    fn refresh_usage(&mut self) {
        if let Err(e) = self.sandbox.refresh_used_bytes() {
            tracing::warn!("could not read the sandbox mailbox sizes: {e}");
        }
    }

    fn local_smtp(&self) -> Option<crate::tui::backend::LocalSmtp> {
        let addr = self.sandbox.smtp_addr();
        let (user, password) = self.sandbox.smtp_credential();
        Some(crate::tui::backend::LocalSmtp {
            host: addr.ip().to_string(),
            port: addr.port(),
            user,
            password: Secret::new(password),
        })
    }

    fn shutdown(self: Box<Self>) -> BoxFuture<'static, ()> {
        self.sandbox.shutdown().boxed()
    }

    fn notifications(&self) -> Vec<crate::tui::backend::Notice> {
        match self.sandbox.notifications() {
            Ok(list) => list
                .into_iter()
                .map(|(subject, date)| crate::tui::backend::Notice {
                    subject,
                    date: date.format("%Y-%m-%d %H:%M %:z").to_string(),
                })
                .collect(),
            Err(e) => {
                tracing::warn!("cannot read the notifications mailbox: {e}");
                Vec::new()
            }
        }
    }

    fn notifications_mailbox(&self) -> Option<(PlatformId, String)> {
        let first = self.sandbox.panel().platforms.first()?;
        Some((first.id, mailshift_sandbox::NOTIFICATIONS_LOGIN.to_string()))
    }
}

/// Set in the environment of a handed-off runner (`mailshift resume --secrets-stdin`
/// started by the panel): it hosts the sandbox itself once the panel has let go of it.
pub const HOST_SANDBOX_ENV: &str = "MAILSHIFT_HOST_SANDBOX";

/// Wait while tasks on sandbox platforms other than `own` run (in a panel attached to
/// the sandbox this process hosts, or in another runner using it): the sandbox stops
/// only when no task needs it any more.
pub async fn keep_while_used(migrator: &Migrator, own: &str) {
    loop {
        let busy = migrator.tasks().into_iter().any(|r| {
            r.id != own
                && r.state == mailshift_tasks::TaskState::Running
                && !r.platforms.is_empty()
                && migrator.is_held(&r.id)
        });
        if !busy {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

/// The platforms of the sandbox under a data dir, as `ports.json` places them: read at
/// each question, so that a sandbox started later in this process (or by another one)
/// is found where it listens.
pub struct KeptPlaces {
    file: PathBuf,
}

impl KeptPlaces {
    /// The places of the sandbox under the data dir `home`.
    pub fn new(home: &Path) -> KeptPlaces {
        KeptPlaces {
            file: home
                .join(mailshift_sandbox::provider::SANDBOX_DIR)
                .join(mailshift_sandbox::PORTS_FILE),
        }
    }

    fn kept(&self) -> mailshift_sandbox::KeptPorts {
        mailshift_sandbox::KeptPorts::load(&self.file).unwrap_or_else(|e| {
            tracing::warn!("cannot read the sandbox ports: {e}");
            Default::default()
        })
    }
}

/// The sandbox platform `endpoint` points at: the one whose IMAP server listens at its
/// host and port (`listens_at`), else, on loopback only, the one platform holding its
/// login (a task recorded before the sandbox moved to other ports still names its old
/// port until it is resumed).
fn platform_at(
    platforms: &[mailshift_panel::Platform],
    endpoint: &EndpointSpec,
    listens_at: impl Fn(&mailshift_panel::Platform) -> Option<(String, u16)>,
) -> Option<PlatformId> {
    let by_port = platforms.iter().find_map(|p| {
        let (host, port) = listens_at(p)?;
        (port == endpoint.port && host == endpoint.host).then_some(p.id)
    });
    if by_port.is_some() || !is_loopback(&endpoint.host) {
        return by_port;
    }
    let login = login_of(&endpoint.login);
    let mut holding = platforms.iter().filter(|p| p.account(&login).is_some());
    match (holding.next(), holding.next()) {
        (Some(p), None) => Some(p.id),
        _ => None,
    }
}

/// The demo password, when `login` on `platform` still has it.
fn demo_secret(panel: &PanelState, platform: PlatformId, login: &str) -> Option<Secret> {
    panel
        .platform(platform)
        .ok()?
        .account(login)
        .filter(|a| a.verify_password(DEMO_PASSWORD))
        .map(|_| Secret::new(DEMO_PASSWORD))
}

fn is_loopback(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "localhost" | "::1")
}

/// `url` (`http://host:port/path`) with `port` on 127.0.0.1 instead.
fn with_port(url: &str, port: u16) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    format!("http://127.0.0.1:{port}{path}")
}

impl Places for KeptPlaces {
    fn platform_at(&self, ep: &EndpointSpec) -> Option<String> {
        if !is_loopback(&ep.host) || ep.port == 0 {
            return None;
        }
        let kept = self.kept();
        kept.platforms
            .iter()
            .find_map(|(service, p)| (p.imap == ep.port).then(|| service.clone()))
    }

    fn locate(&self, platform: &str, ep: &EndpointSpec) -> Option<EndpointSpec> {
        let kept = self.kept();
        let ports = kept.platforms.get(platform).filter(|p| p.imap != 0)?;
        let mut now = ep.clone();
        now.host = "127.0.0.1".into();
        now.port = ports.imap;
        if let (Some(url), true) = (&now.groupware.dav_url, ports.dav != 0) {
            now.groupware.dav_url = Some(with_port(url, ports.dav));
        }
        if let (Some(sieve), true) = (&mut now.groupware.sieve, ports.sieve != 0) {
            sieve.host = "127.0.0.1".into();
            sieve.port = ports.sieve;
        }
        Some(now)
    }
}

/// Let `migrator`'s tasks name the sandbox platforms they run on (under the data dir
/// `home`), and find them where they listen when resumed or rolled back.
pub fn place_tasks(migrator: &Migrator, home: &Path) {
    migrator.set_places(Some(std::sync::Arc::new(KeptPlaces::new(home))));
}

/// The sandbox that task `rec` needs (a side on a sandbox platform), started in this
/// process when nobody else serves it: a task recorded on a sandbox platform resumes
/// or rolls back after the panel that ran it has gone. `Ok(None)` when the task is not
/// on the sandbox, or another process (the panel, `sandbox serve`) serves it. With
/// `handed_off`, wait (up to a minute) for the panel that handed the task over to let
/// go of the sandbox's ports, then host it here until the task ends.
pub async fn host_for(
    home: &Path,
    rec: &TaskRecord,
    handed_off: bool,
) -> Result<Option<Sandbox>, String> {
    let root = home.join(mailshift_sandbox::provider::SANDBOX_DIR);
    let kept = mailshift_sandbox::KeptPorts::load(&root.join(mailshift_sandbox::PORTS_FILE))
        .map_err(|e| e.to_string())?;
    let named = [&rec.platforms.source, &rec.platforms.destination];
    // Where the sandbox answers now: the named platform's kept port (0 when none is
    // kept yet), else (records from before platforms were named) a side's own port.
    let port = match named.iter().find_map(|n| n.as_deref()) {
        Some(name) => kept.platform(name).imap,
        None => {
            let ends = [&rec.spec.source, &rec.spec.destination];
            let Some(port) = ends.iter().find_map(|ep| {
                (is_loopback(&ep.host) && kept.platforms.values().any(|p| p.imap == ep.port))
                    .then_some(ep.port)
            }) else {
                return Ok(None);
            };
            port
        }
    };
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let parent = std::os::unix::process::parent_id();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        // The panel that handed the task over still holds the ports until it exits.
        let parent_alive = handed_off && std::os::unix::process::parent_id() == parent;
        if port != 0 && !parent_alive && mailshift_sandbox::sandbox_greets(addr).await {
            return Ok(None);
        }
        let opts = mailshift_sandbox::SandboxOptions::default().with_env()?;
        match Sandbox::start(home, opts).await {
            Ok(sb) => {
                tracing::info!("hosting the sandbox for the task's endpoints until it ends");
                return Ok(Some(sb));
            }
            Err(mailshift_sandbox::SandboxError::PortTaken { .. })
                if handed_off && std::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(e) => return Err(format!("the task's sandbox cannot be started here: {e}")),
        }
    }
}
