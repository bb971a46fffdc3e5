//! The oracle: a small synchronous IMAP client over a plain TcpStream, independent of the
//! engine, used to seed mailboxes and to judge what a migration produced. Folder names in its
//! API are UTF-8 with `/` as the hierarchy separator, whatever the server uses.

pub mod date;
pub mod mutf7;
mod namespace;
mod snapshot;
mod wire;

use std::io::{BufReader, BufWriter, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use sha2::{Digest, Sha256};

pub use namespace::{Namespace, NamespaceKind, Namespaces};
pub use snapshot::{MailboxSnapshot, MessageFacts, SnapshotDiff};
use wire::Token;

use crate::TestkitError;

const IO_TIMEOUT: Duration = Duration::from_secs(120);
const BATCH_MESSAGES: usize = 100;
const BATCH_BYTES: usize = 8 * 1024 * 1024;

/// A folder as LISTed by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderInfo {
    /// Decoded UTF-8 name with `/` as separator.
    pub name: String,
    /// The name exactly as sent on the wire (modified UTF-7, server separator).
    pub raw: String,
    /// Attributes such as `\Noselect`, `\HasChildren`, `\Sent`.
    pub attributes: Vec<String>,
}

impl FolderInfo {
    pub fn has_attribute(&self, attr: &str) -> bool {
        self.attributes.iter().any(|a| a.eq_ignore_ascii_case(attr))
    }

    /// Can it hold messages (not `\Noselect` / `\NonExistent`)?
    pub fn is_selectable(&self) -> bool {
        !self.has_attribute("\\Noselect") && !self.has_attribute("\\NonExistent")
    }
}

/// A message to append: exact bytes, flags, optional INTERNALDATE ("17-Jul-1996 02:44:25 -0700").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedMessage {
    pub bytes: Vec<u8>,
    pub flags: Vec<String>,
    pub internaldate: Option<String>,
}

enum Part<'a> {
    Text(String),
    Literal(&'a [u8]),
}

/// A logged-in IMAP session.
pub struct Oracle {
    reader: BufReader<TcpStream>,
    writer: BufWriter<TcpStream>,
    tag: u32,
    capabilities: Vec<String>,
    separator: Option<char>,
    namespaces: Option<Namespaces>,
    ignored_headers: Vec<String>,
}

impl Oracle {
    /// Connect over plain TCP and LOGIN.
    pub fn login(host: &str, port: u16, user: &str, pass: &str) -> Result<Oracle, TestkitError> {
        let addr = format!("{host}:{port}");
        let stream = TcpStream::connect(&addr).map_err(|source| TestkitError::Connect {
            addr: addr.clone(),
            source,
        })?;
        let setup = |e| TestkitError::Connect {
            addr: addr.clone(),
            source: e,
        };
        stream.set_read_timeout(Some(IO_TIMEOUT)).map_err(setup)?;
        stream.set_write_timeout(Some(IO_TIMEOUT)).map_err(setup)?;
        stream.set_nodelay(true).map_err(setup)?;
        let writer = BufWriter::with_capacity(256 * 1024, stream.try_clone().map_err(setup)?);
        let mut oracle = Oracle {
            reader: BufReader::with_capacity(256 * 1024, stream),
            writer,
            tag: 0,
            capabilities: Vec::new(),
            separator: None,
            namespaces: None,
            ignored_headers: Vec::new(),
        };
        let greeting = oracle.next_response("the greeting")?;
        if !greeting.starts_with(b"* OK") {
            return Err(TestkitError::Protocol {
                command: "greeting".into(),
                detail: String::from_utf8_lossy(&greeting).trim().to_string(),
            });
        }
        oracle
            .run(
                &[Part::Text(format!(
                    "LOGIN {} {}",
                    wire::quote(user),
                    wire::quote(pass)
                ))],
                "LOGIN",
                |_| Ok(()),
            )
            .map_err(|e| match e {
                TestkitError::Refused { response, .. } => TestkitError::Refused {
                    command: format!("LOGIN {user}"),
                    response,
                },
                other => other,
            })?;
        oracle.refresh_capabilities()?;
        Ok(oracle)
    }

