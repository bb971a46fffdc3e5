//! The lying source server judged from outside, over raw sockets, the oracle and async-imap:
//! each lie is told when switched on, every answer is true when it is off, nothing is ever
//! modified, and bad clients are cut off.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use futures::TryStreamExt;
use mailshift_testkit::{LiarConfig, LiarFolder, LiarMessage, LiarServer, Lies, Oracle};

const USER: &str = "carol@example.test";
/// Needs quoting: a space, a double quote and a backslash.
const PASS: &str = "pa ss\"w\\rd";

fn config(lies: Lies) -> LiarConfig {
    LiarConfig::realistic(USER, PASS, 12, 42).with_lies(lies)
}

fn start(lies: Lies) -> LiarServer {
    LiarServer::start(config(lies)).unwrap_or_else(|e| panic!("{e}"))
}

fn oracle(server: &LiarServer) -> Oracle {
    Oracle::login(server.host(), server.port(), USER, PASS).unwrap_or_else(|e| panic!("{e}"))
}

/// A bare client: one response at a time, literals included.
struct Raw {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    tag: u32,
}

/// One whole response (a line and the literals it announces), CRLF included; empty at EOF.
fn read_response(reader: &mut impl BufRead) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let start = out.len();
        if reader.read_until(b'\n', &mut out).unwrap_or(0) == 0 {
            return out;
        }
        let line = &out[start..];
        let Some(n) = line
            .strip_suffix(b"}\r\n")
            .and_then(|l| l.iter().rposition(|&b| b == b'{').map(|p| &l[p + 1..]))
            .and_then(|d| std::str::from_utf8(d).ok()?.parse::<usize>().ok())
        else {
            return out;
        };
        let at = out.len();
        out.resize(at + n, 0);
        reader.read_exact(&mut out[at..]).unwrap();
    }
}

impl Raw {
    fn connect(server: &LiarServer) -> Raw {
        let stream = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut raw = Raw {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
            tag: 0,
        };
        let greeting = raw.next();
        assert!(
            greeting.starts_with(b"* OK [CAPABILITY IMAP4rev1 LITERAL+ UIDPLUS NAMESPACE"),
            "{}",
            String::from_utf8_lossy(&greeting)
        );
        raw
    }

    fn login(server: &LiarServer) -> Raw {
        let mut raw = Raw::connect(server);
        let (_, done) = raw.cmd(&format!("LOGIN {USER} \"pa ss\\\"w\\\\rd\""));
        assert!(done.starts_with("OK"), "{done}");
        raw
    }

    fn next(&mut self) -> Vec<u8> {
        read_response(&mut self.reader)
    }

    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
    }

    /// Run a command: its untagged responses and the tagged status text (`OK ...`).
    fn cmd(&mut self, text: &str) -> (Vec<Vec<u8>>, String) {
        self.tag += 1;
        let tag = format!("r{}", self.tag);
        self.send(format!("{tag} {text}\r\n").as_bytes());
        self.collect(&tag)
    }

    fn collect(&mut self, tag: &str) -> (Vec<Vec<u8>>, String) {
        let mut untagged = Vec::new();
        loop {
            let r = self.next();
            assert!(!r.is_empty(), "connection closed while waiting for {tag}");
            if let Some(rest) = r.strip_prefix(format!("{tag} ").as_bytes()) {
                return (
                    untagged,
                    String::from_utf8_lossy(rest).trim_end().to_string(),
                );
            }
            untagged.push(r);
        }
    }

    /// Read until EOF: what the server said before closing.
    fn rest(&mut self) -> String {
        let mut all = Vec::new();
        let _ = self.reader.read_to_end(&mut all);
        String::from_utf8_lossy(&all).into_owned()
    }
}

