//! IMAP namespaces (RFC 2342): where a server keeps the user's own folders,
//! other users' folders and shared ones. Asked with NAMESPACE where the
//! server has it, inferred from LIST otherwise. Parsing is pure.

use super::session::ListedFolder;

/// One namespace: a prefix (raw, modified UTF-7) and its hierarchy separator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    pub prefix: String,
    pub delimiter: Option<char>,
}

/// What kind of namespace a folder lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamespaceKind {
    Personal,
    OtherUsers,
    Shared,
}

impl NamespaceKind {
    /// Why such folders are not the user's own (for the report).
    pub fn describe(self) -> &'static str {
        match self {
            NamespaceKind::Personal => "the user's own folders",
            NamespaceKind::OtherUsers => "another user's folder",
            NamespaceKind::Shared => "a shared or public folder",
        }
    }
}

/// The three namespace lists of RFC 2342, in the server's order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Namespaces {
    pub personal: Vec<Namespace>,
    pub other: Vec<Namespace>,
    pub shared: Vec<Namespace>,
    /// Told by the server (NAMESPACE) rather than inferred from LIST.
    pub announced: bool,
}

impl Namespaces {
    /// The user's main namespace: the first personal one, or the empty
    /// prefix with the separator LIST showed.
    pub fn personal(&self) -> Namespace {
        self.personal.first().cloned().unwrap_or(Namespace {
            prefix: String::new(),
            delimiter: None,
        })
    }

    /// The namespace a raw folder name belongs to: the longest prefix wins,
    /// so `user.bob` falls in "other users" even when the personal prefix is "".
    pub fn classify(&self, raw: &str) -> (NamespaceKind, Namespace) {
        let mut best: Option<(NamespaceKind, &Namespace)> = None;
        let all = [
            (NamespaceKind::Personal, &self.personal),
            (NamespaceKind::OtherUsers, &self.other),
            (NamespaceKind::Shared, &self.shared),
        ];
        for (kind, list) in all {
            for ns in list.iter() {
                if covers(ns, raw) && best.is_none_or(|(_, b)| ns.prefix.len() > b.prefix.len()) {
                    best = Some((kind, ns));
                }
            }
        }
        match best {
            Some((k, ns)) => (k, ns.clone()),
            None => (NamespaceKind::Personal, self.personal()),
        }
    }

    /// Without NAMESPACE: a server whose every folder but INBOX sits under
    /// `INBOX<sep>` (Courier, cPanel, Cyrus) has the personal prefix `INBOX<sep>`.
    pub fn inferred(list: &[ListedFolder]) -> Namespaces {
        let delimiter = list
            .iter()
            .find(|f| f.raw.eq_ignore_ascii_case("INBOX"))
            .and_then(|f| f.delimiter)
            .or_else(|| list.iter().find_map(|f| f.delimiter));
        let others: Vec<&ListedFolder> = list
            .iter()
            .filter(|f| !f.raw.eq_ignore_ascii_case("INBOX"))
            .collect();
        let prefix = match delimiter {
            Some(d) if !others.is_empty() => {
                let p = format!("INBOX{d}");
                let under = others
                    .iter()
                    .all(|f| f.raw.len() > p.len() && f.raw[..p.len()].eq_ignore_ascii_case(&p));
                if under {
                    // Keep the server's spelling of INBOX.
                    others[0].raw[..p.len()].to_string()
                } else {
                    String::new()
                }
            }
            _ => String::new(),
        };
        Namespaces {
            personal: vec![Namespace { prefix, delimiter }],
            other: Vec::new(),
            shared: Vec::new(),
            announced: false,
        }
    }
}

fn covers(ns: &Namespace, raw: &str) -> bool {
    if ns.prefix.is_empty() {
        return true;
    }
    if raw.len() >= ns.prefix.len() && raw[..ns.prefix.len()].eq_ignore_ascii_case(&ns.prefix) {
        return true;
    }
    // The namespace root itself (`shared` for prefix `shared/`).
    ns.delimiter
        .and_then(|d| ns.prefix.strip_suffix(d))
        .is_some_and(|root| raw.eq_ignore_ascii_case(root))
}