    /// Leave these header fields out of the hashed bytes and sizes of `messages`/`snapshot`
    /// (e.g. `X-TUID`, which mbsync inserts into every message it copies).
    pub fn ignore_headers(&mut self, names: &[&str]) {
        self.ignored_headers = names.iter().map(|n| n.to_string()).collect();
    }

    /// Capabilities announced after login (upper case).
    pub fn capabilities(&self) -> &[String] {
        &self.capabilities
    }

    pub fn has_capability(&self, cap: &str) -> bool {
        self.capabilities
            .iter()
            .any(|c| c.eq_ignore_ascii_case(cap))
    }

    /// The server's hierarchy separator.
    pub fn separator(&mut self) -> Result<char, TestkitError> {
        if let Some(sep) = self.separator {
            return Ok(sep);
        }
        let mut sep = None;
        self.run(
            &[Part::Text("LIST \"\" \"\"".into())],
            "LIST \"\" \"\"",
            |t| {
                if t.get(1).and_then(Token::as_atom) == Some("LIST") {
                    sep = t
                        .get(3)
                        .and_then(Token::as_text)
                        .and_then(|s| s.chars().next());
                }
                Ok(())
            },
        )?;
        let sep = sep.unwrap_or('/');
        self.separator = Some(sep);
        Ok(sep)
    }

    /// The namespaces (RFC 2342) the server announces; without the NAMESPACE capability, one
    /// personal namespace `""` with the separator of `LIST "" ""`.
    pub fn namespace(&mut self) -> Result<Namespaces, TestkitError> {
        if let Some(ns) = &self.namespaces {
            return Ok(ns.clone());
        }
        let ns = if self.has_capability("NAMESPACE") {
            let mut found = None;
            self.run(&[Part::Text("NAMESPACE".into())], "NAMESPACE", |t| {
                if t.get(1).and_then(Token::as_atom) == Some("NAMESPACE") {
                    found = Some(
                        namespace::parse(t).map_err(|detail| TestkitError::Protocol {
                            command: "NAMESPACE".into(),
                            detail,
                        })?,
                    );
                }
                Ok(())
            })?;
            found.ok_or_else(|| TestkitError::Protocol {
                command: "NAMESPACE".into(),
                detail: "no untagged NAMESPACE response".into(),
            })?
        } else {
            Namespaces {
                personal: vec![Namespace {
                    prefix: String::new(),
                    separator: Some(self.separator()?),
                }],
                ..Namespaces::default()
            }
        };
        self.namespaces = Some(ns.clone());
        Ok(ns)
    }

    /// The oracle name (`/` separator) of a folder given relative to the personal namespace:
    /// `Sent` is `INBOX/Sent` on an `INBOX.` server and `Sent` elsewhere; `INBOX` stays `INBOX`.
    pub fn personal_name(&mut self, relative: &str) -> Result<String, TestkitError> {
        Ok(self.namespace()?.personal_name(relative))
    }

    /// Like [`Oracle::snapshot`], but only the personal namespace, with names relative to it
    /// (prefix stripped, `INBOX` kept, `/` as separator): an `INBOX.`/`.` server and a `/`
    /// server holding the same mail give equal snapshots. Other users' and shared folders are
    /// left out.
    pub fn personal_snapshot(&mut self) -> Result<MailboxSnapshot, TestkitError> {
        let ns = self.namespace()?;
        let mut snap = MailboxSnapshot::default();
        for folder in self.list()? {
            if !folder.is_selectable() {
                continue;
            }
            if let Some(relative) = ns.personal_relative(&folder.name) {
                let msgs = self.messages(&folder.name)?;
                snap.folders.insert(relative, msgs);
            }
        }
        Ok(snap)
    }

    /// Set `identifier`'s rights on a folder (RFC 4314 SETACL), e.g. `lr` for lookup + read.
    pub fn set_acl(
        &mut self,
        folder: &str,
        identifier: &str,
        rights: &str,
    ) -> Result<(), TestkitError> {
        let raw = self.wire_name(folder)?;
        let cmd = format!(
            "SETACL {} {} {}",
            wire::quote(&raw),
            wire::quote(identifier),
            wire::quote(rights)
        );
        self.run(&[Part::Text(cmd.clone())], &cmd, |_| Ok(()))
    }

