//! Form state: labelled fields (text, masked text, or a choice), the focused field,
//! and the errors shown inline under a field or at the bottom of the form.

use mailshift_panel::migration::MigrationOption;
use mailshift_panel::PlatformId;
use tui_input::{Input, InputRequest};

/// Which field, by name: code refers to a form's fields through these (never by
/// position or by the text shown), and each key carries its field's label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldKey {
    /// Add a domain: the domain name.
    DomainName,
    /// Add a domain: authoritative or not.
    DomainType,
    /// Create an account: its login.
    Login,
    /// Create an account: which of the platform's domains.
    AccountDomain,
    /// Create an account (and the wizard's new account): the display name.
    DisplayName,
    /// Create an account (and the wizard's new account): the password.
    Password,
    /// Rename: the new login.
    NewLogin,
    /// Resume: the source password.
    SourcePassword,
    /// Rollback and resume: the destination password.
    DestPassword,
    /// Follow: the task ID.
    TaskId,
    /// Follow: the source login.
    SourceLogin,
    /// Import: the CSV file.
    CsvFile,
    /// Import: how many tasks run at once.
    TasksAtOnce,
    /// Import: how many tasks per server.
    PerServer,
    /// New migration: the source server type.
    SrcType,
    /// New migration: the source service URL.
    SrcUrl,
    /// New migration: the source login.
    SrcLogin,
    /// New migration: the source password.
    SrcPassword,
    /// New migration: the destination platform.
    DstPlatform,
    /// New migration: the destination service URL.
    DstUrl,
    /// New migration: the destination login.
    DstLogin,
    /// New migration: the destination password.
    DstPassword,
    /// New migration: one option toggle.
    Option(MigrationOption),
    /// New migration: who is told when the task ends.
    Notify,
    /// Wizard: the destination platform.
    WizardDestination,
    /// Wizard: the provisional login.
    Provisional,
    /// Wizard: who is told when the task ends.
    WizardNotify,
}

impl FieldKey {
    /// The label shown before the field's value.
    pub fn label(self) -> &'static str {
        match self {
            FieldKey::DomainName => "Domain",
            FieldKey::DomainType => "Type",
            FieldKey::Login => "Login",
            FieldKey::AccountDomain => "Domain",
            FieldKey::DisplayName => "Display name",
            FieldKey::Password => "Password",
            FieldKey::NewLogin => "New login",
            FieldKey::SourcePassword => "Source pass.",
            FieldKey::DestPassword => "Dest. password",
            FieldKey::TaskId => "Task ID",
            FieldKey::SourceLogin => "Source login",
            FieldKey::CsvFile => "CSV file",
            FieldKey::TasksAtOnce => "Tasks at once",
            FieldKey::PerServer => "Per server",
            FieldKey::SrcType => "Source",
            FieldKey::SrcUrl | FieldKey::DstUrl => "  URL",
            FieldKey::SrcLogin | FieldKey::DstLogin => "  Login",
            FieldKey::SrcPassword | FieldKey::DstPassword => "  Password",
            FieldKey::DstPlatform | FieldKey::WizardDestination => "Destination",
            FieldKey::Option(o) => o.label(),
            FieldKey::Notify => "Notify",
            FieldKey::Provisional => "Provisional login",
            FieldKey::WizardNotify => "Notify (e-mail)",
        }
    }
}

/// What a form does when submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    /// Associate a domain with a platform.
    AddDomain { platform: PlatformId },
    /// Create an account on a platform.
    CreateAccount { platform: PlatformId },
    /// Give an account a new login.
    Rename {
        platform: PlatformId,
        address: String,
    },
    /// The migrator's form: both sides, options, notification (see `migration_form`).
    NewMigration,
    /// Follow a task by ID and source login.
    Follow,
    /// Import a CSV project.
    ImportProject,
    /// Roll back a task (the destination password is asked for).
    Rollback { id: String },
    /// Resume a task (the passwords are asked for).
    Resume { id: String },
}

