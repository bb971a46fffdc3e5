//! One labelled field as one line: the renderer the forms and the wizard share. The
//! label, the value (a choice between ◂ ▸, a toggle's box, masked text), the focus
//! styles and the cursor column come from here; the caller only says how wide the
//! columns are.

use ratatui::text::{Line, Span};

use crate::tui::form::{Field, FieldValue};
use crate::tui::theme::Theme;

/// How a field line is laid out.
#[derive(Debug, Clone, Copy)]
pub struct FieldLayout {
    /// Before the label.
    pub indent: &'static str,
    /// The label column's width.
    pub label_width: usize,
    /// Between the label column and the value.
    pub gap: &'static str,
    /// How the value fills its column.
    pub value: ValueLayout,
}

/// How a value fills its column.
#[derive(Debug, Clone, Copy)]
pub enum ValueLayout {
    /// A box of this width (forms): a longer text scrolls to keep its end and the
    /// cursor in view, a text field is padded with `_` to show its extent.
    Boxed(usize),
    /// At least this width (the wizard), padded with spaces.
    Padded(usize),
}

/// A drawn field: its line and, when focused on a text field, the cursor's column
/// from the start of the line.
pub struct FieldLine {
    /// The line.
    pub line: Line<'static>,
    /// The cursor column.
    pub cursor: Option<usize>,
}

/// Draw `field` as one line.
pub fn field_line(field: &Field, focused: bool, layout: FieldLayout, theme: Theme) -> FieldLine {
    let label_style = if focused {
        theme.key()
    } else {
        Default::default()
    };
    let shown = match &field.value {
        FieldValue::Choice { .. } => format!("◂ {} ▸", field.display()),
        FieldValue::Text { .. } | FieldValue::Toggle { .. } => field.display(),
    };
    let disabled = matches!(
        field.value,
        FieldValue::Toggle {
            disabled: Some(_),
            ..
        }
    );
    let value_style = if disabled || !focused {
        theme.dim()
    } else {
        theme.selected_unfocused()
    };
    let (value, skip) = match layout.value {
        ValueLayout::Boxed(width) => {
            let skip = shown
                .chars()
                .count()
                .saturating_sub(width.saturating_sub(1));
            let visible: String = shown.chars().skip(skip).collect();
            let pad = match &field.value {
                FieldValue::Choice { .. } | FieldValue::Toggle { .. } => 0,
                FieldValue::Text { .. } => width.saturating_sub(visible.chars().count()),
            };
            (format!("{visible}{}", "_".repeat(pad)), skip)
        }
        ValueLayout::Padded(width) => (format!("{shown:<width$}"), 0),
    };
    let start = layout.indent.chars().count() + layout.label_width + layout.gap.chars().count();
    let cursor = focused
        .then(|| field.cursor())
        .flatten()
        .map(|c| start + c.saturating_sub(skip));
    let label_width = layout.label_width;
    FieldLine {
        line: Line::from(vec![
            Span::styled(
                format!(
                    "{}{:<label_width$}{}",
                    layout.indent, field.label, layout.gap
                ),
                label_style,
            ),
            Span::styled(value, value_style),
        ]),
        cursor,
    }
}
