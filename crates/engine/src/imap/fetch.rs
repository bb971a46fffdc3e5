//! Reading messages from the selected mailbox: UID/size listings, header
//! fingerprints, and whole messages with their flags and INTERNALDATE.

use std::collections::HashSet;

use async_imap::types::{Fetch, Flag};
use futures::TryStreamExt;
use sha2::{Digest, Sha256};

use super::error::ImapError;
use super::session::Conn;
use super::uidset;

/// A message fetched for copying. The bytes live once, inside the FETCH response.
#[derive(Debug)]
pub struct FetchedMessage {
    pub uid: u32,
    pub flags: Vec<String>,
    /// RFC 3501 `date-time`, ready for APPEND.
    pub internaldate: Option<String>,
    fetch: Fetch,
}

impl FetchedMessage {
    pub fn body(&self) -> &[u8] {
        self.fetch.body().unwrap_or_default()
    }
}

/// A message by UID with the size its server advertised (RFC822.SIZE):
/// good for planning batches, never trusted as the real byte count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageRef {
    pub uid: u32,
    pub size: u32,
}

/// The SHA-256 of a message's bytes as a server serves them, and their length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyDigest {
    pub uid: u32,
    pub sha256: [u8; 32],
    pub len: u64,
}

/// UID, size and the few headers that identify a message.
#[derive(Debug, Clone)]
pub struct HeaderFacts {
    pub uid: u32,
    pub size: u32,
    pub header: Vec<u8>,
}

pub(crate) fn flag_text(f: &Flag<'_>) -> Option<String> {
    Some(match f {
        Flag::Seen => "\\Seen".into(),
        Flag::Answered => "\\Answered".into(),
        Flag::Flagged => "\\Flagged".into(),
        Flag::Deleted => "\\Deleted".into(),
        Flag::Draft => "\\Draft".into(),
        Flag::Recent | Flag::MayCreate => return None,
        Flag::Custom(c) => {
            let c = c.as_ref();
            // Only atoms may be sent back in APPEND; drop anything else.
            // Unknown system flags (`\\Foo`) cannot be APPENDed either.
            let atom = !c.is_empty()
                && c.bytes()
                    .all(|b| b.is_ascii_graphic() && !b"(){%*\"\\]".contains(&b));
            if !atom {
                return None;
            }
            c.to_string()
        }
    })
}

/// Answers a FETCH of `asked` UIDs may honestly bring: each once, plus
/// untagged FETCHes a server may add (flag updates of other messages).
fn answers_bound(asked: usize) -> usize {
    asked * 2 + 1000
}

impl Conn {
    /// A listing of the selected mailbox: its EXISTS plus room for mail
    /// arriving meanwhile.
    fn listing_bound(&self) -> usize {
        self.selected_exists as usize * 2 + 10_000
    }

