//! The SMTP commands the sandbox understands (RFC 5321 subset plus STARTTLS and
//! AUTH), parsed from one line without its CRLF. Pure: no I/O here.

/// One client command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Command {
    Ehlo(String),
    Helo(String),
    StartTls,
    Auth {
        mechanism: String,
        initial: Option<String>,
    },
    /// `from` is empty for the null reverse-path `<>`; `size` from the SIZE parameter.
    Mail {
        from: String,
        size: Option<u64>,
    },
    Rcpt(String),
    Data,
    Rset,
    Noop,
    Quit,
    Vrfy,
    Help,
}

/// Why a line is not a command we run; the reply code follows from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ParseError {
    /// 500: not a command at all.
    Unknown,
    /// 501: a known command with bad arguments (the text says what is wrong).
    Syntax(&'static str),
}

pub(crate) fn parse(line: &str) -> Result<Command, ParseError> {
    let (verb, rest) = match line.split_once(' ') {
        Some((v, r)) => (v, r.trim()),
        None => (line, ""),
    };
    let no_args = |c: Command| {
        if rest.is_empty() {
            Ok(c)
        } else {
            Err(ParseError::Syntax("this command takes no argument"))
        }
    };
    match verb.to_ascii_uppercase().as_str() {
        "EHLO" | "HELO" => {
            if rest.is_empty() || rest.contains(' ') {
                return Err(ParseError::Syntax(
                    "give your host name, e.g. EHLO client.example",
                ));
            }
            Ok(if verb.eq_ignore_ascii_case("EHLO") {
                Command::Ehlo(rest.to_string())
            } else {
                Command::Helo(rest.to_string())
            })
        }
        "STARTTLS" => no_args(Command::StartTls),
        "AUTH" => {
            let mut parts = rest.split_ascii_whitespace();
            let mechanism = parts
                .next()
                .ok_or(ParseError::Syntax(
                    "give a mechanism: AUTH PLAIN or AUTH LOGIN",
                ))?
                .to_ascii_uppercase();
            let initial = parts.next().map(str::to_string);
            if parts.next().is_some() {
                return Err(ParseError::Syntax(
                    "AUTH takes a mechanism and one response",
                ));
            }
            Ok(Command::Auth { mechanism, initial })
        }
        "MAIL" => {
            let (path, params) = path_arg(rest, "FROM:")?;
            let mut size = None;
            for p in params.split_ascii_whitespace() {
                let (key, value) = p.split_once('=').unwrap_or((p, ""));
                if key.eq_ignore_ascii_case("SIZE") {
                    size = Some(
                        value
                            .parse()
                            .map_err(|_| ParseError::Syntax("SIZE wants a number of bytes"))?,
                    );
                }
            }
            if !path.is_empty() && !is_address(&path) {
                return Err(ParseError::Syntax("the sender is not an address"));
            }
            Ok(Command::Mail { from: path, size })
        }
        "RCPT" => {
            let (path, _params) = path_arg(rest, "TO:")?;
            if !is_address(&path) {
                return Err(ParseError::Syntax("the recipient is not an address"));
            }
            Ok(Command::Rcpt(path))
        }
        "DATA" => no_args(Command::Data),
        "RSET" => no_args(Command::Rset),
        "NOOP" => Ok(Command::Noop),
        "QUIT" => no_args(Command::Quit),
        "VRFY" => Ok(Command::Vrfy),
        "HELP" => Ok(Command::Help),
        _ => Err(ParseError::Unknown),
    }
}

