//! Reading one whole client command off the socket: its lines and the literals between them,
//! answering synchronising literals with a continuation, within fixed bounds.

use std::io::{self, BufRead, Read, Write};

/// Longest line accepted (without its literals).
pub(crate) const LINE_MAX: usize = 64 * 1024;
/// Literals up to this size are kept (LOGIN with odd passwords); larger ones are read and
/// dropped (an APPEND to a source is refused anyway).
const KEPT_LITERAL_MAX: usize = 64 * 1024;
/// Larger literals end the connection.
const LITERAL_MAX: u64 = 64 * 1024 * 1024;
/// Lines in one command (one more than its literals).
const LINES_MAX: usize = 1_000;

/// A command as received.
#[derive(Debug)]
pub(crate) struct Received {
    /// The command, literals inline as `{n}\r\n` + bytes (dropped ones as `{0}\r\n`), no final CRLF.
    pub bytes: Vec<u8>,
    /// The command as text for `commands_seen`, literals shown as `{n}` without their bytes.
    pub display: String,
}

/// What reading produced.
#[derive(Debug)]
pub(crate) enum Outcome {
    Command(Received),
    /// The client went away.
    Closed,
    /// Over a bound: say why in a BYE and close.
    TooLarge(&'static str),
}

/// Read one command; `continuation` is written (and flushed) before each synchronising literal.
pub(crate) fn read_command(
    reader: &mut impl BufRead,
    writer: &mut impl Write,
) -> io::Result<Outcome> {
    let mut bytes = Vec::new();
    let mut display = String::new();
    for _ in 0..LINES_MAX {
        let Some(line) = read_line(reader)? else {
            return Ok(Outcome::Closed);
        };
        let line = match line {
            Line::Text(l) => l,
            Line::TooLong => return Ok(Outcome::TooLarge("line too long")),
        };
        display.push_str(&String::from_utf8_lossy(&line));
        let Some((at, len, sync)) = literal_marker(&line) else {
            bytes.extend_from_slice(&line);
            return Ok(Outcome::Command(Received { bytes, display }));
        };
        if len > LITERAL_MAX {
            return Ok(Outcome::TooLarge("literal too large"));
        }
        if sync {
            writer.write_all(b"+ Ready for literal data\r\n")?;
            writer.flush()?;
        }
        if len as usize <= KEPT_LITERAL_MAX && bytes.len() + line.len() <= 4 * LINE_MAX {
            bytes.extend_from_slice(&line);
            bytes.extend_from_slice(b"\r\n");
            let start = bytes.len();
            bytes.resize(start + len as usize, 0);
            reader.read_exact(&mut bytes[start..])?;
        } else {
            bytes.extend_from_slice(&line[..at]);
            bytes.extend_from_slice(b"{0}\r\n");
            let copied = io::copy(&mut reader.take(len), &mut io::sink())?;
            if copied != len {
                return Ok(Outcome::Closed);
            }
        }
        if bytes.len() > 8 * LINE_MAX {
            return Ok(Outcome::TooLarge("command too long"));
        }
    }
    Ok(Outcome::TooLarge("too many literals in one command"))
}

enum Line {
    /// Without its CRLF (or bare LF).
    Text(Vec<u8>),
    TooLong,
}

fn read_line(reader: &mut impl BufRead) -> io::Result<Option<Line>> {
    let mut line = Vec::new();
    let n = reader
        .take(LINE_MAX as u64 + 2)
        .read_until(b'\n', &mut line)?;
    if n == 0 {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') {
        return Ok(if line.len() > LINE_MAX {
            Some(Line::TooLong)
        } else {
            None
        });
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Some(if line.len() > LINE_MAX {
        Line::TooLong
    } else {
        Line::Text(line)
    }))
}

/// A line ending in `{n}` or `{n+}`: where the marker starts, n, and whether it synchronises.
fn literal_marker(line: &[u8]) -> Option<(usize, u64, bool)> {
    let inner = line.strip_suffix(b"}")?;
    let open = inner.iter().rposition(|&b| b == b'{')?;
    let digits = &inner[open + 1..];
    let (digits, sync) = match digits.strip_suffix(b"+") {
        Some(d) => (d, false),
        None => (digits, true),
    };
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some((open, n, sync))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &[u8]) -> (Outcome, Vec<u8>) {
        let mut reader = io::BufReader::new(input);
        let mut out = Vec::new();
        let o = read_command(&mut reader, &mut out).unwrap();
        (o, out)
    }

    #[test]
    fn literals_are_inlined_and_synchronising_ones_answered() {
        let (o, out) = read(b"a LOGIN {3}\r\nbob {4+}\r\npa s\r\nb NOOP\r\n");
        let Outcome::Command(c) = o else {
            panic!("{o:?}")
        };
        assert_eq!(c.bytes, b"a LOGIN {3}\r\nbob {4+}\r\npa s".to_vec());
        assert_eq!(c.display, "a LOGIN {3} {4+}");
        assert_eq!(out, b"+ Ready for literal data\r\n".to_vec());
    }

    #[test]
    fn large_literals_are_dropped_and_huge_lines_refused() {
        let mut input = b"a APPEND INBOX {70000+}\r\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 70_000));
        input.extend_from_slice(b"\r\n");
        let Outcome::Command(c) = read(&input).0 else {
            panic!()
        };
        assert_eq!(c.bytes, b"a APPEND INBOX {0}\r\n".to_vec());
        let long = vec![b'a'; LINE_MAX + 10];
        assert!(matches!(read(&long).0, Outcome::TooLarge(_)));
        assert!(matches!(
            read(b"a X {99999999999}\r\n").0,
            Outcome::TooLarge(_)
        ));
        assert!(matches!(read(b"").0, Outcome::Closed));
        let mut cut = io::BufReader::new(&b"a LOGIN {5}\r\nab"[..]);
        assert!(read_command(&mut cut, &mut Vec::new()).is_err());
    }

    #[test]
    fn markers() {
        assert_eq!(literal_marker(b"a {12}"), Some((2, 12, true)));
        assert_eq!(literal_marker(b"a {12+}"), Some((2, 12, false)));
        assert_eq!(literal_marker(b"a {}"), None);
        assert_eq!(literal_marker(b"a {1x}"), None);
        assert_eq!(literal_marker(b"a 12}"), None);
    }
}
