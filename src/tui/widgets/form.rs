//! A form drawn as a centred box: intro, one line per field (errors inline under
//! it), the backend's refusal at the bottom; the cursor sits in the focused field.

use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::advice::for_panel;
use crate::tui::form::Form;
use crate::tui::layout::centered;
use crate::tui::theme::Theme;
use crate::tui::widgets::field::{field_line, FieldLayout, ValueLayout};

/// Width of the label column.
const LABEL: usize = 14;

/// Split `text` into lines of at most `width` terminal cells (display width: a CJK
/// character or an emoji takes two), on spaces; runs of white space count as one. A
/// single word wider than a line (a long URL) stays whole on a line of its own, as
/// the boxes around leave it room or wrap it themselves.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let options = textwrap::Options::new(width)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        // Never at a hyphen: logins and passwords such as "Sunny-Day42" stay whole.
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .break_words(false);
    textwrap::wrap(&text, options)
        .into_iter()
        .map(|l| l.into_owned())
        .filter(|l| !l.is_empty())
        .collect()
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
        let drawn = field_line(
            field,
            i == form.focus,
            FieldLayout {
                indent: "",
                label_width: LABEL,
                gap: " ",
                value: ValueLayout::Boxed(field_width),
            },
            theme,
        );
        if let Some(c) = drawn.cursor {
            cursor = Some((lines.len(), c));
        }
        lines.push(drawn.line);
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
        .title_bottom(format!(" {} ", form.prompt.text()))
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
        let x = text_area.x + u16::try_from(col).unwrap_or(0);
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
    fn wide_characters_never_take_a_line_past_its_width_in_cells() {
        let cells = textwrap::core::display_width;
        // Every word fits in 12 cells; counted in characters (as the old wrap did),
        // lines of CJK text or emoji would take twice their width.
        let text = "移行は 完了 しました 全ての メッセージが 宛先に あります 📬📬📬 \
                    Überprüfung 検証済み 🎉 done";
        for width in [12, 13, 17, 20, 31] {
            let lines = wrap(text, width);
            assert!(!lines.is_empty());
            for l in &lines {
                assert!(cells(l) <= width, "{l:?} is {} cells > {width}", cells(l));
            }
            // Nothing is lost but the spaces the lines were split at.
            let joined: String = lines.concat().split_whitespace().collect();
            let original: String = text.split_whitespace().collect();
            assert_eq!(joined, original);
        }
        // A word wider than the line stands alone on its line (URLs stay whole).
        let long = wrap("see 漢字漢字漢字漢字漢字漢字 now", 8);
        assert_eq!(long, vec!["see", "漢字漢字漢字漢字漢字漢字", "now"]);
        // Hyphenated words are not split at their hyphen.
        assert_eq!(
            wrap("password Sunny-Day42 ok", 12),
            vec!["password", "Sunny-Day42", "ok"]
        );
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
