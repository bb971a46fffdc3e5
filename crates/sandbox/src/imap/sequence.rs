//! Turns a sequence set (message numbers or UIDs) into the messages of the
//! session's current view, as (sequence number, UID) pairs.

use imap_next::imap_types::sequence::{SeqOrUid, Sequence, SequenceSet};

#[derive(Debug, PartialEq, Eq)]
pub struct BadSequence(pub u32);

/// `view` is the UIDs of the selected folder in ascending order.
pub fn resolve(set: &SequenceSet, view: &[u32], uid: bool) -> Result<Vec<(u32, u32)>, BadSequence> {
    let mut picked = vec![false; view.len()];
    for seq in set.0.as_ref() {
        let (a, b) = match seq {
            Sequence::Single(x) => (*x, *x),
            Sequence::Range(a, b) => (*a, *b),
        };
        if uid {
            let Some(&last) = view.last() else { continue };
            let a = value(a, last);
            let b = value(b, last);
            let (lo, hi) = (a.min(b), a.max(b));
            let start = view.partition_point(|&u| u < lo);
            let end = view.partition_point(|&u| u <= hi);
            for p in &mut picked[start..end] {
                *p = true;
            }
        } else {
            let last = view.len() as u32;
            if last == 0 {
                // Clients ask `1:*` of empty folders; answer with nothing.
                continue;
            }
            let a = value(a, last);
            let b = value(b, last);
            let (lo, hi) = (a.min(b), a.max(b));
            if hi > last || lo == 0 {
                return Err(BadSequence(hi));
            }
            for p in &mut picked[(lo - 1) as usize..hi as usize] {
                *p = true;
            }
        }
    }
    Ok(picked
        .iter()
        .enumerate()
        .filter(|(_, p)| **p)
        .map(|(i, _)| (i as u32 + 1, view[i]))
        .collect())
}

fn value(x: SeqOrUid, last: u32) -> u32 {
    match x {
        SeqOrUid::Value(v) => v.get(),
        SeqOrUid::Asterisk => last,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(s: &str) -> SequenceSet {
        SequenceSet::try_from(s).unwrap()
    }

    #[test]
    fn uid_ranges_skip_missing_and_star_is_last() {
        let view = [3, 5, 9];
        assert_eq!(
            resolve(&set("1:*"), &view, true).unwrap(),
            vec![(1, 3), (2, 5), (3, 9)]
        );
        assert_eq!(resolve(&set("4:6"), &view, true).unwrap(), vec![(2, 5)]);
        assert_eq!(resolve(&set("10:*"), &view, true).unwrap(), vec![(3, 9)]);
        assert_eq!(resolve(&set("100"), &view, true).unwrap(), vec![]);
        assert_eq!(resolve(&set("1:*"), &[], true).unwrap(), vec![]);
    }

    #[test]
    fn sequence_numbers_are_checked() {
        let view = [3, 5, 9];
        assert_eq!(
            resolve(&set("2,3"), &view, false).unwrap(),
            vec![(2, 5), (3, 9)]
        );
        assert_eq!(resolve(&set("*"), &view, false).unwrap(), vec![(3, 9)]);
        assert_eq!(resolve(&set("4"), &view, false), Err(BadSequence(4)));
    }
}
