//! mailshift-dns: the DNS diagnostic (expected records per platform vs what a resolver sees,
//! with the exact fix for each red record) and an in-process authoritative DNS server for
//! simulated zones whose changes propagate on a simulated clock.

pub mod clock;
pub mod diagnose;
pub mod error;
pub mod expected;
pub mod lookup;
pub mod platform;
pub mod record;
pub mod report_text;
pub mod spf;
pub mod zone_server;

pub use clock::{PropagationDelay, SimClock, SimTime};
pub use diagnose::{check_domain, DomainReport, Fix, FixAction, RecordCheck, Summary, Verdict};
pub use error::DnsError;
pub use expected::{expected_records, ExpectedRecord, Match};
pub use lookup::{parse_nameserver, Lookup, Observed};
pub use platform::PlatformKind;
pub use record::{RecordKind, ZoneRecord};
pub use report_text::render_text;
pub use zone_server::{PendingChange, RecordChange, ZoneServer};
