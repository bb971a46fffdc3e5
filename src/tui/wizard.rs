//! The guided migration wizard's state: the account being moved, the destination,
//! what was typed at each step (kept when going back), what is already done, and the
//! error of the last attempt. Pure data; `update::wizard` acts on it.

use mailshift_panel::migration::{precheck, OptionSet, Precheck};
use mailshift_panel::{PanelState, Platform, PlatformId};
use serde::{Deserialize, Serialize};
use tui_input::InputRequest;

use super::form::{Field, FieldKey};

/// The steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WizardStep {
    /// Pick the destination platform; the pre-check says what can move.
    Choose,
    /// Rename the source account to its provisional name.
    Rename,
    /// Create the real address on the destination.
    Create,
    /// Run the migration task and follow it.
    Migrate,
    /// Keep or reset the provisional account; what to recreate by hand; DNS.
    Finish,
}

impl WizardStep {
    /// Every step, in order.
    pub const ALL: [WizardStep; 5] = [
        WizardStep::Choose,
        WizardStep::Rename,
        WizardStep::Create,
        WizardStep::Migrate,
        WizardStep::Finish,
    ];

    /// The step's name in the step bar.
    pub fn title(self) -> &'static str {
        match self {
            WizardStep::Choose => "Destination",
            WizardStep::Rename => "Provisional name",
            WizardStep::Create => "New account",
            WizardStep::Migrate => "Migrate",
            WizardStep::Finish => "Finish",
        }
    }

    /// The step before this one.
    pub fn previous(self) -> Option<WizardStep> {
        let i = Self::ALL.iter().position(|s| *s == self)?;
        i.checked_sub(1).map(|p| Self::ALL[p])
    }

    /// The step after this one.
    pub fn next(self) -> Option<WizardStep> {
        let i = Self::ALL.iter().position(|s| *s == self)?;
        Self::ALL.get(i + 1).copied()
    }
}

/// What became of the provisional account at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provisional {
    /// Kept, with its copy of the mail.
    Kept,
    /// Reset: wiped and its slot freed.
    Reset,
}

/// The wizard for one account.
#[derive(Debug, Clone)]
pub struct Wizard {
    /// The step shown.
    pub step: WizardStep,
    /// The step reached so far (steps before it are done).
    pub reached: WizardStep,
    /// The source platform.
    pub source: PlatformId,
    /// The account's real address (what the destination will be called).
    pub address: String,
    /// Its display name.
    pub display_name: String,
    /// The destination platform: a choice among the other platforms.
    pub destination: Field,
    /// The other platforms, in the choice's order.
    pub destinations: Vec<PlatformId>,
    /// The provisional login (step 2).
    pub provisional: Field,
    /// The destination account's display name and password (step 3).
    pub dest_display: Field,
    /// The destination password (masked; memory only).
    pub dest_password: Field,
    /// Who is told by e-mail when the task ends (step 4; empty: nobody).
    pub notify: Field,
    /// The focused field of the step shown.
    pub focus: usize,
    /// The provisional address once the rename is done.
    pub renamed_to: Option<String>,
    /// The destination address once created.
    pub created: Option<String>,
    /// The task once started.
    pub task_id: Option<String>,
    /// What became of the provisional account.
    pub outcome: Option<Provisional>,
    /// Why the last attempt failed (what to fix); Enter retries.
    pub error: Option<String>,
    /// Whether the destination password must be typed again on the Migrate step: a
    /// wizard resumed after a restart knows the account it created, not its password
    /// (passwords never reach disk).
    pub ask_password: bool,
}

