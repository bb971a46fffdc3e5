//! The DNS diagnostic of one domain: each expected record with its expected and
//! observed values and a red/green verdict, the selected record's details, and the
//! changes still propagating with their countdown.

use mailshift_dns::{DomainReport, RecordChange, RecordCheck, Verdict};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

use crate::tui::app::{App, DnsView};
use crate::tui::theme::Theme;
use crate::tui::widgets::countdown;
use crate::tui::widgets::form::wrap;

/// Body width from which the record's name gets its own column.
const WIDE: u16 = 110;

/// The record's name relative to the domain (`@` for the apex).
pub fn short_name(name: &str, domain: &str) -> String {
    if name == domain {
        "@".into()
    } else {
        name.strip_suffix(&format!(".{domain}"))
            .unwrap_or(name)
            .to_string()
    }
}

/// Lines of the "Propagating" list (the last says how many more when they do not fit).
const MAX_PENDING: u16 = 4;
fn verdict_cell(c: &RecordCheck, t: Theme) -> Cell<'static> {
    if c.verdict == Verdict::Ok {
        Cell::from(Span::styled("✓ ok", t.ok()))
    } else if c.is_warning() {
        Cell::from(Span::styled("· unset", t.warn()))
    } else {
        Cell::from(Span::styled(format!("✗ {}", c.verdict.as_str()), t.bad()))
    }
}

/// Draw the screen in `area`.
pub fn render(app: &App, view: &DnsView, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let platform = app
        .backend
        .panel()
        .platform(view.platform)
        .map(|p| p.label())
        .unwrap_or_else(|_| view.platform.to_string());
    let report = app.report(view.platform, &view.domain);
    let flag_lines = report
        .and_then(|r| r.red_flag.as_deref())
        .map(|f| wrap(f, usize::from(area.width.saturating_sub(2))))
        .unwrap_or_default();
    let pending: Vec<_> = app
        .pending
        .iter()
        .filter(|c| c.domain == view.domain)
        .collect();
    let pending_h = if pending.is_empty() {
        0
    } else {
        // Four changes, or three and a "+N more" line.
        (pending.len() as u16).min(MAX_PENDING) + 1
    };
    let table_h = report.map_or(0, |r| r.checks.len() as u16 + 1).max(3);
    let [title, flag, table_area, detail, pending_area, _rest] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length((flag_lines.len() as u16).min(3)),
        Constraint::Length(table_h),
        Constraint::Length(5),
        Constraint::Length(pending_h),
        Constraint::Min(0),
    ])
    .areas(area);

    let mut head = vec![
        Span::styled(format!(" DNS of {}", view.domain), t.title()),
        Span::styled(format!(" as {platform} expects it"), t.dim()),
    ];
    match report {
        None => head.push(Span::styled("  checking…", t.dim())),
        Some(r) if r.ok => head.push(Span::styled("  ✓ all good", t.ok())),
        Some(r) => {
            let red = r.checks.iter().filter(|c| c.is_red()).count();
            head.push(Span::styled(format!("  ✗ {red} red"), t.bad()));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(head)), title);
    let flag_text: Vec<Line> = flag_lines
        .into_iter()
        .map(|l| Line::styled(format!(" {l}"), t.bad()))
        .collect();
    frame.render_widget(Paragraph::new(flag_text), flag);

    let Some(report) = report else {
        return;
    };
    render_table(report, view, t, frame, table_area);
    if let Some(c) = report.checks.get(view.row) {
        render_detail(c, t, frame, detail);
    }
    if !pending.is_empty() {
        let mut lines = vec![];
        let cut = pending.len() > usize::from(MAX_PENDING);
        let shown = if cut {
            usize::from(MAX_PENDING) - 1
        } else {
            pending.len()
        };
        for c in pending.iter().take(shown) {
            let (op, r) = match &c.change {
                RecordChange::Add(r) => ("add", r),
                RecordChange::Remove(r) => ("remove", r),
            };
            lines.push(Line::from(vec![
                Span::styled(format!(" in {:<14} ", countdown(c.remaining)), t.warn()),
                Span::raw(format!(
                    "{op} {} {} {}",
                    r.kind,
                    short_name(&r.name, &view.domain),
                    r.value
                )),
            ]));
        }
        if cut {
            lines.push(Line::styled(
                format!(" +{} more", pending.len() - shown),
                t.dim(),
            ));
        }
        let block = Block::default()
            .borders(Borders::TOP)
            .title(" Propagating ")
            .border_style(t.dim());
        frame.render_widget(Paragraph::new(lines).block(block), pending_area);
    }
}

fn render_table(report: &DomainReport, view: &DnsView, t: Theme, frame: &mut Frame, area: Rect) {
    let wide = area.width >= WIDE;
    let rows = report.checks.iter().map(|c| {
        let expected = c.expected.clone().unwrap_or_else(|| "—".into());
        let observed = c.observed.describe();
        let name = short_name(&c.name, &report.domain);
        let mut cells = if wide {
            vec![Cell::from(c.rtype.to_string()), Cell::from(name)]
        } else {
            vec![Cell::from(format!("{} {name}", c.rtype))]
        };
        cells.push(Cell::from(expected));
        cells.push(Cell::from(observed));
        cells.push(verdict_cell(c, t));
        Row::new(cells)
    });
    let (widths, header) = if wide {
        (
            vec![
                Constraint::Length(5),
                Constraint::Length(24),
                Constraint::Fill(1),
                Constraint::Fill(1),
                Constraint::Length(13),
            ],
            vec!["Type", "Name", "Expected", "Observed", "Verdict"],
        )
    } else {
        (
            vec![
                Constraint::Length(17),
                Constraint::Fill(1),
                Constraint::Fill(1),
                Constraint::Length(13),
            ],
            vec!["Record", "Expected", "Observed", "Verdict"],
        )
    };
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(t.title()))
        .row_highlight_style(t.selected())
        .highlight_symbol("▸");
    let mut state = TableState::default().with_selected(Some(view.row));
    frame.render_stateful_widget(table, area, &mut state);
}

fn render_detail(c: &RecordCheck, t: Theme, frame: &mut Frame, area: Rect) {
    let mut lines = vec![Line::from(vec![
        Span::styled(format!(" {} {}", c.rtype, c.name), t.title()),
        Span::styled(format!(" — {}", c.purpose), t.dim()),
    ])];
    lines.push(Line::raw(format!(" observed: {}", c.observed.describe())));
    if let Some(fix) = &c.fix {
        if c.is_red() {
            lines.push(Line::styled(
                format!(" fix: {} {} (Enter)", fix.action.as_str(), fix.record),
                t.bad(),
            ));
        } else {
            lines.push(Line::styled(
                format!(" optional: {}", fix.explanation),
                t.warn(),
            ));
        }
    }
    if let Some(note) = &c.note {
        let note = crate::tui::advice::with_hint(note, c.remedy);
        lines.push(Line::styled(format!(" {note}"), t.warn()));
    }
    let block = Block::default().borders(Borders::TOP).border_style(t.dim());
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_shown_relative_to_the_domain() {
        assert_eq!(short_name("example.net", "example.net"), "@");
        assert_eq!(short_name("_dmarc.example.net", "example.net"), "_dmarc");
        assert_eq!(short_name("other.org", "example.net"), "other.org");
    }
}