/// Why a NAMESPACE answer could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unreadable NAMESPACE answer: {0}")]
pub struct NamespaceParseError(pub String);

/// Parse the text after `* NAMESPACE ` (literals already inlined as
/// `{n}\r\n<bytes>`).
pub fn parse(text: &[u8]) -> Result<Namespaces, NamespaceParseError> {
    let mut p = Parser { s: text, i: 0 };
    let personal = p.list()?;
    p.space();
    let other = p.list()?;
    p.space();
    let shared = p.list()?;
    Ok(Namespaces {
        personal,
        other,
        shared,
        announced: true,
    })
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self, what: &str) -> NamespaceParseError {
        NamespaceParseError(format!("{what} at byte {}", self.i))
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn space(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }

    fn expect(&mut self, b: u8) -> Result<(), NamespaceParseError> {
        self.space();
        if self.peek() == Some(b) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err(&format!("expected '{}'", b as char)))
        }
    }

    fn nil(&mut self) -> bool {
        self.space();
        if self.s.len() >= self.i + 3 && self.s[self.i..self.i + 3].eq_ignore_ascii_case(b"NIL") {
            self.i += 3;
            true
        } else {
            false
        }
    }

    /// `NIL` or `( (prefix delim ext*) ... )`.
    fn list(&mut self) -> Result<Vec<Namespace>, NamespaceParseError> {
        if self.nil() {
            return Ok(Vec::new());
        }
        self.expect(b'(')?;
        let mut out = Vec::new();
        loop {
            self.space();
            match self.peek() {
                Some(b')') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'(') => {
                    self.i += 1;
                    let prefix = self.string()?.ok_or_else(|| self.err("NIL prefix"))?;
                    self.space();
                    let delimiter = self.string()?.and_then(|d| d.chars().next());
                    // Extensions (RFC 2342 section 5): skip to the closing parenthesis.
                    self.skip_to_close()?;
                    out.push(Namespace { prefix, delimiter });
                }
                _ => return Err(self.err("expected a namespace")),
            }
        }
    }

    fn skip_to_close(&mut self) -> Result<(), NamespaceParseError> {
        let mut depth = 0usize;
        loop {
            self.space();
            match self.peek() {
                None => return Err(self.err("unterminated namespace")),
                Some(b')') if depth == 0 => {
                    self.i += 1;
                    return Ok(());
                }
                Some(b')') => {
                    depth -= 1;
                    self.i += 1;
                }
                Some(b'(') => {
                    depth += 1;
                    self.i += 1;
                }
                Some(b'"') | Some(b'{') => {
                    self.string()?;
                }
                Some(_) => self.i += 1,
            }
        }
    }

    /// A quoted string, a literal, or NIL (`None`).
    fn string(&mut self) -> Result<Option<String>, NamespaceParseError> {
        self.space();
        if self.nil() {
            return Ok(None);
        }
        match self.peek() {
            Some(b'"') => {
                self.i += 1;
                let mut out = Vec::new();
                loop {
                    match self.peek() {
                        None => return Err(self.err("unterminated string")),
                        Some(b'\\') => {
                            self.i += 1;
                            if let Some(c) = self.peek() {
                                out.push(c);
                                self.i += 1;
                            }
                        }
                        Some(b'"') => {
                            self.i += 1;
                            return Ok(Some(String::from_utf8_lossy(&out).into_owned()));
                        }
                        Some(c) => {
                            out.push(c);
                            self.i += 1;
                        }
                    }
                }
            }
            Some(b'{') => {
                let close = self.s[self.i..]
                    .iter()
                    .position(|&b| b == b'}')
                    .ok_or_else(|| self.err("unterminated literal"))?;
                let n: usize = std::str::from_utf8(&self.s[self.i + 1..self.i + close])
                    .ok()
                    .map(|t| t.trim_end_matches('+'))
                    .and_then(|t| t.parse().ok())
                    .ok_or_else(|| self.err("bad literal length"))?;
                self.i += close + 1;
                if self.s[self.i..].starts_with(b"\r\n") {
                    self.i += 2;
                }
                let end = self.i + n;
                if end > self.s.len() {
                    return Err(self.err("short literal"));
                }
                let v = String::from_utf8_lossy(&self.s[self.i..end]).into_owned();
                self.i = end;
                Ok(Some(v))
            }
            _ => Err(self.err("expected a string")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(prefix: &str, d: char) -> Namespace {
        Namespace {
            prefix: prefix.into(),
            delimiter: Some(d),
        }
    }

    #[test]
    fn parses_the_common_server_answers() {
        let dovecot = parse(br#"(("" "/")) NIL NIL"#).unwrap();
        assert_eq!(dovecot.personal, vec![ns("", '/')]);
        assert!(dovecot.other.is_empty() && dovecot.shared.is_empty());

        let cyrus = parse(br#"(("INBOX." ".")) (("user." ".")) (("" "."))"#).unwrap();
        assert_eq!(cyrus.personal, vec![ns("INBOX.", '.')]);
        assert_eq!(cyrus.other, vec![ns("user.", '.')]);
        assert_eq!(cyrus.shared, vec![ns("", '.')]);

        let ext = parse(
            br##"(("" "/" "X-PARAM" ("FLAG1" "FLAG2"))) (("~" "/")) (("#shared/" "/")("#public/" "/")("#ftp/" "/"))"##,
        )
        .unwrap();
        assert_eq!(ext.personal, vec![ns("", '/')]);
        assert_eq!(ext.shared.len(), 3);

        let lit = parse(b"(({6}\r\nINBOX. \".\")) NIL NIL").unwrap();
        assert_eq!(lit.personal, vec![ns("INBOX.", '.')]);
        let nil_delim = parse(br#"(("" NIL)) NIL NIL"#).unwrap();
        assert_eq!(nil_delim.personal[0].delimiter, None);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bad in [
            &b""[..],
            b"(",
            b"((\"x",
            b"((\"\" \"/\")",
            b"{999}\r\nab",
            b"(({x}",
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn longest_prefix_classifies() {
        let cyrus = parse(br#"(("INBOX." ".")) (("user." ".")) (("" "."))"#).unwrap();
        assert_eq!(cyrus.classify("INBOX.Sent").0, NamespaceKind::Personal);
        assert_eq!(cyrus.classify("user.bob.Work").0, NamespaceKind::OtherUsers);
        assert_eq!(cyrus.classify("announce").0, NamespaceKind::Shared);
        let dovecot = parse(br#"(("" "/")) (("shared/" "/")) (("Public/" "/"))"#).unwrap();
        assert_eq!(dovecot.classify("Work/2023").0, NamespaceKind::Personal);
        assert_eq!(
            dovecot.classify("shared/bob/x").0,
            NamespaceKind::OtherUsers
        );
        assert_eq!(dovecot.classify("shared").0, NamespaceKind::OtherUsers);
        assert_eq!(dovecot.classify("Public/News").0, NamespaceKind::Shared);
    }

    fn lf(raw: &str, d: char) -> ListedFolder {
        ListedFolder {
            raw: raw.into(),
            delimiter: Some(d),
            noselect: false,
            special: None,
        }
    }

    #[test]
    fn inferred_prefix_only_when_everything_is_under_inbox() {
        let courier = [
            lf("INBOX", '.'),
            lf("INBOX.Sent", '.'),
            lf("INBOX.a.b", '.'),
        ];
        assert_eq!(Namespaces::inferred(&courier).personal(), ns("INBOX.", '.'));
        let plain = [lf("INBOX", '/'), lf("Sent", '/'), lf("INBOX/child", '/')];
        assert_eq!(Namespaces::inferred(&plain).personal(), ns("", '/'));
        let only_inbox = [lf("INBOX", '.')];
        assert_eq!(Namespaces::inferred(&only_inbox).personal(), ns("", '.'));
    }
}