/// What a wizard has done so far, as saved between runs (no password: the
/// destination password is asked again when the task still needs it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WizardProgress {
    /// The source platform.
    pub source: PlatformId,
    /// The account's real address (before the rename).
    pub address: String,
    /// Its display name.
    pub display_name: String,
    /// The destination platform.
    pub destination: PlatformId,
    /// The provisional login as typed.
    pub provisional: String,
    /// The provisional address once the rename is done.
    pub renamed_to: Option<String>,
    /// The destination display name as typed.
    pub dest_display: String,
    /// The destination address once created.
    pub created: Option<String>,
    /// The task once started.
    pub task_id: Option<String>,
    /// The step reached.
    pub reached: WizardStep,
    /// What became of the provisional account.
    #[serde(default)]
    pub outcome: Option<Provisional>,
    /// Where the completion e-mail goes (empty: none).
    #[serde(default)]
    pub notify: String,
}

impl WizardProgress {
    /// Whether this wizard is about `address` on `platform`: its source account
    /// (under either name) or the account it created on the destination.
    pub fn concerns(&self, platform: PlatformId, address: &str) -> bool {
        let eq = |a: &Option<String>| {
            a.as_deref()
                .is_some_and(|a| a.eq_ignore_ascii_case(address))
        };
        (platform == self.source
            && (self.address.eq_ignore_ascii_case(address) || eq(&self.renamed_to)))
            || (platform == self.destination && eq(&self.created))
    }

    /// The source account as it is named on the source platform now.
    pub fn source_address(&self) -> &str {
        self.renamed_to.as_deref().unwrap_or(&self.address)
    }

    /// The step to show when resumed, 1-based, and how many there are.
    pub fn step_number(&self) -> (usize, usize) {
        let i = WizardStep::ALL
            .iter()
            .position(|s| *s == self.reached)
            .unwrap_or(0);
        (i + 1, WizardStep::ALL.len())
    }
}

impl Wizard {
    /// The wizard for `address` on `source`; `None` when the panel has no such
    /// configured account or no other platform.
    pub fn new(panel: &PanelState, source: PlatformId, address: &str) -> Option<Wizard> {
        let p = panel.platform(source).ok()?;
        let account = p.account(address).filter(|a| a.is_configured())?;
        let others: Vec<&Platform> = panel.platforms.iter().filter(|o| o.id != source).collect();
        if others.is_empty() {
            return None;
        }
        let suggestion = p.suggest_provisional_name(&account.local_part, &account.domain);
        Some(Wizard {
            step: WizardStep::Choose,
            reached: WizardStep::Choose,
            source,
            address: account.address(),
            display_name: account.display_name.clone(),
            destination: Field::choice(
                FieldKey::WizardDestination,
                others.iter().map(|o| o.label()).collect(),
            ),
            destinations: others.iter().map(|o| o.id).collect(),
            provisional: Field::text(FieldKey::Provisional, &suggestion),
            dest_display: Field::text(FieldKey::DisplayName, &account.display_name),
            dest_password: Field::secret(FieldKey::Password),
            notify: Field::text(FieldKey::WizardNotify, ""),
            focus: 0,
            renamed_to: None,
            created: None,
            task_id: None,
            outcome: None,
            error: None,
            ask_password: false,
        })
    }

    /// The wizard as saved in `saved`, shown at the step it reached; `None` when a
    /// platform it names is gone.
    pub fn restore(panel: &PanelState, saved: &WizardProgress) -> Option<Wizard> {
        panel.platform(saved.source).ok()?;
        panel.platform(saved.destination).ok()?;
        let others: Vec<&Platform> = panel
            .platforms
            .iter()
            .filter(|o| o.id != saved.source)
            .collect();
        let index = others.iter().position(|o| o.id == saved.destination)?;
        let mut destination = Field::choice(
            FieldKey::WizardDestination,
            others.iter().map(|o| o.label()).collect(),
        );
        destination.set_choice(index);
        Some(Wizard {
            step: saved.reached,
            reached: saved.reached,
            source: saved.source,
            address: saved.address.clone(),
            display_name: saved.display_name.clone(),
            destination,
            destinations: others.iter().map(|o| o.id).collect(),
            provisional: Field::text(FieldKey::Provisional, &saved.provisional),
            dest_display: Field::text(FieldKey::DisplayName, &saved.dest_display),
            dest_password: Field::secret(FieldKey::Password),
            notify: Field::text(FieldKey::WizardNotify, &saved.notify),
            focus: 0,
            renamed_to: saved.renamed_to.clone(),
            created: saved.created.clone(),
            task_id: saved.task_id.clone(),
            outcome: saved.outcome,
            error: None,
            ask_password: saved.created.is_some() && saved.reached < WizardStep::Finish,
        })
    }

