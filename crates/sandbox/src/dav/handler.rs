//! One HTTP request from start to end: well-known redirects, OPTIONS, Basic auth, the
//! body size bound, then the method on its target (PROPFIND and REPORT here; objects
//! and collections in their own files).

use std::sync::Arc;

use http_body_util::{BodyExt, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Request, StatusCode};

use crate::groupware::{CollectionKind, GroupwareError, GroupwareStore};
use crate::Directory;

use super::props::{self, Resource};
use super::reply::{self, Reply};
use super::request::{self, Report};
use super::target::Target;
use super::xml::{self, DAV};
use super::{collections, objects};

/// Largest request body accepted (a big address book import fits).
pub const MAX_BODY: usize = 20 * 1024 * 1024;

/// What every request handler needs.
pub struct Ctx {
    pub store: Arc<GroupwareStore>,
    pub directory: Arc<Directory>,
}

const ALLOW: &str =
    "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT, MKCALENDAR, MKCOL";

pub async fn handle(ctx: Arc<Ctx>, req: Request<Incoming>) -> Reply {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let reply = route(&ctx, req).await;
    tracing::debug!(%method, %path, status = reply.status().as_u16(), "sandbox DAV");
    reply
}

async fn route(ctx: &Ctx, req: Request<Incoming>) -> Reply {
    let path = req.uri().path();
    if path.trim_end_matches('/') == "/.well-known/caldav"
        || path.trim_end_matches('/') == "/.well-known/carddav"
    {
        return reply::with_header(
            reply::status(StatusCode::MOVED_PERMANENTLY),
            header::LOCATION,
            "/dav/",
        );
    }
    let Some(target) = Target::parse(path) else {
        return reply::text(
            StatusCode::NOT_FOUND,
            "nothing here: the DAV tree is under /dav/",
        );
    };
    if req.method() == hyper::Method::OPTIONS {
        let mut r = reply::status(StatusCode::OK);
        let h = r.headers_mut();
        h.insert(
            "DAV",
            HeaderValue::from_static("1, 3, calendar-access, addressbook, extended-mkcol"),
        );
        h.insert(header::ALLOW, HeaderValue::from_static(ALLOW));
        return r;
    }
    let Some(user) = super::auth::authenticate(
        &ctx.directory,
        req.headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.as_bytes()),
    ) else {
        return reply::with_header(
            reply::text(
                StatusCode::UNAUTHORIZED,
                "log in with the account's address and password",
            ),
            header::WWW_AUTHENTICATE,
            "Basic realm=\"mailshift sandbox\", charset=\"UTF-8\"",
        );
    };
    if target.login().is_some_and(|l| l != user) {
        return reply::text(
            StatusCode::FORBIDDEN,
            format!("{user} can only reach its own calendars and address books"),
        );
    }
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_BODY as u64) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            return too_large();
        }
        Err(_) => return reply::status(StatusCode::BAD_REQUEST),
    };
    dispatch(ctx, &user, &parts, target, body)
}

fn too_large() -> Reply {
    reply::with_header(
        reply::text(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body exceeds {MAX_BODY} bytes"),
        ),
        header::CONNECTION,
        "close",
    )
}

fn dispatch(ctx: &Ctx, user: &str, parts: &Parts, target: Target, body: Bytes) -> Reply {
    let depth_one = parts
        .headers
        .get("depth")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|d| d.trim() != "0");
    match parts.method.as_str() {
        "PROPFIND" => propfind(ctx, user, target, &body, depth_one),
        "REPORT" => report(ctx, user, target, &body),
        "GET" | "HEAD" => objects::get(ctx, target, parts.method == hyper::Method::HEAD),
        "PUT" => objects::put(ctx, parts, target, &body),
        "DELETE" => match target {
            Target::Object(..) => objects::delete(ctx, parts, target),
            _ => collections::delete(ctx, parts, target),
        },
        "MKCALENDAR" => collections::make(ctx, target, &body, true),
        "MKCOL" => collections::make(ctx, target, &body, false),
        "PROPPATCH" => collections::proppatch(ctx, target, &body),
        _ => reply::with_header(
            reply::status(StatusCode::METHOD_NOT_ALLOWED),
            header::ALLOW,
            ALLOW,
        ),
    }
}

/// Load what `target` names (`None`: it does not exist).
pub fn resource(
    ctx: &Ctx,
    target: &Target,
    data: bool,
) -> Result<Option<Resource>, GroupwareError> {
    Ok(match target {
        Target::Root => Some(Resource::Root),
        Target::Principal(l) => Some(Resource::Principal(l.clone())),
        Target::Home(l, k) => Some(Resource::Home(l.clone(), *k)),
        Target::Collection(l, k, c) => ctx
            .store
            .collection(l, *k, c)?
            .map(|c| Resource::Collection(l.clone(), c)),
        Target::Object(l, k, c, o) => {
            let Some(bytes) = ctx.store.object(l, *k, c, o)? else {
                return Ok(None);
            };
            Some(Resource::Object {
                login: l.clone(),
                kind: *k,
                collection: c.clone(),
                meta: crate::groupware::ObjectMeta {
                    name: o.clone(),
                    etag: crate::groupware::etag_of(&bytes),
                    size: bytes.len() as u64,
                },
                data: data.then_some(bytes),
            })
        }
    })
}

