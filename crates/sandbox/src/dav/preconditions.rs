//! Conditional requests: `If-Match` and `If-None-Match` against an ETag.

use hyper::header::{HeaderMap, IF_MATCH, IF_NONE_MATCH};

/// The entity tags of a header (quotes and `W/` removed; `*` kept), `None` if absent.
fn tags(headers: &HeaderMap, name: hyper::header::HeaderName) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut any = false;
    for v in headers.get_all(name) {
        any = true;
        let Ok(s) = v.to_str() else { continue };
        for t in s.split(',') {
            let t = t.trim();
            let t = t.strip_prefix("W/").unwrap_or(t);
            out.push(t.trim_matches('"').to_string());
        }
    }
    any.then_some(out)
}

/// Whether the request may go on given the current ETag (`None`: no such resource).
pub fn satisfied(headers: &HeaderMap, current: Option<&str>) -> bool {
    if let Some(m) = tags(headers, IF_MATCH) {
        let ok = match current {
            None => false,
            Some(e) => m.iter().any(|t| t == "*" || t == e),
        };
        if !ok {
            return false;
        }
    }
    if let Some(n) = tags(headers, IF_NONE_MATCH) {
        if let Some(e) = current {
            if n.iter().any(|t| t == "*" || t == e) {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                hyper::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn if_match_and_if_none_match() {
        assert!(satisfied(&headers(&[]), Some("a")));
        assert!(!satisfied(&headers(&[("if-none-match", "*")]), Some("a")));
        assert!(satisfied(&headers(&[("if-none-match", "*")]), None));
        assert!(satisfied(&headers(&[("if-match", "\"a\"")]), Some("a")));
        assert!(satisfied(
            &headers(&[("if-match", "W/\"b\", \"a\"")]),
            Some("a")
        ));
        assert!(!satisfied(&headers(&[("if-match", "\"b\"")]), Some("a")));
        assert!(!satisfied(&headers(&[("if-match", "*")]), None));
    }
}
