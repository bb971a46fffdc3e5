//! Reading a project CSV: the header, then one migration task per row. Every cell is
//! checked and every problem collected (with its physical line and column) before
//! anything starts; passwords come from the cell, `env:NAME` or `file:PATH`.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use mailshift_engine::imap::{AuthMethod, Secret, Security};
use mailshift_panel::migration::{OptionChoice, OptionSet, OptionsError};

use super::limits::server_key;
use crate::spec::{choose_options, Credentials, EndpointSpec, ServerType, TaskSpec, Tuning};

/// Columns every project file must have (any order, any case).
pub const REQUIRED_COLUMNS: [&str; 14] = [
    "src_type",
    "src_host",
    "src_port",
    "src_security",
    "src_login",
    "src_password",
    "dst_type",
    "dst_host",
    "dst_port",
    "dst_security",
    "dst_login",
    "dst_password",
    "options",
    "notify",
];

/// Columns a project file may have.
pub const OPTIONAL_COLUMNS: [&str; 2] = ["src_auth", "dst_auth"];

const OPTION_CHOICES: &str =
    "emails, calendars, contacts, inbox_rules, contact_groups, out_of_office, tasks or all";

/// One validated row: the task it asks for and the two secrets it needs.
#[derive(Debug, Clone)]
pub struct ProjectRow {
    /// 1-based physical line of the row in the file (the header is line 1).
    pub line: usize,
    pub spec: TaskSpec,
    pub credentials: Credentials,
}

impl ProjectRow {
    /// The two servers (`host:port`, lowercased) this row's task connects to,
    /// as [`Limits::acquire`](super::Limits::acquire) wants them.
    pub fn servers(&self) -> [String; 2] {
        [
            server_key(&self.spec.source.host, self.spec.source.port),
            server_key(&self.spec.destination.host, self.spec.destination.port),
        ]
    }
}

/// Every row of a project file, all valid.
#[derive(Debug, Clone)]
pub struct ProjectFile {
    pub rows: Vec<ProjectRow>,
}

/// One problem in a project file. Never carries a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RowError {
    /// 1-based physical line (the header is line 1).
    pub line: usize,
    /// The column the problem is in, when it is about one cell.
    pub column: Option<String>,
    pub reason: String,
}

impl RowError {
    fn new(line: usize, column: Option<&str>, reason: impl Into<String>) -> Self {
        RowError {
            line,
            column: column.map(str::to_owned),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {}, {}: {}", self.line, column, self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

/// Why a project file on disk cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ProjectFileError {
    #[error("cannot read the project file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the project file {} is not UTF-8 text ({detail}): save it from the spreadsheet as \"CSV UTF-8\"",
        path.display()
    )]
    NotUtf8 { path: PathBuf, detail: String },
    #[error("{}", invalid_message(path, errors))]
    Invalid {
        path: PathBuf,
        errors: Vec<RowError>,
    },
}

fn invalid_message(path: &Path, errors: &[RowError]) -> String {
    let count = match errors.len() {
        1 => "1 problem".to_owned(),
        n => format!("{n} problems"),
    };
    let mut out = format!(
        "the project file {} has {count}; nothing was started:",
        path.display()
    );
    for e in errors {
        out.push_str("\n  ");
        out.push_str(&e.to_string());
    }
    out
}

/// Read and validate the project file at `path` (read once; `env:` references use
/// this process's environment, `file:` paths are relative to the file's folder).
pub fn read_project(path: &Path) -> Result<ProjectFile, ProjectFileError> {
    let bytes = std::fs::read(path).map_err(|source| ProjectFileError::Read {
        path: path.to_owned(),
        source,
    })?;
    let text = decode(bytes).map_err(|detail| ProjectFileError::NotUtf8 {
        path: path.to_owned(),
        detail,
    })?;
    let base_dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let env = |name: &str| std::env::var(name).ok();
    parse_project(&text, base_dir, &env).map_err(|errors| ProjectFileError::Invalid {
        path: path.to_owned(),
        errors,
    })
}

fn decode(bytes: Vec<u8>) -> Result<String, String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err("it is UTF-16".to_owned());
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count();
        format!("invalid byte on line {line}")
    })
}

