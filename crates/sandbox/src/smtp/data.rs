//! The DATA phase: lines up to the lone dot, dot-unstuffed (RFC 5321 4.5.2), bare LF
//! line ends made CRLF, under a size cap. Too big a message is read to its end and
//! dropped, so the client gets its 552 instead of a broken connection.

use std::io;

use tokio::io::AsyncBufRead;

use super::line::{read_line, trim_eol, Line};

/// Limits of one message.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DataLimits {
    pub max_bytes: usize,
    pub max_line: usize,
}

/// How a DATA phase ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Data {
    Message(Vec<u8>),
    TooBig,
    LineTooLong,
}

/// Reads the message after `354`. `Ok(None)`: the client went away before the dot.
pub(crate) async fn read_data<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    limits: DataLimits,
) -> io::Result<Option<Data>> {
    let mut message = Vec::new();
    let mut verdict: Option<Data> = None;
    // Bytes read past the limit; a client that keeps going far beyond it is cut off.
    let mut dropped: usize = 0;
    let drop_cap = limits.max_bytes.saturating_mul(4).max(1 << 20);
    loop {
        let line = match read_line(reader, limits.max_line, drop_cap).await? {
            None => return Ok(None),
            Some(Line::TooLong) => {
                verdict.get_or_insert(Data::LineTooLong);
                message = Vec::new();
                continue;
            }
            Some(Line::Complete(line)) => line,
        };
        let body = trim_eol(&line);
        if body == b"." {
            return Ok(Some(verdict.unwrap_or(Data::Message(message))));
        }
        if verdict.is_some() {
            dropped = dropped.saturating_add(line.len());
            if dropped > drop_cap {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "message far larger than allowed",
                ));
            }
            continue;
        }
        let text = unstuff(body);
        if message.len() + text.len() + 2 > limits.max_bytes {
            verdict = Some(Data::TooBig);
            message = Vec::new();
            continue;
        }
        message.extend_from_slice(text);
        message.extend_from_slice(b"\r\n");
    }
}

/// Removes the dot a client doubled at the start of a line.
pub(crate) fn unstuff(line: &[u8]) -> &[u8] {
    line.strip_prefix(b".").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: DataLimits = DataLimits {
        max_bytes: 64,
        max_line: 32,
    };

    async fn data(input: &[u8], limits: DataLimits) -> io::Result<Option<Data>> {
        let mut r = tokio::io::BufReader::with_capacity(5, input);
        read_data(&mut r, limits).await
    }

    #[test]
    fn unstuffing_removes_one_leading_dot() {
        assert_eq!(unstuff(b"..hidden"), b".hidden");
        assert_eq!(unstuff(b".x"), b"x");
        assert_eq!(unstuff(b"a.b"), b"a.b");
    }

    #[tokio::test]
    async fn reads_to_the_lone_dot_unstuffing_and_fixing_line_ends() {
        let got = data(b"Subject: x\r\n\r\n..dot\nline\r\n.\r\nNOOP\r\n", LIMITS).await;
        assert_eq!(
            got.unwrap(),
            Some(Data::Message(
                b"Subject: x\r\n\r\n.dot\r\nline\r\n".to_vec()
            ))
        );
    }

    #[tokio::test]
    async fn a_big_message_is_read_to_its_end_and_refused() {
        let mut input = Vec::new();
        for _ in 0..10 {
            input.extend_from_slice(b"0123456789\r\n");
        }
        input.extend_from_slice(b".\r\n");
        assert_eq!(data(&input, LIMITS).await.unwrap(), Some(Data::TooBig));
    }

    #[tokio::test]
    async fn a_long_line_is_refused_after_the_dot() {
        let mut input = vec![b'a'; 40];
        input.extend_from_slice(b"\r\nok\r\n.\r\n");
        assert_eq!(data(&input, LIMITS).await.unwrap(), Some(Data::LineTooLong));
    }

    #[tokio::test]
    async fn a_client_that_leaves_mid_message_is_no_message() {
        assert_eq!(data(b"Subject: x\r\nbody", LIMITS).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_flood_past_the_limit_ends_the_session() {
        let mut input = Vec::new();
        while input.len() < 3 << 20 {
            input.extend_from_slice(b"0123456789\r\n");
        }
        let err = data(&input, LIMITS).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    }
}
