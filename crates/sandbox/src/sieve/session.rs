//! One ManageSieve session (RFC 5804): greeting, AUTHENTICATE PLAIN, then the script
//! commands against the login's scripts in the groupware store. Every script stored is
//! checked first (well-formed, only the extensions advertised, within the size limit).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::groupware::{is_valid_name, GroupwareError};
use crate::{Directory, GroupwareStore};

use super::command::{self, Arg, ReadError};
use super::{EXTENSIONS, MAX_SCRIPT_SIZE};

const IDLE: Duration = Duration::from_secs(600);
/// Before login a client only has to send its credentials: a silent one may not hold a
/// connection slot for long.
const IDLE_BEFORE_LOGIN: Duration = Duration::from_secs(60);

/// One reply: `OK`/`NO`/`BYE`, an optional response code, a human text.
struct Reply {
    word: &'static str,
    code: Option<String>,
    text: String,
    /// Lines sent before the final one (listings, script data).
    body: Vec<u8>,
    close: bool,
}

impl Reply {
    fn ok(text: impl Into<String>) -> Self {
        Reply {
            word: "OK",
            code: None,
            text: text.into(),
            body: Vec::new(),
            close: false,
        }
    }
    fn no(text: impl Into<String>) -> Self {
        Reply {
            word: "NO",
            ..Reply::ok(text)
        }
    }
    fn no_code(code: &str, text: impl Into<String>) -> Self {
        Reply {
            code: Some(code.to_string()),
            ..Reply::no(text)
        }
    }
    fn bye(text: impl Into<String>) -> Self {
        Reply {
            word: "BYE",
            close: true,
            ..Reply::ok(text)
        }
    }
    fn with_body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self
    }
    fn bytes(&self) -> Vec<u8> {
        let mut out = self.body.clone();
        out.extend_from_slice(self.word.as_bytes());
        if let Some(c) = &self.code {
            out.extend_from_slice(format!(" ({c})").as_bytes());
        }
        out.push(b' ');
        out.extend(string(self.text.as_bytes()));
        out.extend_from_slice(b"\r\n");
        out
    }
}

/// A ManageSieve string: quoted when short and plain, a literal otherwise.
fn string(s: &[u8]) -> Vec<u8> {
    if s.len() <= 1024 && !s.iter().any(|c| matches!(c, b'\r' | b'\n' | 0)) {
        let mut out = vec![b'"'];
        for c in s {
            if matches!(c, b'"' | b'\\') {
                out.push(b'\\');
            }
            out.push(*c);
        }
        out.push(b'"');
        out
    } else {
        let mut out = format!("{{{}}}\r\n", s.len()).into_bytes();
        out.extend_from_slice(s);
        out
    }
}

/// The capability lines (without the final OK).
pub fn capabilities() -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in [
        ("IMPLEMENTATION", "mailshift sandbox".to_string()),
        ("SIEVE", EXTENSIONS.join(" ")),
        ("SASL", "PLAIN".to_string()),
        ("VERSION", "1.0".to_string()),
        ("MAXREDIRECTS", "4".to_string()),
    ] {
        out.extend(string(k.as_bytes()));
        out.push(b' ');
        out.extend(string(v.as_bytes()));
        out.extend_from_slice(b"\r\n");
    }
    out
}

pub struct Session {
    store: Arc<GroupwareStore>,
    directory: Arc<Directory>,
    login: Option<String>,
}

impl Session {
    pub fn new(store: Arc<GroupwareStore>, directory: Arc<Directory>) -> Self {
        Session {
            store,
            directory,
            login: None,
        }
    }

    /// What one command may carry: before login, credentials only.
    fn limits(&self) -> command::Limits {
        if self.login.is_some() {
            command::AFTER_LOGIN
        } else {
            command::BEFORE_LOGIN
        }
    }

