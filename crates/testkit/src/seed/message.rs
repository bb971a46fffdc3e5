//! Generates realistic RFC 5322 messages (CRLF, MIME, encoded headers, attachments).

use base64::Engine as _;

use super::SeedRng;
use crate::oracle::date::format_rfc5322;

const WORDS: &[&str] = &[
    "meeting",
    "invoice",
    "project",
    "budget",
    "deadline",
    "report",
    "quarterly",
    "review",
    "migration",
    "mailbox",
    "server",
    "the",
    "and",
    "please",
    "find",
    "attached",
    "regards",
    "thanks",
    "schedule",
    "update",
    "réunion",
    "équipe",
    "déjà",
    "façade",
    "naïve",
    "Größe",
    "προθεσμία",
    "συνάντηση",
    "会議",
    "資料",
    "確認",
    "contract",
    "signature",
    "delivery",
    "shipment",
];
const PEOPLE: &[(&str, &str)] = &[
    ("Alice Martin", "alice@example.test"),
    ("Élodie Dupré", "elodie@societe.example"),
    ("Bob Smith", "bob@example.test"),
    ("Γιώργος Παπαδόπουλος", "giorgos@example.gr"),
    ("山田太郎", "taro@example.jp"),
    ("Support", "support@vendor.example"),
    ("François Lefèvre", "francois@example.fr"),
];
const SUBJECTS: &[&str] = &[
    "Quarterly report",
    "Réunion de lundi",
    "Invoice #2023-114",
    "Συνάντηση την Τρίτη",
    "会議の資料",
    "Re: project timeline",
    "Fwd: contract draft",
    "Projets & idées pour 2024",
    "Lunch?",
];

