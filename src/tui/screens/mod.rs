//! The full-screen views: the Platforms screen (sidebar and tabs), the DNS
//! diagnostic of one domain, the guided migration wizard and the tasks dashboard.

pub mod dashboard;
pub mod dns;
pub mod platforms;
pub mod project;
pub mod wizard;
