//! The tasks dashboard: one row per task (state, step, gauge, messages, bytes, rate
//! in messages a second and its sparkline, ETA, last update), only the visible rows built; under it the
//! selected task's details, its per-folder table and the tail of its log.

use mailshift_panel::format_bytes;
use mailshift_tasks::{StepState, TaskRecord, TaskState};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::widgets::form::wrap;
use crate::tui::widgets::progress::{duration_text, gauge_text, sparkline_text, task_ratio};

/// Body width from which the details name the hosts and put the log beside the folders.
const WIDE: u16 = 118;

/// The style a task state is shown in.
pub fn state_style(state: TaskState, t: Theme) -> Style {
    match state {
        TaskState::Finished => t.ok(),
        TaskState::Failed => t.bad(),
        TaskState::Running | TaskState::Queued => t.title(),
        TaskState::Interrupted | TaskState::Cancelled | TaskState::RolledBack => t.warn(),
    }
}

/// The step in progress ("e-mails"), if one runs.
pub fn running_step(rec: &TaskRecord) -> Option<&'static str> {
    rec.steps
        .iter()
        .find(|s| s.state == StepState::Running)
        .map(|s| s.kind.label())
}

/// "e-mails 2/4", or the state when nothing runs.
pub fn step_text(rec: &TaskRecord) -> String {
    match rec.steps.iter().position(|s| s.state == StepState::Running) {
        Some(i) => format!(
            "{} {}/{}",
            rec.steps[i].kind.label(),
            i + 1,
            rec.steps.len()
        ),
        None => match rec.current_step() {
            Some(s) if !rec.state.is_ended() => s.kind.label().to_string(),
            _ => "—".to_string(),
        },
    }
}

fn eta_text(rec: &TaskRecord) -> String {
    if rec.state != TaskState::Running {
        return "—".into();
    }
    rec.progress
        .eta_secs()
        .map_or_else(|| "…".into(), duration_text)
}

/// Draw the screen in `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let board = &app.tasks;
    let n = board.records.len();
    let table_h = (n as u16 + 1).clamp(3, (area.height * 2 / 5).max(4));
    let [title, table_area, detail] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(table_h),
        Constraint::Min(0),
    ])
    .areas(area);
    let head = vec![
        Span::styled(" Tasks", t.title()),
        Span::styled(format!("  {n} · {} running", board.running()), t.dim()),
    ];
    frame.render_widget(Paragraph::new(Line::from(head)), title);
    if n == 0 {
        let text = match app.backend.migrations_refused() {
            Some(why) => format!(" No task: {why}."),
            None => " No task yet. n starts a new migration; m on an account (Platforms, p) opens the guided wizard; f follows a task by its ID.".to_string(),
        };
        let msg = Paragraph::new(text)
            .style(t.dim())
            .wrap(Wrap { trim: true });
        frame.render_widget(msg, table_area.union(detail));
        return;
    }
    render_table(app, frame, table_area);
    if let Some(rec) = board.selected() {
        render_detail(rec, t, frame, detail);
    }
}

/// A column of the task list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Task,
    State,
    Step,
    Progress,
    Messages,
    Bytes,
    Rate,
    Trend,
    Eta,
    Updated,
}

impl Col {
    fn title(self) -> &'static str {
        match self {
            Col::Task => "Task",
            Col::State => "State",
            Col::Step => "Step",
            Col::Progress => "Progress",
            Col::Messages => "Messages",
            Col::Bytes => "Bytes",
            Col::Rate => "Rate",
            Col::Trend => "Trend",
            Col::Eta => "ETA",
            Col::Updated => "Updated",
        }
    }

    /// Numbers are right-aligned so that a long value in one column never reads as
    /// the start of the next.
    fn right(self) -> bool {
        matches!(self, Col::Bytes | Col::Rate)
    }
}

/// The highlight symbol's column and the space between columns.
const HIGHLIGHT: u16 = 1;
const SPACING: u16 = 1;

