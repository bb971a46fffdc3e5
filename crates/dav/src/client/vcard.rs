//! vCard 4.0 where the server can give it (RFC 6352 6.2.2 `supported-address-data`,
//! 10.4 `address-data`): read what an address book offers, ask for 4.0 on GET (and in a
//! REPORT's `address-data`), and take whatever the server then returns, byte for byte.

use super::error::DavError;
use super::href::as_collection;
use super::transport::DavClient;
use super::xml::{Prop, CARDDAV};

/// The `Accept` header asking for vCard 4.0 (a server without content negotiation
/// ignores it and serves its own version).
pub const ACCEPT_VCARD4: &str = "text/vcard; version=4.0";

/// The `<C:address-data>` element asking a REPORT (addressbook-multiget or -query) for
/// vCard 4.0; without 4.0 on offer, the plain element (the server's own version).
pub fn address_data_element(vcard4: bool) -> &'static str {
    if vcard4 {
        r#"<C:address-data content-type="text/vcard" version="4.0"/>"#
    } else {
        "<C:address-data/>"
    }
}

/// Does a `supported-address-data` property list `text/vcard` version 4.0?
pub(crate) fn offers_vcard4(prop: &Prop) -> bool {
    prop.address_data
        .iter()
        .any(|(ct, v)| ct.eq_ignore_ascii_case("text/vcard") && v.trim() == "4.0")
}

impl DavClient {
    /// Whether this address book says it can serve vCard 4.0 (false when it does not say).
    pub async fn offers_vcard4(&self, address_book: &str) -> Result<bool, DavError> {
        let url = self.url(&as_collection(address_book))?;
        let (_, responses) = self
            .propfind(url, "0", &[(CARDDAV, "supported-address-data")])
            .await?;
        Ok(responses
            .iter()
            .filter_map(|r| r.prop((CARDDAV, "supported-address-data")))
            .any(offers_vcard4))
    }
}

#[cfg(test)]
mod tests {
    use super::super::xml::parse_multistatus;
    use super::*;

    const CYRUS: &str = r#"<?xml version="1.0"?>
<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
 <D:response><D:href>/dav/addressbooks/user/u/Default/</D:href>
  <D:propstat><D:prop><C:supported-address-data>
   <C:address-data-type content-type="text/vcard" version="3.0"/>
   <C:address-data-type content-type="text/vcard" version="4.0"/>
  </C:supported-address-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
 </D:response></D:multistatus>"#;

    #[test]
    fn supported_address_data_is_read_from_its_attributes() {
        let r = &parse_multistatus(CYRUS).unwrap()[0];
        let prop = r.prop((CARDDAV, "supported-address-data")).unwrap();
        assert!(offers_vcard4(prop));
        let only3 = CYRUS.replace(
            r#"<C:address-data-type content-type="text/vcard" version="4.0"/>"#,
            "",
        );
        let r = &parse_multistatus(&only3).unwrap()[0];
        assert!(!offers_vcard4(
            r.prop((CARDDAV, "supported-address-data")).unwrap()
        ));
    }

    #[test]
    fn requests_ask_for_vcard_4_only_when_offered() {
        assert_eq!(ACCEPT_VCARD4, "text/vcard; version=4.0");
        assert_eq!(
            address_data_element(true),
            r#"<C:address-data content-type="text/vcard" version="4.0"/>"#
        );
        assert_eq!(address_data_element(false), "<C:address-data/>");
    }
}