/// What a field holds.
#[derive(Debug, Clone)]
pub enum FieldValue {
    /// Free text; `masked` fields show one `•` per character.
    Text { input: Input, masked: bool },
    /// One of a few options, cycled with ←/→ or Space.
    Choice { options: Vec<String>, index: usize },
    /// On or off (Space); a disabled toggle is off and says why.
    Toggle { on: bool, disabled: Option<String> },
}

/// One labelled field with its own error.
#[derive(Debug, Clone)]
pub struct Field {
    /// Which field this is.
    pub key: FieldKey,
    /// Shown before the value (the key's label).
    pub label: &'static str,
    /// The value.
    pub value: FieldValue,
    /// Why the value was refused, shown under it.
    pub error: Option<String>,
}

impl Field {
    /// A text field holding `value`.
    pub fn text(key: FieldKey, value: &str) -> Field {
        Field {
            key,
            label: key.label(),
            value: FieldValue::Text {
                input: Input::new(value.to_string()),
                masked: false,
            },
            error: None,
        }
    }

    /// A masked (password) field, empty.
    pub fn secret(key: FieldKey) -> Field {
        Field {
            key,
            label: key.label(),
            value: FieldValue::Text {
                input: Input::default(),
                masked: true,
            },
            error: None,
        }
    }

    /// A choice among `options`, the first selected.
    pub fn choice(key: FieldKey, options: Vec<String>) -> Field {
        Field {
            key,
            label: key.label(),
            value: FieldValue::Choice { options, index: 0 },
            error: None,
        }
    }

    /// A toggle, on or off.
    pub fn toggle(key: FieldKey, on: bool) -> Field {
        Field {
            key,
            label: key.label(),
            value: FieldValue::Toggle { on, disabled: None },
            error: None,
        }
    }

    /// A masked field holding `value` (a password this process already knows).
    pub fn secret_with(key: FieldKey, value: &str) -> Field {
        Field {
            key,
            label: key.label(),
            value: FieldValue::Text {
                input: Input::new(value.to_string()),
                masked: true,
            },
            error: None,
        }
    }

    /// The text or the chosen option ("on"/"off" for toggles).
    pub fn value(&self) -> &str {
        match &self.value {
            FieldValue::Text { input, .. } => input.value(),
            FieldValue::Choice { options, index } => {
                options.get(*index).map(String::as_str).unwrap_or("")
            }
            FieldValue::Toggle { .. } => {
                if self.is_on() {
                    "on"
                } else {
                    "off"
                }
            }
        }
    }

    /// Whether a toggle is on (and enabled).
    pub fn is_on(&self) -> bool {
        matches!(
            self.value,
            FieldValue::Toggle {
                on: true,
                disabled: None
            }
        )
    }

    /// Replace the text of a text field (the cursor goes to its end).
    pub fn set_text(&mut self, value: &str) {
        if let FieldValue::Text { input, .. } = &mut self.value {
            *input = Input::new(value.to_string());
        }
    }

    /// The index of the chosen option of a choice field (0 for other fields): the
    /// options were built from a typed list, which this indexes.
    pub fn choice_index(&self) -> usize {
        match &self.value {
            FieldValue::Choice { index, .. } => *index,
            _ => 0,
        }
    }

    /// Choose option `i` of a choice field, if it has one.
    pub fn set_choice(&mut self, i: usize) {
        if let FieldValue::Choice { options, index } = &mut self.value {
            if i < options.len() {
                *index = i;
            }
        }
    }

    /// Select `option` in a choice field, if it is one of its options.
    pub fn select(&mut self, option: &str) {
        if let FieldValue::Choice { options, index } = &mut self.value {
            if let Some(i) = options.iter().position(|o| o == option) {
                *index = i;
            }
        }
    }