/// (UID, RFC822.SIZE, body) of each FETCH response; absent items as 0 / empty.
fn fetched(responses: &[Vec<u8>]) -> Vec<(u32, u64, Vec<u8>)> {
    let number_after = |r: &[u8], key: &[u8]| -> Option<u64> {
        let at = r.windows(key.len()).position(|w| w == key)? + key.len();
        let digits: Vec<u8> = r[at..]
            .iter()
            .copied()
            .take_while(u8::is_ascii_digit)
            .collect();
        String::from_utf8(digits).ok()?.parse().ok()
    };
    responses
        .iter()
        .filter(|r| r.windows(8).any(|w| w == b" FETCH ("))
        .map(|r| {
            let body = number_after(r, b"BODY[] {").map_or(Vec::new(), |n| {
                let start = r.windows(3).position(|w| w == b"}\r\n").unwrap() + 3;
                r[start..start + n as usize].to_vec()
            });
            (
                number_after(r, b"UID ").unwrap_or(0) as u32,
                number_after(r, b"RFC822.SIZE ").unwrap_or(0),
                body,
            )
        })
        .collect()
}

fn text(responses: &[Vec<u8>]) -> String {
    responses
        .iter()
        .map(|r| String::from_utf8_lossy(r).into_owned())
        .collect()
}

fn inbox(server: &LiarServer) -> &LiarFolder {
    server.config().folder("INBOX").unwrap()
}

#[test]
fn without_lies_every_answer_is_true() {
    let server = start(Lies::default());
    let mut o = oracle(&server);
    assert!(o.has_capability("LITERAL+") && o.has_capability("NAMESPACE"));
    assert_eq!(o.separator().unwrap(), '/');
    let folders = o.list().unwrap();
    let names: Vec<&str> = folders.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["INBOX", "Sent", "Archive", "Archive/2024", "Drafts"]
    );
    assert!(folders[1].has_attribute("\\Sent"));
    assert!(folders[2].has_attribute("\\HasChildren"));
    for f in &server.config().folders {
        assert_eq!(o.count(&f.name).unwrap(), f.messages.len(), "{}", f.name);
        let bodies: Vec<Vec<u8>> = f.messages.iter().map(|m| m.body.clone()).collect();
        assert_eq!(o.bodies(&f.name).unwrap(), bodies, "{}", f.name);
        let mut told: Vec<u64> = o
            .messages(&f.name)
            .unwrap()
            .iter()
            .map(|m| m.size)
            .collect();
        let mut real: Vec<u64> = bodies.iter().map(|b| b.len() as u64).collect();
        told.sort_unstable();
        real.sort_unstable();
        assert_eq!(told, real, "{}", f.name);
    }
    assert_eq!(o.messages("INBOX").unwrap().len(), 12);
    drop(o);

    let inbox = inbox(&server).clone();
    let mut raw = Raw::login(&server);
    let (st, done) = raw.cmd("STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY)");
    assert!(done.starts_with("OK"), "{done}");
    assert_eq!(
        text(&st),
        format!(
            "* STATUS \"INBOX\" (MESSAGES 12 UIDNEXT {} UIDVALIDITY {})\r\n",
            inbox.uid_next(),
            inbox.uid_validity
        )
    );
    let (sel, done) = raw.cmd("EXAMINE INBOX");
    assert!(text(&sel).contains("* 12 EXISTS\r\n"), "{}", text(&sel));
    assert!(done.starts_with("OK [READ-ONLY]"), "{done}");
    let (u3, u5) = (inbox.messages[2].uid, inbox.messages[4].uid);
    let (resp, done) = raw.cmd(&format!(
        "UID FETCH {u3},{u5}:{u5} (UID RFC822.SIZE BODY.PEEK[])"
    ));
    assert!(done.starts_with("OK"), "{done}");
    let got = fetched(&resp);
    assert_eq!(got.len(), 2);
    for ((uid, size, body), m) in got.iter().zip([&inbox.messages[2], &inbox.messages[4]]) {
        assert_eq!((*uid, *size, body), (m.uid, m.body.len() as u64, &m.body));
    }
    // Sequence numbers are not UIDs (the seeded UIDs have gaps).
    let (resp, _) = raw.cmd("FETCH 12 (UID)");
    assert_eq!(fetched(&resp)[0].0, inbox.messages[11].uid);
    assert!(inbox.messages[11].uid > 12);
    let (resp, done) = raw.cmd("UID FETCH * (UID FLAGS)");
    assert!(done.starts_with("OK"));
    assert_eq!(fetched(&resp)[0].0, inbox.messages[11].uid);
    assert_eq!(server.mutations(), 0);
}

