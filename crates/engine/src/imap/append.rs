//! APPEND sent by hand: MULTIAPPEND (RFC 3502) batches with LITERAL+ when the
//! server offers them, reading APPENDUID (RFC 4315) from the tagged answer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_imap::imap_proto::{self, Response, ResponseCode};
use tokio::io::AsyncWriteExt;

use super::error::ImapError;
use super::quirks::server_text;
use super::session::Conn;
use super::uidset;

/// One message to append.
#[derive(Debug, Clone, Copy)]
pub struct OutMessage<'a> {
    pub body: &'a [u8],
    pub flags: &'a [String],
    pub internaldate: Option<&'a str>,
}

/// What the server told us about an APPEND that succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// UIDVALIDITY and one UID per message, in order, when the server has UIDPLUS.
    pub uids: Option<(u32, Vec<u32>)>,
}

pub(crate) static TAGS: AtomicU64 = AtomicU64::new(1);

fn quoted(raw: &str) -> String {
    let mut s = String::with_capacity(raw.len() + 2);
    s.push('"');
    for c in raw.chars() {
        if c == '"' || c == '\\' {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('"');
    s
}

fn message_prefix(m: &OutMessage<'_>, literal_plus: bool) -> String {
    let mut s = String::new();
    s.push_str(" (");
    s.push_str(&m.flags.join(" "));
    s.push(')');
    if let Some(d) = m.internaldate {
        s.push_str(" \"");
        s.push_str(d);
        s.push('"');
    }
    s.push_str(&format!(
        " {{{}{}}}\r\n",
        m.body.len(),
        if literal_plus { "+" } else { "" }
    ));
    s
}

impl Conn {
    /// Append `msgs` to mailbox `raw` in one command (several only when the
    /// server has MULTIAPPEND). All or nothing: on error nothing was added.
    pub async fn append_batch(
        &mut self,
        raw: &str,
        msgs: &[OutMessage<'_>],
    ) -> Result<Appended, ImapError> {
        assert!(!msgs.is_empty(), "append_batch needs at least one message");
        assert!(
            msgs.len() == 1 || self.caps.multiappend,
            "several messages in one APPEND need MULTIAPPEND"
        );
        let what = format!("APPEND to {raw:?}");
        if raw.contains(['\r', '\n']) {
            return Err(ImapError::Refusal {
                side: self.side,
                what,
                reason: "mailbox name contains a line break".into(),
            });
        }
        let bytes: usize = msgs.iter().map(|m| m.body.len()).sum();
        // Generous: the command timeout plus one second per 256 KiB sent.
        let limit = self.timeouts.command + Duration::from_secs((bytes / (256 * 1024)) as u64);
        let tag = format!("MS{}", TAGS.fetch_add(1, Ordering::Relaxed));
        match tokio::time::timeout(limit, self.append_exchange(&tag, raw, msgs)).await {
            Err(_) => Err(self.timeout_error(&what)),
            Ok(Err(AppendFailure::Io(reason))) => {
                self.broken = true;
                Err(ImapError::Lost {
                    side: self.side,
                    what,
                    reason,
                })
            }
            Ok(Err(AppendFailure::Refused(reason))) => {
                if mailshift_net::classify(&reason) == mailshift_net::ReplyKind::OverQuota {
                    Err(ImapError::OverQuota {
                        side: self.side,
                        what,
                        reason,
                    })
                } else {
                    Err(ImapError::Refusal {
                        side: self.side,
                        what,
                        reason,
                    })
                }
            }
            Ok(Ok(a)) => Ok(a),
        }
    }

    /// Without MULTIAPPEND but with LITERAL+: send one APPEND per message
    /// back to back, then read every answer. Each message gets its own
    /// outcome (`Err(reason)` when refused). A connection-level failure is
    /// an `Err` for the whole call: which messages landed is then unknown.
    pub async fn append_pipelined(
        &mut self,
        raw: &str,
        msgs: &[OutMessage<'_>],
    ) -> Result<Vec<Result<Appended, String>>, ImapError> {
        assert!(self.caps.literal_plus, "pipelining needs LITERAL+");
        let what = format!("APPEND to {raw:?}");
        let bytes: usize = msgs.iter().map(|m| m.body.len()).sum();
        let limit = self.timeouts.command + Duration::from_secs((bytes / (256 * 1024)) as u64);
        let tags: Vec<String> = msgs
            .iter()
            .map(|_| format!("MS{}", TAGS.fetch_add(1, Ordering::Relaxed)))
            .collect();
        let exchange = async {
            for (tag, m) in tags.iter().zip(msgs) {
                let head = format!("{tag} APPEND {}{}", quoted(raw), message_prefix(m, true));
                let stream = self.session.get_mut();
                stream.write_all(head.as_bytes()).await?;
                stream.write_all(m.body).await?;
                stream.write_all(b"\r\n").await?;
            }
            self.session.get_mut().flush().await?;
            let mut out = Vec::with_capacity(tags.len());
            for tag in &tags {
                out.push(match self.await_tagged(tag, 1).await {
                    Ok(a) => Ok(a),
                    Err(AppendFailure::Refused(r)) => Err(r),
                    Err(io) => return Err(io),
                });
            }
            Ok(out)
        };
        match tokio::time::timeout(limit, exchange).await {
            Err(_) => Err(self.timeout_error(&what)),
            Ok(Err(AppendFailure::Io(reason) | AppendFailure::Refused(reason))) => {
                self.broken = true;
                Err(ImapError::Lost {
                    side: self.side,
                    what,
                    reason,
                })
            }
            Ok(Ok(v)) => Ok(v),
        }
    }

    async fn append_exchange(
        &mut self,
        tag: &str,
        raw: &str,
        msgs: &[OutMessage<'_>],
    ) -> Result<Appended, AppendFailure> {
        let literal_plus = self.caps.literal_plus;
        let mut head = format!("{tag} APPEND {}", quoted(raw));
        for (i, m) in msgs.iter().enumerate() {
            head.push_str(&message_prefix(m, literal_plus));
            let stream = self.session.get_mut();
            stream.write_all(head.as_bytes()).await?;
            if !literal_plus {
                stream.flush().await?;
                self.await_continuation(tag).await?;
            }
            let stream = self.session.get_mut();
            stream.write_all(msgs[i].body).await?;
            head.clear();
        }
        let stream = self.session.get_mut();
        stream.write_all(b"\r\n").await?;
        stream.flush().await?;
        self.await_tagged(tag, msgs.len()).await
    }

    async fn await_continuation(&mut self, tag: &str) -> Result<(), AppendFailure> {
        loop {
            let resp = self
                .session
                .read_response()
                .await?
                .ok_or_else(|| AppendFailure::Io("connection closed".into()))?;
            match resp.parsed() {
                Response::Continue(_) => return Ok(()),
                Response::Done {
                    tag: t, outcome, ..
                } if t.0 == tag => {
                    return Err(AppendFailure::Refused(
                        outcome
                            .information
                            .as_deref()
                            .unwrap_or("APPEND refused")
                            .to_string(),
                    ))
                }
                _ => continue,
            }
        }
    }

    async fn await_tagged(&mut self, tag: &str, count: usize) -> Result<Appended, AppendFailure> {
        loop {
            let resp = self
                .session
                .read_response()
                .await?
                .ok_or_else(|| AppendFailure::Io("connection closed".into()))?;
            let Response::Done {
                tag: t,
                status,
                outcome,
            } = resp.parsed()
            else {
                continue;
            };
            if t.0 != tag {
                continue;
            }
            return match status {
                imap_proto::Status::Ok => {
                    let uids = match &outcome.code {
                        Some(ResponseCode::AppendUid(uv, set)) => {
                            let uids = uidset::expand(set);
                            (uids.len() == count).then_some((*uv, uids))
                        }
                        _ => None,
                    };
                    Ok(Appended { uids })
                }
                _ => {
                    let info = outcome.information.as_deref().unwrap_or("").to_string();
                    let text = server_text(&info).unwrap_or(info);
                    Err(AppendFailure::Refused(if text.is_empty() {
                        "APPEND refused without a reason".into()
                    } else {
                        text
                    }))
                }
            };
        }
    }
}

enum AppendFailure {
    Io(String),
    Refused(String),
}

impl From<std::io::Error> for AppendFailure {
    fn from(e: std::io::Error) -> Self {
        AppendFailure::Io(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_literal_prefixes() {
        let flags = vec!["\\Seen".to_string(), "$Forwarded".to_string()];
        let m = OutMessage {
            body: b"abc",
            flags: &flags,
            internaldate: Some("01-Jan-2020 10:00:00 +0100"),
        };
        assert_eq!(
            message_prefix(&m, true),
            " (\\Seen $Forwarded) \"01-Jan-2020 10:00:00 +0100\" {3+}\r\n"
        );
        assert_eq!(quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}
