//! Keeping the session's view of the selected folder in step with the store (EXISTS,
//! EXPUNGE), and IDLE.

use imap_next::imap_types::core::Tag;
use imap_next::imap_types::response::{CommandContinuationRequest, Data};
use imap_next::server::Server;

use super::convert::nz;
use super::reply::{status_bad, status_no, status_ok};
use super::Session;

impl Session {
    /// Brings the session's view up to date with the store: EXPUNGE for
    /// messages gone (only when `allow_expunge`), EXISTS for new ones.
    pub fn sync(&mut self, server: &mut Server, allow_expunge: bool) {
        let Some(login) = self.login.clone() else {
            return;
        };
        let Some(sel) = self.selected.as_mut() else {
            return;
        };
        let Ok(snap) = self.shared.store.snapshot(&login, &sel.folder) else {
            return;
        };
        if snap.uid_validity != sel.uid_validity {
            // The folder was replaced under us: nothing in the view is valid.
            server.enqueue_status(status_no(
                None,
                None,
                "the selected folder was deleted or replaced: select it again",
            ));
            self.selected = None;
            return;
        }
        let current: Vec<u32> = snap.messages.iter().map(|m| m.uid).collect();
        if allow_expunge {
            let mut i = 0;
            while i < sel.uids.len() {
                if current.binary_search(&sel.uids[i]).is_err() {
                    sel.uids.remove(i);
                    server.enqueue_data(Data::Expunge(nz(i as u32 + 1)));
                } else {
                    i += 1;
                }
            }
        }
        let last = sel.uids.last().copied().unwrap_or(0);
        let before = sel.uids.len();
        sel.uids
            .extend(current.iter().copied().filter(|&u| u > last));
        if sel.uids.len() != before {
            server.enqueue_data(Data::Exists(sel.uids.len() as u32));
        }
    }

    pub fn idle_start(&mut self, server: &mut Server, tag: Tag<'static>) {
        if self.login.is_none() {
            let _ = server.idle_reject(status_bad(
                Some(tag),
                "log in first (LOGIN or AUTHENTICATE PLAIN)",
            ));
            return;
        }
        if server
            .idle_accept(CommandContinuationRequest::basic(None, "idling").expect("valid text"))
            .is_ok()
        {
            self.idle_tag = Some(tag);
            self.sync(server, true);
        }
    }

    pub fn idle_done(&mut self, server: &mut Server) {
        if let Some(tag) = self.idle_tag.take() {
            server.enqueue_status(status_ok(Some(tag), None, "IDLE terminated"));
        }
    }
}
