//! mailshift-dav: a CalDAV/CardDAV client (RFC 4791, 6352) for moving calendars, tasks,
//! contacts and contact groups; discovery, collections, objects by href and ETag,
//! and a light iCalendar/vCard inspection (UID, components, group cards).

#[cfg(feature = "client")]
mod client;
pub mod item;
pub mod xml;

#[cfg(feature = "client")]
pub use client::{
    address_data_element, canonical_path, Collection, CollectionKind, CollectionProps, DavAccount,
    DavClient, DavError, DeleteOutcome, Homes, Object, ObjectRef, PutOutcome, ACCEPT_VCARD4,
};
pub use item::{inspect, ItemError, ItemInfo, ItemKind};
