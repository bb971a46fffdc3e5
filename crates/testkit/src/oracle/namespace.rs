//! NAMESPACE (RFC 2342): the personal, other users' and shared prefixes a server announces,
//! and which of them a folder belongs to (the longest matching prefix; `INBOX` is personal).

use super::mutf7;
use super::wire::Token;

/// One namespace as announced by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    /// Decoded UTF-8 prefix with the server's separator, e.g. `INBOX.`, `Other Users/`, ``.
    pub prefix: String,
    /// Hierarchy separator; `None` for a flat namespace (`NIL`).
    pub separator: Option<char>,
}

impl Namespace {
    /// The prefix in oracle form (`/` as separator), e.g. `INBOX/`.
    pub fn logical_prefix(&self) -> String {
        match self.separator {
            Some(sep) if sep != '/' => self.prefix.replace(sep, "/"),
            _ => self.prefix.clone(),
        }
    }
}

/// Which of the three kinds a namespace is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamespaceKind {
    Personal,
    Other,
    Shared,
}

/// Everything NAMESPACE said (or the fallback: one personal namespace `""`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Namespaces {
    pub personal: Vec<Namespace>,
    pub other: Vec<Namespace>,
    pub shared: Vec<Namespace>,
}

impl Namespaces {
    /// The first personal prefix (server form), `""` when there is none.
    pub fn personal_prefix(&self) -> &str {
        self.personal.first().map_or("", |n| n.prefix.as_str())
    }

    /// The first personal namespace's separator.
    pub fn personal_separator(&self) -> Option<char> {
        self.personal.first().and_then(|n| n.separator)
    }

    /// The namespace a folder (oracle form, `/` as separator) belongs to.
    pub fn kind_of(&self, name: &str) -> Option<(NamespaceKind, &Namespace)> {
        if name.eq_ignore_ascii_case("INBOX") {
            if let Some(ns) = self.personal.first() {
                return Some((NamespaceKind::Personal, ns));
            }
        }
        let all = [
            (NamespaceKind::Personal, &self.personal),
            (NamespaceKind::Other, &self.other),
            (NamespaceKind::Shared, &self.shared),
        ];
        let mut best: Option<(usize, NamespaceKind, &Namespace)> = None;
        for (kind, list) in all {
            for ns in list.iter() {
                let prefix = ns.logical_prefix();
                let bare = prefix.strip_suffix('/').unwrap_or(&prefix);
                let matches = prefix.is_empty()
                    || name.starts_with(&prefix)
                    || (name == bare && !bare.is_empty());
                if matches && best.is_none_or(|(len, _, _)| prefix.len() > len) {
                    best = Some((prefix.len(), kind, ns));
                }
            }
        }
        best.map(|(_, kind, ns)| (kind, ns))
    }

    /// The folder's name relative to the personal namespace (prefix stripped, `INBOX` stays
    /// `INBOX`), or `None` when it belongs to another namespace or is the prefix itself.
    pub fn personal_relative(&self, name: &str) -> Option<String> {
        if name.eq_ignore_ascii_case("INBOX") {
            return Some("INBOX".into());
        }
        match self.kind_of(name) {
            Some((NamespaceKind::Personal, ns)) => {
                let rel = name.strip_prefix(&ns.logical_prefix())?;
                (!rel.is_empty()).then(|| rel.to_string())
            }
            Some(_) => None,
            // No namespace announced at all: everything is personal.
            None if self.personal.is_empty() => Some(name.to_string()),
            None => None,
        }
    }

    /// The oracle name of a folder given relative to the personal namespace.
    pub fn personal_name(&self, relative: &str) -> String {
        if relative.eq_ignore_ascii_case("INBOX") {
            return "INBOX".into();
        }
        let prefix = self.personal.first().map(Namespace::logical_prefix);
        format!("{}{relative}", prefix.unwrap_or_default())
    }
}

/// Parse an untagged `* NAMESPACE personal other shared` response.
pub(crate) fn parse(tokens: &[Token]) -> Result<Namespaces, String> {
    if tokens.get(1).and_then(Token::as_atom) != Some("NAMESPACE") {
        return Err("not a NAMESPACE response".into());
    }
    let group = |i: usize| -> Result<Vec<Namespace>, String> {
        match tokens.get(i) {
            Some(Token::List(items)) => items.iter().map(parse_one).collect(),
            Some(Token::Atom(a)) if a.eq_ignore_ascii_case("NIL") => Ok(Vec::new()),
            other => Err(format!("namespace group {i} is {other:?}")),
        }
    };
    Ok(Namespaces {
        personal: group(2)?,
        other: group(3)?,
        shared: group(4)?,
    })
}

