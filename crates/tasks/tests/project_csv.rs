//! Project CSV files end to end: whole files (generated, on disk, from fixtures) parsed
//! into task specs, every problem reported with its line and column, and passwords
//! kept out of every error.

use std::path::{Path, PathBuf};

use mailshift_engine::imap::{AuthMethod, Security};
use mailshift_panel::migration::OptionSet;
use mailshift_tasks::project::{
    parse_project, parse_project_with, read_project, PasswordFiles, ProjectFileError, RowError,
};
use mailshift_tasks::ServerType;

const HEADER: &str = "src_type,src_host,src_port,src_security,src_login,src_password,\
                      dst_type,dst_host,dst_port,dst_security,dst_login,dst_password,options,notify";

/// A distinctive password that must never show up in an error.
const SECRET: &str = "Zebra-Quokka-7731!";

fn no_env(_: &str) -> Option<String> {
    None
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A valid row for mailbox `i`.
fn good_row(i: usize) -> String {
    format!(
        "exchange,ex.old.example.net,,tls,user{i}@example.com,pw-src-{i},\
         emailpro,pro{}.mail.example.net,{},starttls,user{i}@example.com,pw-dst-{i},emails,admin@example.com",
        i % 3,
        1000 + i
    )
}

fn errors_of(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Vec<RowError> {
    match parse_project(text, Path::new("."), env) {
        Ok(f) => panic!("expected errors, got {} rows", f.rows.len()),
        Err(e) => e,
    }
}

fn places(errors: &[RowError]) -> Vec<(usize, Option<&str>)> {
    errors
        .iter()
        .map(|e| (e.line, e.column.as_deref()))
        .collect()
}

#[test]
fn fifty_valid_rows_become_fifty_task_specs() {
    let mut text = format!("{HEADER}\n");
    for i in 0..50 {
        text.push_str(&good_row(i));
        text.push('\n');
    }
    let file = parse_project(&text, Path::new("."), &no_env).unwrap();
    assert_eq!(file.rows.len(), 50);
    for (i, row) in file.rows.iter().enumerate() {
        assert_eq!(row.line, i + 2);
        let (src, dst) = (&row.spec.source, &row.spec.destination);
        assert_eq!(src.server_type, ServerType::Exchange);
        assert_eq!(src.host, "ex.old.example.net");
        assert_eq!(src.port, 993);
        assert_eq!(src.security, Security::Tls);
        assert_eq!(src.auth, AuthMethod::Login);
        assert_eq!(src.login, format!("user{i}@example.com"));
        assert_eq!(dst.server_type, ServerType::EmailPro);
        assert_eq!(dst.host, format!("pro{}.mail.example.net", i % 3));
        assert_eq!(dst.port as usize, 1000 + i);
        assert_eq!(dst.security, Security::Starttls);
        assert_eq!(row.spec.options, OptionSet::emails());
        assert_eq!(row.spec.notify.as_deref(), Some("admin@example.com"));
        assert_eq!(row.spec.project, None);
        assert_eq!(row.credentials.source.expose(), format!("pw-src-{i}"));
        assert_eq!(row.credentials.destination.expose(), format!("pw-dst-{i}"));
    }
}

#[test]
fn six_bad_rows_are_all_reported_with_their_lines_and_columns() {
    let rows = [
        "# a project with mistakes".to_owned(),       // 1
        HEADER.to_owned(),                            // 2
        good_row(0),                                  // 3
        good_row(1).replace(",,tls,", ",99999,tls,"), // 4 src_port
        String::new(),                                // 5
        good_row(2).replace("pro2.mail.example.net", "https://pro.example.net/"), // 6 dst_host
        "# the next row's security is a typo".to_owned(), // 7
        good_row(3).replace(",,tls,", ",,ssl,"),      // 8 src_security
        good_row(4).replace("pw-dst-4", "env:DST_PW_MISSING"), // 9 dst_password
        good_row(5),                                  // 10
        good_row(6).replace(",emails,", ",emails;faxes,"), // 11 options
        good_row(7).replace("admin@example.com", "admin at example"), // 12 notify
    ];
    let errors = errors_of(&rows.join("\n"), &no_env);
    assert_eq!(
        places(&errors),
        vec![
            (4, Some("src_port")),
            (6, Some("dst_host")),
            (8, Some("src_security")),
            (9, Some("dst_password")),
            (11, Some("options")),
            (12, Some("notify")),
        ],
        "{errors:#?}"
    );
    assert_eq!(
        errors[0].to_string(),
        "line 4, src_port: '99999' is not a port (1-65535)"
    );
    assert!(errors[3].reason.contains("DST_PW_MISSING"), "{}", errors[3]);
    assert!(errors[4].reason.contains("faxes") && errors[4].reason.contains("out_of_office"));
}

#[test]
fn env_and_file_references_resolve_relative_to_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("pw")).unwrap();
    std::fs::write(dir.path().join("pw/src.txt"), "from-file\r\n").unwrap();
    let text = format!(
        "{HEADER}\n{}\n",
        good_row(0)
            .replace("pw-src-0", "file:pw/src.txt")
            .replace("pw-dst-0", "env:DST_PW")
    );
    let env = |name: &str| (name == "DST_PW").then(|| "from-env".to_owned());
    let file = parse_project(&text, dir.path(), &env).unwrap();
    assert_eq!(file.rows[0].credentials.source.expose(), "from-file");
    assert_eq!(file.rows[0].credentials.destination.expose(), "from-env");

    // Missing variable and missing file: each named in its own error.
    let text = format!(
        "{HEADER}\n{}\n",
        good_row(0)
            .replace("pw-src-0", "file:pw/nope.txt")
            .replace("pw-dst-0", "env:NOT_SET_ANYWHERE")
    );
    let errors = parse_project(&text, dir.path(), &env).unwrap_err();
    assert_eq!(
        places(&errors),
        vec![(2, Some("src_password")), (2, Some("dst_password"))]
    );
    assert!(errors[0].reason.contains("pw/nope.txt"), "{}", errors[0]);
    assert!(
        errors[1].reason.contains("NOT_SET_ANYWHERE"),
        "{}",
        errors[1]
    );
}

