//! The commands about mailboxes: NAMESPACE, LIST/LSUB (with `*`/`%` patterns), STATUS (where
//! `status_zero` lies) and SELECT/EXAMINE (always truthful).

use std::io::{self, Write};

use super::content::{LiarConfig, LiarFolder, Lies};
use super::parse::Arg;
use super::render;
use super::session::Done;

/// The hierarchy separator of the account (the INBOX's, else the first folder's, else `/`).
pub(crate) fn delimiter(config: &LiarConfig) -> char {
    config
        .folders
        .iter()
        .find(|f| f.is_inbox())
        .or(config.folders.first())
        .map_or('/', |f| f.delimiter)
}

fn delimiter_string(d: char) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4];
    // `string` cannot fail on a Vec.
    let _ = render::string(&mut out, d.encode_utf8(&mut buf).as_bytes());
    out
}

pub(crate) fn namespace(out: &mut impl Write, config: &LiarConfig) -> io::Result<Done> {
    out.write_all(b"* NAMESPACE ((\"\" ")?;
    out.write_all(&delimiter_string(delimiter(config)))?;
    out.write_all(b")) NIL NIL\r\n")?;
    Ok(Done::Ok("NAMESPACE completed".into()))
}

/// `LIST reference pattern` (or LSUB: every folder counts as subscribed).
pub(crate) fn list(
    out: &mut impl Write,
    config: &LiarConfig,
    args: &[Arg],
    lsub: bool,
) -> io::Result<Done> {
    let verb = if lsub { "LSUB" } else { "LIST" };
    let [reference, pattern] = args else {
        return Ok(Done::Bad(format!("{verb} takes a reference and a pattern")));
    };
    let (Some(reference), Some(pattern)) = (reference.text(), pattern.text()) else {
        return Ok(Done::Bad(format!("{verb} takes a reference and a pattern")));
    };
    let delim = delimiter(config);
    if pattern.is_empty() {
        if !lsub {
            write!(out, "* LIST (\\Noselect) ")?;
            out.write_all(&delimiter_string(delim))?;
            out.write_all(b" \"\"\r\n")?;
        }
        return Ok(Done::Ok(format!("{verb} completed")));
    }
    let full = format!("{reference}{pattern}");
    for f in &config.folders {
        if !matches(&full, f, delim) {
            continue;
        }
        let mut attrs = f.attributes.clone();
        let marked = attrs.iter().any(|a| {
            a.eq_ignore_ascii_case("\\HasChildren") || a.eq_ignore_ascii_case("\\HasNoChildren")
        });
        if !marked {
            let prefix = format!("{}{}", f.name, f.delimiter);
            let children = config.folders.iter().any(|o| o.name.starts_with(&prefix));
            attrs.push(if children {
                "\\HasChildren".into()
            } else {
                "\\HasNoChildren".into()
            });
        }
        write!(out, "* {verb} {} ", render::flag_list(&attrs))?;
        out.write_all(&delimiter_string(f.delimiter))?;
        out.write_all(b" ")?;
        render::string(out, f.name.as_bytes())?;
        out.write_all(b"\r\n")?;
    }
    Ok(Done::Ok(format!("{verb} completed")))
}

/// Does the LIST pattern (`*` anything, `%` anything but the separator) match the folder?
/// INBOX matches in any case.
fn matches(pattern: &str, folder: &LiarFolder, delim: char) -> bool {
    let name: Vec<char> = folder.name.chars().collect();
    let pat: Vec<char> = if folder.is_inbox() {
        pattern.to_ascii_uppercase().chars().collect()
    } else {
        pattern.chars().collect()
    };
    let name: Vec<char> = if folder.is_inbox() {
        name.iter().map(char::to_ascii_uppercase).collect()
    } else {
        name
    };
    glob(&pat, &name, delim)
}

/// Wildcard match in O(pattern x name).
fn glob(pat: &[char], name: &[char], delim: char) -> bool {
    // reach[j]: the pattern prefix seen so far can match name[..j].
    let mut reach = vec![false; name.len() + 1];
    reach[0] = true;
    for &p in pat {
        let mut next = vec![false; name.len() + 1];
        match p {
            '*' | '%' => {
                for j in 0..=name.len() {
                    next[j] =
                        reach[j] || (j > 0 && next[j - 1] && (p == '*' || name[j - 1] != delim));
                }
            }
            c => {
                for j in 1..=name.len() {
                    next[j] = reach[j - 1] && name[j - 1] == c;
                }
            }
        }
        reach = next;
    }
    reach[name.len()]
}

