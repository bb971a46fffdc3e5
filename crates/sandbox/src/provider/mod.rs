//! The simulated hosting provider as one object: the panel state, one IMAP server per
//! platform over its Maildir store, an SMTP relay into those stores, a DNS server for the
//! demo zones on a simulated clock, the demo seed, and the panel operations in step on disk.

mod accounts;
mod demo_mail;
mod demo_zones;
mod dns;
mod domain_setup;
mod endpoints_text;
mod error;
mod folder_name;
mod host;
mod layout;
mod options;
mod panel_file;
mod ports;
mod saved;
mod seed;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use mailshift_dns::{PropagationDelay, SimClock, ZoneServer};
use mailshift_panel::{Endpoints, PanelState, PlatformId, Security, DEMO_PASSWORD};

pub use error::SandboxError;
pub use folder_name::to_imap_name;
pub use host::{sandbox_greets, SandboxHost, ServedSandbox, HOST_FILE};
pub use layout::{Layout, SANDBOX_DIR};
pub use options::SandboxOptions;
pub use panel_file::{PanelStore, PANEL_FILE, PANEL_FORMAT};
pub use ports::{KeptPorts, PlatformPorts, PORTS_FILE};

use saved::SavedState;

use crate::groupware::{self, GroupwareServers};
use crate::smtp::SandboxRelayService;
use crate::{
    Directory, GroupwareEndpoints, GroupwareSummary, MailStore, SandboxImap, SandboxImapHandle,
    SandboxRelay,
};

/// The sandbox login of a panel address: the full address in lower case.
pub fn login_of(address: &str) -> String {
    address.to_ascii_lowercase()
}

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// One platform's mail side: its store, its logins and its IMAP server.
struct PlatformMail {
    id: PlatformId,
    service: String,
    label: String,
    store: Arc<MailStore>,
    directory: Arc<Directory>,
    server: SandboxImapHandle,
    /// CalDAV/CardDAV and ManageSieve, on platforms whose kind has groupware.
    groupware: Option<GroupwareServers>,
}

/// A running sandbox. Stop it with [`Sandbox::shutdown`] (dropping it also stops the
/// servers, without saving the DNS countdowns).
pub struct Sandbox {
    layout: Layout,
    panel_store: PanelStore,
    /// The panel as shown: endpoints point to the loopback servers.
    panel: PanelState,
    /// The endpoints saved in `panel.json` (the loopback ones are runtime only).
    published: HashMap<PlatformId, Endpoints>,
    mail: Vec<PlatformMail>,
    zones: ZoneServer,
    clock: SimClock,
    delays: PropagationDelay,
    clock_factor: f64,
    saved: SavedState,
    smtp: SandboxRelayService,
    /// Domains the platforms are setting up (see `domain_setup`).
    setups: Vec<domain_setup::DomainSetup>,
    domain_setup: std::time::Duration,
}

