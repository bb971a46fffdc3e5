//! Which destination folder each source folder lands in: hierarchy
//! separators translated, special-use folders matched across platforms,
//! names decoded from and re-encoded to modified UTF-7. Pure.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::imap::{utf7, ListedFolder, SpecialUse};

/// One source folder and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderPair {
    /// Source name as the server sends it, and decoded for people.
    pub src_raw: String,
    pub src_name: String,
    pub dst_raw: String,
    pub dst_name: String,
    pub special: Option<SpecialUse>,
    /// The destination folder already exists.
    pub dst_exists: bool,
}

/// Destination folders to create (parents first) and the pairs to copy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FolderMap {
    pub pairs: Vec<FolderPair>,
    /// Raw destination names to CREATE, parents before children.
    pub to_create: Vec<String>,
    /// Source folders left out, with why (for the report).
    pub left_out: Vec<(String, String)>,
}

const WELL_KNOWN: &[(SpecialUse, &[&str])] = &[
    (
        SpecialUse::Sent,
        &[
            "sent",
            "sent items",
            "sent messages",
            "sent mail",
            "envoyés",
            "éléments envoyés",
            "gesendet",
            "gesendete elemente",
            "enviados",
            "inviati",
            "posta inviata",
        ],
    ),
    (
        SpecialUse::Drafts,
        &["drafts", "brouillons", "entwürfe", "borradores", "bozze"],
    ),
    (
        SpecialUse::Trash,
        &[
            "trash",
            "deleted items",
            "deleted messages",
            "bin",
            "corbeille",
            "éléments supprimés",
            "papierkorb",
            "gelöschte elemente",
            "papelera",
            "cestino",
        ],
    ),
    (
        SpecialUse::Junk,
        &[
            "junk",
            "spam",
            "junk e-mail",
            "junk email",
            "bulk mail",
            "courrier indésirable",
            "pourriel",
            "spam-verdacht",
            "junk-e-mail",
        ],
    ),
    (
        SpecialUse::Archive,
        &["archive", "archives", "archiv", "archivio"],
    ),
];

/// The special use a folder name suggests (top-level names only).
pub fn well_known(name: &str) -> Option<SpecialUse> {
    let lower = name.trim().to_lowercase();
    WELL_KNOWN
        .iter()
        .find(|(_, names)| names.contains(&lower.as_str()))
        .map(|(u, _)| *u)
}

fn decode(raw: &str) -> String {
    // A server that sends raw UTF-8 (not modified UTF-7) still gets its name kept.
    utf7::decode(raw).unwrap_or_else(|_| raw.to_string())
}

fn split(name: &str, delim: Option<char>) -> Vec<String> {
    match delim {
        Some(d) => name.split(d).map(str::to_string).collect(),
        None => vec![name.to_string()],
    }
}

fn is_inbox(name: &str) -> bool {
    name.eq_ignore_ascii_case("INBOX")
}

