//! What a task is asked to do: both endpoints (without their secrets), the options,
//! the notification address. Serializable; secrets travel separately in `Credentials`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use mailshift_engine::imap::{AuthMethod, Endpoint, Secret, Security, Side, Timeouts, TlsOptions};
use mailshift_engine::migrate::{Migration, Options, VerifyMode};
use mailshift_net::Remedy;
use mailshift_panel::migration::{MigrationOption, OptionChoice, OptionSet};
use mailshift_panel::PlatformKind;
use serde::{Deserialize, Serialize};

/// The kind of server on one side, as the provider's migrator asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServerType {
    Exchange,
    #[serde(rename = "emailpro")]
    EmailPro,
    #[serde(rename = "mxplan")]
    MxPlan,
    Gmail,
    Imap,
}

impl ServerType {
    pub const ALL: [ServerType; 5] = [
        ServerType::Exchange,
        ServerType::EmailPro,
        ServerType::MxPlan,
        ServerType::Gmail,
        ServerType::Imap,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ServerType::Exchange => "exchange",
            ServerType::EmailPro => "emailpro",
            ServerType::MxPlan => "mxplan",
            ServerType::Gmail => "gmail",
            ServerType::Imap => "imap",
        }
    }

    /// The provider platform kind behind this type, if it is one.
    pub fn platform(self) -> Option<PlatformKind> {
        match self {
            ServerType::Exchange => Some(PlatformKind::Exchange),
            ServerType::EmailPro => Some(PlatformKind::EmailPro),
            ServerType::MxPlan => Some(PlatformKind::MxPlan),
            ServerType::Gmail | ServerType::Imap => None,
        }
    }

    /// Can this side serve (source) or hold (destination) `option`?
    pub fn supports(self, option: MigrationOption) -> bool {
        match self.platform() {
            Some(kind) => kind.facts().features.supports(option),
            None => match self {
                ServerType::Gmail => matches!(
                    option,
                    MigrationOption::Emails
                        | MigrationOption::Calendars
                        | MigrationOption::Contacts
                        | MigrationOption::ContactGroups
                ),
                _ => option == MigrationOption::Emails,
            },
        }
    }

    /// Why `option` cannot be moved between `src` and `dst`, if it cannot.
    pub fn unsupported_reason(
        src: ServerType,
        dst: ServerType,
        option: MigrationOption,
    ) -> Option<String> {
        if !src.supports(option) {
            Some(format!("a {src} source has no {option}"))
        } else if !dst.supports(option) {
            Some(format!("a {dst} destination cannot hold {option}"))
        } else {
            None
        }
    }
}

impl From<PlatformKind> for ServerType {
    fn from(k: PlatformKind) -> Self {
        match k {
            PlatformKind::Exchange => ServerType::Exchange,
            PlatformKind::EmailPro => ServerType::EmailPro,
            PlatformKind::MxPlan => ServerType::MxPlan,
        }
    }
}

impl fmt::Display for ServerType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ServerType::Exchange => "Exchange",
            ServerType::EmailPro => "Email Pro",
            ServerType::MxPlan => "MX Plan",
            ServerType::Gmail => "Gmail",
            ServerType::Imap => "IMAP",
        })
    }
}

impl FromStr for ServerType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let norm: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '_'))
            .flat_map(char::to_lowercase)
            .collect();
        ServerType::ALL
            .into_iter()
            .find(|t| t.as_str() == norm)
            .ok_or_else(|| {
                format!("unknown server type '{s}': use exchange, emailpro, mxplan, gmail or imap")
            })
    }
}

/// One side's server and login, without the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointSpec {
    pub server_type: ServerType,
    pub host: String,
    pub port: u16,
    pub security: Security,
    #[serde(default)]
    pub auth: AuthMethod,
    pub login: String,
    /// Skip certificate verification (dangerous; off unless asked).
    #[serde(default)]
    pub insecure: bool,
    /// Trust this PEM certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// Where this side serves calendars, contacts and Sieve scripts (same login and password).
    #[serde(default, skip_serializing_if = "Groupware::is_empty")]
    pub groupware: Groupware,
}

