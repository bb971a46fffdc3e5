//! Writing WebDAV XML: escaping, property elements with the usual prefixes, and the
//! multistatus / error bodies.

pub use mailshift_dav::xml::{escape, APPLE, CALDAV, CALSERVER, CARDDAV, DAV};

const PREFIXES: [(&str, &str); 5] = [
    (DAV, "D"),
    (CALDAV, "C"),
    (CARDDAV, "CR"),
    (CALSERVER, "CS"),
    (APPLE, "A"),
];

/// A property (or element) name: namespace and local name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name {
    pub ns: String,
    pub local: String,
}

impl Name {
    pub fn new(ns: &str, local: &str) -> Self {
        Name {
            ns: ns.to_string(),
            local: local.to_string(),
        }
    }

    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local == local
    }

    /// `<prefix:local>inner</prefix:local>` (or an empty element when `inner` is empty);
    /// unknown namespaces get an inline declaration.
    pub fn element(&self, inner: &str) -> String {
        let local = escape(&self.local);
        let (open, close) = match PREFIXES.iter().find(|(ns, _)| *ns == self.ns) {
            Some((_, p)) => (format!("{p}:{local}"), format!("{p}:{local}")),
            None if self.ns.is_empty() => (local.clone(), local),
            None => (
                format!("X:{local} xmlns:X=\"{}\"", escape(&self.ns)),
                format!("X:{local}"),
            ),
        };
        if inner.is_empty() {
            format!("<{open}/>")
        } else {
            format!("<{open}>{inner}</{close}>")
        }
    }
}

fn declarations() -> String {
    PREFIXES
        .iter()
        .map(|(ns, p)| format!(" xmlns:{p}=\"{ns}\""))
        .collect()
}

/// A `<D:multistatus>` document around `responses`.
pub fn multistatus(responses: &[String]) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus{}>{}</D:multistatus>\n",
        declarations(),
        responses.concat()
    )
}

/// One `<D:response>` with a propstat per status (`props` are ready elements).
pub fn response(href: &str, propstats: &[(u16, Vec<String>)]) -> String {
    let mut out = format!("<D:response><D:href>{}</D:href>", escape(href));
    for (status, props) in propstats.iter().filter(|(_, p)| !p.is_empty()) {
        out.push_str(&format!(
            "<D:propstat><D:prop>{}</D:prop><D:status>HTTP/1.1 {}</D:status></D:propstat>",
            props.concat(),
            status_line(*status)
        ));
    }
    out.push_str("</D:response>");
    out
}

/// A `<D:response>` with only a status (e.g. 404 for an unknown href in a multiget).
pub fn status_response(href: &str, status: u16) -> String {
    format!(
        "<D:response><D:href>{}</D:href><D:status>HTTP/1.1 {}</D:status></D:response>",
        escape(href),
        status_line(status)
    )
}

/// A `<D:error>` body holding one precondition element (already written).
pub fn error(condition: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:error{}>{condition}</D:error>\n",
        declarations()
    )
}

pub fn status_line(code: u16) -> String {
    let reason = hyper::StatusCode::from_u16(code)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown");
    format!("{code} {reason}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_prefixed_and_escaped() {
        assert_eq!(
            Name::new(DAV, "displayname").element("x"),
            "<D:displayname>x</D:displayname>"
        );
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(Name::new(CALDAV, "calendar").element(""), "<C:calendar/>");
        assert_eq!(
            Name::new("urn:x", "odd").element(""),
            "<X:odd xmlns:X=\"urn:x\"/>"
        );
        let r = response("/dav/a b/", &[(200, vec!["<D:x/>".into()]), (404, vec![])]);
        assert!(r.contains("HTTP/1.1 200 OK") && !r.contains("404"));
        assert!(multistatus(&[r]).contains("xmlns:C=\"urn:ietf:params:xml:ns:caldav\""));
    }
}
