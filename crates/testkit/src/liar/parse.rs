//! Parsing what a client sends: arguments (atoms, quoted strings, literals, lists), sequence
//! and UID sets, and FETCH data items. Errors are short texts for a tagged BAD.

/// One argument of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Arg {
    /// An atom; a `[...]` inside it is kept whole, spaces included (`BODY.PEEK[HEADER.FIELDS (A B)]`).
    Atom(String),
    /// A quoted string or a literal.
    Str(Vec<u8>),
    List(Vec<Arg>),
}

impl Arg {
    /// An astring's text (atom or string).
    pub(crate) fn text(&self) -> Option<String> {
        match self {
            Arg::Atom(a) => Some(a.clone()),
            Arg::Str(s) => Some(String::from_utf8_lossy(s).into_owned()),
            Arg::List(_) => None,
        }
    }

    pub(crate) fn atom(&self) -> Option<&str> {
        match self {
            Arg::Atom(a) => Some(a),
            _ => None,
        }
    }
}

/// Split a whole command (literals inline as `{n}\r\n` + n bytes, no final CRLF) into arguments.
pub(crate) fn tokenize(input: &[u8]) -> Result<Vec<Arg>, String> {
    let mut pos = 0;
    let args = parse_seq(input, &mut pos, false)?;
    if pos != input.len() {
        return Err("unexpected ')'".into());
    }
    Ok(args)
}

fn parse_seq(input: &[u8], pos: &mut usize, in_list: bool) -> Result<Vec<Arg>, String> {
    let mut out = Vec::new();
    loop {
        while input.get(*pos) == Some(&b' ') {
            *pos += 1;
        }
        let Some(&c) = input.get(*pos) else {
            return if in_list {
                Err("unterminated list".into())
            } else {
                Ok(out)
            };
        };
        match c {
            b')' if in_list => {
                *pos += 1;
                return Ok(out);
            }
            b')' => return Ok(out),
            b'(' => {
                *pos += 1;
                out.push(Arg::List(parse_seq(input, pos, true)?));
            }
            b'"' => out.push(Arg::Str(parse_quoted(input, pos)?)),
            b'{' => out.push(Arg::Str(parse_literal(input, pos)?)),
            _ => out.push(Arg::Atom(parse_atom(input, pos)?)),
        }
        match input.get(*pos) {
            None | Some(b' ') | Some(b')') => {}
            Some(_) => return Err("arguments must be separated by spaces".into()),
        }
    }
}

fn parse_quoted(input: &[u8], pos: &mut usize) -> Result<Vec<u8>, String> {
    *pos += 1;
    let mut out = Vec::new();
    loop {
        match input.get(*pos) {
            None => return Err("unterminated quoted string".into()),
            Some(b'"') => {
                *pos += 1;
                return Ok(out);
            }
            Some(b'\\') => match input.get(*pos + 1) {
                Some(&e @ (b'"' | b'\\')) => {
                    out.push(e);
                    *pos += 2;
                }
                _ => return Err("bad escape in quoted string".into()),
            },
            Some(b'\r' | b'\n' | 0) => return Err("control character in quoted string".into()),
            Some(&b) => {
                out.push(b);
                *pos += 1;
            }
        }
    }
}

fn parse_literal(input: &[u8], pos: &mut usize) -> Result<Vec<u8>, String> {
    let rest = &input[*pos..];
    let close = rest
        .iter()
        .position(|&b| b == b'}')
        .ok_or("unterminated literal")?;
    let digits = rest[1..close].strip_suffix(b"+").unwrap_or(&rest[1..close]);
    let n: usize = std::str::from_utf8(digits)
        .ok()
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| d.parse().ok())
        .ok_or("bad literal length")?;
    if rest.get(close + 1..close + 3) != Some(b"\r\n") {
        return Err("a literal must end its line".into());
    }
    let start = *pos + close + 3;
    let bytes = input
        .get(start..start.saturating_add(n))
        .ok_or("literal shorter than announced")?;
    *pos = start + n;
    Ok(bytes.to_vec())
}

fn parse_atom(input: &[u8], pos: &mut usize) -> Result<String, String> {
    let start = *pos;
    let mut depth = 0usize;
    while let Some(&b) = input.get(*pos) {
        match b {
            b'[' => depth += 1,
            b']' if depth > 0 => depth -= 1,
            b' ' | b'(' | b')' if depth == 0 => break,
            b'"' | b'{' if depth == 0 => break,
            _ => {}
        }
        if !(0x20..0x7f).contains(&b) {
            return Err("control or 8-bit character in an atom".into());
        }
        *pos += 1;
    }
    if depth > 0 {
        return Err("unterminated '['".into());
    }
    if *pos == start {
        return Err("empty atom".into());
    }
    Ok(String::from_utf8_lossy(&input[start..*pos]).into_owned())
}

/// One end of a range: a number or `*` (the largest in use).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bound {
    Num(u32),
    Star,
}