    pub async fn run(mut self, stream: TcpStream) {
        let (read, mut write) = stream.into_split();
        let mut reader = BufReader::new(read);
        let greeting = Reply::ok("mailshift sandbox ManageSieve ready").with_body(capabilities());
        if write.write_all(&greeting.bytes()).await.is_err() {
            return;
        }
        loop {
            let wait = if self.login.is_some() {
                IDLE
            } else {
                IDLE_BEFORE_LOGIN
            };
            let read = tokio::time::timeout(wait, command::read(&mut reader, self.limits())).await;
            let reply = match read {
                Err(_) => Reply::bye("idle for too long"),
                Ok(Err(ReadError::Closed)) => return,
                Ok(Err(ReadError::Fatal(e))) => Reply::bye(format!("cannot go on: {e}")),
                Ok(Err(ReadError::Syntax(e))) => Reply::no(format!("syntax error: {e}")),
                Ok(Err(ReadError::TooLarge)) => Reply::no_code(
                    "QUOTA/MAXSIZE",
                    format!("scripts are limited to {MAX_SCRIPT_SIZE} bytes"),
                ),
                Ok(Ok(args)) => {
                    if let Some(Arg::Atom(c)) = args.first() {
                        if c.eq_ignore_ascii_case("AUTHENTICATE") && self.login.is_none() {
                            let r = self.authenticate(&args, &mut reader, &mut write).await;
                            if write.write_all(&r.bytes()).await.is_err() {
                                return;
                            }
                            if r.close {
                                return linger_close(reader, write).await;
                            }
                            continue;
                        }
                    }
                    self.command(&args)
                }
            };
            if write.write_all(&reply.bytes()).await.is_err() {
                return;
            }
            if reply.close {
                return linger_close(reader, write).await;
            }
        }
    }