/// One side's groupware services, beside its IMAP server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Groupware {
    /// The CalDAV/CardDAV URL to start discovery from (`https://host/` or a principal URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dav_url: Option<String>,
    /// The ManageSieve server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sieve: Option<SieveServer>,
}

impl Groupware {
    pub fn is_empty(&self) -> bool {
        self.dav_url.is_none() && self.sieve.is_none()
    }
}

/// A ManageSieve server (RFC 5804; port 4190 by default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SieveServer {
    pub host: String,
    pub port: u16,
    pub security: Security,
}

impl SieveServer {
    pub const DEFAULT_PORT: u16 = 4190;

    /// `HOST[:PORT]`. STARTTLS is used whenever the server offers it; with `plain`
    /// (the side's IMAP security is `none`) a server that does not offer it is spoken to
    /// in plain text, otherwise it is refused (no password in clear).
    pub fn parse(text: &str, plain: bool) -> Result<SieveServer, String> {
        let text = text.trim();
        let (host, port) = match text.rsplit_once(':') {
            Some((h, p)) if !h.contains(']') || h.ends_with(']') => (
                h,
                p.parse::<u16>().map_err(|_| {
                    format!("'{p}' is not a port number in the ManageSieve server '{text}'")
                })?,
            ),
            _ => (text, Self::DEFAULT_PORT),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(format!(
                "the ManageSieve server '{text}' has no host: give HOST or HOST:PORT"
            ));
        }
        Ok(SieveServer {
            host: host.to_string(),
            port,
            security: if plain {
                Security::None
            } else {
                Security::Starttls
            },
        })
    }
}

impl EndpointSpec {
    /// `login@host:port`, as errors and listings show it.
    pub fn label(&self) -> String {
        format!("{}@{}:{}", self.login, self.host, self.port)
    }

    /// The engine's endpoint for this side with its secret.
    pub fn endpoint(&self, side: Side, secret: Secret) -> Endpoint {
        Endpoint {
            side,
            host: self.host.clone(),
            port: self.port,
            user: self.login.clone(),
            secret,
            security: self.security,
            auth: self.auth,
            tls: TlsOptions {
                insecure: self.insecure,
                ca_file: self.ca_file.clone(),
            },
        }
    }
}

/// Engine tuning carried by a task (the CLI's knobs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tuning {
    pub connections: usize,
    pub batch_messages: usize,
    pub inflight_mib: u64,
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Time limit for connecting and for each IMAP command (engine defaults when None).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<u64>,
    /// How much content verification compares byte for byte.
    #[serde(default)]
    pub verify: VerifyMode,
    /// Copy other users' and shared folders into this destination folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_namespaces_into: Option<String>,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            connections: 4,
            batch_messages: 200,
            inflight_mib: 16,
            include: Vec::new(),
            exclude: Vec::new(),
            timeout_secs: None,
            verify: VerifyMode::Sampled,
            other_namespaces_into: None,
        }
    }
}

/// Everything a task is asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSpec {
    pub source: EndpointSpec,
    pub destination: EndpointSpec,
    /// What to move; options one side cannot serve are refused up front.
    pub options: OptionSet,
    /// Third-party address told when the task ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<String>,
    #[serde(default)]
    pub tuning: Tuning,
    /// The project this task belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
}

impl TaskSpec {
    /// Options requested that one side cannot hold, with the reason.
    pub fn unsupported(&self) -> Vec<(MigrationOption, Unheld)> {
        self.options
            .iter()
            .filter_map(|o| unheld(&self.source, &self.destination, o).map(|u| (o, u)))
            .collect()
    }