#[test]
fn sizes_lie_when_asked() {
    let server = start(Lies {
        size_delta: 37,
        ..Lies::default()
    });
    let inbox = inbox(&server).clone();
    let mut o = oracle(&server);
    let facts = o.messages("INBOX").unwrap();
    let bodies = o.bodies("INBOX").unwrap();
    assert_eq!(
        bodies,
        inbox
            .messages
            .iter()
            .map(|m| m.body.clone())
            .collect::<Vec<_>>()
    );
    let mut told: Vec<u64> = facts.iter().map(|f| f.size).collect();
    let mut real: Vec<u64> = bodies.iter().map(|b| b.len() as u64 + 37).collect();
    told.sort_unstable();
    real.sort_unstable();
    assert_eq!(told, real, "every size is the byte length + 37");

    server.set_lies(Lies {
        size_delta: -1_000_000,
        ..Lies::default()
    });
    let mut raw = Raw::login(&server);
    raw.cmd("EXAMINE INBOX");
    let (resp, _) = raw.cmd("UID FETCH 1:* (RFC822.SIZE BODY.PEEK[])");
    let got = fetched(&resp);
    assert_eq!(got.len(), 12);
    assert!(got
        .iter()
        .all(|(_, size, body)| *size == 0 && !body.is_empty()));
}

#[test]
fn uid_fetch_answers_with_unrequested_uids_when_asked() {
    let server = start(Lies {
        extra_uids: true,
        ..Lies::default()
    });
    let inbox = inbox(&server).clone();
    let mut raw = Raw::login(&server);
    raw.cmd("EXAMINE INBOX");
    let wanted = inbox.messages[3].uid;
    let (resp, done) = raw.cmd(&format!("UID FETCH {wanted} (UID FLAGS BODY.PEEK[])"));
    assert!(done.starts_with("OK"), "{done}");
    let got = fetched(&resp);
    let uids: Vec<u32> = got.iter().map(|g| g.0).collect();
    let all: Vec<u32> = inbox.messages.iter().map(|m| m.uid).collect();
    assert_eq!(uids, all, "every message of the folder comes back");
    for ((_, _, body), m) in got.iter().zip(&inbox.messages) {
        assert_eq!(body, &m.body, "extra answers carry their full bodies");
    }
    // Even a UID that does not exist brings the whole folder.
    let (resp, _) = raw.cmd("UID FETCH 999999 (UID)");
    assert_eq!(fetched(&resp).len(), 12);
    // Plain FETCH by sequence number tells the truth.
    let (resp, _) = raw.cmd("FETCH 2 (UID)");
    assert_eq!(fetched(&resp).len(), 1);

    server.set_lies(Lies::default());
    let (resp, _) = raw.cmd(&format!("UID FETCH {wanted} (UID)"));
    assert_eq!(
        fetched(&resp).iter().map(|g| g.0).collect::<Vec<_>>(),
        [wanted]
    );
}

