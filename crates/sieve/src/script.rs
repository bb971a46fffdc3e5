//! Inspection of a Sieve script (RFC 5228) without compiling it: a light lexer that
//! finds every `require`, tells whether the script is an out-of-office (`vacation`),
//! and catches the damage a copy can do (cut strings, unbalanced brackets).

use serde::{Deserialize, Serialize};

/// What a script needs and does, as far as a migration cares.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptFacts {
    /// Every extension named in a `require`, in order of first appearance, without repeats.
    pub requires: Vec<String>,
    /// The script requires `vacation` or `vacation-seconds`: it is an out-of-office reply.
    pub uses_vacation: bool,
}

impl ScriptFacts {
    /// Does the script require this extension (compared ASCII case-insensitively)?
    pub fn requires(&self, extension: &str) -> bool {
        self.requires
            .iter()
            .any(|r| r.eq_ignore_ascii_case(extension))
    }
}

/// Why a script cannot be a well-formed Sieve script.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    #[error("unterminated string starting at line {line}: add the closing `\"`")]
    UnterminatedString { line: usize },
    #[error(
        "unterminated multi-line `text:` string starting at line {line}: end it with a line holding only `.`"
    )]
    UnterminatedText { line: usize },
    #[error("unterminated `/* */` comment starting at line {line}: add the closing `*/`")]
    UnterminatedComment { line: usize },
    #[error("unbalanced `{found}` at line {line}: nothing open to close")]
    UnexpectedClose { found: char, line: usize },
    #[error(
        "mismatched `{found}` at line {line}: it closes the `{open}` opened at line {open_line}"
    )]
    Mismatched {
        found: char,
        line: usize,
        open: char,
        open_line: usize,
    },
    #[error("unclosed `{open}` opened at line {line}: add the matching `{close}`")]
    Unclosed {
        open: char,
        close: char,
        line: usize,
    },
    #[error(
        "require without a string list at line {line}: write `require \"ext\";` or `require [\"a\", \"b\"];`"
    )]
    RequireWithoutList { line: usize },
}

/// Inspect a script: collect its `require`s and check that it is lexically sound.
pub fn inspect(text: &str) -> Result<ScriptFacts, ScriptError> {
    let tokens = lex(text)?;
    check_balance(&tokens)?;
    let requires = collect_requires(&tokens)?;
    let uses_vacation = requires
        .iter()
        .any(|r| r.eq_ignore_ascii_case("vacation") || r.eq_ignore_ascii_case("vacation-seconds"));
    Ok(ScriptFacts {
        requires,
        uses_vacation,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// An identifier (`require`, `if`, `text` not followed by `:`); tags and numbers too.
    Word(String),
    /// A quoted or multi-line string, decoded.
    Str(String),
    /// One of `; , { } [ ] ( )`.
    Punct(char),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    kind: Kind,
    line: usize,
}

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
}

impl Lexer<'_> {
    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.bump() {
            if c == '\n' {
                break;
            }
        }
    }

    fn block_comment(&mut self, start: usize) -> Result<(), ScriptError> {
        let mut star = false;
        while let Some(c) = self.bump() {
            if star && c == '/' {
                return Ok(());
            }
            star = c == '*';
        }
        Err(ScriptError::UnterminatedComment { line: start })
    }

    fn quoted(&mut self, start: usize) -> Result<String, ScriptError> {
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(ScriptError::UnterminatedString { line: start }),
                Some('"') => return Ok(out),
                Some('\\') => match self.bump() {
                    None => return Err(ScriptError::UnterminatedString { line: start }),
                    Some(c) => out.push(c),
                },
                Some(c) => out.push(c),
            }
        }
    }

    /// After `text:`: optional blanks and `#` comment up to the line end, then lines up to
    /// a line holding only `.`; a leading `..` stands for `.`.
    fn multiline(&mut self, start: usize) -> Result<String, ScriptError> {
        self.skip_line();
        let mut out = String::new();
        loop {
            let mut line = String::new();
            let mut ended = false;
            while let Some(c) = self.bump() {
                if c == '\n' {
                    ended = true;
                    break;
                }
                line.push(c);
            }
            let content = line.strip_suffix('\r').unwrap_or(&line);
            if content == "." {
                return Ok(out);
            }
            if !ended {
                return Err(ScriptError::UnterminatedText { line: start });
            }
            out.push_str(
                content
                    .strip_prefix("..")
                    .map_or(content, |_| &content[1..]),
            );
            out.push('\n');
        }
    }

    fn word(&mut self, first: char) -> String {
        let mut w = String::from(first);
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                w.push(c);
                self.bump();
            } else {
                break;
            }
        }
        w
    }
}

