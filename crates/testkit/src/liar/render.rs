//! Writing server data the way RFC 3501 spells it: strings (quoted or literal), flag lists,
//! and FETCH responses with their message parts (header, selected fields, text, partials).

use std::io::{self, Write};

use super::content::LiarMessage;
use super::parse::{FetchItem, Section};

/// An IMAP string: quoted when it can be, a literal otherwise.
pub(crate) fn string(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    let quotable = bytes.len() <= 1024
        && bytes
            .iter()
            .all(|&b| (0x20..0x7f).contains(&b) || b == b'\t');
    if quotable {
        out.write_all(b"\"")?;
        for &b in bytes {
            if b == b'"' || b == b'\\' {
                out.write_all(b"\\")?;
            }
            out.write_all(&[b])?;
        }
        out.write_all(b"\"")
    } else {
        literal(out, bytes)
    }
}

pub(crate) fn literal(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    write!(out, "{{{}}}\r\n", bytes.len())?;
    out.write_all(bytes)
}

/// `(\Seen $Forwarded)`
pub(crate) fn flag_list(flags: &[String]) -> String {
    format!("({})", flags.join(" "))
}

/// RFC822.SIZE as told: the real length moved by `delta`, never below zero.
pub(crate) fn told_size(msg: &LiarMessage, delta: i64) -> u64 {
    (msg.body.len() as i64).saturating_add(delta).max(0) as u64
}

/// One `* seq FETCH (...)` response. `uid_first` puts UID first when the item list lacks it
/// (a UID FETCH always reports the UID).
pub(crate) fn fetch_response(
    out: &mut impl Write,
    seq: usize,
    msg: &LiarMessage,
    items: &[FetchItem],
    uid_first: bool,
    size_delta: i64,
) -> io::Result<()> {
    write!(out, "* {seq} FETCH (")?;
    let mut first = true;
    let mut sep = |out: &mut dyn Write| -> io::Result<()> {
        if !std::mem::take(&mut first) {
            out.write_all(b" ")?;
        }
        Ok(())
    };
    if uid_first && !items.contains(&FetchItem::Uid) {
        sep(out)?;
        write!(out, "UID {}", msg.uid)?;
    }
    for item in items {
        sep(out)?;
        match item {
            FetchItem::Uid => write!(out, "UID {}", msg.uid)?,
            FetchItem::Flags => write!(out, "FLAGS {}", flag_list(&msg.flags))?,
            FetchItem::InternalDate => write!(out, "INTERNALDATE \"{}\"", msg.internaldate)?,
            FetchItem::Size => write!(out, "RFC822.SIZE {}", told_size(msg, size_delta))?,
            FetchItem::Rfc822 => {
                out.write_all(b"RFC822 ")?;
                literal(out, &msg.body)?;
            }
            FetchItem::Rfc822Header => {
                out.write_all(b"RFC822.HEADER ")?;
                literal(out, header(&msg.body))?;
            }
            FetchItem::Rfc822Text => {
                out.write_all(b"RFC822.TEXT ")?;
                literal(out, text(&msg.body))?;
            }
            FetchItem::Body {
                section, partial, ..
            } => {
                let data = section_bytes(&msg.body, section);
                write!(out, "BODY[{}]", section_name(section))?;
                let data = match partial {
                    Some((origin, count)) => {
                        write!(out, "<{origin}>")?;
                        let start = (*origin as usize).min(data.len());
                        let end = start.saturating_add(*count as usize).min(data.len());
                        data[start..end].to_vec()
                    }
                    None => data,
                };
                out.write_all(b" ")?;
                literal(out, &data)?;
            }
        }
    }
    out.write_all(b")\r\n")
}

fn section_name(section: &Section) -> String {
    match section {
        Section::Full => String::new(),
        Section::Header => "HEADER".into(),
        Section::Text => "TEXT".into(),
        Section::Fields { not, names } => format!(
            "HEADER.FIELDS{} ({})",
            if *not { ".NOT" } else { "" },
            names.join(" ")
        ),
    }
}

