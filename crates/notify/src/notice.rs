//! The notification itself (recipient, subject, text) and the RFC 5322 message built
//! from it: plain UTF-8 text, Date, Message-ID and `Auto-Submitted: auto-generated`.

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::Message;

use mailshift_net::check_address;

use crate::NotifyError;

/// One e-mail to one third-party address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub to: String,
    pub subject: String,
    pub text: String,
}

impl Notice {
    /// The message bytes as sent after DATA (before dot-stuffing).
    pub(crate) fn to_bytes(&self, from: &str) -> Result<Vec<u8>, NotifyError> {
        let from_addr = check_address(from).map_err(|e| NotifyError::BadSender {
            address: from.to_string(),
            reason: e.reason,
        })?;
        let to_addr = check_address(&self.to)?;
        let message_id = format!(
            "<mailshift.{:016x}{:016x}@{}>",
            rand::random::<u64>(),
            rand::random::<u64>(),
            from_addr.domain()
        );
        Message::builder()
            .from(Mailbox::new(None, from_addr))
            .to(Mailbox::new(None, to_addr))
            .subject(one_line(&self.subject))
            .date_now()
            .message_id(Some(message_id))
            .header(AutoSubmitted)
            .header(ContentType::TEXT_PLAIN)
            .body(self.text.clone())
            .map(|m| m.formatted())
            .map_err(|e| NotifyError::Compose {
                reason: e.to_string(),
            })
    }
}

/// A subject on one line: CR and LF would end the header early.
fn one_line(s: &str) -> String {
    s.split(['\r', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// RFC 3834: a machine wrote this; auto-responders must not answer it.
#[derive(Debug, Clone, Copy)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice() -> Notice {
        Notice {
            to: "ops@example.org".into(),
            subject: "Migration terminée\r\nBcc: evil@x.y".into(),
            text: "Tâche 42 : 1 203 messages copiés.\n".into(),
        }
    }

    #[test]
    fn the_message_carries_the_required_headers() {
        let bytes = notice().to_bytes("mailshift@example.net").unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let (head, _) = text.split_once("\r\n\r\n").unwrap();
        for h in [
            "From: mailshift@example.net\r\n",
            "To: ops@example.org\r\n",
            "Auto-Submitted: auto-generated\r\n",
            "Content-Type: text/plain; charset=utf-8\r\n",
        ] {
            assert!(head.contains(h), "{h:?} missing in\n{head}");
        }
        assert!(head.contains("\r\nDate: "), "{head}");
        assert!(head.contains("Message-ID: <mailshift."), "{head}");
        assert!(head.contains("@example.net>"), "{head}");
        assert!(
            !head.contains("\r\nBcc:"),
            "a subject cannot inject headers:\n{head}"
        );
        assert!(head.contains("Subject: "), "{head}");
    }

    #[test]
    fn bad_sender_and_recipient_are_named() {
        let err = notice().to_bytes("not-an-address").unwrap_err();
        assert!(matches!(err, NotifyError::BadSender { .. }), "{err}");
        let mut n = notice();
        n.to = "foo".into();
        let err = n.to_bytes("a@b.c").unwrap_err().to_string();
        assert!(err.starts_with("'foo' is not an e-mail address"), "{err}");
    }

    #[test]
    fn subjects_are_folded_to_one_line() {
        assert_eq!(one_line(" a\r\n b \n\nc "), "a b c");
    }
}