fn lex(text: &str) -> Result<Vec<Token>, ScriptError> {
    let mut lx = Lexer {
        chars: text.chars().peekable(),
        line: 1,
    };
    let mut tokens = Vec::new();
    while let Some(c) = lx.bump() {
        let line = if c == '\n' { lx.line - 1 } else { lx.line };
        match c {
            '#' => lx.skip_line(),
            '/' if lx.peek() == Some('*') => {
                lx.bump();
                lx.block_comment(line)?;
            }
            '"' => tokens.push(Token {
                kind: Kind::Str(lx.quoted(line)?),
                line,
            }),
            ';' | ',' | '{' | '}' | '[' | ']' | '(' | ')' => tokens.push(Token {
                kind: Kind::Punct(c),
                line,
            }),
            c if c.is_ascii_alphabetic() || c == '_' => {
                let w = lx.word(c);
                if w.eq_ignore_ascii_case("text") && lx.peek() == Some(':') {
                    lx.bump();
                    tokens.push(Token {
                        kind: Kind::Str(lx.multiline(line)?),
                        line,
                    });
                } else {
                    tokens.push(Token {
                        kind: Kind::Word(w),
                        line,
                    });
                }
            }
            ':' | '0'..='9' => {
                let w = lx.word(c);
                tokens.push(Token {
                    kind: Kind::Word(w),
                    line,
                });
            }
            // Whitespace and anything this light lexer has no opinion on.
            _ => {}
        }
    }
    Ok(tokens)
}

fn check_balance(tokens: &[Token]) -> Result<(), ScriptError> {
    let mut open: Vec<(char, usize)> = Vec::new();
    for t in tokens {
        let Kind::Punct(c) = t.kind else { continue };
        match c {
            '{' | '[' | '(' => open.push((c, t.line)),
            '}' | ']' | ')' => {
                let want = match c {
                    '}' => '{',
                    ']' => '[',
                    _ => '(',
                };
                match open.pop() {
                    None => {
                        return Err(ScriptError::UnexpectedClose {
                            found: c,
                            line: t.line,
                        })
                    }
                    Some((o, open_line)) if o != want => {
                        return Err(ScriptError::Mismatched {
                            found: c,
                            line: t.line,
                            open: o,
                            open_line,
                        })
                    }
                    Some(_) => {}
                }
            }
            _ => {}
        }
    }
    match open.pop() {
        Some((o, line)) => Err(ScriptError::Unclosed {
            open: o,
            close: closer(o),
            line,
        }),
        None => Ok(()),
    }
}

fn closer(open: char) -> char {
    match open {
        '{' => '}',
        '[' => ']',
        _ => ')',
    }
}

