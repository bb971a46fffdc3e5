//! Reading IMAP responses (literal-aware, binary-safe) and splitting them into tokens.

use std::io::BufRead;

/// One parsed element of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    /// Atoms, numbers, flags, `NIL`, `BODY[]`.
    Atom(String),
    /// Quoted string or literal, as raw bytes.
    Bytes(Vec<u8>),
    List(Vec<Token>),
}

impl Token {
    pub fn as_atom(&self) -> Option<&str> {
        match self {
            Token::Atom(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Token::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// Strings and atoms as text (mailbox names may be sent as either).
    pub fn as_text(&self) -> Option<String> {
        match self {
            Token::Atom(a) => Some(a.clone()),
            Token::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
            Token::List(_) => None,
        }
    }
}

/// Read one complete response: a line plus any literals it announces, CRLF included.
/// `Ok(None)` on a clean end of stream.
pub(crate) fn read_response(reader: &mut impl BufRead) -> std::io::Result<Option<Vec<u8>>> {
    let mut out = Vec::new();
    loop {
        let start = out.len();
        let n = reader.read_until(b'\n', &mut out)?;
        if n == 0 {
            return if out.is_empty() {
                Ok(None)
            } else {
                Err(std::io::ErrorKind::UnexpectedEof.into())
            };
        }
        match literal_length(&out[start..]) {
            Some(len) => {
                let at = out.len();
                out.resize(at + len, 0);
                reader.read_exact(&mut out[at..])?;
            }
            None => return Ok(Some(out)),
        }
    }
}

/// If `line` ends with `{N}` / `{N+}` before its CRLF, the literal's length.
fn literal_length(line: &[u8]) -> Option<usize> {
    let line = line.strip_suffix(b"\n")?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = line.strip_suffix(b"}")?;
    let open = line.iter().rposition(|&b| b == b'{')?;
    let digits = &line[open + 1..];
    let digits = digits.strip_suffix(b"+").unwrap_or(digits);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Split a complete response into tokens (the trailing CRLF ends it).
pub(crate) fn tokenize(input: &[u8]) -> Result<Vec<Token>, String> {
    let mut pos = 0;
    let mut stack: Vec<Vec<Token>> = vec![Vec::new()];
    while pos < input.len() {
        let b = input[pos];
        match b {
            b' ' => pos += 1,
            b'\r' | b'\n' => pos += 1,
            b'(' => {
                stack.push(Vec::new());
                pos += 1;
            }
            b')' => {
                let list = stack.pop().ok_or("unbalanced ')'")?;
                stack
                    .last_mut()
                    .ok_or("unbalanced ')'")?
                    .push(Token::List(list));
                pos += 1;
            }
            b'"' => {
                let mut s = Vec::new();
                pos += 1;
                loop {
                    match input.get(pos) {
                        None => return Err("unterminated quoted string".into()),
                        Some(b'\\') => {
                            s.push(*input.get(pos + 1).ok_or("bad escape")?);
                            pos += 2;
                        }
                        Some(b'"') => {
                            pos += 1;
                            break;
                        }
                        Some(&c) => {
                            s.push(c);
                            pos += 1;
                        }
                    }
                }
                push(&mut stack, Token::Bytes(s))?;
            }
            b'{' | b'~' if is_literal_start(&input[pos..]) => {
                let open = if b == b'~' { pos + 1 } else { pos };
                let close = open
                    + input[open..]
                        .iter()
                        .position(|&c| c == b'}')
                        .ok_or("bad literal")?;
                let digits =
                    std::str::from_utf8(&input[open + 1..close]).map_err(|_| "bad literal")?;
                let len: usize = digits
                    .trim_end_matches('+')
                    .parse()
                    .map_err(|_| "bad literal length")?;
                let mut body = close + 1;
                if input.get(body) == Some(&b'\r') {
                    body += 1;
                }
                if input.get(body) == Some(&b'\n') {
                    body += 1;
                }
                let end = body + len;
                let bytes = input
                    .get(body..end)
                    .ok_or("literal shorter than announced")?;
                push(&mut stack, Token::Bytes(bytes.to_vec()))?;
                pos = end;
            }
            _ => {
                let start = pos;
                let mut depth = 0i32;
                while pos < input.len() {
                    let c = input[pos];
                    if c == b'[' {
                        depth += 1;
                    } else if c == b']' {
                        depth -= 1;
                    } else if depth <= 0 && matches!(c, b' ' | b'(' | b')' | b'\r' | b'\n') {
                        break;
                    }
                    pos += 1;
                }
                let atom = String::from_utf8_lossy(&input[start..pos]).into_owned();
                push(&mut stack, Token::Atom(atom))?;
            }
        }
    }
    if stack.len() != 1 {
        return Err("unbalanced '('".into());
    }
    Ok(stack.pop().unwrap_or_default())
}

fn is_literal_start(s: &[u8]) -> bool {
    let s = s.strip_prefix(b"~").unwrap_or(s);
    s.first() == Some(&b'{') && s.get(1).is_some_and(u8::is_ascii_digit)
}

fn push(stack: &mut [Vec<Token>], t: Token) -> Result<(), String> {
    stack.last_mut().ok_or("empty stack")?.push(t);
    Ok(())
}

/// Quote a string for a command (no CR/LF allowed there).
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_literals_with_binary_content() {
        let body = b"a\0b\nc\r\n)\xff{3}\r\n";
        let mut wire = format!("* 1 FETCH (BODY[] {{{}}}\r\n", body.len()).into_bytes();
        wire.extend_from_slice(body);
        wire.extend_from_slice(b" UID 7)\r\na1 OK done\r\n");
        let mut reader = std::io::Cursor::new(wire);
        let first = read_response(&mut reader).unwrap().unwrap();
        let tokens = tokenize(&first).unwrap();
        assert_eq!(tokens[0], Token::Atom("*".into()));
        let Token::List(items) = &tokens[3] else {
            panic!("no list: {tokens:?}")
        };
        assert_eq!(items[0], Token::Atom("BODY[]".into()));
        assert_eq!(items[1], Token::Bytes(body.to_vec()));
        assert_eq!(items[3], Token::Atom("7".into()));
        let second = read_response(&mut reader).unwrap().unwrap();
        assert_eq!(second, b"a1 OK done\r\n");
        assert!(read_response(&mut reader).unwrap().is_none());
    }

    #[test]
    fn tokenizes_list_responses() {
        let t = tokenize(b"* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent \\\"x\\\"\"\r\n").unwrap();
        assert_eq!(t.len(), 5);
        assert_eq!(
            t[2],
            Token::List(vec![
                Token::Atom("\\HasNoChildren".into()),
                Token::Atom("\\Sent".into())
            ])
        );
        assert_eq!(t[3].as_text().unwrap(), "/");
        assert_eq!(t[4].as_text().unwrap(), "Sent \"x\"");
        let t = tokenize(b"* LIST () NIL INBOX\r\n").unwrap();
        assert_eq!(t[3], Token::Atom("NIL".into()));
    }

    #[test]
    fn literal8_and_section_atoms() {
        let t = tokenize(b"* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT)] ~{2}\r\nhi)\r\n").unwrap();
        let Token::List(items) = &t[3] else { panic!() };
        assert_eq!(items[0].as_atom().unwrap(), "BODY[HEADER.FIELDS (SUBJECT)]");
        assert_eq!(items[1].as_bytes().unwrap(), b"hi");
    }

    #[test]
    fn quoting_escapes() {
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}
