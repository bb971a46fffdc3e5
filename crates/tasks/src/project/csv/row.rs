//! One data row of a project file: every cell checked, every problem collected with
//! its column, and the task spec and secrets it stands for when all is well.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;

use mailshift_engine::imap::{AuthMethod, Secret, Security};
use mailshift_panel::migration::OptionSet;

use super::header::Header;
use super::options::parse_options;
use super::password::{resolve_password, PasswordFiles};
use super::{ProjectRow, RowError};
use crate::spec::{Credentials, EndpointSpec, ServerType, TaskSpec, Tuning};

/// Accounts already used by earlier rows: (host, port, login) -> line.
#[derive(Default)]
pub(super) struct Seen {
    sources: HashMap<(String, u16, String), usize>,
    destinations: HashMap<(String, u16, String), usize>,
}

/// One side's cells, each parsed if it could be.
struct SideParts {
    server_type: Option<ServerType>,
    host: Option<String>,
    port: Option<u16>,
    security: Option<Security>,
    auth: Option<AuthMethod>,
    login: Option<String>,
    secret: Option<Secret>,
}

impl SideParts {
    fn endpoint(&self) -> Option<EndpointSpec> {
        Some(EndpointSpec {
            server_type: self.server_type?,
            host: self.host.clone()?,
            port: self.port?,
            security: self.security?,
            auth: self.auth?,
            login: self.login.clone()?,
            insecure: false,
            ca_file: None,
            groupware: Default::default(),
        })
    }

    /// What the options are checked against: the type and the groupware servers (a
    /// project row names none), even when other cells of this side are refused.
    fn holder(&self) -> Option<EndpointSpec> {
        Some(EndpointSpec {
            server_type: self.server_type?,
            host: String::new(),
            port: 0,
            security: Security::default(),
            auth: AuthMethod::default(),
            login: String::new(),
            insecure: false,
            ca_file: None,
            groupware: Default::default(),
        })
    }

    fn account_key(&self) -> Option<(String, u16, String)> {
        Some((
            self.host.as_ref()?.to_ascii_lowercase(),
            self.port?,
            self.login.as_ref()?.to_lowercase(),
        ))
    }
}

/// One data row being validated; collects its problems.
pub(super) struct Row<'a> {
    line: usize,
    record: &'a ::csv::StringRecord,
    header: &'a Header,
    pub(super) errors: Vec<RowError>,
}

impl<'a> Row<'a> {
    pub(super) fn new(line: usize, record: &'a ::csv::StringRecord, header: &'a Header) -> Self {
        Row {
            line,
            record,
            header,
            errors: Vec::new(),
        }
    }

    fn cell(&self, column: &str) -> &str {
        self.header
            .index
            .get(column)
            .and_then(|i| self.record.get(*i))
            .unwrap_or("")
            .trim()
    }

    fn fail(&mut self, column: &str, reason: impl Into<mailshift_net::Failure>) {
        self.errors
            .push(RowError::new(self.line, Some(column), reason));
    }

    pub(super) fn parse(
        &mut self,
        base_dir: &Path,
        env: &dyn Fn(&str) -> Option<String>,
        files: PasswordFiles,
        seen: &mut Seen,
    ) -> Option<ProjectRow> {
        if self.has_stray_cells() {
            // The cells are shifted (an unquoted separator, often inside a password):
            // checking them would echo misplaced values, maybe a piece of a password.
            return None;
        }
        let src = self.side("src", base_dir, env, files);
        let dst = self.side("dst", base_dir, env, files);
        self.check_same_mailbox(&src, &dst);
        self.check_duplicate("src_login", "source", &src, &mut seen.sources);
        self.check_duplicate("dst_login", "destination", &dst, &mut seen.destinations);
        let options = self.options(src.holder(), dst.holder());
        let notify = self.notify();
        if !self.errors.is_empty() {
            return None;
        }
        Some(ProjectRow {
            line: self.line,
            spec: TaskSpec {
                source: src.endpoint()?,
                destination: dst.endpoint()?,
                options: options?,
                notify: notify?,
                tuning: Tuning::default(),
                project: None,
            },
            credentials: Credentials {
                source: src.secret?,
                destination: dst.secret?,
            },
        })
    }

    /// A row may not have more cells than the header line, and cells under an unnamed
    /// header cell must be empty: anything else usually means an unquoted separator.
    fn has_stray_cells(&mut self) -> bool {
        const FIX: &str = "put a cell that contains the separator in double quotes";
        let (cells, width) = (self.record.len(), self.header.width);
        let reason = if cells > width {
            format!("this row has {cells} cells where the header has {width}: {FIX}")
        } else if self
            .record
            .iter()
            .enumerate()
            .any(|(i, c)| !c.trim().is_empty() && !self.header.index.values().any(|n| *n == i))
        {
            format!("this row has a value under a column with no name in the header: {FIX}")
        } else {
            return false;
        };
        self.errors.push(RowError::new(self.line, None, reason));
        true
    }

