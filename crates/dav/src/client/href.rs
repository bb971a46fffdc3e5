//! Hrefs: absolute paths in one canonical percent-encoding, so the same resource always
//! compares equal however the server spelled it (`%40` vs `@`, lower-case hex, raw UTF-8).

use reqwest::Url;

/// Bytes that stay literal in a path: unreserved, sub-delims, `:` `@` and `/`.
fn is_plain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b)
}

/// Canonical form of a path: `%XX` of a plain byte (other than `/`) is decoded, every other
/// byte outside the plain set is encoded with upper-case hex. `%2F` stays encoded.
pub fn canonical_path(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                let d = h * 16 + l;
                if is_plain(d) && d != b'/' {
                    out.push(d as char);
                } else {
                    out.push_str(&format!("%{d:02X}"));
                }
                i += 3;
                continue;
            }
        }
        if is_plain(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
        i += 1;
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Encode one path segment chosen by a person (a new collection's name): everything but
/// unreserved characters is percent-encoded, `/` included.
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::new();
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
