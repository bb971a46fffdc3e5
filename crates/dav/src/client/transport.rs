//! The HTTP side: one reqwest client (ring-based rustls from the engine), Basic auth on
//! every request, no automatic redirects, and the mapping of failures to `DavError`.

use std::sync::Arc;
use std::time::Duration;

use mailshift_net::{client_config, Secret};
use reqwest::header::HeaderMap;
use reqwest::{Method, Url};

use super::account::DavAccount;
use super::error::DavError;
use super::xml::{self, Name, Response};

/// A CalDAV/CardDAV client for one account. Cheap to clone (shared inside).
#[derive(Clone)]
pub struct DavClient {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    http: reqwest::Client,
    pub(super) base: Url,
    user: String,
    password: Secret,
    timeout: Duration,
}

impl std::fmt::Debug for DavClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DavClient")
            .field("base", &self.inner.base.as_str())
            .field("user", &self.inner.user)
            .finish()
    }
}

/// One request to send.
pub(super) struct Req {
    pub method: &'static str,
    pub url: Url,
    pub depth: Option<&'static str>,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<(String, Vec<u8>)>,
}

impl Req {
    pub fn new(method: &'static str, url: Url) -> Req {
        Req {
            method,
            url,
            depth: None,
            headers: Vec::new(),
            body: None,
        }
    }
}

/// A server's answer, body read in full.
pub(super) struct Answer {
    pub method: &'static str,
    pub url: Url,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    /// A short, one-line excerpt of the body for error messages.
    pub fn excerpt(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut short: String = line.chars().take(200).collect();
        if short.len() < line.len() {
            short.push('…');
        }
        if short.is_empty() {
            "(empty body)".into()
        } else {
            short
        }
    }

    pub fn body_contains(&self, needle: &str) -> bool {
        String::from_utf8_lossy(&self.body).contains(needle)
    }

    /// The error for an answer the caller did not expect.
    pub fn fail(&self) -> DavError {
        let url = self.url.to_string();
        match self.status {
            401 => DavError::Auth {
                url,
                status: self.status,
            },
            403 => DavError::Forbidden {
                method: self.method.into(),
                url,
            },
            status => DavError::Http {
                method: self.method.into(),
                url,
                status,
                detail: self.excerpt(),
            },
        }
    }

    /// Parse a 207 multistatus body.
    pub fn multistatus(&self) -> Result<Vec<Response>, DavError> {
        let text = std::str::from_utf8(&self.body).map_err(|_| DavError::Xml {
            what: format!("{} answer is not UTF-8", self.method),
            url: self.url.to_string(),
        })?;
        xml::parse_multistatus(text).map_err(|what| DavError::Xml {
            what,
            url: self.url.to_string(),
        })
    }
}