/// A sequence set such as `1:*` or `3,5:9` (UIDs or message numbers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SeqSet(Vec<(Bound, Bound)>);

const MAX_SET_PARTS: usize = 10_000;

impl SeqSet {
    pub(crate) fn parse(text: &str) -> Result<SeqSet, String> {
        let bound = |s: &str| -> Result<Bound, String> {
            if s == "*" {
                return Ok(Bound::Star);
            }
            match s.parse::<u32>() {
                Ok(n) if n > 0 && s.bytes().all(|b| b.is_ascii_digit()) => Ok(Bound::Num(n)),
                _ => Err(format!("invalid sequence set {text:?}")),
            }
        };
        let mut parts = Vec::new();
        for part in text.split(',') {
            if parts.len() == MAX_SET_PARTS {
                return Err("sequence set too long".into());
            }
            parts.push(match part.split_once(':') {
                Some((a, b)) => (bound(a)?, bound(b)?),
                None => {
                    let b = bound(part)?;
                    (b, b)
                }
            });
        }
        Ok(SeqSet(parts))
    }

    /// Is `n` in the set, `*` standing for `max`?
    pub(crate) fn contains(&self, n: u32, max: u32) -> bool {
        let value = |b: Bound| match b {
            Bound::Num(v) => v,
            Bound::Star => max,
        };
        self.0.iter().any(|&(a, b)| {
            let (a, b) = (value(a), value(b));
            a.min(b) <= n && n <= a.max(b)
        })
    }
}

/// A `BODY[...]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Section {
    Full,
    Header,
    Text,
    /// `HEADER.FIELDS (...)` (or `.NOT` when `not`); names upper-cased.
    Fields {
        not: bool,
        names: Vec<String>,
    },
}

/// A FETCH data item the liar answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FetchItem {
    Uid,
    Flags,
    InternalDate,
    Size,
    Rfc822,
    Rfc822Header,
    Rfc822Text,
    Body {
        peek: bool,
        section: Section,
        /// `<origin.count>`
        partial: Option<(u32, u32)>,
    },
}

impl FetchItem {
    /// Would fetching it set `\Seen` on a read-write mailbox?
    pub(crate) fn sets_seen(&self) -> bool {
        matches!(
            self,
            FetchItem::Rfc822 | FetchItem::Rfc822Text | FetchItem::Body { peek: false, .. }
        )
    }
}

/// The items of a FETCH: a parenthesised list, one item, or the `FAST` macro.
pub(crate) fn fetch_items(arg: &Arg) -> Result<Vec<FetchItem>, String> {
    let list = match arg {
        Arg::List(l) if !l.is_empty() => l.as_slice(),
        Arg::Atom(a) if a.eq_ignore_ascii_case("FAST") => {
            return Ok(vec![
                FetchItem::Flags,
                FetchItem::InternalDate,
                FetchItem::Size,
            ])
        }
        Arg::Atom(_) => std::slice::from_ref(arg),
        _ => return Err("expected FETCH items".into()),
    };
    list.iter()
        .map(|a| {
            a.atom()
                .ok_or_else(|| "FETCH items are atoms".to_string())
                .and_then(fetch_item)
        })
        .collect()
}

