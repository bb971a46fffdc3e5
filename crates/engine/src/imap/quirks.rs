//! What servers and async-imap hand back, turned into what the engine means: folder
//! attributes and escaped names from LIST, the server's words out of async-imap's
//! error text, parse failures in plain words.

use async_imap::types::NameAttribute;

use super::session::{ListedFolder, SpecialUse};

/// Most folders one LIST may return (a real mailbox has hundreds at most).
pub(crate) const MAX_FOLDERS: usize = 100_000;

pub(crate) fn listed(n: &async_imap::types::Name) -> ListedFolder {
    let mut noselect = false;
    let mut special = None;
    for a in n.attributes() {
        match a {
            NameAttribute::NoSelect => noselect = true,
            NameAttribute::Sent => special = Some(SpecialUse::Sent),
            NameAttribute::Drafts => special = Some(SpecialUse::Drafts),
            NameAttribute::Trash => special = Some(SpecialUse::Trash),
            NameAttribute::Junk => special = Some(SpecialUse::Junk),
            NameAttribute::Archive => special = Some(SpecialUse::Archive),
            NameAttribute::Extension(e) if e.eq_ignore_ascii_case("\\NonExistent") => {
                noselect = true
            }
            _ => {}
        }
    }
    ListedFolder {
        raw: unescape_quoted(n.name()),
        delimiter: n.delimiter().and_then(|d| d.chars().next()),
        noselect,
        special,
    }
}

/// imap-proto hands back a quoted mailbox name with its escapes still in
/// (`q\"uote` for `q"uote`); every command we send quotes the name again, so
/// keep the real name. A literal name with a backslash is rare enough (servers
/// quote such names) that treating `\\` and `\"` as escapes is the safe side.
fn unescape_quoted(name: &str) -> String {
    if !name.contains('\\') {
        return name.to_string();
    }
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n @ ('"' | '\\')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    out
}

/// Pull the human text out of async-imap's `code: .., info: Some("..")`
/// (or `Outcome { .., information: Some("..") }`) form.
pub(crate) fn server_text(text: &str) -> Option<String> {
    ["info: Some(\"", "information: Some(\""]
        .iter()
        .find_map(|key| {
            let start = text.find(key)? + key.len();
            let end = text[start..].rfind("\")")? + start;
            Some(text[start..end].replace("\\\"", "\""))
        })
}

/// A connection-level failure in words: async-imap's parse errors carry the
/// parser's debug output and the raw bytes, which help no one.
pub(crate) fn lost_reason(e: &async_imap::error::Error) -> String {
    let text = e.to_string();
    if text.contains("during parsing of") || text.contains("Error { input") {
        "the server sent an answer that is not valid IMAP".to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_is_taken_from_both_forms_async_imap_uses() {
        assert_eq!(
            server_text(r#"code: None, info: Some("Mailbox doesn't exist")"#).as_deref(),
            Some("Mailbox doesn't exist")
        );
        assert_eq!(
            server_text(r#"outcome: Outcome { code: None, information: Some("Quota exceeded") }"#)
                .as_deref(),
            Some("Quota exceeded")
        );
        assert_eq!(server_text("code: None, info: None"), None);
    }

    #[test]
    fn quoted_names_lose_their_escapes_and_plain_ones_stay() {
        assert_eq!(unescape_quoted(r#"q\"uote"#), "q\"uote");
        assert_eq!(unescape_quoted(r"back\\slash"), r"back\slash");
        assert_eq!(unescape_quoted(r"odd\x"), r"odd\x");
        assert_eq!(unescape_quoted("Soci&AOk-t&AOk-"), "Soci&AOk-t&AOk-");
    }
}
