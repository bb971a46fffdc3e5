//! The options cell of a project row: which parts of the mailbox move. One
//! parser and one rule with `mailshift migrate --options` (`OptionChoice`,
//! `choose_options`).

use mailshift_net::{Failure, Remedy};
use mailshift_panel::migration::{OptionChoice, OptionSet, OptionsError};

use crate::spec::{choose_options, EndpointSpec};

const OPTION_CHOICES: &str =
    "emails, calendars, contacts, inbox_rules, contact_groups, out_of_office, tasks or all";

/// The options cell: names separated by `;`, `|` or `+` (or `,` inside a quoted cell);
/// empty means e-mails only; `all` means every option both sides can hold (the same
/// meaning as `mailshift migrate --options`). `sides` is None when a side's cells are
/// already refused.
pub(super) fn parse_options(
    cell: &str,
    sides: Option<(&EndpointSpec, &EndpointSpec)>,
) -> Result<OptionSet, Vec<Failure>> {
    if cell.trim().is_empty() {
        return Ok(OptionSet::emails());
    }
    let choice: OptionChoice = cell.parse().map_err(|e| match e {
        OptionsError::Unknown(words) => words
            .iter()
            .map(|w| Failure::from(format!("unknown option '{w}': use {OPTION_CHOICES}")))
            .collect(),
        OptionsError::Empty => vec![Failure::from(format!(
            "no option given: use {OPTION_CHOICES}"
        ))],
    })?;
    let Some((src, dst)) = sides else {
        // A side is already refused for this row: check the names only.
        return Ok(match choice {
            OptionChoice::All => OptionSet::all(),
            OptionChoice::Only(set) => set,
        });
    };
    choose_options(&choice, src, dst).map_err(|refused| {
        refused
            .iter()
            .map(|u| {
                Failure::new(
                    format!("'{}' cannot be migrated: {}", u.option, u.reason()),
                    Some(Remedy::ProjectRowGroupware(u.side)),
                )
            })
            .collect()
    })
}