    /// Remove the options a side cannot hold (no CalDAV/CardDAV URL or ManageSieve
    /// server on one side); returns them with the reason.
    pub fn drop_unserved(&mut self) -> Vec<(MigrationOption, Unheld)> {
        let dropped = self.unsupported();
        self.options = self
            .options
            .iter()
            .filter(|o| !dropped.iter().any(|(d, _)| d == o))
            .collect();
        dropped
    }

    /// The engine's migration for this task: both endpoints with their secrets and
    /// the tuning turned into engine options (the real run and `--dry-run` alike).
    #[allow(clippy::needless_update)]
    pub fn migration(
        &self,
        creds: &Credentials,
        task_id: &str,
        state_dir: &std::path::Path,
        dry_run: bool,
    ) -> Migration {
        let t = &self.tuning;
        let inflight = t.inflight_mib.max(2) * 1024 * 1024;
        Migration {
            src: self.source.endpoint(Side::Source, creds.source.clone()),
            dst: self
                .destination
                .endpoint(Side::Destination, creds.destination.clone()),
            options: Options {
                include: t.include.clone(),
                exclude: t.exclude.clone(),
                connections: t.connections.max(1),
                batch_messages: t.batch_messages.max(1),
                inflight_bytes: inflight,
                batch_bytes: (inflight / 4).min(4 * 1024 * 1024),
                timeouts: Timeouts::limited(t.timeout_secs),
                verify: t.verify,
                other_namespaces_into: t.other_namespaces_into.clone(),
                dry_run,
                // Options the engine gains later keep their defaults here.
                ..Options::default()
            },
            task_id: task_id.to_string(),
            state_dir: state_dir.to_path_buf(),
        }
    }
}

/// The options `choice` selects between these two sides: `all` is every option both
/// can hold; a named option one side cannot hold is refused with the reason.
pub fn choose_options(
    choice: &OptionChoice,
    source: &EndpointSpec,
    destination: &EndpointSpec,
) -> Result<OptionSet, Vec<Unheld>> {
    match choice {
        OptionChoice::All => Ok(MigrationOption::ALL
            .into_iter()
            .filter(|o| unheld(source, destination, *o).is_none())
            .collect()),
        OptionChoice::Only(set) => {
            let refused: Vec<Unheld> = set
                .iter()
                .filter_map(|o| unheld(source, destination, o))
                .collect();
            if refused.is_empty() {
                Ok(set.clone())
            } else {
                Err(refused)
            }
        }
    }
}

impl EndpointSpec {
    /// Can this side hold `option`? E-mails always; the others when the side names the
    /// server that moves them (a CalDAV/CardDAV URL, a ManageSieve server), whatever
    /// its type.
    pub fn holds(&self, option: MigrationOption) -> bool {
        match service_of(option) {
            None => true,
            Some(Service::Dav) => self.groupware.dav_url.is_some(),
            Some(Service::Sieve) => self.groupware.sieve.is_some(),
        }
    }
}

/// Why one side cannot hold an option: it names no server for the protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unheld {
    pub option: MigrationOption,
    pub side: Side,
    pub server_type: ServerType,
}

impl Unheld {
    /// "CalDAV", "CardDAV" or "ManageSieve".
    pub fn protocol(&self) -> &'static str {
        match self.option {
            MigrationOption::Contacts | MigrationOption::ContactGroups => "CardDAV",
            MigrationOption::InboxRules | MigrationOption::OutOfOffice => "ManageSieve",
            _ => "CalDAV",
        }
    }

    /// What names the missing server: a DAV URL or a ManageSieve host for the side.
    pub fn remedy(&self) -> Remedy {
        match service_of(self.option) {
            Some(Service::Sieve) => Remedy::SieveServer(self.side),
            _ => Remedy::DavServer(self.side),
        }
    }

    /// "calendars: the source has no CalDAV server", without the remedy.
    pub fn reason(&self) -> String {
        let mut text = format!(
            "{}: the {} has no {} server",
            self.option,
            self.side,
            self.protocol()
        );
        if self.server_type.platform().is_some() && !self.server_type.supports(self.option) {
            text.push_str(&format!(
                " ({} does not serve {})",
                self.server_type, self.option
            ));
        }
        text
    }
}

