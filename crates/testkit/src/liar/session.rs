//! One client connection: greeting, login, the command loop and its dispatch, FETCH (where
//! `size_delta` and `extra_uids` lie), and the refusal of everything that would modify.

use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use base64::Engine as _;

use super::command::{read_command, Outcome, Received, LINE_MAX};
use super::parse::{fetch_items, tokenize, Arg, SeqSet};
use super::{mailbox, render, Shared};

const CAPABILITIES: &str =
    "IMAP4rev1 LITERAL+ UIDPLUS NAMESPACE UNSELECT CHILDREN SPECIAL-USE AUTH=PLAIN";
/// A client silent this long is dropped.
const IDLE_LIMIT: Duration = Duration::from_secs(600);
const WRITE_LIMIT: Duration = Duration::from_secs(120);
const LINGER: Duration = Duration::from_millis(200);
const LINGER_BYTES: u64 = 1024 * 1024;
/// Consecutive BAD answers before the connection is closed.
const MAX_STRIKES: u32 = 5;
const MUTATING: &[&str] = &[
    "APPEND",
    "STORE",
    "EXPUNGE",
    "COPY",
    "MOVE",
    "CREATE",
    "DELETE",
    "RENAME",
    "SUBSCRIBE",
    "UNSUBSCRIBE",
    "UID STORE",
    "UID EXPUNGE",
    "UID COPY",
    "UID MOVE",
];

/// How a tagged command completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Done {
    Ok(String),
    No(String),
    Bad(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Fresh,
    Authed,
    Selected { folder: usize, read_only: bool },
}

/// Turn away a connection over the limit.
pub(crate) fn refuse(mut stream: TcpStream) {
    let _ = stream.write_all(b"* BYE too many connections\r\n");
    let _ = stream.shutdown(Shutdown::Both);
}

/// Serve one connection until LOGOUT, EOF, an error, garbage, or the server stopping.
pub(crate) fn serve(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(IDLE_LIMIT));
    let _ = stream.set_write_timeout(Some(WRITE_LIMIT));
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut session = Session {
        shared,
        reader: BufReader::with_capacity(64 * 1024, stream),
        writer: BufWriter::with_capacity(256 * 1024, write_half),
        state: State::Fresh,
        strikes: 0,
    };
    let _ = session.run();
    let _ = session.writer.flush();
    linger(session.reader);
}

/// Close gently: stop writing, then drain what the client still sends for a moment, so that
/// closing with unread input does not reset the connection before it reads our last words.
fn linger(mut reader: BufReader<TcpStream>) {
    let stream = reader.get_ref();
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(LINGER));
    let _ = io::copy(&mut (&mut reader).take(LINGER_BYTES), &mut io::sink());
    let _ = reader.get_ref().shutdown(Shutdown::Both);
}

struct Session<'a> {
    shared: &'a Shared,
    reader: BufReader<TcpStream>,
    writer: BufWriter<TcpStream>,
    state: State,
    strikes: u32,
}

enum Flow {
    Continue,
    Close,
}

