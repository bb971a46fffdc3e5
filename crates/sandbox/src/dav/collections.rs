//! Collections over HTTP: MKCALENDAR and extended MKCOL (RFC 5689) with initial
//! properties, PROPPATCH of display name, colour and description, and DELETE.

use hyper::http::request::Parts;
use hyper::StatusCode;

use crate::groupware::{CollectionKind, CollectionProps};

use super::handler::Ctx;
use super::preconditions::satisfied;
use super::reply::{self, Reply};
use super::request::{self, PropChange};
use super::target::Target;
use super::xml::{self, APPLE, CALDAV, CARDDAV, DAV};

/// Apply one change to `props`; false when the property cannot be set here.
fn apply(props: &mut CollectionProps, kind: CollectionKind, c: &PropChange) -> bool {
    let n = &c.name;
    let value = c.value.clone().filter(|v| !v.is_empty());
    if n.is(DAV, "displayname") {
        props.display_name = value;
    } else if n.is(APPLE, "calendar-color") && kind == CollectionKind::Calendar {
        props.color = value;
    } else if (n.is(CALDAV, "calendar-description") && kind == CollectionKind::Calendar)
        || (n.is(CARDDAV, "addressbook-description") && kind == CollectionKind::AddressBook)
    {
        props.description = value;
    } else if n.is(CALDAV, "supported-calendar-component-set")
        && kind == CollectionKind::Calendar
        && c.value.is_some()
    {
        props.components = c.comps.clone();
    } else {
        return n.is(DAV, "resourcetype") && c.value.is_some();
    }
    true
}

/// The kind a MKCOL resourcetype asks for (`None` when it names none of ours).
fn requested_kind(changes: &[PropChange]) -> Option<Option<CollectionKind>> {
    let rt = changes.iter().find(|c| c.name.is(DAV, "resourcetype"))?;
    Some(if rt.children.iter().any(|n| n.is(CALDAV, "calendar")) {
        Some(CollectionKind::Calendar)
    } else if rt.children.iter().any(|n| n.is(CARDDAV, "addressbook")) {
        Some(CollectionKind::AddressBook)
    } else {
        None
    })
}

/// MKCALENDAR (`calendar`) or MKCOL.
pub fn make(ctx: &Ctx, target: Target, body: &[u8], calendar: bool) -> Reply {
    let Target::Collection(l, k, name) = &target else {
        return reply::text(
            StatusCode::FORBIDDEN,
            "collections are created directly under /dav/<login>/calendars/ or /contacts/",
        );
    };
    if calendar && *k != CollectionKind::Calendar {
        return reply::text(
            StatusCode::FORBIDDEN,
            "MKCALENDAR works under /calendars/ only",
        );
    }
    let changes = match request::prop_changes(body) {
        Ok(c) => c,
        Err(e) => return reply::text(StatusCode::BAD_REQUEST, e),
    };
    if let Some(asked) = requested_kind(&changes) {
        if asked != Some(*k) {
            return reply::xml(StatusCode::FORBIDDEN, xml::error("<D:valid-resourcetype/>"));
        }
    }
    match ctx.store.collection(l, *k, name) {
        Ok(Some(_)) => {
            return reply::text(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("the collection {name:?} already exists"),
            )
        }
        Ok(None) => {}
        Err(e) => return reply::store_error(e),
    }
    let mut props = CollectionProps {
        display_name: Some(name.clone()),
        ..CollectionProps::default()
    };
    if *k == CollectionKind::Calendar {
        props.components = vec!["VEVENT".into(), "VTODO".into()];
    }
    if let Some(bad) = changes.iter().find(|c| !apply(&mut props, *k, c)) {
        return reply::text(
            StatusCode::FORBIDDEN,
            format!(
                "the property {{{}}}{} cannot be set on this collection",
                bad.name.ns, bad.name.local
            ),
        );
    }
    match ctx.store.create_collection(l, *k, name, props) {
        Ok(()) => reply::status(StatusCode::CREATED),
        Err(e) => reply::store_error(e),
    }
}

pub fn proppatch(ctx: &Ctx, target: Target, body: &[u8]) -> Reply {
    let Target::Collection(l, k, name) = &target else {
        return reply::text(
            StatusCode::FORBIDDEN,
            "only collections have properties to change here",
        );
    };
    let changes = match request::prop_changes(body) {
        Ok(c) => c,
        Err(e) => return reply::text(StatusCode::BAD_REQUEST, e),
    };
    let collection = match ctx.store.collection(l, *k, name) {
        Ok(Some(c)) => c,
        Ok(None) => return reply::status(StatusCode::NOT_FOUND),
        Err(e) => return reply::store_error(e),
    };
    let mut props = collection.props.clone();
    let verdicts: Vec<bool> = changes
        .iter()
        .map(|c| !c.name.is(DAV, "resourcetype") && apply(&mut props, *k, c))
        .collect();
    let all_ok = verdicts.iter().all(|v| *v);
    if all_ok {
        if let Err(e) = ctx.store.set_props(l, *k, name, props) {
            return reply::store_error(e);
        }
    }
    let mut ok = Vec::new();
    let mut forbidden = Vec::new();
    let mut failed_dep = Vec::new();
    for (c, good) in changes.iter().zip(verdicts) {
        let el = c.name.element("");
        match (all_ok, good) {
            (true, _) => ok.push(el),
            (false, true) => failed_dep.push(el),
            (false, false) => forbidden.push(el),
        }
    }
    let resp = xml::response(
        &target.href(),
        &[(200, ok), (403, forbidden), (424, failed_dep)],
    );
    reply::multistatus(xml::multistatus(&[resp]))
}

pub fn delete(ctx: &Ctx, parts: &Parts, target: Target) -> Reply {
    let Target::Collection(l, k, name) = &target else {
        return reply::text(
            StatusCode::FORBIDDEN,
            "only calendars, address books and their objects can be deleted",
        );
    };
    let collection = match ctx.store.collection(l, *k, name) {
        Ok(Some(c)) => c,
        Ok(None) => return reply::status(StatusCode::NOT_FOUND),
        Err(e) => return reply::store_error(e),
    };
    if !satisfied(&parts.headers, Some(&collection.ctag)) {
        return reply::text(
            StatusCode::PRECONDITION_FAILED,
            "the collection changed since you last read it",
        );
    }
    match ctx.store.delete_collection(l, *k, name) {
        Ok(()) => reply::status(StatusCode::NO_CONTENT),
        Err(e) => reply::store_error(e),
    }
}
