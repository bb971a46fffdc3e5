//! The log pane: the last lines of what the app did (toggled with `l`).

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use crate::tui::app::App;

/// Draw the newest lines that fit.
pub fn render_log(app: &App, frame: &mut Frame, area: Rect) {
    let rows = usize::from(area.height.saturating_sub(1));
    let skip = app.log.len().saturating_sub(rows);
    let lines: Vec<Line> = app
        .log
        .iter()
        .skip(skip)
        .map(|l| Line::raw(format!(" {}", crate::tui::advice::for_panel(l))))
        .collect();
    let block = Block::default()
        .borders(Borders::TOP)
        .title(" Log ")
        .border_style(app.theme.dim());
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
