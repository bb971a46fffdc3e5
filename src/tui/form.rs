//! Form state: labelled fields (text, masked text, or a choice), the focused field,
//! and the errors shown inline under a field or at the bottom of the form.

use mailshift_panel::PlatformId;
use tui_input::{Input, InputRequest};

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
    /// Shown before the value.
    pub label: &'static str,
    /// The value.
    pub value: FieldValue,
    /// Why the value was refused, shown under it.
    pub error: Option<String>,
}

impl Field {
    /// A text field holding `value`.
    pub fn text(label: &'static str, value: &str) -> Field {
        Field {
            label,
            value: FieldValue::Text {
                input: Input::new(value.to_string()),
                masked: false,
            },
            error: None,
        }
    }

    /// A masked (password) field, empty.
    pub fn secret(label: &'static str) -> Field {
        Field {
            label,
            value: FieldValue::Text {
                input: Input::default(),
                masked: true,
            },
            error: None,
        }
    }

    /// A choice among `options`, the first selected.
    pub fn choice(label: &'static str, options: Vec<String>) -> Field {
        Field {
            label,
            value: FieldValue::Choice { options, index: 0 },
            error: None,
        }
    }

    /// A toggle, on or off.
    pub fn toggle(label: &'static str, on: bool) -> Field {
        Field {
            label,
            value: FieldValue::Toggle { on, disabled: None },
            error: None,
        }
    }

    /// A masked field holding `value` (a password this process already knows).
    pub fn secret_with(label: &'static str, value: &str) -> Field {
        Field {
            label,
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
    /// The keys line at the bottom of the box.
    pub hint: String,
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
            hint: "Enter submits · Esc cancels".to_string(),
            touched: false,
            leave_asked: false,
        }
    }

    /// The value of field `i` ("" when there is none).
    pub fn value(&self, i: usize) -> &str {
        self.fields.get(i).map(Field::value).unwrap_or("")
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

    /// Mark field `i` as refused with `message`, focusing the first refused field.
    pub fn refuse(&mut self, i: usize, message: String) {
        if self.fields.iter().all(|f| f.error.is_none()) {
            self.focus = i;
        }
        if let Some(f) = self.fields.get_mut(i) {
            f.error = Some(message);
        }
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
        let mut f = Field::secret("Password");
        for c in "Sunny-Day42".chars() {
            f.edit(InputRequest::InsertChar(c));
        }
        assert_eq!(f.value(), "Sunny-Day42");
        assert_eq!(f.display(), "•".repeat(11));
    }

    #[test]
    fn toggles_flip_with_space_unless_disabled() {
        let mut f = Field::toggle("Calendars", false);
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
        let mut f = Field::choice("Type", vec!["a".into(), "b".into(), "c".into()]);
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
            vec![Field::text("A", ""), Field::text("B", "")],
        );
        form.focus = 1;
        form.refuse(0, "bad".into());
        form.refuse(1, "bad too".into());
        assert_eq!(form.focus, 0);
        form.edit(InputRequest::InsertChar('x'));
        assert!(form.fields[0].error.is_none());
        assert!(form.has_field_errors());
    }
}