fn section_bytes(body: &[u8], section: &Section) -> Vec<u8> {
    match section {
        Section::Full => body.to_vec(),
        Section::Header => header(body).to_vec(),
        Section::Text => text(body).to_vec(),
        Section::Fields { not, names } => fields(header(body), names, *not),
    }
}

/// Where the header ends: after the blank line, or the whole message when there is none.
fn header_end(body: &[u8]) -> usize {
    if body.starts_with(b"\r\n") {
        return 2;
    }
    body.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(body.len(), |p| p + 4)
}

/// The header, blank line included.
fn header(body: &[u8]) -> &[u8] {
    &body[..header_end(body)]
}

fn text(body: &[u8]) -> &[u8] {
    &body[header_end(body)..]
}

/// The header lines (continuations included) named in `names` (or not named, when `not`),
/// followed by the blank line.
fn fields(header: &[u8], names: &[String], not: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut keep = false;
    for line in header.split_inclusive(|&b| b == b'\n') {
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        let continuation = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        if !continuation {
            let name = line
                .iter()
                .position(|&b| b == b':')
                .map(|p| &line[..p])
                .unwrap_or(b"");
            let named = names
                .iter()
                .any(|n| n.as_bytes().eq_ignore_ascii_case(name.trim_ascii_end()));
            keep = named != not;
        }
        if keep {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &[u8] = b"From: a@b\r\nSubject: hi\r\n there\r\nMessage-ID: <1@x>\r\n\r\nbody\r\n";

    fn render(items: &[FetchItem], uid_first: bool, delta: i64) -> String {
        let mut m = LiarMessage::new(7, MSG);
        m.flags = vec!["\\Seen".into(), "$Forwarded".into()];
        let mut out = Vec::new();
        fetch_response(&mut out, 3, &m, items, uid_first, delta).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn parts_of_a_message() {
        assert_eq!(header(MSG).len(), MSG.len() - 6);
        assert_eq!(text(MSG), b"body\r\n");
        assert_eq!(text(b"no header end"), b"");
        let names = vec!["SUBJECT".to_string(), "MESSAGE-ID".to_string()];
        assert_eq!(
            fields(header(MSG), &names, false),
            b"Subject: hi\r\n there\r\nMessage-ID: <1@x>\r\n\r\n".to_vec()
        );
        assert_eq!(
            fields(header(MSG), &names, true),
            b"From: a@b\r\n\r\n".to_vec()
        );
    }

    #[test]
    fn fetch_responses_are_spelled_per_rfc_3501() {
        let s = render(
            &[
                FetchItem::Flags,
                FetchItem::Size,
                FetchItem::Body {
                    peek: true,
                    section: Section::Full,
                    partial: None,
                },
            ],
            true,
            0,
        );
        assert_eq!(
            s,
            format!(
                "* 3 FETCH (UID 7 FLAGS (\\Seen $Forwarded) RFC822.SIZE {n} BODY[] {{{n}}}\r\n{})\r\n",
                String::from_utf8_lossy(MSG),
                n = MSG.len()
            )
        );
        let s = render(
            &[
                FetchItem::Size,
                FetchItem::Body {
                    peek: false,
                    section: Section::Fields {
                        not: false,
                        names: vec!["FROM".into()],
                    },
                    partial: Some((2, 3)),
                },
            ],
            false,
            -1000,
        );
        assert_eq!(
            s,
            "* 3 FETCH (RFC822.SIZE 0 BODY[HEADER.FIELDS (FROM)]<2> {3}\r\nom:)\r\n"
        );
    }

    #[test]
    fn strings_are_quoted_or_literal() {
        let mut out = Vec::new();
        string(&mut out, b"a \"b\\").unwrap();
        assert_eq!(out, b"\"a \\\"b\\\\\"".to_vec());
        out.clear();
        string(&mut out, "é".as_bytes()).unwrap();
        assert_eq!(out, b"{2}\r\n\xc3\xa9".to_vec());
    }
}