    /// Every folder, decoded, in server order.
    pub fn list(&mut self) -> Result<Vec<FolderInfo>, TestkitError> {
        let sep = self.separator()?;
        let mut raw_items = Vec::new();
        self.run(&[Part::Text("LIST \"\" \"*\"".into())], "LIST", |t| {
            if t.get(1).and_then(Token::as_atom) == Some("LIST") {
                let attrs = match t.get(2) {
                    Some(Token::List(l)) => l.iter().filter_map(Token::as_text).collect(),
                    _ => Vec::new(),
                };
                if let Some(raw) = t.get(4).and_then(Token::as_text) {
                    raw_items.push((raw, attrs));
                }
            }
            Ok(())
        })?;
        raw_items
            .into_iter()
            .map(|(raw, attributes)| {
                let decoded = mutf7::decode(&raw).ok_or_else(|| TestkitError::Protocol {
                    command: "LIST".into(),
                    detail: format!("folder name {raw:?} is not valid modified UTF-7"),
                })?;
                Ok(FolderInfo {
                    name: to_logical(&decoded, sep),
                    raw,
                    attributes,
                })
            })
            .collect()
    }

    /// Create a folder (the server creates implied parents as its layout requires).
    /// Succeeds when it already exists.
    pub fn create(&mut self, utf8_name: &str) -> Result<(), TestkitError> {
        let raw = self.wire_name(utf8_name)?;
        let cmd = format!("CREATE {}", wire::quote(&raw));
        match self.run(&[Part::Text(cmd.clone())], &cmd, |_| Ok(())) {
            // Cyrus says `NO Mailbox already exists`, without the response code.
            Err(TestkitError::Refused { response, .. })
                if response.contains("[ALREADYEXISTS]")
                    || response.to_ascii_lowercase().contains("already exists") =>
            {
                Ok(())
            }
            other => other,
        }
    }

    /// Delete a folder.
    pub fn delete(&mut self, utf8_name: &str) -> Result<(), TestkitError> {
        let raw = self.wire_name(utf8_name)?;
        let cmd = format!("DELETE {}", wire::quote(&raw));
        self.run(&[Part::Text(cmd.clone())], &cmd, |_| Ok(()))
    }

    /// Append one message.
    pub fn append(
        &mut self,
        folder: &str,
        msg: &[u8],
        flags: &[&str],
        internaldate: Option<&str>,
    ) -> Result<(), TestkitError> {
        let seed = SeedMessage {
            bytes: msg.to_vec(),
            flags: flags.iter().map(|s| s.to_string()).collect(),
            internaldate: internaldate.map(str::to_string),
        };
        self.append_batch(folder, std::slice::from_ref(&seed))
    }

    /// Append many messages quickly: MULTIAPPEND batches with non-synchronizing literals.
    pub fn append_many(&mut self, folder: &str, msgs: &[SeedMessage]) -> Result<(), TestkitError> {
        let multi = self.has_capability("MULTIAPPEND");
        let mut start = 0;
        while start < msgs.len() {
            let mut end = start + 1;
            let mut bytes = msgs[start].bytes.len();
            while multi && end < msgs.len() && end - start < BATCH_MESSAGES {
                bytes += msgs[end].bytes.len();
                if bytes > BATCH_BYTES {
                    break;
                }
                end += 1;
            }
            self.append_batch(folder, &msgs[start..end])?;
            start = end;
        }
        Ok(())
    }

    fn append_batch(&mut self, folder: &str, msgs: &[SeedMessage]) -> Result<(), TestkitError> {
        let raw = self.wire_name(folder)?;
        let mut parts = vec![Part::Text(format!("APPEND {}", wire::quote(&raw)))];
        for m in msgs {
            let mut head = String::new();
            if !m.flags.is_empty() {
                head.push_str(&format!(" ({})", m.flags.join(" ")));
            }
            if let Some(d) = &m.internaldate {
                head.push_str(&format!(" {}", wire::quote(d)));
            }
            head.push(' ');
            parts.push(Part::Text(head));
            parts.push(Part::Literal(&m.bytes));
        }
        let label = format!("APPEND {folder:?} ({} message(s))", msgs.len());
        self.run(&parts, &label, |_| Ok(()))
    }

