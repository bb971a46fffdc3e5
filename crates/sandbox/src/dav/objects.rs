//! GET, PUT and DELETE of one calendar object or vCard: conditional requests, validation
//! of every PUT (well-formed, a component the calendar accepts, a UID unique in its
//! collection) and the bytes stored exactly as sent.

use hyper::header::{CONTENT_TYPE, ETAG};
use hyper::http::request::Parts;
use hyper::StatusCode;

use mailshift_dav::item::{inspect, ItemError, ItemKind};

use crate::groupware::{etag_of, CollectionKind, GroupwareError};

use super::handler::Ctx;
use super::preconditions::satisfied;
use super::reply::{self, Reply};
use super::target::Target;
use super::xml::{self, escape};

fn item_kind(kind: CollectionKind) -> ItemKind {
    match kind {
        CollectionKind::Calendar => ItemKind::Calendar,
        CollectionKind::AddressBook => ItemKind::Contact,
    }
}

pub fn get(ctx: &Ctx, target: Target, head: bool) -> Reply {
    let Target::Object(l, k, c, o) = &target else {
        return match target {
            Target::Root | Target::Principal(_) => reply::text(
                StatusCode::OK,
                "mailshift sandbox CalDAV/CardDAV: point a client at this URL",
            ),
            _ => reply::status(StatusCode::METHOD_NOT_ALLOWED),
        };
    };
    match ctx.store.object(l, *k, c, o) {
        Ok(Some(bytes)) => {
            let etag = format!("\"{}\"", etag_of(&bytes));
            let body = if head { Vec::new() } else { bytes };
            let mut r = hyper::Response::new(http_body_util::Full::new(body.into()));
            r = reply::with_header(r, CONTENT_TYPE, k.content_type());
            reply::with_header(r, ETAG, &etag)
        }
        Ok(None) => reply::status(StatusCode::NOT_FOUND),
        Err(e) => reply::store_error(e),
    }
}

pub fn put(ctx: &Ctx, parts: &Parts, target: Target, body: &[u8]) -> Reply {
    let Target::Object(l, k, c, o) = &target else {
        return reply::status(StatusCode::METHOD_NOT_ALLOWED);
    };
    let collection = match ctx.store.collection(l, *k, c) {
        Ok(Some(col)) => col,
        Ok(None) => {
            return reply::text(
                StatusCode::CONFLICT,
                format!("the collection {c:?} does not exist: create it first"),
            )
        }
        Err(e) => return reply::store_error(e),
    };
    let current = match ctx.store.object(l, *k, c, o) {
        Ok(b) => b.map(|b| etag_of(&b)),
        Err(e) => return reply::store_error(e),
    };
    if !satisfied(&parts.headers, current.as_deref()) {
        return reply::text(
            StatusCode::PRECONDITION_FAILED,
            "the object changed (or exists) since you last read it",
        );
    }
    let info = match inspect(item_kind(*k), body) {
        Ok(i) => i,
        Err(e) => {
            let begin = match k {
                CollectionKind::Calendar => "BEGIN:VCALENDAR",
                CollectionKind::AddressBook => "BEGIN:VCARD",
            };
            let head = body.trim_ascii_start();
            let looks_right = head.len() >= begin.len()
                && head[..begin.len()].eq_ignore_ascii_case(begin.as_bytes());
            let code = match e {
                ItemError::NotUtf8 { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                _ if !looks_right => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                _ => StatusCode::BAD_REQUEST,
            };
            return reply::text(code, format!("invalid {}: {e}", kind_name(*k)));
        }
    };
    if *k == CollectionKind::Calendar && !collection.props.accepts(&info.components) {
        return reply::xml(
            StatusCode::FORBIDDEN,
            xml::error("<C:supported-calendar-component/>"),
        );
    }
    match uid_owner(ctx, l, *k, c, o, &info.uid) {
        Ok(Some(other)) => {
            let href = Target::Object(l.clone(), *k, c.clone(), other).href();
            let el = match k {
                CollectionKind::Calendar => "C:no-uid-conflict",
                CollectionKind::AddressBook => "CR:no-uid-conflict",
            };
            return reply::xml(
                StatusCode::CONFLICT,
                xml::error(&format!("<{el}><D:href>{}</D:href></{el}>", escape(&href))),
            );
        }
        Ok(None) => {}
        Err(e) => return reply::store_error(e),
    }
    match ctx.store.put_object(l, *k, c, o, body) {
        Ok(out) => {
            let code = if out.created {
                StatusCode::CREATED
            } else {
                StatusCode::NO_CONTENT
            };
            reply::with_header(reply::status(code), ETAG, &format!("\"{}\"", out.etag))
        }
        Err(e) => reply::store_error(e),
    }
}

pub fn delete(ctx: &Ctx, parts: &Parts, target: Target) -> Reply {
    let Target::Object(l, k, c, o) = &target else {
        return reply::status(StatusCode::METHOD_NOT_ALLOWED);
    };
    let current = match ctx.store.object(l, *k, c, o) {
        Ok(Some(b)) => etag_of(&b),
        Ok(None) => return reply::status(StatusCode::NOT_FOUND),
        Err(e) => return reply::store_error(e),
    };
    if !satisfied(&parts.headers, Some(&current)) {
        return reply::text(
            StatusCode::PRECONDITION_FAILED,
            "the object changed since you last read it",
        );
    }
    match ctx.store.delete_object(l, *k, c, o) {
        Ok(_) => reply::status(StatusCode::NO_CONTENT),
        Err(e) => reply::store_error(e),
    }
}

fn kind_name(k: CollectionKind) -> &'static str {
    match k {
        CollectionKind::Calendar => "iCalendar object",
        CollectionKind::AddressBook => "vCard",
    }
}

/// Another object of the collection with this UID, if any.
fn uid_owner(
    ctx: &Ctx,
    login: &str,
    kind: CollectionKind,
    collection: &str,
    name: &str,
    uid: &str,
) -> Result<Option<String>, GroupwareError> {
    let objects = ctx.store.objects(login, kind, collection)?;
    for meta in objects.into_iter().filter(|m| m.name != name) {
        let Some(bytes) = ctx.store.object(login, kind, collection, &meta.name)? else {
            continue;
        };
        if inspect(item_kind(kind), &bytes).is_ok_and(|i| i.uid == uid) {
            return Ok(Some(meta.name));
        }
    }
    Ok(None)
}