impl DavClient {
    pub fn new(account: DavAccount) -> Result<DavClient, DavError> {
        let bad = |reason: &str| DavError::BadUrl {
            url: account.base_url.clone(),
            reason: reason.into(),
        };
        let mut base = Url::parse(account.base_url.trim())
            .map_err(|e| bad(&format!("{e} (write it like https://dav.example.org/)")))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(bad("only http:// and https:// are supported"));
        }
        if !base.username().is_empty() || base.password().is_some() {
            return Err(DavError::BadUrl {
                url: format!("{}://{}", base.scheme(), base.host_str().unwrap_or("")),
                reason: "put the user and password in their own fields, not in the URL".into(),
            });
        }
        if base.host_str().is_none() {
            return Err(bad("it has no host name"));
        }
        base.set_query(None);
        base.set_fragment(None);
        let tls = client_config(&account.tls).map_err(|e| DavError::Tls {
            addr: addr_of(&base),
            cause: e.to_string(),
        })?;
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(Arc::unwrap_or_clone(tls))
            .redirect(reqwest::redirect::Policy::none())
            .timeout(account.timeout)
            .connect_timeout(account.timeout)
            .user_agent(concat!("mailshift/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| DavError::Tls {
                addr: addr_of(&base),
                cause: e.to_string(),
            })?;
        Ok(DavClient {
            inner: Arc::new(Inner {
                http,
                base,
                user: account.user,
                password: account.password,
                timeout: account.timeout,
            }),
        })
    }

    /// The full URL of an href (absolute path, relative path or full URL).
    pub(super) fn url(&self, href: &str) -> Result<Url, DavError> {
        self.inner.base.join(href).map_err(|e| DavError::BadUrl {
            url: href.to_string(),
            reason: e.to_string(),
        })
    }

    pub(super) async fn send(&self, req: Req) -> Result<Answer, DavError> {
        let method =
            Method::from_bytes(req.method.as_bytes()).expect("static method names are valid");
        let mut builder = self
            .inner
            .http
            .request(method, req.url.clone())
            .basic_auth(&self.inner.user, Some(self.inner.password.expose()));
        if let Some(depth) = req.depth {
            builder = builder.header("Depth", depth);
        }
        for (name, value) in &req.headers {
            builder = builder.header(*name, value);
        }
        if let Some((content_type, body)) = req.body {
            builder = builder.header("Content-Type", content_type).body(body);
        }
        tracing::debug!(method = req.method, url = %req.url, "dav request");
        let what = || format!("{} {}", req.method, req.url);
        let resp = builder
            .send()
            .await
            .map_err(|e| self.transport_error(&req.url, what(), e))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp
            .bytes()
            .await
            .map_err(|e| self.transport_error(&req.url, what(), e))?
            .to_vec();
        tracing::debug!(method = req.method, url = %req.url, status, "dav answer");
        Ok(Answer {
            method: req.method,
            url: req.url,
            status,
            headers,
            body,
        })
    }

    /// PROPFIND with the given depth and properties; any answer but 207 is an error.
    pub(super) async fn propfind(
        &self,
        url: Url,
        depth: &'static str,
        props: &[Name],
    ) -> Result<(Url, Vec<Response>), DavError> {
        let answer = self.send(propfind_req(url, depth, props)).await?;
        if answer.status != 207 {
            return Err(answer.fail());
        }
        let responses = answer.multistatus()?;
        Ok((answer.url, responses))
    }

    fn transport_error(&self, url: &Url, what: String, e: reqwest::Error) -> DavError {
        if e.is_timeout() {
            return DavError::Timeout {
                what,
                secs: self.inner.timeout.as_secs().max(1),
            };
        }
        let cause = cause_chain(&e);
        let lower = cause.to_ascii_lowercase();
        if url.scheme() == "https"
            && (tls_failure(&e)
                || ["certificate", "tls", "handshake", "alert"]
                    .iter()
                    .any(|w| lower.contains(w)))
        {
            return DavError::Tls {
                addr: addr_of(url),
                cause,
            };
        }
        DavError::Connect {
            addr: addr_of(url),
            cause,
        }
    }
}

pub(super) fn propfind_req(url: Url, depth: &'static str, props: &[Name]) -> Req {
    let mut req = Req::new("PROPFIND", url);
    req.depth = Some(depth);
    req.body = Some((
        "application/xml; charset=utf-8".into(),
        xml::propfind(props).into_bytes(),
    ));
    req
}

/// `host:port` of a URL, for messages.
pub(super) fn addr_of(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or("?"),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// rustls reports handshake failures as `io::Error`s of kind `InvalidData`, sometimes
/// wrapped in another `io::Error` (whose `source()` skips the wrapped one).
fn tls_failure(e: &reqwest::Error) -> bool {
    fn check(err: &(dyn std::error::Error + 'static)) -> bool {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::InvalidData {
                return true;
            }
            if io.get_ref().is_some_and(|inner| check(inner)) {
                return true;
            }
        }
        err.source().is_some_and(check)
    }
    std::error::Error::source(e).is_some_and(check)
}

/// The error and its sources, deepest last, without repeating reqwest's URL prefix.
fn cause_chain(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    if parts.is_empty() {
        parts.push(e.to_string());
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailshift_net::TlsOptions;

    fn account(url: &str) -> DavAccount {
        DavAccount {
            base_url: url.into(),
            user: "alice".into(),
            password: Secret::new("hunter2"),
            tls: TlsOptions::default(),
            timeout: Duration::from_secs(5),
        }
    }

    #[test]
    fn urls_with_credentials_or_odd_schemes_are_refused_without_echoing_secrets() {
        let err = DavClient::new(account("https://bob:topsecret@dav.example.org/")).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("not in the URL"), "{text}");
        assert!(!text.contains("topsecret") && !format!("{err:?}").contains("topsecret"));
        assert!(matches!(
            DavClient::new(account("ftp://dav.example.org/")).unwrap_err(),
            DavError::BadUrl { .. }
        ));
        assert!(matches!(
            DavClient::new(account("not a url")).unwrap_err(),
            DavError::BadUrl { .. }
        ));
    }

    #[test]
    fn client_debug_hides_the_password() {
        let dav = DavClient::new(account("https://dav.example.org/dav/")).unwrap();
        let shown = format!("{dav:?}");
        assert!(shown.contains("dav.example.org") && !shown.contains("hunter2"));
        assert_eq!(
            dav.url("/alice/x%20y.ics").unwrap().as_str(),
            "https://dav.example.org/alice/x%20y.ics"
        );
    }
}