    /// What to save of this wizard.
    pub fn progress(&self) -> WizardProgress {
        WizardProgress {
            source: self.source,
            address: self.address.clone(),
            display_name: self.display_name.clone(),
            destination: self.destination_id(),
            provisional: self.provisional.value().trim().to_string(),
            renamed_to: self.renamed_to.clone(),
            dest_display: self.dest_display.value().trim().to_string(),
            created: self.created.clone(),
            task_id: self.task_id.clone(),
            reached: self.reached,
            outcome: self.outcome,
            notify: self.notify.value().trim().to_string(),
        }
    }

    /// Whether the wizard changed anything on a platform (leaving then asks whether
    /// to continue later or undo it).
    pub fn changed_something(&self) -> bool {
        self.renamed_to.is_some() || self.created.is_some()
    }

    /// The chosen destination platform.
    pub fn destination_id(&self) -> PlatformId {
        let i = self.destination.choice_index();
        self.destinations[i.min(self.destinations.len() - 1)]
    }

    /// The login part of the real address.
    pub fn local_part(&self) -> &str {
        self.address.split('@').next().unwrap_or("")
    }

    /// The domain of the real address.
    pub fn domain(&self) -> &str {
        self.address.rsplit('@').next().unwrap_or("")
    }

    /// The provisional address as typed (or as done).
    pub fn provisional_address(&self) -> String {
        self.renamed_to
            .clone()
            .unwrap_or_else(|| format!("{}@{}", self.provisional.value().trim(), self.domain()))
    }

    /// Whether `step` is already done (its action will not run again).
    pub fn is_done(&self, step: WizardStep) -> bool {
        match step {
            WizardStep::Choose => self.renamed_to.is_some() || self.reached > WizardStep::Choose,
            WizardStep::Rename => self.renamed_to.is_some(),
            WizardStep::Create => self.created.is_some(),
            WizardStep::Migrate => self.reached == WizardStep::Finish,
            WizardStep::Finish => self.outcome.is_some(),
        }
    }

    /// The editable fields of the step shown (none once the step is done).
    pub fn fields(&self) -> Vec<&Field> {
        match self.step {
            WizardStep::Choose if self.renamed_to.is_none() => vec![&self.destination],
            WizardStep::Rename if self.renamed_to.is_none() => vec![&self.provisional],
            WizardStep::Create if self.created.is_none() => {
                vec![&self.dest_display, &self.dest_password]
            }
            WizardStep::Migrate if self.task_id.is_none() && self.ask_password => {
                vec![&self.dest_password, &self.notify]
            }
            WizardStep::Migrate if self.task_id.is_none() => vec![&self.notify],
            WizardStep::Migrate if self.ask_password => vec![&self.dest_password],
            _ => Vec::new(),
        }
    }

    fn fields_mut(&mut self) -> Vec<&mut Field> {
        match self.step {
            WizardStep::Choose if self.renamed_to.is_none() => vec![&mut self.destination],
            WizardStep::Rename if self.renamed_to.is_none() => vec![&mut self.provisional],
            WizardStep::Create if self.created.is_none() => {
                vec![&mut self.dest_display, &mut self.dest_password]
            }
            WizardStep::Migrate if self.task_id.is_none() && self.ask_password => {
                vec![&mut self.dest_password, &mut self.notify]
            }
            WizardStep::Migrate if self.task_id.is_none() => vec![&mut self.notify],
            WizardStep::Migrate if self.ask_password => vec![&mut self.dest_password],
            _ => Vec::new(),
        }
    }

    /// Whether typed characters go to a field.
    pub fn takes_text(&self) -> bool {
        self.fields()
            .get(self.focus)
            .is_some_and(|f| f.takes_text())
    }