#[test]
fn read_project_uses_the_process_environment_and_the_files_folder() {
    let path = fixtures().join("europe.csv");
    let file = read_project(&path).unwrap();
    assert_eq!(file.rows.len(), 2);
    let alice = &file.rows[0];
    assert_eq!(alice.line, 3);
    assert_eq!(
        alice.credentials.source.expose(),
        std::env::var("PATH").unwrap()
    );
    assert_eq!(alice.credentials.destination.expose(), "file:not-a-path");
    // `all`: what both sides can hold; a project row names no DAV server, so e-mails.
    assert_eq!(alice.spec.options, OptionSet::emails());
    let bob = &file.rows[1];
    assert_eq!(bob.spec.source.host, "127.0.0.1");
    assert_eq!(
        (bob.spec.source.port, bob.spec.source.security),
        (1143, Security::None)
    );
    assert_eq!(bob.spec.destination.port, 143);
    assert_eq!(bob.credentials.source.expose(), "plain-secret");
    assert_eq!(
        bob.credentials.destination.expose(),
        "Fixture-Secret-From-File"
    );
    assert_eq!(bob.spec.notify, None);

    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("p.csv");
    let row = good_row(0).replace("pw-dst-0", "env:MAILSHIFT_TEST_SURELY_UNSET_VARIABLE");
    std::fs::write(&csv, format!("{HEADER}\n{row}\n")).unwrap();
    let err = read_project(&csv).unwrap_err();
    let shown = err.to_string();
    assert!(
        matches!(err, ProjectFileError::Invalid { ref errors, .. } if errors.len() == 1),
        "{shown}"
    );
    assert!(
        shown.contains("MAILSHIFT_TEST_SURELY_UNSET_VARIABLE") && shown.contains("p.csv"),
        "{shown}"
    );
}