impl Sandbox {
    /// Open the sandbox under the data dir `home`, seeding the demo on first start, and
    /// start its servers on 127.0.0.1: one IMAP server per platform (its port goes into
    /// the platform's endpoints, for this run only) and the DNS server for every zone.
    pub async fn start(home: &Path, opts: SandboxOptions) -> Result<Sandbox, SandboxError> {
        let layout = Layout::live(home);
        if !layout.root().exists() {
            let (home, seed) = (home.to_path_buf(), opts.seed);
            tokio::task::spawn_blocking(move || seed::reseed(&home, seed))
                .await
                .map_err(|e| SandboxError::Task(e.to_string()))??;
        }
        let panel_store = PanelStore::open(layout.panel_dir());
        let mut panel = panel_store
            .load()?
            .ok_or_else(|| SandboxError::Incomplete {
                path: layout.root().to_path_buf(),
            })?;
        let saved = SavedState::load(&layout.state_file())?.unwrap_or_default();
        let ports_file = layout.root().join(PORTS_FILE);
        let kept = KeptPorts::load(&ports_file)?;
        let mut chosen = KeptPorts::default();
        let clock = if opts.clock_factor > 0.0 {
            SimClock::scaled(opts.clock_factor)
        } else {
            SimClock::manual()
        };
        let dns_port = ports::wanted(opts.dns_port, kept.dns);
        let smtp_port = ports::wanted(opts.smtp_port, kept.smtp);
        // Every kept port is checked before any server starts: a start that stops half
        // way would leave the first listeners closing in the background.
        ports::ensure_free(dns_port, "DNS server", true)?;
        ports::ensure_free(smtp_port, "SMTP relay", false)?;
        for p in &panel.platforms {
            let label = p.label();
            let keep = kept.platform(&p.service_name);
            let imap = ports::wanted(imap_port_of(&opts, p.id), keep.imap);
            ports::ensure_free(imap, &format!("IMAP server of {label}"), false)?;
            if groupware::serves_groupware(p.kind) {
                let dav = format!("CalDAV/CardDAV server of {label}");
                ports::ensure_free(keep.dav, &dav, false)?;
                let sieve = format!("ManageSieve server of {label}");
                ports::ensure_free(keep.sieve, &sieve, false)?;
            }
        }
        let zones = ZoneServer::start(SocketAddr::new(LOOPBACK, dns_port), clock.clone()).await?;
        chosen.dns = zones.local_addr().port();
        saved.serve(&zones)?;
        let mut published = HashMap::new();
        let mut mail = Vec::new();
        for p in &mut panel.platforms {
            let label = p.label();
            let store = Arc::new(MailStore::open(layout.mail(&p.service_name)).map_err(
                |source| SandboxError::Mail {
                    platform: label.clone(),
                    source,
                },
            )?);
            let dir_path = layout.directory(&p.service_name);
            let directory = Arc::new(if dir_path.exists() {
                Directory::load(&dir_path).map_err(|source| SandboxError::Logins {
                    platform: label.clone(),
                    source,
                })?
            } else {
                Directory::new()
            });
            let keep = kept.platform(&p.service_name);
            let port = ports::wanted(imap_port_of(&opts, p.id), keep.imap);
            let bind = SocketAddr::new(LOOPBACK, port).to_string();
            let server =
                SandboxImap::start(store.clone(), directory.clone(), &bind, &label).await?;
            let mut got = PlatformPorts {
                imap: server.local_addr().port(),
                ..PlatformPorts::default()
            };
            let groupware = match groupware::serves_groupware(p.kind) {
                true => {
                    let g =
                        start_groupware(&layout, &p.service_name, &label, &directory, &opts, keep)
                            .await?;
                    let ends = g.endpoints();
                    got.dav = port_of_url(&ends.dav_url);
                    got.sieve = ends.sieve.port();
                    Some(g)
                }
                false => None,
            };
            chosen.platforms.insert(p.service_name.clone(), got);
            published.insert(p.id, p.endpoints.clone());
            p.endpoints = runtime_endpoints(server.local_addr());
            mail.push(PlatformMail {
                id: p.id,
                service: p.service_name.clone(),
                label,
                store,
                directory,
                server,
                groupware,
            });
        }
        let smtp = {
            let first = mail.first().ok_or(SandboxError::Task(
                "the sandbox has no platform to hold the notifications mailbox".into(),
            ))?;
            let stores = mail.iter().map(|m| m.store.clone()).collect();
            let first_pair = (&first.store, first.directory.as_ref());
            SandboxRelayService::start(smtp_port, stores, first_pair, DEMO_PASSWORD)
                .await
                .map_err(|e| SandboxError::Task(e.to_string()))?
        };
        chosen.smtp = smtp.local_addr().port();
        if chosen != kept {
            chosen.save(&ports_file)?;
        }
        // Another mailshift started meanwhile uses these servers instead of failing.
        if let Err(e) = host::SandboxHost::claim(layout.root()) {
            tracing::warn!("could not record this process as the sandbox's host: {e}");
        }
        let mut sandbox = Sandbox {
            layout,
            panel_store,
            panel,
            published,
            mail,
            zones,
            clock,
            delays: PropagationDelay::new(opts.seed),
            clock_factor: opts.clock_factor,
            saved,
            smtp,
            setups: Vec::new(),
            domain_setup: opts.domain_setup,
        };
        let setups = std::mem::take(&mut sandbox.saved.domain_setups);
        sandbox.resume_domain_setups(&setups);
        sandbox.serve_missing_zones()?;
        sandbox.promote_domains()?;
        Ok(sandbox)
    }

    /// Wipe the sandbox under `home` and seed the demo again (the sandbox must not be
    /// running). Uses [`SandboxOptions::DEFAULT_SEED`].
    pub async fn reset(home: &Path) -> Result<(), SandboxError> {
        Self::reset_with_seed(home, SandboxOptions::DEFAULT_SEED).await
    }

