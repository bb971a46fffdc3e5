//! What to do about an error, in the panel's words: the field to change. The layers
//! below say only what happened and carry a `Remedy`; the command line words the same
//! remedies as flags (`cli::advice`). Every error shown goes through `for_panel`.

use mailshift_tasks::{Failure, Remedy};

/// The remedy as the panel says it: the field to change, never a flag.
pub fn hint(remedy: Remedy) -> String {
    match remedy {
        Remedy::Password(side) => format!("check the {side} password field"),
        Remedy::PasswordMissing(side) => format!("type it in the {side} password field"),
        Remedy::Host(side) => format!("check the host in the {side} URL"),
        Remedy::Port(side) => {
            format!("check the port in the {side} URL and that the IMAP server runs")
        }
        Remedy::Security(side) => {
            format!("use an imaps:// {side} URL, or imap:// only on a trusted network")
        }
        Remedy::AuthMethod(_) => "this server needs login or plain authentication".into(),
        Remedy::CaFile {
            side,
            self_signed: false,
        } => format!(
            "the {side} server's certificate is not trusted here: install its CA on this machine"
        ),
        Remedy::CaFile {
            side,
            self_signed: true,
        } => format!(
            "the {side} server's certificate is self-signed or from a private CA: install that CA on this machine"
        ),
        Remedy::DavServer(_) | Remedy::SieveServer(_) => {
            "untick it, or use a platform that serves it".into()
        }
        Remedy::ProjectRowGroupware(_) => "a project row cannot name a CalDAV/CardDAV or ManageSieve server: leave it out of the row's options".into(),
        Remedy::PasswordFilesAnywhere => {
            "put it in that folder (or below it), or use env: references".into()
        }
        Remedy::OtherNamespaces => {
            "the panel copies the account's own folders only".into()
        }
        Remedy::MaxInflight => "the panel cannot copy a message this large".into(),
        Remedy::Nameserver => "check this machine's DNS resolver settings".into(),
        Remedy::RunningElsewhere => {
            "cancel it with c on the tasks screen (t), or wait for it to end".into()
        }
    }
}

/// `{text}: {hint}`, or the text alone, ready to show.
pub fn with_hint(text: &str, remedy: Option<Remedy>) -> String {
    for_panel(&match remedy {
        Some(r) => format!("{text}: {}", hint(r)),
        None => text.to_string(),
    })
}

/// A failure as the panel shows it.
pub fn failure(f: &Failure) -> String {
    with_hint(&f.text, f.remedy)
}

/// `text` as shown: the same side named twice by two layers ("source: source: …")
/// once, and the articles fitted to the words that follow.
pub fn for_panel(text: &str) -> String {
    let mut s = text.to_string();
    for side in ["source", "destination"] {
        let twice = format!("{side}: {side}: ");
        while s.contains(&twice) {
            s = s.replace(&twice, &format!("{side}: "));
        }
    }
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
    fn every_remedy_names_a_field_or_an_action_never_a_flag() {
        for r in Remedy::all() {
            let h = hint(r);
            assert!(
                !h.contains("--") && !h.contains("MAILSHIFT_") && !h.contains("mailshift "),
                "{r:?}: {h}"
            );
        }
        assert_eq!(
            hint(Remedy::Password(Side::Destination)),
            "check the destination password field"
        );
    }

    #[test]
    fn login_and_port_errors_name_fields_not_flags() {
        let e = ImapError::AuthFailed {
            side: Side::Source,
            host: "127.0.0.1".into(),
            user: "john@example.com".into(),
            detail: String::new(),
        };
        let p = with_hint(&format!("source: {e}"), e.remedy());
        assert_eq!(
            p,
            "source: login refused by 127.0.0.1 for john@example.com: check the source password field"
        );
        let e = ImapError::Refused {
            side: Side::Destination,
            host: "127.0.0.1".into(),
            port: 41429,
        };
        let p = with_hint(&e.to_string(), e.remedy());
        assert!(
            !p.contains("--") && p.contains("port in the destination URL"),
            "{p}"
        );
        let e = ImapError::StartTlsRefused {
            side: Side::Source,
            host: "h".into(),
            port: 143,
        };
        let p = failure(&Failure::new(e.to_string(), e.remedy()));
        assert!(
            !p.contains("--") && p.contains("imaps:// source URL"),
            "{p}"
        );
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
}
