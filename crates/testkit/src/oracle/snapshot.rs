//! What a mailbox holds, independent of UIDs: per folder, the sorted facts of each message.

use std::collections::BTreeMap;
use std::fmt;

use sha2::{Digest, Sha256};

/// One message as the oracle sees it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageFacts {
    /// Hex SHA-256 of the exact bytes of `BODY[]`.
    pub sha256: String,
    pub size: u64,
    /// INTERNALDATE as Unix seconds (time zone normalized away).
    pub internaldate: i64,
    /// Sorted, without `\Recent`.
    pub flags: Vec<String>,
}

impl MessageFacts {
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f.eq_ignore_ascii_case(flag))
    }

    fn describe(&self) -> String {
        format!(
            "sha256={} size={} date={} flags=[{}]",
            &self.sha256[..12.min(self.sha256.len())],
            self.size,
            self.internaldate,
            self.flags.join(" ")
        )
    }
}

/// Folder name (UTF-8, `/` as separator) -> its messages, sorted deterministically.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailboxSnapshot {
    pub folders: BTreeMap<String, Vec<MessageFacts>>,
}

impl MailboxSnapshot {
    pub fn total_messages(&self) -> usize {
        self.folders.values().map(Vec::len).sum()
    }

    pub fn total_bytes(&self) -> u64 {
        self.folders.values().flatten().map(|m| m.size).sum()
    }

    pub fn folder(&self, name: &str) -> Option<&[MessageFacts]> {
        self.folders.get(name).map(Vec::as_slice)
    }

    /// `(folder, sha256, count)` for every message stored more than once in one folder.
    pub fn duplicates(&self) -> Vec<(String, String, usize)> {
        let mut out = Vec::new();
        for (folder, msgs) in &self.folders {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for m in msgs {
                *counts.entry(&m.sha256).or_default() += 1;
            }
            out.extend(
                counts
                    .into_iter()
                    .filter(|(_, n)| *n > 1)
                    .map(|(sha, n)| (folder.clone(), sha.to_string(), n)),
            );
        }
        out
    }

    /// A copy with folder `from` renamed to `to` (e.g. "Sent Items" -> "Sent"), merging if
    /// `to` exists.
    pub fn renamed(&self, from: &str, to: &str) -> MailboxSnapshot {
        let mut out = self.clone();
        if let Some(msgs) = out.folders.remove(from) {
            let dest = out.folders.entry(to.to_string()).or_default();
            dest.extend(msgs);
            dest.sort();
        }
        out
    }

    /// A copy with only what mbsync-like tools keep: system flags (keywords dropped).
    pub fn without_keywords(&self) -> MailboxSnapshot {
        let mut out = self.clone();
        for msgs in out.folders.values_mut() {
            for m in msgs.iter_mut() {
                m.flags.retain(|f| f.starts_with('\\'));
            }
            msgs.sort();
        }
        out
    }

    /// Digest of folders + message bytes only (ignores flags and dates).
    pub fn content_digest(&self) -> String {
        let mut h = Sha256::new();
        for (folder, msgs) in &self.folders {
            h.update(folder.as_bytes());
            h.update([0]);
            let mut shas: Vec<&str> = msgs.iter().map(|m| m.sha256.as_str()).collect();
            shas.sort_unstable();
            for s in shas {
                h.update(s.as_bytes());
            }
            h.update([1]);
        }
        hex::encode(h.finalize())
    }

    /// Digest of everything the snapshot holds (bytes, flags, dates).
    pub fn full_digest(&self) -> String {
        let mut h = Sha256::new();
        for (folder, msgs) in &self.folders {
            h.update(folder.as_bytes());
            h.update([0]);
            for m in msgs {
                h.update(format!(
                    "{}|{}|{}|{}\n",
                    m.sha256,
                    m.size,
                    m.internaldate,
                    m.flags.join(" ")
                ));
            }
            h.update([1]);
        }
        hex::encode(h.finalize())
    }

    /// One line per folder: name, message count, bytes, folder content digest.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for (folder, msgs) in &self.folders {
            let one = MailboxSnapshot {
                folders: BTreeMap::from([(folder.clone(), msgs.clone())]),
            };
            let bytes: u64 = msgs.iter().map(|m| m.size).sum();
            out.push_str(&format!(
                "folder {folder:?} messages={} bytes={bytes} sha={}\n",
                msgs.len(),
                &one.content_digest()[..16]
            ));
        }
        out
    }

    /// What differs from `self` (expected) in `actual`, for readable assertion messages.
    pub fn diff(&self, actual: &MailboxSnapshot) -> SnapshotDiff {
        let mut lines = Vec::new();
        for (folder, expected) in &self.folders {
            match actual.folders.get(folder) {
                None => lines.push(format!(
                    "missing folder {folder:?} ({} messages)",
                    expected.len()
                )),
                Some(got) => diff_folder(folder, expected, got, &mut lines),
            }
        }
        for (folder, got) in &actual.folders {
            if !self.folders.contains_key(folder) {
                lines.push(format!("extra folder {folder:?} ({} messages)", got.len()));
            }
        }
        SnapshotDiff { lines }
    }
}