impl fmt::Display for Unheld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason())
    }
}

/// Why `option` cannot move between these sides, if it cannot: a side whose type does
/// not serve it is named first, then the source, then the destination.
pub fn unheld(
    source: &EndpointSpec,
    destination: &EndpointSpec,
    option: MigrationOption,
) -> Option<Unheld> {
    let sides = [(Side::Source, source), (Side::Destination, destination)];
    let missing = || sides.iter().filter(|(_, ep)| !ep.holds(option));
    missing()
        .find(|(_, ep)| !ep.server_type.supports(option))
        .or_else(|| missing().next())
        .map(|(side, ep)| Unheld {
            option,
            side: *side,
            server_type: ep.server_type,
        })
}

/// The protocol that moves an option (e-mails go over IMAP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// CalDAV/CardDAV.
    Dav,
    /// ManageSieve.
    Sieve,
}

/// Which groupware protocol moves `option`; None for e-mails.
pub fn service_of(option: MigrationOption) -> Option<Service> {
    match option {
        MigrationOption::Emails => None,
        MigrationOption::Calendars
        | MigrationOption::Tasks
        | MigrationOption::Contacts
        | MigrationOption::ContactGroups => Some(Service::Dav),
        MigrationOption::InboxRules | MigrationOption::OutOfOffice => Some(Service::Sieve),
    }
}

/// The two secrets a task needs; held in memory only.
#[derive(Clone, Default)]
pub struct Credentials {
    pub source: Secret,
    pub destination: Secret,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credentials { .. }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(server_type: ServerType, dav: bool, sieve: bool) -> EndpointSpec {
        EndpointSpec {
            server_type,
            host: "imap.example.net".into(),
            port: 993,
            security: Security::Tls,
            auth: AuthMethod::Login,
            login: "u@example.net".into(),
            insecure: false,
            ca_file: None,
            groupware: Groupware {
                dav_url: dav.then(|| "https://dav.example.net/".to_string()),
                sieve: sieve.then(|| SieveServer {
                    host: "sieve.example.net".into(),
                    port: 4190,
                    security: Security::Starttls,
                }),
            },
        }
    }

    #[test]
    fn a_dav_url_or_sieve_server_lets_any_type_hold_those_options() {
        let imap = side(ServerType::Imap, true, true);
        for o in MigrationOption::ALL {
            assert!(imap.holds(o), "{o}");
            assert_eq!(unheld(&imap, &imap, o), None, "{o}");
        }
        let mx = side(ServerType::MxPlan, true, false);
        assert!(mx.holds(MigrationOption::Contacts));
        assert!(!mx.holds(MigrationOption::InboxRules));
        assert!(side(ServerType::Exchange, false, false).holds(MigrationOption::Emails));
    }

    #[test]
    fn all_between_two_plain_imap_servers_is_emails_and_named_options_say_what_to_pass() {
        let plain = side(ServerType::Imap, false, false);
        assert_eq!(
            choose_options(&OptionChoice::All, &plain, &plain),
            Ok(OptionSet::emails())
        );
        let dav_only = side(ServerType::Imap, true, false);
        let chosen = choose_options(&OptionChoice::All, &dav_only, &dav_only).unwrap();
        assert_eq!(chosen.len(), 5, "{chosen:?}");
        assert!(!chosen.contains(MigrationOption::InboxRules));

        let named: OptionChoice = "emails,calendars".parse().unwrap();
        let refused = choose_options(&named, &plain, &dav_only).unwrap_err();
        assert_eq!(
            refused[0].to_string(),
            "calendars: the source has no CalDAV server"
        );
        assert_eq!(refused[0].remedy(), Remedy::DavServer(Side::Source));
        let rules: OptionChoice = "inbox-rules".parse().unwrap();
        let refused = choose_options(&rules, &dav_only, &plain).unwrap_err();
        assert_eq!(
            refused[0].to_string(),
            "inbox rules: the source has no ManageSieve server"
        );
        assert_eq!(refused[0].remedy(), Remedy::SieveServer(Side::Source));
        let contacts: OptionChoice = "contacts".parse().unwrap();
        let refused = choose_options(&contacts, &dav_only, &plain).unwrap_err();
        assert_eq!(
            refused[0].to_string(),
            "contacts: the destination has no CardDAV server"
        );
        assert_eq!(refused[0].remedy(), Remedy::DavServer(Side::Destination));
    }