#[test]
fn files_that_cannot_be_projects_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let missing = read_project(&dir.path().join("absent.csv")).unwrap_err();
    assert!(matches!(missing, ProjectFileError::Read { .. }));
    assert!(missing.to_string().contains("absent.csv"));

    let latin1 = dir.path().join("latin1.csv");
    let mut bytes = format!("{HEADER}\n").into_bytes();
    bytes.extend_from_slice(b"exchange,h\xe9te.example,,,u,p,exchange,b.example,,,u,p,,\n");
    std::fs::write(&latin1, bytes).unwrap();
    let err = read_project(&latin1).unwrap_err();
    assert!(matches!(err, ProjectFileError::NotUtf8 { .. }), "{err}");
    assert!(err.to_string().contains("line 2"), "{err}");

    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    assert!(read_project(&empty)
        .unwrap_err()
        .to_string()
        .contains("empty"));

    let header_only = dir.path().join("header.csv");
    std::fs::write(&header_only, format!("{HEADER}\n")).unwrap();
    let err = read_project(&header_only).unwrap_err().to_string();
    assert!(err.contains("no task row"), "{err}");
}

#[test]
fn passwords_never_appear_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret.txt"), format!("{SECRET}\n")).unwrap();
    let env = |name: &str| (name == "SECRET_PW").then(|| SECRET.to_owned());
    let literal = good_row(0)
        .replace("pw-src-0", SECRET)
        .replace(",,tls,", ",0,bogus,");
    let raw = good_row(1)
        .replace("pw-src-1", &format!("raw:{SECRET}"))
        .replace("emailpro", "pop3");
    let from_env = good_row(2)
        .replace("pw-dst-2", "env:SECRET_PW")
        .replace(",emails,", ",x,");
    let from_file = good_row(3)
        .replace("pw-dst-3", "file:secret.txt")
        .replace("admin@example.com", "nobody");
    // Duplicate of row 0's source, with the password again.
    let duplicate = literal.replace("bogus", "tls").replace(",0,", ",,");
    let quoted = format!("\"{SECRET},more\",");
    let stray = good_row(4).replace("pw-src-4,", &quoted) + ",extra";
    let text = [
        HEADER.to_owned(),
        literal,
        raw,
        from_env,
        from_file,
        duplicate,
        stray,
    ]
    .join("\n");
    let errors = parse_project(&text, dir.path(), &env).unwrap_err();
    assert!(errors.len() >= 7, "{errors:#?}");
    for e in &errors {
        assert!(!e.to_string().contains(SECRET), "{e}");
        assert!(!format!("{e:?}").contains(SECRET), "{e:?}");
    }

    let csv = dir.path().join("project.csv");
    std::fs::write(&csv, &text).unwrap();
    let err = read_project(&csv).unwrap_err();
    assert!(!err.to_string().contains(SECRET));
    assert!(!format!("{err:?}").contains(SECRET));

    // A valid row's Debug output hides its secrets too.
    let ok = format!("{HEADER}\n{}\n", good_row(0).replace("pw-src-0", SECRET));
    let file = parse_project(&ok, dir.path(), &no_env).unwrap();
    assert_eq!(file.rows[0].credentials.source.expose(), SECRET);
    assert!(!format!("{:?}", file.rows[0]).contains(SECRET));
    assert!(!format!("{file:?}").contains(SECRET));
}