#[test]
fn status_says_zero_while_select_tells_the_truth_when_asked() {
    let server = start(Lies {
        status_zero: true,
        ..Lies::default()
    });
    let inbox = inbox(&server).clone();
    let mut raw = Raw::login(&server);
    let (st, _) = raw.cmd("STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)");
    assert_eq!(
        text(&st),
        format!(
            "* STATUS \"INBOX\" (MESSAGES 0 UIDNEXT {} UIDVALIDITY {} UNSEEN 0)\r\n",
            inbox.uid_next(),
            inbox.uid_validity
        )
    );
    for verb in ["SELECT", "EXAMINE"] {
        let (sel, done) = raw.cmd(&format!("{verb} INBOX"));
        assert!(done.starts_with("OK"), "{done}");
        assert!(text(&sel).contains("* 12 EXISTS\r\n"), "{}", text(&sel));
    }
    let mut o = oracle(&server);
    assert_eq!(o.count("INBOX").unwrap(), 12);
    assert_eq!(server.mutations(), 0);
}

#[test]
fn the_source_is_never_modified_and_attempts_are_counted() {
    let server = start(Lies::all(5));
    let mut o = oracle(&server);
    let err = o
        .append("INBOX", b"Subject: x\r\n\r\nx\r\n", &["\\Seen"], None)
        .unwrap_err();
    assert!(err.to_string().contains("[READ-ONLY]"), "{err}");
    assert!(o.create("New").is_err());
    assert_eq!(server.mutations(), 2);
    drop(o);

    let mut raw = Raw::login(&server);
    raw.cmd("EXAMINE INBOX");
    raw.cmd("FETCH 1 (BODY[])"); // read-only: \Seen would not be set
    assert_eq!(server.mutations(), 2);
    raw.cmd("SELECT INBOX");
    let (_, done) = raw.cmd("FETCH 1 (BODY[])"); // would set \Seen
    assert!(done.starts_with("OK"));
    assert_eq!(server.mutations(), 3);
    for cmd in [
        "UID STORE 1 +FLAGS (\\Deleted)",
        "EXPUNGE",
        "UID COPY 1 Sent",
        "RENAME Sent Old",
        "DELETE Sent",
    ] {
        let (_, done) = raw.cmd(cmd);
        assert!(done.starts_with("NO [READ-ONLY]"), "{cmd}: {done}");
    }
    assert_eq!(server.mutations(), 8);
    raw.cmd("UID FETCH 1:* (FLAGS BODY.PEEK[])");
    assert_eq!(server.mutations(), 8, "PEEK never counts");
    // The folder still holds what it held.
    let mut o = oracle(&server);
    assert_eq!(o.count("INBOX").unwrap(), 12);
    assert_eq!(o.list().unwrap().len(), 5);
}

#[test]
fn logins_literals_and_the_command_record() {
    let server = start(Lies::default());
    let err = Oracle::login(server.host(), server.port(), USER, "wrong").unwrap_err();
    assert!(
        err.server_response()
            .is_some_and(|r| r.starts_with("NO [AUTHENTICATIONFAILED]")),
        "{err}"
    );

    // Synchronising literals: the server asks for each one.
    let mut raw = Raw::connect(&server);
    raw.send(format!("s1 LOGIN {{{}}}\r\n", USER.len()).as_bytes());
    assert!(raw.next().starts_with(b"+ "));
    raw.send(format!("{USER} {{{}}}\r\n", PASS.len()).as_bytes());
    assert!(raw.next().starts_with(b"+ "));
    raw.send(format!("{PASS}\r\n").as_bytes());
    let (_, done) = raw.collect("s1");
    assert!(done.starts_with("OK"), "{done}");
    let (_, done) = raw.cmd("LOGIN again please");
    assert!(done.starts_with("BAD"), "{done}");

    // Non-synchronising ones arrive without a continuation.
    let mut raw = Raw::connect(&server);
    raw.send(format!("p1 LOGIN {USER} {{{}+}}\r\n{PASS}\r\n", PASS.len()).as_bytes());
    assert!(raw.collect("p1").1.starts_with("OK"));

    // AUTHENTICATE PLAIN, with a continuation and with an initial response.
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let plain = b64.encode(format!("\0{USER}\0{PASS}"));
    let mut raw = Raw::connect(&server);
    raw.send(b"a1 AUTHENTICATE PLAIN\r\n");
    assert_eq!(raw.next(), b"+ \r\n");
    raw.send(format!("{plain}\r\n").as_bytes());
    assert!(raw.collect("a1").1.starts_with("OK"));
    let mut raw = Raw::connect(&server);
    let (_, done) = raw.cmd(&format!("AUTHENTICATE PLAIN {plain}"));
    assert!(done.starts_with("OK"), "{done}");
    let mut raw = Raw::connect(&server);
    raw.send(b"a2 AUTHENTICATE PLAIN\r\n");
    raw.next();
    raw.send(b"*\r\n");
    assert!(raw.collect("a2").1.starts_with("BAD"));
    let (_, done) = raw.cmd("LIST \"\" \"*\"");
    assert!(done.starts_with("BAD"), "not logged in: {done}");

    let seen = server.commands_seen();
    assert!(seen.contains(&format!("LOGIN {USER} ****")), "{seen:?}");
    assert!(seen.contains(&"LOGIN again ****".to_string()), "{seen:?}");
    assert!(
        seen.contains(&"AUTHENTICATE PLAIN ****".to_string()),
        "{seen:?}"
    );
    assert!(seen.contains(&"LIST \"\" \"*\"".to_string()), "{seen:?}");
    for s in &seen {
        assert!(
            !s.contains("pa ss") && !s.contains(&plain),
            "password leaked: {s}"
        );
    }
}