    /// Number of messages in a folder (EXAMINE, read-only).
    pub fn count(&mut self, folder: &str) -> Result<usize, TestkitError> {
        self.examine(folder)
    }

    /// Facts of every message of one folder, sorted (EXAMINE + BODY.PEEK, never modifies).
    pub fn messages(&mut self, folder: &str) -> Result<Vec<MessageFacts>, TestkitError> {
        let mut out = Vec::new();
        self.fetch_each(folder, |facts, _| {
            out.push(facts);
            Ok(())
        })?;
        out.sort();
        Ok(out)
    }

    /// The exact bytes of every message of a folder, in UID order.
    pub fn bodies(&mut self, folder: &str) -> Result<Vec<Vec<u8>>, TestkitError> {
        let mut out = Vec::new();
        self.fetch_each(folder, |_, body| {
            out.push(body.to_vec());
            Ok(())
        })?;
        Ok(out)
    }

    /// Every selectable folder with its messages.
    pub fn snapshot(&mut self) -> Result<MailboxSnapshot, TestkitError> {
        let mut snap = MailboxSnapshot::default();
        for folder in self.list()? {
            if folder.is_selectable() {
                let msgs = self.messages(&folder.name)?;
                snap.folders.insert(folder.name, msgs);
            }
        }
        Ok(snap)
    }

    /// Run any command (no literals); returns the untagged responses as text.
    pub fn command(&mut self, text: &str) -> Result<Vec<String>, TestkitError> {
        let mut lines = Vec::new();
        self.run_raw(&[Part::Text(text.to_string())], text, |raw| {
            lines.push(String::from_utf8_lossy(raw).trim_end().to_string());
            Ok(())
        })?;
        Ok(lines)
    }

    /// Say goodbye politely.
    pub fn logout(mut self) -> Result<(), TestkitError> {
        match self.run(&[Part::Text("LOGOUT".into())], "LOGOUT", |_| Ok(())) {
            Err(TestkitError::Closed(_)) => Ok(()),
            other => other,
        }
    }

    fn examine(&mut self, folder: &str) -> Result<usize, TestkitError> {
        let raw = self.wire_name(folder)?;
        let cmd = format!("EXAMINE {}", wire::quote(&raw));
        let mut exists = 0;
        self.run(&[Part::Text(cmd.clone())], &cmd, |t| {
            if t.get(2).and_then(Token::as_atom) == Some("EXISTS") {
                exists = t
                    .get(1)
                    .and_then(Token::as_atom)
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
            }
            Ok(())
        })?;
        Ok(exists)
    }

    fn fetch_each(
        &mut self,
        folder: &str,
        mut each: impl FnMut(MessageFacts, &[u8]) -> Result<(), TestkitError>,
    ) -> Result<(), TestkitError> {
        if self.examine(folder)? == 0 {
            return Ok(());
        }
        let cmd = "UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])";
        let label = format!("{cmd} in {folder:?}");
        let ignored = self.ignored_headers.clone();
        self.run(&[Part::Text(cmd.into())], &label, |t| {
            if t.get(2).and_then(Token::as_atom) != Some("FETCH") {
                return Ok(());
            }
            let Some(Token::List(items)) = t.get(3) else {
                return Ok(());
            };
            let (facts, body) =
                parse_fetch(items, &ignored).map_err(|detail| TestkitError::Protocol {
                    command: label.clone(),
                    detail,
                })?;
            each(facts, body)
        })
    }

    fn refresh_capabilities(&mut self) -> Result<(), TestkitError> {
        let mut caps = Vec::new();
        self.run(&[Part::Text("CAPABILITY".into())], "CAPABILITY", |t| {
            if t.get(1).and_then(Token::as_atom) == Some("CAPABILITY") {
                caps = t[2..]
                    .iter()
                    .filter_map(Token::as_text)
                    .map(|s| s.to_uppercase())
                    .collect();
            }
            Ok(())
        })?;
        self.capabilities = caps;
        Ok(())
    }