fn diff_folder(
    folder: &str,
    expected: &[MessageFacts],
    got: &[MessageFacts],
    lines: &mut Vec<String>,
) {
    let mut left: BTreeMap<&str, Vec<&MessageFacts>> = BTreeMap::new();
    let mut right: BTreeMap<&str, Vec<&MessageFacts>> = BTreeMap::new();
    for m in expected {
        left.entry(&m.sha256).or_default().push(m);
    }
    for m in got {
        right.entry(&m.sha256).or_default().push(m);
    }
    for (sha, mut exp) in left {
        let mut act = right.remove(sha).unwrap_or_default();
        exp.retain(|e| match act.iter().position(|a| a == e) {
            Some(i) => {
                act.remove(i);
                false
            }
            None => true,
        });
        let paired = exp.len().min(act.len());
        for (e, a) in exp.iter().zip(act.iter()) {
            lines.push(format!(
                "{folder:?}: message changed: expected {} but found {}",
                e.describe(),
                a.describe()
            ));
        }
        for e in &exp[paired..] {
            lines.push(format!("{folder:?}: missing message {}", e.describe()));
        }
        for a in &act[paired..] {
            lines.push(format!("{folder:?}: extra message {}", a.describe()));
        }
    }
    for a in right.values().flatten() {
        lines.push(format!("{folder:?}: extra message {}", a.describe()));
    }
}

/// The differences between two snapshots; empty means identical.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotDiff {
    pub lines: Vec<String>,
}

impl SnapshotDiff {
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

impl fmt::Display for SnapshotDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lines.is_empty() {
            return write!(f, "snapshots are identical");
        }
        const SHOWN: usize = 40;
        writeln!(f, "{} difference(s):", self.lines.len())?;
        for line in self.lines.iter().take(SHOWN) {
            writeln!(f, "  {line}")?;
        }
        if self.lines.len() > SHOWN {
            writeln!(f, "  ... and {} more", self.lines.len() - SHOWN)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(sha: &str, flags: &[&str]) -> MessageFacts {
        MessageFacts {
            sha256: sha.repeat(16),
            size: 10,
            internaldate: 100,
            flags: flags.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn snap(folders: &[(&str, Vec<MessageFacts>)]) -> MailboxSnapshot {
        MailboxSnapshot {
            folders: folders
                .iter()
                .map(|(n, v)| (n.to_string(), v.clone()))
                .collect(),
        }
    }

    #[test]
    fn identical_snapshots_have_no_diff_and_equal_digests() {
        let a = snap(&[("INBOX", vec![m("a", &[]), m("b", &["\\Seen"])])]);
        assert!(a.diff(&a.clone()).is_empty());
        assert_eq!(a.full_digest(), a.clone().full_digest());
        assert_eq!(a.total_messages(), 2);
        assert_eq!(a.total_bytes(), 20);
    }

    #[test]
    fn diff_names_missing_extra_and_changed() {
        let a = snap(&[
            ("INBOX", vec![m("a", &[]), m("b", &["\\Seen"])]),
            ("Old", vec![]),
        ]);
        let b = snap(&[
            ("INBOX", vec![m("b", &[]), m("c", &[])]),
            ("New", vec![m("d", &[])]),
        ]);
        let text = a.diff(&b).to_string();
        assert!(text.contains("missing folder \"Old\""), "{text}");
        assert!(text.contains("extra folder \"New\" (1 messages)"), "{text}");
        assert!(
            text.contains("\"INBOX\": missing message sha256=aaaa"),
            "{text}"
        );
        assert!(
            text.contains("\"INBOX\": extra message sha256=cccc"),
            "{text}"
        );
        assert!(text.contains("message changed"), "{text}");
        assert_eq!(a.diff(&b).lines.len(), 5);
    }

    #[test]
    fn flags_change_full_digest_but_not_content_digest() {
        let a = snap(&[("INBOX", vec![m("a", &["\\Seen"])])]);
        let b = snap(&[("INBOX", vec![m("a", &[])])]);
        assert_eq!(a.content_digest(), b.content_digest());
        assert_ne!(a.full_digest(), b.full_digest());
    }

    #[test]
    fn duplicates_and_renames() {
        let a = snap(&[("Sent Items", vec![m("a", &[]), m("a", &[]), m("b", &[])])]);
        assert_eq!(
            a.duplicates(),
            vec![("Sent Items".into(), "a".repeat(16), 2)]
        );
        let r = a.renamed("Sent Items", "Sent");
        assert!(r.folder("Sent Items").is_none());
        assert_eq!(r.folder("Sent").unwrap().len(), 3);
    }

    #[test]
    fn without_keywords_keeps_system_flags() {
        let a = snap(&[("INBOX", vec![m("a", &["$Forwarded", "\\Seen"])])]);
        assert_eq!(
            a.without_keywords().folders["INBOX"][0].flags,
            vec!["\\Seen"]
        );
    }
}
