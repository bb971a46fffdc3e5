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

/// The hints line: `key description` pairs that fit the width; `? help` is always
/// kept (last), since it is how a person finds the rest.
pub fn render_hints(app: &App, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let hints = keymap::hints(&app.contexts());
    let width = |(label, description): &(&str, &str)| {
        label.chars().count() + 1 + description.chars().count() + 2
    };
    let help = hints.iter().find(|(l, _)| *l == "?").copied();
    let reserve = help.as_ref().map_or(0, width);
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1usize;
    for hint in hints.iter().filter(|(l, _)| *l != "?") {
        let len = width(hint);
        if used + len + reserve > usize::from(area.width) {
            break;
        }
        used += len;
        spans.push(Span::styled(hint.0, t.key()));
        spans.push(Span::raw(format!(" {}  ", hint.1)));
    }
    if let Some((label, description)) = help {
        spans.push(Span::styled(label, t.key()));
        spans.push(Span::raw(format!(" {description}")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
