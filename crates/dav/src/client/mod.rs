//! The CalDAV/CardDAV client (feature `client`): account, HTTP transport and errors,
//! discovery of principal and homes, collections, and objects by href and ETag.
//! Hrefs returned are absolute paths in one canonical percent-encoding.

mod account;
mod collection;
mod discovery;
mod error;
mod href;
mod object;
mod transport;
mod vcard;
mod xml;

pub use account::DavAccount;
pub use collection::{Collection, CollectionKind, CollectionProps};
pub use discovery::Homes;
pub use error::DavError;
pub use href::canonical_path;
pub use object::{DeleteOutcome, Object, ObjectRef, PutOutcome};
pub use transport::DavClient;
pub use vcard::{address_data_element, ACCEPT_VCARD4};
