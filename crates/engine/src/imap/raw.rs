//! Commands async-imap cannot parse the answer of (NAMESPACE): sent and read
//! by hand on the session's stream, bounded in size and time. Only used
//! between commands, when async-imap has nothing buffered.

use std::sync::atomic::Ordering;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::append::TAGS;
use super::error::ImapError;
use super::session::Conn;

/// The untagged lines of one command's answer (literals inlined) and its status.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawAnswer {
    pub untagged: Vec<Vec<u8>>,
    pub ok: bool,
    pub text: String,
}

/// Most bytes read for one raw answer: a hostile server cannot make us grow.
const MAX_ANSWER: usize = 1024 * 1024;

impl Conn {
    pub(crate) async fn raw_command(&mut self, command: &str) -> Result<RawAnswer, ImapError> {
        let tag = format!("MS{}", TAGS.fetch_add(1, Ordering::Relaxed));
        let limit = self.timeouts.command;
        match tokio::time::timeout(limit, self.raw_exchange(&tag, command)).await {
            Err(_) => Err(self.timeout_error(command)),
            Ok(Err(reason)) => {
                self.broken = true;
                Err(ImapError::Lost {
                    side: self.side,
                    what: command.to_string(),
                    reason,
                })
            }
            Ok(Ok(a)) => Ok(a),
        }
    }

    async fn raw_exchange(&mut self, tag: &str, command: &str) -> Result<RawAnswer, String> {
        let stream = self.session.get_mut();
        stream
            .write_all(format!("{tag} {command}\r\n").as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        stream.flush().await.map_err(|e| e.to_string())?;
        let mut buf: Vec<u8> = Vec::new();
        let mut chunk = [0u8; 4096];
        let mut start = 0; // start of the response being assembled
        let mut scan = 0; // where to look for the next CRLF
        let mut answer = RawAnswer::default();
        loop {
            // Assemble complete responses from `buf`.
            while let Some(pos) = find_crlf(&buf[scan..]) {
                let line_end = scan + pos;
                if let Some(n) = literal_len(&buf[start..line_end]) {
                    let need = line_end + 2 + n;
                    if buf.len() < need {
                        break;
                    }
                    scan = need;
                    continue;
                }
                let response = buf[start..line_end].to_vec();
                start = line_end + 2;
                scan = start;
                if let Some(rest) = response.strip_prefix(format!("{tag} ").as_bytes()) {
                    let text = String::from_utf8_lossy(rest).into_owned();
                    answer.ok = text.len() >= 2 && text[..2].eq_ignore_ascii_case("OK");
                    answer.text = text;
                    return Ok(answer);
                }
                if let Some(rest) = response.strip_prefix(b"* ") {
                    answer.untagged.push(rest.to_vec());
                }
            }
            if buf.len() > MAX_ANSWER {
                return Err(format!("answer larger than {} KiB", MAX_ANSWER / 1024));
            }
            let n = self
                .session
                .get_mut()
                .read(&mut chunk)
                .await
                .map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("connection closed".into());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
    }
}

fn find_crlf(b: &[u8]) -> Option<usize> {
    b.windows(2).position(|w| w == b"\r\n")
}

/// `{n}` or `{n+}` at the end of a line announces n literal bytes after the CRLF.
fn literal_len(line: &[u8]) -> Option<usize> {
    let body = line.strip_suffix(b"}")?;
    let open = body.iter().rposition(|&b| b == b'{')?;
    let digits = &body[open + 1..];
    let digits = digits.strip_suffix(b"+").unwrap_or(digits);
    if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_lengths_are_read_from_line_ends_only() {
        assert_eq!(literal_len(b"* NAMESPACE (({6}"), Some(6));
        assert_eq!(literal_len(b"x {12+}"), Some(12));
        assert_eq!(literal_len(b"x {}"), None);
        assert_eq!(literal_len(b"x {1234567890}"), None);
        assert_eq!(literal_len(b"x {a}"), None);
        assert_eq!(literal_len(b"x"), None);
    }
}
