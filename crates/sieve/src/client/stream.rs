//! The byte stream under a ManageSieve session (plain TCP or rustls over TCP) and the
//! reading of whole responses from it: data lines with their literals, then the final line.

use std::io;
use std::sync::Arc;

use rustls_pki_types::ServerName;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::error::SieveError;
use super::wire::{final_response, tokenize, Final, Tok};

/// Longest response line accepted (literals are read separately).
const MAX_LINE: u64 = 256 * 1024;

/// A plain or TLS connection: the engine's, shared so both speak the same TLS.
pub(crate) use mailshift_net::Transport as Stream;

/// Wrap a TCP stream in TLS, checking the certificate per `config`.
pub(crate) async fn tls_handshake(
    tcp: TcpStream,
    host: &str,
    config: Arc<rustls::ClientConfig>,
) -> Result<Stream, SieveError> {
    let tls_err = |cause: String| SieveError::Tls {
        host: host.to_string(),
        cause,
    };
    let name = ServerName::try_from(host.to_string())
        .map_err(|e| tls_err(format!("{host:?} is not a valid server name: {e}")))?;
    let tls = TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|e| tls_err(mailshift_net::tls_failure_reason(&e)))?;
    Ok(Stream::Tls(Box::new(tls)))
}

/// A session's connection: buffered reads of responses, writes of commands.
pub(crate) struct Wire {
    io: BufReader<Stream>,
}

impl Wire {
    pub(crate) fn new(stream: Stream) -> Wire {
        Wire {
            io: BufReader::new(stream),
        }
    }

    pub(crate) fn is_tls(&self) -> bool {
        matches!(self.io.get_ref(), Stream::Tls(_))
    }

    /// The plain TCP stream back, for STARTTLS. Bytes the server sent ahead of the
    /// handshake would be injected plaintext: that is a protocol error.
    pub(crate) fn into_plain(self) -> Result<TcpStream, SieveError> {
        if !self.io.buffer().is_empty() {
            return Err(protocol(
                "the server sent data after its STARTTLS answer, before the TLS handshake",
            ));
        }
        match self.io.into_inner() {
            Stream::Plain(tcp) => Ok(tcp),
            Stream::Tls(_) => Err(protocol("STARTTLS on a connection that is already TLS")),
        }
    }

    pub(crate) async fn send(&mut self, bytes: &[u8]) -> Result<(), SieveError> {
        let stream = self.io.get_mut();
        stream.write_all(bytes).await.map_err(io_err)?;
        stream.flush().await.map_err(io_err)
    }

    /// One logical line: its tokens, with any `{N}` literals read in place.
    pub(crate) async fn read_line(&mut self) -> Result<Vec<Tok>, SieveError> {
        let mut toks = Vec::new();
        loop {
            let mut raw = Vec::new();
            let n = (&mut self.io)
                .take(MAX_LINE)
                .read_until(b'\n', &mut raw)
                .await
                .map_err(io_err)?;
            if n == 0 {
                return Err(protocol("the server closed the connection"));
            }
            let Some(line) = raw.strip_suffix(b"\n") else {
                return Err(protocol(&format!(
                    "response line longer than {MAX_LINE} bytes"
                )));
            };
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let part = tokenize(line).map_err(|e| {
                protocol(&format!(
                    "{e} in the server's line {:?}",
                    String::from_utf8_lossy(line)
                ))
            })?;
            toks.extend(part.toks);
            match part.literal {
                None => return Ok(toks),
                Some(len) => {
                    let mut bytes = vec![0; len];
                    self.io.read_exact(&mut bytes).await.map_err(io_err)?;
                    toks.push(Tok::Str(bytes));
                }
            }
        }
    }

    /// Data lines up to and including the final `OK`/`NO`/`BYE`.
    pub(crate) async fn read_response(&mut self) -> Result<(Vec<Vec<Tok>>, Final), SieveError> {
        let mut data = Vec::new();
        loop {
            let toks = self.read_line().await?;
            if let Some(fin) = final_response(&toks).map_err(|e| protocol(&e))? {
                return Ok((data, fin));
            }
            if !toks.is_empty() {
                data.push(toks);
            }
        }
    }
}

pub(crate) fn protocol(what: &str) -> SieveError {
    SieveError::Protocol {
        what: what.to_string(),
    }
}

fn io_err(e: io::Error) -> SieveError {
    protocol(&format!("connection failed: {e}"))
}