/// `STATUS name (items)`; the name is echoed as the client spelled it.
pub(crate) fn status(
    out: &mut impl Write,
    config: &LiarConfig,
    lies: Lies,
    args: &[Arg],
) -> io::Result<Done> {
    let (Some(name), Some(Arg::List(items))) = (args.first().and_then(Arg::text), args.get(1))
    else {
        return Ok(Done::Bad(
            "STATUS takes a mailbox and a list of items".into(),
        ));
    };
    if args.len() != 2 || items.is_empty() {
        return Ok(Done::Bad(
            "STATUS takes a mailbox and a list of items".into(),
        ));
    }
    let Some(f) = config.folder(&name) else {
        return Ok(Done::No("[NONEXISTENT] Mailbox doesn't exist".into()));
    };
    let mut parts = Vec::new();
    for item in items {
        let item = item.atom().map(str::to_ascii_uppercase).unwrap_or_default();
        let value = match item.as_str() {
            "MESSAGES" if lies.status_zero => 0,
            "MESSAGES" => f.messages.len() as u64,
            "RECENT" => 0,
            "UNSEEN" if lies.status_zero => 0,
            "UNSEEN" => unseen(f).count() as u64,
            "UIDNEXT" => u64::from(f.uid_next()),
            "UIDVALIDITY" => u64::from(f.uid_validity),
            _ => return Ok(Done::Bad(format!("unsupported STATUS item {item:?}"))),
        };
        parts.push(format!("{item} {value}"));
    }
    out.write_all(b"* STATUS ")?;
    render::string(out, name.as_bytes())?;
    write!(out, " ({})\r\n", parts.join(" "))?;
    Ok(Done::Ok("STATUS completed".into()))
}

fn unseen(f: &LiarFolder) -> impl Iterator<Item = usize> + '_ {
    f.messages
        .iter()
        .enumerate()
        .filter(|(_, m)| !m.flags.iter().any(|fl| fl.eq_ignore_ascii_case("\\Seen")))
        .map(|(i, _)| i + 1)
}

/// SELECT (`read_only` false) or EXAMINE: the folder's index when it exists.
pub(crate) fn select(
    out: &mut impl Write,
    config: &LiarConfig,
    args: &[Arg],
    read_only: bool,
) -> io::Result<(Done, Option<usize>)> {
    let verb = if read_only { "EXAMINE" } else { "SELECT" };
    let Some(name) = args.first().and_then(Arg::text) else {
        return Ok((Done::Bad(format!("{verb} takes a mailbox")), None));
    };
    let Some(index) = config.folders.iter().position(|f| f.is_named(&name)) else {
        return Ok((Done::No("[NONEXISTENT] Mailbox doesn't exist".into()), None));
    };
    let f = &config.folders[index];
    let mut flags: Vec<String> = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for m in &f.messages {
        for fl in &m.flags {
            if !flags.iter().any(|x| x.eq_ignore_ascii_case(fl)) {
                flags.push(fl.clone());
            }
        }
    }
    write!(out, "* FLAGS {}\r\n", render::flag_list(&flags))?;
    if read_only {
        write!(out, "* OK [PERMANENTFLAGS ()] Read-only mailbox.\r\n")?;
    } else {
        flags.push("\\*".into());
        write!(
            out,
            "* OK [PERMANENTFLAGS {}] Flags permitted.\r\n",
            render::flag_list(&flags)
        )?;
    }
    write!(out, "* {} EXISTS\r\n* 0 RECENT\r\n", f.messages.len())?;
    if let Some(first) = unseen(f).next() {
        write!(out, "* OK [UNSEEN {first}] First unseen.\r\n")?;
    }
    write!(
        out,
        "* OK [UIDVALIDITY {}] UIDs valid\r\n* OK [UIDNEXT {}] Predicted next UID\r\n",
        f.uid_validity,
        f.uid_next()
    )?;
    let done = if read_only {
        "[READ-ONLY] Examine completed"
    } else {
        "[READ-WRITE] Select completed"
    };
    Ok((Done::Ok(done.into()), Some(index)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(p: &str, n: &str) -> bool {
        let p: Vec<char> = p.chars().collect();
        let n: Vec<char> = n.chars().collect();
        glob(&p, &n, '/')
    }

    #[test]
    fn list_patterns() {
        assert!(g("*", "Archive/2024"));
        assert!(g("%", "Archive") && !g("%", "Archive/2024"));
        assert!(g("Archive/%", "Archive/2024"));
        assert!(g("Arch*24", "Archive/2024"));
        assert!(!g("Archive", "Archive/2024"));
        assert!(g("", "") && !g("", "x"));
        assert!(g("*a*b*", "xxaxxbxx"));
        let inbox = LiarFolder::new("INBOX");
        assert!(matches("inbox", &inbox, '/') && matches("In%", &inbox, '/'));
        assert!(!matches("sent", &LiarFolder::new("Sent"), '/'));
    }
}