impl Session<'_> {
    fn run(&mut self) -> io::Result<()> {
        write!(
            self.writer,
            "* OK [CAPABILITY {CAPABILITIES}] liar ready\r\n"
        )?;
        self.writer.flush()?;
        loop {
            if self.shared.stopping() {
                return Ok(());
            }
            let received = match read_command(&mut self.reader, &mut self.writer)? {
                Outcome::Closed => return Ok(()),
                Outcome::TooLarge(why) => {
                    write!(self.writer, "* BYE {why}\r\n")?;
                    return Ok(());
                }
                Outcome::Command(c) => c,
            };
            let flow = self.handle(received)?;
            self.writer.flush()?;
            if let Flow::Close = flow {
                return Ok(());
            }
        }
    }

    fn handle(&mut self, received: Received) -> io::Result<Flow> {
        if received.bytes.is_empty() {
            return Ok(Flow::Continue);
        }
        let tag = received
            .bytes
            .split(|&b| b == b' ')
            .next()
            .filter(|t| is_tag(t))
            .map(|t| String::from_utf8_lossy(t).into_owned());
        let Some(tag) = tag else {
            self.shared.record("<garbage>".into());
            self.writer.write_all(b"* BYE garbage received\r\n")?;
            return Ok(Flow::Close);
        };
        let args = match tokenize(&received.bytes) {
            Ok(args) => args,
            Err(why) => {
                self.shared.record(format!("<malformed: {why}>"));
                return self.complete(&tag, Done::Bad(format!("syntax error: {why}")));
            }
        };
        let Some(word) = args.get(1).and_then(Arg::atom) else {
            self.shared.record("<no command>".into());
            return self.complete(&tag, Done::Bad("no command".into()));
        };
        let mut name = word.to_ascii_uppercase();
        let mut rest = &args[2..];
        if name == "UID" {
            if let Some(sub) = rest.first().and_then(Arg::atom) {
                name = format!("UID {}", sub.to_ascii_uppercase());
                rest = &rest[1..];
            }
        }
        self.shared
            .record(shown(&name, &received.display, &tag, rest));
        if MUTATING.contains(&name.as_str()) {
            self.shared.count_mutation();
            return self.complete(
                &tag,
                Done::No("[READ-ONLY] this source server is never modified".into()),
            );
        }
        let done = match (name.as_str(), self.state) {
            ("CAPABILITY", _) => {
                write!(self.writer, "* CAPABILITY {CAPABILITIES}\r\n")?;
                Done::Ok("CAPABILITY completed".into())
            }
            ("NOOP" | "CHECK", _) => Done::Ok(format!("{name} completed")),
            ("LOGOUT", _) => {
                self.writer.write_all(b"* BYE Logging out\r\n")?;
                self.complete(&tag, Done::Ok("LOGOUT completed".into()))?;
                return Ok(Flow::Close);
            }
            ("LOGIN" | "AUTHENTICATE", State::Fresh) => {
                let ok = if name == "LOGIN" {
                    self.login(rest)
                } else {
                    match self.authenticate(rest)? {
                        Some(ok) => ok,
                        None => {
                            return self
                                .complete(&tag, Done::Bad("authentication cancelled".into()))
                        }
                    }
                };
                match ok {
                    Ok(true) => {
                        self.state = State::Authed;
                        Done::Ok("Logged in".into())
                    }
                    Ok(false) => Done::No("[AUTHENTICATIONFAILED] Authentication failed.".into()),
                    Err(why) => Done::Bad(why),
                }
            }
            ("LOGIN" | "AUTHENTICATE", _) => Done::Bad("already logged in".into()),
            (
                "NAMESPACE" | "LIST" | "LSUB" | "STATUS" | "SELECT" | "EXAMINE" | "FETCH"
                | "UID FETCH" | "CLOSE" | "UNSELECT",
                State::Fresh,
            ) => Done::Bad("log in first".into()),
            ("NAMESPACE", _) => mailbox::namespace(&mut self.writer, &self.shared.config)?,
            ("LIST" | "LSUB", _) => {
                mailbox::list(&mut self.writer, &self.shared.config, rest, name == "LSUB")?
            }
            ("STATUS", _) => mailbox::status(
                &mut self.writer,
                &self.shared.config,
                self.shared.lies(),
                rest,
            )?,
            ("SELECT" | "EXAMINE", _) => {
                let read_only = name == "EXAMINE";
                let (done, folder) =
                    mailbox::select(&mut self.writer, &self.shared.config, rest, read_only)?;
                self.state = match folder {
                    Some(folder) => State::Selected { folder, read_only },
                    None => State::Authed,
                };
                done
            }
            ("FETCH" | "UID FETCH", State::Selected { folder, read_only }) => {
                self.fetch(rest, folder, read_only, name == "UID FETCH")?
            }
            ("CLOSE" | "UNSELECT", State::Selected { .. }) => {
                self.state = State::Authed;
                Done::Ok(format!("{name} completed"))
            }
            ("FETCH" | "UID FETCH" | "CLOSE" | "UNSELECT", _) => {
                Done::Bad("no mailbox selected".into())
            }
            _ => Done::Bad("unknown command".into()),
        };
        self.complete(&tag, done)
    }

    /// Write the tagged completion; too many BADs in a row close the connection.
    fn complete(&mut self, tag: &str, done: Done) -> io::Result<Flow> {
        let (word, text) = match &done {
            Done::Ok(t) => ("OK", t),
            Done::No(t) => ("NO", t),
            Done::Bad(t) => ("BAD", t),
        };
        write!(self.writer, "{tag} {word} {text}\r\n")?;
        if let Done::Bad(_) = done {
            self.strikes += 1;
            if self.strikes >= MAX_STRIKES {
                self.writer.write_all(b"* BYE too many errors\r\n")?;
                return Ok(Flow::Close);
            }
        } else {
            self.strikes = 0;
        }
        Ok(Flow::Continue)
    }

    fn login(&self, args: &[Arg]) -> Result<bool, String> {
        match args {
            [user, pass] => match (user.text(), pass.text()) {
                (Some(u), Some(p)) => Ok(self.accepts(&u, &p)),
                _ => Err("LOGIN takes a user name and a password".into()),
            },
            _ => Err("LOGIN takes a user name and a password".into()),
        }
    }

    fn accepts(&self, user: &str, pass: &str) -> bool {
        user == self.shared.config.user && pass == self.shared.config.password
    }

    /// AUTHENTICATE PLAIN, with or without an initial response. `None`: the client cancelled.
    fn authenticate(&mut self, args: &[Arg]) -> io::Result<Option<Result<bool, String>>> {
        let mechanism = args
            .first()
            .and_then(Arg::atom)
            .map(str::to_ascii_uppercase);
        if mechanism.as_deref() != Some("PLAIN") || args.len() > 2 {
            return Ok(Some(Err("only AUTHENTICATE PLAIN is supported".into())));
        }
        let response = match args.get(1).and_then(Arg::text) {
            Some(initial) if initial == "=" => Vec::new(),
            Some(initial) => initial.into_bytes(),
            None => {
                self.writer.write_all(b"+ \r\n")?;
                self.writer.flush()?;
                let mut line = Vec::new();
                let n = (&mut self.reader)
                    .take(LINE_MAX as u64)
                    .read_until(b'\n', &mut line)?;
                if n == 0 || line.last() != Some(&b'\n') {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "authentication cut short",
                    ));
                }
                let line = line.trim_ascii_end().to_vec();
                if line == b"*" {
                    return Ok(None);
                }
                line
            }
        };
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(&response) else {
            return Ok(Some(Err("invalid base64 in AUTHENTICATE".into())));
        };
        let parts: Vec<&[u8]> = decoded.split(|&b| b == 0).collect();
        let [_authzid, user, pass] = parts.as_slice() else {
            return Ok(Some(Err("malformed PLAIN response".into())));
        };
        Ok(Some(Ok(self.accepts(
            &String::from_utf8_lossy(user),
            &String::from_utf8_lossy(pass),
        ))))
    }

    /// FETCH or UID FETCH in the selected folder.
    fn fetch(
        &mut self,
        args: &[Arg],
        folder: usize,
        read_only: bool,
        by_uid: bool,
    ) -> io::Result<Done> {
        let [set, items] = args else {
            return Ok(Done::Bad("FETCH takes a set and items".into()));
        };
        let set = match set.atom().ok_or("invalid sequence set".to_string()) {
            Ok(s) => SeqSet::parse(s),
            Err(e) => Err(e),
        };
        let (set, items) = match (set, fetch_items(items)) {
            (Ok(s), Ok(i)) => (s, i),
            (Err(e), _) | (_, Err(e)) => return Ok(Done::Bad(e)),
        };
        if !read_only && items.iter().any(|i| i.sets_seen()) {
            // It would set \Seen on the source: count it (and leave the flags alone).
            self.shared.count_mutation();
        }
        let lies = self.shared.lies();
        let f = &self.shared.config.folders[folder];
        let max = if by_uid {
            f.messages.last().map_or(0, |m| m.uid)
        } else {
            f.messages.len() as u32
        };
        for (i, m) in f.messages.iter().enumerate() {
            let seq = i + 1;
            let wanted = if by_uid {
                set.contains(m.uid, max) || lies.extra_uids
            } else {
                set.contains(seq as u32, max)
            };
            if wanted {
                render::fetch_response(&mut self.writer, seq, m, &items, by_uid, lies.size_delta)?;
            }
        }
        Ok(Done::Ok(
            if by_uid {
                "UID FETCH completed"
            } else {
                "FETCH completed"
            }
            .into(),
        ))
    }
}