fn fetch_item(text: &str) -> Result<FetchItem, String> {
    let upper = text.to_ascii_uppercase();
    let simple = match upper.as_str() {
        "UID" => Some(FetchItem::Uid),
        "FLAGS" => Some(FetchItem::Flags),
        "INTERNALDATE" => Some(FetchItem::InternalDate),
        "RFC822.SIZE" => Some(FetchItem::Size),
        "RFC822" => Some(FetchItem::Rfc822),
        "RFC822.HEADER" => Some(FetchItem::Rfc822Header),
        "RFC822.TEXT" => Some(FetchItem::Rfc822Text),
        _ => None,
    };
    if let Some(item) = simple {
        return Ok(item);
    }
    let unsupported = || format!("unsupported FETCH item {text}");
    let (peek, rest) = if let Some(r) = upper.strip_prefix("BODY.PEEK[") {
        (true, r)
    } else if let Some(r) = upper.strip_prefix("BODY[") {
        (false, r)
    } else {
        return Err(unsupported());
    };
    let close = rest.rfind(']').ok_or_else(unsupported)?;
    let (spec, tail) = (&rest[..close], &rest[close + 1..]);
    let section = match spec {
        "" => Section::Full,
        "HEADER" => Section::Header,
        "TEXT" => Section::Text,
        _ => {
            let (not, list) = if let Some(l) = spec.strip_prefix("HEADER.FIELDS.NOT ") {
                (true, l)
            } else if let Some(l) = spec.strip_prefix("HEADER.FIELDS ") {
                (false, l)
            } else {
                return Err(unsupported());
            };
            let names = match tokenize(list.as_bytes())?.as_slice() {
                [Arg::List(names)] if !names.is_empty() => names
                    .iter()
                    .map(|n| n.text().map(|t| t.to_ascii_uppercase()))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(unsupported)?,
                _ => return Err(unsupported()),
            };
            Section::Fields { not, names }
        }
    };
    let partial = match tail {
        "" => None,
        t => {
            let inner = t
                .strip_prefix('<')
                .and_then(|t| t.strip_suffix('>'))
                .ok_or_else(unsupported)?;
            let (o, n) = inner.split_once('.').ok_or_else(unsupported)?;
            Some((
                o.parse().map_err(|_| unsupported())?,
                n.parse().map_err(|_| unsupported())?,
            ))
        }
    };
    Ok(FetchItem::Body {
        peek,
        section,
        partial,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atom(s: &str) -> Arg {
        Arg::Atom(s.into())
    }

    #[test]
    fn commands_split_into_atoms_strings_lists_and_literals() {
        let args = tokenize(b"a1 LOGIN \"us\\\"er\" {4}\r\np w!").unwrap();
        assert_eq!(
            args,
            vec![
                atom("a1"),
                atom("LOGIN"),
                Arg::Str(b"us\"er".to_vec()),
                Arg::Str(b"p w!".to_vec())
            ]
        );
        let args = tokenize(b"t STATUS INBOX (MESSAGES UIDNEXT)").unwrap();
        assert_eq!(args[3], Arg::List(vec![atom("MESSAGES"), atom("UIDNEXT")]));
        let args = tokenize(b"t LOGIN {3+}\r\nabc x").unwrap();
        assert_eq!(args[2], Arg::Str(b"abc".to_vec()));
        assert_eq!(
            tokenize(b"t APPEND x {0}\r\n").unwrap()[3],
            Arg::Str(vec![])
        );
    }

    #[test]
    fn sections_stay_one_atom() {
        let args = tokenize(
            b"t UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE)] BODY[]<0.10>)",
        )
        .unwrap();
        let Arg::List(items) = &args[4] else {
            panic!("{args:?}")
        };
        assert_eq!(items[1], atom("BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE)]"));
        assert_eq!(items[2], atom("BODY[]<0.10>"));
    }

    #[test]
    fn malformed_commands_are_errors() {
        for bad in [
            &b"t LOGIN \"open"[..],
            b"t (a b",
            b"t a)",
            b"t {5}\r\nabc",
            b"t {x}\r\nabc",
            b"t {3}abc",
            b"t BODY[",
            b"t a\x01b",
            b"t \"a\\b\"",
            b"t \"a\"b",
        ] {
            assert!(tokenize(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn sequence_sets() {
        let s = SeqSet::parse("3,5:9").unwrap();
        let hits: Vec<u32> = (1..=12).filter(|&n| s.contains(n, 12)).collect();
        assert_eq!(hits, vec![3, 5, 6, 7, 8, 9]);
        let all = SeqSet::parse("1:*").unwrap();
        assert!(all.contains(1, 7) && all.contains(7, 7) && !all.contains(8, 7));
        // `*` is the largest in use, and ranges may come reversed.
        let tail = SeqSet::parse("10:*").unwrap();
        assert!(tail.contains(4, 4) && !tail.contains(3, 4));
        assert!(SeqSet::parse("9:5").unwrap().contains(6, 20));
        assert!(SeqSet::parse("*").unwrap().contains(20, 20));
        for bad in [
            "",
            "0",
            "1:",
            ":3",
            "1,,2",
            "a",
            "-1",
            "1:2:3",
            "+5",
            "4294967296",
        ] {
            assert!(SeqSet::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fetch_items_are_understood() {
        let args = tokenize(
            b"(UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[] \
              BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE from)] BODY[HEADER] BODY[TEXT]<5.20>)",
        )
        .unwrap();
        let items = fetch_items(&args[0]).unwrap();
        assert_eq!(
            items,
            vec![
                FetchItem::Uid,
                FetchItem::Flags,
                FetchItem::InternalDate,
                FetchItem::Size,
                FetchItem::Body {
                    peek: true,
                    section: Section::Full,
                    partial: None
                },
                FetchItem::Body {
                    peek: true,
                    section: Section::Fields {
                        not: false,
                        names: vec!["MESSAGE-ID".into(), "DATE".into(), "FROM".into()]
                    },
                    partial: None
                },
                FetchItem::Body {
                    peek: false,
                    section: Section::Header,
                    partial: None
                },
                FetchItem::Body {
                    peek: false,
                    section: Section::Text,
                    partial: Some((5, 20))
                },
            ]
        );
        assert!(items[6].sets_seen() && !items[4].sets_seen());
        assert_eq!(fetch_items(&atom("fast")).unwrap().len(), 3);
        assert_eq!(fetch_items(&atom("uid")).unwrap(), vec![FetchItem::Uid]);
        for bad in ["ENVELOPE", "BODY[1]", "BODY[]<x>", "BODYSTRUCTURE", "ALL"] {
            assert!(fetch_items(&atom(bad)).is_err(), "{bad}");
        }
        assert!(fetch_items(&Arg::List(vec![])).is_err());
    }
}