    fn wire_name(&mut self, utf8_name: &str) -> Result<String, TestkitError> {
        let sep = self.separator()?;
        if sep != '/' && utf8_name.contains(sep) {
            return Err(TestkitError::Setup(format!(
                "folder name {utf8_name:?} contains the server's separator {sep:?}; \
                 the oracle takes names with '/' as the separator"
            )));
        }
        Ok(mutf7::encode(&utf8_name.replace('/', &sep.to_string())))
    }

    /// Run a command, handing each untagged response to `each` as tokens.
    fn run(
        &mut self,
        parts: &[Part<'_>],
        label: &str,
        mut each: impl FnMut(&[Token]) -> Result<(), TestkitError>,
    ) -> Result<(), TestkitError> {
        self.run_raw(parts, label, |raw| {
            let tokens = wire::tokenize(raw).map_err(|detail| TestkitError::Protocol {
                command: label.to_string(),
                detail,
            })?;
            each(&tokens)
        })
    }

    fn run_raw(
        &mut self,
        parts: &[Part<'_>],
        label: &str,
        mut each: impl FnMut(&[u8]) -> Result<(), TestkitError>,
    ) -> Result<(), TestkitError> {
        self.tag += 1;
        let tag = format!("o{}", self.tag);
        let plus = self.has_capability("LITERAL+");
        let wire_err = |e| TestkitError::Wire {
            during: label.to_string(),
            source: e,
        };
        self.writer.write_all(tag.as_bytes()).map_err(wire_err)?;
        self.writer.write_all(b" ").map_err(wire_err)?;
        for part in parts {
            match part {
                Part::Text(t) => self.writer.write_all(t.as_bytes()).map_err(wire_err)?,
                Part::Literal(bytes) => {
                    let marker = if plus {
                        format!("{{{}+}}\r\n", bytes.len())
                    } else {
                        format!("{{{}}}\r\n", bytes.len())
                    };
                    self.writer.write_all(marker.as_bytes()).map_err(wire_err)?;
                    if !plus {
                        self.writer.flush().map_err(wire_err)?;
                        self.await_continuation(&tag, label)?;
                    }
                    self.writer.write_all(bytes).map_err(wire_err)?;
                }
            }
        }
        self.writer.write_all(b"\r\n").map_err(wire_err)?;
        self.writer.flush().map_err(wire_err)?;
        // A failed error callback must not leave the stream mid-response: keep reading.
        let mut first_err = None;
        loop {
            let resp = self.next_response(label)?;
            if resp.starts_with(b"* ") {
                if resp.starts_with(b"* BYE") && label != "LOGOUT" {
                    return Err(TestkitError::Closed(format!(
                        "{label} ({})",
                        String::from_utf8_lossy(&resp).trim()
                    )));
                }
                if first_err.is_none() {
                    if let Err(e) = each(&resp) {
                        first_err = Some(e);
                    }
                }
                continue;
            }
            if resp.starts_with(tag.as_bytes()) && resp.get(tag.len()) == Some(&b' ') {
                let text = String::from_utf8_lossy(&resp[tag.len() + 1..])
                    .trim()
                    .to_string();
                if let Some(e) = first_err {
                    return Err(e);
                }
                return if text.starts_with("OK") {
                    Ok(())
                } else {
                    Err(TestkitError::Refused {
                        command: label.to_string(),
                        response: text,
                    })
                };
            }
            // continuation requests or others' tags: ignore
        }
    }

    fn await_continuation(&mut self, tag: &str, label: &str) -> Result<(), TestkitError> {
        loop {
            let resp = self.next_response(label)?;
            if resp.starts_with(b"+") {
                return Ok(());
            }
            if resp.starts_with(tag.as_bytes()) {
                return Err(TestkitError::Refused {
                    command: label.to_string(),
                    response: String::from_utf8_lossy(&resp[tag.len()..])
                        .trim()
                        .to_string(),
                });
            }
        }
    }

    fn next_response(&mut self, label: &str) -> Result<Vec<u8>, TestkitError> {
        match wire::read_response(&mut self.reader) {
            Ok(Some(r)) => Ok(r),
            Ok(None) => Err(TestkitError::Closed(label.to_string())),
            Err(e) => Err(TestkitError::Wire {
                during: label.to_string(),
                source: e,
            }),
        }
    }
}

impl std::fmt::Debug for Oracle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oracle").field("tag", &self.tag).finish()
    }
}

