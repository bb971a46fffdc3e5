//! Discovery: from the account's URL to the principal (RFC 5397), following the
//! `/.well-known/caldav|carddav` redirects (RFC 6764), then to the calendar and
//! address-book home sets (RFC 4791 6.2.1, RFC 6352 7.1.1).

use reqwest::Url;
use serde::{Deserialize, Serialize};

use super::error::DavError;
use super::href::{as_collection, resolve};
use super::transport::{addr_of, propfind_req, DavClient};
use super::xml::{Response, CALDAV, CARDDAV, DAV};

/// Where an account's collections live (absolute-path hrefs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Homes {
    pub principal: String,
    pub calendars: Option<String>,
    pub contacts: Option<String>,
}

const MAX_REDIRECTS: usize = 5;
const PRINCIPAL_PROPS: &[(&str, &str)] = &[
    (DAV, "current-user-principal"),
    (DAV, "principal-URL"),
    (DAV, "resourcetype"),
    (CALDAV, "calendar-home-set"),
    (CARDDAV, "addressbook-home-set"),
];

impl DavClient {
    /// Find the principal and its calendar and address-book homes.
    pub async fn discover(&self) -> Result<Homes, DavError> {
        let base = self.inner.base.clone();
        let starts: Vec<String> = if base.path() == "/" || base.path().is_empty() {
            vec![
                "/.well-known/caldav".into(),
                "/.well-known/carddav".into(),
                "/".into(),
            ]
        } else {
            vec![base.path().to_string()]
        };
        let mut last = None;
        for start in starts {
            match self.discover_from(self.url(&start)?).await {
                Ok(homes) => return Ok(homes),
                Err(
                    e @ (DavError::NotDav { .. } | DavError::Http { .. } | DavError::Xml { .. }),
                ) => {
                    tracing::debug!(start, error = %e, "dav discovery: next candidate");
                    last = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(last.expect("at least one start URL"))
    }

    async fn discover_from(&self, start: Url) -> Result<Homes, DavError> {
        let (url, first) = self.propfind_following(start).await?;
        let own = pick_own(&url, &first);
        let principal_href = own
            .and_then(|r| {
                r.prop((DAV, "current-user-principal"))
                    .or_else(|| r.prop((DAV, "principal-URL")))
            })
            .and_then(|p| p.hrefs.first())
            .and_then(|h| resolve(&url, h));
        let (principal, props) = match principal_href {
            Some(p) if resolve(&url, url.path()).as_deref() != Some(&p) => {
                let purl = self.url(&p)?;
                let (purl, resp) = self.propfind_following(purl).await?;
                let own = pick_own(&purl, &resp).cloned();
                (p, own.map(|r| (purl, r)))
            }
            Some(p) => (p, own.cloned().map(|r| (url.clone(), r))),
            None => {
                // No principal named: the URL itself may be the principal (old servers).
                let here = resolve(&url, url.path()).unwrap_or_else(|| "/".into());
                (here, own.cloned().map(|r| (url.clone(), r)))
            }
        };
        let home = |ns, name| {
            props.as_ref().and_then(|(u, r)| {
                r.prop((ns, name))
                    .and_then(|p| p.hrefs.first())
                    .and_then(|h| resolve(u, h))
                    .map(|h| as_collection(&h))
            })
        };
        let calendars = home(CALDAV, "calendar-home-set");
        let contacts = home(CARDDAV, "addressbook-home-set");
        if calendars.is_none() && contacts.is_none() {
            return Err(DavError::NotDav {
                url: self.url(&principal)?.to_string(),
                detail: "the principal has neither a calendar-home-set nor an addressbook-home-set"
                    .into(),
            });
        }
        Ok(Homes {
            principal,
            calendars,
            contacts,
        })
    }

    /// PROPFIND Depth 0 for the principal properties, following same-server redirects.
    async fn propfind_following(&self, start: Url) -> Result<(Url, Vec<Response>), DavError> {
        let mut url = start;
        for _ in 0..=MAX_REDIRECTS {
            let answer = self
                .send(propfind_req(url.clone(), "0", PRINCIPAL_PROPS))
                .await?;
            match answer.status {
                207 => {
                    let responses = answer.multistatus().map_err(|e| DavError::NotDav {
                        url: url.to_string(),
                        detail: format!("its PROPFIND answer is not usable ({e})"),
                    })?;
                    return Ok((url, responses));
                }
                301 | 302 | 303 | 307 | 308 => {
                    let location = answer.header("location").ok_or_else(|| DavError::Http {
                        method: "PROPFIND".into(),
                        url: url.to_string(),
                        status: answer.status,
                        detail: "redirect without a Location header".into(),
                    })?;
                    let next = url.join(&location).map_err(|e| DavError::BadUrl {
                        url: location.clone(),
                        reason: e.to_string(),
                    })?;
                    if next.origin() != url.origin() {
                        return Err(DavError::Http {
                            method: "PROPFIND".into(),
                            url: url.to_string(),
                            status: answer.status,
                            detail: format!(
                                "redirects to another server ({}); use that address as the DAV URL",
                                addr_of(&next)
                            ),
                        });
                    }
                    url = next;
                }
                401 | 403 => {
                    return Err(DavError::Auth {
                        url: url.to_string(),
                        status: answer.status,
                    })
                }
                status
                    if (200..300).contains(&status) || matches!(status, 400 | 404 | 405 | 501) =>
                {
                    let kind = answer
                        .header("content-type")
                        .unwrap_or_else(|| "no type".into());
                    return Err(DavError::NotDav {
                        url: url.to_string(),
                        detail: format!(
                            "PROPFIND got HTTP {status} ({kind}) instead of a WebDAV multistatus"
                        ),
                    });
                }
                _ => return Err(answer.fail()),
            }
        }
        Err(DavError::Http {
            method: "PROPFIND".into(),
            url: url.to_string(),
            status: 310,
            detail: format!("more than {MAX_REDIRECTS} redirects"),
        })
    }
}

/// The response describing the requested URL itself (or the only one).
fn pick_own<'a>(url: &Url, responses: &'a [Response]) -> Option<&'a Response> {
    let want = resolve(url, url.path());
    responses
        .iter()
        .find(|r| {
            resolve(url, &r.href).map(|h| as_collection(&h))
                == want.as_ref().map(|w| as_collection(w))
        })
        .or(responses.first())
}