/// Validate a whole project file's text. `base_dir` resolves relative `file:` paths;
/// `env` looks up `env:` references. Returns every problem found, not just the first.
pub fn parse_project(
    text: &str,
    base_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ProjectFile, Vec<RowError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .delimiter(separator(text))
        .from_reader(text.as_bytes());

    let mut header: Option<(usize, Header)> = None;
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut seen = Seen::default();
    for result in reader.records() {
        let record = match result {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(1, |p| record_line(text, p));
                errors.push(RowError::new(line, None, format!("unreadable CSV: {e}")));
                break;
            }
        };
        let line = record.position().map_or(1, |p| record_line(text, p));
        if is_blank(&record)
            || record
                .get(0)
                .is_some_and(|c| c.trim_start().starts_with('#'))
        {
            continue;
        }
        let Some((_, header)) = &header else {
            match Header::parse(&record) {
                Ok(h) => header = Some((line, h)),
                Err(reasons) => {
                    errors.extend(reasons.into_iter().map(|r| RowError::new(line, None, r)));
                    return Err(errors);
                }
            }
            continue;
        };
        let mut row = Row {
            line,
            record: &record,
            header,
            errors: Vec::new(),
        };
        if let Some(project_row) = row.parse(base_dir, env, &mut seen) {
            rows.push(project_row);
        }
        errors.append(&mut row.errors);
    }

    match header {
        None => Err(vec![RowError::new(
            1,
            None,
            format!(
                "the file is empty: it needs a header line ({}) and one row per mailbox; \
                 `mailshift project template` prints an example",
                REQUIRED_COLUMNS.join(",")
            ),
        )]),
        Some(_) if !errors.is_empty() => Err(errors),
        Some((line, _)) if rows.is_empty() => Err(vec![RowError::new(
            line,
            None,
            "there is no task row after the header: add one row per mailbox to migrate",
        )]),
        Some(_) => Ok(ProjectFile { rows }),
    }
}

/// `,` unless the header line has no comma and has a `;` (European spreadsheets).
fn separator(text: &str) -> u8 {
    let header = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    if !header.contains(',') && header.contains(';') {
        b';'
    } else {
        b','
    }
}

/// The physical line a record starts on. The csv crate reports the position where it
/// began reading, before the blank and `#` lines it skips; skip them the same way.
fn record_line(text: &str, pos: &::csv::Position) -> usize {
    let bytes = text.as_bytes();
    let mut at = (pos.byte() as usize).min(bytes.len());
    loop {
        match bytes.get(at) {
            Some(b'\r' | b'\n') => at += 1,
            Some(b'#') => {
                at = bytes[at..]
                    .iter()
                    .position(|b| *b == b'\n')
                    .map_or(bytes.len(), |n| at + n + 1);
            }
            _ => break,
        }
    }
    1 + bytes[..at].iter().filter(|b| **b == b'\n').count()
}

fn is_blank(record: &::csv::StringRecord) -> bool {
    record.iter().all(|c| c.trim().is_empty())
}

/// Column name -> index, checked against the known columns.
struct Header {
    index: HashMap<&'static str, usize>,
    /// How many cells the header line has, named or not.
    width: usize,
}

impl Header {
    fn parse(record: &::csv::StringRecord) -> Result<Header, Vec<String>> {
        let mut index = HashMap::new();
        let mut reasons = Vec::new();
        let known = || {
            let mut all: Vec<&str> = REQUIRED_COLUMNS.to_vec();
            all.extend(OPTIONAL_COLUMNS);
            all.join(", ")
        };
        for (i, raw) in record.iter().enumerate() {
            let name = raw.trim().to_ascii_lowercase();
            if name.is_empty() {
                continue; // a spreadsheet's trailing empty column; its cells must stay empty
            }
            let found = REQUIRED_COLUMNS
                .iter()
                .chain(OPTIONAL_COLUMNS.iter())
                .find(|c| **c == name);
            match found {
                Some(column) => {
                    if index.insert(*column, i).is_some() {
                        reasons.push(format!(
                            "column '{column}' appears twice in the header: keep one"
                        ));
                    }
                }
                None => reasons.push(format!(
                    "unknown column '{}': the known columns are {}",
                    raw.trim(),
                    known()
                )),
            }
        }
        let missing: Vec<&str> = REQUIRED_COLUMNS
            .iter()
            .copied()
            .filter(|c| !index.contains_key(c))
            .collect();
        if !missing.is_empty() {
            let s = if missing.len() == 1 { "" } else { "s" };
            reasons.push(format!(
                "missing column{s} {}: the header needs {} (optional: {})",
                missing.join(", "),
                REQUIRED_COLUMNS.join(", "),
                OPTIONAL_COLUMNS.join(", ")
            ));
        }
        if reasons.is_empty() {
            Ok(Header {
                index,
                width: record.len(),
            })
        } else {
            Err(reasons)
        }
    }
}