/// Plan the folder mapping.
///
/// `previous` gives the mapping an earlier run chose (source raw -> dest raw),
/// which always wins so that re-runs never scatter mail into new folders.
/// `keep` filters source folders by their decoded name.
pub fn plan(
    src: &[ListedFolder],
    dst: &[ListedFolder],
    previous: &dyn Fn(&str) -> Option<String>,
    keep: &dyn Fn(&str) -> bool,
) -> FolderMap {
    let src_delim = src.iter().find_map(|f| f.delimiter);
    let dst_delim = dst.iter().find_map(|f| f.delimiter).or(src_delim);
    let dst_names: HashMap<String, &ListedFolder> =
        dst.iter().map(|f| (decode(&f.raw), f)).collect();
    let dst_raw_set: HashSet<&str> = dst.iter().map(|f| f.raw.as_str()).collect();

    // Destination special folders: by attribute first, then by well-known top-level name.
    let mut dst_special: HashMap<SpecialUse, Vec<String>> = HashMap::new();
    for f in dst.iter().filter(|f| !f.noselect) {
        if let Some(u) = f.special {
            dst_special.entry(u).or_default().push(decode(&f.raw));
        }
    }
    for f in dst.iter().filter(|f| !f.noselect && f.special.is_none()) {
        let name = decode(&f.raw);
        if split(&name, dst_delim).len() == 1 {
            if let Some(u) = well_known(&name) {
                dst_special.entry(u).or_default().push(name);
            }
        }
    }
    for v in dst_special.values_mut() {
        v.sort();
    }

    let mut sources: Vec<&ListedFolder> = src.iter().collect();
    sources.sort_by(|a, b| a.raw.cmp(&b.raw));

    // Which source top-level folder takes each destination special folder:
    // one with the attribute beats one known only by name.
    let mut special_owner: HashMap<SpecialUse, String> = HashMap::new();
    for pass in 0..2 {
        // A \Noselect parent holds no mail: it never claims a special folder.
        for f in sources.iter().filter(|f| !f.noselect) {
            let name = decode(&f.raw);
            let parts = split(&name, src_delim);
            let u = if pass == 0 {
                f.special
            } else if parts.len() == 1 {
                well_known(&name)
            } else {
                None
            };
            if let Some(u) = u {
                if dst_special.contains_key(&u) {
                    special_owner.entry(u).or_insert_with(|| parts[0].clone());
                }
            }
        }
    }
    let remap_top: HashMap<String, String> = special_owner
        .iter()
        .map(|(u, top)| (top.clone(), dst_special[u][0].clone()))
        .collect();

    let mut map = FolderMap::default();
    let mut used: HashMap<String, String> = HashMap::new(); // dst name -> src raw
    let mut wanted: BTreeMap<String, ()> = BTreeMap::new();
    let dst_sep = dst_delim.unwrap_or('/');

    for f in sources {
        let name = decode(&f.raw);
        if f.noselect {
            continue; // Parents appear through their children.
        }
        if !keep(&name) {
            map.left_out
                .push((name.clone(), "excluded by --include/--exclude".into()));
            continue;
        }
        let parts = split(&name, src_delim);
        let special = f
            .special
            .or_else(|| (parts.len() == 1).then(|| well_known(&name)).flatten());

        let dst_name = if let Some(prev) = previous(&f.raw) {
            decode(&prev)
        } else if is_inbox(&name) {
            "INBOX".to_string()
        } else {
            let mut comps: Vec<String> = parts.iter().map(|c| c.replace(dst_sep, "_")).collect();
            if is_inbox(&comps[0]) {
                comps[0] = "INBOX".into();
            }
            if let Some(new_top) = remap_top.get(&parts[0]) {
                let mut head = split(new_top, dst_delim);
                head.extend(comps.drain(1..));
                comps = head;
            }
            let mut candidate = comps.join(&dst_sep.to_string());
            let mut n = 2;
            while used.get(&candidate).is_some_and(|s| s != &f.raw) {
                candidate = format!("{} ({n})", comps.join(&dst_sep.to_string()));
                n += 1;
            }
            candidate
        };
        used.insert(dst_name.clone(), f.raw.clone());
        let dst_raw = utf7::encode(&dst_name);
        let dst_exists = dst_raw_set.contains(dst_raw.as_str())
            || dst_names.get(&dst_name).is_some_and(|d| !d.noselect)
            || is_inbox(&dst_name);
        if !dst_exists {
            // Only the folder itself: CREATE makes implied parents (RFC 3501
            // 6.3.3), and a parent that is not a folder on the source should
            // not become one on the destination.
            wanted.insert(dst_name.clone(), ());
        }
        map.pairs.push(FolderPair {
            src_raw: f.raw.clone(),
            src_name: name,
            dst_raw,
            dst_name,
            special,
            dst_exists,
        });
    }
    // BTreeMap order puts every parent before its children.
    map.to_create = wanted.into_keys().map(|n| utf7::encode(&n)).collect();
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lf(raw: &str, delim: char, special: Option<SpecialUse>, noselect: bool) -> ListedFolder {
        ListedFolder {
            raw: raw.into(),
            delimiter: Some(delim),
            noselect,
            special,
        }
    }

    fn none(_: &str) -> Option<String> {
        None
    }
    fn all(_: &str) -> bool {
        true
    }

    #[test]
    fn translates_separator_and_encodes_names() {
        let src = vec![
            lf("INBOX", '/', None, false),
            lf("Clients", '/', None, true),
            lf(&utf7::encode("Clients/Société & Co"), '/', None, false),
        ];
        let dst = vec![lf("INBOX", '.', None, false)];
        let m = plan(&src, &dst, &none, &all);
        let p = m
            .pairs
            .iter()
            .find(|p| p.src_name.starts_with("Clients/"))
            .unwrap();
        assert_eq!(p.src_name, "Clients/Société & Co");
        assert_eq!(p.dst_name, "Clients.Société & Co");
        assert_eq!(p.dst_raw, "Clients.Soci&AOk-t&AOk- &- Co");
        assert_eq!(
            m.to_create,
            vec![p.dst_raw.clone()],
            "implied parent left to the server"
        );
        assert!(
            m.pairs
                .iter()
                .any(|p| p.dst_name == "INBOX" && p.dst_exists),
            "INBOX always exists"
        );
        assert_eq!(m.pairs.len(), 2, "\\Noselect parent is not copied");
    }

    #[test]
    fn special_use_folders_meet_across_names() {
        let src = vec![
            lf("Sent Items", '/', None, false),
            lf("Sent Items/2019", '/', None, false),
            lf("Deleted Items", '/', Some(SpecialUse::Trash), false),
            lf("Archives", '/', None, false),
        ];
        let dst = vec![
            lf("INBOX", '.', None, false),
            lf("Sent", '.', Some(SpecialUse::Sent), false),
            lf("Corbeille", '.', Some(SpecialUse::Trash), false),
        ];
        let m = plan(&src, &dst, &none, &all);
        let by: HashMap<_, _> = m
            .pairs
            .iter()
            .map(|p| (p.src_name.as_str(), p.dst_name.as_str()))
            .collect();
        assert_eq!(by["Sent Items"], "Sent");
        assert_eq!(by["Sent Items/2019"], "Sent.2019");
        assert_eq!(by["Deleted Items"], "Corbeille");
        assert_eq!(
            by["Archives"], "Archives",
            "no archive folder on the destination: name kept"
        );
        assert!(m.to_create.contains(&"Sent.2019".to_string()));
        assert!(!m.to_create.contains(&"Sent".to_string()));
    }

    #[test]
    fn attribute_beats_name_when_two_sources_claim_the_same_special() {
        let src = vec![
            lf("Sent", '/', None, false),
            lf("Sent Items", '/', Some(SpecialUse::Sent), false),
        ];
        let dst = vec![ListedFolder {
            raw: utf7::encode("Envoyés"),
            ..lf("", '/', Some(SpecialUse::Sent), false)
        }];
        let m = plan(&src, &dst, &none, &all);
        let by: HashMap<_, _> = m
            .pairs
            .iter()
            .map(|p| (p.src_name.as_str(), p.dst_name.as_str()))
            .collect();
        assert_eq!(by["Sent Items"], "Envoyés");
        assert_eq!(by["Sent"], "Sent");
    }

    #[test]
    fn an_implied_parent_with_a_special_name_is_not_remapped() {
        let src = vec![
            lf("Archives", '/', None, true),
            lf("Archives/2023", '/', None, false),
        ];
        let dst = vec![lf("Archive", '.', Some(SpecialUse::Archive), false)];
        let m = plan(&src, &dst, &none, &all);
        assert_eq!(m.pairs[0].dst_name, "Archives.2023");
    }

    #[test]
    fn clashing_names_after_translation_stay_apart() {
        // Source uses '/', so "a.b" is one folder; on a '.' destination it
        // would become a child of "a". It becomes "a_b" instead.
        let src = vec![
            lf("a.b", '/', None, false),
            lf("a_b", '/', None, false),
            lf("a", '/', None, false),
        ];
        let dst = vec![lf("INBOX", '.', None, false)];
        let m = plan(&src, &dst, &none, &all);
        let names: HashSet<_> = m.pairs.iter().map(|p| p.dst_name.clone()).collect();
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(names.contains("a_b") && names.contains("a_b (2)") && names.contains("a"));
    }

    #[test]
    fn previous_mapping_wins_and_filters_apply() {
        let src = vec![lf("Work", '/', None, false), lf("Spam", '/', None, false)];
        let dst = vec![lf("INBOX", '/', None, false)];
        let prev = |s: &str| (s == "Work").then(|| "Old Work".to_string());
        let keep = |n: &str| n != "Spam";
        let m = plan(&src, &dst, &prev, &keep);
        assert_eq!(m.pairs.len(), 1);
        assert_eq!(m.pairs[0].dst_name, "Old Work");
        assert_eq!(m.left_out.len(), 1);
    }

    #[test]
    fn undecodable_names_are_kept_verbatim() {
        let src = vec![lf("Caf\u{e9}", '/', None, false)];
        let dst = vec![lf("INBOX", '/', None, false)];
        let m = plan(&src, &dst, &none, &all);
        assert_eq!(m.pairs[0].dst_name, "Café");
        assert_eq!(m.pairs[0].dst_raw, "Caf&AOk-");
    }
}
