//! The demo mailboxes: the plan in `assets/demo/mail.toml` (accounts, folders, names,
//! subjects, bodies, attachments) and a seeded generator that turns it into the same
//! realistic messages, flags and dates every time.

mod mime;

use chrono::{DateTime, Duration, FixedOffset};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub use mime::{Attachment, Letter, Mailbox};

use super::SandboxError;

const MAIL_TOML: &str = include_str!("../../../../../assets/demo/mail.toml");
const FILE: &str = "mail.toml";

/// The whole plan, as written in the asset file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailPlan {
    latest: String,
    span_days: u32,
    attachment_percent: u32,
    #[serde(rename = "account")]
    pub accounts: Vec<AccountPlan>,
    #[serde(rename = "correspondent")]
    correspondents: Vec<Correspondent>,
    subjects: Vec<String>,
    openers: Vec<String>,
    paragraphs: Vec<String>,
    closings: Vec<String>,
    #[serde(rename = "attachment")]
    attachments: Vec<AttachmentSpec>,
}

/// One account's mailbox.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountPlan {
    pub address: String,
    pub messages: usize,
    #[serde(default)]
    pub folders: Vec<String>,
    /// The size the panel shows instead of the real mail's.
    #[serde(default)]
    pub simulated_used_bytes: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Correspondent {
    name: String,
    email: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachmentSpec {
    name: String,
    content_type: String,
    content: String,
}

/// One generated message and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoMessage {
    pub folder: String,
    pub bytes: Vec<u8>,
    pub flags: Vec<String>,
    pub date: DateTime<FixedOffset>,
}

fn bad(reason: String) -> SandboxError {
    SandboxError::DemoData { file: FILE, reason }
}

/// Folders every account gets messages in, besides its own, with their weights.
const STANDARD_FOLDERS: [(&str, u32); 6] = [
    ("INBOX", 40),
    ("Sent", 18),
    ("Drafts", 4),
    ("Trash", 6),
    ("Archive", 4),
    ("Junk", 2),
];
/// Weight shared by an account's own folders.
const OWN_FOLDERS_WEIGHT: u32 = 26;

impl MailPlan {
    /// The embedded plan, checked.
    pub fn load() -> Result<MailPlan, SandboxError> {
        let plan: MailPlan = toml::from_str(MAIL_TOML).map_err(|e| bad(e.to_string()))?;
        plan.latest()?;
        for (what, empty) in [
            ("correspondent", plan.correspondents.is_empty()),
            ("subjects", plan.subjects.is_empty()),
            ("openers", plan.openers.is_empty()),
            ("paragraphs", plan.paragraphs.is_empty()),
            ("closings", plan.closings.is_empty()),
        ] {
            if empty {
                return Err(bad(format!("{what} is empty: give at least one")));
            }
        }
        if plan.attachment_percent > 0 && plan.attachments.is_empty() {
            return Err(bad(
                "attachment_percent is set but no [[attachment]] is given".into(),
            ));
        }
        Ok(plan)
    }

    fn latest(&self) -> Result<DateTime<FixedOffset>, SandboxError> {
        DateTime::parse_from_rfc3339(&self.latest).map_err(|e| {
            bad(format!(
                "latest = {:?} is not an RFC 3339 date: {e}",
                self.latest
            ))
        })
    }

    /// The plan of `address`, if the demo gives it mail.
    pub fn account(&self, address: &str) -> Option<&AccountPlan> {
        self.accounts
            .iter()
            .find(|a| a.address.eq_ignore_ascii_case(address))
    }

    /// The messages of `owner` (`name`, `address`) for `seed`: same inputs, same bytes.
    pub fn generate(&self, account: &AccountPlan, owner_name: &str, seed: u64) -> Vec<DemoMessage> {
        let mut rng = StdRng::seed_from_u64(mix(seed, &account.address));
        let latest = self.latest().expect("checked by load");
        let owner = Mailbox {
            name: owner_name.to_string(),
            address: account.address.to_ascii_lowercase(),
        };
        let folders = folder_weights(&account.folders);
        // Every folder gets one message first (when there are enough), then by weight.
        let mut placement: Vec<String> = folders
            .iter()
            .take(account.messages)
            .map(|(f, _)| f.clone())
            .collect();
        let total: u32 = folders.iter().map(|(_, w)| w).sum();
        while placement.len() < account.messages {
            let mut pick = rng.random_range(0..total);
            for (f, w) in &folders {
                if pick < *w {
                    placement.push(f.clone());
                    break;
                }
                pick -= w;
            }
        }
        let span_secs = i64::from(self.span_days) * 86_400;
        let mut previous_id: Option<String> = None;
        placement
            .into_iter()
            .enumerate()
            .map(|(i, folder)| {
                let date = latest - Duration::seconds(rng.random_range(0..span_secs.max(1)));
                let other = self.pick(&mut rng, &self.correspondents);
                let other = Mailbox {
                    name: other.name.clone(),
                    address: other.email.clone(),
                };
                let outgoing = folder == "Sent" || folder == "Drafts";
                let (from, to) = if outgoing {
                    (owner.clone(), vec![other.clone()])
                } else {
                    (other.clone(), vec![owner.clone()])
                };
                let reply = i > 0 && rng.random_bool(0.25);
                let mut subject = self.pick(&mut rng, &self.subjects).clone();
                if reply {
                    subject = format!("Re: {subject}");
                }
                let sender_domain = from.address.rsplit('@').next().unwrap_or("example.com");
                let tag =
                    hex::encode(&Sha256::digest(format!("{seed}:{}:{i}", owner.address))[..6]);
                let message_id = format!("<{tag}.{i}@{sender_domain}>");
                let attachment = (rng.random_range(0..100) < self.attachment_percent)
                    .then(|| self.pick(&mut rng, &self.attachments))
                    .map(|a| Attachment {
                        name: a.name.clone(),
                        content_type: a.content_type.clone(),
                        content: a.content.replace('\n', "\r\n").into_bytes(),
                    });
                let body = self.body(&mut rng, &from);
                let letter = Letter {
                    from,
                    to,
                    subject,
                    date,
                    message_id: message_id.clone(),
                    in_reply_to: if reply { previous_id.clone() } else { None },
                    body,
                    attachment,
                    boundary_seed: tag,
                };
                previous_id = Some(message_id);
                DemoMessage {
                    flags: flags(&mut rng, &folder),
                    folder,
                    bytes: letter.to_bytes(),
                    date,
                }
            })
            .collect()
    }

