//! WebDAV XML: reading a `multistatus` answer into plain owned values, and writing the
//! request bodies (PROPFIND, MKCALENDAR, extended MKCOL) with proper escaping.

pub use crate::xml::{escape, APPLE, CALDAV, CARDDAV, DAV};

/// A property name: namespace and local name.
pub type Name = (&'static str, &'static str);

/// One `<response>` of a multistatus.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Response {
    /// The href as the server wrote it (not yet resolved).
    pub href: String,
    /// The response-level `<status>`, when given (e.g. 404 for a missing member).
    pub status: Option<u16>,
    /// Properties from `<propstat>` blocks with a 2xx status.
    pub props: Vec<Prop>,
}

/// One property value, flattened into what this client needs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Prop {
    pub ns: String,
    pub name: String,
    /// All text inside, trimmed.
    pub text: String,
    /// Text of each `<DAV:href>` inside (for home sets and principals).
    pub hrefs: Vec<String>,
    /// Child elements: namespace, local name, and their `name` attribute (for `<C:comp name=..>`).
    pub children: Vec<(String, String, Option<String>)>,
    /// `content-type` and `version` of `<C:address-data-type>` children
    /// (`supported-address-data`).
    pub address_data: Vec<(String, String)>,
}

impl Response {
    pub fn prop(&self, (ns, name): Name) -> Option<&Prop> {
        self.props.iter().find(|p| p.ns == ns && p.name == name)
    }

    /// Trimmed, non-empty text of a property.
    pub fn text(&self, name: Name) -> Option<String> {
        self.prop(name)
            .map(|p| p.text.clone())
            .filter(|t| !t.is_empty())
    }
}

impl Prop {
    pub fn has_child(&self, (ns, name): Name) -> bool {
        self.children.iter().any(|(n, l, _)| n == ns && l == name)
    }
}

/// Parse a `DAV:multistatus` document. `Err` carries a short reason.
pub fn parse_multistatus(body: &str) -> Result<Vec<Response>, String> {
    let doc = roxmltree::Document::parse(body).map_err(|e| format!("not well-formed XML: {e}"))?;
    let root = doc.root_element();
    if !is(root, DAV, "multistatus") {
        return Err(format!(
            "root element is <{}>, not <DAV:multistatus>",
            root.tag_name().name()
        ));
    }
    let mut out = Vec::new();
    for resp in root.children().filter(|n| is(*n, DAV, "response")) {
        let mut r = Response::default();
        for child in resp.children().filter(|n| n.is_element()) {
            if is(child, DAV, "href") {
                if r.href.is_empty() {
                    r.href = all_text(child);
                }
            } else if is(child, DAV, "status") {
                r.status = parse_status(&all_text(child));
            } else if is(child, DAV, "propstat") {
                let ok = child
                    .children()
                    .find(|n| is(*n, DAV, "status"))
                    .and_then(|s| parse_status(&all_text(s)))
                    .is_some_and(|s| (200..300).contains(&s));
                if !ok {
                    continue;
                }
                for prop in child.children().filter(|n| is(*n, DAV, "prop")) {
                    for p in prop.children().filter(|n| n.is_element()) {
                        r.props.push(read_prop(p));
                    }
                }
            }
        }
        if r.href.is_empty() {
            return Err("a <response> has no <href>".into());
        }
        out.push(r);
    }
    Ok(out)
}

fn read_prop(p: roxmltree::Node) -> Prop {
    Prop {
        ns: p.tag_name().namespace().unwrap_or("").to_string(),
        name: p.tag_name().name().to_string(),
        text: all_text(p),
        hrefs: p
            .descendants()
            .filter(|n| is(*n, DAV, "href"))
            .map(all_text)
            .collect(),
        children: p
            .children()
            .filter(|n| n.is_element())
            .map(|n| {
                (
                    n.tag_name().namespace().unwrap_or("").to_string(),
                    n.tag_name().name().to_string(),
                    n.attribute("name").map(str::to_string),
                )
            })
            .collect(),
        address_data: p
            .children()
            .filter(|n| is(*n, CARDDAV, "address-data-type"))
            .map(|n| {
                (
                    n.attribute("content-type")
                        .unwrap_or("text/vcard")
                        .to_string(),
                    n.attribute("version").unwrap_or("3.0").to_string(),
                )
            })
            .collect(),
    }
}

fn is(n: roxmltree::Node, ns: &str, name: &str) -> bool {
    n.is_element() && n.tag_name().name() == name && n.tag_name().namespace() == Some(ns)
}

fn all_text(n: roxmltree::Node) -> String {
    n.descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect::<String>()
        .trim()
        .to_string()
}

/// `HTTP/1.1 200 OK` -> 200
fn parse_status(line: &str) -> Option<u16> {
    line.split_whitespace().nth(1)?.parse().ok()
}

const NS_DECL: &str = r#"xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:i="http://apple.com/ns/ical/""#;

fn prefix(ns: &str) -> &'static str {
    match ns {
        CALDAV => "c",
        CARDDAV => "card",
        APPLE => "i",
        _ => "d",
    }
}

