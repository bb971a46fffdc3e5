//! Objects (one iCalendar object or vCard each) inside a collection: list with ETags,
//! fetch, create without overwriting, delete with an optional ETag guard. Bodies are bytes,
//! passed through untouched.

use serde::{Deserialize, Serialize};

use super::error::DavError;
use super::href::{as_collection, canonical_path, resolve};
use super::transport::{DavClient, Req};
use super::xml::DAV;

/// An object as listed in its collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectRef {
    /// Absolute path.
    pub href: String,
    /// The ETag exactly as the server wrote it (quotes included).
    pub etag: Option<String>,
    pub content_type: Option<String>,
}

/// An object with its body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Object {
    pub href: String,
    pub etag: Option<String>,
    /// The Content-Type header (empty when the server sent none).
    pub content_type: String,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PutOutcome {
    Created {
        etag: Option<String>,
    },
    /// Something is already at that href (412), or the collection already holds an object
    /// with the same UID (CalDAV/CardDAV `no-uid-conflict` precondition).
    AlreadyExists,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeleteOutcome {
    Deleted,
    /// Nothing was there (404).
    Gone,
    /// The object changed since the given ETag (412); it was kept.
    Changed,
}

const OBJECT_PROPS: &[(&str, &str)] = &[
    (DAV, "resourcetype"),
    (DAV, "getetag"),
    (DAV, "getcontenttype"),
];

impl DavClient {
    /// Every object in a collection (PROPFIND Depth 1), sub-collections left out.
    pub async fn objects(&self, collection: &str) -> Result<Vec<ObjectRef>, DavError> {
        let url = self.url(&as_collection(collection))?;
        let own = canonical_path(url.path());
        let (url, responses) = self.propfind(url, "1", OBJECT_PROPS).await?;
        let mut out = Vec::new();
        for r in responses {
            if r.status.is_some_and(|s| !(200..300).contains(&s)) {
                continue;
            }
            let Some(href) = resolve(&url, &r.href) else {
                continue;
            };
            if as_collection(&href) == own {
                continue;
            }
            if r.prop((DAV, "resourcetype"))
                .is_some_and(|p| p.has_child((DAV, "collection")))
            {
                continue;
            }
            out.push(ObjectRef {
                href,
                etag: r.text((DAV, "getetag")),
                content_type: r.text((DAV, "getcontenttype")),
            });
        }
        Ok(out)
    }

    /// Fetch one object's bytes.
    pub async fn get(&self, href: &str) -> Result<Object, DavError> {
        self.get_as(href, None).await
    }

    /// Fetch one object's bytes, asking for a representation (`Accept`, e.g.
    /// [`ACCEPT_VCARD4`](super::ACCEPT_VCARD4)); the server's answer is taken as it comes.
    pub async fn get_as(&self, href: &str, accept: Option<&str>) -> Result<Object, DavError> {
        let url = self.url(href)?;
        let answer = self.send(get_request(url.clone(), accept)).await?;
        if answer.status != 200 {
            return Err(answer.fail());
        }
        Ok(Object {
            href: canonical_path(url.path()),
            etag: answer.header("etag"),
            content_type: answer.header("content-type").unwrap_or_default(),
            body: answer.body,
        })
    }

    /// Create an object at `href` unless something is already there (`If-None-Match: *`).
    pub async fn put_new(
        &self,
        href: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<PutOutcome, DavError> {
        let mut req = Req::new("PUT", self.url(href)?);
        req.headers.push(("If-None-Match", "*".into()));
        req.body = Some((content_type.to_string(), body.to_vec()));
        let answer = self.send(req).await?;
        match answer.status {
            200..=299 => Ok(PutOutcome::Created {
                etag: answer.header("etag"),
            }),
            412 => Ok(PutOutcome::AlreadyExists),
            403 | 409 if answer.body_contains("no-uid-conflict") => Ok(PutOutcome::AlreadyExists),
            _ => Err(answer.fail()),
        }
    }

    /// Delete an object; with `if_match`, only if its ETag is still that one.
    pub async fn delete(
        &self,
        href: &str,
        if_match: Option<&str>,
    ) -> Result<DeleteOutcome, DavError> {
        let mut req = Req::new("DELETE", self.url(href)?);
        if let Some(etag) = if_match {
            req.headers.push(("If-Match", etag.to_string()));
        }
        let answer = self.send(req).await?;
        match answer.status {
            200..=299 => Ok(DeleteOutcome::Deleted),
            404 => Ok(DeleteOutcome::Gone),
            412 => Ok(DeleteOutcome::Changed),
            _ => Err(answer.fail()),
        }
    }
}

/// A GET, with an `Accept` header when a representation is asked for.
fn get_request(url: reqwest::Url, accept: Option<&str>) -> Req {
    let mut req = Req::new("GET", url);
    if let Some(accept) = accept {
        req.headers.push(("Accept", accept.to_string()));
    }
    req
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vcard_get_asks_for_version_4_and_a_plain_get_asks_nothing() {
        let url = reqwest::Url::parse("https://dav.example/ab/a.vcf").unwrap();
        let req = get_request(url.clone(), Some(super::super::ACCEPT_VCARD4));
        assert_eq!(req.method, "GET");
        assert_eq!(
            req.headers,
            vec![("Accept", "text/vcard; version=4.0".to_string())]
        );
        assert!(get_request(url, None).headers.is_empty());
    }
}