/// A tag: ASCII graphic characters other than `(){%*"\+`.
fn is_tag(t: &[u8]) -> bool {
    !t.is_empty()
        && t.len() <= 64
        && t.iter()
            .all(|&b| b.is_ascii_graphic() && !b"(){%*\"\\+".contains(&b))
}

/// The command as recorded: no tag, passwords masked.
fn shown(name: &str, display: &str, tag: &str, rest: &[Arg]) -> String {
    match name {
        "LOGIN" => {
            let user = rest.first().and_then(Arg::text).unwrap_or_default();
            format!("LOGIN {user} ****")
        }
        "AUTHENTICATE" => {
            let mech = rest.first().and_then(Arg::text).unwrap_or_default();
            if rest.len() > 1 {
                format!("AUTHENTICATE {mech} ****")
            } else {
                format!("AUTHENTICATE {mech}")
            }
        }
        _ => display
            .strip_prefix(tag)
            .unwrap_or(display)
            .trim_start()
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_recorded_commands() {
        assert!(is_tag(b"a1") && is_tag(b"A0001.x"));
        assert!(!is_tag(b"") && !is_tag(b"a+") && !is_tag(b"\x16\x03") && !is_tag(b"*"));
        let args = tokenize(b"\"bob\" \"s3cret\"").unwrap();
        assert_eq!(
            shown("LOGIN", "a LOGIN \"bob\" \"s3cret\"", "a", &args),
            "LOGIN bob ****"
        );
        assert_eq!(
            shown("UID FETCH", "a7 UID FETCH 1:* (UID)", "a7", &[]),
            "UID FETCH 1:* (UID)"
        );
    }
}
