//! The `?` overlay: every binding of the screen underneath, grouped by context,
//! generated from the keymap table; in two columns when one does not fit.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::keymap::{self, Context};
use crate::tui::layout::centered;

/// The help for `contexts`: one group per context heading, each a heading line then
/// `key  description` lines.
pub fn help_groups(app: &App, contexts: &[Context]) -> Vec<Vec<Line<'static>>> {
    let t = app.theme;
    let bindings = keymap::bindings_for(contexts);
    let width = bindings
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(0);
    let mut groups: Vec<Vec<Line<'static>>> = Vec::new();
    let mut heading = "";
    for b in bindings {
        let title = b.context.title();
        if title != heading || groups.is_empty() {
            groups.push(vec![Line::styled(title.to_string(), t.title())]);
            heading = title;
        }
        if let Some(g) = groups.last_mut() {
            g.push(Line::from(vec![
                Span::styled(format!("  {:width$}  ", b.label), t.key()),
                Span::raw(b.description),
            ]));
        }
    }
    groups
}

fn join(groups: &[Vec<Line<'static>>]) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for g in groups {
        if !out.is_empty() {
            out.push(Line::default());
        }
        out.extend(g.iter().cloned());
    }
    out
}

/// Draw the overlay over `area`.
pub fn render_help(app: &App, frame: &mut Frame, area: Rect) {
    let groups = help_groups(app, &app.screen_contexts());
    let one = join(&groups);
    let fits = one.len() + 2 <= usize::from(area.height);
    let columns: Vec<Vec<Line>> = if fits || groups.len() < 2 {
        vec![one]
    } else {
        let total: usize = groups.iter().map(Vec::len).sum();
        let mut split = 1;
        let mut acc = groups[0].len();
        while split < groups.len() - 1 && acc + groups[split].len() <= total / 2 {
            acc += groups[split].len();
            split += 1;
        }
        vec![join(&groups[..split]), join(&groups[split..])]
    };
    let rows = columns.iter().map(Vec::len).max().unwrap_or(0);
    let height = u16::try_from(rows).unwrap_or(u16::MAX).saturating_add(2);
    let width = if columns.len() == 1 { 56 } else { 78 };
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(" Keys ")
        .title_bottom(" Esc closes ")
        .border_style(app.theme.focus_border());
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let constraints = vec![Constraint::Fill(1); columns.len()];
    let cells = Layout::horizontal(constraints).split(inner);
    for (lines, cell) in columns.into_iter().zip(cells.iter()) {
        frame.render_widget(Paragraph::new(lines), *cell);
    }
}
