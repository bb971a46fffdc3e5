//! Which destination folder each source folder lands in, by meaning: the
//! source's personal namespace maps onto the destination's (RFC 2342),
//! special-use folders meet across platforms (RFC 6154 flag first, well-known
//! name second), other users' and shared folders stay out unless asked for.
//! Deterministic: the same listing gives the same plan. Pure.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::imap::{utf7, ListedFolder, NamespaceKind, Namespaces, SpecialUse};

/// One source folder and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderPair {
    /// Source name as the server sends it, and decoded for people.
    pub src_raw: String,
    pub src_name: String,
    pub dst_raw: String,
    pub dst_name: String,
    pub special: Option<SpecialUse>,
    /// The destination folder already exists (and can hold mail).
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
    /// Some of `left_out` are in other users' or shared namespaces (they can be
    /// copied into a folder of the destination's own).
    pub others_left_out: bool,
    /// Destination folders the plan needs that the destination will refuse
    /// to create (outside its personal namespace), with why.
    pub refused: Vec<(String, String)>,
}

/// What the plan is made from.
pub struct MapInput<'a> {
    pub src: &'a [ListedFolder],
    pub src_ns: &'a Namespaces,
    pub dst: &'a [ListedFolder],
    pub dst_ns: &'a Namespaces,
    /// The mapping an earlier run chose (source raw -> destination raw).
    pub previous: &'a dyn Fn(&str) -> Option<String>,
    /// Keep a folder, given its path inside the user's namespace with `/`.
    pub keep: &'a dyn Fn(&str) -> bool,
    /// Copy other users' and shared folders into this destination folder
    /// (decoded, `/` between levels) instead of leaving them out.
    pub others_into: Option<&'a str>,
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
    well_known_rank(name).map(|(u, _)| u)
}

/// The use and the position of the name in its list (lower is more usual).
fn well_known_rank(name: &str) -> Option<(SpecialUse, usize)> {
    let lower = name.trim().to_lowercase();
    WELL_KNOWN.iter().find_map(|(u, names)| {
        names
            .iter()
            .position(|n| *n == lower.as_str())
            .map(|i| (*u, i))
    })
}

fn decode(raw: &str) -> String {
    // A server that sends raw UTF-8 (not modified UTF-7) still gets its name kept.
    utf7::decode(raw).unwrap_or_else(|_| raw.to_string())
}

fn is_inbox(name: &str) -> bool {
    name.eq_ignore_ascii_case("INBOX")
}

/// How strongly a folder claims a special use, smallest first: flagged (0)
/// beats named (1), then the name's rank in `WELL_KNOWN`, then the path.
type ClaimKey = (u8, usize, Vec<String>);

/// A folder seen through its namespace: where it is, relative to the prefix.
#[derive(Debug, Clone)]
struct Located<'a> {
    folder: &'a ListedFolder,
    kind: NamespaceKind,
    /// Path components inside the namespace (decoded); `["INBOX"]` for INBOX.
    rel: Vec<String>,
    /// The namespace's prefix (decoded), for the report.
    prefix: String,
}

fn locate<'a>(f: &'a ListedFolder, ns: &Namespaces) -> Located<'a> {
    let name = decode(&f.raw);
    if is_inbox(&name) {
        return Located {
            folder: f,
            kind: NamespaceKind::Personal,
            rel: vec!["INBOX".into()],
            prefix: String::new(),
        };
    }
    let (kind, space) = ns.classify(&f.raw);
    let delim = space.delimiter.or(f.delimiter);
    let prefix = decode(&space.prefix);
    let rest = if name.len() >= prefix.len() && name[..prefix.len()].eq_ignore_ascii_case(&prefix) {
        &name[prefix.len()..]
    } else {
        // The namespace root itself (`shared` for `shared/`), or no match.
        ""
    };
    let rest = if rest.is_empty() && kind == NamespaceKind::Personal {
        name.as_str()
    } else {
        rest
    };
    let rel = match delim {
        Some(d) => rest.split(d).map(str::to_string).collect(),
        None => vec![rest.to_string()],
    };
    Located {
        folder: f,
        kind,
        rel,
        prefix,
    }
}