#[test]
fn protocol_corners_answer_per_rfc_3501() {
    let server = start(Lies::default());
    let mut raw = Raw::login(&server);
    let (ns, _) = raw.cmd("NAMESPACE");
    assert_eq!(text(&ns), "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n");
    let (l, _) = raw.cmd("LIST \"\" \"\"");
    assert_eq!(text(&l), "* LIST (\\Noselect) \"/\" \"\"\r\n");
    let (l, _) = raw.cmd("LIST \"\" %");
    assert_eq!(l.len(), 4, "{}", text(&l));
    let (l, _) = raw.cmd("LSUB \"Archive/\" \"*\"");
    assert_eq!(
        text(&l),
        "* LSUB (\\HasNoChildren) \"/\" \"Archive/2024\"\r\n"
    );
    let (_, done) = raw.cmd("STATUS Nowhere (MESSAGES)");
    assert!(done.starts_with("NO [NONEXISTENT]"), "{done}");
    let (_, done) = raw.cmd("FETCH 1 (UID)");
    assert!(done.starts_with("BAD"), "nothing selected: {done}");
    let (sel, done) = raw.cmd("SELECT \"Archive/2024\"");
    assert!(done.starts_with("OK [READ-WRITE]"), "{done}");
    let sel = text(&sel);
    for part in [
        "* FLAGS (",
        "* 0 RECENT",
        "[UIDVALIDITY ",
        "[UIDNEXT ",
        "[PERMANENTFLAGS (",
    ] {
        assert!(sel.contains(part), "{part} missing in {sel}");
    }
    let (h, done) = raw.cmd(
        "UID FETCH 1:* (UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE FROM TO SUBJECT)])",
    );
    assert!(done.starts_with("OK"), "{done}");
    let h0 = String::from_utf8_lossy(&h[0]).into_owned();
    assert!(
        h0.contains("BODY[HEADER.FIELDS (MESSAGE-ID DATE FROM TO SUBJECT)] {"),
        "{h0}"
    );
    assert!(h0.contains("\r\nDate: "), "{h0}");
    assert!(!h0.contains("MIME-Version"), "{h0}");
    let (h, _) = raw.cmd("FETCH 1 (BODY.PEEK[HEADER] BODY.PEEK[TEXT]<0.10> RFC822.HEADER)");
    let h0 = String::from_utf8_lossy(&h[0]).into_owned();
    assert!(h0.contains("BODY[TEXT]<0> {10}\r\n"), "{h0}");
    assert!(
        h0.contains("MIME-Version") && h0.contains("RFC822.HEADER {"),
        "{h0}"
    );
    let (_, done) = raw.cmd("FETCH 1 (ENVELOPE)");
    assert!(done.starts_with("BAD"), "{done}");
    let (_, done) = raw.cmd("UID SEARCH ALL");
    assert_eq!(done, "BAD unknown command");
    for cmd in ["NOOP", "CHECK", "UNSELECT", "CAPABILITY"] {
        assert!(raw.cmd(cmd).1.starts_with("OK"), "{cmd}");
    }
    assert!(raw.cmd("CLOSE").1.starts_with("BAD"), "already unselected");
    raw.cmd("EXAMINE INBOX");
    assert!(raw.cmd("CLOSE").1.starts_with("OK"));
    let (bye, done) = raw.cmd("LOGOUT");
    assert_eq!(text(&bye), "* BYE Logging out\r\n");
    assert!(done.starts_with("OK"));
    assert_eq!(raw.rest(), "");
}

