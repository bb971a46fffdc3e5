//! The migrator's form ("New migration"): the source (server type, service URL,
//! login, masked password), the destination (a platform, its URL filled in), the
//! options (the ones that cannot apply disabled with the reason), the notification
//! address and a summary; turned into a `TaskSpec` when valid.

use mailshift_panel::migration::{MigrationOption, OptionSet};
use mailshift_panel::{PanelState, Platform};
use mailshift_tasks::{check_address, EndpointSpec, ServerType, TaskSpec, Tuning};
use mailshift_tasks::{Security, Side};

use super::backend::platform_endpoint;
use super::form::{Field, Form, FormKind};

/// Field positions.
pub const SRC_TYPE: usize = 0;
pub const SRC_URL: usize = 1;
pub const SRC_LOGIN: usize = 2;
pub const SRC_PASSWORD: usize = 3;
pub const DST_PLATFORM: usize = 4;
pub const DST_URL: usize = 5;
pub const DST_LOGIN: usize = 6;
pub const DST_PASSWORD: usize = 7;
/// The first option toggle; one per `MigrationOption::ALL`, in that order.
pub const FIRST_OPTION: usize = 8;
pub const NOTIFY: usize = FIRST_OPTION + MigrationOption::ALL.len();

/// The source server types, in the order the form offers them.
pub const SOURCE_TYPES: [ServerType; 5] = [
    ServerType::Exchange,
    ServerType::Gmail,
    ServerType::Imap,
    ServerType::MxPlan,
    ServerType::EmailPro,
];

/// `imaps://host[:port]` (TLS, 993), `imap://host[:port]` (STARTTLS, 143),
/// `imap+plain://host:port` (no encryption), or a bare host (TLS, 993).
pub fn parse_service_url(url: &str) -> Result<(String, u16, Security), String> {
    let url = url.trim();
    let (security, rest) = if let Some(r) = url.strip_prefix("imaps://") {
        (Security::Tls, r)
    } else if let Some(r) = url.strip_prefix("imap+plain://") {
        (Security::None, r)
    } else if let Some(r) = url.strip_prefix("imap://") {
        (Security::Starttls, r)
    } else if url.contains("://") {
        return Err(format!(
            "'{url}' is not an IMAP address: use imaps://host (TLS), imap://host (STARTTLS) or imap+plain://host:port"
        ));
    } else {
        (Security::Tls, url)
    };
    let rest = rest.trim_end_matches('/');
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => {
            let port = p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
                format!("'{p}' is not a port number: write the server as host:993")
            })?;
            (h, port)
        }
        None => (rest, security.imap_port()),
    };
    if host.is_empty() || host.contains(['/', ' ', '@']) {
        return Err("type the IMAP server, e.g. imaps://imap.example.com".into());
    }
    Ok((host.to_ascii_lowercase(), port, security))
}

/// The URL of an endpoint, as the form shows it.
pub fn url_of(host: &str, port: u16, security: Security) -> String {
    let scheme = match security {
        Security::Tls => "imaps",
        Security::Starttls => "imap",
        Security::None => "imap+plain",
    };
    if port == security.imap_port() && security != Security::None {
        format!("{scheme}://{host}")
    } else {
        format!("{scheme}://{host}:{port}")
    }
}

fn platform_url(p: &Platform) -> String {
    let e = platform_endpoint(p, "");
    url_of(&e.host, e.port, e.security)
}

/// The URL a source type starts with: the well-known service, or the panel's platform
/// of that kind (the sandbox's loopback server).
fn default_source_url(t: ServerType, panel: &PanelState) -> String {
    match t {
        ServerType::Gmail => "imaps://imap.gmail.com".into(),
        ServerType::Imap => String::new(),
        // The panel's own Exchange platform first (its groupware comes along), else
        // Microsoft's hosted Exchange.
        ServerType::Exchange => panel
            .platforms
            .iter()
            .find(|p| Some(p.kind) == t.platform())
            .map(platform_url)
            .unwrap_or_else(|| "imaps://outlook.office365.com".into()),
        ServerType::MxPlan | ServerType::EmailPro => panel
            .platforms
            .iter()
            .find(|p| Some(p.kind) == t.platform())
            .map(platform_url)
            .unwrap_or_else(|| {
                let kind = t.platform().expect("a platform type");
                format!("imaps://{}", kind.facts().endpoints.host)
            }),
    }
}

