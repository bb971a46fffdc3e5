//! The bytes of one connection between the socket and imap-next's `Server`, with every
//! buffer bounded: each response is written out before the next is encoded, input is read
//! only while there is room for it, and before login input passes the [`PreLogin`] guard.
//! (imap-next's own `Stream` reads without bound and lets answers pile up in memory.)

use std::collections::VecDeque;

use imap_next::server::{Error as ProtocolError, Event, ResponseHandle, Server};
use imap_next::{Interrupt, Io, State};
use thiserror::Error;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::prelogin::{PreLogin, Violation};

/// Input read ahead of the server (pipelined commands, APPEND literals in flight).
const MAX_PENDING_INPUT: usize = 256 * 1024;
/// One read from the socket.
const READ_CHUNK: usize = 16 * 1024;
/// How long, and how much input, a refused connection is drained before it is closed.
const LINGER: std::time::Duration = std::time::Duration::from_secs(2);
const MAX_LINGER_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Error)]
pub enum TransportError {
    #[error("the client closed the connection")]
    Closed,
    #[error("connection failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Protocol(ProtocolError),
    #[error("{}", .0.reason())]
    PreLogin(Violation),
}

pub struct Transport {
    socket: TcpStream,
    /// Read from the socket, not yet given to the server.
    pending: Vec<u8>,
    /// The client shut down its sending side: answer what came, then close.
    eof: bool,
    /// `Some` until the client has logged in.
    guard: Option<PreLogin>,
    /// Events the server produced while a FETCH answer was being streamed.
    deferred: VecDeque<Event>,
}

impl Transport {
    pub fn new(socket: TcpStream) -> Self {
        Transport {
            socket,
            pending: Vec::new(),
            eof: false,
            guard: Some(PreLogin::default()),
            deferred: VecDeque::new(),
        }
    }

    /// The client logged in: larger commands (APPEND) are imap-next's to bound now.
    pub fn logged_in(&mut self) {
        self.guard = None;
    }

    /// The tag of the command being received before login (to answer a refusal).
    pub fn prelogin_tag(&self) -> Option<String> {
        self.guard.as_ref().and_then(PreLogin::tag)
    }

    /// The next event: a command received, a response sent, ...
    pub async fn next(&mut self, server: &mut Server) -> Result<Event, TransportError> {
        if let Some(event) = self.deferred.pop_front() {
            return Ok(event);
        }
        loop {
            self.feed(server)?;
            match server.next() {
                Ok(event) => return Ok(event),
                Err(Interrupt::Error(e)) => return Err(TransportError::Protocol(e)),
                Err(Interrupt::Io(Io::Output(bytes))) => self.write_out(&bytes).await?,
                Err(Interrupt::Io(Io::NeedMoreInput)) => self.read_more().await?,
            }
        }
    }

    /// Writes what is queued up to and including `handle`, without giving the server any
    /// new input (so no command starts in the middle of an answer). Used to stream a
    /// FETCH answer one message at a time.
    pub async fn send_until(
        &mut self,
        server: &mut Server,
        handle: ResponseHandle,
    ) -> Result<(), TransportError> {
        loop {
            match server.next() {
                Ok(Event::ResponseSent { handle: sent, .. }) if sent == handle => return Ok(()),
                Ok(Event::ResponseSent { .. }) | Ok(Event::GreetingSent { .. }) => {}
                Ok(other) => self.deferred.push_back(other),
                Err(Interrupt::Error(e)) => return Err(TransportError::Protocol(e)),
                Err(Interrupt::Io(Io::Output(bytes))) => self.write_out(&bytes).await?,
                // Nothing left to send: the handle went out earlier.
                Err(Interrupt::Io(Io::NeedMoreInput)) => return Ok(()),
            }
        }
    }

    /// Closes after a refusal without losing the last answers: a close with unread input
    /// makes the kernel send a reset, which can destroy what the client has not read yet.
    /// So: send FIN, then read and drop input for a little while (bounded in time and
    /// bytes, with a fixed buffer).
    pub async fn linger_close(&mut self) {
        let _ = self.socket.shutdown().await;
        let mut chunk = [0u8; READ_CHUNK];
        let mut dropped = 0usize;
        let _ = tokio::time::timeout(LINGER, async {
            while dropped < MAX_LINGER_BYTES {
                match self.socket.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => dropped += n,
                }
            }
        })
        .await;
    }

    /// Gives the server what may go to it (before login: one command at a time).
    fn feed(&mut self, server: &mut Server) -> Result<(), TransportError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let n = match self.guard.as_mut() {
            Some(guard) => guard
                .admit(&self.pending)
                .map_err(TransportError::PreLogin)?,
            None => self.pending.len(),
        };
        server.enqueue_input(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(())
    }

    async fn read_more(&mut self) -> Result<(), TransportError> {
        if self.eof {
            return Err(TransportError::Closed);
        }
        let mut chunk = [0u8; READ_CHUNK];
        let n = self.socket.read(&mut chunk).await?;
        if n == 0 {
            return Err(TransportError::Closed);
        }
        self.pending.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    /// Writes one encoded response completely; reads meanwhile while there is room, so a
    /// client that writes before it reads cannot deadlock the two sides.
    async fn write_out(&mut self, out: &[u8]) -> Result<(), TransportError> {
        let mut written = 0;
        let mut chunk = [0u8; READ_CHUNK];
        while written < out.len() {
            let room = !self.eof && self.pending.len() < MAX_PENDING_INPUT;
            let (mut read_half, mut write_half) = self.socket.split();
            tokio::select! {
                w = write_half.write(&out[written..]) => match w? {
                    0 => return Err(TransportError::Closed),
                    n => written += n,
                },
                r = read_half.read(&mut chunk), if room => match r? {
                    0 => self.eof = true,
                    n => self.pending.extend_from_slice(&chunk[..n]),
                },
            }
        }
        self.socket.flush().await?;
        Ok(())
    }
}