/// The columns and their widths for a table `width` columns wide: every cell's
/// longest usual text fits ("interrupted", "12345/12345", "999.9 MB", "999 msg/s",
/// "1 h 05"), and the sum with the spacing never exceeds the width, so ratatui never
/// squeezes one column into its neighbour. The last column takes what is left.
fn columns(width: u16) -> Vec<(Col, u16)> {
    let wide = [
        (Col::Task, 13),
        (Col::State, 11),
        (Col::Step, 14),
        (Col::Progress, 16),
        (Col::Messages, 11),
        (Col::Bytes, 8),
        (Col::Rate, 9),
        (Col::Trend, 10),
        (Col::Eta, 6),
        (Col::Updated, 8),
    ];
    let narrow = [
        (Col::Task, 13),
        (Col::State, 11),
        (Col::Step, 11),
        (Col::Progress, 12),
        (Col::Messages, 11),
        (Col::Rate, 9),
        (Col::Eta, 6),
    ];
    if needed(&wide) <= width {
        wide.to_vec()
    } else {
        narrow.to_vec()
    }
}

/// The width a set of columns takes, spacing and highlight symbol included.
fn needed(cols: &[(Col, u16)]) -> u16 {
    let n = cols.len() as u16;
    cols.iter().map(|(_, w)| w).sum::<u16>() + SPACING * n.saturating_sub(1) + HIGHLIGHT
}

/// "42 msg/s", the recent message rate of a running task (the same samples as its
/// ETA); "…" before the first sample, nothing when it does not run.
pub fn rate_text(rec: &TaskRecord) -> String {
    if rec.state != TaskState::Running {
        return String::new();
    }
    let rate = &rec.progress.rate;
    if rate.is_empty() {
        return "…".into();
    }
    let recent = &rate[rate.len().saturating_sub(10)..];
    let avg = recent.iter().sum::<u64>().div_ceil(recent.len() as u64);
    if avg >= 1000 {
        format!("{}k msg/s", avg / 1000)
    } else {
        format!("{avg} msg/s")
    }
}

fn cell_text(col: Col, r: &TaskRecord, width: u16) -> String {
    let p = &r.progress;
    match col {
        Col::Task => r.id.clone(),
        Col::State => r.state.as_str().to_string(),
        Col::Step => step_text(r),
        Col::Progress => gauge_text(task_ratio(r), usize::from(width)),
        Col::Messages => format!("{}/{}", p.messages_done, p.messages_total),
        Col::Bytes => format_bytes(p.bytes_done),
        Col::Rate => rate_text(r),
        Col::Trend => sparkline_text(&p.rate, usize::from(width)),
        Col::Eta => eta_text(r),
        Col::Updated => r.updated.format("%H:%M:%S").to_string(),
    }
}

