//! Removing messages again (rollback only): UID SEARCH, flag as \Deleted, and
//! expunge exactly those UIDs (UID EXPUNGE from UIDPLUS).

use futures::TryStreamExt;

use super::session::Conn;
use super::{uidset, ImapError};

impl Conn {
    /// `UID SEARCH query` in the selected mailbox, sorted. Read here rather than
    /// with async-imap's `uid_search`, which drops the tagged status: a server that
    /// refuses SEARCH (BAD/NO) would look like one that found nothing, and a
    /// rollback would then remove nothing and still report success.
    pub async fn uid_search(&mut self, query: &str) -> Result<Vec<u32>, ImapError> {
        use async_imap::imap_proto::{MailboxDatum, Response, Status};
        let what = format!("UID SEARCH {query}");
        let limit = self.timeouts.command;
        let session = &mut self.session;
        let outcome = tokio::time::timeout(limit, async {
            let id = session.run_command(&what).await?;
            let mut found = Vec::new();
            loop {
                let Some(resp) = session.read_response().await? else {
                    return Err(async_imap::error::Error::ConnectionLost);
                };
                match resp.parsed() {
                    Response::MailboxData(MailboxDatum::Search(uids)) => {
                        found.extend(uids.iter().copied())
                    }
                    Response::Done {
                        tag,
                        status,
                        outcome,
                    } if *tag == id => {
                        let text =
                            format!("code: {:?}, info: {:?}", outcome.code, outcome.information);
                        return match status {
                            Status::Ok => Ok(found),
                            Status::No => Err(async_imap::error::Error::No(text)),
                            _ => Err(async_imap::error::Error::Bad(text)),
                        };
                    }
                    _ => {}
                }
            }
        })
        .await;
        match outcome {
            Err(_) => Err(self.timeout_error(&what)),
            Ok(Err(e)) => Err(self.op_error(&what, e)),
            Ok(Ok(mut v)) => {
                v.sort_unstable();
                v.dedup();
                Ok(v)
            }
        }
    }

    /// Which of `uids` exist in the selected mailbox.
    pub async fn existing(&mut self, uids: &[u32]) -> Result<Vec<u32>, ImapError> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let found = self
            .uid_search(&format!("UID {}", uidset::format(uids)))
            .await?;
        // "UID n:m" may name UIDs outside the set when ranges were compressed.
        let wanted: std::collections::HashSet<u32> = uids.iter().copied().collect();
        Ok(found.into_iter().filter(|u| wanted.contains(u)).collect())
    }

    /// Add or remove `\Deleted` on `uids`.
    pub async fn mark_deleted(&mut self, uids: &[u32], deleted: bool) -> Result<(), ImapError> {
        if uids.is_empty() {
            return Ok(());
        }
        let sign = if deleted { '+' } else { '-' };
        self.simple(&format!(
            "UID STORE {} {sign}FLAGS.SILENT (\\Deleted)",
            uidset::format(uids)
        ))
        .await
    }

    /// `UID EXPUNGE set` (needs UIDPLUS): only these messages go.
    pub async fn uid_expunge(&mut self, uids: &[u32]) -> Result<(), ImapError> {
        if uids.is_empty() {
            return Ok(());
        }
        let set = uidset::format(uids);
        let what = format!("UID EXPUNGE {set}");
        let limit = self.timeouts.command;
        let res = tokio::time::timeout(limit, async {
            let gone: Vec<u32> = self.session.uid_expunge(&set).await?.try_collect().await?;
            Ok::<_, async_imap::error::Error>(gone)
        })
        .await;
        match res {
            Err(_) => Err(self.timeout_error(&what)),
            Ok(Err(e)) => Err(self.op_error(&what, e)),
            Ok(Ok(_)) => Ok(()),
        }
    }

    /// Plain `EXPUNGE`: removes every `\Deleted` message of the mailbox.
    pub async fn expunge_all(&mut self) -> Result<(), ImapError> {
        let limit = self.timeouts.command;
        let res = tokio::time::timeout(limit, async {
            let gone: Vec<u32> = self.session.expunge().await?.try_collect().await?;
            Ok::<_, async_imap::error::Error>(gone)
        })
        .await;
        match res {
            Err(_) => Err(self.timeout_error("EXPUNGE")),
            Ok(Err(e)) => Err(self.op_error("EXPUNGE", e)),
            Ok(Ok(_)) => Ok(()),
        }
    }
}
