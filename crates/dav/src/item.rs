//! Light inspection of one iCalendar object or vCard: its UID, the top-level components
//! inside VCALENDAR, whether a vCard is a contact group, whether anyone is invited.
//! Reads only; never re-encodes (the bytes moved between servers stay exactly as they were).

use thiserror::Error;

/// What kind of object the bytes should hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// An iCalendar object (`BEGIN:VCALENDAR`).
    Calendar,
    /// A vCard (`BEGIN:VCARD`).
    Contact,
}

/// What [`inspect`] found in one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemInfo {
    pub uid: String,
    /// Top-level components inside VCALENDAR ("VEVENT", "VTODO", "VJOURNAL", ...), upper case,
    /// each once, in order of first appearance; VTIMEZONE is left out. Empty for vCards.
    pub components: Vec<String>,
    /// vCard `KIND:group` (v4) or `X-ADDRESSBOOKSERVER-KIND:group` (v3).
    pub is_group: bool,
    /// Any ATTENDEE property.
    pub has_attendees: bool,
}

/// Why bytes are not a usable iCalendar object or vCard.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ItemError {
    #[error("the object is empty (no content lines)")]
    Empty,
    #[error("the object is not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 { offset: usize },
    #[error("the object does not start with BEGIN:{expected} (first line {line}: {found:?})")]
    WrongStart {
        expected: &'static str,
        line: usize,
        found: String,
    },
    #[error("END:{found} on line {line} does not close the open component {open}")]
    MismatchedEnd {
        open: String,
        found: String,
        line: usize,
    },
    #[error("END:{found} on line {line} has no matching BEGIN")]
    UnexpectedEnd { found: String, line: usize },
    #[error("BEGIN:{component} on line {line} is never closed by END:{component}")]
    Unclosed { component: String, line: usize },
    #[error("content after the closing END:{component} on line {line}")]
    TrailingContent { component: String, line: usize },
    #[error("line {line} is not a content line (NAME[;PARAMS]:VALUE): {text:?}")]
    BadLine { line: usize, text: String },
    #[error("the object has no UID property (servers key objects by UID; add one)")]
    NoUid,
    #[error("the object holds more than one UID ({first:?} and {second:?}); one object must describe one item")]
    ManyUids { first: String, second: String },
}

/// Inspect one object. Handles CRLF or LF line ends, folded lines (a line starting with a space
/// or tab continues the previous one), case-insensitive names and property parameters.
pub fn inspect(kind: ItemKind, bytes: &[u8]) -> Result<ItemInfo, ItemError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ItemError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = unfold(text);
    if lines.is_empty() {
        return Err(ItemError::Empty);
    }
    let root = match kind {
        ItemKind::Calendar => "VCALENDAR",
        ItemKind::Contact => "VCARD",
    };
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut root_closed = false;
    let mut uid: Option<String> = None;
    let mut components: Vec<String> = Vec::new();
    let mut is_group = false;
    let mut has_attendees = false;

    for (i, (line_no, line)) in lines.iter().enumerate() {
        let line_no = *line_no;
        let Some(prop) = parse_line(line) else {
            return Err(ItemError::BadLine {
                line: line_no,
                text: excerpt(line),
            });
        };
        if i == 0 && !(prop.name == "BEGIN" && prop.value.eq_ignore_ascii_case(root)) {
            return Err(ItemError::WrongStart {
                expected: root,
                line: line_no,
                found: excerpt(line),
            });
        }
        if root_closed {
            return Err(ItemError::TrailingContent {
                component: root.to_string(),
                line: line_no,
            });
        }
        match prop.name.as_str() {
            "BEGIN" => {
                let comp = prop.value.trim().to_ascii_uppercase();
                if stack.len() == 1
                    && kind == ItemKind::Calendar
                    && comp != "VTIMEZONE"
                    && !components.contains(&comp)
                {
                    components.push(comp.clone());
                }
                stack.push((comp, line_no));
            }
            "END" => {
                let comp = prop.value.trim().to_ascii_uppercase();
                match stack.pop() {
                    None => {
                        return Err(ItemError::UnexpectedEnd {
                            found: comp,
                            line: line_no,
                        })
                    }
                    Some((open, _)) if open != comp => {
                        return Err(ItemError::MismatchedEnd {
                            open,
                            found: comp,
                            line: line_no,
                        })
                    }
                    Some(_) => {
                        if stack.is_empty() {
                            root_closed = true;
                        }
                    }
                }
            }
            "UID" => {
                // A VTIMEZONE never carries UID; RECURRENCE-ID overrides repeat the same UID.
                let value = prop.value.trim().to_string();
                match &uid {
                    None => uid = Some(value),
                    Some(first) if *first != value => {
                        return Err(ItemError::ManyUids {
                            first: first.clone(),
                            second: value,
                        })
                    }
                    Some(_) => {}
                }
            }
            "ATTENDEE" => has_attendees = true,
            "KIND" | "X-ADDRESSBOOKSERVER-KIND"
                if kind == ItemKind::Contact && prop.value.trim().eq_ignore_ascii_case("group") =>
            {
                is_group = true;
            }
            _ => {}
        }
    }
    if let Some((component, line)) = stack.pop() {
        return Err(ItemError::Unclosed { component, line });
    }
    let uid = uid.filter(|u| !u.is_empty()).ok_or(ItemError::NoUid)?;
    Ok(ItemInfo {
        uid,
        components,
        is_group,
        has_attendees,
    })
}