fn parse_one(item: &Token) -> Result<Namespace, String> {
    let Token::List(parts) = item else {
        return Err(format!("namespace entry is {item:?}"));
    };
    let raw = parts
        .first()
        .and_then(Token::as_text)
        .ok_or("namespace entry without a prefix")?;
    let prefix = mutf7::decode(&raw).ok_or_else(|| format!("prefix {raw:?} is not mUTF-7"))?;
    let separator = match parts.get(1) {
        Some(Token::Atom(a)) if a.eq_ignore_ascii_case("NIL") => None,
        Some(t) => t.as_text().and_then(|s| s.chars().next()),
        None => None,
    };
    Ok(Namespace { prefix, separator })
}

#[cfg(test)]
mod tests {
    use super::super::wire::tokenize;
    use super::*;

    fn ns(line: &str) -> Namespaces {
        parse(&tokenize(line.as_bytes()).unwrap()).unwrap()
    }

    #[test]
    fn parses_cyrus_standard_and_alt() {
        let std = ns("* NAMESPACE ((\"INBOX.\" \".\")) ((\"user.\" \".\")) ((\"\" \".\"))\r\n");
        assert_eq!(std.personal_prefix(), "INBOX.");
        assert_eq!(std.personal_separator(), Some('.'));
        assert_eq!(std.other[0].prefix, "user.");
        assert_eq!(std.shared[0].prefix, "");
        let alt = ns("* NAMESPACE ((\"\" \"/\")) ((\"Other Users/\" \"/\")) ((\"Shared Folders/\" \"/\"))\r\n");
        assert_eq!(alt.other[0].logical_prefix(), "Other Users/");
        assert_eq!(alt.shared[0].prefix, "Shared Folders/");
    }

    #[test]
    fn nil_groups_and_nil_separator() {
        let n = ns("* NAMESPACE NIL ((\"user/\" \"/\")) ((\"\" NIL))\r\n");
        assert!(n.personal.is_empty());
        assert_eq!(n.personal_prefix(), "");
        assert_eq!(n.shared[0].separator, None);
    }

    #[test]
    fn longest_prefix_decides_and_inbox_is_personal() {
        let std = ns("* NAMESPACE ((\"INBOX.\" \".\")) ((\"user.\" \".\")) ((\"\" \".\"))\r\n");
        assert_eq!(std.personal_relative("INBOX").as_deref(), Some("INBOX"));
        assert_eq!(std.personal_relative("INBOX/Sent").as_deref(), Some("Sent"));
        assert_eq!(std.personal_relative("INBOX/a/b").as_deref(), Some("a/b"));
        assert_eq!(std.personal_relative("user/bob/x"), None);
        assert_eq!(std.personal_relative("announce"), None);
        assert_eq!(
            std.kind_of("user/bob/x").map(|k| k.0),
            Some(NamespaceKind::Other)
        );
        assert_eq!(
            std.kind_of("announce").map(|k| k.0),
            Some(NamespaceKind::Shared)
        );
        assert_eq!(std.personal_name("Sent"), "INBOX/Sent");
        assert_eq!(std.personal_name("inbox"), "INBOX");
    }

    #[test]
    fn prefix_folders_themselves_are_not_personal() {
        let cp =
            ns("* NAMESPACE ((\"INBOX.\" \".\")) ((\"shared.\" \".\")) ((\"Public.\" \".\"))\r\n");
        assert_eq!(cp.personal_relative("shared"), None);
        assert_eq!(cp.personal_relative("shared/bob/Projects"), None);
        assert_eq!(cp.personal_relative("Public"), None);
        assert_eq!(cp.personal_relative("Public/announce"), None);
        let dv = ns("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n");
        assert_eq!(
            dv.personal_relative("Archives/2024").as_deref(),
            Some("Archives/2024")
        );
        assert_eq!(dv.personal_name("Sent"), "Sent");
    }

    #[test]
    fn prefixes_are_decoded_from_modified_utf7() {
        let n = ns("* NAMESPACE ((\"\" \"/\")) ((\"Autres utilisateurs &AOk-/\" \"/\")) NIL\r\n");
        assert_eq!(n.other[0].prefix, "Autres utilisateurs é/");
    }
}
