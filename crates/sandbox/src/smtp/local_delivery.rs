//! Where the sandbox relay puts mail: a sandbox account's INBOX (any platform, the
//! first in panel order holding it), or, for any address outside the sandbox's
//! domains, the INBOX of the third-party notifications mailbox.

use std::sync::Arc;

use super::Mailbox;
use crate::{MailStore, StoreError};

/// The sandbox's mail stores seen as one SMTP destination.
pub(crate) struct LocalDelivery {
    /// Every platform's store, in panel order.
    pub stores: Vec<Arc<MailStore>>,
    /// The store and login of the mailbox that collects third-party mail.
    pub notifications: (Arc<MailStore>, String),
}

impl LocalDelivery {
    fn holder(&self, login: &str) -> Option<&MailStore> {
        self.stores
            .iter()
            .find(|s| s.account_exists(login))
            .map(Arc::as_ref)
    }

    /// Whether some sandbox account lives at `domain` (then unknown users there bounce).
    fn serves_domain(&self, domain: &str) -> bool {
        let suffix = format!("@{domain}");
        self.stores.iter().any(|s| {
            s.accounts()
                .map(|all| all.iter().any(|a| a.ends_with(&suffix)))
                .unwrap_or(false)
        })
    }
}

impl Mailbox for LocalDelivery {
    fn accepts(&self, rcpt: &str) -> Result<(), String> {
        let login = rcpt.to_ascii_lowercase();
        if self.holder(&login).is_some() {
            return Ok(());
        }
        let domain = login.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
        if self.serves_domain(domain) {
            return Err(format!(
                "no sandbox mailbox {login} (create the account first)"
            ));
        }
        Ok(())
    }

    fn deliver(&self, rcpt: &str, raw: &[u8]) -> Result<(), String> {
        let login = rcpt.to_ascii_lowercase();
        let (store, login) = match self.holder(&login) {
            Some(store) => (store, login.as_str()),
            None => (self.notifications.0.as_ref(), self.notifications.1.as_str()),
        };
        store
            .append(login, "INBOX", raw, &[], None)
            .map(|_| ())
            .map_err(|e| match e {
                // A fault of the sandbox: the details (with file paths) go to the log.
                StoreError::Io { .. } | StoreError::CorruptIndex { .. } => {
                    tracing::error!(error = %e, "sandbox SMTP delivery failed");
                    "the sandbox could not store the message (its log has the details)".to_string()
                }
                other => other.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_accounts_get_their_mail_and_strangers_go_to_notifications() {
        let dir = tempfile::tempdir().unwrap();
        let a = Arc::new(MailStore::open(dir.path().join("a")).unwrap());
        let b = Arc::new(MailStore::open(dir.path().join("b")).unwrap());
        a.create_account("notifications@sandbox.invalid").unwrap();
        b.create_account("john@example.com").unwrap();
        let d = LocalDelivery {
            stores: vec![a.clone(), b.clone()],
            notifications: (a.clone(), "notifications@sandbox.invalid".into()),
        };
        assert!(d.accepts("John@Example.com").is_ok());
        let err = d.accepts("nobody@example.com").unwrap_err();
        assert!(err.contains("nobody@example.com"), "{err}");
        assert!(d.accepts("ops@third-party.org").is_ok());

        d.deliver("John@Example.com", b"Subject: one\r\n\r\nx\r\n")
            .unwrap();
        d.deliver("ops@third-party.org", b"Subject: two\r\n\r\ny\r\n")
            .unwrap();
        assert_eq!(b.status("john@example.com", "INBOX").unwrap().messages, 1);
        assert_eq!(
            a.read_message("notifications@sandbox.invalid", "INBOX", 1)
                .unwrap(),
            b"Subject: two\r\n\r\ny\r\n"
        );
        assert!(
            d.deliver("x@y.z", b"a\0b").is_err(),
            "store errors come back"
        );
    }
}
