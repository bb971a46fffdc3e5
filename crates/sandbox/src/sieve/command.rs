//! Reading one ManageSieve command from the client: atoms, quoted strings and literals
//! (`{N+}` or `{N}`, read at once: ManageSieve has no continuation), with the line
//! length, each literal and the whole command bounded ([`Limits`]: tight before login).

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};

/// Longest command line (without literals).
pub const MAX_LINE: usize = 8 * 1024;
/// Largest literal read (a script is bounded by [`super::MAX_SCRIPT_SIZE`]).
pub const MAX_LITERAL: u64 = 2 * 1024 * 1024;
/// Literals up to this size (in all, per command) are skipped to answer NO; more ends
/// the session.
const MAX_SKIPPED: u64 = 64 * 1024 * 1024;

/// How much one command may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest literal kept.
    pub max_literal: u64,
    /// Largest command kept, lines and literals together (chained literals add up).
    pub max_command: u64,
    /// Whether what is over the limits is read and dropped (answer NO and go on) rather
    /// than ending the session at once without reading it.
    pub skip_oversized: bool,
}

/// Before login: credentials only; anything larger closes the connection unread.
pub const BEFORE_LOGIN: Limits = Limits {
    max_literal: 1024,
    max_command: 4 * 1024,
    skip_oversized: false,
};

/// After login: one script and a few names.
pub const AFTER_LOGIN: Limits = Limits {
    max_literal: MAX_LITERAL,
    max_command: MAX_LITERAL + 64 * 1024,
    skip_oversized: true,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Atom(String),
    Str(Vec<u8>),
}