#[test]
fn semicolon_files_with_crlf_and_a_byte_order_mark() {
    let header = HEADER.replace(',', ";");
    let row =
        "imap;imap.a.example;;;u1;p1;mxplan;ssl0.example.net;;;u1@example.com;p2;emails | tasks;";
    let text = format!("\u{feff}# comment\r\n{header}\r\n\r\n{row}\r\n");
    let errors = errors_of(&text, &no_env);
    // The tasks option is refused: the row was split on ';' and its options read.
    assert_eq!(places(&errors), vec![(4, Some("options"))], "{errors:#?}");

    let text = text.replace("emails | tasks", "Emails");
    let file = parse_project(&text, Path::new("."), &no_env).unwrap();
    assert_eq!(file.rows[0].line, 4);
    assert_eq!(
        file.rows[0].spec.destination.server_type,
        ServerType::MxPlan
    );
    assert_eq!(file.rows[0].credentials.destination.expose(), "p2");
}

#[test]
fn quoted_fields_may_hold_commas_quotes_and_separators() {
    let row = "imap,imap.a.example,,,\"Doe, John\",\"pa,ss\"\"word\",exchange,ex.example.net,,,\
               john@example.com,p2,\"emails, contacts\",";
    let file = parse_project(&format!("{HEADER}\n{row}\n"), Path::new("."), &no_env);
    let errors = file.as_ref().err().cloned().unwrap_or_default();
    // IMAP sources only serve e-mails: the quoted options cell was split into two names.
    assert_eq!(places(&errors), vec![(2, Some("options"))], "{errors:#?}");
    assert!(errors[0].reason.contains("contacts"));

    let row = row.replace("emails, contacts", "emails");
    let file = parse_project(&format!("{HEADER}\n{row}\n"), Path::new("."), &no_env).unwrap();
    assert_eq!(file.rows[0].spec.source.login, "Doe, John");
    assert_eq!(file.rows[0].credentials.source.expose(), "pa,ss\"word");
}

#[test]
fn a_duplicate_source_account_names_the_first_line() {
    let second = good_row(1).replace("user1@example.com,pw-src-1", "USER0@example.com,other");
    let third = good_row(2)
        .replace("pro2.mail.example.net,1002", "pro0.mail.example.net,1000")
        .replace("user2@example.com,pw-dst-2", "user0@example.com,pw-dst-2");
    let text = format!("{HEADER}\n{}\n# gap\n{second}\n{third}\n", good_row(0));
    let errors = errors_of(&text, &no_env);
    assert_eq!(
        places(&errors),
        vec![(4, Some("src_login")), (5, Some("dst_login"))],
        "{errors:#?}"
    );
    assert!(
        errors[0].reason.contains("line 2") && errors[0].reason.contains("journal"),
        "{}",
        errors[0]
    );
    assert!(errors[1].reason.contains("line 2"), "{}", errors[1]);
}

#[test]
fn an_mx_plan_destination_cannot_receive_contacts() {
    let row = "exchange,ex.example.net,,,u@example.com,p1,mxplan,ssl0.example.net,,,u@example.com,p2,emails;contacts,";
    let errors = errors_of(&format!("{HEADER}\n{row}\n"), &no_env);
    assert_eq!(places(&errors), vec![(2, Some("options"))]);
    // The side whose platform does not serve contacts is named, with what would make it possible.
    assert!(
        errors[0].reason.contains(
            "contacts: the destination has no CardDAV server (MX Plan does not serve contacts)"
        ) && !errors[0].reason.contains("--"),
        "{}",
        errors[0]
    );
    assert_eq!(
        errors[0].remedy,
        Some(mailshift_tasks::Remedy::ProjectRowGroupware(
            mailshift_tasks::Side::Destination
        ))
    );

    // `all` quietly keeps what both sides support.
    let all = row.replace("emails;contacts", "all");
    let file = parse_project(&format!("{HEADER}\n{all}\n"), Path::new("."), &no_env).unwrap();
    assert_eq!(file.rows[0].spec.options, OptionSet::emails());
}