    /// [`Sandbox::reset`] with a given demo seed.
    pub async fn reset_with_seed(home: &Path, seed: u64) -> Result<(), SandboxError> {
        let home = home.to_path_buf();
        tokio::task::spawn_blocking(move || seed::reseed(&home, seed))
            .await
            .map_err(|e| SandboxError::Task(e.to_string()))?
    }

    /// The panel as it stands (endpoints point to the sandbox's loopback servers).
    pub fn panel(&self) -> &PanelState {
        &self.panel
    }

    /// The IMAP server of platform `id`.
    pub fn imap_addr(&self, platform: PlatformId) -> Result<SocketAddr, SandboxError> {
        Ok(self.platform_mail(platform)?.server.local_addr())
    }

    /// The DNS server (UDP and TCP) serving every simulated zone.
    pub fn dns_addr(&self) -> SocketAddr {
        self.zones.local_addr()
    }

    /// The SMTP relay (plain or STARTTLS, AUTH required) delivering into the sandbox.
    pub fn smtp_addr(&self) -> SocketAddr {
        self.smtp.local_addr()
    }

    /// The relay login `(user, password)`: generated at each start, kept in memory only.
    pub fn smtp_credential(&self) -> (String, String) {
        self.smtp.credential()
    }

    /// Everything a client needs to send through the sandbox relay. Mail to a sandbox
    /// account lands in its INBOX; mail to any other address lands in the INBOX of
    /// [`crate::NOTIFICATIONS_LOGIN`] on the first platform (IMAP, demo password).
    pub fn smtp_relay(&self) -> SandboxRelay {
        self.smtp.relay()
    }

    /// The messages in the notifications mailbox (INBOX of
    /// [`crate::NOTIFICATIONS_LOGIN`] on the first platform), newest first:
    /// (subject, arrival date).
    pub fn notifications(
        &self,
    ) -> Result<Vec<(String, chrono::DateTime<chrono::FixedOffset>)>, SandboxError> {
        let Some(first) = self.mail.first() else {
            return Ok(Vec::new());
        };
        let login = crate::NOTIFICATIONS_LOGIN;
        let mail = |source| SandboxError::Mail {
            platform: first.label.clone(),
            source,
        };
        if !first.store.account_exists(login) {
            return Ok(Vec::new());
        }
        let snap = first.store.snapshot(login, "INBOX").map_err(mail)?;
        let mut out = Vec::new();
        for m in snap.messages.iter().rev() {
            let raw = first
                .store
                .read_message(login, "INBOX", m.uid)
                .map_err(mail)?;
            out.push((subject_of(&raw), m.internal_date));
        }
        Ok(out)
    }

    /// The simulated clock that drives DNS propagation.
    pub fn clock(&self) -> &SimClock {
        &self.clock
    }

    /// The sandbox's folder (`home/sandbox`).
    pub fn root(&self) -> &Path {
        self.layout.root()
    }

    /// The Maildir store behind platform `id`'s IMAP server.
    pub fn mail_store(&self, platform: PlatformId) -> Result<&Arc<MailStore>, SandboxError> {
        Ok(&self.platform_mail(platform)?.store)
    }

    /// Where platform `id`'s CalDAV/CardDAV and ManageSieve servers listen; `None` for
    /// platforms without groupware (or unknown ones).
    pub fn groupware(&self, platform: PlatformId) -> Option<GroupwareEndpoints> {
        let m = self.mail.iter().find(|m| m.id == platform)?;
        m.groupware.as_ref().map(GroupwareServers::endpoints)
    }

    /// What `login` holds on platform `id`: calendars, events, tasks, contacts, scripts.
    pub fn groupware_summary(
        &self,
        platform: PlatformId,
        login: &str,
    ) -> Result<GroupwareSummary, SandboxError> {
        let m = self.platform_mail(platform)?;
        let g = m
            .groupware
            .as_ref()
            .ok_or(SandboxError::NoGroupware(platform))?;
        g.store
            .summary(&login_of(login))
            .map_err(|source| SandboxError::Groupware {
                platform: m.label.clone(),
                source,
            })
    }

    /// Save the DNS state (zones and countdowns) and stop every server.
    pub async fn shutdown(self) {
        if let Err(e) = self.save_state() {
            tracing::warn!("could not save the sandbox DNS state: {e}");
        }
        self.smtp.shutdown().await;
        for m in self.mail {
            m.server.shutdown().await;
            if let Some(g) = m.groupware {
                g.shutdown().await;
            }
        }
        self.zones.shutdown().await;
        host::SandboxHost::release(self.layout.root());
    }