/// A valid RFC 5322 message of roughly `size_hint` bytes, dated `unix_date` in the given
/// offset (minutes east of UTC). Large sizes carry a base64 attachment.
pub fn generate_message(
    rng: &mut SeedRng,
    size_hint: usize,
    unix_date: i64,
    offset_minutes: i32,
) -> Vec<u8> {
    let from = *rng.pick(PEOPLE);
    let to = *rng.pick(PEOPLE);
    let subject = *rng.pick(SUBJECTS);
    let token = format!("{:016x}", rng.next_u64());
    let mut h = String::new();
    h.push_str(&format!("From: {}\r\n", address(from)));
    h.push_str(&format!("To: {}\r\n", address(to)));
    if rng.percent(25) {
        h.push_str(&format!("Cc: {}\r\n", address(*rng.pick(PEOPLE))));
    }
    h.push_str(&format!("Subject: {}\r\n", header_text(subject)));
    h.push_str(&format!(
        "Date: {}\r\n",
        format_rfc5322(unix_date, offset_minutes)
    ));
    if !rng.percent(10) {
        h.push_str(&format!(
            "Message-ID: <{token}.{}@{}>\r\n",
            unix_date,
            domain(from.1)
        ));
    }
    h.push_str("MIME-Version: 1.0\r\n");

    let budget = size_hint.saturating_sub(h.len() + 200).max(80);
    let mut body = Vec::new();
    if size_hint > 24 * 1024 {
        let boundary = format!("=_mixed_{token}");
        let text_len = budget.min(3000) / 2;
        let attach_raw = (budget.saturating_sub(text_len + 300)) * 3 / 4;
        h.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n"
        ));
        body.extend_from_slice(b"This is a multi-part message in MIME format.\r\n\r\n");
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        body.extend_from_slice(
            b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
        );
        body.extend_from_slice(text(rng, text_len, &token).as_bytes());
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let name = format!("document-{}.pdf", &token[..6]);
        body.extend_from_slice(
            format!(
                "Content-Type: application/pdf; name=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\
                 Content-Disposition: attachment; filename=\"{name}\"\r\n\r\n"
            )
            .as_bytes(),
        );
        let mut raw = vec![0u8; attach_raw];
        rng.fill(&mut raw);
        let encoded = base64::engine::general_purpose::STANDARD.encode(&raw);
        for line in encoded.as_bytes().chunks(76) {
            body.extend_from_slice(line);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    } else if size_hint > 6 * 1024 && rng.percent(60) {
        let boundary = format!("=_alt_{token}");
        h.push_str(&format!(
            "Content-Type: multipart/alternative; boundary=\"{boundary}\"\r\n"
        ));
        let plain = text(rng, budget / 3, &token);
        let html = format!(
            "<html><body><p>{}</p></body></html>\r\n",
            text(rng, budget.saturating_sub(plain.len()) / 2, &token).replace("\r\n", "<br>\r\n")
        );
        for (ctype, part) in [("text/plain", plain), ("text/html", html)] {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            body.extend_from_slice(
                format!("Content-Type: {ctype}; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(part.as_bytes());
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    } else {
        h.push_str(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n",
        );
        body.extend_from_slice(text(rng, budget, &token).as_bytes());
    }
    let mut out = h.into_bytes();
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&body);
    out
}

fn address((name, email): (&str, &str)) -> String {
    format!("{} <{email}>", header_text(name))
}

fn domain(email: &str) -> &str {
    email.split_once('@').map_or("example.test", |(_, d)| d)
}

/// Non-ASCII header text as an RFC 2047 encoded word.
fn header_text(s: &str) -> String {
    if s.is_ascii() {
        s.to_string()
    } else {
        format!(
            "=?UTF-8?B?{}?=",
            base64::engine::general_purpose::STANDARD.encode(s)
        )
    }
}

/// Lines of words wrapped at ~72 columns, about `len` bytes, ending with a reference line.
fn text(rng: &mut SeedRng, len: usize, token: &str) -> String {
    let mut out = String::with_capacity(len + 100);
    let mut line = String::new();
    while out.len() + line.len() < len {
        let w = *rng.pick(WORDS);
        if line.len() + w.len() > 72 {
            out.push_str(&line);
            out.push_str("\r\n");
            line.clear();
            if rng.percent(12) {
                out.push_str("\r\n");
            }
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(w);
    }
    out.push_str(&line);
    out.push_str(&format!("\r\n\r\nRef: {token}\r\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_block(msg: &[u8]) -> String {
        let text = String::from_utf8_lossy(msg);
        text.split("\r\n\r\n").next().unwrap().to_string()
    }

    #[test]
    fn messages_are_crlf_only_and_sized() {
        let mut rng = SeedRng::new(7);
        for size in [300usize, 5_000, 12_000, 100_000, 2_000_000] {
            let msg = generate_message(&mut rng, size, 1_700_000_000, 60);
            for (i, b) in msg.iter().enumerate() {
                if *b == b'\n' {
                    assert_eq!(msg[i - 1], b'\r', "bare LF at {i} in a {size}-byte message");
                }
            }
            assert!(
                msg.len() >= size / 2 && msg.len() <= size * 2 + 600,
                "{size} -> {}",
                msg.len()
            );
            assert!(header_block(&msg).contains("Date: Tue, 14 Nov 2023 23:13:20 +0100"));
            assert!(msg.ends_with(b"\r\n"));
        }
    }

    #[test]
    fn headers_are_ascii_with_encoded_words() {
        let mut rng = SeedRng::new(3);
        let mut saw_encoded = false;
        for _ in 0..50 {
            let msg = generate_message(&mut rng, 2_000, 1_600_000_000, 0);
            let head = header_block(&msg);
            assert!(head.is_ascii(), "{head}");
            saw_encoded |= head.contains("=?UTF-8?B?");
        }
        assert!(saw_encoded);
    }

    #[test]
    fn large_messages_have_a_base64_attachment() {
        let mut rng = SeedRng::new(9);
        let msg = generate_message(&mut rng, 200_000, 1_600_000_000, 0);
        let text = String::from_utf8_lossy(&msg);
        assert!(text.contains("multipart/mixed"));
        assert!(text.contains("Content-Transfer-Encoding: base64"));
        assert!(text.contains("Content-Disposition: attachment"));
    }

    #[test]
    fn same_seed_same_bytes() {
        let a = generate_message(&mut SeedRng::new(5), 9_000, 1, 0);
        let b = generate_message(&mut SeedRng::new(5), 9_000, 1, 0);
        let c = generate_message(&mut SeedRng::new(6), 9_000, 1, 0);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
