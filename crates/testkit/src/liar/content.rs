//! What the liar serves: the account, its folders and messages, and the lies it tells about
//! them. Plain data with a few builders, including folders of deterministic realistic mail.

use crate::oracle::date::format_internaldate;
use crate::seed::{generate_message, SeedRng};
use crate::TestkitError;

/// 2012-01-01 .. 2025-06-01 (UTC), like the seed generator.
const DATE_RANGE: (u64, u64) = (1_325_376_000, 1_748_736_000);
const OFFSETS: [i32; 6] = [-300, 0, 0, 60, 120, 330];

/// The lies the server tells; each one is independent. `Lies::default()` tells none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lies {
    /// RFC822.SIZE reported = real byte length + `size_delta` (never below 0), as Exchange and
    /// Office 365 do.
    pub size_delta: i64,
    /// Every `UID FETCH` answer also carries FETCH responses (with the data asked for, bodies
    /// included) for every other message of the folder, requested or not.
    pub extra_uids: bool,
    /// `STATUS` answers `MESSAGES 0` (and `UNSEEN 0`, `RECENT 0`) with the true UIDNEXT and
    /// UIDVALIDITY, while SELECT/EXAMINE report the true EXISTS.
    pub status_zero: bool,
}

impl Lies {
    /// Every lie at once, sizes off by `size_delta`.
    pub fn all(size_delta: i64) -> Lies {
        Lies {
            size_delta,
            extra_uids: true,
            status_zero: true,
        }
    }

    /// Does it tell any lie?
    pub fn any(&self) -> bool {
        self.size_delta != 0 || self.extra_uids || self.status_zero
    }
}

/// One message as stored: the exact bytes and what the server says about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiarMessage {
    pub uid: u32,
    /// Flags as sent on the wire, e.g. `\Seen`, `$Forwarded`.
    pub flags: Vec<String>,
    /// RFC 3501 date-time, e.g. `17-Jul-1996 02:44:25 -0700`.
    pub internaldate: String,
    pub body: Vec<u8>,
}

impl LiarMessage {
    /// A message without flags, dated 1 Jan 2020.
    pub fn new(uid: u32, body: impl Into<Vec<u8>>) -> LiarMessage {
        LiarMessage {
            uid,
            flags: Vec::new(),
            internaldate: "01-Jan-2020 12:00:00 +0000".into(),
            body: body.into(),
        }
    }
}

/// One folder: its name exactly as on the wire (modified UTF-7, `delimiter` between levels).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiarFolder {
    pub name: String,
    pub delimiter: char,
    /// LIST attributes such as `\Sent`; `\HasChildren`/`\HasNoChildren` are added when absent.
    pub attributes: Vec<String>,
    pub uid_validity: u32,
    /// In ascending UID order (checked by `LiarServer::start`).
    pub messages: Vec<LiarMessage>,
}

impl LiarFolder {
    /// An empty folder with separator `/` and UIDVALIDITY 1.
    pub fn new(name: impl Into<String>) -> LiarFolder {
        LiarFolder {
            name: name.into(),
            delimiter: '/',
            attributes: Vec::new(),
            uid_validity: 1,
            messages: Vec::new(),
        }
    }

    /// A folder of `count` deterministic realistic messages (MIME, encoded headers, some base64
    /// attachments, 400 B to ~40 KB), ascending dates, realistic flags, and UIDs ascending from
    /// 1 with occasional gaps (as left by expunges). Same `seed`, same folder.
    pub fn seeded(name: impl Into<String>, count: usize, seed: u64) -> LiarFolder {
        let name = name.into();
        let mut rng = SeedRng::new(seed).fork(label_of(&name));
        let mut dates: Vec<u64> = (0..count)
            .map(|_| rng.range(DATE_RANGE.0, DATE_RANGE.1))
            .collect();
        dates.sort_unstable();
        let mut uid = 0u32;
        let messages = dates
            .into_iter()
            .map(|date| {
                uid += if rng.percent(15) { 2 } else { 1 };
                let offset = *rng.pick(&OFFSETS);
                let size = if rng.percent(85) {
                    rng.range(400, 8_000)
                } else {
                    rng.range(8_000, 40_000)
                } as usize;
                let body = generate_message(&mut rng, size, date as i64, offset);
                LiarMessage {
                    uid,
                    flags: pick_flags(&mut rng),
                    internaldate: format_internaldate(date as i64, offset),
                    body,
                }
            })
            .collect();
        LiarFolder {
            uid_validity: (seed as u32 ^ label_of(&name) as u32).max(1),
            messages,
            ..LiarFolder::new(name)
        }
    }

