//! The migrator's form ("New migration"): the source (server type, service URL,
//! login, masked password), the destination (a platform, its URL filled in), the
//! options (the ones that cannot apply disabled with the reason), the notification
//! address and a summary; turned into a `TaskSpec` when valid.

use mailshift_panel::migration::{MigrationOption, OptionSet};
use mailshift_panel::{PanelState, Platform};
use mailshift_tasks::{check_address, EndpointSpec, ServerType, TaskSpec, Tuning};
use mailshift_tasks::{Security, Side};

use super::backend::platform_endpoint;
use super::form::{Field, FieldKey, Form, FormKind};

/// The password field of one side.
pub fn password_key(side: Side) -> FieldKey {
    match side {
        Side::Source => FieldKey::SrcPassword,
        Side::Destination => FieldKey::DstPassword,
    }
}

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
            FieldKey::SrcType,
            SOURCE_TYPES.iter().map(ToString::to_string).collect(),
        ),
        Field::text(
            FieldKey::SrcUrl,
            &default_source_url(SOURCE_TYPES[0], panel),
        ),
        Field::text(FieldKey::SrcLogin, ""),
        Field::secret(FieldKey::SrcPassword),
        Field::choice(
            FieldKey::DstPlatform,
            panel.platforms.iter().map(Platform::label).collect(),
        ),
        Field::text(
            FieldKey::DstUrl,
            &panel
                .platforms
                .first()
                .map(platform_url)
                .unwrap_or_default(),
        ),
        Field::text(FieldKey::DstLogin, ""),
        Field::secret(FieldKey::DstPassword),
    ];
    for o in MigrationOption::ALL {
        fields.push(Field::toggle(
            FieldKey::Option(o),
            o == MigrationOption::Emails,
        ));
    }
    fields.push(Field::text(FieldKey::Notify, ""));
    let mut form = Form::new(
        FormKind::NewMigration,
        "New migration",
        "Move one mailbox to a platform. Passwords stay in memory. Space ticks an option.",
        fields,
    );
    form.prompt = super::keymap::Prompt::NewMigration;
    form
}

/// The source server type chosen (the choice lists `SOURCE_TYPES` in order).
pub fn source_type(form: &Form) -> ServerType {
    SOURCE_TYPES
        .get(form.choice_index(FieldKey::SrcType))
        .copied()
        .unwrap_or(ServerType::Imap)
}

/// The destination platform chosen (the choice lists the panel's platforms in order).
pub fn destination<'a>(form: &Form, panel: &'a PanelState) -> Option<&'a Platform> {
    panel
        .platforms
        .get(form.choice_index(FieldKey::DstPlatform))
}

/// The options ticked, in `MigrationOption::ALL`'s order.
fn ticked(form: &Form) -> impl Iterator<Item = MigrationOption> + '_ {
    MigrationOption::ALL
        .into_iter()
        .filter(|o| form.is_on(FieldKey::Option(*o)))
}

/// After the source type or the destination platform changed: put that choice's URL
/// in, unless the person typed one of their own. (Only then: an URL field cleared
/// with Ctrl-U stays empty for typing, and typing edits it.)
pub fn follow_choice(form: &mut Form, panel: &PanelState) {
    let src = source_type(form);
    let src_url = form.value(FieldKey::SrcUrl).trim().to_string();
    let defaults: Vec<String> = SOURCE_TYPES
        .iter()
        .map(|t| default_source_url(*t, panel))
        .collect();
    if src_url.is_empty() || defaults.contains(&src_url) {
        let url = default_source_url(src, panel);
        if let Some(f) = form.field_mut(FieldKey::SrcUrl) {
            f.set_text(&url);
        }
    }
    let dst = destination(form, panel);
    let dst_url = form.value(FieldKey::DstUrl).trim().to_string();
    let platform_urls: Vec<String> = panel.platforms.iter().map(platform_url).collect();
    if let Some(p) = dst {
        if dst_url.is_empty() || platform_urls.contains(&dst_url) {
            if let Some(f) = form.field_mut(FieldKey::DstUrl) {
                f.set_text(&platform_url(p));
            }
        }
    }
}

