//! What a client may send before it has logged in: small commands only. imap-next's
//! limits are set once per connection (for APPEND after login), so before login every
//! byte passes this guard first: it lets through one command at a time, refuses a
//! command (line and literals together) longer than [`MAX_COMMAND`] and any literal
//! announced larger than [`MAX_LITERAL`] before a single byte of it is accepted.

/// Longest command before login, literals included (a LOGIN with long quoted
/// credentials or an AUTHENTICATE PLAIN line fits easily).
pub const MAX_COMMAND: usize = 4 * 1024;
/// Largest literal before login (a password sent as a literal).
pub const MAX_LITERAL: u64 = 1024;
/// Longest tag kept to answer a refused command.
const MAX_TAG: usize = 64;

/// Why the connection is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    CommandTooLong,
    LiteralTooLarge(u64),
}

impl Violation {
    /// The sentence sent to the client.
    pub fn reason(&self) -> String {
        match self {
            Violation::CommandTooLong => {
                format!("command too long before login (max {MAX_COMMAND} bytes): log in first")
            }
            Violation::LiteralTooLarge(n) => format!(
                "literal of {n} bytes refused before login (max {MAX_LITERAL} bytes): log in first"
            ),
        }
    }
}

/// Scanner state of the command being received.
#[derive(Debug, Default)]
pub struct PreLogin {
    /// Bytes of the current command seen so far.
    command_bytes: usize,
    /// Bytes of an announced literal still to come.
    literal_left: u64,
    /// The end of the current line (enough to find a `{N}` announcement).
    line_tail: Vec<u8>,
    /// The first word of the command, while it is being read.
    tag: Vec<u8>,
    tag_done: bool,
}

impl PreLogin {
    /// How many bytes of `input` may go to the server now: up to the end of the first
    /// complete command (the next one waits until this one is answered, maybe by a
    /// successful login), or all of it when the command is still incomplete.
    pub fn admit(&mut self, input: &[u8]) -> Result<usize, Violation> {
        let mut i = 0;
        while i < input.len() {
            if self.literal_left > 0 {
                let take = usize::try_from(self.literal_left)
                    .unwrap_or(usize::MAX)
                    .min(input.len() - i);
                self.literal_left -= take as u64;
                self.count(take)?;
                i += take;
                continue;
            }
            let byte = input[i];
            i += 1;
            self.count(1)?;
            self.note_tag(byte);
            self.line_tail.push(byte);
            if self.line_tail.len() > 32 {
                self.line_tail.remove(0);
            }
            if byte != b'\n' {
                continue;
            }
            match literal_announced(&self.line_tail) {
                Some(n) if n > MAX_LITERAL => return Err(Violation::LiteralTooLarge(n)),
                Some(n) if self.command_bytes as u64 + n > MAX_COMMAND as u64 => {
                    return Err(Violation::CommandTooLong)
                }
                Some(n) => {
                    self.literal_left = n;
                    self.line_tail.clear();
                }
                None => {
                    *self = PreLogin::default();
                    return Ok(i);
                }
            }
        }
        Ok(i)
    }

    /// The tag of the command being received, when it has one.
    pub fn tag(&self) -> Option<String> {
        let tag = std::str::from_utf8(&self.tag).ok()?;
        (!tag.is_empty() && tag != "*" && tag != "+").then(|| tag.to_string())
    }

    fn count(&mut self, n: usize) -> Result<(), Violation> {
        self.command_bytes += n;
        if self.command_bytes > MAX_COMMAND {
            return Err(Violation::CommandTooLong);
        }
        Ok(())
    }

    fn note_tag(&mut self, byte: u8) {
        if self.tag_done {
            return;
        }
        if byte == b' ' || byte == b'\r' || byte == b'\n' || self.tag.len() >= MAX_TAG {
            self.tag_done = true;
        } else {
            self.tag.push(byte);
        }
    }
}

/// `Some(N)` when the line ends with `{N}`, `{N+}` or `~{N}` before its line break.
fn literal_announced(line: &[u8]) -> Option<u64> {
    let line = line.strip_suffix(b"\n")?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = line.strip_suffix(b"}")?;
    let open = line.iter().rposition(|&b| b == b'{')?;
    let digits = &line[open + 1..];
    let digits = digits.strip_suffix(b"+").unwrap_or(digits);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // More digits than fit: certainly too large.
    Some(
        std::str::from_utf8(digits)
            .ok()?
            .parse()
            .unwrap_or(u64::MAX),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_command_at_a_time_with_small_literals() {
        let mut g = PreLogin::default();
        let input = b"a1 LOGIN {4}\r\njohn \"pw\"\r\na2 NOOP\r\n";
        let first = g.admit(input).unwrap();
        assert_eq!(&input[..first], b"a1 LOGIN {4}\r\njohn \"pw\"\r\n");
        assert_eq!(g.admit(&input[first..]).unwrap(), input.len() - first);
    }

    #[test]
    fn large_literals_and_long_lines_are_refused() {
        let mut g = PreLogin::default();
        assert_eq!(
            g.admit(b"x LOGIN {67108864+}\r\n"),
            Err(Violation::LiteralTooLarge(67108864))
        );
        assert_eq!(g.tag().as_deref(), Some("x"));
        let mut g = PreLogin::default();
        assert_eq!(
            g.admit(&vec![b'a'; MAX_COMMAND + 1]),
            Err(Violation::CommandTooLong)
        );
        let mut g = PreLogin::default();
        let mut chained = Vec::new();
        for _ in 0..8 {
            chained.extend_from_slice(b" {1000+}\r\n");
            chained.extend(vec![b'x'; 1000]);
        }
        assert_eq!(g.admit(&chained), Err(Violation::CommandTooLong));
        assert_eq!(
            literal_announced(b"a {99999999999999999999999}\r\n"),
            Some(u64::MAX)
        );
    }
}
