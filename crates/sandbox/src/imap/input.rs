//! Where each command starts and ends in a client's input, and what it may carry.
//! imap-next's limits are set once per connection (for APPEND after login), so every
//! byte passes this scanner first. Before login it lets through one command at a time,
//! refuses a command (line and literals together) longer than [`MAX_COMMAND`] and any
//! literal announced larger than [`MAX_LITERAL`] before a single byte of it is accepted.
//! After login it only tells the transport how large the command in progress is
//! (announced literals included), which the server-wide input budget accounts for.

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

/// One step of [`Scanner::admit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admitted {
    /// Bytes of the input that may go to the server.
    pub bytes: usize,
    /// They end the command.
    pub ended: bool,
    /// Bytes the command will hold in the server once they are given: its bytes so far
    /// and the whole literal they announce, if any.
    pub holds: u64,
}

/// Scanner state of the command being received.
#[derive(Debug, Default, Clone)]
pub struct Scanner {
    /// Before login: the limits above apply.
    before_login: bool,
    /// After login: imap-next's literal limit (a larger literal is refused by it).
    max_literal: u64,
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

impl Scanner {
    pub fn before_login() -> Self {
        Scanner {
            before_login: true,
            ..Scanner::default()
        }
    }

    /// The client logged in: from the next command on, imap-next's limits apply
    /// (`max_literal` is its literal limit).
    pub fn logged_in(&mut self, max_literal: u64) {
        self.before_login = false;
        self.max_literal = max_literal;
    }

    fn restart(&mut self) {
        *self = Scanner {
            before_login: self.before_login,
            max_literal: self.max_literal,
            ..Scanner::default()
        };
    }

    /// How much of `input` may go to the server next: up to the end of the command, up
    /// to a literal announcement (so the literal can be accounted for before the server
    /// accepts it), or all of it.
    pub fn admit(&mut self, input: &[u8]) -> Result<Admitted, Violation> {
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
            if self.line_tail.len() == 32 {
                self.line_tail.remove(0);
            }
            self.line_tail.push(byte);
            if byte != b'\n' {
                continue;
            }
            match literal_announced(&self.line_tail) {
                Some((n, _)) if self.before_login && n > MAX_LITERAL => {
                    return Err(Violation::LiteralTooLarge(n))
                }
                Some((n, _))
                    if self.before_login && self.command_bytes as u64 + n > MAX_COMMAND as u64 =>
                {
                    return Err(Violation::CommandTooLong)
                }
                // imap-next refuses a synchronising literal over its limit and drops the
                // command: the next byte starts a new one. (A non-synchronising one is
                // received and dropped, so it is followed like any other.)
                Some((n, true)) if !self.before_login && n > self.max_literal => {
                    let holds = self.command_bytes as u64;
                    self.restart();
                    return Ok(Admitted {
                        bytes: i,
                        ended: true,
                        holds,
                    });
                }
                Some((n, _)) => {
                    self.literal_left = n;
                    self.line_tail.clear();
                    return Ok(Admitted {
                        bytes: i,
                        ended: false,
                        holds: self.command_bytes as u64 + n,
                    });
                }
                None => {
                    let holds = self.command_bytes as u64;
                    self.restart();
                    return Ok(Admitted {
                        bytes: i,
                        ended: true,
                        holds,
                    });
                }
            }
        }
        Ok(Admitted {
            bytes: i,
            ended: false,
            holds: self.command_bytes as u64 + self.literal_left,
        })
    }

    /// The tag of the command being received, when it has one.
    pub fn tag(&self) -> Option<String> {
        let tag = std::str::from_utf8(&self.tag).ok()?;
        (!tag.is_empty() && tag != "*" && tag != "+").then(|| tag.to_string())
    }

    fn count(&mut self, n: usize) -> Result<(), Violation> {
        self.command_bytes = self.command_bytes.saturating_add(n);
        if self.before_login && self.command_bytes > MAX_COMMAND {
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

/// `Some((N, synchronising))` when the line ends with `{N}`, `{N+}` or `~{N}` before its
/// line break.
fn literal_announced(line: &[u8]) -> Option<(u64, bool)> {
    let line = line.strip_suffix(b"\n")?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = line.strip_suffix(b"}")?;
    let open = line.iter().rposition(|&b| b == b'{')?;
    let digits = &line[open + 1..];
    let (digits, sync) = match digits.strip_suffix(b"+") {
        Some(d) => (d, false),
        None => (digits, true),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // More digits than fit: certainly too large.
    let n = std::str::from_utf8(digits)
        .ok()?
        .parse()
        .unwrap_or(u64::MAX);
    Some((n, sync))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Admits all of `input` step by step; the byte counts of the steps.
    fn steps(g: &mut Scanner, input: &[u8]) -> Result<Vec<Admitted>, Violation> {
        let mut at = 0;
        let mut out = Vec::new();
        while at < input.len() {
            let a = g.admit(&input[at..])?;
            at += a.bytes;
            out.push(a);
        }
        Ok(out)
    }

    #[test]
    fn one_command_at_a_time_with_small_literals() {
        let mut g = Scanner::before_login();
        let input = b"a1 LOGIN {4}\r\njohn \"pw\"\r\na2 NOOP\r\n";
        let s = steps(&mut g, input).unwrap();
        assert_eq!(
            s[0],
            Admitted {
                bytes: 14,
                ended: false,
                holds: 18
            }
        );
        assert_eq!(
            s[1],
            Admitted {
                bytes: 11,
                ended: true,
                holds: 25
            }
        );
        assert_eq!(
            s[2],
            Admitted {
                bytes: 9,
                ended: true,
                holds: 9
            }
        );
    }

    #[test]
    fn large_literals_and_long_lines_are_refused_before_login_only() {
        let mut g = Scanner::before_login();
        assert_eq!(
            g.admit(b"x LOGIN {67108864+}\r\n"),
            Err(Violation::LiteralTooLarge(67108864))
        );
        assert_eq!(g.tag().as_deref(), Some("x"));
        let mut g = Scanner::before_login();
        assert_eq!(
            g.admit(&vec![b'a'; MAX_COMMAND + 1]),
            Err(Violation::CommandTooLong)
        );
        let mut chained = Vec::new();
        for _ in 0..8 {
            chained.extend_from_slice(b" {1000+}\r\n");
            chained.extend(vec![b'x'; 1000]);
        }
        let mut g = Scanner::before_login();
        assert_eq!(steps(&mut g, &chained), Err(Violation::CommandTooLong));
        let mut g = Scanner::before_login();
        g.logged_in(64 * 1024 * 1024);
        let s = steps(&mut g, b"a APPEND x {67108864+}\r\n").unwrap();
        assert_eq!(s[0].holds, 24 + 67108864);
        // Refused by imap-next: the command ends there.
        let mut g = Scanner::before_login();
        g.logged_in(1024);
        let s = steps(&mut g, b"b APPEND x {5000}\r\nc NOOP\r\n").unwrap();
        assert!(s[0].ended && s[1].ended && s[1].holds == 8, "{s:?}");
        assert_eq!(
            literal_announced(b"a {99999999999999999999999}\r\n"),
            Some((u64::MAX, true))
        );
    }
}