/// The members of a resource (Depth: 1).
fn children(
    ctx: &Ctx,
    user: &str,
    r: &Resource,
    data: bool,
) -> Result<Vec<Resource>, GroupwareError> {
    Ok(match r {
        Resource::Root => vec![Resource::Principal(user.to_string())],
        Resource::Principal(l) => vec![
            Resource::Home(l.clone(), CollectionKind::Calendar),
            Resource::Home(l.clone(), CollectionKind::AddressBook),
        ],
        Resource::Home(l, k) => ctx
            .store
            .collections(l, *k)?
            .into_iter()
            .map(|c| Resource::Collection(l.clone(), c))
            .collect(),
        Resource::Collection(l, c) => {
            let mut out = Vec::new();
            for meta in ctx.store.objects(l, c.kind, &c.name)? {
                let data = if data {
                    ctx.store.object(l, c.kind, &c.name, &meta.name)?
                } else {
                    None
                };
                out.push(Resource::Object {
                    login: l.clone(),
                    kind: c.kind,
                    collection: c.name.clone(),
                    meta,
                    data,
                });
            }
            out
        }
        Resource::Object { .. } => Vec::new(),
    })
}

fn propfind(ctx: &Ctx, user: &str, target: Target, body: &[u8], depth_one: bool) -> Reply {
    let req = match request::propfind(body) {
        Ok(r) => r,
        Err(e) => return reply::text(StatusCode::BAD_REQUEST, e),
    };
    let data = props::wants_data(&req);
    let r = match resource(ctx, &target, data) {
        Ok(Some(r)) => r,
        Ok(None) => return reply::status(StatusCode::NOT_FOUND),
        Err(e) => return reply::store_error(e),
    };
    let mut responses = vec![props::response(&r, user, &req)];
    if depth_one {
        match children(ctx, user, &r, data) {
            Ok(kids) => responses.extend(kids.iter().map(|k| props::response(k, user, &req))),
            Err(e) => return reply::store_error(e),
        }
    }
    reply::multistatus(xml::multistatus(&responses))
}

fn report(ctx: &Ctx, user: &str, target: Target, body: &[u8]) -> Reply {
    let rep = match request::report(body) {
        Ok(r) => r,
        Err(e) => return reply::text(StatusCode::BAD_REQUEST, e),
    };
    let Target::Collection(login, kind, coll) = &target else {
        return unsupported_report();
    };
    match rep {
        Report::Multiget { props: req, hrefs } => {
            let data = props::wants_data(&req);
            let mut responses = Vec::new();
            for h in hrefs {
                let path = h
                    .split_once("://")
                    .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
                    .unwrap_or(h.clone());
                let found = match Target::parse(&path) {
                    Some(t) if in_collection(&t, login, *kind, coll) => {
                        match resource(ctx, &t, data) {
                            Ok(r) => r,
                            Err(e) => return reply::store_error(e),
                        }
                    }
                    _ => None,
                };
                responses.push(match found {
                    Some(r) => props::response(&r, user, &req),
                    None => xml::status_response(&h, 404),
                });
            }
            reply::multistatus(xml::multistatus(&responses))
        }
        Report::Query {
            props: req,
            component,
        } => {
            let parent = match resource(ctx, &target, false) {
                Ok(Some(r)) => r,
                Ok(None) => return reply::status(StatusCode::NOT_FOUND),
                Err(e) => return reply::store_error(e),
            };
            let kids = match children(ctx, user, &parent, true) {
                Ok(k) => k,
                Err(e) => return reply::store_error(e),
            };
            let want_data = props::wants_data(&req);
            let responses: Vec<String> = kids
                .into_iter()
                .filter(|k| matches_component(k, component.as_deref()))
                .map(|mut k| {
                    if let Resource::Object { data, .. } = &mut k {
                        if !want_data {
                            *data = None;
                        }
                    }
                    props::response(&k, user, &req)
                })
                .collect();
            reply::multistatus(xml::multistatus(&responses))
        }
        Report::Other(_) => unsupported_report(),
    }
}

fn in_collection(t: &Target, login: &str, kind: CollectionKind, coll: &str) -> bool {
    matches!(t, Target::Object(l, k, c, _) if l == login && *k == kind && c == coll)
}

fn matches_component(r: &Resource, component: Option<&str>) -> bool {
    let (Some(want), Resource::Object { data: Some(d), .. }) = (component, r) else {
        return true;
    };
    mailshift_dav::item::inspect(mailshift_dav::item::ItemKind::Calendar, d)
        .map(|i| i.components.iter().any(|c| c.eq_ignore_ascii_case(want)))
        .unwrap_or(false)
}

fn unsupported_report() -> Reply {
    reply::xml(
        StatusCode::FORBIDDEN,
        xml::error(&xml::Name::new(DAV, "supported-report").element("")),
    )
}