#[test]
fn unknown_and_missing_columns_are_named() {
    let text = format!("{HEADER},priority\n{},high\n", good_row(0)).replace("src_port,", "");
    let errors = errors_of(&text, &no_env);
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 2, "{shown:#?}");
    assert!(
        shown[0].contains("'priority'") && shown[0].contains("dst_auth"),
        "{shown:#?}"
    );
    assert!(shown[1].contains("missing column src_port"), "{shown:#?}");
    assert!(errors.iter().all(|e| e.line == 1));
}

#[test]
fn a_hundred_thousand_rows_validate_in_one_pass() {
    // Linear validation: this took minutes when every row counted its line from the
    // start of the file. scripts/bench_csv.sh reports the time; here it just runs.
    let bulk_row = |i: usize| {
        format!(
            "exchange,ex.old.example.net,,tls,user{i}@example.com,pw-src-{i},\
             emailpro,pro{}.mail.example.net,{},starttls,user{i}@example.com,pw-dst-{i},emails,",
            i % 3,
            1000 + i % 60_000
        )
    };
    let mut text = format!("{HEADER}\n");
    for i in 0..100_000 {
        text.push_str(&bulk_row(i));
        text.push('\n');
    }
    let file = parse_project(&text, Path::new("."), &no_env)
        .map_err(|e| format!("{} errors, first {:?}", e.len(), e.first()))
        .unwrap();
    assert_eq!(file.rows.len(), 100_000);
    assert_eq!(file.rows[99_999].line, 100_001);
    // A duplicate at the very end is still found, with both lines.
    text.push_str(&bulk_row(4));
    text.push('\n');
    let errors = errors_of(&text, &no_env);
    assert_eq!(
        places(&errors),
        vec![(100_002, Some("src_login")), (100_002, Some("dst_login"))]
    );
    assert!(errors[0].reason.contains("line 6"), "{}", errors[0]);
}

#[test]
fn a_row_whose_destination_is_its_source_is_refused_with_line_and_column() {
    let same = "imap,IMAP.Example.net,,tls,John@example.com,pw1,exchange,imap.example.net,993,tls,john@example.com,pw2,emails,";
    let text = format!("{HEADER}\n{}\n{same}\n", good_row(0));
    let errors = errors_of(&text, &no_env);
    assert_eq!(places(&errors), vec![(3, Some("dst_login"))]);
    assert!(
        errors[0].reason.contains("source mailbox itself")
            && errors[0]
                .reason
                .contains("john@example.com@imap.example.net:993"),
        "{}",
        errors[0]
    );
    // Another port, or another login, is another mailbox.
    let other = same.replace(",993,", ",1993,");
    assert!(parse_project(&format!("{HEADER}\n{other}\n"), Path::new("."), &no_env).is_ok());
}

#[test]
fn password_files_outside_the_csv_folder_or_not_regular_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(dir.path().join("api-token.txt"), "Api-Token-Not-A-Password").unwrap();
    let text = format!(
        "{HEADER}\n{}\n{}\n",
        good_row(0).replace("pw-src-0", "file:../api-token.txt"),
        good_row(1).replace("pw-dst-1", "file:/dev/zero"),
    );
    let errors = parse_project(&text, &project, &no_env).unwrap_err();
    assert_eq!(
        places(&errors),
        vec![(2, Some("src_password")), (3, Some("dst_password"))]
    );
    assert!(
        errors[0].reason.contains("../api-token.txt")
            && errors[0].reason.contains("outside the CSV's folder"),
        "{}",
        errors[0]
    );
    for e in &errors {
        assert!(!e.to_string().contains("Api-Token-Not-A-Password"), "{e}");
    }
    // Allowed anywhere: the token file is read, /dev/zero is still refused (at once).
    let errors = parse_project_with(&text, &project, &no_env, PasswordFiles::Anywhere).unwrap_err();
    assert_eq!(places(&errors), vec![(3, Some("dst_password"))]);
    assert!(
        errors[0].reason.contains("/dev/zero") && errors[0].reason.contains("not a regular file"),
        "{}",
        errors[0]
    );
}
