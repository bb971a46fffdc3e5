//! Removing messages again (rollback only): UID SEARCH, flag as \Deleted, and
//! expunge exactly those UIDs (UID EXPUNGE from UIDPLUS).

use futures::TryStreamExt;

use super::session::Conn;
use super::{uidset, ImapError};

impl Conn {
    /// `UID SEARCH query` in the selected mailbox, sorted.
    pub async fn uid_search(&mut self, query: &str) -> Result<Vec<u32>, ImapError> {
        let what = format!("UID SEARCH {query}");
        let limit = self.timeouts.command;
        match tokio::time::timeout(limit, self.session.uid_search(query)).await {
            Err(_) => Err(self.timeout_error(&what)),
            Ok(Err(e)) => Err(self.op_error(&what, e)),
            Ok(Ok(set)) => {
                let mut v: Vec<u32> = set.into_iter().collect();
                v.sort_unstable();
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
