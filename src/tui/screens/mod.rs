//! The full-screen views: the Platforms screen (sidebar and tabs) and the DNS
//! diagnostic of one domain.

pub mod dns;
pub mod platforms;