/// The destination's side of the plan: its personal namespace and folders.
struct Destination {
    prefix: String,
    sep: char,
    /// Decoded names of selectable folders (lower-cased INBOX folded).
    selectable: BTreeSet<String>,
    /// Relative path of the folder of each special use, chosen by rule.
    special: BTreeMap<SpecialUse, Vec<String>>,
}

impl Destination {
    fn new(dst: &[ListedFolder], ns: &Namespaces, src_sep: Option<char>) -> Destination {
        let personal = ns.personal();
        let sep = personal
            .delimiter
            .or_else(|| dst.iter().find_map(|f| f.delimiter))
            .or(src_sep)
            .unwrap_or('/');
        let prefix = decode(&personal.prefix);
        let selectable = dst
            .iter()
            .filter(|f| !f.noselect)
            .map(|f| decode(&f.raw))
            .collect();
        // Candidates per use: (by flag first, then name rank, then path).
        let mut candidates: BTreeMap<SpecialUse, Vec<(ClaimKey, Vec<String>)>> = BTreeMap::new();
        for f in dst.iter().filter(|f| !f.noselect) {
            let l = locate(f, ns);
            if l.kind != NamespaceKind::Personal || l.rel == ["INBOX"] {
                continue;
            }
            if let Some(u) = f.special {
                candidates
                    .entry(u)
                    .or_default()
                    .push(((0, 0, l.rel.clone()), l.rel.clone()));
            } else if l.rel.len() == 1 {
                if let Some((u, rank)) = well_known_rank(&l.rel[0]) {
                    candidates
                        .entry(u)
                        .or_default()
                        .push(((1, rank, l.rel.clone()), l.rel.clone()));
                }
            }
        }
        let special = candidates
            .into_iter()
            .filter_map(|(u, mut v)| {
                v.sort();
                v.into_iter().next().map(|(_, rel)| (u, rel))
            })
            .collect();
        Destination {
            prefix,
            sep,
            selectable,
            special,
        }
    }

    /// The full decoded destination name for a relative path.
    fn name(&self, rel: &[String]) -> String {
        if rel.len() == 1 && is_inbox(&rel[0]) {
            return "INBOX".into();
        }
        let mut rel: &[String] = rel;
        // A child of INBOX on a server without prefix becomes a child of
        // INBOX's namespace on an `INBOX.` server: where clients show it.
        if rel.len() > 1 && is_inbox(&rel[0]) && is_inbox(self.prefix.trim_end_matches(self.sep)) {
            rel = &rel[1..];
        }
        let comps: Vec<String> = rel.iter().map(|c| c.replace(self.sep, "_")).collect();
        format!("{}{}", self.prefix, comps.join(&self.sep.to_string()))
    }

    /// Whether the destination will accept CREATE of this decoded name.
    fn refuses(&self, name: &str) -> Option<String> {
        if is_inbox(name) || self.prefix.is_empty() {
            return None;
        }
        let under = name.len() > self.prefix.len()
            && name[..self.prefix.len()].eq_ignore_ascii_case(&self.prefix);
        (!under).then(|| {
            format!(
                "outside the destination's personal namespace {:?}: the server will refuse to create it",
                self.prefix
            )
        })
    }
}

