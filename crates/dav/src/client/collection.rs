//! Calendar and address-book collections: listing a home, creating a new collection
//! (MKCALENDAR, or extended MKCOL for address books) with its name, colour and components.

use serde::{Deserialize, Serialize};

use super::error::DavError;
use super::href::{as_collection, canonical_path, encode_segment, resolve};
use super::transport::{propfind_req, DavClient, Req};
use super::xml::{self, NewCollection, APPLE, CALDAV, CARDDAV, DAV};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CollectionKind {
    Calendar,
    AddressBook,
}

/// Descriptive properties of a collection.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CollectionProps {
    pub display_name: Option<String>,
    /// Apple `calendar-color`, e.g. `#FF0000FF` (calendars only).
    pub color: Option<String>,
    pub description: Option<String>,
    /// `supported-calendar-component-set` ("VEVENT", "VTODO", ...); empty for address books,
    /// and for calendars whose server did not say (meaning: any component).
    pub components: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collection {
    /// Absolute path ending in `/`.
    pub href: String,
    pub kind: CollectionKind,
    pub props: CollectionProps,
}

const COLLECTION_PROPS: &[(&str, &str)] = &[
    (DAV, "resourcetype"),
    (DAV, "displayname"),
    (APPLE, "calendar-color"),
    (CALDAV, "calendar-description"),
    (CARDDAV, "addressbook-description"),
    (CALDAV, "supported-calendar-component-set"),
];

impl DavClient {
    /// The calendar and address-book collections directly inside `home` (PROPFIND Depth 1).
    pub async fn collections(&self, home: &str) -> Result<Vec<Collection>, DavError> {
        let url = self.url(&as_collection(home))?;
        let own = canonical_path(url.path());
        let (url, responses) = self.propfind(url, "1", COLLECTION_PROPS).await?;
        let mut out = Vec::new();
        for r in responses {
            let Some(href) = resolve(&url, &r.href).map(|h| as_collection(&h)) else {
                continue;
            };
            if href == own {
                continue;
            }
            let Some(rt) = r.prop((DAV, "resourcetype")) else {
                continue;
            };
            let kind = if rt.has_child((CALDAV, "calendar")) {
                CollectionKind::Calendar
            } else if rt.has_child((CARDDAV, "addressbook")) {
                CollectionKind::AddressBook
            } else {
                continue;
            };
            let components = match kind {
                CollectionKind::Calendar => r
                    .prop((CALDAV, "supported-calendar-component-set"))
                    .map(|p| {
                        p.children
                            .iter()
                            .filter(|(ns, name, _)| ns == CALDAV && name == "comp")
                            .filter_map(|(_, _, n)| n.as_ref().map(|n| n.to_ascii_uppercase()))
                            .collect()
                    })
                    .unwrap_or_default(),
                CollectionKind::AddressBook => Vec::new(),
            };
            let description = r
                .text((CALDAV, "calendar-description"))
                .or_else(|| r.text((CARDDAV, "addressbook-description")));
            out.push(Collection {
                href,
                kind,
                props: CollectionProps {
                    display_name: r.text((DAV, "displayname")),
                    color: r.text((APPLE, "calendar-color")),
                    description,
                    components,
                },
            });
        }
        Ok(out)
    }

    /// Create `home/segment/` as a calendar (MKCALENDAR) or address book (extended MKCOL).
    /// Returns its href. `DavError::AlreadyExists` when the collection is already there.
    pub async fn create_collection(
        &self,
        home: &str,
        segment: &str,
        props: &CollectionProps,
        kind: CollectionKind,
    ) -> Result<String, DavError> {
        let href = canonical_path(&format!(
            "{}{}/",
            as_collection(home),
            encode_segment(segment)
        ));
        let url = self.url(&href)?;
        let new = NewCollection {
            display_name: props.display_name.as_deref(),
            description: props.description.as_deref(),
            color: props.color.as_deref(),
            components: &props.components,
        };
        let (method, body) = match kind {
            CollectionKind::Calendar => ("MKCALENDAR", xml::mkcalendar(&new)),
            CollectionKind::AddressBook => ("MKCOL", xml::mkcol_addressbook(&new)),
        };
        let mut req = Req::new(method, url.clone());
        req.body = Some(("application/xml; charset=utf-8".into(), body.into_bytes()));
        let answer = self.send(req).await?;
        match answer.status {
            200..=299 => Ok(href),
            405 | 409 => {
                let probe = self
                    .send(propfind_req(url.clone(), "0", &[(DAV, "resourcetype")]))
                    .await?;
                if probe.status == 207 {
                    Err(DavError::AlreadyExists(url.to_string()))
                } else {
                    Err(answer.fail())
                }
            }
            _ => Err(answer.fail()),
        }
    }
}
