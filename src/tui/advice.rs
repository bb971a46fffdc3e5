//! The engine's errors carry advice for the command line (`--src-port`,
//! `MAILSHIFT_SRC_PASSWORD`, `mailshift migrate ...`). In the panel the same problem is
//! fixed in a field, so every error shown goes through `for_panel`, which says which
//! field to change instead.

/// Side names as the engine writes them, with the flag prefix it uses.
const SIDES: [(&str, &str); 2] = [("src", "source"), ("dst", "destination")];

/// `text` with its command-line advice replaced by field-oriented advice.
pub fn for_panel(text: &str) -> String {
    let mut s = text.to_string();
    // The same side named twice by two layers ("source: source: …").
    for (_, side) in SIDES {
        let twice = format!("{side}: {side}: ");
        while s.contains(&twice) {
            s = s.replace(&twice, &format!("{side}: "));
        }
    }
    for (flag, side) in SIDES {
        let env = flag.to_uppercase();
        let pairs = [
            (
                format!("check the password (MAILSHIFT_{env}_PASSWORD or --{flag}-password-file)"),
                format!("check the {side} password field"),
            ),
            (
                format!("check --{flag}-port and that the IMAP server runs"),
                format!("check the port in the {side} URL and that the IMAP server runs"),
            ),
            (
                format!("check the --{flag}-host spelling"),
                format!("check the host in the {side} URL"),
            ),
            (
                format!("use --{flag}-security tls, or none only on a trusted network"),
                format!("use an imaps:// {side} URL, or imap:// only on a trusted network"),
            ),
            (
                format!("use --{flag}-auth login or plain"),
                "this server needs login or plain authentication".to_string(),
            ),
            (
                format!("give --{flag}-ca-file the certificate this server presents (or the CA that signed it), or --insecure to skip verification"),
                format!("the {side} server's certificate is not trusted here: install its CA on this machine"),
            ),
            (
                format!("for a self-signed or private CA certificate pass its PEM with --{flag}-ca-file, or --insecure to skip verification"),
                format!("the {side} server's certificate is self-signed or from a private CA: install that CA on this machine"),
            ),
            (
                format!("pass --{flag}-dav URL"),
                "untick it, or use a platform that serves it".to_string(),
            ),
            (
                format!("pass --{flag}-sieve HOST[:PORT]"),
                "untick it, or use a platform that serves it".to_string(),
            ),
            (
                format!("set MAILSHIFT_{env}_PASSWORD, pass --{flag}-password-file, or run on a terminal to be asked"),
                format!("type it in the {side} password field"),
            ),
        ];
        for (cli, panel) in pairs {
            s = s.replace(&cli, &panel);
        }
    }
    // A project row's remedy points at `mailshift migrate … --src-dav URL`.
    if let Some(start) = s.find(" (a project row names no") {
        if let Some(len) = s[start..].find(')') {
            s.replace_range(
                start..start + len + 1,
                " (a project row cannot name a CalDAV/CardDAV or ManageSieve server: leave it out of the row's options)",
            );
        }
    }
    s = s.replace(
        "or pass --allow-password-files-anywhere if this CSV is yours",
        "or use env: references",
    );
    articles(&s)
}

/// "a IMAP" → "an IMAP", "a Email Pro" → "an Email Pro": the article follows the
/// sound of the next word (a capitalised vowel, or a lower-case one but `u`, which
/// often sounds "you").
pub fn articles(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(i) = rest.find(['a', 'A']) {
        let (before, from) = rest.split_at(i);
        out.push_str(before);
        let starts_word = out.chars().last().is_none_or(|c| !c.is_alphanumeric());
        let next = from[1..].strip_prefix(' ').and_then(|w| w.chars().next());
        let vowel = next.is_some_and(|c| "AEIOU".contains(c) || "aeio".contains(c));
        out.push_str(&from[..1]);
        if starts_word && vowel {
            out.push('n');
        }
        rest = &from[1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailshift_tasks::{ImapError, Side};

    #[test]
    fn login_and_port_errors_name_fields_not_flags() {
        let e = ImapError::AuthFailed {
            side: Side::Source,
            host: "127.0.0.1".into(),
            user: "john@example.com".into(),
            detail: String::new(),
        }
        .to_string();
        let p = for_panel(&format!("source: {e}"));
        assert!(!p.contains("MAILSHIFT_") && !p.contains("--"), "{p}");
        assert!(p.contains("source password field"), "{p}");
        assert_eq!(p.matches("source:").count(), 1, "{p}");
        let e = ImapError::Refused {
            side: Side::Destination,
            host: "127.0.0.1".into(),
            port: 41429,
        }
        .to_string();
        let p = for_panel(&e);
        assert!(!p.contains("--") && p.contains("destination URL"), "{p}");
        let e = ImapError::StartTlsRefused {
            side: Side::Source,
            host: "h".into(),
            port: 143,
        }
        .to_string();
        assert!(!for_panel(&e).contains("--"), "{}", for_panel(&e));
    }

    #[test]
    fn the_article_follows_the_word() {
        assert_eq!(
            articles("a IMAP source has no calendars; a Email Pro destination"),
            "an IMAP source has no calendars; an Email Pro destination"
        );
        assert_eq!(
            articles("a MX Plan, a user, an IMAP, data ok"),
            "a MX Plan, a user, an IMAP, data ok"
        );
        assert_eq!(articles("A Exchange"), "An Exchange");
    }

    #[test]
    fn a_project_row_remedy_names_no_command() {
        let row = "line 2, options: 'calendars' cannot be migrated: calendars: the source has no CalDAV server (a project row names no CalDAV/CardDAV or ManageSieve server: move it with `mailshift migrate ... --src-dav URL`)";
        let p = for_panel(row);
        assert!(!p.contains("--") && !p.contains("mailshift migrate"), "{p}");
        assert!(p.starts_with("line 2, options:"), "{p}");
    }
}