    /// The same folder with these LIST attributes (e.g. `&["\\Sent"]`).
    pub fn with_attributes(mut self, attributes: &[&str]) -> LiarFolder {
        self.attributes = attributes.iter().map(|a| a.to_string()).collect();
        self
    }

    /// The same folder with this UIDVALIDITY.
    pub fn with_uid_validity(mut self, uid_validity: u32) -> LiarFolder {
        self.uid_validity = uid_validity;
        self
    }

    /// The UID the next message would get: the highest UID plus one.
    pub fn uid_next(&self) -> u32 {
        self.messages.last().map_or(1, |m| m.uid.saturating_add(1))
    }

    pub(crate) fn is_inbox(&self) -> bool {
        self.name.eq_ignore_ascii_case("INBOX")
    }

    /// Does `name` (as a client sent it) designate this folder? INBOX in any case.
    pub(crate) fn is_named(&self, name: &str) -> bool {
        self.name == name || (self.is_inbox() && name.eq_ignore_ascii_case("INBOX"))
    }
}

/// The whole account the liar serves. Its `Debug` masks the password.
#[derive(Clone, PartialEq, Eq)]
pub struct LiarConfig {
    pub user: String,
    pub password: String,
    pub folders: Vec<LiarFolder>,
    /// The lies told from the start (`LiarServer::set_lies` changes them while running).
    pub lies: Lies,
}

impl std::fmt::Debug for LiarConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiarConfig")
            .field("user", &self.user)
            .field("password", &"****")
            .field("folders", &self.folders.len())
            .field("lies", &self.lies)
            .finish()
    }
}