/// Accounts already used by earlier rows: (host, port, login) -> line.
#[derive(Default)]
struct Seen {
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
struct Row<'a> {
    line: usize,
    record: &'a ::csv::StringRecord,
    header: &'a Header,
    errors: Vec<RowError>,
}

impl Row<'_> {
    fn cell(&self, column: &str) -> &str {
        self.header
            .index
            .get(column)
            .and_then(|i| self.record.get(*i))
            .unwrap_or("")
            .trim()
    }

    fn fail(&mut self, column: &str, reason: impl Into<String>) {
        self.errors
            .push(RowError::new(self.line, Some(column), reason));
    }

    fn parse(
        &mut self,
        base_dir: &Path,
        env: &dyn Fn(&str) -> Option<String>,
        seen: &mut Seen,
    ) -> Option<ProjectRow> {
        if self.has_stray_cells() {
            // The cells are shifted (an unquoted separator, often inside a password):
            // checking them would echo misplaced values, maybe a piece of a password.
            return None;
        }
        let src = self.side("src", base_dir, env);
        let dst = self.side("dst", base_dir, env);
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
            security.map(Security::default_port)
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
        let secret = resolve_password(self.cell(&c), base_dir, env)
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
        match check_address(&v) {
            Ok(()) => Some(Some(v)),
            Err(e) => {
                self.fail("notify", e);
                None
            }
        }
    }
}

