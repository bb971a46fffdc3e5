//! The `?` overlay: every binding of the screen underneath, grouped by context,
//! generated from the keymap table; in two columns when one does not fit.

use crate::tui::action::Action;
use crate::tui::keymap::{key_label, Prompt};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::keymap::{self, Context};
use crate::tui::layout::centered;

/// The help for `contexts`: one group per context heading, each a heading line then
/// `key  description` lines, descriptions wrapped to fit `line_width` columns.
pub fn help_groups(app: &App, contexts: &[Context], line_width: usize) -> Vec<Vec<Line<'static>>> {
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
            let room = line_width.saturating_sub(width + 4);
            for (i, l) in super::form::wrap(b.description, room)
                .into_iter()
                .enumerate()
            {
                let label = if i == 0 { b.label } else { "" };
                g.push(Line::from(vec![
                    Span::styled(format!("  {label:width$}  "), t.key()),
                    Span::raw(l),
                ]));
            }
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
pub fn render_help(app: &App, scroll: u16, frame: &mut Frame, area: Rect) {
    let one_width = usize::from(area.width.saturating_sub(4).min(54));
    let groups = help_groups(app, &app.screen_contexts(), one_width);
    let one = join(&groups);
    let fits = one.len() + 2 <= usize::from(area.height);
    // Two columns share the inner width of the wider box.
    let two_width = usize::from(area.width.min(78).saturating_sub(2)) / 2;
    let groups = if fits {
        groups
    } else {
        help_groups(app, &app.screen_contexts(), two_width)
    };
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
    // Taller than the screen: it scrolls (↑/↓) instead of being cut.
    let shown = usize::from(rect.height.saturating_sub(2));
    let max_scroll = rows.saturating_sub(shown);
    let scroll = usize::from(scroll).min(max_scroll);
    let bottom = if max_scroll == 0 {
        format!(" {} ", Prompt::Help.text())
    } else {
        let key = |a: Action| key_label(Prompt::Help.contexts(), &a).unwrap_or("");
        format!(
            " {}/{} scroll ({} more) · {} ",
            key(Action::Up),
            key(Action::Down),
            max_scroll - scroll,
            Prompt::Help.text()
        )
    };
    let columns: Vec<Vec<Line>> = columns
        .into_iter()
        .map(|c| c.into_iter().skip(scroll).collect())
        .collect();
    let block = Block::bordered()
        .title(" Keys ")
        .title_bottom(bottom)
        .border_style(app.theme.focus_border());
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let constraints = vec![Constraint::Fill(1); columns.len()];
    let cells = Layout::horizontal(constraints).split(inner);
    for (lines, cell) in columns.into_iter().zip(cells.iter()) {
        frame.render_widget(Paragraph::new(lines), *cell);
    }
}
