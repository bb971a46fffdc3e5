//! Demo events (Europe/Paris, some weekly or monthly, some meetings with attendees) and
//! demo tasks, as iCalendar 2.0 objects with CRLF line ends.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::Rng;

const PRODID: &str = "-//mailshift//sandbox demo//EN";
const STAMP: &str = "20261101T080000Z";

const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n\
BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n\
DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n\
DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
END:VTIMEZONE\r\n";

/// (summary, location, minutes, RRULE or "", invites colleagues)
const EVENTS: [(&str, &str, i64, &str, bool); 15] = [
    (
        "Team weekly",
        "Meeting room 2",
        60,
        "FREQ=WEEKLY;BYDAY=MO",
        true,
    ),
    ("Project kick-off", "Meeting room 1", 90, "", true),
    (
        "Lunch with a client",
        "Le Bistrot, rue de Paris",
        90,
        "",
        false,
    ),
    ("Budget review", "Meeting room 3", 60, "", true),
    ("Dentist", "", 45, "", false),
    ("Monthly report", "", 30, "FREQ=MONTHLY;BYMONTHDAY=1", false),
    ("Supplier call", "Phone", 30, "", true),
    (
        "Training: new mail platform",
        "Training room",
        120,
        "",
        true,
    ),
    (
        "One-to-one",
        "Office",
        30,
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
        true,
    ),
    ("Quarterly planning", "Meeting room 1", 180, "", true),
    ("Yoga", "Gym", 60, "FREQ=WEEKLY;BYDAY=WE;COUNT=10", false),
    ("Sales demo", "Customer site", 60, "", true),
    ("IT maintenance window", "", 120, "", false),
    ("Interview", "Meeting room 2", 60, "", true),
    ("Afterwork", "Café du Coin", 120, "", false),
];

const COLLEAGUES: [(&str, &str); 5] = [
    ("Claire Moreau", "claire.moreau@example.org"),
    ("Thomas Leroy", "thomas.leroy@example.org"),
    ("Lucas Petit", "lucas.petit@example.org"),
    ("IT administration", "admin@example.org"),
    ("Marc Durand", "marc.durand@partner.example"),
];

const TASKS: [(&str, &str, u8); 7] = [
    ("Send the signed contract", "NEEDS-ACTION", 1),
    ("Book the meeting room for the review", "COMPLETED", 5),
    ("Prepare the quarterly slides", "IN-PROCESS", 3),
    ("Renew the parking badge", "NEEDS-ACTION", 9),
    ("Answer the supplier survey", "NEEDS-ACTION", 5),
    ("Archive last year's invoices", "COMPLETED", 9),
    ("Update the team wiki", "NEEDS-ACTION", 7),
];

fn anchor() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 16)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

fn local(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

/// 8 to 15 events: `(file name, bytes)`.
pub fn events(rng: &mut Rng, login: &str, who: &str) -> Vec<(String, Vec<u8>)> {
    let count = rng.range(8, 15) as usize;
    let mut out = Vec::new();
    for (summary, location, minutes, rrule, meeting) in EVENTS.iter().take(count) {
        let uid = rng.uuid();
        let day = rng.range(0, 27) as i64 - 7;
        let hour = rng.range(8, 17) as i64;
        let start = anchor() + Duration::days(day) + Duration::hours(hour);
        let end = start + Duration::minutes(*minutes);
        let mut ics = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:{PRODID}\r\nCALSCALE:GREGORIAN\r\n{VTIMEZONE}\
BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:{STAMP}\r\nDTSTART;TZID=Europe/Paris:{}\r\n\
DTEND;TZID=Europe/Paris:{}\r\nSUMMARY:{summary}\r\n",
            local(start),
            local(end)
        );
        if !location.is_empty() {
            ics.push_str(&format!("LOCATION:{location}\r\n"));
        }
        if !rrule.is_empty() {
            ics.push_str(&format!("RRULE:{rrule}\r\n"));
        }
        if *meeting {
            ics.push_str(&format!("ORGANIZER;CN={who}:mailto:{login}\r\n"));
            let n = rng.range(1, 3) as usize;
            let first = rng.range(0, COLLEAGUES.len() as u64 - 1) as usize;
            for k in 0..n {
                let (cn, mail) = COLLEAGUES[(first + k) % COLLEAGUES.len()];
                if mail == login {
                    continue;
                }
                let partstat = ["ACCEPTED", "TENTATIVE", "NEEDS-ACTION"][k % 3];
                ics.push_str(&format!(
                    "ATTENDEE;CN={cn};ROLE=REQ-PARTICIPANT;PARTSTAT={partstat}:mailto:{mail}\r\n"
                ));
            }
        }
        ics.push_str("END:VEVENT\r\nEND:VCALENDAR\r\n");
        out.push((format!("{uid}.ics"), ics.into_bytes()));
    }
    out
}

/// 5 to 7 tasks: `(file name, bytes)`.
pub fn tasks(rng: &mut Rng, login: &str) -> Vec<(String, Vec<u8>)> {
    let count = rng.range(5, 7) as usize;
    let mut out = Vec::new();
    for (summary, status, priority) in TASKS.iter().take(count) {
        let uid = rng.uuid();
        let due = anchor() + Duration::days(rng.range(1, 30) as i64) + Duration::hours(17);
        let mut ics = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:{PRODID}\r\nBEGIN:VTODO\r\nUID:{uid}\r\n\
DTSTAMP:{STAMP}\r\nSUMMARY:{summary}\r\nDUE:{}\r\nSTATUS:{status}\r\nPRIORITY:{priority}\r\n\
X-MAILSHIFT-OWNER:{login}\r\n",
            local(due)
        );
        if *status == "COMPLETED" {
            ics.push_str("PERCENT-COMPLETE:100\r\nCOMPLETED:20261110T100000Z\r\n");
        }
        ics.push_str("END:VTODO\r\nEND:VCALENDAR\r\n");
        out.push((format!("{uid}.ics"), ics.into_bytes()));
    }
    out
}