/// `FROM:<path> params` / `TO:<path> params` -> (path without brackets, params).
fn path_arg<'a>(rest: &'a str, keyword: &str) -> Result<(String, &'a str), ParseError> {
    let Some(head) = rest.get(..keyword.len()) else {
        return Err(ParseError::Syntax(
            "expected FROM:<address> or TO:<address>",
        ));
    };
    if !head.eq_ignore_ascii_case(keyword) {
        return Err(ParseError::Syntax(
            "expected FROM:<address> or TO:<address>",
        ));
    }
    let rest = rest[keyword.len()..].trim_start();
    let (path, params) = if let Some(inner) = rest.strip_prefix('<') {
        let end = inner
            .find('>')
            .ok_or(ParseError::Syntax("the address has no closing >"))?;
        (&inner[..end], inner[end + 1..].trim())
    } else {
        // Lenient: a bare address, as some scripts send.
        match rest.split_once(' ') {
            Some((p, params)) => (p, params.trim()),
            None => (rest, ""),
        }
    };
    // A source route (`@a,@b:user@host`) is ignored, as RFC 5321 allows.
    let path = match path.rsplit_once(':') {
        Some((route, mailbox)) if route.starts_with('@') => mailbox,
        _ => path,
    };
    Ok((path.to_string(), params))
}

/// `local@domain`, both non-empty, no spaces or control characters.
pub(crate) fn is_address(s: &str) -> bool {
    match s.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && s.len() <= 254
                && !s
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_are_case_insensitive() {
        assert_eq!(
            parse("ehlo client.example"),
            Ok(Command::Ehlo("client.example".into()))
        );
        assert_eq!(parse("HeLo x"), Ok(Command::Helo("x".into())));
        assert_eq!(parse("starttls"), Ok(Command::StartTls));
        assert_eq!(parse("QUIT"), Ok(Command::Quit));
        assert_eq!(parse("NOOP whatever"), Ok(Command::Noop));
        assert_eq!(
            parse("DATA now"),
            Err(ParseError::Syntax("this command takes no argument"))
        );
        assert_eq!(parse("HELLO"), Err(ParseError::Unknown));
        assert!(matches!(parse("EHLO"), Err(ParseError::Syntax(_))));
    }

    #[test]
    fn mail_from_with_params_and_null_sender() {
        assert_eq!(
            parse("MAIL FROM:<a@b.c> SIZE=1200 BODY=8BITMIME"),
            Ok(Command::Mail {
                from: "a@b.c".into(),
                size: Some(1200)
            })
        );
        assert_eq!(
            parse("mail from: <>"),
            Ok(Command::Mail {
                from: String::new(),
                size: None
            })
        );
        assert!(matches!(
            parse("MAIL FROM:<a@b.c> SIZE=big"),
            Err(ParseError::Syntax(_))
        ));
        assert!(matches!(
            parse("MAIL TO:<a@b.c>"),
            Err(ParseError::Syntax(_))
        ));
        assert!(matches!(
            parse("MAIL FROM:<a@b.c"),
            Err(ParseError::Syntax(_))
        ));
        assert!(matches!(
            parse("MAIL FROM:<nobody>"),
            Err(ParseError::Syntax(_))
        ));
    }

    #[test]
    fn rcpt_to_strips_brackets_and_source_routes() {
        assert_eq!(parse("RCPT TO:<x@y.z>"), Ok(Command::Rcpt("x@y.z".into())));
        assert_eq!(parse("rcpt to:x@y.z"), Ok(Command::Rcpt("x@y.z".into())));
        assert_eq!(
            parse("RCPT TO:<@relay.a,@relay.b:x@y.z>"),
            Ok(Command::Rcpt("x@y.z".into()))
        );
        assert!(matches!(parse("RCPT TO:<>"), Err(ParseError::Syntax(_))));
        assert!(matches!(
            parse("RCPT TO:<a b@c>"),
            Err(ParseError::Syntax(_))
        ));
        assert!(matches!(parse("RCPT"), Err(ParseError::Syntax(_))));
    }

    #[test]
    fn auth_with_and_without_initial_response() {
        assert_eq!(
            parse("AUTH plain AGFAYg=="),
            Ok(Command::Auth {
                mechanism: "PLAIN".into(),
                initial: Some("AGFAYg==".into())
            })
        );
        assert_eq!(
            parse("AUTH LOGIN"),
            Ok(Command::Auth {
                mechanism: "LOGIN".into(),
                initial: None
            })
        );
        assert!(matches!(parse("AUTH"), Err(ParseError::Syntax(_))));
    }
}
