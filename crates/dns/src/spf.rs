//! SPF rules the diagnostic needs: recognise an SPF record, accept the platform's include
//! among other mechanisms, and write the single merged record that replaces several.

/// True for a TXT value that is an SPF record (`v=spf1` followed by terms or nothing).
pub fn is_spf(txt: &str) -> bool {
    let mut terms = txt.split_whitespace();
    terms
        .next()
        .is_some_and(|first| first.eq_ignore_ascii_case("v=spf1"))
}

/// The terms after `v=spf1`.
fn terms(txt: &str) -> impl Iterator<Item = &str> {
    txt.split_whitespace().skip(1)
}

fn strip_qualifier(term: &str) -> &str {
    term.trim_start_matches(['+', '-', '~', '?'])
}

fn is_all(term: &str) -> bool {
    strip_qualifier(term).eq_ignore_ascii_case("all")
}

/// True when the record authorises `include` (as `include:` or `redirect=`), whatever else
/// it contains.
pub fn has_include(txt: &str, include: &str) -> bool {
    terms(txt).any(|term| {
        let term = strip_qualifier(term).to_ascii_lowercase();
        let include = include.to_ascii_lowercase();
        term == format!("include:{include}") || term == format!("redirect={include}")
    })
}

/// The record with `include:<include>` added right after `v=spf1`, other terms kept.
pub fn add_include(txt: &str, include: &str) -> String {
    let mut out = vec!["v=spf1".to_string(), format!("include:{include}")];
    out.extend(terms(txt).map(str::to_string));
    out.join(" ")
}

/// One SPF record that keeps every mechanism of `records` (once each), carries
/// `include:<include>`, and ends with a single `all` (the first one found, else `~all`).
pub fn merge(records: &[String], include: &str) -> String {
    let mut out: Vec<String> = vec!["v=spf1".into(), format!("include:{include}")];
    let mut all: Option<String> = None;
    for record in records {
        for term in terms(record) {
            if is_all(term) {
                all.get_or_insert_with(|| term.to_string());
                continue;
            }
            if term.to_ascii_lowercase().starts_with("redirect=") {
                continue;
            }
            if !out.iter().any(|t| t.eq_ignore_ascii_case(term)) {
                out.push(term.to_string());
            }
        }
    }
    out.push(all.unwrap_or_else(|| "~all".into()));
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_spf_records_only() {
        assert!(is_spf("v=spf1 include:mx.ovh.com ~all"));
        assert!(is_spf("V=SPF1 -all"));
        assert!(!is_spf("v=spf10 -all"));
        assert!(!is_spf("google-site-verification=abc"));
    }

    #[test]
    fn include_among_other_mechanisms_counts() {
        let txt = "v=spf1 ip4:192.0.2.1 include:_spf.google.com +include:MX.ovh.com -all";
        assert!(has_include(txt, "mx.ovh.com"));
        assert!(!has_include(
            "v=spf1 include:mx.ovh.com.evil ~all",
            "mx.ovh.com"
        ));
        assert!(has_include("v=spf1 redirect=mx.ovh.com", "mx.ovh.com"));
    }

    #[test]
    fn add_include_keeps_the_other_terms() {
        assert_eq!(
            add_include("v=spf1 include:_spf.google.com ~all", "mx.ovh.com"),
            "v=spf1 include:mx.ovh.com include:_spf.google.com ~all"
        );
    }

    #[test]
    fn merge_keeps_each_mechanism_once_and_one_all() {
        let merged = merge(
            &[
                "v=spf1 include:_spf.google.com ~all".to_string(),
                "v=spf1 include:mx.ovh.com ip4:192.0.2.1 -all".to_string(),
            ],
            "mx.ovh.com",
        );
        assert_eq!(
            merged,
            "v=spf1 include:mx.ovh.com include:_spf.google.com ip4:192.0.2.1 ~all"
        );
    }
}