    fn pick<'a, T>(&self, rng: &mut StdRng, items: &'a [T]) -> &'a T {
        &items[rng.random_range(0..items.len())]
    }

    fn body(&self, rng: &mut StdRng, from: &Mailbox) -> String {
        let mut text = format!("{}\n\n", self.pick::<String>(rng, &self.openers));
        for _ in 0..rng.random_range(1..=3) {
            text.push_str(self.pick::<String>(rng, &self.paragraphs));
            text.push_str("\n\n");
        }
        text.push_str(self.pick::<String>(rng, &self.closings));
        text.push('\n');
        text.push_str(&from.name);
        text.push('\n');
        text
    }
}

fn folder_weights(own: &[String]) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = STANDARD_FOLDERS
        .iter()
        .map(|(f, w)| (f.to_string(), *w))
        .collect();
    if !own.is_empty() {
        let each = (OWN_FOLDERS_WEIGHT / own.len() as u32).max(1);
        out.extend(own.iter().map(|f| (f.clone(), each)));
    }
    out
}

fn flags(rng: &mut StdRng, folder: &str) -> Vec<String> {
    let mut flags = Vec::new();
    let mut add = |f: &str| flags.push(f.to_string());
    match folder {
        "Drafts" => add("\\Draft"),
        "Sent" => add("\\Seen"),
        "Junk" => {}
        _ => {
            let seen_share = if folder == "INBOX" { 0.75 } else { 0.92 };
            if rng.random_bool(seen_share) {
                add("\\Seen");
                if rng.random_bool(0.2) {
                    add("\\Answered");
                }
                if rng.random_bool(0.05) {
                    add("$Forwarded");
                }
            }
            if rng.random_bool(0.1) {
                add("\\Flagged");
            }
        }
    }
    flags
}

/// A per-account seed, independent of the order accounts are generated in.
fn mix(seed: u64, address: &str) -> u64 {
    let h = Sha256::digest(format!("{seed}:{}", address.to_ascii_lowercase()));
    u64::from_le_bytes(h[..8].try_into().expect("8 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_covers_the_demo_panel_with_a_few_hundred_messages() {
        let plan = MailPlan::load().unwrap();
        let panel = mailshift_panel::demo();
        let total: usize = plan.accounts.iter().map(|a| a.messages).sum();
        assert!((200..=600).contains(&total), "{total}");
        for a in &plan.accounts {
            assert_eq!(
                panel.find_accounts(&a.address).len(),
                1,
                "{} is not a demo account",
                a.address
            );
        }
        let folders: Vec<&String> = plan.accounts.iter().flat_map(|a| &a.folders).collect();
        assert!(folders.iter().any(|f| f.as_str() == "Projets/2024/Q1"));
        assert!(folders
            .iter()
            .any(|f| f.as_str() == "Clients/Société Générale"));
        assert!(folders.iter().any(|f| f.as_str() == "Équipe"));
        let thomas = plan.account("thomas.leroy@example.org").unwrap();
        assert_eq!(thomas.simulated_used_bytes, Some(6_200_000_000));
    }

    #[test]
    fn generation_is_deterministic_varied_and_fills_every_folder() {
        let plan = MailPlan::load().unwrap();
        let john = plan.account("john.smith@example.com").unwrap();
        let a = plan.generate(john, "John Smith", 7);
        assert_eq!(a, plan.generate(john, "John Smith", 7));
        assert_ne!(a, plan.generate(john, "John Smith", 8));
        assert_eq!(a.len(), john.messages);
        for f in john
            .folders
            .iter()
            .map(String::as_str)
            .chain(["INBOX", "Sent", "Drafts", "Trash"])
        {
            assert!(a.iter().any(|m| m.folder == f), "nothing in {f}");
        }
        assert!(a.iter().any(|m| m.flags.contains(&"\\Seen".to_string())));
        assert!(a.iter().any(|m| !m.flags.contains(&"\\Seen".to_string())));
        assert!(a
            .iter()
            .filter(|m| m.folder == "Drafts")
            .all(|m| m.flags == ["\\Draft"]));
        let sent = a.iter().find(|m| m.folder == "Sent").unwrap();
        assert!(String::from_utf8_lossy(&sent.bytes)
            .contains("From: John Smith <john.smith@example.com>"));
        let mut dates: Vec<_> = a.iter().map(|m| m.date).collect();
        dates.dedup();
        assert!(dates.len() > 10);
        let all: Vec<DemoMessage> = plan
            .accounts
            .iter()
            .flat_map(|acc| plan.generate(acc, "X", 7))
            .collect();
        assert!(all
            .iter()
            .any(|m| String::from_utf8_lossy(&m.bytes).contains("multipart/mixed")));
        assert!(all.iter().all(|m| !m.bytes.contains(&0)));
    }
}
