//! The two bottom lines: the last status message, and the key hints of the
//! contexts in force (read from the keymap).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::tui::advice::for_panel;
use crate::tui::app::App;
use crate::tui::keymap;

/// The status line: the last message, or what is running.
pub fn render_status(app: &App, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let line = match &app.status {
        Some(s) if s.error => Line::from(vec![
            Span::styled(" ✗ ", t.bad()),
            Span::styled(for_panel(&s.text), t.bad()),
        ]),
        Some(s) => Line::from(vec![Span::styled(" ✓ ", t.ok()), Span::raw(s.text.clone())]),
        None if !app.checking.is_empty() => Line::styled(" checking DNS…", t.dim()),
        None => Line::default(),
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The hints that fit in `width` columns, each with the column it starts at: every
/// `key description` pair that fits, `? help` always kept (last), since it is how a
/// person finds the rest. Rendering and mouse clicks both read this.
pub fn hint_layout(
    contexts: &[keymap::Context],
    width: u16,
) -> Vec<(u16, &'static keymap::Binding)> {
    let hints: Vec<&'static keymap::Binding> = keymap::bindings_for(contexts)
        .into_iter()
        .filter(|b| b.hint)
        .collect();
    let len = |b: &keymap::Binding| b.label.chars().count() + 1 + b.description.chars().count() + 2;
    let help = hints.iter().find(|b| b.label == "?").copied();
    let reserve = help.map_or(0, len);
    let mut out = Vec::new();
    let mut used = 1usize;
    for b in hints.iter().filter(|b| b.label != "?") {
        if used + len(b) + reserve > usize::from(width) {
            break;
        }
        out.push((u16::try_from(used).unwrap_or(u16::MAX), *b));
        used += len(b);
    }
    if let Some(b) = help {
        out.push((u16::try_from(used).unwrap_or(u16::MAX), b));
    }
    out
}

/// The hint under column `x` of the footer, if any (a click on it acts as its key).
pub fn hint_at(
    contexts: &[keymap::Context],
    width: u16,
    x: u16,
) -> Option<&'static keymap::Binding> {
    hint_layout(contexts, width)
        .into_iter()
        .find(|(start, b)| {
            let len = (b.label.chars().count() + 1 + b.description.chars().count()) as u16;
            x >= *start && x < start + len
        })
        .map(|(_, b)| b)
}

/// The hints line.
pub fn render_hints(app: &App, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let mut spans = vec![Span::raw(" ")];
    for (_, b) in hint_layout(&app.contexts(), area.width) {
        spans.push(Span::styled(b.label, t.key()));
        spans.push(Span::raw(format!(" {}  ", b.description)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