    fn platform_mail(&self, id: PlatformId) -> Result<&PlatformMail, SandboxError> {
        self.panel.platform(id)?;
        self.mail
            .iter()
            .find(|m| m.id == id)
            .ok_or(SandboxError::NoServer(id))
    }

    /// Save `next` as the panel (with the published endpoints) and make it current.
    fn commit_panel(&mut self, next: PanelState) -> Result<(), SandboxError> {
        let mut on_disk = next.clone();
        for p in &mut on_disk.platforms {
            if let Some(e) = self.published.get(&p.id) {
                p.endpoints = e.clone();
            }
        }
        self.panel_store.save(&on_disk)?;
        self.panel = next;
        Ok(())
    }

    /// Save `sandbox.json`: zones as visible now, countdowns, simulated sizes.
    fn save_state(&self) -> Result<(), SandboxError> {
        let mut saved = self.saved.clone();
        saved.domain_setups = self.saved_setups();
        let domains = self.zone_domains();
        saved.capture_zones(&self.zones, &domains);
        saved.save(&self.layout.state_file())?;
        Ok(())
    }
}

/// Open a groupware platform's store and start its DAV and ManageSieve servers.
async fn start_groupware(
    layout: &Layout,
    service: &str,
    label: &str,
    directory: &Arc<Directory>,
    opts: &SandboxOptions,
    keep: PlatformPorts,
) -> Result<GroupwareServers, SandboxError> {
    let root = layout.groupware(service);
    let store = groupware::open_store(&root, directory, opts.seed).map_err(|source| {
        SandboxError::Groupware {
            platform: label.to_string(),
            source,
        }
    })?;
    let dav = SocketAddr::new(LOOPBACK, keep.dav).to_string();
    let sieve = SocketAddr::new(LOOPBACK, keep.sieve).to_string();
    GroupwareServers::start(Arc::new(store), directory.clone(), &dav, &sieve)
        .await
        .map_err(|source| SandboxError::GroupwareServer {
            platform: label.to_string(),
            source,
        })
}

/// The IMAP port the options ask for platform `id` (0: none asked).
fn imap_port_of(opts: &SandboxOptions, id: PlatformId) -> u16 {
    match opts.imap_port_base {
        0 => 0,
        base => base.saturating_add(u16::try_from(id.0.saturating_sub(1)).unwrap_or(0)),
    }
}

/// The Subject header of a raw message (unfolded), or "(no subject)".
fn subject_of(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut lines = text.split("\r\n").flat_map(|l| l.split('\n'));
    let mut subject: Option<String> = None;
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        match &mut subject {
            Some(s) if line.starts_with([' ', '\t']) => s.push_str(line.trim_end()),
            Some(_) => break,
            None => {
                if let Some((name, value)) = line.split_once(':') {
                    if name.eq_ignore_ascii_case("subject") {
                        subject = Some(value.trim().to_string());
                    }
                }
            }
        }
    }
    subject
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "(no subject)".into())
}

/// The port of a DAV URL such as `http://127.0.0.1:8080/` (0 when it names none).
fn port_of_url(url: &str) -> u16 {
    url.rsplit_once(':')
        .and_then(|(_, rest)| rest.split('/').next()?.parse().ok())
        .unwrap_or(0)
}

/// Where a client reaches a sandbox platform: plain IMAP on loopback, no SMTP (port 0).
fn runtime_endpoints(imap: SocketAddr) -> Endpoints {
    Endpoints {
        host: imap.ip().to_string(),
        imap_port: imap.port(),
        imap_security: Security::None,
        smtp_port: 0,
        smtp_security: Security::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sandbox_can_move_between_tasks() {
        fn send<T: Send>() {}
        send::<Sandbox>();
    }

    #[test]
    fn the_subject_is_read_from_the_headers_only() {
        let m =
            b"From: a@b.c\r\nSubject: task MS-1\r\n finished\r\nTo: x@y.z\r\n\r\nSubject: body\r\n";
        assert_eq!(subject_of(m), "task MS-1 finished");
        assert_eq!(
            subject_of(b"From: a@b.c\r\n\r\nSubject: body\r\n"),
            "(no subject)"
        );
    }

    #[test]
    fn logins_are_lower_case_addresses() {
        assert_eq!(login_of("John.Smith@Example.com"), "john.smith@example.com");
        let e = runtime_endpoints("127.0.0.1:1143".parse().unwrap());
        assert_eq!((e.host.as_str(), e.imap_port), ("127.0.0.1", 1143));
        assert_eq!(e.imap_security, Security::None);
    }
}
