//! The ManageSieve wire format (RFC 5804 section 4): tokens of a response line (atoms,
//! quoted strings, `{N}` literals, parentheses), final responses `OK`/`NO`/`BYE` with their
//! response code and text, and the encoding of strings the client sends.

/// One token of a server response line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    Atom(String),
    /// A quoted string or a literal, raw bytes (scripts are UTF-8, checked by the caller).
    Str(Vec<u8>),
    Open,
    Close,
}

impl Tok {
    /// The text of an atom or string (lossy for non-UTF-8 bytes).
    pub(crate) fn text(&self) -> Option<String> {
        match self {
            Tok::Atom(a) => Some(a.clone()),
            Tok::Str(s) => Some(String::from_utf8_lossy(s).into_owned()),
            Tok::Open | Tok::Close => None,
        }
    }
}

/// The tokens of one line, and the size of a `{N}` literal that ends it (its bytes follow).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct LinePart {
    pub toks: Vec<Tok>,
    pub literal: Option<usize>,
}

/// Largest literal accepted from a server (a script is far smaller; guards memory).
pub(crate) const MAX_LITERAL: usize = 64 * 1024 * 1024;

/// Split one line (without its CRLF) into tokens.
pub(crate) fn tokenize(line: &[u8]) -> Result<LinePart, String> {
    let mut toks = Vec::new();
    let mut i = 0;
    while i < line.len() {
        match line[i] {
            b' ' | b'\t' => i += 1,
            b'(' => {
                toks.push(Tok::Open);
                i += 1;
            }
            b')' => {
                toks.push(Tok::Close);
                i += 1;
            }
            b'"' => {
                let mut s = Vec::new();
                i += 1;
                loop {
                    match line.get(i) {
                        None => return Err("unterminated quoted string".into()),
                        Some(b'"') => break,
                        Some(b'\\') => {
                            let Some(&c) = line.get(i + 1) else {
                                return Err("unterminated quoted string".into());
                            };
                            s.push(c);
                            i += 1;
                        }
                        Some(&c) => s.push(c),
                    }
                    i += 1;
                }
                i += 1;
                toks.push(Tok::Str(s));
            }
            b'{' => {
                let close = line[i..]
                    .iter()
                    .position(|&c| c == b'}')
                    .ok_or("literal size without `}`")?;
                let inner = &line[i + 1..i + close];
                let digits = inner.strip_suffix(b"+").unwrap_or(inner);
                let n: usize = std::str::from_utf8(digits)
                    .ok()
                    .and_then(|d| d.parse().ok())
                    .ok_or_else(|| {
                        format!("bad literal size `{}`", String::from_utf8_lossy(inner))
                    })?;
                if i + close + 1 != line.len() {
                    return Err("literal size not at the end of the line".into());
                }
                if n > MAX_LITERAL {
                    return Err(format!("literal of {n} bytes is larger than {MAX_LITERAL}"));
                }
                return Ok(LinePart {
                    toks,
                    literal: Some(n),
                });
            }
            _ => {
                let start = i;
                while i < line.len() && !matches!(line[i], b' ' | b'\t' | b'(' | b')' | b'"') {
                    i += 1;
                }
                toks.push(Tok::Atom(
                    String::from_utf8_lossy(&line[start..i]).into_owned(),
                ));
            }
        }
    }
    Ok(LinePart {
        toks,
        literal: None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Ok,
    No,
    Bye,
}

/// The response that ends a command: status, response code (`QUOTA/MAXSIZE`, ...), text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Final {
    pub status: Status,
    /// The response code's first atom, upper-cased (`QUOTA/MAXSIZE`, `NONEXISTENT`, ...).
    pub code: Option<String>,
    /// Strings that follow the code's atom inside the parentheses (`SASL "..."`).
    pub code_args: Vec<String>,
    pub text: String,
}

impl Final {
    /// Does the response code start with this (e.g. `QUOTA` matches `QUOTA/MAXSIZE`)?
    pub(crate) fn code_is(&self, prefix: &str) -> bool {
        self.code.as_deref().is_some_and(|c| {
            c == prefix || c.strip_prefix(prefix).is_some_and(|r| r.starts_with('/'))
        })
    }

    /// The server's words for a person: the text, else the response code.
    pub(crate) fn describe(&self) -> String {
        match (&self.code, self.text.is_empty()) {
            (_, false) => self.text.clone(),
            (Some(code), true) => format!("({code})"),
            (None, true) => "no reason given".into(),
        }
    }
}

/// A final response if the line is one (`OK`, `NO`, `BYE` first), else `None` (a data line).
pub(crate) fn final_response(toks: &[Tok]) -> Result<Option<Final>, String> {
    let Some(Tok::Atom(first)) = toks.first() else {
        return Ok(None);
    };
    let status = match first.to_ascii_uppercase().as_str() {
        "OK" => Status::Ok,
        "NO" => Status::No,
        "BYE" => Status::Bye,
        _ => return Ok(None),
    };
    let mut rest = &toks[1..];
    let mut code = None;
    let mut code_args = Vec::new();
    if rest.first() == Some(&Tok::Open) {
        let end = rest
            .iter()
            .position(|t| *t == Tok::Close)
            .ok_or("response code without `)`")?;
        let inside = &rest[1..end];
        match inside.first() {
            Some(Tok::Atom(a)) => code = Some(a.to_ascii_uppercase()),
            _ => return Err("response code does not start with an atom".into()),
        }
        code_args = inside[1..].iter().filter_map(Tok::text).collect();
        rest = &rest[end + 1..];
    }
    let text = match rest.first() {
        None => String::new(),
        Some(Tok::Str(s)) => String::from_utf8_lossy(s).into_owned(),
        Some(other) => return Err(format!("unexpected {other:?} after the status")),
    };
    Ok(Some(Final {
        status,
        code,
        code_args,
        text,
    }))
}

/// A string argument the way a command sends it: quoted (`"` and `\` escaped) when it fits
/// on a line, else a non-synchronizing literal `{N+}`.
pub(crate) fn string_arg(s: &str) -> Vec<u8> {
    if s.contains(['\r', '\n', '\0']) || s.len() > 1024 {
        return literal_arg(s.as_bytes());
    }
    let mut out = Vec::with_capacity(s.len() + 2);
    out.push(b'"');
    for &b in s.as_bytes() {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
    out
}

/// A non-synchronizing literal `{N+}` CRLF bytes.
pub(crate) fn literal_arg(bytes: &[u8]) -> Vec<u8> {
    let mut out = format!("{{{}+}}\r\n", bytes.len()).into_bytes();
    out.extend_from_slice(bytes);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Tok {
        Tok::Str(x.as_bytes().to_vec())
    }

    #[test]
    fn capability_and_list_lines_tokenize() {
        let p = tokenize(br#""SIEVE" "fileinto vacation""#).unwrap();
        assert_eq!(p.toks, [s("SIEVE"), s("fileinto vacation")]);
        assert_eq!(p.literal, None);
        let p = tokenize(br#""my \"rules\" \\ x" ACTIVE"#).unwrap();
        assert_eq!(p.toks, [s(r#"my "rules" \ x"#), Tok::Atom("ACTIVE".into())]);
    }

    #[test]
    fn literal_marker_ends_the_line_and_gives_its_size() {
        let p = tokenize(b"{42}").unwrap();
        assert_eq!((p.toks, p.literal), (vec![], Some(42)));
        let p = tokenize(b"NO (NONEXISTENT) {7+}").unwrap();
        assert_eq!(p.literal, Some(7));
        assert_eq!(p.toks.len(), 4);
        assert!(tokenize(b"{4} x").is_err());
        assert!(tokenize(b"{x}").is_err());
        assert!(tokenize(b"{999999999999}").is_err());
        assert!(tokenize(br#""open"#).is_err());
    }

    #[test]
    fn final_responses_carry_code_and_text() {
        let toks =
            tokenize(br#"NO (QUOTA/MAXSIZE) "Script is too large (max 1048576 bytes).""#).unwrap();
        let f = final_response(&toks.toks).unwrap().unwrap();
        assert_eq!(f.status, Status::No);
        assert!(f.code_is("QUOTA") && f.code_is("QUOTA/MAXSIZE") && !f.code_is("QUOT"));
        assert_eq!(f.text, "Script is too large (max 1048576 bytes).");

        let toks = tokenize(br#"ok (SASL "c2VydmVy")"#).unwrap();
        let f = final_response(&toks.toks).unwrap().unwrap();
        assert_eq!((f.status, f.code.as_deref()), (Status::Ok, Some("SASL")));
        assert_eq!(f.code_args, ["c2VydmVy"]);
        assert_eq!(f.describe(), "(SASL)");

        let f = final_response(&tokenize(b"BYE").unwrap().toks)
            .unwrap()
            .unwrap();
        assert_eq!(
            (f.status, f.describe()),
            (Status::Bye, "no reason given".into())
        );
        assert_eq!(
            final_response(&[s("IMPLEMENTATION"), s("x")]).unwrap(),
            None
        );
        assert!(final_response(&tokenize(b"NO (NONEXISTENT").unwrap().toks).is_err());
    }

    #[test]
    fn strings_are_quoted_with_escapes_or_sent_as_literals() {
        assert_eq!(string_arg(r#"a"b\c"#), br#""a\"b\\c""#);
        assert_eq!(string_arg("été"), "\"été\"".as_bytes());
        assert_eq!(string_arg("a\r\nb"), b"{4+}\r\na\r\nb");
        assert_eq!(literal_arg("ü".as_bytes()), "{2+}\r\nü".as_bytes());
    }
}
