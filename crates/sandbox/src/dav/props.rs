//! The properties each kind of resource shows (principal, homes, collections, objects)
//! and how a PROPFIND or REPORT turns a request into `<D:response>` elements.

use crate::groupware::{Collection, CollectionKind, ObjectMeta};

use super::request::PropRequest;
use super::target::Target;
use super::xml::{self, escape, Name, APPLE, CALDAV, CALSERVER, CARDDAV, DAV};

/// A resource with what is known about it.
pub enum Resource {
    Root,
    Principal(String),
    Home(String, CollectionKind),
    Collection(String, Collection),
    /// An object with its bytes when the request wants its data.
    Object {
        login: String,
        kind: CollectionKind,
        collection: String,
        meta: ObjectMeta,
        data: Option<Vec<u8>>,
    },
}

impl Resource {
    pub fn target(&self) -> Target {
        match self {
            Resource::Root => Target::Root,
            Resource::Principal(l) => Target::Principal(l.clone()),
            Resource::Home(l, k) => Target::Home(l.clone(), *k),
            Resource::Collection(l, c) => Target::Collection(l.clone(), c.kind, c.name.clone()),
            Resource::Object {
                login,
                kind,
                collection,
                meta,
                ..
            } => Target::Object(login.clone(), *kind, collection.clone(), meta.name.clone()),
        }
    }
}

/// Properties listed for allprop / propname.
fn all_names() -> Vec<Name> {
    [
        (DAV, "resourcetype"),
        (DAV, "displayname"),
        (DAV, "current-user-principal"),
        (DAV, "principal-URL"),
        (CALDAV, "calendar-home-set"),
        (CARDDAV, "addressbook-home-set"),
        (DAV, "getetag"),
        (DAV, "getcontenttype"),
        (DAV, "getcontentlength"),
        (CALSERVER, "getctag"),
        (APPLE, "calendar-color"),
        (CALDAV, "calendar-description"),
        (CARDDAV, "addressbook-description"),
        (CALDAV, "supported-calendar-component-set"),
    ]
    .iter()
    .map(|(ns, l)| Name::new(ns, l))
    .collect()
}

fn href(h: &str) -> String {
    format!("<D:href>{}</D:href>", escape(h))
}