    /// Enable or disable a toggle (with the reason).
    pub fn set_disabled(&mut self, why: Option<String>) {
        if let FieldValue::Toggle { disabled, .. } = &mut self.value {
            *disabled = why;
        }
    }

    /// Whether typed characters edit this field.
    pub fn takes_text(&self) -> bool {
        matches!(self.value, FieldValue::Text { .. })
    }

    /// What the screen shows: masked fields as bullets.
    pub fn display(&self) -> String {
        match &self.value {
            FieldValue::Text {
                input,
                masked: true,
            } => "•".repeat(input.value().chars().count()),
            FieldValue::Toggle {
                disabled: Some(why),
                ..
            } => format!("[-] {why}"),
            FieldValue::Toggle { on, .. } => if *on { "[x]" } else { "[ ]" }.to_string(),
            _ => self.value().to_string(),
        }
    }

    /// The cursor position in characters, for text fields.
    pub fn cursor(&self) -> Option<usize> {
        match &self.value {
            FieldValue::Text { input, .. } => Some(input.visual_cursor()),
            FieldValue::Choice { .. } | FieldValue::Toggle { .. } => None,
        }
    }

    /// Apply an edit; returns whether the value changed.
    pub fn edit(&mut self, req: InputRequest) -> bool {
        match &mut self.value {
            FieldValue::Text { input, .. } => input.handle(req).is_some_and(|c| c.value),
            FieldValue::Choice { options, index } => {
                let n = options.len().max(1);
                match req {
                    InputRequest::GoToPrevChar => *index = (*index + n - 1) % n,
                    InputRequest::GoToNextChar | InputRequest::InsertChar(' ') => {
                        *index = (*index + 1) % n
                    }
                    _ => return false,
                }
                true
            }
            FieldValue::Toggle { on, disabled } => match req {
                InputRequest::InsertChar(' ' | 'x') if disabled.is_none() => {
                    *on = !*on;
                    true
                }
                _ => false,
            },
        }
    }
}

/// An open form.
#[derive(Debug, Clone)]
pub struct Form {
    /// What submitting does.
    pub kind: FormKind,
    /// The dialog's title.
    pub title: String,
    /// A line of context above the fields.
    pub intro: String,
    /// The fields, in order.
    pub fields: Vec<Field>,
    /// The focused field.
    pub focus: usize,
    /// The backend's refusal, shown at the bottom.
    pub error: Option<String>,
    /// Lines shown under the fields (a summary, test results): (text, is an error).
    pub notes: Vec<(String, bool)>,
    /// The keys line at the bottom of the box (its keys read from the keymap).
    pub prompt: super::keymap::Prompt,
    /// Whether the person typed something (Esc then asks before dropping it).
    pub touched: bool,
    /// Whether Esc was pressed once on a touched form (a second Esc drops it).
    pub leave_asked: bool,
}

impl Form {
    /// A form with the focus on its first field.
    pub fn new(kind: FormKind, title: &str, intro: &str, fields: Vec<Field>) -> Form {
        Form {
            kind,
            title: title.to_string(),
            intro: intro.to_string(),
            fields,
            focus: 0,
            error: None,
            notes: Vec::new(),
            prompt: super::keymap::Prompt::Form,
            touched: false,
            leave_asked: false,
        }
    }

    /// The position of field `key`, if the form has it.
    pub fn position(&self, key: FieldKey) -> Option<usize> {
        self.fields.iter().position(|f| f.key == key)
    }