/// The form, with e-mails selected and the first platform as destination.
pub fn new_form(panel: &PanelState) -> Form {
    let mut fields = vec![
        Field::choice(
            "Source",
            SOURCE_TYPES.iter().map(ToString::to_string).collect(),
        ),
        Field::text("  URL", &default_source_url(SOURCE_TYPES[0], panel)),
        Field::text("  Login", ""),
        Field::secret("  Password"),
        Field::choice(
            "Destination",
            panel.platforms.iter().map(Platform::label).collect(),
        ),
        Field::text(
            "  URL",
            &panel
                .platforms
                .first()
                .map(platform_url)
                .unwrap_or_default(),
        ),
        Field::text("  Login", ""),
        Field::secret("  Password"),
    ];
    for o in MigrationOption::ALL {
        fields.push(Field::toggle(o.label(), o == MigrationOption::Emails));
    }
    fields.push(Field::text("Notify", ""));
    let mut form = Form::new(
        FormKind::NewMigration,
        "New migration",
        "Move one mailbox to a platform. Passwords stay in memory. Space ticks an option.",
        fields,
    );
    form.hint = "Enter starts · Ctrl-T tests the connection · Esc cancels".into();
    form
}

/// The source server type chosen.
pub fn source_type(form: &Form) -> ServerType {
    form.value(SRC_TYPE).parse().unwrap_or(ServerType::Imap)
}

/// The destination platform chosen.
pub fn destination<'a>(form: &Form, panel: &'a PanelState) -> Option<&'a Platform> {
    let label = form.value(DST_PLATFORM);
    panel.platforms.iter().find(|p| p.label() == label)
}

/// After the source type or the destination platform changed: put that choice's URL
/// in, unless the person typed one of their own. (Only then: an URL field cleared
/// with Ctrl-U stays empty for typing, and typing edits it.)
pub fn follow_choice(form: &mut Form, panel: &PanelState) {
    let src = source_type(form);
    let src_url = form.value(SRC_URL).trim().to_string();
    let defaults: Vec<String> = SOURCE_TYPES
        .iter()
        .map(|t| default_source_url(*t, panel))
        .collect();
    if src_url.is_empty() || defaults.contains(&src_url) {
        let url = default_source_url(src, panel);
        form.fields[SRC_URL].set_text(&url);
    }
    let dst = destination(form, panel);
    let dst_url = form.value(DST_URL).trim().to_string();
    let platform_urls: Vec<String> = panel.platforms.iter().map(platform_url).collect();
    if let Some(p) = dst {
        if dst_url.is_empty() || platform_urls.contains(&dst_url) {
            form.fields[DST_URL].set_text(&platform_url(p));
        }
    }
}

/// After an edit: disable the options one side cannot serve, and rewrite the summary
/// (with `tests`' results).
pub fn refresh(form: &mut Form, panel: &PanelState, tests: &[(Side, Result<String, String>)]) {
    let src = source_type(form);
    let dst = destination(form, panel);
    let dst_type = dst.map_or(ServerType::Imap, |p| ServerType::from(p.kind));
    for (i, o) in MigrationOption::ALL.into_iter().enumerate() {
        form.fields[FIRST_OPTION + i]
            .set_disabled(ServerType::unsupported_reason(src, dst_type, o));
    }
    form.notes = summary(form, src, dst, tests);
}

fn summary(
    form: &Form,
    src: ServerType,
    dst: Option<&Platform>,
    tests: &[(Side, Result<String, String>)],
) -> Vec<(String, bool)> {
    let or_dash = |s: &str| {
        if s.trim().is_empty() {
            "—".to_string()
        } else {
            s.trim().to_string()
        }
    };
    let options: Vec<&str> = MigrationOption::ALL
        .iter()
        .enumerate()
        .filter(|(i, _)| form.fields[FIRST_OPTION + i].is_on())
        .map(|(_, o)| o.label())
        .collect();
    let mut notes = vec![
        (
            format!(
                "Summary: {} ({src}, {}) → {} ({}, {})",
                or_dash(form.value(SRC_LOGIN)),
                or_dash(form.value(SRC_URL)),
                or_dash(form.value(DST_LOGIN)),
                dst.map_or("—".to_string(), Platform::label),
                or_dash(form.value(DST_URL)),
            ),
            false,
        ),
        (
            format!(
                "Moves {}{}",
                if options.is_empty() {
                    "nothing".to_string()
                } else {
                    options.join(", ")
                },
                match form.value(NOTIFY).trim() {
                    "" => String::new(),
                    n => format!("; tells {n} when it ends"),
                }
            ),
            false,
        ),
    ];
    for (side, result) in tests {
        notes.push(match result {
            Ok(what) => (format!("✓ {side}: {what}"), false),
            Err(why) => (format!("✗ {side}: {why}"), true),
        });
    }
    notes
}

