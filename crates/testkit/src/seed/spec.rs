//! What to seed: folders, how many messages, sizes, flags — all derived from one seed.

/// Size distribution of generated messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeProfile {
    /// Mostly small, some medium, a few large (median ~5 KB).
    Mixed,
    /// Like a real mailbox for benchmarks (median ~10 KB, long tail to `max_size`).
    Bulk,
}

/// A recipe for a seeded mailbox. Folder paths are UTF-8 with `/` as the separator;
/// implied parents (e.g. `Archives` for `Archives/2023`) are never created explicitly.
#[derive(Debug, Clone)]
pub struct SeedSpec {
    pub folders: Vec<String>,
    pub messages_per_folder: usize,
    /// Added to INBOX on top of `messages_per_folder`.
    pub extra_inbox_messages: usize,
    pub seed: u64,
    pub max_size: usize,
    /// This many messages (in INBOX) get a size between `max_size / 2` and `max_size`.
    pub large_messages: usize,
    pub profile: SizeProfile,
    /// Use keywords (`$Forwarded`, `$Label1`) besides system flags.
    pub keywords: bool,
}

impl SeedSpec {
    /// ~10 folders with non-ASCII and nested names, varied flags, dates and sizes, two multi-MB
    /// messages. "Sent Items" (not "Sent") so special-use mapping gets exercised.
    pub fn realistic(seed: u64) -> SeedSpec {
        SeedSpec {
            folders: [
                "INBOX",
                "Sent Items",
                "Drafts",
                "Trash",
                "Archives/2023",
                "Archives/2024/Q1",
                "Clients/Société Générale",
                "Projets & Idées",
                "Ελληνικά",
                "日本語",
            ]
            .map(String::from)
            .to_vec(),
            messages_per_folder: 6,
            extra_inbox_messages: 4,
            seed,
            max_size: 3 * 1024 * 1024,
            large_messages: 2,
            profile: SizeProfile::Mixed,
            keywords: true,
        }
    }

    /// `n` messages, mostly in INBOX plus a few folders, system flags only (so tools that drop
    /// keywords can still be compared), sizes like real mail.
    pub fn bulk(n: usize, seed: u64) -> SeedSpec {
        let folders: Vec<String> = ["INBOX", "Sent Items", "Archives/2024", "Projects/Alpha"]
            .map(String::from)
            .to_vec();
        let per = n / 10;
        SeedSpec {
            extra_inbox_messages: n - per * folders.len(),
            folders,
            messages_per_folder: per,
            seed,
            max_size: 1024 * 1024,
            large_messages: 0,
            profile: SizeProfile::Bulk,
            keywords: false,
        }
    }

    /// Total number of messages the spec produces.
    pub fn total_messages(&self) -> usize {
        self.folders.len() * self.messages_per_folder
            + if self.folders.iter().any(|f| f == "INBOX") {
                self.extra_inbox_messages
            } else {
                0
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_adds_up() {
        for n in [0, 1, 7, 2000, 20001] {
            assert_eq!(SeedSpec::bulk(n, 1).total_messages(), n);
        }
    }

    #[test]
    fn realistic_has_tricky_names() {
        let s = SeedSpec::realistic(1);
        assert!(s.folders.len() >= 10);
        assert!(s.folders.iter().any(|f| f == "Sent Items"));
        assert!(!s.folders.iter().any(|f| f == "Sent"));
        assert!(s.folders.iter().any(|f| f.contains('&')));
        assert!(
            !s.folders.iter().any(|f| f == "Archives"),
            "parent must stay implied"
        );
        assert_eq!(s.total_messages(), 64);
    }
}
