//! Hrefs: absolute paths in one canonical percent-encoding, so the same resource always
//! compares equal however the server spelled it (`%40` vs `@`, lower-case hex, raw UTF-8).

use percent_encoding::{
    percent_decode_str, percent_encode, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC,
};
use reqwest::Url;

/// What is encoded inside one path segment of a canonical path: everything but the
/// unreserved characters, the sub-delims, `:` and `@` (so a `/` inside a segment is `%2F`).
const SEGMENT_ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// What is encoded in a name a person chose: everything but the unreserved characters.
const NAME_ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Canonical form of a path: each segment is decoded, then every byte outside the plain
/// set is encoded again with upper-case hex, so `%XX` of a plain byte comes out literal
/// and a `%2F` stays encoded (it is inside a segment).
pub fn canonical_path(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            let bytes: Vec<u8> = percent_decode_str(segment).collect();
            percent_encode(&bytes, SEGMENT_ESCAPED).to_string()
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Encode one path segment chosen by a person (a new collection's name): everything but
/// unreserved characters is percent-encoded, `/` included.
pub fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, NAME_ESCAPED).to_string()
}

/// Resolve `href` (absolute URL, absolute path or relative) against `base` and return the
/// canonical absolute path.
pub fn resolve(base: &Url, href: &str) -> Option<String> {
    let joined = base.join(href.trim()).ok()?;
    Some(canonical_path(joined.path()))
}

/// Make sure a collection href ends with `/`.
pub fn as_collection(href: &str) -> String {
    if href.ends_with('/') {
        href.to_string()
    } else {
        format!("{href}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_decodes_plain_and_encodes_the_rest() {
        assert_eq!(canonical_path("/a/ev%40x.org.ics"), "/a/ev@x.org.ics");
        assert_eq!(canonical_path("/a/b c/%e9t%C3%A9"), "/a/b%20c/%E9t%C3%A9");
        assert_eq!(canonical_path("/a/x%2Fy/"), "/a/x%2Fy/");
        assert_eq!(canonical_path("/a/é"), "/a/%C3%A9");
        assert_eq!(canonical_path("/a/100%"), "/a/100%25");
        assert_eq!(canonical_path("/a/%zz"), "/a/%25zz");
    }

    #[test]
    fn resolve_relative_absolute_and_full_urls() {
        let base = Url::parse("http://h:1/alice/cal/").unwrap();
        assert_eq!(resolve(&base, "x.ics").unwrap(), "/alice/cal/x.ics");
        assert_eq!(resolve(&base, "/bob/").unwrap(), "/bob/");
        assert_eq!(
            resolve(&base, "http://h:1/alice/c%61l/").unwrap(),
            "/alice/cal/"
        );
    }

    #[test]
    fn segments_are_fully_encoded() {
        assert_eq!(encode_segment("Work cal/2"), "Work%20cal%2F2");
        assert_eq!(canonical_path(&encode_segment("a@b")), "a@b");
    }
}