    /// Apply an edit to the focused field; a change clears the error.
    pub fn edit(&mut self, req: InputRequest) {
        let focus = self.focus;
        let changed = self
            .fields_mut()
            .into_iter()
            .nth(focus)
            .is_some_and(|f| f.edit(req));
        if changed {
            self.error = None;
        }
    }

    /// Focus the next (`1`) or previous (`-1`) field, wrapping.
    pub fn move_focus(&mut self, delta: isize) {
        let n = self.fields().len();
        if n > 0 {
            self.focus = (self.focus as isize + delta).rem_euclid(n as isize) as usize;
        }
    }

    /// Show `step` (its fields keep what was typed).
    pub fn show(&mut self, step: WizardStep) {
        self.step = step;
        self.reached = self.reached.max(step);
        self.focus = 0;
        self.error = None;
    }

    /// The pre-check of moving this account to the chosen destination, every option
    /// requested (what cannot move is dropped with the reason).
    pub fn precheck(&self, panel: &PanelState) -> Option<Precheck> {
        let src = panel.platform(self.source).ok()?;
        let dst = panel.platform(self.destination_id()).ok()?;
        let address = self.renamed_to.as_deref().unwrap_or(&self.address);
        let account = src.account(address)?;
        Some(precheck(src, account, dst, OptionSet::all()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wizard() -> (PanelState, Wizard) {
        let panel = mailshift_panel::demo();
        let mx = panel.platform_by_service("mxplan-7f3e21").unwrap().id;
        let w = Wizard::new(&panel, mx, "john.smith@example.com").unwrap();
        (panel, w)
    }

    #[test]
    fn starts_on_the_destination_with_the_provisional_name_proposed() {
        let (panel, w) = wizard();
        assert_eq!(w.step, WizardStep::Choose);
        assert_eq!(w.provisional.value(), "john.smith01");
        assert_eq!(w.provisional_address(), "john.smith01@example.com");
        let first = panel.platform(w.destination_id()).unwrap();
        assert_eq!(first.service_name, "exchange-ab12cd");
        assert_eq!(w.destinations.len(), 2, "every platform but the source");
        assert_eq!(w.dest_display.value(), "John Smith");
    }

    #[test]
    fn the_precheck_keeps_e_mails_and_lists_what_to_recreate() {
        let (panel, w) = wizard();
        let p = w.precheck(&panel).unwrap();
        assert!(p.can_start());
        assert_eq!(p.allowed, OptionSet::emails(), "an MX Plan has only mail");
        assert!(!p.recreate_by_hand.is_empty());
    }

    #[test]
    fn typed_values_survive_going_back_and_forth() {
        let (_, mut w) = wizard();
        w.show(WizardStep::Create);
        w.move_focus(1);
        for c in "Sunny-Day42".chars() {
            w.edit(InputRequest::InsertChar(c));
        }
        w.show(WizardStep::Rename);
        w.edit(InputRequest::InsertChar('x'));
        w.show(WizardStep::Create);
        assert_eq!(w.dest_password.value(), "Sunny-Day42");
        assert_eq!(w.provisional.value(), "john.smith01x");
        assert_eq!(w.reached, WizardStep::Create);
    }

    #[test]
    fn done_steps_have_no_editable_field() {
        let (_, mut w) = wizard();
        w.show(WizardStep::Rename);
        assert!(w.takes_text());
        w.renamed_to = Some("john.smith01@example.com".into());
        assert!(w.fields().is_empty() && !w.takes_text());
        assert!(w.is_done(WizardStep::Rename));
        w.edit(InputRequest::InsertChar('z'));
        assert_eq!(w.provisional.value(), "john.smith01");
    }

    #[test]
    fn steps_know_their_neighbours() {
        assert_eq!(WizardStep::Choose.previous(), None);
        assert_eq!(WizardStep::Rename.next(), Some(WizardStep::Create));
        assert_eq!(WizardStep::Finish.next(), None);
    }
}
