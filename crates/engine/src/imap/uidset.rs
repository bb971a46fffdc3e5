//! Compact IMAP UID sets: `[1,2,3,7]` <-> `1:3,7`.

/// Format sorted or unsorted UIDs as a compact sequence set.
pub fn format(uids: &[u32]) -> String {
    let mut v: Vec<u32> = uids.to_vec();
    v.sort_unstable();
    v.dedup();
    let mut out = String::new();
    let mut i = 0;
    while i < v.len() {
        let start = v[i];
        let mut end = start;
        while i + 1 < v.len() && v[i + 1] == end + 1 {
            i += 1;
            end = v[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

/// Expand APPENDUID's uid-set members, in order.
pub fn expand(members: &[async_imap::imap_proto::rfc4315::UidSetMember]) -> Vec<u32> {
    use async_imap::imap_proto::rfc4315::UidSetMember;
    let mut out = Vec::new();
    for m in members {
        match m {
            UidSetMember::Uid(u) => out.push(*u),
            UidSetMember::UidRange(r) => {
                let (a, b) = (*r.start(), *r.end());
                if a <= b {
                    out.extend(a..=b)
                } else {
                    out.extend((b..=a).rev())
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compacts_runs() {
        assert_eq!(format(&[7, 1, 2, 3, 9, 10]), "1:3,7,9:10");
        assert_eq!(format(&[5]), "5");
        assert_eq!(format(&[]), "");
    }

    #[test]
    fn expands_ranges_in_order() {
        use async_imap::imap_proto::rfc4315::UidSetMember as M;
        assert_eq!(expand(&[M::UidRange(4..=6), M::Uid(9)]), vec![4, 5, 6, 9]);
    }
}
