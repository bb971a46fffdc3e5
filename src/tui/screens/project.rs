//! The project view: the last project imported, its state and overall progress, one
//! row per CSV line with its task's state and progress; p/r/c pause, resume, cancel.

use mailshift_panel::format_bytes;
use mailshift_tasks::project::ProjectProgress;
use mailshift_tasks::TaskRecord;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};
use ratatui::Frame;

use super::dashboard::state_style;
use super::platforms::ellipsize;
use crate::tui::app::{App, ProjectView};
use crate::tui::widgets::form::wrap;
use crate::tui::widgets::progress::{gauge_text, task_ratio};

/// Draw the project view in `area`.
pub fn render(app: &App, view: &ProjectView, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let Some(rec) = &view.record else {
        let text = "No project yet. Press i to import a CSV (one row per account); in the import form Ctrl-W writes a template to fill in.";
        let lines: Vec<Line> = wrap(text, usize::from(area.width.saturating_sub(2)))
            .into_iter()
            .map(|l| Line::raw(format!(" {l}")))
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
        return;
    };
    let tasks: Vec<Option<&TaskRecord>> = rec
        .entries
        .iter()
        .map(|e| app.tasks.get(&e.task_id))
        .collect();
    let known: Vec<TaskRecord> = tasks.iter().flatten().map(|r| (*r).clone()).collect();
    let p = ProjectProgress::of(&known);
    let width = usize::from(area.width.saturating_sub(2));
    let file = rec.file.rsplit('/').next().unwrap_or(&rec.file);
    let mut head = vec![
        Line::from(vec![
            Span::styled(format!(" Project {} ", rec.id), t.title()),
            Span::styled(rec.state.to_string(), t.key()),
            Span::styled(format!(" · {file} · {} rows", rec.entries.len()), t.dim()),
        ]),
        Line::styled(
            format!(
                " {}/{} ended: {} finished, {} failed, {} cancelled · {} running, {} queued · {}/{} messages",
                p.ended(),
                p.tasks,
                p.finished,
                p.failed,
                p.cancelled,
                p.running,
                p.queued,
                p.messages_done,
                p.messages_total
            ),
            t.dim(),
        ),
    ];
    if let Some(problem) = &rec.problem {
        for l in wrap(problem, width.saturating_sub(3)) {
            head.push(Line::styled(format!(" ✗ {l}"), t.bad()));
        }
    }
    let [head_area, table_area] = Layout::vertical([
        Constraint::Length(head.len() as u16 + 1),
        Constraint::Min(0),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(head), head_area);

    let wide = area.width >= 100;
    let gauge = if wide { 24 } else { 14 };
    // What the other columns, the highlight mark and the gaps leave to the names.
    let names =
        usize::from(area.width).saturating_sub(4 + 11 + gauge + 1 + if wide { 20 + 4 } else { 3 });
    let rows: Vec<Row> = rec
        .entries
        .iter()
        .zip(&tasks)
        .map(|(e, task)| {
            let (state, style, ratio, counts) = match task {
                Some(r) => (
                    r.state.to_string(),
                    state_style(r.state, t),
                    task_ratio(r),
                    format!(
                        "{}/{} · {}",
                        r.progress.messages_done,
                        r.progress.messages_total,
                        format_bytes(r.progress.bytes_done)
                    ),
                ),
                None => ("—".into(), t.dim(), 0.0, String::new()),
            };
            let mut cells = vec![
                Cell::from(format!("{}", e.line)),
                Cell::from(ellipsize(
                    &format!("{} → {}", e.source, e.destination),
                    names,
                )),
                Cell::from(Span::styled(state, style)),
                Cell::from(gauge_text(ratio, gauge)),
            ];
            if wide {
                cells.push(Cell::from(Span::styled(counts, t.dim())));
            }
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![
        Constraint::Length(4),
        Constraint::Min(20),
        Constraint::Length(11),
        Constraint::Length(gauge as u16),
    ];
    let mut header = vec!["Line", "Source → destination", "State", "Progress"];
    if wide {
        widths.push(Constraint::Length(20));
        header.push("Messages · bytes");
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(t.title()))
        .row_highlight_style(t.selected())
        .highlight_symbol("▸");
    let mut state = TableState::default().with_selected(Some(view.row));
    frame.render_stateful_widget(table, table_area, &mut state);
}
