//! A bound on what a server may make us hold: the stream under async-imap
//! watches for literal announcements (`{N}` at the end of a line) and
//! refuses one that would take an answer past its allowance *before*
//! async-imap sizes its buffer for it (it would otherwise grow to 512 MiB
//! for a server that announces 100 bytes and sends 150 MB).

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use mailshift_net::Transport;

/// No allowance set: literals are not counted.
const UNBOUNDED: u64 = u64::MAX;

/// The allowance of the answer being read, shared by a `Conn` and its stream.
#[derive(Debug)]
pub(crate) struct ReadLimit {
    /// Most literal bytes the current answer may announce in all.
    allowed: AtomicU64,
    /// Literal bytes announced since the allowance was set.
    seen: AtomicU64,
    /// When an announcement was refused: the bytes the answer would have
    /// needed up to and including it (0: none refused).
    refused_at: AtomicU64,
}

impl ReadLimit {
    pub fn new() -> Arc<ReadLimit> {
        Arc::new(ReadLimit {
            allowed: AtomicU64::new(UNBOUNDED),
            seen: AtomicU64::new(0),
            refused_at: AtomicU64::new(0),
        })
    }

    /// Allow the next answer at most `bytes` of literal data.
    pub fn allow(&self, bytes: u64) {
        self.seen.store(0, Ordering::SeqCst);
        self.refused_at.store(0, Ordering::SeqCst);
        self.allowed.store(bytes, Ordering::SeqCst);
    }

    /// Back to uncounted.
    pub fn clear(&self) {
        self.allowed.store(UNBOUNDED, Ordering::SeqCst);
    }

    /// The bytes a refused answer would have needed (None: nothing refused),
    /// forgotten once read.
    pub fn take_refused(&self) -> Option<u64> {
        match self.refused_at.swap(0, Ordering::SeqCst) {
            0 => None,
            n => Some(n),
        }
    }

    /// A literal of `n` bytes is announced: Err when over the allowance.
    fn announce(&self, n: u64) -> Result<(), u64> {
        let seen = self.seen.fetch_add(n, Ordering::SeqCst).saturating_add(n);
        let allowed = self.allowed.load(Ordering::SeqCst);
        if allowed != UNBOUNDED && seen > allowed {
            self.refused_at.store(seen.max(1), Ordering::SeqCst);
            return Err(allowed);
        }
        Ok(())
    }
}

/// Where the scanner is in the server's byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scan {
    /// In a line; `brace` holds the digits after a `{` seen last, and
    /// whether its `}` closed them.
    Line {
        brace: Option<(u64, bool)>,
        cr: bool,
    },
    /// Inside a literal: this many bytes still to skip.
    Literal(u64),
}

/// The transport, with literal announcements checked against a `ReadLimit`.
pub struct Limited {
    inner: Transport,
    limit: Arc<ReadLimit>,
    scan: Scan,
    /// Set once an announcement was refused: the stream stays failed.
    failed: Option<String>,
}

impl Limited {
    pub(crate) fn new(inner: Transport, limit: Arc<ReadLimit>) -> Limited {
        Limited {
            inner,
            limit,
            scan: Scan::Line {
                brace: None,
                cr: false,
            },
            failed: None,
        }
    }

    pub fn into_inner(self) -> Transport {
        self.inner
    }

    /// Follow `data`; Err(message) at the first literal over the allowance.
    fn follow(&mut self, data: &[u8]) -> Result<(), String> {
        let mut i = 0;
        while i < data.len() {
            match &mut self.scan {
                Scan::Literal(left) => {
                    let take = (*left).min((data.len() - i) as u64);
                    *left -= take;
                    i += take as usize;
                    if *left == 0 {
                        self.scan = Scan::Line {
                            brace: None,
                            cr: false,
                        };
                    }
                }
                Scan::Line { brace, cr } => {
                    let b = data[i];
                    i += 1;
                    match (b, *brace, *cr) {
                        (b'\n', Some((n, true)), true) => {
                            if let Err(allowed) = self.limit.announce(n) {
                                return Err(format!(
                                    "the server announced {n} bytes in one answer beyond the {allowed} bytes mailshift allows it here"
                                ));
                            }
                            self.scan = if n > 0 {
                                Scan::Literal(n)
                            } else {
                                Scan::Line {
                                    brace: None,
                                    cr: false,
                                }
                            };
                        }
                        (b'\r', Some((_, true)), false) => *cr = true,
                        (b'{', _, _) => {
                            *brace = Some((0, false));
                            *cr = false;
                        }
                        (b'0'..=b'9', Some((n, false)), _) => {
                            *brace = Some((
                                n.saturating_mul(10).saturating_add((b - b'0') as u64),
                                false,
                            ));
                        }
                        (b'}', Some((n, false)), _) => *brace = Some((n, true)),
                        _ => {
                            *brace = None;
                            *cr = false;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

impl AsyncRead for Limited {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(why) = &self.failed {
            return Poll::Ready(Err(io::Error::other(why.clone())));
        }
        let start = buf.filled().len();
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                // Checked before async-imap sees (and sizes its buffer for) them.
                if let Err(why) = this.follow(&buf.filled()[start..]) {
                    buf.set_filled(start);
                    this.failed = Some(why.clone());
                    return Poll::Ready(Err(io::Error::other(why)));
                }
                Poll::Ready(Ok(()))
            }
            other => other,
        }
    }
}

impl AsyncWrite for Limited {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl std::fmt::Debug for Limited {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limited").field("scan", &self.scan).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanner(limit: Arc<ReadLimit>) -> Limited {
        // Only `follow` is exercised: the stream is never read.
        Limited {
            inner: Transport::Plain(unreachable_tcp()),
            limit,
            scan: Scan::Line {
                brace: None,
                cr: false,
            },
            failed: None,
        }
    }

    fn unreachable_tcp() -> tokio::net::TcpStream {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let s = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
        s.set_nonblocking(true).unwrap();
        tokio::net::TcpStream::from_std(s).unwrap()
    }

    #[tokio::test]
    async fn literals_are_counted_and_the_one_over_the_allowance_refused() {
        let limit = ReadLimit::new();
        let mut s = scanner(limit.clone());
        // Uncounted by default; literal bytes that look like `{9}` are skipped.
        assert!(s
            .follow(b"* 1 FETCH (UID 1 BODY[] {5}\r\n{99}\r\n)\r\nA1 OK\r\n")
            .is_ok());
        limit.allow(100);
        assert!(s.follow(b"* 1 FETCH (BODY[] {60}\r\n").is_ok());
        assert!(s.follow(&[b'x'; 60]).is_ok());
        assert!(
            s.follow(b")\r\n* 2 FETCH (BODY[] {5").is_ok(),
            "split announcement"
        );
        let e = s.follow(b"0}\r\n").unwrap_err();
        assert!(e.contains("50 bytes"), "{e}");
        assert_eq!(limit.take_refused(), Some(110));
        assert_eq!(limit.take_refused(), None);
    }
}
