//! The options cell of a project row: which parts of the mailbox move.

use mailshift_panel::migration::{MigrationOption, OptionSet};

use crate::spec::ServerType;

const OPTION_CHOICES: &str =
    "emails, calendars, contacts, inbox_rules, contact_groups, out_of_office, tasks or all";

fn option_named(name: &str) -> Option<MigrationOption> {
    let norm: String = name
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect();
    Some(match norm.as_str() {
        "emails" | "email" | "mails" | "mail" => MigrationOption::Emails,
        "calendars" | "calendar" => MigrationOption::Calendars,
        "contacts" | "contact" => MigrationOption::Contacts,
        "inboxrules" | "inboxrule" => MigrationOption::InboxRules,
        "contactgroups" | "contactgroup" => MigrationOption::ContactGroups,
        "outofoffice" => MigrationOption::OutOfOffice,
        "tasks" | "task" => MigrationOption::Tasks,
        _ => return None,
    })
}

/// The options cell: names separated by `;`, `|` or `+` (or `,` inside a quoted cell);
/// empty means e-mails only;
/// `all` means every option both sides support.
pub(super) fn parse_options(
    cell: &str,
    src: Option<ServerType>,
    dst: Option<ServerType>,
) -> Result<OptionSet, Vec<String>> {
    let mut set = OptionSet::empty();
    let mut reasons = Vec::new();
    let tokens: Vec<&str> = cell
        .split([';', '|', '+', ','])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.is_empty() {
        return Ok(OptionSet::emails());
    }
    let supported = |o: MigrationOption| match (src, dst) {
        (Some(s), Some(d)) => ServerType::unsupported_reason(s, d, o),
        _ => None, // a type error is already reported for this row
    };
    for token in tokens {
        if token.eq_ignore_ascii_case("all") {
            MigrationOption::ALL
                .into_iter()
                .filter(|o| supported(*o).is_none())
                .for_each(|o| set.insert(o));
            continue;
        }
        match option_named(token) {
            Some(option) => match supported(option) {
                None => set.insert(option),
                Some(why) => reasons.push(format!("'{token}' cannot be migrated: {why}")),
            },
            None => reasons.push(format!("unknown option '{token}': use {OPTION_CHOICES}")),
        }
    }
    if reasons.is_empty() {
        Ok(set)
    } else {
        Err(reasons)
    }
}
