//! Reading a project CSV: the header, then one migration task per row. Every cell is
//! checked and every problem collected (with its physical line and column) before
//! anything starts; passwords come from the cell, `env:NAME` or `file:PATH`.
//! Validation is linear in the file's size (scripts/bench_csv.sh times 20 000 and 100 000 rows).

mod header;
mod options;
mod password;
mod row;
mod template;

use std::fmt;
use std::path::{Path, PathBuf};

use mailshift_net::{Failure, Remedy};

use super::limits::server_key;
use crate::spec::{Credentials, TaskSpec};
use header::Header;
use row::{Row, Seen};

pub use header::{OPTIONAL_COLUMNS, REQUIRED_COLUMNS};
pub use password::PasswordFiles;
pub use template::template;

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
    /// What the user can change about it, worded by the CLI or the panel.
    pub remedy: Option<Remedy>,
}

impl RowError {
    pub(super) fn new(line: usize, column: Option<&str>, reason: impl Into<Failure>) -> Self {
        let Failure { text, remedy } = reason.into();
        RowError {
            line,
            column: column.map(str::to_owned),
            reason: text,
            remedy,
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

impl ProjectFileError {
    /// The message with each row's remedy worded by `hint` (a surface's wording).
    pub fn text_with(&self, hint: &dyn Fn(Remedy) -> String) -> String {
        match self {
            ProjectFileError::Invalid { path, errors } => {
                let mut out = invalid_header(path, errors);
                for e in errors {
                    out.push_str("\n  ");
                    out.push_str(&e.to_string());
                    if let Some(r) = e.remedy {
                        out.push_str(": ");
                        out.push_str(&hint(r));
                    }
                }
                out
            }
            other => other.to_string(),
        }
    }
}

fn invalid_header(path: &Path, errors: &[RowError]) -> String {
    let count = match errors.len() {
        1 => "1 problem".to_owned(),
        n => format!("{n} problems"),
    };
    format!(
        "the project file {} has {count}; nothing was started:",
        path.display()
    )
}

fn invalid_message(path: &Path, errors: &[RowError]) -> String {
    let mut out = invalid_header(path, errors);
    for e in errors {
        out.push_str("\n  ");
        out.push_str(&e.to_string());
    }
    out
}

/// Read and validate the project file at `path` (read once; `env:` references use
/// this process's environment, `file:` paths are relative to the file's folder and
/// must stay inside it).
pub fn read_project(path: &Path) -> Result<ProjectFile, ProjectFileError> {
    read_project_with(path, PasswordFiles::BesideTheCsv)
}

/// [`read_project`], with `file:` password references allowed where `files` says.
pub fn read_project_with(
    path: &Path,
    files: PasswordFiles,
) -> Result<ProjectFile, ProjectFileError> {
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
    parse_project_with(&text, base_dir, &env, files).map_err(|errors| ProjectFileError::Invalid {
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
/// `file:` references must stay inside `base_dir`.
pub fn parse_project(
    text: &str,
    base_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ProjectFile, Vec<RowError>> {
    parse_project_with(text, base_dir, env, PasswordFiles::BesideTheCsv)
}

/// [`parse_project`], with `file:` password references allowed where `files` says.
pub fn parse_project_with(
    text: &str,
    base_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    files: PasswordFiles,
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
    let mut lines = LineCounter::new(text);
    for result in reader.records() {
        let record = match result {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(1, |p| lines.line_of(p));
                errors.push(RowError::new(line, None, format!("unreadable CSV: {e}")));
                break;
            }
        };
        let line = record.position().map_or(1, |p| lines.line_of(p));
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
        let mut row = Row::new(line, &record, header);
        if let Some(project_row) = row.parse(base_dir, env, files, &mut seen) {
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

/// Physical line numbers of records, found in one pass over the text: the csv crate
/// reports records in order, so counting resumes where the previous record's count
/// stopped (counting from the start every time made validation quadratic).
struct LineCounter<'t> {
    bytes: &'t [u8],
    /// Byte offset counted up to, and the 1-based line at that offset.
    at: usize,
    line: usize,
}

impl<'t> LineCounter<'t> {
    fn new(text: &'t str) -> Self {
        LineCounter {
            bytes: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The physical line a record starts on. The csv crate reports the position where
    /// it began reading, before the blank and `#` lines it skips; skip them the same way.
    fn line_of(&mut self, pos: &::csv::Position) -> usize {
        let bytes = self.bytes;
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
        if at < self.at {
            // Never happens with the csv crate; stay correct if it ever does.
            self.at = 0;
            self.line = 1;
        }
        self.line += bytes[self.at..at].iter().filter(|b| **b == b'\n').count();
        self.at = at;
        self.line
    }
}

fn is_blank(record: &::csv::StringRecord) -> bool {
    record.iter().all(|c| c.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::options::parse_options;
    use super::password::resolve_password;
    use super::row::{address_field, check_host, parse_auth};
    use super::template::template;
    use super::*;
    use crate::spec::EndpointSpec;
    use mailshift_engine::imap::{AuthMethod, Security};
    use mailshift_panel::migration::{MigrationOption, OptionSet};

    use crate::spec::ServerType;

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
            e[0].text.contains("faxes") && e[0].text.contains("inbox_rules"),
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
            e[0].text
                .starts_with("'tasks' cannot be migrated: tasks: the source has no CalDAV server")
                && !e[0].text.contains("--"),
            "{e:?}"
        );
        assert_eq!(
            e[0].remedy,
            Some(Remedy::ProjectRowGroupware(mailshift_net::Side::Source))
        );
    }

    #[test]
    fn notify_addresses() {
        assert!(address_field("it@example.com").is_ok());
        for bad in [
            "it",
            "@example.com",
            "a@b@c.com",
            "it @example.com",
            "a@b.com,c@d.com",
        ] {
            assert!(address_field(bad).is_err(), "{bad}");
        }
        let f =
            one_row("imap,a.example,,,u1,pw1,imap,b.example,,,u2,pw2,,boss@example.org").unwrap();
        assert_eq!(f.rows[0].spec.notify.as_deref(), Some("boss@example.org"));
    }

    #[test]
    fn password_references() {
        let env = |n: &str| (n == "PW").then(|| "from-env".to_owned());
        assert_eq!(
            resolve_password("env:PW", Path::new("."), &env, PasswordFiles::BesideTheCsv)
                .unwrap()
                .expose(),
            "from-env"
        );
        assert_eq!(
            resolve_password(
                "raw:env:PW",
                Path::new("."),
                &env,
                PasswordFiles::BesideTheCsv
            )
            .unwrap()
            .expose(),
            "env:PW"
        );
        let e = resolve_password(
            "env:NOPE",
            Path::new("."),
            &env,
            PasswordFiles::BesideTheCsv,
        )
        .unwrap_err();
        assert!(e.text.contains("NOPE"), "{e}");
        let empty = |_: &str| Some(String::new());
        assert!(resolve_password(
            "env:PW",
            Path::new("."),
            &empty,
            PasswordFiles::BesideTheCsv
        )
        .unwrap_err()
        .text
        .contains("empty"));
        assert!(resolve_password("", Path::new("."), &env, PasswordFiles::BesideTheCsv).is_err());
        assert!(
            resolve_password("raw:", Path::new("."), &env, PasswordFiles::BesideTheCsv).is_err()
        );
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
