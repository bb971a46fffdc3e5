//! A calendar or address book of one login: its kind and the properties a client sets
//! (display name, colour, description, the components a calendar accepts).

use serde::{Deserialize, Serialize};

/// Which home a collection lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CollectionKind {
    /// A CalDAV calendar (events and/or tasks), under `calendars/`.
    Calendar,
    /// A CardDAV address book, under `contacts/`.
    AddressBook,
}

impl CollectionKind {
    /// The folder of this kind's home (also its URL segment).
    pub fn home_segment(self) -> &'static str {
        match self {
            CollectionKind::Calendar => "calendars",
            CollectionKind::AddressBook => "contacts",
        }
    }

    pub fn from_home_segment(segment: &str) -> Option<Self> {
        match segment {
            "calendars" => Some(CollectionKind::Calendar),
            "contacts" => Some(CollectionKind::AddressBook),
            _ => None,
        }
    }

    /// The MIME type of this kind's objects.
    pub fn content_type(self) -> &'static str {
        match self {
            CollectionKind::Calendar => "text/calendar; charset=utf-8",
            CollectionKind::AddressBook => "text/vcard; charset=utf-8",
        }
    }

    /// The file extension of this kind's objects.
    pub fn extension(self) -> &'static str {
        match self {
            CollectionKind::Calendar => "ics",
            CollectionKind::AddressBook => "vcf",
        }
    }
}

/// The properties of a collection, as saved in its `collection.json`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CollectionProps {
    pub display_name: Option<String>,
    /// `#RRGGBB` or `#RRGGBBAA` (Apple's calendar-color).
    pub color: Option<String>,
    pub description: Option<String>,
    /// For calendars: the components it accepts (`VEVENT`, `VTODO`, ...); empty = all.
    #[serde(default)]
    pub components: Vec<String>,
}

impl CollectionProps {
    pub fn calendar(name: &str, color: &str, description: &str, components: &[&str]) -> Self {
        CollectionProps {
            display_name: Some(name.to_string()),
            color: Some(color.to_string()),
            description: Some(description.to_string()),
            components: components.iter().map(|c| c.to_string()).collect(),
        }
    }

    pub fn address_book(name: &str, description: &str) -> Self {
        CollectionProps {
            display_name: Some(name.to_string()),
            color: None,
            description: Some(description.to_string()),
            components: Vec::new(),
        }
    }

    /// Whether a calendar with these props accepts an object made of `components`.
    pub fn accepts(&self, components: &[String]) -> bool {
        self.components.is_empty()
            || components
                .iter()
                .filter(|c| !c.eq_ignore_ascii_case("VTIMEZONE"))
                .all(|c| self.components.iter().any(|a| a.eq_ignore_ascii_case(c)))
    }
}

/// A collection as listed: where it is and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    pub kind: CollectionKind,
    pub name: String,
    pub props: CollectionProps,
    /// Changes whenever an object is added, replaced or removed.
    pub ctag: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tasks_list_refuses_events() {
        let tasks = CollectionProps::calendar("Tasks", "#00AA00", "", &["VTODO"]);
        assert!(tasks.accepts(&["VTODO".into()]));
        assert!(tasks.accepts(&["VTIMEZONE".into(), "VTODO".into()]));
        assert!(!tasks.accepts(&["VEVENT".into()]));
        assert!(CollectionProps::default().accepts(&["VEVENT".into()]));
        assert_eq!(
            CollectionKind::from_home_segment("contacts"),
            Some(CollectionKind::AddressBook)
        );
    }
}