    /// Field `key`, if the form has it.
    pub fn field(&self, key: FieldKey) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// Field `key`, to change it.
    pub fn field_mut(&mut self, key: FieldKey) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.key == key)
    }

    /// The value of field `key` ("" when there is none).
    pub fn value(&self, key: FieldKey) -> &str {
        self.field(key).map(Field::value).unwrap_or("")
    }

    /// The chosen option's index of the choice field `key`.
    pub fn choice_index(&self, key: FieldKey) -> usize {
        self.field(key).map_or(0, Field::choice_index)
    }

    /// Whether the toggle `key` is on (and enabled).
    pub fn is_on(&self, key: FieldKey) -> bool {
        self.field(key).is_some_and(Field::is_on)
    }

    /// The key of the focused field.
    pub fn focused_key(&self) -> Option<FieldKey> {
        self.fields.get(self.focus).map(|f| f.key)
    }

    /// Put the focus on field `key`.
    pub fn focus_on(&mut self, key: FieldKey) {
        if let Some(i) = self.position(key) {
            self.focus = i;
        }
    }

    /// Move the focus to the next field (wrapping).
    pub fn next(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len().max(1);
    }

    /// Move the focus to the previous field (wrapping).
    pub fn prev(&mut self) {
        let n = self.fields.len().max(1);
        self.focus = (self.focus + n - 1) % n;
    }

    /// Apply an edit to the focused field; a changed value clears its error.
    pub fn edit(&mut self, req: InputRequest) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            if f.edit(req) {
                f.error = None;
                self.error = None;
                self.touched = true;
                self.leave_asked = false;
            }
        }
    }

    /// Forget every error before validating again.
    pub fn clear_errors(&mut self) {
        self.error = None;
        for f in &mut self.fields {
            f.error = None;
        }
    }

    /// Mark field `key` as refused with `message`, focusing the first refused field.
    pub fn refuse(&mut self, key: FieldKey, message: String) {
        let Some(i) = self.position(key) else {
            return;
        };
        if self.fields.iter().all(|f| f.error.is_none()) {
            self.focus = i;
        }
        self.fields[i].error = Some(message);
    }

    /// Whether any field is refused.
    pub fn has_field_errors(&self) -> bool {
        self.fields.iter().any(|f| f.error.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_fields_never_show_the_text() {
        let mut f = Field::secret(FieldKey::Password);
        for c in "Sunny-Day42".chars() {
            f.edit(InputRequest::InsertChar(c));
        }
        assert_eq!(f.value(), "Sunny-Day42");
        assert_eq!(f.display(), "•".repeat(11));
    }

    #[test]
    fn toggles_flip_with_space_unless_disabled() {
        let mut f = Field::toggle(FieldKey::Option(MigrationOption::Calendars), false);
        assert!(f.edit(InputRequest::InsertChar(' ')));
        assert!(f.is_on());
        assert_eq!(f.display(), "[x]");
        f.set_disabled(Some("an MX Plan source has no calendars".into()));
        assert!(!f.is_on(), "a disabled toggle counts as off");
        assert!(!f.edit(InputRequest::InsertChar(' ')));
        assert!(f.display().contains("MX Plan"));
    }

    #[test]
    fn choices_cycle_both_ways() {
        let mut f = Field::choice(
            FieldKey::DomainType,
            vec!["a".into(), "b".into(), "c".into()],
        );
        f.edit(InputRequest::GoToPrevChar);
        assert_eq!(f.value(), "c");
        f.edit(InputRequest::InsertChar(' '));
        assert_eq!(f.value(), "a");
        assert!(!f.edit(InputRequest::InsertChar('x')));
    }

    #[test]
    fn editing_clears_the_field_error_and_refuse_focuses_the_first() {
        let mut form = Form::new(
            FormKind::AddDomain {
                platform: PlatformId(1),
            },
            "t",
            "i",
            vec![
                Field::text(FieldKey::DomainName, ""),
                Field::text(FieldKey::Login, ""),
            ],
        );
        form.focus_on(FieldKey::Login);
        form.refuse(FieldKey::DomainName, "bad".into());
        form.refuse(FieldKey::Login, "bad too".into());
        assert_eq!(form.focus, 0);
        form.edit(InputRequest::InsertChar('x'));
        assert!(form.field(FieldKey::DomainName).unwrap().error.is_none());
        assert!(form.has_field_errors());
        assert_eq!(form.focused_key(), Some(FieldKey::DomainName));
    }
}