fn to_logical(decoded: &str, sep: char) -> String {
    if sep == '/' {
        decoded.to_string()
    } else {
        decoded.replace(sep, "/")
    }
}

fn parse_fetch<'a>(
    items: &'a [Token],
    ignored: &[String],
) -> Result<(MessageFacts, &'a [u8]), String> {
    let mut flags = None;
    let mut date = None;
    let mut size = None;
    let mut body: Option<&[u8]> = None;
    for pair in items.chunks(2) {
        let [key, value] = pair else { break };
        match key.as_atom().map(str::to_uppercase).as_deref() {
            Some("FLAGS") => {
                if let Token::List(l) = value {
                    let mut f: Vec<String> = l
                        .iter()
                        .filter_map(Token::as_text)
                        .filter(|f| !f.eq_ignore_ascii_case("\\Recent"))
                        .collect();
                    f.sort();
                    flags = Some(f);
                }
            }
            Some("INTERNALDATE") => {
                date = value.as_text().and_then(|d| date::parse_internaldate(&d))
            }
            Some("RFC822.SIZE") => size = value.as_atom().and_then(|s| s.parse::<u64>().ok()),
            Some("BODY[]") => body = value.as_bytes(),
            _ => {}
        }
    }
    let body = body.ok_or("no BODY[] in the FETCH response")?;
    let (sha256, size) = if ignored.is_empty() {
        (
            hex::encode(Sha256::digest(body)),
            size.unwrap_or(body.len() as u64),
        )
    } else {
        let kept = without_headers(body, ignored);
        (hex::encode(Sha256::digest(&kept)), kept.len() as u64)
    };
    let facts = MessageFacts {
        sha256,
        size,
        internaldate: date.ok_or("no valid INTERNALDATE in the FETCH response")?,
        flags: flags.ok_or("no FLAGS in the FETCH response")?,
    };
    Ok((facts, body))
}

/// The message without the named header fields (continuation lines included).
fn without_headers(msg: &[u8], names: &[String]) -> Vec<u8> {
    let end = msg
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(msg.len(), |p| p + 2);
    let mut out = Vec::with_capacity(msg.len());
    let mut skipping = false;
    for line in msg[..end].split_inclusive(|&b| b == b'\n') {
        let continuation = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        if !continuation {
            skipping = names.iter().any(|n| {
                line.len() > n.len()
                    && line[..n.len()].eq_ignore_ascii_case(n.as_bytes())
                    && line[n.len()] == b':'
            });
        }
        if !skipping {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(&msg[end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_headers_are_cut_out() {
        let msg = b"Subject: a\r\nX-TUID: abc\r\n def\r\nFrom: b\r\n\r\nX-TUID: body\r\n";
        let out = without_headers(msg, &["x-tuid".to_string()]);
        assert_eq!(out, b"Subject: a\r\nFrom: b\r\n\r\nX-TUID: body\r\n");
        assert_eq!(without_headers(msg, &["X-TUIDX".to_string()]), msg.to_vec());
    }

    #[test]
    fn fetch_items_become_facts() {
        let raw = b"* 1 FETCH (UID 4 FLAGS (\\Seen \\Recent $Forwarded) INTERNALDATE \"01-Jan-1970 00:00:10 +0000\" RFC822.SIZE 3 BODY[] {3}\r\na\0b)\r\n";
        let t = wire::tokenize(raw).unwrap();
        let Token::List(items) = &t[3] else { panic!() };
        let (facts, body) = parse_fetch(items, &[]).unwrap();
        assert_eq!(body, b"a\0b");
        assert_eq!(facts.flags, vec!["$Forwarded", "\\Seen"]);
        assert_eq!(facts.internaldate, 10);
        assert_eq!(facts.size, 3);
        assert_eq!(facts.sha256, hex::encode(Sha256::digest(b"a\0b")));
    }

    #[test]
    fn names_become_logical() {
        assert_eq!(to_logical("Archives.2024.Q1", '.'), "Archives/2024/Q1");
        assert_eq!(to_logical("a/b", '/'), "a/b");
    }
}