    /// Run a UID FETCH and turn each response into `T` as it arrives: every
    /// response owns a buffer of at least 4 KiB, so holding thousands of
    /// them (a UID/size listing of a big folder) would cost megabytes.
    /// At most `max_answers` FETCH responses are read: a server that keeps
    /// answering is cut off (and the session dropped), never followed.
    async fn fetch_each<T>(
        &mut self,
        set: &str,
        query: &str,
        max_answers: usize,
        mut keep: impl FnMut(Fetch) -> Option<T>,
    ) -> Result<Vec<T>, ImapError> {
        let what = format!("UID FETCH {query}");
        let limit = self.timeouts.command;
        let session = &mut self.session;
        // None = timed out; Some(e) = failed.
        let outcome: Result<Result<Vec<T>, usize>, Option<async_imap::error::Error>> = async {
            let mut stream = match tokio::time::timeout(limit, session.uid_fetch(set, query)).await
            {
                Err(_) => return Err(None),
                Ok(Err(e)) => return Err(Some(e)),
                Ok(Ok(s)) => s,
            };
            let mut out = Vec::new();
            let mut answers = 0usize;
            loop {
                match tokio::time::timeout(limit, stream.try_next()).await {
                    Err(_) => return Err(None),
                    Ok(Err(e)) => return Err(Some(e)),
                    Ok(Ok(None)) => return Ok(Ok(out)),
                    Ok(Ok(Some(f))) => {
                        answers += 1;
                        if answers > max_answers {
                            return Ok(Err(answers));
                        }
                        out.extend(keep(f))
                    }
                }
            }
        }
        .await;
        match outcome {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(n)) => {
                self.broken = true;
                Err(ImapError::Refusal {
                    side: self.side,
                    what: what.clone(),
                    reason: format!(
                        "the server sent more than {} answers where at most {max_answers} were possible; mailshift stops there",
                        n - 1
                    ),
                })
            }
            Err(None) => Err(self.timeout_error(&what)),
            Err(Some(e)) => Err(self.op_error(&what, e)),
        }
    }

    /// UID and RFC822.SIZE of every message in the selected mailbox.
    pub async fn uid_sizes(&mut self) -> Result<Vec<MessageRef>, ImapError> {
        let mut v = self
            .fetch_each("1:*", "(UID RFC822.SIZE)", self.listing_bound(), |f| {
                Some(MessageRef {
                    uid: f.uid?,
                    size: f.size.unwrap_or(0),
                })
            })
            .await?;
        v.sort_unstable();
        v.dedup_by_key(|p| p.uid);
        Ok(v)
    }

    /// Identifying headers of the given UIDs (all when `None`).
    pub async fn header_facts(
        &mut self,
        uids: Option<&[u32]>,
    ) -> Result<Vec<HeaderFacts>, ImapError> {
        let set = match uids {
            Some([]) => return Ok(Vec::new()),
            Some(u) => uidset::format(u),
            None => "1:*".to_string(),
        };
        let asked: Option<HashSet<u32>> = uids.map(|u| u.iter().copied().collect());
        let mut out = self
            .fetch_each(
                &set,
                "(UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE FROM TO SUBJECT)])",
                uids.map_or_else(|| self.listing_bound(), |u| answers_bound(u.len())),
                |f| {
                    let uid = f.uid?;
                    // A server may answer UIDs we did not ask for: never use them.
                    if asked.as_ref().is_some_and(|a| !a.contains(&uid)) {
                        return None;
                    }
                    Some(HeaderFacts {
                        uid,
                        size: f.size.unwrap_or(0),
                        header: f.header().unwrap_or_default().to_vec(),
                    })
                },
            )
            .await?;
        out.sort_by_key(|f| f.uid);
        out.dedup_by_key(|f| f.uid);
        Ok(out)
    }

    /// FETCH of exactly `uids`: a server may answer UIDs we did not ask for,
    /// which are never used; each UID once, in order.
    async fn fetch_asked<T>(
        &mut self,
        uids: &[u32],
        query: &str,
        mut make: impl FnMut(u32, Fetch) -> Option<T>,
        uid_of: fn(&T) -> u32,
    ) -> Result<Vec<T>, ImapError> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let asked: HashSet<u32> = uids.iter().copied().collect();
        let mut out = self
            .fetch_each(
                &uidset::format(uids),
                query,
                answers_bound(uids.len()),
                |f| {
                    let uid = f.uid?;
                    asked.contains(&uid).then(|| make(uid, f)).flatten()
                },
            )
            .await?;
        out.sort_by_key(uid_of);
        out.dedup_by_key(|t| uid_of(t));
        Ok(out)
    }

    /// Whole messages (BODY.PEEK[]: the source's \Seen is never touched).
    /// Messages that vanished meanwhile are simply absent from the result.
    pub async fn fetch_messages(&mut self, uids: &[u32]) -> Result<Vec<FetchedMessage>, ImapError> {
        self.fetch_asked(
            uids,
            "(UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])",
            |uid, f| {
                f.body()?;
                let flags = f.flags().filter_map(|fl| flag_text(&fl)).collect();
                let internaldate = f
                    .internal_date()
                    .map(|d| d.format("%d-%b-%Y %H:%M:%S %z").to_string());
                Some(FetchedMessage {
                    uid,
                    flags,
                    internaldate,
                    fetch: f,
                })
            },
            |m| m.uid,
        )
        .await
    }

    /// `fetch_messages` bringing at most `allowed` bytes of message data:
    /// an answer announcing more is refused before it is read (the session
    /// is dropped) and `take_refused` says how much it wanted.
    pub async fn fetch_messages_within(
        &mut self,
        uids: &[u32],
        allowed: u64,
    ) -> Result<Vec<FetchedMessage>, ImapError> {
        self.limit.allow(allowed);
        let r = self.fetch_messages(uids).await;
        self.limit.clear();
        r
    }

    /// The bytes the last refused answer wanted (once; None: none refused).
    pub fn take_refused(&self) -> Option<u64> {
        self.limit.take_refused()
    }

    /// SHA-256 and length of the given messages' bytes, computed as they
    /// stream in (the bytes are dropped at once). Only requested UIDs count.
    pub async fn body_digests(&mut self, uids: &[u32]) -> Result<Vec<BodyDigest>, ImapError> {
        self.fetch_asked(
            uids,
            "(UID BODY.PEEK[])",
            |uid, f| {
                let body = f.body()?;
                Some(BodyDigest {
                    uid,
                    sha256: Sha256::digest(body).into(),
                    len: body.len() as u64,
                })
            },
            |d| d.uid,
        )
        .await
    }
}
