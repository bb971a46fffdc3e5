//! Building responses: plain statuses, XML bodies, text reasons, and store errors
//! mapped to the HTTP status a client understands.

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Response, StatusCode};

use crate::groupware::GroupwareError;

pub type Reply = Response<Full<Bytes>>;

pub fn status(code: StatusCode) -> Reply {
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = code;
    r
}

pub fn text(code: StatusCode, body: impl Into<String>) -> Reply {
    let mut r = Response::new(Full::new(Bytes::from(body.into())));
    *r.status_mut() = code;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

pub fn xml(code: StatusCode, body: String) -> Reply {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = code;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/xml; charset=utf-8"),
    );
    r
}

pub fn multistatus(body: String) -> Reply {
    xml(StatusCode::MULTI_STATUS, body)
}

/// Add a header whose value we built (skipped if it is not a valid header value).
pub fn with_header(mut r: Reply, name: hyper::header::HeaderName, value: &str) -> Reply {
    if let Ok(v) = hyper::header::HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
    r
}

/// A store error as a response (server-side failures are logged, not detailed).
pub fn store_error(e: GroupwareError) -> Reply {
    match e {
        GroupwareError::NotFound { .. } => text(StatusCode::NOT_FOUND, e.to_string()),
        GroupwareError::Exists { .. } => text(StatusCode::METHOD_NOT_ALLOWED, e.to_string()),
        GroupwareError::BadName { .. } => text(StatusCode::BAD_REQUEST, e.to_string()),
        GroupwareError::ActiveScript(_) => text(StatusCode::CONFLICT, e.to_string()),
        GroupwareError::Io { .. } | GroupwareError::Damaged { .. } => {
            tracing::warn!("sandbox DAV: {e}");
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the sandbox could not read or write its groupware files (see the log)",
            )
        }
    }
}