/// `<d:propfind><d:prop>...</d:prop></d:propfind>`
pub fn propfind(props: &[Name]) -> String {
    let mut body =
        format!(r#"<?xml version="1.0" encoding="utf-8"?><d:propfind {NS_DECL}><d:prop>"#);
    for (ns, name) in props {
        body.push_str(&format!("<{}:{name}/>", prefix(ns)));
    }
    body.push_str("</d:prop></d:propfind>");
    body
}

/// Properties to set on a new collection.
pub struct NewCollection<'a> {
    pub display_name: Option<&'a str>,
    pub description: Option<&'a str>,
    pub color: Option<&'a str>,
    pub components: &'a [String],
}

/// MKCALENDAR body (RFC 4791 5.3.1).
pub fn mkcalendar(p: &NewCollection) -> String {
    let mut props = String::new();
    set_common(&mut props, p, "c:calendar-description");
    if let Some(c) = p.color {
        props.push_str(&format!(
            "<i:calendar-color>{}</i:calendar-color>",
            escape(c)
        ));
    }
    if !p.components.is_empty() {
        props.push_str("<c:supported-calendar-component-set>");
        for comp in p.components {
            props.push_str(&format!(r#"<c:comp name="{}"/>"#, escape(comp)));
        }
        props.push_str("</c:supported-calendar-component-set>");
    }
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><c:mkcalendar {NS_DECL}><d:set><d:prop>{props}</d:prop></d:set></c:mkcalendar>"#
    )
}

/// Extended MKCOL body (RFC 5689) creating an address book.
pub fn mkcol_addressbook(p: &NewCollection) -> String {
    let mut props =
        String::from("<d:resourcetype><d:collection/><card:addressbook/></d:resourcetype>");
    set_common(&mut props, p, "card:addressbook-description");
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><d:mkcol {NS_DECL}><d:set><d:prop>{props}</d:prop></d:set></d:mkcol>"#
    )
}

fn set_common(props: &mut String, p: &NewCollection, description_tag: &str) {
    if let Some(n) = p.display_name {
        props.push_str(&format!("<d:displayname>{}</d:displayname>", escape(n)));
    }
    if let Some(d) = p.description {
        props.push_str(&format!(
            "<{description_tag}>{}</{description_tag}>",
            escape(d)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: &str = r##"<?xml version="1.0"?>
<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:I="http://apple.com/ns/ical/">
 <response><href>/alice/cal/</href>
  <propstat><prop>
    <resourcetype><collection/><C:calendar/></resourcetype>
    <displayname>Work &amp; play</displayname>
    <I:calendar-color>#ff0000ff</I:calendar-color>
    <C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="VTODO"/></C:supported-calendar-component-set>
  </prop><status>HTTP/1.1 200 OK</status></propstat>
  <propstat><prop><C:calendar-description/></prop><status>HTTP/1.1 404 Not Found</status></propstat>
 </response>
 <response><href>/alice/cal/x.ics</href><status>HTTP/1.1 404 Not Found</status></response>
</multistatus>"##;

    #[test]
    fn reads_props_and_skips_failed_propstats() {
        let r = parse_multistatus(MS).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].href, "/alice/cal/");
        assert_eq!(r[0].text((DAV, "displayname")).unwrap(), "Work & play");
        assert_eq!(r[0].text((APPLE, "calendar-color")).unwrap(), "#ff0000ff");
        assert!(r[0].prop((CALDAV, "calendar-description")).is_none());
        assert!(r[0]
            .prop((DAV, "resourcetype"))
            .unwrap()
            .has_child((CALDAV, "calendar")));
        let comps: Vec<_> = r[0]
            .prop((CALDAV, "supported-calendar-component-set"))
            .unwrap()
            .children
            .iter()
            .filter_map(|c| c.2.clone())
            .collect();
        assert_eq!(comps, vec!["VEVENT", "VTODO"]);
        assert_eq!(r[1].status, Some(404));
    }

    #[test]
    fn rejects_non_multistatus_and_garbage() {
        assert!(parse_multistatus("<html/>")
            .unwrap_err()
            .contains("not <DAV:multistatus>"));
        assert!(parse_multistatus("hello")
            .unwrap_err()
            .contains("not well-formed"));
    }

    #[test]
    fn bodies_escape_values_and_parse_back() {
        let comps = vec!["VEVENT".to_string()];
        let body = mkcalendar(&NewCollection {
            display_name: Some("<A & B>"),
            description: Some("it's \"quoted\""),
            color: Some("#00ff00"),
            components: &comps,
        });
        let doc = roxmltree::Document::parse(&body).unwrap();
        let name = doc
            .descendants()
            .find(|n| n.has_tag_name((DAV, "displayname")))
            .unwrap();
        assert_eq!(name.text(), Some("<A & B>"));
        let desc = doc
            .descendants()
            .find(|n| n.has_tag_name((CALDAV, "calendar-description")))
            .unwrap();
        assert_eq!(desc.text(), Some("it's \"quoted\""));
        let book = mkcol_addressbook(&NewCollection {
            display_name: None,
            description: None,
            color: None,
            components: &[],
        });
        let doc = roxmltree::Document::parse(&book).unwrap();
        assert!(doc
            .descendants()
            .any(|n| n.has_tag_name((CARDDAV, "addressbook"))));
        let pf = propfind(&[(DAV, "getetag"), (APPLE, "calendar-color")]);
        let doc = roxmltree::Document::parse(&pf).unwrap();
        assert!(doc
            .descendants()
            .any(|n| n.has_tag_name((APPLE, "calendar-color"))));
    }
}