/// After an edit: disable the options one side cannot serve, and rewrite the summary
/// (with `tests`' results).
pub fn refresh(form: &mut Form, panel: &PanelState, tests: &[(Side, Result<String, String>)]) {
    let src = source_type(form);
    let dst = destination(form, panel);
    let dst_type = dst.map_or(ServerType::Imap, |p| ServerType::from(p.kind));
    for o in MigrationOption::ALL {
        if let Some(f) = form.field_mut(FieldKey::Option(o)) {
            f.set_disabled(ServerType::unsupported_reason(src, dst_type, o));
        }
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
    let options: Vec<&str> = ticked(form).map(MigrationOption::label).collect();
    let mut notes = vec![
        (
            format!(
                "Summary: {} ({src}, {}) → {} ({}, {})",
                or_dash(form.value(FieldKey::SrcLogin)),
                or_dash(form.value(FieldKey::SrcUrl)),
                or_dash(form.value(FieldKey::DstLogin)),
                dst.map_or("—".to_string(), Platform::label),
                or_dash(form.value(FieldKey::DstUrl)),
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
                match form.value(FieldKey::Notify).trim() {
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
) -> Result<EndpointSpec, Vec<(FieldKey, String)>> {
    let (url_i, login_i) = match side {
        Side::Source => (FieldKey::SrcUrl, FieldKey::SrcLogin),
        Side::Destination => (FieldKey::DstUrl, FieldKey::DstLogin),
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
pub fn draft(form: &Form, panel: &PanelState) -> Result<Draft, Vec<(FieldKey, String)>> {
    let source = side_endpoint(form, panel, Side::Source);
    let destination = side_endpoint(form, panel, Side::Destination);
    let mut errors: Vec<(FieldKey, String)> = Vec::new();
    let options: OptionSet = ticked(form).collect();
    if options.is_empty() {
        errors.push((
            FieldKey::Option(MigrationOption::ALL[0]),
            "pick at least e-mails (Space ticks it)".into(),
        ));
    }
    let notify = form.value(FieldKey::Notify).trim().to_string();
    // The very check the task start makes, so the form never accepts what the start
    // would refuse.
    if let Err(e) = (!notify.is_empty())
        .then(|| check_address(&notify))
        .transpose()
    {
        errors.push((FieldKey::Notify, format!("{e} (or leave the field empty)")));
    }
    let (source, destination) = match (source, destination) {
        (Ok(s), Ok(d)) if errors.is_empty() => (s, d),
        (s, d) => {
            errors.extend(s.err().unwrap_or_default());
            errors.extend(d.err().unwrap_or_default());
            // In the order they are shown: the first refused field gets the focus.
            errors.sort_by_key(|(k, _)| form.position(*k));
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
        source_password: form.value(FieldKey::SrcPassword).to_string(),
        destination_password: form.value(FieldKey::DstPassword).to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::form::FieldKey;
    use tui_input::InputRequest;

    fn type_into(form: &mut Form, field: FieldKey, text: &str) {
        form.focus_on(field);
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
        f.field_mut(FieldKey::SrcType).unwrap().select("MX Plan");
        refresh(&mut f, &panel, &[]);
        let calendars = f
            .field(FieldKey::Option(MigrationOption::Calendars))
            .unwrap();
        assert!(
            calendars.display().contains("MX Plan"),
            "{}",
            calendars.display()
        );
        assert!(
            f.is_on(FieldKey::Option(MigrationOption::Emails)),
            "e-mails stay on"
        );
        assert!(
            f.value(FieldKey::SrcUrl).contains("mxplan")
                || f.value(FieldKey::SrcUrl).starts_with("imaps://")
        );
        f.field_mut(FieldKey::SrcType).unwrap().select("Gmail");
        follow_choice(&mut f, &panel);
        refresh(&mut f, &panel, &[]);
        assert_eq!(
            f.value(FieldKey::SrcUrl),
            "imaps://imap.gmail.com",
            "a default URL follows the type"
        );
        type_into(&mut f, FieldKey::SrcUrl, "imaps://imap.example.net");
        f.field_mut(FieldKey::SrcType).unwrap().select("IMAP");
        follow_choice(&mut f, &panel);
        refresh(&mut f, &panel, &[]);
        assert_eq!(
            f.value(FieldKey::SrcUrl),
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
        let fields: Vec<FieldKey> = errors.iter().map(|(i, _)| *i).collect();
        assert_eq!(fields, vec![FieldKey::SrcLogin, FieldKey::DstLogin]);
        type_into(&mut f, FieldKey::SrcLogin, "john@old.example");
        type_into(&mut f, FieldKey::SrcPassword, "Old-Pass-1");
        type_into(&mut f, FieldKey::DstLogin, "john@example.com");
        type_into(&mut f, FieldKey::Notify, "boss@example.com");
        let d = draft(&f, &panel).unwrap();
        assert_eq!(d.spec.source.host, "ex5.mail.ovh.net");
        assert_eq!(d.spec.source.server_type, ServerType::Exchange);
        assert_eq!(d.spec.destination.server_type, ServerType::MxPlan);
        assert_eq!(d.spec.options, OptionSet::emails());
        assert_eq!(d.spec.notify.as_deref(), Some("boss@example.com"));
        assert_eq!(d.source_password, "Old-Pass-1");
        for bad in ["boss", "a@b@c.d"] {
            type_into(&mut f, FieldKey::Notify, bad);
            let e = draft(&f, &panel).err().unwrap();
            assert_eq!(e[0].0, FieldKey::Notify);
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
        type_into(&mut f, FieldKey::SrcLogin, "john@old.example");
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
