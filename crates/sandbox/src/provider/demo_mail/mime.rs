//! Building one RFC 5322 message as bytes: headers (non-ASCII words encoded per RFC 2047),
//! a UTF-8 text body, and optionally a small base64 attachment in a multipart/mixed.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, FixedOffset};

/// A mailbox as written in a header: `Name <address>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub name: String,
    pub address: String,
}

/// A small attached file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// What a message says; [`Letter::to_bytes`] writes it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    pub subject: String,
    pub date: DateTime<FixedOffset>,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub body: String,
    pub attachment: Option<Attachment>,
    /// Unique per message: used for the multipart boundary.
    pub boundary_seed: String,
}

/// `text` as is when it is ASCII, else RFC 2047 B-encoded words (each under 76 chars).
pub fn encode_words(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(chunk);
    }
    words
        .iter()
        .map(|w| format!("=?UTF-8?B?{}?=", STANDARD.encode(w.as_bytes())))
        .collect::<Vec<_>>()
        .join("\r\n ")
}

fn mailbox(m: &Mailbox) -> String {
    if m.name.is_empty() {
        return format!("<{}>", m.address);
    }
    let name = if m.name.is_ascii() {
        let plain = m
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " !#$%&'*+-/=?^_`{|}~".contains(c));
        if plain {
            m.name.clone()
        } else {
            format!("\"{}\"", m.name.replace('\\', "\\\\").replace('"', "\\\""))
        }
    } else {
        encode_words(&m.name)
    };
    format!("{name} <{}>", m.address)
}

/// `text` with bare `\n` turned into CRLF.
fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

impl Letter {
    /// The message as it is stored (CRLF line ends, no NUL).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut h = String::new();
        h.push_str(&format!("From: {}\r\n", mailbox(&self.from)));
        let to: Vec<String> = self.to.iter().map(mailbox).collect();
        h.push_str(&format!("To: {}\r\n", to.join(",\r\n ")));
        h.push_str(&format!("Subject: {}\r\n", encode_words(&self.subject)));
        h.push_str(&format!("Date: {}\r\n", self.date.to_rfc2822()));
        h.push_str(&format!("Message-ID: {}\r\n", self.message_id));
        if let Some(parent) = &self.in_reply_to {
            h.push_str(&format!(
                "In-Reply-To: {parent}\r\nReferences: {parent}\r\n"
            ));
        }
        h.push_str("MIME-Version: 1.0\r\n");
        let text_headers =
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n";
        let body = crlf(&self.body);
        match &self.attachment {
            None => {
                h.push_str(text_headers);
                h.push_str("\r\n");
                h.push_str(&body);
            }
            Some(a) => {
                let boundary = format!("=_mailshift_{}", self.boundary_seed);
                h.push_str(&format!(
                    "Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n"
                ));
                h.push_str("This is a multi-part message in MIME format.\r\n");
                h.push_str(&format!("--{boundary}\r\n{text_headers}\r\n{body}\r\n"));
                let name = encode_words(&a.name);
                h.push_str(&format!(
                    "--{boundary}\r\nContent-Type: {}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
                    a.content_type
                ));
                let encoded = STANDARD.encode(&a.content);
                for line in encoded.as_bytes().chunks(76) {
                    h.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
                    h.push_str("\r\n");
                }
                h.push_str(&format!("--{boundary}--\r\n"));
            }
        }
        h.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter() -> Letter {
        Letter {
            from: Mailbox {
                name: "Jérôme Lefèvre".into(),
                address: "j@example.net".into(),
            },
            to: vec![Mailbox {
                name: "Sarah O'Connor".into(),
                address: "s@example.com".into(),
            }],
            subject: "Réunion de lancement du projet, avec un sujet assez long pour deux mots"
                .into(),
            date: DateTime::parse_from_rfc3339("2024-03-12T09:30:00+01:00").unwrap(),
            message_id: "<1@example.net>".into(),
            in_reply_to: None,
            body: "Bonjour,\nçà et là.\n".into(),
            attachment: None,
            boundary_seed: "x1".into(),
        }
    }

    #[test]
    fn headers_are_ascii_and_encoded_words_decode_back() {
        let bytes = letter().to_bytes();
        let text = String::from_utf8(bytes).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.is_ascii(), "{head}");
        assert!(head.contains("Date: Tue, 12 Mar 2024 09:30:00 +0100"));
        assert!(head.contains("To: Sarah O'Connor <s@example.com>"));
        assert_eq!(body, "Bonjour,\r\nçà et là.\r\n");
        let subject: String = head
            .split("Subject: ")
            .nth(1)
            .unwrap()
            .split("\r\nDate")
            .next()
            .unwrap()
            .split("\r\n ")
            .map(|w| {
                assert!(w.len() <= 75, "{w}");
                let b64 = w
                    .strip_prefix("=?UTF-8?B?")
                    .unwrap()
                    .strip_suffix("?=")
                    .unwrap();
                String::from_utf8(STANDARD.decode(b64).unwrap()).unwrap()
            })
            .collect();
        assert_eq!(subject, letter().subject);
    }

    #[test]
    fn attachments_make_a_multipart_message() {
        let mut l = letter();
        l.attachment = Some(Attachment {
            name: "budget.csv".into(),
            content_type: "text/csv".into(),
            content: "a;b\n1;2\n".repeat(20).into_bytes(),
        });
        let text = String::from_utf8(l.to_bytes()).unwrap();
        assert!(text.contains("multipart/mixed; boundary=\"=_mailshift_x1\""));
        assert!(text.contains("filename=\"budget.csv\""));
        assert!(text.ends_with("--=_mailshift_x1--\r\n"));
        assert!(text.lines().all(|l| l.len() <= 998));
        assert!(!text.contains('\0'));
    }
}