fn aligned(col: Col, line: Line<'static>) -> Line<'static> {
    if col.right() {
        line.right_aligned()
    } else {
        line
    }
}

fn render_table(app: &App, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let cols = columns(area.width);
    let visible = app.tasks.window(usize::from(area.height.saturating_sub(1)));
    let first = visible.start;
    let rows: Vec<Row> = app.tasks.records[visible]
        .iter()
        .map(|r| {
            Row::new(cols.iter().map(|&(col, w)| {
                let text = cell_text(col, r, w);
                let line = if col == Col::State {
                    Line::from(Span::styled(text, state_style(r.state, t)))
                } else {
                    Line::raw(text)
                };
                Cell::from(aligned(col, line))
            }))
        })
        .collect();
    let last = cols.len().saturating_sub(1);
    let widths = cols.iter().enumerate().map(|(i, &(_, w))| {
        if i == last {
            Constraint::Min(w)
        } else {
            Constraint::Length(w)
        }
    });
    let header = Row::new(
        cols.iter()
            .map(|&(col, _)| Cell::from(aligned(col, Line::raw(col.title())))),
    )
    .style(t.title());
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(SPACING)
        .row_highlight_style(t.selected())
        .highlight_symbol("▸");
    let mut state = TableState::default().with_selected(Some(app.tasks.row - first));
    frame.render_stateful_widget(table, area, &mut state);
}

fn render_detail(rec: &TaskRecord, t: Theme, frame: &mut Frame, area: Rect) {
    let p = &rec.progress;
    let spec = &rec.spec;
    let mut info = vec![
        Line::from(vec![
            Span::styled(format!(" {} ", rec.id), t.title()),
            Span::styled(rec.state.as_str(), state_style(rec.state, t)),
            Span::styled(
                format!(
                    " · started {} · updated {} UTC",
                    rec.started
                        .map_or("—".into(), |s| s.format("%Y-%m-%d %H:%M").to_string()),
                    rec.updated.format("%H:%M:%S")
                ),
                t.dim(),
            ),
        ]),
        Line::raw(if area.width >= WIDE {
            format!(
                " {} ({} {}:{}) → {} ({} {}:{})",
                spec.source.login,
                spec.source.server_type,
                spec.source.host,
                spec.source.port,
                spec.destination.login,
                spec.destination.server_type,
                spec.destination.host,
                spec.destination.port
            )
        } else {
            format!(
                " {} ({}) → {} ({})",
                spec.source.login,
                spec.source.server_type,
                spec.destination.login,
                spec.destination.server_type
            )
        }),
        Line::from(vec![
            Span::raw(format!(" {} ", gauge_text(task_ratio(rec), 22))),
            Span::styled(
                format!(
                    "{}/{} msgs · {}/{} · ETA {} · steps {}",
                    p.messages_done,
                    p.messages_total,
                    format_bytes(p.bytes_done),
                    format_bytes(p.bytes_total),
                    eta_text(rec),
                    steps_text(rec)
                ),
                t.dim(),
            ),
        ]),
    ];
    if let Some(e) = &rec.error {
        let e = crate::tui::advice::with_hint(e, rec.remedy);
        for (i, l) in wrap(&e, usize::from(area.width.saturating_sub(4)))
            .into_iter()
            .enumerate()
        {
            let mark = if i == 0 { "✗" } else { " " };
            info.push(Line::styled(format!(" {mark} {l}"), t.bad()));
        }
    }
    let info_h = info.len() as u16;
    let wide = area.width >= WIDE;
    let [info_area, rest] =
        Layout::vertical([Constraint::Length(info_h + 1), Constraint::Min(0)]).areas(area);
    let block = Block::default().borders(Borders::TOP).border_style(t.dim());
    frame.render_widget(Paragraph::new(info).block(block), info_area);
    let (folders_area, log_area) = if wide {
        let [a, b] = Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
            .areas(rest);
        (a, b)
    } else {
        let [a, b] = Layout::vertical([Constraint::Min(3), Constraint::Length(4)]).areas(rest);
        (a, b)
    };
    render_folders(rec, t, frame, folders_area);
    render_log(rec, t, frame, log_area);
}

fn steps_text(rec: &TaskRecord) -> String {
    rec.steps
        .iter()
        .map(|s| {
            let mark = match s.state {
                StepState::Done => "✓",
                StepState::Running => "▸",
                StepState::Failed => "✗",
                StepState::Skipped => "-",
                StepState::Pending => "·",
            };
            format!("{mark}{}", s.kind.label())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn render_folders(rec: &TaskRecord, t: Theme, frame: &mut Frame, area: Rect) {
    let block = Block::default()
        .borders(Borders::TOP)
        .title(" Folders ")
        .border_style(t.dim());
    let Some(report) = &rec.report else {
        if !rec.progress.folders.is_empty() {
            render_live_folders(rec, t, frame, area);
            return;
        }
        let msg = format!(
            " The per-folder table comes with the plan ({} folders planned).",
            rec.progress.folders_planned
        );
        frame.render_widget(
            Paragraph::new(msg)
                .style(t.dim())
                .block(block)
                .wrap(Wrap { trim: false }),
            area,
        );
        return;
    };
    let rows = report
        .folder_reports
        .iter()
        .take(usize::from(area.height.saturating_sub(2)))
        .map(|f| {
            let verified = if f.verified {
                Span::styled("✓", t.ok())
            } else {
                Span::styled("✗", t.bad())
            };
            Row::new(vec![
                Cell::from(f.folder.clone()),
                Cell::from(f.source_messages.to_string()),
                Cell::from(f.copied.to_string()),
                Cell::from(f.skipped.to_string()),
                Cell::from(f.failed.to_string()),
                Cell::from(verified),
            ])
        });
    let table = Table::new(
        rows,
        [
            Constraint::Min(12),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Length(6),
            Constraint::Length(3),
        ],
    )
    .header(
        Row::new(vec![
            "Folder", "Source", "Copied", "Skipped", "Failed", "OK",
        ])
        .style(t.title()),
    )
    .block(block);
    frame.render_widget(table, area);
}

/// The folders of a task that has no report yet, as the engine plans, copies and
/// verifies them: "copied/total" and a gauge each. The window starts just above the
/// first folder still copying, so the one in progress is on screen.
fn render_live_folders(rec: &TaskRecord, t: Theme, frame: &mut Frame, area: Rect) {
    let folders = &rec.progress.folders;
    let fits = usize::from(area.height.saturating_sub(2)).max(1);
    let active = folders
        .iter()
        .position(|f| f.done < f.total)
        .unwrap_or(folders.len());
    let start = active
        .saturating_sub(1)
        .min(folders.len().saturating_sub(fits));
    let complete = folders.iter().filter(|f| f.done >= f.total).count();
    let block = Block::default()
        .borders(Borders::TOP)
        .title(format!(" Folders {complete}/{} copied ", folders.len()))
        .border_style(t.dim());
    let rows = folders[start..].iter().take(fits).map(|f| {
        let ratio = if f.total == 0 {
            1.0
        } else {
            f.done as f64 / f.total as f64
        };
        let mark = match f.verified {
            Some(true) => Span::styled("✓", t.ok()),
            Some(false) => Span::styled("✗", t.bad()),
            None if f.done > 0 && f.done < f.total && rec.state == TaskState::Running => {
                Span::styled("▸", t.title())
            }
            None => Span::raw(""),
        };
        Row::new(vec![
            Cell::from(format!(" {}", f.folder)),
            Cell::from(Line::raw(format!("{}/{}", f.done, f.total)).right_aligned()),
            Cell::from(gauge_text(ratio, 14)),
            Cell::from(mark),
        ])
    });
    let table = Table::new(
        rows,
        [
            Constraint::Min(12),
            Constraint::Length(13),
            Constraint::Length(14),
            Constraint::Length(2),
        ],
    )
    .header(
        Row::new(vec![
            Cell::from(" Folder"),
            Cell::from(Line::raw("Copied").right_aligned()),
            Cell::from("Progress"),
            Cell::from("OK"),
        ])
        .style(t.title()),
    )
    .block(block);
    frame.render_widget(table, area);
}

fn render_log(rec: &TaskRecord, t: Theme, frame: &mut Frame, area: Rect) {
    let mut lines: Vec<Line> = rec
        .steps
        .iter()
        .filter_map(|s| {
            s.detail
                .as_ref()
                .map(|d| Line::raw(format!(" {}: {d}", s.kind.label())))
        })
        .collect();
    lines.extend(
        rec.progress
            .problems
            .iter()
            .map(|p| Line::styled(format!(" ! {p}"), t.warn())),
    );
    let rows = usize::from(area.height.saturating_sub(1));
    let skip = lines.len().saturating_sub(rows);
    let block = Block::default()
        .borders(Borders::TOP)
        .title(" Log ")
        .border_style(t.dim());
    frame.render_widget(
        Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>())
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::task_board::tests::record;

    /// Issue #15: the sparkline ran into the Bytes column. Every layout fits its
    /// width with a space between columns, so no column is squeezed.
    #[test]
    fn the_columns_fit_every_width_from_80() {
        for width in 80..=200 {
            let cols = columns(width);
            assert!(needed(&cols) <= width, "{width}: {cols:?}");
            assert!(cols.iter().any(|(c, _)| *c == Col::Rate), "{width}");
        }
        let at = |w| columns(w).iter().map(|(c, _)| *c).collect::<Vec<_>>();
        assert!(at(120).contains(&Col::Bytes) && at(120).contains(&Col::Trend));
        assert!(!at(80).contains(&Col::Trend));
        for (col, w) in columns(120).into_iter().chain(columns(80)) {
            let longest = match col {
                Col::State => "interrupted",
                Col::Messages => "12345/12345",
                Col::Bytes => "999.9 MB",
                Col::Rate => "999 msg/s",
                Col::Eta => "1 h 05",
                Col::Updated => "09:09:00",
                Col::Task => "MS-RUN4K7Q2XZ",
                Col::Step => "e-mails 2/3",
                Col::Progress | Col::Trend => "",
            };
            assert!(longest.chars().count() <= usize::from(w), "{col:?} {w}");
            assert!(col.title().len() <= usize::from(w), "{col:?} {w}");
        }
    }

    #[test]
    fn the_rate_is_the_recent_average_of_a_running_task() {
        let mut r = record("MS-AAAAAAAAAA", 1);
        r.progress.rate = vec![40, 44];
        assert_eq!(rate_text(&r), "", "not running");
        r.state = TaskState::Running;
        assert_eq!(rate_text(&r), "42 msg/s");
        r.progress.rate = vec![2500; 12];
        assert_eq!(rate_text(&r), "2k msg/s");
        r.progress.rate.clear();
        assert_eq!(rate_text(&r), "…");
    }
}
