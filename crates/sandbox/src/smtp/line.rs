//! Reading one protocol line with a hard cap: a line longer than the cap is consumed
//! and discarded (never buffered whole), and a hostile endless line ends the session.

use std::io;

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// One line as read from the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Line {
    /// The line's bytes including its LF (and CR when sent).
    Complete(Vec<u8>),
    /// The line was longer than allowed; its bytes were thrown away.
    TooLong,
}

/// Reads up to and including the next LF. `Ok(None)` at end of stream (a partial last
/// line without LF counts as end of stream). A line longer than `max` bytes is skipped;
/// if more than `max + discard` bytes pass without an LF, the client is considered
/// hostile and an error is returned.
pub(crate) async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    max: usize,
    discard: usize,
) -> io::Result<Option<Line>> {
    let mut line = Vec::new();
    let mut skipped: usize = 0;
    loop {
        let buf = reader.fill_buf().await?;
        if buf.is_empty() {
            return Ok(None);
        }
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        if skipped == 0 && line.len() + take <= max {
            line.extend_from_slice(&buf[..take]);
        } else {
            skipped = skipped.saturating_add(line.len() + take);
            line = Vec::new();
        }
        reader.consume(take);
        if skipped > max.saturating_add(discard) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "line far longer than allowed",
            ));
        }
        if done {
            return Ok(Some(if skipped > 0 {
                Line::TooLong
            } else {
                Line::Complete(line)
            }));
        }
    }
}

/// The line without its CRLF (or bare LF).
pub(crate) fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn lines(input: &[u8], max: usize, discard: usize) -> Vec<io::Result<Option<Line>>> {
        let mut r = tokio::io::BufReader::with_capacity(4, input);
        let mut out = Vec::new();
        loop {
            let l = read_line(&mut r, max, discard).await;
            let stop = !matches!(l, Ok(Some(_)));
            out.push(l);
            if stop {
                return out;
            }
        }
    }

    #[tokio::test]
    async fn splits_lines_across_small_buffers() {
        let got = lines(b"EHLO a\r\nNOOP\nQU", 100, 0).await;
        assert_eq!(got.len(), 3);
        assert_eq!(
            got[0].as_ref().unwrap(),
            &Some(Line::Complete(b"EHLO a\r\n".to_vec()))
        );
        assert_eq!(
            got[1].as_ref().unwrap(),
            &Some(Line::Complete(b"NOOP\n".to_vec()))
        );
        assert_eq!(
            got[2].as_ref().unwrap(),
            &None,
            "a partial last line is end of stream"
        );
    }

    #[tokio::test]
    async fn long_lines_are_skipped_then_reading_goes_on() {
        let got = lines(b"0123456789abcdef\r\nok\r\n", 8, 100).await;
        assert_eq!(got[0].as_ref().unwrap(), &Some(Line::TooLong));
        assert_eq!(
            got[1].as_ref().unwrap(),
            &Some(Line::Complete(b"ok\r\n".to_vec()))
        );
    }

    #[tokio::test]
    async fn an_endless_line_is_an_error() {
        let input = vec![b'x'; 10_000];
        let got = lines(&input, 8, 100).await;
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].as_ref().unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
    }

    #[test]
    fn trims_crlf_and_lf() {
        assert_eq!(trim_eol(b"a\r\n"), b"a");
        assert_eq!(trim_eol(b"a\n"), b"a");
        assert_eq!(trim_eol(b"a"), b"a");
    }
}