/// A valid form as a task spec, with the passwords as typed (possibly empty).
#[derive(Clone)]
pub struct Draft {
    /// What the task will do.
    pub spec: TaskSpec,
    /// The source password typed ("" when left empty).
    pub source_password: String,
    /// The destination password typed.
    pub destination_password: String,
}

/// The endpoint of one side, or the field errors.
pub fn side_endpoint(
    form: &Form,
    panel: &PanelState,
    side: Side,
) -> Result<EndpointSpec, Vec<(usize, String)>> {
    let (url_i, login_i) = match side {
        Side::Source => (SRC_URL, SRC_LOGIN),
        Side::Destination => (DST_URL, DST_LOGIN),
    };
    let server_type = match side {
        Side::Source => source_type(form),
        Side::Destination => {
            destination(form, panel).map_or(ServerType::Imap, |p| ServerType::from(p.kind))
        }
    };
    let mut errors = Vec::new();
    let url = parse_service_url(form.value(url_i)).map_err(|e| errors.push((url_i, e)));
    let login = form.value(login_i).trim().to_string();
    if login.is_empty() {
        errors.push((
            login_i,
            format!("type the {side} login (usually the full e-mail address)"),
        ));
    }
    match url {
        Ok((host, port, security)) if errors.is_empty() => Ok(EndpointSpec {
            server_type,
            host,
            port,
            security,
            auth: Default::default(),
            login,
            insecure: false,
            ca_file: None,
            groupware: Default::default(),
        }),
        _ => Err(errors),
    }
}