fn check_host(host: &str) -> Result<(), String> {
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

fn parse_security(v: &str) -> Result<Security, String> {
    match v.to_ascii_lowercase().as_str() {
        "" | "tls" => Ok(Security::Tls),
        "starttls" => Ok(Security::Starttls),
        "none" => Ok(Security::None),
        _ => Err(format!("unknown security '{v}': use tls, starttls or none")),
    }
}

fn parse_port(v: &str) -> Result<u16, String> {
    match v.parse::<u32>() {
        Ok(n @ 1..=65535) => Ok(n as u16),
        _ => Err(format!("'{v}' is not a port (1-65535)")),
    }
}

fn parse_auth(v: &str) -> Result<AuthMethod, String> {
    match v.to_ascii_lowercase().as_str() {
        "" | "login" => Ok(AuthMethod::Login),
        "plain" => Ok(AuthMethod::Plain),
        "xoauth2" => Ok(AuthMethod::Xoauth2),
        _ => Err(format!(
            "unknown authentication '{v}': use login, plain or xoauth2"
        )),
    }
}

/// The secret a password cell stands for. Error messages name variables and paths,
/// never the value.
fn resolve_password(
    cell: &str,
    base_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Secret, String> {
    const EMPTY: &str = "the password is empty: write it, or a reference env:NAME (environment \
                         variable) or file:PATH (a file next to the CSV)";
    if let Some(literal) = cell.strip_prefix("raw:") {
        return if literal.is_empty() {
            Err(EMPTY.into())
        } else {
            Ok(Secret::new(literal))
        };
    }
    if let Some(name) = cell.strip_prefix("env:") {
        let name = name.trim();
        if name.is_empty() {
            return Err("env: needs a variable name (env:SRC_PASSWORD)".into());
        }
        return match env(name) {
            Some(value) if !value.is_empty() => Ok(Secret::new(value)),
            Some(_) => Err(format!(
                "environment variable {name} is empty: set it to the password"
            )),
            None => Err(format!(
                "environment variable {name} is not set: export it with the password"
            )),
        };
    }
    if let Some(path) = cell.strip_prefix("file:") {
        let path = path.trim();
        if path.is_empty() {
            return Err("file: needs a path (file:passwords/john.txt)".into());
        }
        let full = base_dir.join(path);
        let mut value = std::fs::read_to_string(&full)
            .map_err(|e| format!("cannot read the password file {}: {e}", full.display()))?;
        let keep = value
            .strip_suffix("\r\n")
            .or_else(|| value.strip_suffix('\n'))
            .map_or(value.len(), str::len);
        value.truncate(keep);
        return if value.is_empty() {
            Err(format!("the password file {} is empty", full.display()))
        } else {
            Ok(Secret::new(value))
        };
    }
    if cell.is_empty() {
        Err(EMPTY.into())
    } else {
        Ok(Secret::new(cell))
    }
}

/// The options cell: names separated by `;`, `|` or `+` (or `,` inside a quoted cell);
/// empty means e-mails only; `all` means every option both sides can hold (the same
/// meaning as `mailshift migrate --options`). `sides` is None when a side's cells are
/// already refused.
fn parse_options(
    cell: &str,
    sides: Option<(&EndpointSpec, &EndpointSpec)>,
) -> Result<OptionSet, Vec<String>> {
    if cell.trim().is_empty() {
        return Ok(OptionSet::emails());
    }
    let choice: OptionChoice = cell.parse().map_err(|e| match e {
        OptionsError::Unknown(words) => words
            .iter()
            .map(|w| format!("unknown option '{w}': use {OPTION_CHOICES}"))
            .collect(),
        OptionsError::Empty => vec![format!("no option given: use {OPTION_CHOICES}")],
    })?;
    let Some((src, dst)) = sides else {
        // A side is already refused for this row: check the names only.
        return Ok(match choice {
            OptionChoice::All => OptionSet::all(),
            OptionChoice::Only(set) => set,
        });
    };
    choose_options(&choice, src, dst).map_err(|refused| {
        refused
            .iter()
            .map(|u| {
                format!(
                    "'{}' cannot be migrated: {} (a project row names no CalDAV/CardDAV or ManageSieve server: move it with `mailshift migrate ... {}`)",
                    u.option,
                    u.reason(),
                    u.flag()
                )
            })
            .collect()
    })
}

/// A plausible single e-mail address: one `@`, a local part, a dotted domain.
fn check_address(v: &str) -> Result<(), String> {
    let bad = || {
        format!(
            "'{v}' is not an e-mail address: write one address (it@example.com) or leave it empty"
        )
    };
    if v.chars()
        .any(|c| c.is_whitespace() || matches!(c, ',' | ';' | '<' | '>' | '"'))
    {
        return Err(bad());
    }
    let Some((local, domain)) = v.split_once('@') else {
        return Err(bad());
    };
    if local.is_empty()
        || domain.contains('@')
        || !domain.contains('.')
        || check_host(domain).is_err()
    {
        return Err(bad());
    }
    if domain.parse::<IpAddr>().is_ok() {
        return Err(bad());
    }
    Ok(())
}

/// A commented example project, as `mailshift project template` prints it.
pub fn template() -> &'static str {
    TEMPLATE
}

const TEMPLATE: &str = "\
# mailshift project: one migration task per row; every row is checked before any task starts.
# Lines starting with # and blank lines are ignored. Columns may come in any order.
#
#   src_type, dst_type          exchange, emailpro, mxplan, gmail or imap
#   src_host, dst_host          the IMAP server's name or IP address (no URL, no port)
#   src_port, dst_port          empty: 993 with tls, 143 with starttls or none
#   src_security, dst_security  tls (empty means tls), starttls or none
#   src_login, dst_login        the account's login, usually its e-mail address
#   src_password, dst_password  surrounding spaces are ignored;
#                               env:NAME reads an environment variable, file:PATH reads a file
#                               (relative to this CSV; one trailing newline is dropped);
#                               raw:TEXT is the literal TEXT; anything else is the password itself
#                               (prefer env: or file: so no password sits in this file)
#   src_auth, dst_auth          optional column: login (default), plain or xoauth2
#   options                     emails (default), or all (what both sides can hold); calendars,
#                               contacts, inbox_rules, contact_groups, out_of_office and tasks
#                               need CalDAV/CardDAV or ManageSieve servers, which only
#                               `mailshift migrate --src-dav/--dst-dav/--src-sieve/--dst-sieve`
#                               takes; separated by ; | or +
#   notify                      optional: an address told when the task ends
#
# The separator is , (or ; when the header line has no comma). Quote cells holding the separator.
src_type,src_host,src_port,src_security,src_login,src_password,dst_type,dst_host,dst_port,dst_security,dst_login,dst_password,options,notify
exchange,ex.old.example.net,,tls,john@example.com,env:JOHN_OLD_PASSWORD,exchange,ex5.mail.example.net,,tls,john@example.com,env:JOHN_NEW_PASSWORD,all,it@example.com
imap,imap.oldhost.example,143,starttls,mary@example.com,file:secrets/mary-old.txt,mxplan,ssl0.example.net,993,tls,mary@example.com,file:secrets/mary-new.txt,emails,
";

#[cfg(test)]
mod tests {
    use super::*;
    use mailshift_panel::migration::MigrationOption;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    const HEADER: &str = "src_type,src_host,src_port,src_security,src_login,src_password,\
                          dst_type,dst_host,dst_port,dst_security,dst_login,dst_password,options,notify";

    fn one_row(row: &str) -> Result<ProjectFile, Vec<RowError>> {
        parse_project(&format!("{HEADER}\n{row}\n"), Path::new("."), &no_env)
    }

    fn only_error(row: &str) -> RowError {
        let mut errors = one_row(row).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.remove(0)
    }

    #[test]
    fn a_minimal_row_gets_defaults() {
        let file = one_row("imap,a.example,,,u1,pw1,mxplan,b.example,,starttls,u2,pw2,,").unwrap();
        let row = &file.rows[0];
        assert_eq!(row.line, 2);
        assert_eq!(row.spec.source.port, 993);
        assert_eq!(row.spec.source.security, Security::Tls);
        assert_eq!(row.spec.destination.port, 143);
        assert_eq!(row.spec.source.auth, AuthMethod::Login);
        assert_eq!(row.spec.options, OptionSet::emails());
        assert_eq!(row.spec.notify, None);
        assert_eq!(row.spec.project, None);
        assert_eq!(row.credentials.source.expose(), "pw1");
        assert_eq!(row.credentials.destination.expose(), "pw2");
        assert_eq!(
            row.servers(),
            ["a.example:993".to_owned(), "b.example:143".to_owned()]
        );
    }

    #[test]
    fn ports_are_checked_with_the_display_the_brief_shows() {
        let e = only_error("imap,a.example,99999,tls,u1,pw1,imap,b.example,,tls,u2,pw2,,");
        assert_eq!(
            e.to_string(),
            "line 2, src_port: '99999' is not a port (1-65535)"
        );
        let e = only_error("imap,a.example,0,tls,u1,pw1,imap,b.example,,tls,u2,pw2,,");
        assert_eq!(e.column.as_deref(), Some("src_port"));
    }

    #[test]
    fn hosts_are_checked() {
        for bad in [
            "imap.x.net/",
            "a b",
            "u@host.net",
            "host:993",
            "-bad.example",
            "1.2.3.999",
            "a..b",
        ] {
            let e = only_error(&format!("imap,{bad},,,u1,pw1,imap,b.example,,,u2,pw2,,"));
            assert_eq!(e.column.as_deref(), Some("src_host"), "{bad}: {e}");
        }
        for good in [
            "127.0.0.1",
            "::1",
            "localhost",
            "imap.example.net.",
            "xn--bcher-kva.example",
        ] {
            assert!(check_host(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn security_and_auth_values() {
        let f = one_row("imap,a.example,,NONE,u1,pw1,imap,b.example,,StartTLS,u2,pw2,,").unwrap();
        assert_eq!(f.rows[0].spec.source.port, 143);
        assert_eq!(f.rows[0].spec.source.security, Security::None);
        let e = only_error("imap,a.example,,ssl3,u1,pw1,imap,b.example,,,u2,pw2,,");
        assert!(e.reason.contains("tls, starttls or none"), "{e}");
        assert_eq!(parse_auth("XOAUTH2"), Ok(AuthMethod::Xoauth2));
        assert!(parse_auth("ntlm")
            .unwrap_err()
            .contains("login, plain or xoauth2"));
    }

    #[test]
    fn auth_columns_are_optional_and_read_when_present() {
        let text =
            format!("{HEADER},dst_auth\nimap,a.example,,,u1,pw1,imap,b.example,,,u2,pw2,,,plain\n");
        let f = parse_project(&text, Path::new("."), &no_env).unwrap();
        assert_eq!(f.rows[0].spec.destination.auth, AuthMethod::Plain);
        assert_eq!(f.rows[0].spec.source.auth, AuthMethod::Login);
    }

    fn endpoint(server_type: ServerType) -> EndpointSpec {
        EndpointSpec {
            server_type,
            host: "imap.example.net".into(),
            port: 993,
            security: Security::Tls,
            auth: AuthMethod::Login,
            login: "u@example.net".into(),
            insecure: false,
            ca_file: None,
            groupware: Default::default(),
        }
    }

    #[test]
    fn options_parse_leniently() {
        let all = parse_options(
            "Emails | Inbox Rules + out-of-office;contact_groups, tasks",
            None,
        )
        .unwrap();
        assert_eq!(all.len(), 5);
        assert!(
            all.contains(MigrationOption::InboxRules) && all.contains(MigrationOption::OutOfOffice)
        );
        let e = parse_options("emails;faxes", None).unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(
            e[0].contains("faxes") && e[0].contains("inbox_rules"),
            "{e:?}"
        );
        assert_eq!(parse_options("", None), Ok(OptionSet::emails()));
    }

    #[test]
    fn all_is_what_both_sides_can_hold_as_for_migrate() {
        // A project row names no CalDAV/CardDAV or ManageSieve server: e-mails only.
        for (s, d) in [
            (ServerType::Exchange, ServerType::Exchange),
            (ServerType::Imap, ServerType::Imap),
            (ServerType::Exchange, ServerType::Gmail),
        ] {
            let (src, dst) = (endpoint(s), endpoint(d));
            assert_eq!(
                parse_options("ALL", Some((&src, &dst))),
                Ok(OptionSet::emails())
            );
        }
        let (mut src, mut dst) = (endpoint(ServerType::Imap), endpoint(ServerType::Imap));
        src.groupware.dav_url = Some("https://dav.old.example/".into());
        dst.groupware.dav_url = Some("https://dav.new.example/".into());
        let both = parse_options("all", Some((&src, &dst))).unwrap();
        assert!(
            both.contains(MigrationOption::Contacts) && !both.contains(MigrationOption::InboxRules)
        );
    }

    #[test]
    fn unsupported_options_give_the_reason() {
        let (src, dst) = (endpoint(ServerType::Imap), endpoint(ServerType::Exchange));
        let e = parse_options("emails;tasks", Some((&src, &dst))).unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with("'tasks' cannot be migrated: tasks: the source has no CalDAV server")
                && e[0].contains("--src-dav URL"),
            "{e:?}"
        );
    }

    #[test]
    fn notify_addresses() {
        assert!(check_address("it@example.com").is_ok());
        for bad in [
            "it",
            "@example.com",
            "it@example",
            "a@b@c.com",
            "it @example.com",
            "a@b.com,c@d.com",
        ] {
            assert!(check_address(bad).is_err(), "{bad}");
        }
        let f =
            one_row("imap,a.example,,,u1,pw1,imap,b.example,,,u2,pw2,,boss@example.org").unwrap();
        assert_eq!(f.rows[0].spec.notify.as_deref(), Some("boss@example.org"));
    }

    #[test]
    fn password_references() {
        let env = |n: &str| (n == "PW").then(|| "from-env".to_owned());
        assert_eq!(
            resolve_password("env:PW", Path::new("."), &env)
                .unwrap()
                .expose(),
            "from-env"
        );
        assert_eq!(
            resolve_password("raw:env:PW", Path::new("."), &env)
                .unwrap()
                .expose(),
            "env:PW"
        );
        let e = resolve_password("env:NOPE", Path::new("."), &env).unwrap_err();
        assert!(e.contains("NOPE"), "{e}");
        let empty = |_: &str| Some(String::new());
        assert!(resolve_password("env:PW", Path::new("."), &empty)
            .unwrap_err()
            .contains("empty"));
        assert!(resolve_password("", Path::new("."), &env).is_err());
        assert!(resolve_password("raw:", Path::new("."), &env).is_err());
    }

    #[test]
    fn header_is_case_insensitive_and_order_free() {
        let text =
            "  NOTIFY , Options,dst_password,dst_login,dst_security,dst_port,dst_host,dst_type,\
                    src_password,src_login,src_security,src_port,src_host,SRC_TYPE\n\
                    ,,pw2,u2,,,b.example,imap,pw1,u1,,,a.example,exchange\n";
        let f = parse_project(text, Path::new("."), &no_env).unwrap();
        assert_eq!(f.rows[0].spec.source.server_type, ServerType::Exchange);
        assert_eq!(f.rows[0].spec.destination.host, "b.example");
    }

    #[test]
    fn header_problems() {
        let text = format!("{HEADER},colour\nimap,a,,,u,p,imap,b,,,u,p,,,red\n");
        let e = parse_project(&text, Path::new("."), &no_env).unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(
            e[0].reason.contains("'colour'") && e[0].reason.contains("src_auth"),
            "{e:?}"
        );
        let text = HEADER.replace(",notify", "") + "\nimap,a,,,u,p,imap,b,,,u,p,\n";
        let e = parse_project(&text, Path::new("."), &no_env).unwrap_err();
        assert!(e[0].reason.contains("missing column notify"), "{e:?}");
    }

    #[test]
    fn empty_and_header_only_files() {
        let e = parse_project("\n# nothing\n\n", Path::new("."), &no_env).unwrap_err();
        assert!(e[0].reason.contains("empty"), "{e:?}");
        let e = parse_project(&format!("# c\n{HEADER}\n\n"), Path::new("."), &no_env).unwrap_err();
        assert_eq!(e[0].line, 2);
        assert!(e[0].reason.contains("no task row"), "{e:?}");
    }

    #[test]
    fn line_numbers_count_skipped_lines_and_multiline_cells() {
        let text = format!(
            "# top\n\n{HEADER}\n\n# a comment, with a comma\nimap,a.example,,,u1,\"p\nw\",imap,b.example,,,u2,pw2,,\n\
             \n   \nimap,a.example,1,,u3,p,imap,b.example,,,u4,p,bad,\n"
        );
        let e = parse_project(&text, Path::new("."), &no_env).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].line, 10);
        assert_eq!(e[0].column.as_deref(), Some("options"));
    }

    #[test]
    fn stray_cells_are_reported() {
        let e = only_error("imap,a.example,,,u1,pw1,imap,b.example,,,u2,pw2,emails,,extra");
        assert_eq!(e.column, None);
        assert!(e.reason.contains("double quotes"), "{e}");
        // An unquoted separator in a password shifts the cells: only that is reported,
        // so no piece of the password is echoed as, say, an unknown server type.
        let e = only_error("imap,a.example,,,u1,Se,cret,imap,b.example,,,u2,pw2,emails,");
        assert_eq!(e.column, None);
        assert!(!e.reason.contains("cret"), "{e}");
        // Unnamed trailing columns (as spreadsheets export them) are harmless while empty.
        let text = format!("{HEADER},,\nimap,a.example,,,u1,pw1,imap,b.example,,,u2,pw2,,,,\n");
        assert!(parse_project(&text, Path::new("."), &no_env).is_ok());
        let text = format!("{HEADER},,\nimap,a.example,,,u1,pw1,imap,b.example,,,u2,pw2,,,x,\n");
        assert!(parse_project(&text, Path::new("."), &no_env).is_err());
    }

    #[test]
    fn decoding_names_the_problem() {
        assert!(decode(vec![0xFF, 0xFE, b'a', 0])
            .unwrap_err()
            .contains("UTF-16"));
        assert!(decode(b"a\nb\xff".to_vec()).unwrap_err().contains("line 2"));
        assert_eq!(decode(b"ok".to_vec()).unwrap(), "ok");
    }

    #[test]
    fn the_template_parses_once_its_references_resolve() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("secrets")).unwrap();
        std::fs::write(dir.path().join("secrets/mary-old.txt"), "old\n").unwrap();
        std::fs::write(dir.path().join("secrets/mary-new.txt"), "new").unwrap();
        let env = |_: &str| Some("x".to_owned());
        let f = parse_project(template(), dir.path(), &env).unwrap();
        assert_eq!(f.rows.len(), 2);
        assert_eq!(f.rows[1].credentials.source.expose(), "old");
        assert_eq!(f.rows[1].spec.destination.server_type, ServerType::MxPlan);
    }
}