    #[test]
    fn no_refusal_of_an_option_names_a_flag_and_each_carries_its_remedy() {
        let bare = side(ServerType::Imap, false, false);
        let mx = side(ServerType::MxPlan, false, false);
        for option in MigrationOption::ALL {
            for (src, dst) in [(&bare, &mx), (&mx, &bare), (&bare, &bare)] {
                let Some(u) = unheld(src, dst, option) else {
                    continue;
                };
                let e = crate::TaskError::Unheld(u.clone());
                let t = e.to_string();
                assert!(!t.contains("--") && !t.contains("MAILSHIFT_"), "{t}");
                assert_eq!(e.remedy(), Some(u.remedy()));
                assert_eq!(u.remedy().side(), Some(u.side));
            }
        }
    }

    #[test]
    fn a_platform_that_does_not_serve_an_option_is_named_first() {
        let ex = side(ServerType::Exchange, false, false);
        let mx = side(ServerType::MxPlan, false, false);
        let u = unheld(&ex, &mx, MigrationOption::Contacts).unwrap();
        assert_eq!(u.side, Side::Destination);
        assert_eq!(
            u.to_string(),
            "contacts: the destination has no CardDAV server (MX Plan does not serve contacts)"
        );
    }

    #[test]
    fn a_spec_reports_and_drops_what_a_side_cannot_hold_with_real_flag_names() {
        let mut spec = TaskSpec {
            source: side(ServerType::Imap, true, true),
            destination: side(ServerType::Imap, false, false),
            options: OptionSet::all(),
            notify: None,
            tuning: Tuning::default(),
            project: None,
        };
        let why: Vec<Unheld> = spec.unsupported().into_iter().map(|(_, w)| w).collect();
        assert_eq!(why.len(), 6);
        assert!(
            why.iter()
                .all(|w| w.remedy().side() == Some(Side::Destination)),
            "{why:?}"
        );
        assert!(why.iter().all(|w| !w.to_string().contains("--")), "{why:?}");
        assert_eq!(spec.drop_unserved().len(), 6);
        assert_eq!(spec.options, OptionSet::emails());
    }

    #[test]
    fn server_types_parse_leniently_and_reject_unknown_with_the_choices() {
        assert_eq!("MX Plan".parse::<ServerType>(), Ok(ServerType::MxPlan));
        assert_eq!("email-pro".parse::<ServerType>(), Ok(ServerType::EmailPro));
        assert_eq!("IMAP".parse::<ServerType>(), Ok(ServerType::Imap));
        let e = "pop3".parse::<ServerType>().unwrap_err();
        assert!(e.contains("pop3") && e.contains("mxplan"), "{e}");
    }

    #[test]
    fn mx_plan_holds_mail_only_and_imap_serves_mail_only() {
        assert!(ServerType::MxPlan.supports(MigrationOption::Emails));
        assert!(!ServerType::MxPlan.supports(MigrationOption::Calendars));
        assert!(ServerType::Exchange.supports(MigrationOption::Calendars));
        assert!(!ServerType::Imap.supports(MigrationOption::Contacts));
        let why = ServerType::unsupported_reason(
            ServerType::Exchange,
            ServerType::MxPlan,
            MigrationOption::Contacts,
        )
        .unwrap();
        assert!(why.contains("MX Plan") && why.contains("contacts"), "{why}");
    }
}