/// Plan the folder mapping.
///
/// Rules, in order: a mapping an earlier run chose wins (re-runs never
/// scatter mail), if it is still valid on the destination; INBOX goes to
/// INBOX; for each special use the destination has, one source folder
/// takes it (the flagged one, else the best-known name, then the first by
/// name) and its subfolders follow it; every other folder keeps its path
/// inside the personal namespace. A name taken twice gets " (2)", " (3)".
pub fn plan(input: &MapInput<'_>) -> FolderMap {
    let src_sep = input
        .src_ns
        .personal()
        .delimiter
        .or_else(|| input.src.iter().find_map(|f| f.delimiter));
    let dest = Destination::new(input.dst, input.dst_ns, src_sep);
    let mut map = FolderMap::default();

    let mut sources: Vec<Located<'_>> = input.src.iter().map(|f| locate(f, input.src_ns)).collect();
    sources.sort_by(|a, b| a.folder.raw.cmp(&b.folder.raw));

    // Which source folder takes each special use the destination has.
    let mut owners: BTreeMap<SpecialUse, (ClaimKey, Vec<String>)> = BTreeMap::new();
    for l in sources
        .iter()
        .filter(|l| l.kind == NamespaceKind::Personal && !l.folder.noselect)
    {
        if l.rel == ["INBOX"] {
            continue;
        }
        let claim = match l.folder.special {
            Some(u) => Some((u, (0u8, 0usize, l.rel.clone()))),
            None if l.rel.len() == 1 => {
                well_known_rank(&l.rel[0]).map(|(u, rank)| (u, (1u8, rank, l.rel.clone())))
            }
            None => None,
        };
        if let Some((u, key)) = claim {
            if !dest.special.contains_key(&u) {
                continue;
            }
            let better = owners.get(&u).is_none_or(|(k, _)| key < *k);
            if better {
                owners.insert(u, (key, l.rel.clone()));
            }
        }
    }
    // Longest owner path first, so nested special folders win over parents.
    let mut remaps: Vec<(Vec<String>, Vec<String>, SpecialUse)> = owners
        .iter()
        .map(|(u, (_, rel))| (rel.clone(), dest.special[u].clone(), *u))
        .collect();
    remaps.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));

    struct Wanted<'a> {
        l: Located<'a>,
        name: String,
        special: Option<SpecialUse>,
        tier: u8,
    }
    let mut wanted: Vec<Wanted<'_>> = Vec::new();
    for l in sources {
        if l.folder.noselect {
            continue; // Parents appear through their children.
        }
        let shown = decode(&l.folder.raw);
        let (rel, tier) = match l.kind {
            NamespaceKind::Personal => (l.rel.clone(), 2u8),
            kind => match input.others_into {
                None => {
                    map.left_out.push((
                        shown,
                        format!("{} (namespace {:?}), not copied", kind.describe(), l.prefix),
                    ));
                    map.others_left_out = true;
                    continue;
                }
                Some(into) => {
                    let mut rel: Vec<String> = into.split('/').map(str::to_string).collect();
                    let root = l.prefix.trim_end_matches(|c| Some(c) == l.folder.delimiter);
                    if !root.is_empty() {
                        rel.push(root.to_string());
                    }
                    rel.extend(l.rel.iter().filter(|c| !c.is_empty()).cloned());
                    (rel, 3u8)
                }
            },
        };
        let logical = rel.join("/");
        if !(input.keep)(&logical) {
            map.left_out
                .push((shown, "excluded by the folder filter".into()));
            continue;
        }
        let special = l.folder.special.or_else(|| {
            (l.kind == NamespaceKind::Personal && rel.len() == 1)
                .then(|| well_known(&rel[0]))
                .flatten()
        });
        // An earlier run's choice, while the destination would still take it.
        if let Some(prev) = (input.previous)(&l.folder.raw) {
            let prev_name = decode(&prev);
            if dest.refuses(&prev_name).is_none() {
                wanted.push(Wanted {
                    l,
                    name: prev_name,
                    special,
                    tier: 0,
                });
                continue;
            }
        }
        let remapped = remaps.iter().find_map(|(from, to, _)| {
            (l.kind == NamespaceKind::Personal
                && rel.len() >= from.len()
                && rel[..from.len()] == from[..])
                .then(|| {
                    let mut r = to.clone();
                    r.extend(rel[from.len()..].iter().cloned());
                    r
                })
        });
        let tier = if rel == ["INBOX"] {
            0
        } else if remapped.is_some() {
            1
        } else {
            tier
        };
        let name = dest.name(remapped.as_deref().unwrap_or(&rel));
        wanted.push(Wanted {
            l,
            name,
            special,
            tier,
        });
    }

    // Claim names tier by tier (earlier choices, INBOX, special folders,
    // the rest, other namespaces), each tier in name order.
    wanted.sort_by(|a, b| {
        a.tier
            .cmp(&b.tier)
            .then(a.l.folder.raw.cmp(&b.l.folder.raw))
    });
    let mut used: HashMap<String, String> = HashMap::new(); // lower-case dst name -> src raw
    let mut create: BTreeSet<String> = BTreeSet::new();
    for w in wanted {
        let mut name = w.name.clone();
        let mut n = 2;
        while used
            .get(&name.to_lowercase())
            .is_some_and(|s| s != &w.l.folder.raw)
        {
            name = format!("{} ({n})", w.name);
            n += 1;
        }
        used.insert(name.to_lowercase(), w.l.folder.raw.clone());
        let dst_exists = is_inbox(&name) || dest.selectable.contains(&name);
        if !dst_exists {
            match dest.refuses(&name) {
                Some(why) => map.refused.push((name.clone(), why)),
                // Only the folder itself: CREATE makes implied parents (RFC 3501
                // 6.3.3), and a parent that is not a folder on the source should
                // not become one on the destination.
                None => {
                    create.insert(name.clone());
                }
            }
        }
        map.pairs.push(FolderPair {
            src_raw: w.l.folder.raw.clone(),
            src_name: decode(&w.l.folder.raw),
            dst_raw: utf7::encode(&name),
            dst_name: name,
            special: w.special,
            dst_exists,
        });
    }
    map.pairs.sort_by(|a, b| a.src_raw.cmp(&b.src_raw));
    // Name order puts every parent before its children.
    map.to_create = create.into_iter().map(|n| utf7::encode(&n)).collect();
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::namespace;

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

    fn plan_with(
        src: &[ListedFolder],
        src_ns: &Namespaces,
        dst: &[ListedFolder],
        dst_ns: &Namespaces,
    ) -> FolderMap {
        plan(&MapInput {
            src,
            src_ns,
            dst,
            dst_ns,
            previous: &none,
            keep: &all,
            others_into: None,
        })
    }

    fn simple(src: &[ListedFolder], dst: &[ListedFolder]) -> FolderMap {
        plan_with(
            src,
            &Namespaces::inferred(src),
            dst,
            &Namespaces::inferred(dst),
        )
    }

    fn by(m: &FolderMap) -> HashMap<String, String> {
        m.pairs
            .iter()
            .map(|p| (p.src_name.clone(), p.dst_name.clone()))
            .collect()
    }

    fn cpanel() -> (Vec<ListedFolder>, Namespaces) {
        let ns = namespace::parse(br#"(("INBOX." ".")) NIL (("Public." "."))"#).unwrap();
        let l = vec![
            lf("INBOX", '.', None, false),
            lf("INBOX.Sent", '.', Some(SpecialUse::Sent), false),
            lf("INBOX.Drafts", '.', Some(SpecialUse::Drafts), false),
            lf("INBOX.Trash", '.', Some(SpecialUse::Trash), false),
            lf("INBOX.Junk", '.', Some(SpecialUse::Junk), false),
            lf("INBOX.Archive", '.', Some(SpecialUse::Archive), false),
            lf("INBOX.Archive.2023", '.', None, false),
            lf("INBOX.Clients", '.', None, false),
            lf("INBOX.Clients.Acme", '.', None, false),
            lf("Public", '.', None, true),
            lf("Public.News", '.', None, false),
        ];
        (l, ns)
    }

    fn plain_dst() -> (Vec<ListedFolder>, Namespaces) {
        let ns = namespace::parse(br#"(("" "/")) NIL NIL"#).unwrap();
        let l = vec![
            lf("INBOX", '/', None, false),
            lf("Sent", '/', Some(SpecialUse::Sent), false),
            lf("Trash", '/', Some(SpecialUse::Trash), false),
            lf("Junk", '/', Some(SpecialUse::Junk), false),
            lf("Drafts", '/', Some(SpecialUse::Drafts), false),
            lf("Archive", '/', Some(SpecialUse::Archive), false),
        ];
        (l, ns)
    }

    #[test]
    fn an_inbox_prefixed_source_lands_in_place_on_a_plain_server() {
        let (src, sns) = cpanel();
        let (dst, dns) = plain_dst();
        let m = plan_with(&src, &sns, &dst, &dns);
        let b = by(&m);
        assert_eq!(b["INBOX"], "INBOX");
        assert_eq!(b["INBOX.Sent"], "Sent");
        assert_eq!(b["INBOX.Trash"], "Trash");
        assert_eq!(b["INBOX.Archive"], "Archive");
        assert_eq!(b["INBOX.Archive.2023"], "Archive/2023");
        assert_eq!(b["INBOX.Clients.Acme"], "Clients/Acme");
        assert!(m.pairs.iter().all(|p| !p.dst_name.starts_with("INBOX/")));
        assert!(!b.contains_key("Public.News"), "shared folder left out");
        assert!(m
            .left_out
            .iter()
            .any(|(n, why)| n == "Public.News" && why.contains("shared")));
        assert!(m.refused.is_empty());
        assert_eq!(m.to_create, vec!["Archive/2023", "Clients", "Clients/Acme"]);
    }

    #[test]
    fn a_plain_source_lands_under_the_prefix_of_an_inbox_server() {
        let (dst, dns) = cpanel();
        let (src, sns) = plain_dst();
        let mut src = src;
        src.push(lf("Archive/2023", '/', None, false));
        src.push(lf("Projets", '/', None, false));
        src.push(lf("INBOX/child", '/', None, false));
        let m = plan_with(&src, &sns, &dst, &dns);
        let b = by(&m);
        assert_eq!(b["Sent"], "INBOX.Sent");
        assert_eq!(b["Archive/2023"], "INBOX.Archive.2023");
        assert_eq!(b["Projets"], "INBOX.Projets");
        assert_eq!(b["INBOX/child"], "INBOX.child");
        assert!(m.refused.is_empty(), "{:?}", m.refused);
        assert!(
            m.to_create.iter().all(|n| n.starts_with("INBOX.")),
            "{:?}",
            m.to_create
        );
    }

    #[test]
    fn the_plan_is_the_same_whatever_the_listing_order() {
        let (mut src, sns) = cpanel();
        src.push(lf("INBOX.Sent Items", '.', None, false));
        src.push(lf("INBOX.Deleted Items", '.', None, false));
        let (dst, dns) = plain_dst();
        let first = plan_with(&src, &sns, &dst, &dns);
        let mut rng = 12345u64;
        for _ in 0..50 {
            // A small deterministic shuffle.
            for i in (1..src.len()).rev() {
                rng = rng
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let j = (rng >> 33) as usize % (i + 1);
                src.swap(i, j);
            }
            assert_eq!(plan_with(&src, &sns, &dst, &dns), first);
        }
    }

    #[test]
    fn the_flagged_sent_folder_wins_and_the_other_keeps_its_name() {
        let src = vec![
            lf("Sent", '/', None, false),
            lf("Sent Items", '/', Some(SpecialUse::Sent), false),
        ];
        let (dst, _) = plain_dst();
        let b = by(&simple(&src, &dst));
        assert_eq!(b["Sent Items"], "Sent");
        assert_eq!(b["Sent"], "Sent (2)");
    }

    #[test]
    fn other_users_folders_are_left_out_or_copied_where_asked() {
        let src_ns = namespace::parse(br#"(("INBOX." ".")) (("user." ".")) (("" "."))"#).unwrap();
        let src = vec![
            lf("INBOX", '.', None, false),
            lf("INBOX.Work", '.', None, false),
            lf("user.bob", '.', None, false),
            lf("user.bob.Shared", '.', None, false),
            lf("announce", '.', None, false),
        ];
        let (dst, dns) = plain_dst();
        let m = plan_with(&src, &src_ns, &dst, &dns);
        assert_eq!(m.pairs.len(), 2);
        assert_eq!(m.left_out.len(), 3);
        let into = plan(&MapInput {
            src: &src,
            src_ns: &src_ns,
            dst: &dst,
            dst_ns: &dns,
            previous: &none,
            keep: &all,
            others_into: Some("Other people"),
        });
        let b = by(&into);
        assert_eq!(b["user.bob.Shared"], "Other people/user/bob/Shared");
        assert_eq!(b["announce"], "Other people/announce");
        assert!(into.left_out.is_empty());
    }

    #[test]
    fn translates_separator_and_encodes_names() {
        let src = vec![
            lf("INBOX", '/', None, false),
            lf("Clients", '/', None, true),
            lf(&utf7::encode("Clients/Société & Co"), '/', None, false),
        ];
        let dst = vec![lf("INBOX", '.', None, false)];
        let m = simple(&src, &dst);
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
        assert!(m
            .pairs
            .iter()
            .any(|p| p.dst_name == "INBOX" && p.dst_exists));
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
        let m = simple(&src, &dst);
        let b = by(&m);
        assert_eq!(b["Sent Items"], "Sent");
        assert_eq!(b["Sent Items/2019"], "Sent.2019");
        assert_eq!(b["Deleted Items"], "Corbeille");
        assert_eq!(
            b["Archives"], "Archives",
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
        let b = by(&simple(&src, &dst));
        assert_eq!(b["Sent Items"], "Envoyés");
        assert_eq!(b["Sent"], "Sent");
    }

    #[test]
    fn an_implied_parent_with_a_special_name_is_not_remapped() {
        let src = vec![
            lf("Archives", '/', None, true),
            lf("Archives/2023", '/', None, false),
        ];
        let dst = vec![lf("Archive", '.', Some(SpecialUse::Archive), false)];
        let m = simple(&src, &dst);
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
        let m = simple(&src, &dst);
        let names: BTreeSet<_> = m.pairs.iter().map(|p| p.dst_name.clone()).collect();
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(names.contains("a_b") && names.contains("a_b (2)") && names.contains("a"));
    }

    #[test]
    fn previous_mapping_wins_unless_the_destination_would_refuse_it_and_filters_apply() {
        let src = vec![
            lf("Work", '/', None, false),
            lf("Spam", '/', None, false),
            lf("Old", '/', None, false),
        ];
        let dst = vec![lf("INBOX", '/', None, false)];
        let prev = |s: &str| match s {
            "Work" => Some("Old Work".to_string()),
            _ => None,
        };
        let keep = |n: &str| n != "Spam";
        let ns = Namespaces::inferred(&dst);
        let m = plan(&MapInput {
            src: &src,
            src_ns: &Namespaces::inferred(&src),
            dst: &dst,
            dst_ns: &ns,
            previous: &prev,
            keep: &keep,
            others_into: None,
        });
        assert_eq!(by(&m)["Work"], "Old Work");
        assert_eq!(m.left_out.len(), 1);

        // An earlier (wrong) choice outside an INBOX. namespace is not reused.
        let (cp, cpns) = cpanel();
        let prev = |s: &str| (s == "Old").then(|| "Old".to_string());
        let m = plan(&MapInput {
            src: &src,
            src_ns: &Namespaces::inferred(&src),
            dst: &cp,
            dst_ns: &cpns,
            previous: &prev,
            keep: &all,
            others_into: None,
        });
        assert_eq!(by(&m)["Old"], "INBOX.Old");
        assert!(m.refused.is_empty());
    }

    #[test]
    fn names_outside_the_destination_namespace_are_predicted_refused() {
        let (cp, cpns) = cpanel();
        let d = Destination::new(&cp, &cpns, Some('/'));
        assert!(d.refuses("INBOX").is_none());
        assert!(d.refuses("INBOX.Work").is_none());
        assert!(d.refuses("Work").unwrap().contains("personal namespace"));
    }

    #[test]
    fn undecodable_names_are_kept_verbatim() {
        let src = vec![lf("Caf\u{e9}", '/', None, false)];
        let dst = vec![lf("INBOX", '/', None, false)];
        let m = simple(&src, &dst);
        assert_eq!(m.pairs[0].dst_name, "Café");
        assert_eq!(m.pairs[0].dst_raw, "Caf&AOk-");
    }
}
