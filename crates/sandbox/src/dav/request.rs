//! Reading WebDAV request bodies (PROPFIND, PROPPATCH, MKCALENDAR / extended MKCOL,
//! REPORT) with roxmltree into small plain structures. Anything malformed is an error
//! string the handler turns into 400.

use roxmltree::{Document, Node};

use super::xml::{Name, CALDAV, DAV};

/// What a PROPFIND asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropRequest {
    AllProp,
    PropName,
    Props(Vec<Name>),
}

/// A property to set (`Some(text)`) or remove (`None`), with its XML element for
/// structured values (resourcetype, supported-calendar-component-set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropChange {
    pub name: Name,
    pub value: Option<String>,
    /// Names of the child elements (resourcetype) or `comp name=` values.
    pub children: Vec<Name>,
    pub comps: Vec<String>,
}

/// A REPORT body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// calendar-multiget / addressbook-multiget: the props and the hrefs.
    Multiget {
        props: PropRequest,
        hrefs: Vec<String>,
    },
    /// calendar-query / addressbook-query: the props and a component filter (VEVENT, VTODO...).
    Query {
        props: PropRequest,
        component: Option<String>,
    },
    Other(Name),
}

fn name_of(n: Node) -> Name {
    Name::new(n.tag_name().namespace().unwrap_or(""), n.tag_name().name())
}

fn parse(body: &[u8]) -> Result<Document<'_>, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the XML body is not UTF-8".to_string())?;
    Document::parse(text).map_err(|e| format!("the XML body is malformed: {e}"))
}

fn child<'a, 'i>(n: Node<'a, 'i>, ns: &str, local: &str) -> Option<Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && name_of(*c).is(ns, local))
}

fn prop_request(parent: Node) -> PropRequest {
    if child(parent, DAV, "allprop").is_some() {
        return PropRequest::AllProp;
    }
    if child(parent, DAV, "propname").is_some() {
        return PropRequest::PropName;
    }
    match child(parent, DAV, "prop") {
        Some(p) => PropRequest::Props(
            p.children()
                .filter(|c| c.is_element())
                .map(name_of)
                .collect(),
        ),
        None => PropRequest::AllProp,
    }
}

/// A PROPFIND body (empty = allprop).
pub fn propfind(body: &[u8]) -> Result<PropRequest, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(PropRequest::AllProp);
    }
    let doc = parse(body)?;
    let root = doc.root_element();
    if !name_of(root).is(DAV, "propfind") {
        return Err("the PROPFIND body must be a DAV:propfind element".into());
    }
    Ok(prop_request(root))
}

fn changes_in(container: Node, set: bool, out: &mut Vec<PropChange>) {
    for prop in container
        .children()
        .filter(|c| c.is_element() && name_of(*c).is(DAV, "prop"))
    {
        for p in prop.children().filter(|c| c.is_element()) {
            let elements: Vec<Node> = p.children().filter(|c| c.is_element()).collect();
            out.push(PropChange {
                name: name_of(p),
                value: set.then(|| {
                    p.children()
                        .filter(|c| c.is_text())
                        .filter_map(|c| c.text())
                        .collect::<String>()
                        .trim()
                        .to_string()
                }),
                children: elements.iter().map(|c| name_of(*c)).collect(),
                comps: elements
                    .iter()
                    .filter(|c| name_of(**c).is(CALDAV, "comp"))
                    .filter_map(|c| c.attribute("name"))
                    .map(|s| s.to_ascii_uppercase())
                    .collect(),
            });
        }
    }
}

/// The property changes of a PROPPATCH (`DAV:propertyupdate`), MKCALENDAR or MKCOL body.
pub fn prop_changes(body: &[u8]) -> Result<Vec<PropChange>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    let doc = parse(body)?;
    let root = doc.root_element();
    let mut out = Vec::new();
    for c in root.children().filter(|c| c.is_element()) {
        let n = name_of(c);
        if n.is(DAV, "set") {
            changes_in(c, true, &mut out);
        } else if n.is(DAV, "remove") {
            changes_in(c, false, &mut out);
        }
    }
    Ok(out)
}

/// A REPORT body.
pub fn report(body: &[u8]) -> Result<Report, String> {
    let doc = parse(body)?;
    let root = doc.root_element();
    let n = name_of(root);
    match n.local.as_str() {
        "calendar-multiget" | "addressbook-multiget" => Ok(Report::Multiget {
            props: prop_request(root),
            hrefs: root
                .children()
                .filter(|c| c.is_element() && name_of(*c).is(DAV, "href"))
                .filter_map(|c| c.text())
                .map(|t| t.trim().to_string())
                .collect(),
        }),
        "calendar-query" | "addressbook-query" => {
            let component = root
                .descendants()
                .filter(|c| c.is_element() && c.tag_name().name() == "comp-filter")
                .filter_map(|c| c.attribute("name"))
                .map(|s| s.to_ascii_uppercase())
                .find(|s| s != "VCALENDAR");
            Ok(Report::Query {
                props: prop_request(root),
                component,
            })
        }
        _ => Ok(Report::Other(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_propfind_proppatch_and_reports() {
        let pf = br#"<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><d:displayname/><cs:getctag/></d:prop></d:propfind>"#;
        let PropRequest::Props(names) = propfind(pf).unwrap() else {
            panic!("props expected")
        };
        assert_eq!(
            names[1],
            Name::new("http://calendarserver.org/ns/", "getctag")
        );
        assert_eq!(propfind(b"").unwrap(), PropRequest::AllProp);
        assert!(propfind(b"<oops").is_err());

        let mk = br#"<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>Work &amp; co</D:displayname><C:supported-calendar-component-set><C:comp name="VTODO"/></C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>"#;
        let ch = prop_changes(mk).unwrap();
        assert_eq!(ch[0].value.as_deref(), Some("Work & co"));
        assert_eq!(ch[1].comps, ["VTODO"]);

        let mg = br#"<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop><D:href>/dav/a/calendars/c/1.ics</D:href></C:calendar-multiget>"#;
        let Report::Multiget { hrefs, .. } = report(mg).unwrap() else {
            panic!("multiget expected")
        };
        assert_eq!(hrefs, ["/dav/a/calendars/c/1.ics"]);
        let q = br#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"/></C:comp-filter></C:filter></C:calendar-query>"#;
        assert!(
            matches!(report(q).unwrap(), Report::Query { component: Some(c), .. } if c == "VTODO")
        );
    }
}