#[test]
fn garbage_and_oversized_input_close_the_connection() {
    let server = start(Lies::default());
    let mut raw = Raw::connect(&server);
    raw.send(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n");
    assert!(raw.rest().starts_with("* BYE"));

    let mut raw = Raw::connect(&server);
    raw.send(&vec![b'a'; 70 * 1024]);
    assert!(raw.rest().starts_with("* BYE"));

    let mut raw = Raw::connect(&server);
    raw.send(b"x1 LOGIN {999999999999}\r\n");
    assert!(raw.rest().starts_with("* BYE"));

    let mut raw = Raw::login(&server);
    for _ in 0..4 {
        assert_eq!(raw.cmd("FROB").1, "BAD unknown command");
    }
    raw.send(b"z FROB\r\n");
    let rest = raw.rest();
    assert!(rest.contains("z BAD") && rest.contains("* BYE"), "{rest}");

    // The server itself is fine.
    let mut o = oracle(&server);
    assert_eq!(o.count("INBOX").unwrap(), 12);
}

#[test]
fn several_clients_at_once_and_drop_stops_it() {
    let server = start(Lies::all(-3));
    let port = server.port();
    let snaps: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| oracle(&server).snapshot().unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(snaps.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(snaps[0].total_messages(), 12 + 6 + 4);
    assert!(server.connections() >= 4);
    let idle = Raw::login(&server);
    drop(server);
    let mut idle = idle;
    assert_eq!(idle.rest(), "", "open connections are closed");
    let refused = TcpStream::connect(("127.0.0.1", port))
        .map(|s| {
            let mut r = BufReader::new(s);
            read_response(&mut r)
        })
        .unwrap_or_default();
    assert!(refused.is_empty(), "nobody answers after drop");
}

#[test]
fn configs_that_cannot_be_served_are_refused() {
    let mut folder = LiarFolder::new("Bad");
    folder.messages = vec![LiarMessage::new(5, "a"), LiarMessage::new(3, "b")];
    let err = LiarServer::start(LiarConfig::new("u", "p").with_folder(folder)).unwrap_err();
    assert!(err.to_string().contains("ascending"), "{err}");
}

/// The header lines named in `names` (any case, continuations included), then the blank line.
fn selected_fields(body: &[u8], names: &[&str]) -> Vec<u8> {
    let text = String::from_utf8_lossy(body);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let mut out = String::new();
    let mut keep = false;
    for line in head.split("\r\n") {
        if !line.starts_with([' ', '\t']) {
            let name = line.split(':').next().unwrap_or_default();
            keep = names.iter().any(|n| n.eq_ignore_ascii_case(name));
        }
        if keep {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("\r\n");
    out.into_bytes()
}

struct PlainAuth;

impl async_imap::Authenticator for PlainAuth {
    type Response = String;
    fn process(&mut self, _challenge: &[u8]) -> String {
        format!("\0{USER}\0{PASS}")
    }
}

async fn async_session(
    server: &LiarServer,
    plain: bool,
) -> async_imap::Session<tokio::net::TcpStream> {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", server.port()))
        .await
        .unwrap();
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.unwrap().unwrap();
    let session = if plain {
        client.authenticate("PLAIN", PlainAuth).await
    } else {
        client.login(USER, PASS).await
    };
    session.map_err(|(e, _)| e).unwrap()
}

#[tokio::test]
async fn async_imap_reads_the_truth_and_the_lies() {
    let server = start(Lies::default());
    let inbox = inbox(&server).clone();
    let mut s = async_session(&server, false).await;
    let caps = s.capabilities().await.unwrap();
    assert!(caps.has_str("LITERAL+") && caps.has_str("UIDPLUS"));
    let names: Vec<_> = s
        .list(Some(""), Some("*"))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names.len(), 5);
    assert_eq!(names[1].name(), "Sent");
    assert_eq!(names[1].delimiter(), Some("/"));
    let st = s
        .status("INBOX", "(MESSAGES UIDNEXT UIDVALIDITY)")
        .await
        .unwrap();
    assert_eq!(st.exists, 12);
    assert_eq!(st.uid_next, Some(inbox.uid_next()));
    assert_eq!(st.uid_validity, Some(inbox.uid_validity));
    let mb = s.examine("INBOX").await.unwrap();
    assert_eq!(mb.exists, 12);
    assert_eq!(mb.uid_validity, Some(inbox.uid_validity));
    assert_eq!(mb.uid_next, Some(inbox.uid_next()));
    let fetches: Vec<_> = s
        .uid_fetch("1:*", "(UID RFC822.SIZE BODY.PEEK[])")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(fetches.len(), 12);
    for (f, m) in fetches.iter().zip(&inbox.messages) {
        assert_eq!(f.uid, Some(m.uid));
        assert_eq!(f.size, Some(m.body.len() as u32));
        assert_eq!(f.body(), Some(m.body.as_slice()));
    }
    let headers: Vec<_> = s
        .uid_fetch(
            "1:*",
            "(UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE FROM TO SUBJECT)])",
        )
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(headers.len(), 12);
    for (f, m) in headers.iter().zip(&inbox.messages) {
        let want = ["Message-ID", "Date", "From", "To", "Subject"];
        assert_eq!(f.header(), Some(selected_fields(&m.body, &want).as_slice()));
        assert!(f
            .header()
            .is_some_and(|h| h.windows(6).any(|w| w == b"Date: ")));
    }
    let flags: Vec<_> = s
        .uid_fetch("1:*", "(UID FLAGS INTERNALDATE)")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert!(flags.iter().all(|f| f.internal_date().is_some()));
    s.noop().await.unwrap();
    s.close().await.unwrap();
    s.logout().await.unwrap();

    // The same calls, lied to.
    server.set_lies(Lies::all(100));
    let mut s = async_session(&server, true).await;
    let st = s
        .status("INBOX", "(MESSAGES UIDNEXT UIDVALIDITY)")
        .await
        .unwrap();
    assert_eq!(st.exists, 0, "STATUS lies");
    assert_eq!(
        s.examine("INBOX").await.unwrap().exists,
        12,
        "EXAMINE does not"
    );
    let one = inbox.messages[0].uid.to_string();
    let fetches: Vec<_> = s
        .uid_fetch(&one, "(UID RFC822.SIZE BODY.PEEK[])")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(fetches.len(), 12, "one UID asked, twelve answered");
    for (f, m) in fetches.iter().zip(&inbox.messages) {
        assert_eq!(f.size, Some(m.body.len() as u32 + 100));
        assert_eq!(f.body(), Some(m.body.as_slice()));
    }
    s.logout().await.unwrap();
    assert_eq!(server.mutations(), 0);
}
