//! FETCH data items: which ones the sandbox serves and how each is cut out
//! of the exact stored bytes (whole message, header, text, header fields).

use imap_next::imap_types::core::AString;
use imap_next::imap_types::fetch::{MacroOrMessageDataItemNames, MessageDataItemName, Section};

/// What a FETCH asks, checked for support before any message is touched.
#[derive(Debug)]
pub struct FetchPlan {
    pub items: Vec<MessageDataItemName<'static>>,
    /// Some item needs the message bytes.
    pub needs_body: bool,
    /// Some item sets `\Seen` (BODY[...] without PEEK, RFC822, RFC822.TEXT).
    pub sets_seen: bool,
}

pub fn plan(names: MacroOrMessageDataItemNames<'static>) -> Result<FetchPlan, String> {
    let items: Vec<MessageDataItemName<'static>> = match names {
        MacroOrMessageDataItemNames::Macro(m) => m
            .expand()
            .into_iter()
            .map(|i| i.to_owned_static())
            .collect(),
        MacroOrMessageDataItemNames::MessageDataItemNames(items) => items,
    };
    let mut needs_body = false;
    let mut sets_seen = false;
    for item in &items {
        match item {
            MessageDataItemName::Flags
            | MessageDataItemName::InternalDate
            | MessageDataItemName::Rfc822Size
            | MessageDataItemName::Uid => {}
            MessageDataItemName::BodyExt { section, peek, .. } => {
                check_section(section.as_ref())?;
                needs_body = true;
                sets_seen |= !peek;
            }
            MessageDataItemName::Rfc822 | MessageDataItemName::Rfc822Text => {
                needs_body = true;
                sets_seen = true;
            }
            MessageDataItemName::Rfc822Header => needs_body = true,
            other => {
                return Err(format!(
                    "FETCH {} is not supported by the sandbox: ask for BODY.PEEK[], BODY.PEEK[HEADER.FIELDS (...)], FLAGS, INTERNALDATE, RFC822.SIZE or UID",
                    item_name(other)
                ))
            }
        }
    }
    Ok(FetchPlan {
        items,
        needs_body,
        sets_seen,
    })
}

/// The IMAP name of an item the sandbox does not serve (for the refusal).
fn item_name(item: &MessageDataItemName<'_>) -> &'static str {
    match item {
        MessageDataItemName::Body => "BODY",
        MessageDataItemName::BodyStructure => "BODYSTRUCTURE",
        MessageDataItemName::Envelope => "ENVELOPE",
        MessageDataItemName::Binary { .. } => "BINARY[...]",
        MessageDataItemName::BinarySize { .. } => "BINARY.SIZE[...]",
        _ => "of this data item",
    }
}

fn check_section(section: Option<&Section<'_>>) -> Result<(), String> {
    match section {
        None
        | Some(Section::Header(None))
        | Some(Section::Text(None))
        | Some(Section::HeaderFields(None, _))
        | Some(Section::HeaderFieldsNot(None, _)) => Ok(()),
        Some(_) => Err("body part sections (BODY[1], BODY[1.MIME], ...) are not supported by the sandbox: fetch BODY.PEEK[] instead".into()),
    }
}

/// Bytes of `section` of a message.
pub fn section_bytes(message: &[u8], section: Option<&Section<'_>>) -> Vec<u8> {
    let header_end = header_len(message);
    match section {
        None => message.to_vec(),
        Some(Section::Header(_)) => message[..header_end].to_vec(),
        Some(Section::Text(_)) => message[header_end..].to_vec(),
        Some(Section::HeaderFields(_, names)) => {
            header_fields(&message[..header_end], names.as_ref(), true)
        }
        Some(Section::HeaderFieldsNot(_, names)) => {
            header_fields(&message[..header_end], names.as_ref(), false)
        }
        Some(_) => Vec::new(),
    }
}

/// Length of the header including the blank line that ends it.
pub fn header_len(message: &[u8]) -> usize {
    let mut i = 0;
    while i < message.len() {
        let line_end = message[i..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|p| i + p + 1)
            .unwrap_or(message.len());
        let line = &message[i..line_end];
        if line == b"\r\n" || line == b"\n" {
            return line_end;
        }
        i = line_end;
    }
    message.len()
}

/// The header lines (with their continuation lines) whose field name is
/// (`keep`) or is not (`!keep`) in `names`, followed by a blank line.
fn header_fields(header: &[u8], names: &[AString<'_>], keep: bool) -> Vec<u8> {
    let wanted: Vec<Vec<u8>> = names
        .iter()
        .map(|n| n.as_ref().to_ascii_lowercase())
        .collect();
    let mut out = Vec::new();
    let mut include = false;
    let mut i = 0;
    while i < header.len() {
        let line_end = header[i..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|p| i + p + 1)
            .unwrap_or(header.len());
        let line = &header[i..line_end];
        i = line_end;
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        if line[0] != b' ' && line[0] != b'\t' {
            let field = line
                .iter()
                .position(|&b| b == b':')
                .map(|p| line[..p].trim_ascii().to_ascii_lowercase());
            include = match field {
                Some(field) => wanted.contains(&field) == keep,
                None => false,
            };
        }
        if include {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// `to_static` for the macro expansion's borrowed items.
trait OwnedStatic {
    fn to_owned_static(self) -> MessageDataItemName<'static>;
}

impl OwnedStatic for MessageDataItemName<'_> {
    fn to_owned_static(self) -> MessageDataItemName<'static> {
        use imap_next::imap_types::IntoStatic;
        self.into_static()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use imap_next::imap_types::core::Vec1;

    const MSG: &[u8] = b"From: a@x\r\nSubject: hello\r\n world\r\nX-Id: 1\r\n\r\nbody\r\n";

    #[test]
    fn header_and_text_split_at_the_blank_line() {
        assert_eq!(
            section_bytes(MSG, Some(&Section::Header(None))),
            MSG[..header_len(MSG)].to_vec()
        );
        assert!(section_bytes(MSG, Some(&Section::Header(None))).ends_with(b"X-Id: 1\r\n\r\n"));
        assert_eq!(
            section_bytes(MSG, Some(&Section::Text(None))),
            b"body\r\n".to_vec()
        );
        assert_eq!(section_bytes(MSG, None), MSG.to_vec());
    }

    #[test]
    fn header_fields_keep_continuations_case_insensitively() {
        let names = Vec1::try_from(vec![AString::try_from("SUBJECT").unwrap()]).unwrap();
        let got = section_bytes(MSG, Some(&Section::HeaderFields(None, names.clone())));
        assert_eq!(got, b"Subject: hello\r\n world\r\n\r\n".to_vec());
        let not = section_bytes(MSG, Some(&Section::HeaderFieldsNot(None, names)));
        assert_eq!(not, b"From: a@x\r\nX-Id: 1\r\n\r\n".to_vec());
    }
}
