//! Deterministic realistic seed mail: a recipe (`SeedSpec`), a message generator, and
//! `seed()` which fills a mailbox over IMAP (MULTIAPPEND) with the oracle.
//! Same seed, same bytes, flags and dates.

mod message;
mod rng;
mod spec;

use std::collections::BTreeMap;

pub use message::generate_message;
pub use rng::SeedRng;
pub use spec::{SeedSpec, SizeProfile};

use crate::oracle::date::format_internaldate;
use crate::oracle::{Oracle, SeedMessage};
use crate::{Dovecot, TestkitError};

const CHUNK: usize = 200;
/// 2012-01-01 .. 2025-06-01 (UTC).
const DATE_RANGE: (u64, u64) = (1_325_376_000, 1_748_736_000);
const OFFSETS: [i32; 8] = [-480, -300, 0, 0, 60, 120, 330, 540];

/// What was seeded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Folder (UTF-8, `/` separator) -> number of messages appended.
    pub per_folder: BTreeMap<String, usize>,
    pub messages: usize,
    pub bytes: u64,
}

/// Seed `user`'s mailbox on `dovecot` following `spec`.
pub fn seed(
    dovecot: &Dovecot,
    user: &str,
    pass: &str,
    spec: &SeedSpec,
) -> Result<SeedReport, TestkitError> {
    seed_at(dovecot.host(), dovecot.port(), user, pass, spec)
}

/// Seed a mailbox on any IMAP server reachable in plain text. Folder names of the spec are
/// relative to the personal namespace (`Sent` becomes `INBOX.Sent` on an `INBOX.` server);
/// the report names them as the spec does.
pub fn seed_at(
    host: &str,
    port: u16,
    user: &str,
    pass: &str,
    spec: &SeedSpec,
) -> Result<SeedReport, TestkitError> {
    let mut oracle = Oracle::login(host, port, user, pass)?;
    let mut report = SeedReport::default();
    let root = SeedRng::new(spec.seed);
    // A server whose NAMESPACE answer we cannot read gets the names as they are.
    let namespaces = oracle.namespace().ok();
    for (index, folder) in spec.folders.iter().enumerate() {
        let target = namespaces
            .as_ref()
            .map_or_else(|| folder.clone(), |ns| ns.personal_name(folder));
        if !folder.eq_ignore_ascii_case("INBOX") {
            oracle.create(&target)?;
        }
        let mut count = spec.messages_per_folder;
        let is_inbox = folder.eq_ignore_ascii_case("INBOX");
        if is_inbox {
            count += spec.extra_inbox_messages;
        }
        let mut rng = root.fork(index as u64 + 1);
        let mut dates: Vec<u64> = (0..count)
            .map(|_| rng.range(DATE_RANGE.0, DATE_RANGE.1))
            .collect();
        dates.sort_unstable();
        let mut done = 0;
        while done < count {
            let end = (done + CHUNK).min(count);
            let batch: Vec<SeedMessage> = (done..end)
                .map(|i| {
                    let large = is_inbox && i < spec.large_messages;
                    make_message(&mut rng, spec, folder, i, dates[i] as i64, large)
                })
                .collect();
            report.bytes += batch.iter().map(|m| m.bytes.len() as u64).sum::<u64>();
            oracle.append_many(&target, &batch)?;
            done = end;
        }
        report.messages += count;
        report.per_folder.insert(folder.clone(), count);
    }
    let _ = oracle.logout();
    Ok(report)
}

fn make_message(
    rng: &mut SeedRng,
    spec: &SeedSpec,
    folder: &str,
    i: usize,
    date: i64,
    large: bool,
) -> SeedMessage {
    let size = if large {
        rng.range((spec.max_size / 2) as u64, spec.max_size as u64 + 1) as usize
    } else {
        pick_size(rng, spec.profile, spec.max_size)
    };
    let offset = *rng.pick(&OFFSETS);
    let bytes = generate_message(rng, size, date, offset);
    SeedMessage {
        bytes,
        flags: pick_flags(rng, spec, folder, i),
        internaldate: Some(format_internaldate(date, offset)),
    }
}

fn pick_size(rng: &mut SeedRng, profile: SizeProfile, max: usize) -> usize {
    let roll = rng.below(100);
    let (lo, hi) = match (profile, roll) {
        (SizeProfile::Mixed, 0..=59) => (400, 8_000),
        (SizeProfile::Mixed, 60..=84) => (8_000, 60_000),
        (SizeProfile::Mixed, 85..=96) => (60_000, 400_000),
        (SizeProfile::Mixed, _) => (400_000, 1_000_000),
        (SizeProfile::Bulk, 0..=44) => (1_500, 10_000),
        (SizeProfile::Bulk, 45..=79) => (10_000, 40_000),
        (SizeProfile::Bulk, 80..=96) => (40_000, 120_000),
        (SizeProfile::Bulk, _) => (120_000, 500_000),
    };
    (rng.range(lo, hi) as usize).min(max.max(400))
}

fn pick_flags(rng: &mut SeedRng, spec: &SeedSpec, folder: &str, i: usize) -> Vec<String> {
    let lower = folder.to_lowercase();
    let mut flags: Vec<&str> = Vec::new();
    if lower.contains("draft") {
        flags.push("\\Draft");
        if rng.percent(50) {
            flags.push("\\Seen");
        }
    } else if lower.contains("sent") {
        flags.push("\\Seen");
    } else if lower == "inbox" && i < 4 {
        // Guarantee every interesting flag appears at least once.
        flags.extend(match i {
            0 => &["\\Seen", "\\Answered"][..],
            1 => &["\\Flagged"][..],
            2 if spec.keywords => &["\\Seen", "$Forwarded"][..],
            3 if spec.keywords => &["$Label1"][..],
            _ => &[][..],
        });
    } else {
        if rng.percent(70) {
            flags.push("\\Seen");
        }
        if rng.percent(10) {
            flags.push("\\Flagged");
        }
        if rng.percent(15) {
            flags.push("\\Answered");
        }
        if spec.keywords && rng.percent(8) {
            flags.push("$Forwarded");
        }
        if spec.keywords && rng.percent(6) {
            flags.push("$Label1");
        }
    }
    flags.into_iter().map(String::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_sizes_have_a_realistic_median() {
        let mut rng = SeedRng::new(11);
        let mut sizes: Vec<usize> = (0..2000)
            .map(|_| pick_size(&mut rng, SizeProfile::Bulk, 1 << 20))
            .collect();
        sizes.sort_unstable();
        let median = sizes[sizes.len() / 2];
        assert!((7_000..16_000).contains(&median), "median {median}");
        assert!(*sizes.last().unwrap() <= 1 << 20);
    }

    #[test]
    fn realistic_flags_cover_the_interesting_ones() {
        let spec = SeedSpec::realistic(1);
        let mut rng = SeedRng::new(1);
        let mut all: Vec<String> = Vec::new();
        for folder in &spec.folders {
            for i in 0..spec.messages_per_folder {
                all.extend(pick_flags(&mut rng, &spec, folder, i));
            }
        }
        for f in [
            "\\Seen",
            "\\Answered",
            "\\Flagged",
            "\\Draft",
            "$Forwarded",
            "$Label1",
        ] {
            assert!(all.iter().any(|x| x == f), "{f} never used");
        }
    }

    #[test]
    fn bulk_uses_no_keywords() {
        let spec = SeedSpec::bulk(100, 1);
        let mut rng = SeedRng::new(1);
        for i in 0..100 {
            assert!(pick_flags(&mut rng, &spec, "INBOX", i)
                .iter()
                .all(|f| f.starts_with('\\')));
        }
    }
}