impl Arg {
    /// The argument as text (atoms and UTF-8 strings).
    pub fn text(&self) -> Option<&str> {
        match self {
            Arg::Atom(a) => Some(a),
            Arg::Str(s) => std::str::from_utf8(s).ok(),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    /// The connection closed.
    Closed,
    /// Syntax error: answer NO and go on.
    Syntax(String),
    /// A literal larger than allowed was skipped: answer NO (QUOTA/MAXSIZE).
    TooLarge,
    /// Cannot resynchronise (line too long, huge literal, I/O error): say BYE.
    Fatal(String),
}

async fn read_line<R: AsyncBufRead + Unpin>(r: &mut R) -> Result<Option<Vec<u8>>, ReadError> {
    let mut line = Vec::new();
    let mut limited = (&mut *r).take(MAX_LINE as u64 + 2);
    let n = limited
        .read_until(b'\n', &mut line)
        .await
        .map_err(|e| ReadError::Fatal(e.to_string()))?;
    if n == 0 {
        return Ok(None);
    }
    if !line.ends_with(b"\n") {
        return Err(if line.len() > MAX_LINE {
            ReadError::Fatal(format!("line longer than {MAX_LINE} bytes"))
        } else {
            ReadError::Closed
        });
    }
    line.pop();
    if line.ends_with(b"\r") {
        line.pop();
    }
    Ok(Some(line))
}

/// Read a whole command (following literals across lines). `Ok(args)`, never empty.
pub async fn read<R: AsyncBufRead + Unpin>(
    r: &mut R,
    limits: Limits,
) -> Result<Vec<Arg>, ReadError> {
    let mut args = Vec::new();
    let mut syntax: Option<String> = None;
    let mut too_large = false;
    let mut kept: u64 = 0;
    let mut skipped: u64 = 0;
    loop {
        let Some(line) = read_line(r).await? else {
            return Err(ReadError::Closed);
        };
        kept += line.len() as u64 + 2;
        if kept > limits.max_command {
            if !limits.skip_oversized {
                return Err(ReadError::Fatal(format!(
                    "command longer than {} bytes before login",
                    limits.max_command
                )));
            }
            too_large = true;
        }
        let (mut parsed, literal) = match tokenize(&line) {
            Ok(t) => t,
            Err(e) => {
                syntax.get_or_insert(e);
                (Vec::new(), None)
            }
        };
        if too_large {
            // Past the limit nothing is kept, and only so much is read before giving up.
            skipped = skipped.saturating_add(line.len() as u64 + 2);
            if skipped > MAX_SKIPPED {
                return Err(ReadError::Fatal(format!("{skipped} bytes in one command")));
            }
        } else {
            args.append(&mut parsed);
        }
        let Some(n) = literal else { break };
        if too_large || n > limits.max_literal || kept.saturating_add(n) > limits.max_command {
            if !limits.skip_oversized {
                return Err(ReadError::Fatal(format!(
                    "literal of {n} bytes refused before login (max {} bytes): log in first",
                    limits.max_literal.min(limits.max_command)
                )));
            }
            skipped = skipped.saturating_add(n);
            if skipped > MAX_SKIPPED {
                return Err(ReadError::Fatal(format!("{skipped} bytes in one command")));
            }
            let mut sink = tokio::io::sink();
            tokio::io::copy(&mut (&mut *r).take(n), &mut sink)
                .await
                .map_err(|e| ReadError::Fatal(e.to_string()))?;
            too_large = true;
            continue;
        }
        kept += n;
        let mut buf = vec![0u8; n as usize];
        r.read_exact(&mut buf)
            .await
            .map_err(|_| ReadError::Closed)?;
        args.push(Arg::Str(buf));
    }
    if too_large {
        return Err(ReadError::TooLarge);
    }
    if let Some(e) = syntax {
        return Err(ReadError::Syntax(e));
    }
    if args.is_empty() {
        return Err(ReadError::Syntax("empty command".into()));
    }
    Ok(args)
}

/// Split one line into arguments; a trailing `{N}` / `{N+}` announces a literal.
fn tokenize(line: &[u8]) -> Result<(Vec<Arg>, Option<u64>), String> {
    let mut args = Vec::new();
    let mut i = 0;
    while i < line.len() {
        match line[i] {
            b' ' => i += 1,
            b'"' => {
                let mut s = Vec::new();
                i += 1;
                loop {
                    match line.get(i) {
                        None => return Err("unterminated quoted string".into()),
                        Some(b'"') => break,
                        Some(b'\\') => {
                            match line.get(i + 1) {
                                Some(c @ (b'"' | b'\\')) => s.push(*c),
                                _ => return Err("bad escape in a quoted string".into()),
                            }
                            i += 1;
                        }
                        Some(c) => s.push(*c),
                    }
                    i += 1;
                }
                i += 1;
                args.push(Arg::Str(s));
            }
            b'{' => {
                let rest = &line[i + 1..];
                let close = rest
                    .iter()
                    .position(|c| *c == b'}')
                    .ok_or("unterminated literal length")?;
                if i + 1 + close + 1 != line.len() {
                    return Err("a literal length must end the line".into());
                }
                let digits = std::str::from_utf8(&rest[..close]).map_err(|_| "bad literal")?;
                let digits = digits.strip_suffix('+').unwrap_or(digits);
                let n = digits
                    .parse::<u64>()
                    .map_err(|_| format!("bad literal length {digits:?}"))?;
                return Ok((args, Some(n)));
            }
            _ => {
                let start = i;
                while i < line.len() && line[i] != b' ' {
                    i += 1;
                }
                let atom = String::from_utf8_lossy(&line[start..i]).into_owned();
                args.push(Arg::Atom(atom));
            }
        }
    }
    Ok((args, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn parse(input: &[u8]) -> Result<Vec<Arg>, ReadError> {
        let mut r = tokio::io::BufReader::new(input);
        read(&mut r, AFTER_LOGIN).await
    }

    #[tokio::test]
    async fn before_login_large_or_chained_literals_end_the_session_unread() {
        let mut r = tokio::io::BufReader::new(&b"AUTHENTICATE \"PLAIN\" {2097152+}\r\n"[..]);
        assert!(matches!(
            read(&mut r, BEFORE_LOGIN).await,
            Err(ReadError::Fatal(e)) if e.contains("before login")
        ));
        let mut chained = b"X".to_vec();
        for _ in 0..8 {
            chained.extend_from_slice(b" {1000+}\r\n");
            chained.extend(vec![b'x'; 1000]);
        }
        chained.extend_from_slice(b"\r\n");
        let mut r = tokio::io::BufReader::new(&chained[..]);
        assert!(matches!(
            read(&mut r, BEFORE_LOGIN).await,
            Err(ReadError::Fatal(_))
        ));
        // After login, chained literals beyond one script are dropped, not kept.
        let mut chained = b"PUTSCRIPT".to_vec();
        for _ in 0..3 {
            chained.extend_from_slice(format!(" {{{}+}}\r\n", MAX_LITERAL).as_bytes());
            chained.extend(vec![b'x'; MAX_LITERAL as usize]);
        }
        chained.extend_from_slice(b"\r\n");
        let mut r = tokio::io::BufReader::new(&chained[..]);
        assert_eq!(read(&mut r, AFTER_LOGIN).await, Err(ReadError::TooLarge));
    }

    #[tokio::test]
    async fn reads_quoted_strings_and_both_literal_forms() {
        let args = parse(b"PUTSCRIPT \"a \\\"b\\\"\" {5+}\r\nkeep;\r\n")
            .await
            .unwrap();
        assert_eq!(
            args,
            [
                Arg::Atom("PUTSCRIPT".into()),
                Arg::Str(b"a \"b\"".to_vec()),
                Arg::Str(b"keep;".to_vec())
            ]
        );
        let args = parse(b"CHECKSCRIPT {3}\r\nx\r\n\r\n").await.unwrap();
        assert_eq!(args[1], Arg::Str(b"x\r\n".to_vec()));
        assert_eq!(
            parse(b"X \"open\r\n").await,
            Err(ReadError::Syntax("unterminated quoted string".into()))
        );
        assert_eq!(parse(b"").await, Err(ReadError::Closed));
        let big = format!("PUTSCRIPT \"s\" {{{}+}}\r\n", MAX_LITERAL + 1);
        let mut input = big.into_bytes();
        input.extend(vec![b'x'; MAX_LITERAL as usize + 1]);
        input.extend(b"\r\n");
        assert_eq!(parse(&input).await, Err(ReadError::TooLarge));
        let long = vec![b'a'; MAX_LINE + 10];
        assert!(matches!(parse(&long).await, Err(ReadError::Fatal(_))));
    }
}
