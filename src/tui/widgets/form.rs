//! A form drawn as a centred box: intro, one line per field (errors inline under
//! it), the backend's refusal at the bottom; the cursor sits in the focused field.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::advice::for_panel;
use crate::tui::form::{FieldValue, Form};
use crate::tui::layout::centered;
use crate::tui::theme::Theme;

/// Width of the label column.
const LABEL: usize = 14;

/// Split `text` into lines of at most `width` characters, on spaces.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let extra = usize::from(!line.is_empty());
        if !line.is_empty() && line.chars().count() + extra + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// `text` as lines of at most `width` characters, keeping its own line breaks: an
/// indented line (one problem of a list, such as a CSV row) becomes a bullet whose
/// continuation lines are indented under it.
pub fn wrap_list(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.lines() {
        if para.starts_with(char::is_whitespace) {
            for (i, l) in wrap(para.trim(), width.saturating_sub(2))
                .into_iter()
                .enumerate()
            {
                out.push(format!("{}{l}", if i == 0 { "• " } else { "  " }));
            }
        } else {
            out.extend(wrap(para, width));
        }
    }
    out
}

/// Draw `form` over `area`.
pub fn render_form(form: &Form, theme: Theme, frame: &mut Frame, area: Rect) {
    let width = area.width.saturating_sub(4).min(72);
    let inner = usize::from(width.saturating_sub(4));
    let field_width = inner.saturating_sub(LABEL + 1);
    let mut lines: Vec<Line> = Vec::new();
    for l in wrap(&form.intro, inner) {
        lines.push(Line::styled(l, theme.dim()));
    }
    lines.push(Line::default());
    let mut cursor = None;
    for (i, field) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let label_style = if focused {
            theme.key()
        } else {
            Default::default()
        };
        let shown = match &field.value {
            FieldValue::Choice { .. } => format!("◂ {} ▸", field.display()),
            FieldValue::Text { .. } | FieldValue::Toggle { .. } => field.display(),
        };
        let skip = shown
            .chars()
            .count()
            .saturating_sub(field_width.saturating_sub(1));
        let visible: String = shown.chars().skip(skip).collect();
        let pad = match &field.value {
            FieldValue::Choice { .. } | FieldValue::Toggle { .. } => 0,
            FieldValue::Text { .. } => field_width.saturating_sub(visible.chars().count()),
        };
        let value_style = if matches!(
            field.value,
            FieldValue::Toggle {
                disabled: Some(_),
                ..
            }
        ) {
            theme.dim()
        } else if focused {
            theme.selected_unfocused()
        } else {
            theme.dim()
        };
        if focused {
            if let Some(c) = field.cursor() {
                cursor = Some((lines.len(), c.saturating_sub(skip)));
            }
        }
        lines.push(Line::from(vec![
            Span::styled(format!("{:<LABEL$} ", field.label), label_style),
            Span::styled(format!("{visible}{}", "_".repeat(pad)), value_style),
        ]));
        if let Some(e) = &field.error {
            for (n, l) in wrap(&for_panel(e), inner.saturating_sub(LABEL + 3))
                .into_iter()
                .enumerate()
            {
                let mark = if n == 0 { "✗" } else { " " };
                lines.push(Line::styled(
                    format!("{:LABEL$} {mark} {l}", ""),
                    theme.bad(),
                ));
            }
        }
    }
    if !form.notes.is_empty() {
        lines.push(Line::default());
    }
    for (note, bad) in &form.notes {
        for l in wrap(&for_panel(note), inner) {
            lines.push(Line::styled(
                l,
                if *bad { theme.bad() } else { theme.dim() },
            ));
        }
    }
    if let Some(e) = &form.error {
        lines.push(Line::default());
        for l in wrap_list(&for_panel(e), inner) {
            lines.push(Line::styled(l, theme.bad()));
        }
    }
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let rect = centered(area, width, height);
    let rows = usize::from(rect.height.saturating_sub(2));
    let scroll = form_scroll(form, inner, lines.len(), rows);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(format!(" {} ", form.title))
        .title_bottom(format!(" {} ", form.hint))
        .border_style(theme.focus_border());
    let text_area = block.inner(rect);
    let visible: Vec<Line> = lines.into_iter().skip(scroll).collect();
    frame.render_widget(
        Paragraph::new(visible)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
    if let Some((row, col)) = cursor {
        let Some(row) = row.checked_sub(scroll) else {
            return;
        };
        let x = text_area.x + u16::try_from(LABEL + 1 + col).unwrap_or(0);
        let y = text_area.y + u16::try_from(row).unwrap_or(0);
        if x < text_area.right() && y < text_area.bottom() {
            frame.set_cursor_position(Position::new(x, y));
        }
    }
}

/// The first line shown when `total` lines have `rows` rows. Taller than the screen,
/// the form opens at its top; once the focus moves on, it scrolls as far down as
/// keeps the focused field in view (one line above it as context), so what comes
/// under the fields (the summary, the Ctrl-T results, the refusal) is reached by
/// moving down the form instead of staying below the edge.
fn form_scroll(form: &Form, inner: usize, total: usize, rows: usize) -> usize {
    let max = total.saturating_sub(rows);
    if form.focus == 0 {
        return 0;
    }
    form_focus_row(form, inner, total)
        .saturating_sub(1)
        .min(max)
}

/// The line of the focused field in the form's text (intro and errors included).
fn form_focus_row(form: &Form, inner: usize, total: usize) -> usize {
    let mut row = wrap(&form.intro, inner).len() + 1;
    for (i, f) in form.fields.iter().enumerate() {
        if i == form.focus {
            return row;
        }
        row += 1;
        if let Some(e) = &f.error {
            row += wrap(&for_panel(e), inner.saturating_sub(LABEL + 3)).len();
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_on_spaces_within_the_width() {
        let w = wrap("one two three four five six", 10);
        assert_eq!(w, vec!["one two", "three four", "five six"]);
        assert!(wrap("", 10).is_empty());
    }

    #[test]
    fn a_list_keeps_one_bullet_per_problem() {
        let w = wrap_list(
            "2 problems:\n  line 3, src_login: empty\n  line 4: too many cells here",
            20,
        );
        assert_eq!(
            w,
            vec![
                "2 problems:",
                "• line 3, src_login:",
                "  empty",
                "• line 4: too many",
                "  cells here"
            ]
        );
    }
}
