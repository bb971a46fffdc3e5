use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A kind of data a migration can move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MigrationOption {
    /// Folders and messages (every platform holds them).
    Emails,
    /// Calendars and their events.
    Calendars,
    /// Address books.
    Contacts,
    /// Server-side inbox rules.
    InboxRules,
    /// Contact groups.
    ContactGroups,
    /// The out-of-office auto-reply.
    OutOfOffice,
    /// Task lists.
    Tasks,
}

impl MigrationOption {
    /// Every option, in the order the migration form lists them.
    pub const ALL: [MigrationOption; 7] = [
        MigrationOption::Emails,
        MigrationOption::Calendars,
        MigrationOption::Contacts,
        MigrationOption::InboxRules,
        MigrationOption::ContactGroups,
        MigrationOption::OutOfOffice,
        MigrationOption::Tasks,
    ];

    /// "e-mails", "calendars", "inbox rules", ...
    pub fn label(self) -> &'static str {
        match self {
            MigrationOption::Emails => "e-mails",
            MigrationOption::Calendars => "calendars",
            MigrationOption::Contacts => "contacts",
            MigrationOption::InboxRules => "inbox rules",
            MigrationOption::ContactGroups => "contact groups",
            MigrationOption::OutOfOffice => "out-of-office",
            MigrationOption::Tasks => "tasks",
        }
    }
}

impl fmt::Display for MigrationOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A set of migration options.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OptionSet(BTreeSet<MigrationOption>);

impl OptionSet {
    /// No option.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Every option.
    pub fn all() -> Self {
        MigrationOption::ALL.into_iter().collect()
    }

    /// E-mails only.
    pub fn emails() -> Self {
        [MigrationOption::Emails].into_iter().collect()
    }

    /// Whether `option` is in the set.
    pub fn contains(&self, option: MigrationOption) -> bool {
        self.0.contains(&option)
    }

    /// Add `option`.
    pub fn insert(&mut self, option: MigrationOption) {
        self.0.insert(option);
    }

    /// Remove `option`.
    pub fn remove(&mut self, option: MigrationOption) {
        self.0.remove(&option);
    }

    /// Whether the set holds nothing.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many options.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The options in form order.
    pub fn iter(&self) -> impl Iterator<Item = MigrationOption> + '_ {
        self.0.iter().copied()
    }
}

impl FromIterator<MigrationOption> for OptionSet {
    fn from_iter<I: IntoIterator<Item = MigrationOption>>(iter: I) -> Self {
        OptionSet(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations() {
        let mut s = OptionSet::emails();
        assert!(s.contains(MigrationOption::Emails));
        s.insert(MigrationOption::Tasks);
        s.insert(MigrationOption::Calendars);
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            vec![
                MigrationOption::Emails,
                MigrationOption::Calendars,
                MigrationOption::Tasks
            ]
        );
        s.remove(MigrationOption::Emails);
        assert_eq!(s.len(), 2);
        assert_eq!(OptionSet::all().len(), 7);
        assert!(OptionSet::empty().is_empty());
        assert_eq!(MigrationOption::InboxRules.to_string(), "inbox rules");
    }
}