    async fn authenticate(
        &mut self,
        args: &[Arg],
        reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
        write: &mut tokio::net::tcp::OwnedWriteHalf,
    ) -> Reply {
        let mech = args.get(1).and_then(Arg::text).unwrap_or("");
        if !mech.eq_ignore_ascii_case("PLAIN") {
            return Reply::no("only the PLAIN mechanism is offered");
        }
        let initial = match args.get(2) {
            Some(a) => a.clone(),
            None => {
                if write.write_all(b"\"\"\r\n").await.is_err() {
                    return Reply::bye("connection lost");
                }
                match command::read(reader, command::BEFORE_LOGIN).await {
                    Ok(mut a) if a.len() == 1 => a.remove(0),
                    Ok(_) => return Reply::no("expected one string with the credentials"),
                    Err(ReadError::Closed) => return Reply::bye("connection lost"),
                    Err(ReadError::Fatal(e)) => return Reply::bye(format!("cannot go on: {e}")),
                    Err(_) => return Reply::no("expected one string with the credentials"),
                }
            }
        };
        let encoded = match &initial {
            Arg::Str(s) if s == b"*" => return Reply::no("authentication cancelled"),
            Arg::Str(s) => s.clone(),
            Arg::Atom(a) if a == "*" => return Reply::no("authentication cancelled"),
            Arg::Atom(a) => a.as_bytes().to_vec(),
        };
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim_ascii())
        else {
            return Reply::no("the PLAIN response is not base64");
        };
        let parts: Vec<&[u8]> = decoded.split(|b| *b == 0).collect();
        let [authz, user, password] = parts.as_slice() else {
            return Reply::no("the PLAIN response must be authzid NUL user NUL password");
        };
        let (Ok(user), Ok(password), Ok(authz)) = (
            std::str::from_utf8(user),
            std::str::from_utf8(password),
            std::str::from_utf8(authz),
        ) else {
            return Reply::no("the PLAIN response is not UTF-8");
        };
        let login = user.to_ascii_lowercase();
        if !authz.is_empty() && !authz.eq_ignore_ascii_case(&login) {
            return Reply::no_code("AUTH-TOO-WEAK", "acting as another user is not allowed");
        }
        if !self.directory.verify(&login, password) {
            return Reply::no("wrong login or password");
        }
        tracing::debug!(%login, "sandbox ManageSieve login");
        self.login = Some(login);
        Reply::ok("logged in")
    }

    fn command(&mut self, args: &[Arg]) -> Reply {
        let name = match args.first() {
            Some(Arg::Atom(a)) => a.to_ascii_uppercase(),
            _ => return Reply::no("a command starts with its name"),
        };
        let rest = &args[1..];
        match name.as_str() {
            "CAPABILITY" => Reply::ok("capability listed").with_body(capabilities()),
            "LOGOUT" => Reply {
                close: true,
                ..Reply::ok("bye")
            },
            "NOOP" => match rest.first().and_then(Arg::text) {
                Some(tag) => Reply {
                    code: Some(format!(
                        "TAG {}",
                        String::from_utf8_lossy(&string(tag.as_bytes()))
                    )),
                    ..Reply::ok("done")
                },
                None => Reply::ok("done"),
            },
            "STARTTLS" => Reply::no("TLS is not offered by the loopback sandbox"),
            "AUTHENTICATE" => Reply::no("already logged in"),
            _ => match self.login.clone() {
                None => Reply::no("log in first (AUTHENTICATE \"PLAIN\")"),
                Some(login) => self.script_command(&login, &name, rest),
            },
        }
    }

    fn script_command(&self, login: &str, name: &str, rest: &[Arg]) -> Reply {
        let text = |i: usize| rest.get(i).and_then(Arg::text);
        let result = match (name, rest.len()) {
            ("LISTSCRIPTS", 0) => self.store.scripts(login).map(|list| {
                let mut body = Vec::new();
                for (n, active) in list {
                    body.extend(string(n.as_bytes()));
                    if active {
                        body.extend_from_slice(b" ACTIVE");
                    }
                    body.extend_from_slice(b"\r\n");
                }
                Reply::ok("listed").with_body(body)
            }),
            ("GETSCRIPT", 1) => {
                let Some(n) = text(0) else { return bad_name() };
                self.store.script(login, n).map(|s| match s {
                    Some(bytes) => {
                        let mut body = string_literal(&bytes);
                        body.extend_from_slice(b"\r\n");
                        Reply::ok("got it").with_body(body)
                    }
                    None => nonexistent(n),
                })
            }
            ("PUTSCRIPT", 2) => {
                let (Some(n), Some(Arg::Str(script))) = (text(0), rest.get(1)) else {
                    return Reply::no("usage: PUTSCRIPT name script");
                };
                if let Err(r) = check_name(n) {
                    return r;
                }
                if let Err(r) = check(script) {
                    return r;
                }
                self.store
                    .put_script(login, n, script)
                    .map(|()| Reply::ok("stored"))
            }
            ("CHECKSCRIPT", 1) => match rest.first() {
                Some(Arg::Str(script)) => match check(script) {
                    Ok(()) => return Reply::ok("the script is valid"),
                    Err(r) => return r,
                },
                _ => return Reply::no("usage: CHECKSCRIPT script"),
            },
            ("HAVESPACE", 2) => {
                let size = text(1).and_then(|s| s.parse::<u64>().ok());
                match size {
                    None => return Reply::no("usage: HAVESPACE name size"),
                    Some(s) if s > MAX_SCRIPT_SIZE as u64 => {
                        return Reply::no_code(
                            "QUOTA/MAXSIZE",
                            format!("scripts are limited to {MAX_SCRIPT_SIZE} bytes"),
                        )
                    }
                    Some(_) => return Reply::ok("there is room"),
                }
            }
            ("SETACTIVE", 1) => {
                let Some(n) = text(0) else { return bad_name() };
                let target = (!n.is_empty()).then_some(n);
                self.store
                    .set_active(login, target)
                    .map(|()| Reply::ok("active script set"))
            }
            ("DELETESCRIPT", 1) => {
                let Some(n) = text(0) else { return bad_name() };
                self.store
                    .delete_script(login, n)
                    .map(|()| Reply::ok("deleted"))
            }
            ("RENAMESCRIPT", 2) => {
                let (Some(old), Some(new)) = (text(0), text(1)) else {
                    return bad_name();
                };
                if let Err(r) = check_name(new) {
                    return r;
                }
                self.store
                    .rename_script(login, old, new)
                    .map(|()| Reply::ok("renamed"))
            }
            (
                "LISTSCRIPTS" | "GETSCRIPT" | "PUTSCRIPT" | "HAVESPACE" | "SETACTIVE"
                | "DELETESCRIPT" | "RENAMESCRIPT",
                _,
            ) => return Reply::no(format!("wrong number of arguments for {name}")),
            _ => return Reply::no(format!("unknown command {name}")),
        };
        result.unwrap_or_else(store_error)
    }
}

