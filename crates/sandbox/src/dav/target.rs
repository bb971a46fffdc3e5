//! What a request path names: the DAV root, a principal, a home, a collection or an
//! object (`/dav/<login>/calendars/<name>/<object>`), with percent-decoding and the
//! hrefs written back.

use crate::groupware::{is_valid_name, CollectionKind};

/// The resource a path designates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Root,
    Principal(String),
    Home(String, CollectionKind),
    Collection(String, CollectionKind, String),
    Object(String, CollectionKind, String, String),
}

impl Target {
    /// Parse a request path; `None` for anything outside the tree or with a bad name.
    pub fn parse(path: &str) -> Option<Target> {
        let rest = path.strip_prefix("/dav")?;
        if !(rest.is_empty() || rest.starts_with('/')) {
            return None;
        }
        let segments: Vec<String> = rest
            .split('/')
            .filter(|s| !s.is_empty())
            .map(decode)
            .collect::<Option<_>>()?;
        if !segments.iter().all(|s| is_valid_name(s)) {
            return None;
        }
        let login = || segments[0].to_ascii_lowercase();
        let kind = || CollectionKind::from_home_segment(&segments[1]);
        Some(match segments.len() {
            0 => Target::Root,
            1 => Target::Principal(login()),
            2 => Target::Home(login(), kind()?),
            3 => Target::Collection(login(), kind()?, segments[2].clone()),
            4 => Target::Object(login(), kind()?, segments[2].clone(), segments[3].clone()),
            _ => return None,
        })
    }

    /// The login whose tree this is (`None` for the root).
    pub fn login(&self) -> Option<&str> {
        match self {
            Target::Root => None,
            Target::Principal(l)
            | Target::Home(l, _)
            | Target::Collection(l, _, _)
            | Target::Object(l, _, _, _) => Some(l),
        }
    }

    /// The canonical href (collections end with `/`).
    pub fn href(&self) -> String {
        match self {
            Target::Root => "/dav/".into(),
            Target::Principal(l) => format!("/dav/{}/", encode(l)),
            Target::Home(l, k) => format!("/dav/{}/{}/", encode(l), k.home_segment()),
            Target::Collection(l, k, c) => {
                format!("/dav/{}/{}/{}/", encode(l), k.home_segment(), encode(c))
            }
            Target::Object(l, k, c, o) => format!(
                "/dav/{}/{}/{}/{}",
                encode(l),
                k.home_segment(),
                encode(c),
                encode(o)
            ),
        }
    }
}

/// Percent-decode one path segment (must be UTF-8).
pub fn decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = segment.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encode one path segment (unreserved characters and `@` kept).
pub fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@+".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_resources_and_back() {
        assert_eq!(Target::parse("/dav/"), Some(Target::Root));
        assert_eq!(Target::parse("/dav"), Some(Target::Root));
        assert_eq!(
            Target::parse("/dav/A%40x.org/"),
            Some(Target::Principal("a@x.org".into()))
        );
        let t = Target::parse("/dav/a@x.org/calendars/my%20cal/e%201.ics").unwrap();
        assert_eq!(
            t,
            Target::Object(
                "a@x.org".into(),
                CollectionKind::Calendar,
                "my cal".into(),
                "e 1.ics".into()
            )
        );
        assert_eq!(t.href(), "/dav/a@x.org/calendars/my%20cal/e%201.ics");
        assert_eq!(Target::parse("/dav/a/calendars/..%2F/x"), None);
        assert_eq!(Target::parse("/dav/a/other/"), None);
        assert_eq!(Target::parse("/davx"), None);
        assert_eq!(Target::parse("/dav/a/contacts/b/c/d"), None);
        assert_eq!(decode("%zz"), None);
    }
}