/// `require` as a command (at the start of the script or after `;`, `{`, `}`) must be
/// followed by a string or a bracketed list of strings, then `;`.
fn collect_requires(tokens: &[Token]) -> Result<Vec<String>, ScriptError> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: &str| {
        if !out.iter().any(|r| r == s) {
            out.push(s.to_string());
        }
    };
    for (i, t) in tokens.iter().enumerate() {
        let Kind::Word(w) = &t.kind else { continue };
        if !w.eq_ignore_ascii_case("require") {
            continue;
        }
        let command_start = i == 0 || matches!(tokens[i - 1].kind, Kind::Punct(';' | '{' | '}'));
        if !command_start {
            continue;
        }
        let bad = ScriptError::RequireWithoutList { line: t.line };
        let rest = &tokens[i + 1..];
        let end = match rest.first().map(|t| &t.kind) {
            Some(Kind::Str(s)) => {
                add(s);
                1
            }
            Some(Kind::Punct('[')) => {
                let mut j = 1;
                let mut names = 0;
                loop {
                    match rest.get(j).map(|t| &t.kind) {
                        Some(Kind::Str(s)) => {
                            add(s);
                            names += 1;
                        }
                        _ => return Err(bad),
                    }
                    match rest.get(j + 1).map(|t| &t.kind) {
                        Some(Kind::Punct(',')) => j += 2,
                        Some(Kind::Punct(']')) if names > 0 => break j + 2,
                        _ => return Err(bad),
                    }
                }
            }
            _ => return Err(bad),
        };
        if !matches!(rest.get(end).map(|t| &t.kind), Some(Kind::Punct(';'))) {
            return Err(bad);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_and_list_requires_are_collected_in_order_without_repeats() {
        let facts = inspect(
            "require \"fileinto\";\nrequire [\"vacation\", \"imap4flags\", \"fileinto\"];\n\
             if header :contains \"subject\" \"x\" { fileinto \"X\"; }\n",
        )
        .unwrap();
        assert_eq!(facts.requires, ["fileinto", "vacation", "imap4flags"]);
        assert!(facts.uses_vacation);
        assert!(facts.requires("IMAP4FLAGS"));
    }

    #[test]
    fn vacation_seconds_counts_as_out_of_office_and_plain_rules_do_not() {
        assert!(
            inspect("require \"vacation-seconds\"; vacation :seconds 60 \"away\";")
                .unwrap()
                .uses_vacation
        );
        let rules = inspect("require [\"fileinto\"]; fileinto \"Spam\";").unwrap();
        assert!(!rules.uses_vacation);
        assert_eq!(rules.requires, ["fileinto"]);
    }

    #[test]
    fn comments_and_strings_hide_lookalikes() {
        let text = "# require \"vacation\";\n/* require \"vacation\"; { */\n\
                    require \"fileinto\";\nfileinto \"require \\\"vacation\\\"; }\";\n";
        let facts = inspect(text).unwrap();
        assert_eq!(facts.requires, ["fileinto"]);
        assert!(!facts.uses_vacation);
    }

    #[test]
    fn multiline_text_strings_are_skipped_and_decoded() {
        let text = "require \"vacation\";\r\nvacation :subject \"Away\" text: # note\r\n\
                    I am away { [ \"\r\n..dot line\r\n.\r\n;\r\nkeep;\r\n";
        let facts = inspect(text).unwrap();
        assert!(facts.uses_vacation);
        let tokens = lex(text).unwrap();
        assert!(tokens
            .iter()
            .any(|t| t.kind == Kind::Str("I am away { [ \"\n.dot line\n".into())));
    }

    #[test]
    fn unterminated_quoted_string_names_its_line() {
        let err = inspect("require \"fileinto\";\n\nfileinto \"Spam;\n").unwrap_err();
        assert_eq!(err, ScriptError::UnterminatedString { line: 3 });
        assert!(err.to_string().contains("line 3"));
        assert_eq!(
            inspect("fileinto \"a\\").unwrap_err(),
            ScriptError::UnterminatedString { line: 1 }
        );
    }

    #[test]
    fn unterminated_text_and_comment_are_reported() {
        assert_eq!(
            inspect("keep;\nvacation text:\nhello\n").unwrap_err(),
            ScriptError::UnterminatedText { line: 2 }
        );
        assert_eq!(
            inspect("keep;\n\n/* never closed\n").unwrap_err(),
            ScriptError::UnterminatedComment { line: 3 }
        );
    }

    #[test]
    fn unbalanced_brackets_name_the_line() {
        let err = inspect("if true { keep; }\n}\n").unwrap_err();
        assert_eq!(
            err,
            ScriptError::UnexpectedClose {
                found: '}',
                line: 2
            }
        );
        assert!(err.to_string().contains("unbalanced `}` at line 2"));
        assert_eq!(
            inspect("if true {\n keep;\n").unwrap_err(),
            ScriptError::Unclosed {
                open: '{',
                close: '}',
                line: 1
            }
        );
        assert!(matches!(
            inspect("if anyof(true {\n)").unwrap_err(),
            ScriptError::Mismatched {
                found: ')',
                line: 2,
                open: '{',
                open_line: 1
            }
        ));
    }

    #[test]
    fn require_without_a_string_list_is_an_error() {
        for bad in [
            "require fileinto;",
            "require;",
            "require [];",
            "require [\"a\" \"b\"];",
            "require \"a\"",
            "keep;\nrequire [\"a\",];",
        ] {
            let err = inspect(bad).unwrap_err();
            assert!(
                matches!(err, ScriptError::RequireWithoutList { .. }),
                "{bad}: {err}"
            );
        }
        assert_eq!(
            inspect("keep;\n\nrequire 5;").unwrap_err(),
            ScriptError::RequireWithoutList { line: 3 }
        );
    }

    #[test]
    fn non_ascii_and_empty_scripts_are_fine() {
        let facts =
            inspect("require \"vacation\";\nvacation \"Je suis absent — à bientôt ✈\";").unwrap();
        assert!(facts.uses_vacation);
        assert_eq!(inspect("").unwrap(), ScriptFacts::default());
    }
}
