//! Turning zone records into hickory wire records (and a synthetic SOA per zone).

use crate::error::DnsError;
use crate::record::{RecordKind, ZoneRecord};
use hickory_proto::rr::rdata::{A, CNAME, MX, SOA, SRV, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};

pub(crate) fn name(text: &str) -> Result<Name, DnsError> {
    let fqdn = format!("{}.", text.trim_end_matches('.'));
    Name::from_ascii(&fqdn).map_err(|_| DnsError::BadName(text.to_string()))
}

fn bad(r: &ZoneRecord, reason: &str) -> DnsError {
    DnsError::BadRecord {
        kind: r.kind.to_string(),
        value: r.value.clone(),
        reason: reason.to_string(),
    }
}

fn number(r: &ZoneRecord, field: Option<&str>, what: &str) -> Result<u16, DnsError> {
    field
        .and_then(|f| f.parse().ok())
        .ok_or_else(|| bad(r, &format!("expected {what} as a number")))
}

/// The hickory record for one zone record.
pub(crate) fn to_wire(r: &ZoneRecord) -> Result<Record, DnsError> {
    let owner = name(&r.name)?;
    let fields: Vec<&str> = r.value.split_whitespace().collect();
    let rdata = match r.kind {
        RecordKind::A => RData::A(A(r
            .value
            .parse()
            .map_err(|_| bad(r, "expected an IPv4 address"))?)),
        RecordKind::Mx => {
            if fields.len() != 2 {
                return Err(bad(r, "expected 'PRIORITY HOST'"));
            }
            RData::MX(MX::new(
                number(r, fields.first().copied(), "priority")?,
                name(fields[1])?,
            ))
        }
        RecordKind::Srv => {
            if fields.len() != 4 {
                return Err(bad(r, "expected 'PRIORITY WEIGHT PORT TARGET'"));
            }
            RData::SRV(SRV::new(
                number(r, Some(fields[0]), "priority")?,
                number(r, Some(fields[1]), "weight")?,
                number(r, Some(fields[2]), "port")?,
                name(fields[3])?,
            ))
        }
        RecordKind::Cname => RData::CNAME(CNAME(name(&r.value)?)),
        RecordKind::Txt => {
            // Character-strings hold at most 255 bytes: split long values.
            let bytes = r.value.as_bytes();
            let chunks = bytes
                .chunks(255)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>();
            RData::TXT(TXT::new(if chunks.is_empty() {
                vec![String::new()]
            } else {
                chunks
            }))
        }
    };
    Ok(Record::from_rdata(owner, r.ttl, rdata))
}

/// The record type hickory uses for one of ours, and back.
pub(crate) fn kind_of(rtype: RecordType) -> Option<RecordKind> {
    match rtype {
        RecordType::A => Some(RecordKind::A),
        RecordType::MX => Some(RecordKind::Mx),
        RecordType::TXT => Some(RecordKind::Txt),
        RecordType::SRV => Some(RecordKind::Srv),
        RecordType::CNAME => Some(RecordKind::Cname),
        _ => None,
    }
}

/// A synthetic SOA for a simulated zone (negative answers carry it).
pub(crate) fn soa(zone: &str) -> Result<Record, DnsError> {
    let apex = name(zone)?;
    let rdata = SOA::new(
        name(&format!("ns.{zone}"))?,
        name(&format!("hostmaster.{zone}"))?,
        1,
        3600,
        600,
        86400,
        60,
    );
    Ok(Record::from_rdata(apex, 60, RData::SOA(rdata)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_each_kind_and_rejects_garbage() {
        for (kind, value) in [
            (RecordKind::A, "192.0.2.1"),
            (RecordKind::Mx, "1 mx1.mail.ovh.net"),
            (RecordKind::Srv, "0 0 443 ex5.mail.ovh.net"),
            (RecordKind::Cname, "selector1._domainkey.ex5.mail.ovh.net"),
            (RecordKind::Txt, "v=spf1 include:mx.ovh.com ~all"),
        ] {
            let rec = to_wire(&ZoneRecord::new("example.com", kind, value)).unwrap();
            assert_eq!(kind_of(rec.record_type()), Some(kind));
        }
        assert!(to_wire(&ZoneRecord::new("example.com", RecordKind::Mx, "mx1.only")).is_err());
        assert!(to_wire(&ZoneRecord::new("example.com", RecordKind::A, "not-an-ip")).is_err());
    }

    #[test]
    fn long_txt_is_split_into_character_strings() {
        let long = "x".repeat(600);
        let rec = to_wire(&ZoneRecord::new("example.com", RecordKind::Txt, &long)).unwrap();
        let RData::TXT(txt) = rec.data() else {
            panic!("not TXT")
        };
        assert_eq!(txt.txt_data().len(), 3);
    }
}