/// The task the form describes, or every field error.
pub fn draft(form: &Form, panel: &PanelState) -> Result<Draft, Vec<(usize, String)>> {
    let source = side_endpoint(form, panel, Side::Source);
    let destination = side_endpoint(form, panel, Side::Destination);
    let mut errors: Vec<(usize, String)> = Vec::new();
    let options: OptionSet = MigrationOption::ALL
        .into_iter()
        .enumerate()
        .filter(|(i, _)| form.fields[FIRST_OPTION + i].is_on())
        .map(|(_, o)| o)
        .collect();
    if options.is_empty() {
        errors.push((
            FIRST_OPTION,
            "pick at least e-mails (Space ticks it)".into(),
        ));
    }
    let notify = form.value(NOTIFY).trim().to_string();
    // The very check the task start makes, so the form never accepts what the start
    // would refuse.
    if let Err(e) = (!notify.is_empty())
        .then(|| check_address(&notify))
        .transpose()
    {
        errors.push((NOTIFY, format!("{e} (or leave the field empty)")));
    }
    let (source, destination) = match (source, destination) {
        (Ok(s), Ok(d)) if errors.is_empty() => (s, d),
        (s, d) => {
            errors.extend(s.err().unwrap_or_default());
            errors.extend(d.err().unwrap_or_default());
            errors.sort_by_key(|(i, _)| *i);
            return Err(errors);
        }
    };
    Ok(Draft {
        spec: TaskSpec {
            source,
            destination,
            options,
            notify: (!notify.is_empty()).then_some(notify),
            tuning: Tuning::default(),
            project: None,
        },
        source_password: form.value(SRC_PASSWORD).to_string(),
        destination_password: form.value(DST_PASSWORD).to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tui_input::InputRequest;

    fn type_into(form: &mut Form, field: usize, text: &str) {
        form.focus = field;
        form.edit(InputRequest::DeleteLine);
        for c in text.chars() {
            form.edit(InputRequest::InsertChar(c));
        }
    }

    #[test]
    fn service_urls_parse_with_their_security_and_default_ports() {
        assert_eq!(
            parse_service_url("imaps://imap.gmail.com"),
            Ok(("imap.gmail.com".into(), 993, Security::Tls))
        );
        assert_eq!(
            parse_service_url(" imap://Mail.Example.net:1143/ "),
            Ok(("mail.example.net".into(), 1143, Security::Starttls))
        );
        assert_eq!(
            parse_service_url("imap+plain://127.0.0.1:40123"),
            Ok(("127.0.0.1".into(), 40123, Security::None))
        );
        assert_eq!(parse_service_url("ssl0.ovh.net").unwrap().1, 993);
        assert!(parse_service_url("https://x")
            .unwrap_err()
            .contains("imaps://"));
        assert!(parse_service_url("imaps://h:99999")
            .unwrap_err()
            .contains("port"));
        assert!(parse_service_url("")
            .unwrap_err()
            .contains("type the IMAP server"));
        let (h, p, s) = parse_service_url(&url_of("127.0.0.1", 40123, Security::None)).unwrap();
        assert_eq!((h.as_str(), p, s), ("127.0.0.1", 40123, Security::None));
        assert_eq!(
            url_of("imap.gmail.com", 993, Security::Tls),
            "imaps://imap.gmail.com"
        );
    }

    #[test]
    fn options_a_side_cannot_serve_are_disabled_with_the_reason() {
        let panel = mailshift_panel::demo();
        let mut f = new_form(&panel);
        f.fields[SRC_TYPE].select("MX Plan");
        refresh(&mut f, &panel, &[]);
        let calendars = &f.fields[FIRST_OPTION + 1];
        assert!(
            calendars.display().contains("MX Plan"),
            "{}",
            calendars.display()
        );
        assert!(f.fields[FIRST_OPTION].is_on(), "e-mails stay on");
        assert!(f.value(SRC_URL).contains("mxplan") || f.value(SRC_URL).starts_with("imaps://"));
        f.fields[SRC_TYPE].select("Gmail");
        follow_choice(&mut f, &panel);
        refresh(&mut f, &panel, &[]);
        assert_eq!(
            f.value(SRC_URL),
            "imaps://imap.gmail.com",
            "a default URL follows the type"
        );
        type_into(&mut f, SRC_URL, "imaps://imap.example.net");
        f.fields[SRC_TYPE].select("IMAP");
        follow_choice(&mut f, &panel);
        refresh(&mut f, &panel, &[]);
        assert_eq!(
            f.value(SRC_URL),
            "imaps://imap.example.net",
            "a typed URL is kept"
        );
    }

    #[test]
    fn a_complete_form_becomes_a_spec_and_an_incomplete_one_says_what_is_missing() {
        let panel = mailshift_panel::demo();
        let mut f = new_form(&panel);
        refresh(&mut f, &panel, &[]);
        let errors = draft(&f, &panel).err().unwrap();
        let fields: Vec<usize> = errors.iter().map(|(i, _)| *i).collect();
        assert_eq!(fields, vec![SRC_LOGIN, DST_LOGIN]);
        type_into(&mut f, SRC_LOGIN, "john@old.example");
        type_into(&mut f, SRC_PASSWORD, "Old-Pass-1");
        type_into(&mut f, DST_LOGIN, "john@example.com");
        type_into(&mut f, NOTIFY, "boss@example.com");
        let d = draft(&f, &panel).unwrap();
        assert_eq!(d.spec.source.host, "ex5.mail.ovh.net");
        assert_eq!(d.spec.source.server_type, ServerType::Exchange);
        assert_eq!(d.spec.destination.server_type, ServerType::MxPlan);
        assert_eq!(d.spec.options, OptionSet::emails());
        assert_eq!(d.spec.notify.as_deref(), Some("boss@example.com"));
        assert_eq!(d.source_password, "Old-Pass-1");
        for bad in ["boss", "a@b@c.d"] {
            type_into(&mut f, NOTIFY, bad);
            let e = draft(&f, &panel).err().unwrap();
            assert_eq!(e[0].0, NOTIFY);
            assert!(e[0].1.contains("not an e-mail address"), "{bad}: {e:?}");
            let spec = TaskSpec {
                notify: Some(bad.into()),
                ..d.spec.clone()
            };
            assert!(
                mailshift_tasks::Migrator::validate(&spec).is_err(),
                "{bad}: the task start must refuse what the form refuses"
            );
        }
    }

    #[test]
    fn the_summary_names_both_sides_and_the_test_results() {
        let panel = mailshift_panel::demo();
        let mut f = new_form(&panel);
        type_into(&mut f, SRC_LOGIN, "john@old.example");
        refresh(
            &mut f,
            &panel,
            &[(
                Side::Source,
                Err("login refused: check the password".into()),
            )],
        );
        let text: Vec<&str> = f.notes.iter().map(|(t, _)| t.as_str()).collect();
        assert!(
            text[0].contains("john@old.example") && text[0].contains("MX Plan"),
            "{text:?}"
        );
        assert!(text[1].contains("e-mails"));
        assert!(f.notes[2].1 && f.notes[2].0.contains("source: login refused"));
    }
}