/// The inner XML of property `name` of `r` as seen by `user`; `None`: not defined here.
pub fn value(r: &Resource, user: &str, name: &Name) -> Option<String> {
    let ns = name.ns.as_str();
    let local = name.local.as_str();
    let me = Target::Principal(user.to_string()).href();
    match (ns, local, r) {
        (DAV, "current-user-principal", _) => Some(href(&me)),
        (DAV, "resourcetype", Resource::Object { .. }) => Some(String::new()),
        (DAV, "resourcetype", Resource::Principal(_)) => {
            Some("<D:collection/><D:principal/>".into())
        }
        (DAV, "resourcetype", Resource::Collection(_, c)) => Some(match c.kind {
            CollectionKind::Calendar => "<D:collection/><C:calendar/>".into(),
            CollectionKind::AddressBook => "<D:collection/><CR:addressbook/>".into(),
        }),
        (DAV, "resourcetype", _) => Some("<D:collection/>".into()),
        (DAV, "principal-URL", Resource::Principal(l)) => {
            Some(href(&Target::Principal(l.clone()).href()))
        }
        (CALDAV, "calendar-home-set", Resource::Principal(l)) => Some(href(
            &Target::Home(l.clone(), CollectionKind::Calendar).href(),
        )),
        (CARDDAV, "addressbook-home-set", Resource::Principal(l)) => Some(href(
            &Target::Home(l.clone(), CollectionKind::AddressBook).href(),
        )),
        (CALDAV, "calendar-user-address-set", Resource::Principal(l)) => {
            Some(href(&format!("mailto:{l}")))
        }
        (DAV, "displayname", Resource::Principal(l)) => Some(escape(l)),
        (DAV, "displayname", Resource::Home(_, k)) => Some(match k {
            CollectionKind::Calendar => "Calendars".into(),
            CollectionKind::AddressBook => "Address books".into(),
        }),
        (DAV, "displayname", Resource::Collection(_, c)) => {
            c.props.display_name.as_deref().map(escape)
        }
        (APPLE, "calendar-color", Resource::Collection(_, c))
            if c.kind == CollectionKind::Calendar =>
        {
            c.props.color.as_deref().map(escape)
        }
        (CALDAV, "calendar-description", Resource::Collection(_, c))
            if c.kind == CollectionKind::Calendar =>
        {
            c.props.description.as_deref().map(escape)
        }
        (CARDDAV, "addressbook-description", Resource::Collection(_, c))
            if c.kind == CollectionKind::AddressBook =>
        {
            c.props.description.as_deref().map(escape)
        }
        (CALDAV, "supported-calendar-component-set", Resource::Collection(_, c))
            if c.kind == CollectionKind::Calendar =>
        {
            let comps: Vec<&str> = if c.props.components.is_empty() {
                vec!["VEVENT", "VTODO", "VJOURNAL"]
            } else {
                c.props.components.iter().map(String::as_str).collect()
            };
            Some(
                comps
                    .iter()
                    .map(|n| format!("<C:comp name=\"{}\"/>", escape(n)))
                    .collect(),
            )
        }
        (CALSERVER, "getctag", Resource::Collection(_, c)) => Some(escape(&c.ctag)),
        (DAV, "sync-token", Resource::Collection(_, c)) => {
            Some(escape(&format!("urn:mailshift:ctag:{}", c.ctag)))
        }
        (DAV, "supported-report-set", Resource::Collection(_, c)) => {
            let (multiget, query) = match c.kind {
                CollectionKind::Calendar => ("C:calendar-multiget", "C:calendar-query"),
                CollectionKind::AddressBook => ("CR:addressbook-multiget", "CR:addressbook-query"),
            };
            Some(format!(
                "<D:supported-report><D:report><{multiget}/></D:report></D:supported-report>\
<D:supported-report><D:report><{query}/></D:report></D:supported-report>"
            ))
        }
        (DAV, "current-user-privilege-set", _) => Some(
            [
                "all",
                "read",
                "write",
                "write-properties",
                "write-content",
                "bind",
                "unbind",
            ]
            .iter()
            .map(|p| format!("<D:privilege><D:{p}/></D:privilege>"))
            .collect(),
        ),
        (DAV, "getetag", Resource::Object { meta, .. }) => Some(format!("\"{}\"", meta.etag)),
        (DAV, "getetag", Resource::Collection(_, c)) => Some(format!("\"{}\"", c.ctag)),
        (DAV, "getcontenttype", Resource::Object { kind, .. }) => {
            Some(kind.content_type().to_string())
        }
        (DAV, "getcontenttype", Resource::Collection(..)) => {
            Some("httpd/unix-directory".to_string())
        }
        (DAV, "getcontentlength", Resource::Object { meta, .. }) => Some(meta.size.to_string()),
        (CALDAV, "calendar-data", Resource::Object { kind, data, .. })
            if *kind == CollectionKind::Calendar =>
        {
            data.as_ref().map(|d| escape(&String::from_utf8_lossy(d)))
        }
        (CARDDAV, "address-data", Resource::Object { kind, data, .. })
            if *kind == CollectionKind::AddressBook =>
        {
            data.as_ref().map(|d| escape(&String::from_utf8_lossy(d)))
        }
        _ => None,
    }
}

/// Whether the request wants an object's data (so the caller loads the bytes).
pub fn wants_data(req: &PropRequest) -> bool {
    match req {
        PropRequest::Props(names) => names
            .iter()
            .any(|n| n.is(CALDAV, "calendar-data") || n.is(CARDDAV, "address-data")),
        _ => false,
    }
}

/// One `<D:response>` for `r`: found properties under 200, the others under 404.
pub fn response(r: &Resource, user: &str, req: &PropRequest) -> String {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    match req {
        PropRequest::AllProp | PropRequest::PropName => {
            for n in all_names() {
                if let Some(v) = value(r, user, &n) {
                    found.push(if matches!(req, PropRequest::PropName) {
                        n.element("")
                    } else {
                        n.element(&v)
                    });
                }
            }
        }
        PropRequest::Props(names) => {
            for n in names {
                match value(r, user, n) {
                    Some(v) => found.push(n.element(&v)),
                    None => missing.push(n.element("")),
                }
            }
        }
    }
    xml::response(&r.target().href(), &[(200, found), (404, missing)])
}