/// One content line: upper-cased name (group prefix dropped) and raw value.
struct Prop<'a> {
    name: String,
    value: &'a str,
}

/// Split `[group.]NAME[;PARAM=...]:VALUE`, honouring double-quoted parameter values
/// (which may contain `:` and `;`).
fn parse_line(line: &str) -> Option<Prop<'_>> {
    let mut in_quotes = false;
    let mut name_end: Option<usize> = None;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ';' if !in_quotes && name_end.is_none() => name_end = Some(i),
            ':' if !in_quotes => {
                let name = &line[..name_end.unwrap_or(i)];
                let name = name.rsplit('.').next().unwrap_or(name).trim();
                if name.is_empty() {
                    return None;
                }
                return Some(Prop {
                    name: name.to_ascii_uppercase(),
                    value: &line[i + 1..],
                });
            }
            _ => {}
        }
    }
    None
}

/// Unfold content lines; returns (1-based physical line number of the start, logical line).
/// Blank lines are skipped.
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (idx, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push_str(rest);
                continue;
            }
        }
        if raw.trim().is_empty() {
            continue;
        }
        out.push((idx + 1, raw.to_string()));
    }
    out
}

fn excerpt(line: &str) -> String {
    let mut s: String = line.chars().take(60).collect();
    if s.len() < line.len() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal(body: &str) -> Result<ItemInfo, ItemError> {
        inspect(ItemKind::Calendar, body.as_bytes())
    }
    fn card(body: &str) -> Result<ItemInfo, ItemError> {
        inspect(ItemKind::Contact, body.as_bytes())
    }

    const EVENT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n\
BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n\
TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n\
BEGIN:VEVENT\r\nUID:event-1@example.org\r\nDTSTART;TZID=Europe/Paris:20260101T100000\r\n\
SUMMARY:Meeting\r\nATTENDEE;CN=\"Bob: the; builder\";PARTSTAT=ACCEPTED:mailto:bob@example.org\r\n\
BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:event-1@example.org\r\nRECURRENCE-ID:20260108T100000Z\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

    #[test]
    fn event_with_timezone_alarm_attendee_and_override() {
        let info = cal(EVENT).unwrap();
        assert_eq!(info.uid, "event-1@example.org");
        assert_eq!(info.components, vec!["VEVENT".to_string()]);
        assert!(info.has_attendees);
        assert!(!info.is_group);
    }

    #[test]
    fn vtodo_only_calendar_lf_only_lower_case() {
        let info = cal("begin:vcalendar\nversion:2.0\nbegin:vtodo\nuid:todo-9\nsummary:Buy milk\nend:vtodo\nend:vcalendar\n").unwrap();
        assert_eq!(info.uid, "todo-9");
        assert_eq!(info.components, vec!["VTODO".to_string()]);
        assert!(!info.has_attendees);
    }

    #[test]
    fn folded_uid_with_parameters_crlf_and_tab() {
        let body = "BEGIN:VCALENDAR\r\nBEGIN:VJOURNAL\r\nUID;X-FOO=1:abc-\r\n def-\r\n\tghi\r\nEND:VJOURNAL\r\nEND:VCALENDAR\r\n";
        let info = cal(body).unwrap();
        assert_eq!(info.uid, "abc-def-ghi");
        assert_eq!(info.components, vec!["VJOURNAL".to_string()]);
    }

    #[test]
    fn mixed_components_listed_once_in_order() {
        let body = "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:x\nEND:VTODO\nBEGIN:VEVENT\nUID:x\nEND:VEVENT\nBEGIN:VTODO\nUID:x\nEND:VTODO\nEND:VCALENDAR\n";
        assert_eq!(cal(body).unwrap().components, vec!["VTODO", "VEVENT"]);
    }

    #[test]
    fn plain_vcard_v3() {
        let info = card("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Alice\r\nitem1.EMAIL;TYPE=INTERNET:a@example.org\r\nUID:card-1\r\nEND:VCARD\r\n").unwrap();
        assert_eq!(info.uid, "card-1");
        assert!(info.components.is_empty());
        assert!(!info.is_group);
    }

    #[test]
    fn group_card_v3_apple_kind() {
        let info = card("BEGIN:VCARD\nVERSION:3.0\nFN:Friends\nX-ADDRESSBOOKSERVER-KIND:group\nX-ADDRESSBOOKSERVER-MEMBER:urn:uuid:card-1\nUID:grp-1\nEND:VCARD\n").unwrap();
        assert!(info.is_group);
        assert_eq!(info.uid, "grp-1");
    }

    #[test]
    fn group_card_v4_kind_case_insensitive() {
        let info = card("begin:vcard\nversion:4.0\nkind:Group\nfn:Team\nmember:urn:uuid:x\nuid:urn:uuid:grp-2\nend:vcard\n").unwrap();
        assert!(info.is_group);
        assert_eq!(info.uid, "urn:uuid:grp-2");
    }

    #[test]
    fn individual_kind_is_not_group() {
        let info = card("BEGIN:VCARD\nVERSION:4.0\nKIND:individual\nUID:u\nEND:VCARD\n").unwrap();
        assert!(!info.is_group);
    }

    #[test]
    fn not_utf8_names_offset() {
        let mut bytes = b"BEGIN:VCARD\nFN:Ren".to_vec();
        bytes.push(0xe9);
        let err = inspect(ItemKind::Contact, &bytes).unwrap_err();
        assert_eq!(err, ItemError::NotUtf8 { offset: 18 });
        assert!(err.to_string().contains("offset 18"));
    }

    #[test]
    fn empty_and_blank_objects() {
        assert_eq!(cal("").unwrap_err(), ItemError::Empty);
        assert_eq!(card("\r\n\r\n  \n").unwrap_err(), ItemError::Empty);
    }

    #[test]
    fn wrong_root_component() {
        let err = cal("BEGIN:VCARD\nUID:x\nEND:VCARD\n").unwrap_err();
        assert!(matches!(
            err,
            ItemError::WrongStart {
                expected: "VCALENDAR",
                line: 1,
                ..
            }
        ));
        assert!(err.to_string().contains("BEGIN:VCALENDAR"));
        let err = card("VERSION:3.0\nBEGIN:VCARD\nEND:VCARD\n").unwrap_err();
        assert!(matches!(
            err,
            ItemError::WrongStart {
                expected: "VCARD",
                ..
            }
        ));
    }

    #[test]
    fn unbalanced_components_name_component_and_line() {
        let err = cal("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nEND:VCALENDAR\n").unwrap_err();
        assert_eq!(
            err,
            ItemError::MismatchedEnd {
                open: "VEVENT".into(),
                found: "VCALENDAR".into(),
                line: 4
            }
        );
        let err = cal("BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:x\nEND:VTODO\n").unwrap_err();
        assert_eq!(
            err,
            ItemError::Unclosed {
                component: "VCALENDAR".into(),
                line: 1
            }
        );
        assert!(err.to_string().contains("line 1"));
        let err = card("BEGIN:VCARD\nUID:x\nEND:VCARD\nEND:VCARD\n").unwrap_err();
        assert!(matches!(err, ItemError::TrailingContent { line: 4, .. }));
    }

    #[test]
    fn missing_and_conflicting_uid() {
        assert_eq!(
            card("BEGIN:VCARD\nFN:x\nEND:VCARD\n").unwrap_err(),
            ItemError::NoUid
        );
        assert_eq!(
            card("BEGIN:VCARD\nUID:\nEND:VCARD\n").unwrap_err(),
            ItemError::NoUid
        );
        let err = cal("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nEND:VEVENT\nBEGIN:VEVENT\nUID:b\nEND:VEVENT\nEND:VCALENDAR\n").unwrap_err();
        assert_eq!(
            err,
            ItemError::ManyUids {
                first: "a".into(),
                second: "b".into()
            }
        );
    }

    #[test]
    fn garbage_line_is_reported() {
        let err = card("BEGIN:VCARD\nthis has no colon\nUID:x\nEND:VCARD\n").unwrap_err();
        assert!(matches!(err, ItemError::BadLine { line: 2, .. }));
    }

    #[test]
    fn utf8_bom_is_tolerated() {
        let info = card("\u{feff}BEGIN:VCARD\nUID:bom\nEND:VCARD\n").unwrap();
        assert_eq!(info.uid, "bom");
    }
}
