//! The `?` overlay: every binding of the screen underneath, grouped by context,
//! generated from the keymap table.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::keymap::{self, Context};
use crate::tui::layout::centered;

/// The help lines for `contexts`: a heading per context, then `key  description`.
pub fn help_lines(app: &App, contexts: &[Context]) -> Vec<Line<'static>> {
    let t = app.theme;
    let bindings = keymap::bindings_for(contexts);
    let width = bindings
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines = Vec::new();
    let mut heading = "";
    for b in bindings {
        let title = b.context.title();
        if title != heading {
            if !lines.is_empty() {
                lines.push(Line::default());
            }
            lines.push(Line::styled(title.to_string(), t.title()));
            heading = title;
        }
        lines.push(Line::from(vec![
            Span::styled(format!("  {:width$}  ", b.label), t.key()),
            Span::raw(b.description),
        ]));
    }
    lines
}

/// Draw the overlay over `area`.
pub fn render_help(app: &App, frame: &mut Frame, area: Rect) {
    let lines = help_lines(app, &app.screen_contexts());
    let height = u16::try_from(lines.len()).unwrap_or(u16::MAX).saturating_add(2);
    let rect = centered(area, 56, height);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(" Keys ")
        .title_bottom(" Esc closes ")
        .border_style(app.theme.focus_border());
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
