//! What a person asks to move, as typed (`--options`, a project's `options` cell):
//! named options, or `all`, which means everything both sides can hold (the tasks
//! crate's `choose_options` decides what that is for two given sides).

use std::fmt;
use std::str::FromStr;

use super::{MigrationOption, OptionSet};

/// The names every front end accepts.
pub const OPTION_NAMES: &str =
    "emails, calendars, tasks, contacts, contact-groups, inbox-rules, out-of-office or all";

/// Named options, or everything both sides can hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionChoice {
    /// `all`: every option both sides can hold (never refused for a side).
    All,
    /// These options, each refused if a side cannot hold it.
    Only(OptionSet),
}

impl OptionChoice {
    /// E-mails only (what an empty choice means).
    pub fn emails() -> Self {
        OptionChoice::Only(OptionSet::emails())
    }
}

/// Names nobody recognised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionsError {
    #[error("no option given: use {OPTION_NAMES}")]
    Empty,
    #[error("unknown option{} {}: use {OPTION_NAMES}", if .0.len() > 1 { "s" } else { "" }, quoted(.0))]
    Unknown(Vec<String>),
}

fn quoted(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One option by any of its spellings (case, `-`, `_` and spaces ignored).
pub fn option_named(name: &str) -> Option<MigrationOption> {
    let norm: String = name
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect();
    Some(match norm.as_str() {
        "emails" | "email" | "mails" | "mail" => MigrationOption::Emails,
        "calendars" | "calendar" => MigrationOption::Calendars,
        "contacts" | "contact" => MigrationOption::Contacts,
        "inboxrules" | "inboxrule" | "rules" => MigrationOption::InboxRules,
        "contactgroups" | "contactgroup" => MigrationOption::ContactGroups,
        "outofoffice" => MigrationOption::OutOfOffice,
        "tasks" | "task" => MigrationOption::Tasks,
        _ => return None,
    })
}

/// Names separated by `,` `;` `|` or `+`; `all` anywhere means all.
impl FromStr for OptionChoice {
    type Err = OptionsError;

    fn from_str(text: &str) -> Result<Self, OptionsError> {
        let words: Vec<&str> = text
            .split([',', ';', '|', '+'])
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() {
            return Err(OptionsError::Empty);
        }
        let mut set = OptionSet::empty();
        let mut all = false;
        let mut unknown = Vec::new();
        for word in words {
            if word.eq_ignore_ascii_case("all") {
                all = true;
            } else {
                match option_named(word) {
                    Some(o) => set.insert(o),
                    None => unknown.push(word.to_string()),
                }
            }
        }
        if !unknown.is_empty() {
            return Err(OptionsError::Unknown(unknown));
        }
        Ok(if all {
            OptionChoice::All
        } else {
            OptionChoice::Only(set)
        })
    }
}

impl fmt::Display for OptionChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionChoice::All => f.write_str("all"),
            OptionChoice::Only(set) => {
                let names: Vec<String> = set.iter().map(|o| o.label().replace(' ', "-")).collect();
                f.write_str(&names.join(","))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_leniently_with_any_separator() {
        let c: OptionChoice = "Emails | Inbox Rules + out-of-office;contact_groups, tasks"
            .parse()
            .unwrap();
        let OptionChoice::Only(set) = &c else {
            panic!("{c:?}")
        };
        assert_eq!(set.len(), 5);
        assert!(set.contains(MigrationOption::InboxRules));
        assert_eq!(
            "rules".parse(),
            Ok(OptionChoice::Only(
                [MigrationOption::InboxRules].into_iter().collect()
            ))
        );
        assert_eq!("ALL".parse(), Ok(OptionChoice::All));
        assert_eq!("emails,all".parse(), Ok(OptionChoice::All));
        assert_eq!(c.to_string().parse(), Ok(c));
    }

    #[test]
    fn unknown_and_empty_are_refused_with_the_choices() {
        let e = "emails;faxes,telex".parse::<OptionChoice>().unwrap_err();
        assert_eq!(
            e,
            OptionsError::Unknown(vec!["faxes".into(), "telex".into()])
        );
        let text = e.to_string();
        assert!(
            text.contains("'faxes', 'telex'") && text.contains("inbox-rules"),
            "{text}"
        );
        assert_eq!(" , ".parse::<OptionChoice>(), Err(OptionsError::Empty));
    }
}
