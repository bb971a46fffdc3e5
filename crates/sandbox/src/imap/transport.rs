//! The bytes of one connection between the socket and imap-next's `Server`, with every
//! buffer bounded: each response is written out before the next is encoded, input is read
//! only while there is room for it, every command is scanned ([`Scanner`]: tight limits
//! before login) and its size reserved in the server-wide [`InputBudget`] before the server
//! accepts it. Every await can be cancelled (timeouts, IDLE polls) without losing or
//! repeating a byte: the state lives in fields, not in the futures.
//! (imap-next's own `Stream` reads without bound and lets answers pile up in memory.)

use std::collections::VecDeque;

use imap_next::server::{Error as ProtocolError, Event, ResponseHandle, Server};
use imap_next::{Interrupt, Io, State};
use thiserror::Error;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::budget::{InputBudget, Reservation};
use super::input::{Scanner, Violation};

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
    #[error("the server holds too much incoming mail from other connections")]
    Busy,
}

pub struct Transport {
    socket: TcpStream,
    /// Read from the socket, not yet given to the server.
    pending: Vec<u8>,
    /// The client shut down its sending side: answer what came, then close.
    eof: bool,
    /// The response being written and how much of it went out.
    out: Vec<u8>,
    written: usize,
    scanner: Scanner,
    logged_in: bool,
    budget: InputBudget,
    /// This connection's share of the budget (the command in progress).
    held: Reservation,
    /// Events the server produced while a FETCH answer was being streamed.
    deferred: VecDeque<Event>,
}

impl Transport {
    pub fn new(socket: TcpStream, budget: InputBudget) -> Self {
        Transport {
            socket,
            pending: Vec::new(),
            eof: false,
            out: Vec::new(),
            written: 0,
            scanner: Scanner::before_login(),
            logged_in: false,
            budget,
            held: Reservation::default(),
            deferred: VecDeque::new(),
        }
    }

    /// The client logged in: larger commands (APPEND, literals up to `max_literal`) are
    /// imap-next's to bound now.
    pub fn logged_in(&mut self, max_literal: u64) {
        if !self.logged_in {
            self.logged_in = true;
            self.scanner.logged_in(max_literal);
        }
    }

    /// The tag of the command being received before login (to answer a refusal).
    pub fn prelogin_tag(&self) -> Option<String> {
        if self.logged_in {
            return None;
        }
        self.scanner.tag()
    }

    /// The next event: a command received, a response sent, ...
    pub async fn next(&mut self, server: &mut Server) -> Result<Event, TransportError> {
        if let Some(event) = self.deferred.pop_front() {
            return Ok(event);
        }
        loop {
            self.write_out().await?;
            self.feed(server).await?;
            match server.next() {
                Ok(event) => return Ok(event),
                Err(Interrupt::Error(e)) => return Err(TransportError::Protocol(e)),
                Err(Interrupt::Io(Io::Output(bytes))) => self.start_output(bytes),
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
            self.write_out().await?;
            match server.next() {
                Ok(Event::ResponseSent { handle: sent, .. }) if sent == handle => return Ok(()),
                Ok(Event::ResponseSent { .. }) | Ok(Event::GreetingSent { .. }) => {}
                Ok(other) => self.deferred.push_back(other),
                Err(Interrupt::Error(e)) => return Err(TransportError::Protocol(e)),
                Err(Interrupt::Io(Io::Output(bytes))) => self.start_output(bytes),
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

    /// Gives the server what may go to it: before login one command at a time, and only
    /// once the command's size is reserved in the budget (waiting for room if need be).
    async fn feed(&mut self, server: &mut Server) -> Result<(), TransportError> {
        while !self.pending.is_empty() {
            // Scanned on a copy, kept only once the bytes are given: a cancelled wait
            // for the budget leaves everything as it was.
            let mut scanner = self.scanner.clone();
            let admitted = match scanner.admit(&self.pending) {
                Ok(admitted) => admitted,
                Err(violation) => {
                    // Kept for the refusal's tag; the connection closes.
                    self.scanner = scanner;
                    return Err(TransportError::PreLogin(violation));
                }
            };
            self.budget
                .reserve(&mut self.held, admitted.holds)
                .await
                .map_err(|_| TransportError::Busy)?;
            self.scanner = scanner;
            server.enqueue_input(&self.pending[..admitted.bytes]);
            self.pending.drain(..admitted.bytes);
            if admitted.ended {
                self.held.release();
                if !self.logged_in {
                    // The next command waits until this one is answered (maybe a login).
                    break;
                }
            }
        }
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

    fn start_output(&mut self, bytes: Vec<u8>) {
        self.out = bytes;
        self.written = 0;
    }

    /// Writes the response in progress completely; reads meanwhile while there is room,
    /// so a client that writes before it reads cannot deadlock the two sides.
    async fn write_out(&mut self) -> Result<(), TransportError> {
        let mut chunk = [0u8; READ_CHUNK];
        while self.written < self.out.len() {
            let room = !self.eof && self.pending.len() < MAX_PENDING_INPUT;
            let (mut read_half, mut write_half) = self.socket.split();
            tokio::select! {
                w = write_half.write(&self.out[self.written..]) => match w? {
                    0 => return Err(TransportError::Closed),
                    n => self.written += n,
                },
                r = read_half.read(&mut chunk), if room => match r? {
                    0 => self.eof = true,
                    n => self.pending.extend_from_slice(&chunk[..n]),
                },
            }
        }
        // Not kept: one large message must not stay allocated for the connection's life.
        self.out = Vec::new();
        self.written = 0;
        Ok(())
    }
}