impl LiarConfig {
    /// An account with an empty INBOX and no lies.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> LiarConfig {
        LiarConfig {
            user: user.into(),
            password: password.into(),
            folders: vec![LiarFolder::new("INBOX")],
            lies: Lies::default(),
        }
    }

    /// A realistic account: INBOX with `count` messages, `Sent` (`\Sent`) with `count / 2`,
    /// `Archive/2024` with `count / 3` (and its parent `Archive`), `Drafts` (`\Drafts`) empty.
    pub fn realistic(
        user: impl Into<String>,
        password: impl Into<String>,
        count: usize,
        seed: u64,
    ) -> LiarConfig {
        LiarConfig {
            folders: vec![
                LiarFolder::seeded("INBOX", count, seed),
                LiarFolder::seeded("Sent", count / 2, seed).with_attributes(&["\\Sent"]),
                LiarFolder::new("Archive").with_uid_validity(seed as u32 | 1),
                LiarFolder::seeded("Archive/2024", count / 3, seed),
                LiarFolder::new("Drafts").with_attributes(&["\\Drafts"]),
            ],
            ..LiarConfig::new(user, password)
        }
    }

    /// The same account with this folder added, or replacing the one with the same name.
    pub fn with_folder(mut self, folder: LiarFolder) -> LiarConfig {
        match self.folders.iter_mut().find(|f| f.name == folder.name) {
            Some(f) => *f = folder,
            None => self.folders.push(folder),
        }
        self
    }

    /// The same account telling these lies.
    pub fn with_lies(mut self, lies: Lies) -> LiarConfig {
        self.lies = lies;
        self
    }

    /// The folder with this wire name, if any.
    pub fn folder(&self, name: &str) -> Option<&LiarFolder> {
        self.folders.iter().find(|f| f.is_named(name))
    }

    /// Check what a server could not serve coherently.
    pub(crate) fn check(&self) -> Result<(), TestkitError> {
        let bad = |why: String| Err(TestkitError::Setup(format!("liar config: {why}")));
        for (i, f) in self.folders.iter().enumerate() {
            if f.name.is_empty() || f.name.bytes().any(|b| b < 0x20 || b == 0x7f) {
                return bad(format!(
                    "folder name {:?} cannot be sent on the wire",
                    f.name
                ));
            }
            if self.folders[..i].iter().any(|o| o.is_named(&f.name)) {
                return bad(format!("folder {:?} appears twice", f.name));
            }
            if f.uid_validity == 0 {
                return bad(format!("folder {:?} has UIDVALIDITY 0", f.name));
            }
            if f.attributes.iter().any(|a| !is_flag_atom(a)) {
                return bad(format!("folder {:?} has a malformed attribute", f.name));
            }
            let mut last = 0u32;
            for m in &f.messages {
                if m.uid <= last || m.uid == u32::MAX {
                    return bad(format!(
                        "folder {:?}: UIDs must be ascending, non-zero and below 2^32-1 ({})",
                        f.name, m.uid
                    ));
                }
                last = m.uid;
                if m.flags.iter().any(|fl| !is_flag_atom(fl)) {
                    return bad(format!("folder {:?} UID {}: malformed flag", f.name, m.uid));
                }
                if m.internaldate.contains(['"', '\\', '\r', '\n']) {
                    return bad(format!(
                        "folder {:?} UID {}: bad INTERNALDATE",
                        f.name, m.uid
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A flag or attribute that can be sent as an atom (an optional leading backslash).
fn is_flag_atom(s: &str) -> bool {
    let body = s.strip_prefix('\\').unwrap_or(s);
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"(){%*\"\\]".contains(&b))
}

fn label_of(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn pick_flags(rng: &mut SeedRng) -> Vec<String> {
    let mut flags = Vec::new();
    for (flag, percent) in [
        ("\\Seen", 70),
        ("\\Answered", 15),
        ("\\Flagged", 10),
        ("$Forwarded", 8),
    ] {
        if rng.percent(percent) {
            flags.push(flag.to_string());
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_folders_are_deterministic_and_valid() {
        let a = LiarFolder::seeded("INBOX", 40, 7);
        let b = LiarFolder::seeded("INBOX", 40, 7);
        assert_eq!(a, b);
        assert_eq!(a.messages.len(), 40);
        assert_ne!(a, LiarFolder::seeded("INBOX", 40, 8));
        assert!(a.messages.windows(2).all(|w| w[0].uid < w[1].uid));
        assert!(a.uid_next() > 40, "gaps are expected");
        assert!(a
            .messages
            .iter()
            .all(|m| m.body.windows(4).any(|w| w == b"\r\n\r\n")));
        let config = LiarConfig::realistic("u", "s3cret", 30, 1);
        config.check().unwrap();
        assert!(!format!("{config:?}").contains("s3cret"));
    }

    #[test]
    fn incoherent_configs_are_refused() {
        let mut f = LiarFolder::new("X");
        f.messages = vec![LiarMessage::new(2, "a"), LiarMessage::new(2, "b")];
        assert!(LiarConfig::new("u", "p").with_folder(f).check().is_err());
        let dup = LiarConfig::new("u", "p").with_folder(LiarFolder::new("inbox"));
        assert!(dup.check().is_err());
        let mut m = LiarMessage::new(1, "a");
        m.flags = vec!["bad flag".into()];
        let mut f = LiarFolder::new("Y");
        f.messages = vec![m];
        assert!(LiarConfig::new("u", "p").with_folder(f).check().is_err());
    }
}