/// Closes without losing the last reply: closing with unread input makes the kernel send
/// a reset, which can destroy what the client has not read yet. So: send FIN, then read
/// and drop input for a little while (bounded in time and bytes, fixed buffer).
async fn linger_close(
    mut reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    mut write: tokio::net::tcp::OwnedWriteHalf,
) {
    let _ = write.shutdown().await;
    let mut chunk = [0u8; 16 * 1024];
    let mut dropped = 0usize;
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while dropped < 4 * 1024 * 1024 {
            match reader.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => dropped += n,
            }
        }
    })
    .await;
}

fn string_literal(bytes: &[u8]) -> Vec<u8> {
    let mut out = format!("{{{}}}\r\n", bytes.len()).into_bytes();
    out.extend_from_slice(bytes);
    out
}

fn bad_name() -> Reply {
    Reply::no(format!(
        "a script name is 1 to {} bytes, no '/', no control characters, not starting with '.'",
        crate::groupware::MAX_NAME_BYTES
    ))
}

/// The reply to a name the store would refuse (a client mistake, never TRYLATER).
fn check_name(name: &str) -> Result<(), Reply> {
    if name.len() > crate::groupware::MAX_NAME_BYTES {
        return Err(Reply::no(format!(
            "script name too long (max {} bytes)",
            crate::groupware::MAX_NAME_BYTES
        )));
    }
    if !is_valid_name(name) {
        return Err(bad_name());
    }
    Ok(())
}

fn nonexistent(name: &str) -> Reply {
    Reply::no_code("NONEXISTENT", format!("there is no script {name:?}"))
}

fn store_error(e: GroupwareError) -> Reply {
    match e {
        GroupwareError::NotFound { name, .. } => nonexistent(&name),
        GroupwareError::Exists { name, .. } => {
            Reply::no_code("ALREADYEXISTS", format!("a script {name:?} already exists"))
        }
        GroupwareError::ActiveScript(_) => Reply::no_code("ACTIVE", e.to_string()),
        GroupwareError::BadName { name, .. } => check_name(&name).err().unwrap_or_else(bad_name),
        GroupwareError::Io { .. } | GroupwareError::Damaged { .. } => {
            tracing::warn!("sandbox ManageSieve: {e}");
            Reply::no_code("TRYLATER", "the sandbox could not read or write its files")
        }
    }
}

/// Whether a script may be stored: size, UTF-8, well-formed, known extensions only.
fn check(script: &[u8]) -> Result<(), Reply> {
    if script.len() > MAX_SCRIPT_SIZE {
        return Err(Reply::no_code(
            "QUOTA/MAXSIZE",
            format!("scripts are limited to {MAX_SCRIPT_SIZE} bytes"),
        ));
    }
    let text =
        std::str::from_utf8(script).map_err(|_| Reply::no("the script is not UTF-8 text"))?;
    let facts = mailshift_sieve::script::inspect(text)
        .map_err(|e| Reply::no(format!("the script is invalid: {e}")))?;
    if let Some(ext) = facts.requires.iter().find(|r| !supported(r)) {
        return Err(Reply::no(format!(
            "the script requires the extension {ext:?}, which this server does not support (it supports: {})",
            EXTENSIONS.join(" ")
        )));
    }
    Ok(())
}

fn supported(ext: &str) -> bool {
    EXTENSIONS.iter().any(|e| e.eq_ignore_ascii_case(ext))
        || ext.eq_ignore_ascii_case("comparator-i;ascii-casemap")
        || ext.eq_ignore_ascii_case("comparator-i;octet")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_or_literal_and_scripts_are_checked() {
        assert_eq!(string(b"a\"b"), b"\"a\\\"b\"");
        assert_eq!(string(b"x\r\n"), b"{3}\r\nx\r\n");
        assert!(check(b"require \"fileinto\";\r\nfileinto \"X\";\r\n").is_ok());
        let r = check(b"require \"fileinto\";\r\nif true { keep;\r\n").unwrap_err();
        assert!(r.text.contains("invalid"), "{}", r.text);
        let r = check(b"require \"x-unknown\";\r\n").unwrap_err();
        assert!(r.text.contains("x-unknown"));
        let r = check(&vec![b'#'; MAX_SCRIPT_SIZE + 1]).unwrap_err();
        assert_eq!(r.code.as_deref(), Some("QUOTA/MAXSIZE"));
        let caps = String::from_utf8(capabilities()).unwrap();
        assert!(caps.contains("\"SASL\" \"PLAIN\"") && caps.contains("vacation"));
    }
}