    fn side(
        &mut self,
        prefix: &str,
        base_dir: &Path,
        env: &dyn Fn(&str) -> Option<String>,
        files: PasswordFiles,
    ) -> SideParts {
        let col = |name: &str| format!("{prefix}_{name}");

        let (c, v) = (col("type"), self.cell(&col("type")).to_owned());
        let server_type = if v.is_empty() {
            self.fail(
                &c,
                "the server type is empty: use exchange, emailpro, mxplan, gmail or imap",
            );
            None
        } else {
            v.parse::<ServerType>().map_err(|e| self.fail(&c, e)).ok()
        };

        let (c, v) = (col("host"), self.cell(&col("host")).to_owned());
        let host = check_host(&v)
            .map(|()| v)
            .map_err(|e| self.fail(&c, e))
            .ok();

        let (c, v) = (col("security"), self.cell(&col("security")).to_owned());
        let security = parse_security(&v).map_err(|e| self.fail(&c, e)).ok();

        let (c, v) = (col("port"), self.cell(&col("port")).to_owned());
        let port = if v.is_empty() {
            security.map(Security::imap_port)
        } else {
            parse_port(&v).map_err(|e| self.fail(&c, e)).ok()
        };

        let (c, v) = (col("auth"), self.cell(&col("auth")).to_owned());
        let auth = parse_auth(&v).map_err(|e| self.fail(&c, e)).ok();

        let (c, v) = (col("login"), self.cell(&col("login")).to_owned());
        let login = if v.is_empty() {
            self.fail(
                &c,
                "the login is empty: write the account's login (usually its e-mail address)",
            );
            None
        } else {
            Some(v)
        };

        let c = col("password");
        let secret = resolve_password(self.cell(&c), base_dir, env, files)
            .map_err(|e| self.fail(&c, e))
            .ok();

        SideParts {
            server_type,
            host,
            port,
            security,
            auth,
            login,
            secret,
        }
    }

    /// A row whose source and destination are one mailbox (same host, port and login,
    /// whatever the case) would copy the mailbox onto itself: the task refuses to start.
    fn check_same_mailbox(&mut self, src: &SideParts, dst: &SideParts) {
        let (Some(a), Some(b)) = (src.account_key(), dst.account_key()) else {
            return;
        };
        if a == b {
            let reason = format!(
                "the destination is the source mailbox itself ({}@{}:{}): write the new \
                 server or the new login in the dst_ columns",
                a.2, a.0, a.1
            );
            self.fail("dst_login", reason);
        }
    }

    fn check_duplicate(
        &mut self,
        column: &str,
        side: &str,
        parts: &SideParts,
        seen: &mut HashMap<(String, u16, String), usize>,
    ) {
        let Some(key) = parts.account_key() else {
            return;
        };
        if let Some(first) = seen.get(&key) {
            let reason = format!(
                "the same {side} account ({}@{}:{}) as line {first}: two tasks would write the same \
                 journal; keep one row per account",
                key.2, key.0, key.1
            );
            self.fail(column, reason);
        } else {
            seen.insert(key, self.line);
        }
    }

    fn options(
        &mut self,
        src: Option<EndpointSpec>,
        dst: Option<EndpointSpec>,
    ) -> Option<OptionSet> {
        let cell = self.cell("options").to_owned();
        match parse_options(&cell, src.as_ref().zip(dst.as_ref())) {
            Ok(set) => Some(set),
            Err(reasons) => {
                for r in reasons {
                    self.fail("options", r);
                }
                None
            }
        }
    }

    fn notify(&mut self) -> Option<Option<String>> {
        let v = self.cell("notify").to_owned();
        if v.is_empty() {
            return Some(None);
        }
        match address_field(&v) {
            Ok(()) => Some(Some(v)),
            Err(e) => {
                self.fail("notify", e);
                None
            }
        }
    }
}

pub(super) fn check_host(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err(
            "the host is empty: write the IMAP server's name (imap.example.net) or IP address"
                .into(),
        );
    }
    if host.chars().any(char::is_whitespace) {
        return Err(format!(
            "'{host}' contains a space: write the server name only"
        ));
    }
    if host.contains('/') {
        return Err(format!(
            "'{host}' contains '/': write the server name only (imap.example.net), not a URL"
        ));
    }
    if host.contains('@') {
        return Err(format!(
            "'{host}' contains '@': write the server name here and the account in the login column"
        ));
    }
    if host.parse::<IpAddr>().is_ok() {
        return Ok(());
    }
    if host.contains(':') {
        return Err(format!(
            "'{host}' contains ':': put the port in the port column"
        ));
    }
    let name = host.strip_suffix('.').unwrap_or(host);
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let last_is_numeric = name
        .rsplit('.')
        .next()
        .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()));
    if name.len() > 253 || !name.split('.').all(label_ok) || last_is_numeric {
        return Err(format!("'{host}' is not a valid host name or IP address"));
    }
    Ok(())
}

/// An empty cell is the default (TLS); anything else is read by `Security`'s own
/// `FromStr`, the one the CLI and the TUI use.
fn parse_security(v: &str) -> Result<Security, String> {
    match v {
        "" => Ok(Security::default()),
        _ => v
            .parse()
            .map_err(|e: mailshift_net::UnknownChoice| e.to_string()),
    }
}

fn parse_port(v: &str) -> Result<u16, String> {
    match v.parse::<u32>() {
        Ok(n @ 1..=65535) => Ok(n as u16),
        _ => Err(format!("'{v}' is not a port (1-65535)")),
    }
}

/// An empty cell is LOGIN; anything else is read by `AuthMethod`'s own `FromStr`.
pub(super) fn parse_auth(v: &str) -> Result<AuthMethod, String> {
    match v {
        "" => Ok(AuthMethod::default()),
        _ => v
            .parse()
            .map_err(|e: mailshift_net::UnknownChoice| e.to_string()),
    }
}

/// One e-mail address, checked the way the task start checks it.
pub(super) fn address_field(v: &str) -> Result<(), String> {
    mailshift_net::check_address(v)
        .map(|_| ())
        .map_err(|e| e.to_string())
}
