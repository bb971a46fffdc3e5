//! The Platforms screen: the sidebar of platforms (kind, service name, domain and
//! account counts) and the selected platform's tabs, associated domains and email
//! accounts, each a table with a detail line for the selected row.

use mailshift_panel::{Account, Platform};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{
    Block, Cell, List, ListItem, ListState, Paragraph, Row, Table, TableState, Tabs, Wrap,
};
use ratatui::Frame;

use crate::tui::app::{App, Focus, Tab};
use crate::tui::layout;
use crate::tui::widgets::usage_line;

/// Content width from which the accounts table shows one line per account.
const WIDE: u16 = 80;

/// Draw the screen in `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let areas = layout::platforms(area);
    render_sidebar(app, frame, areas.sidebar);
    let Some(p) = app.selected_platform() else {
        let msg = Paragraph::new("No platform yet.").style(app.theme.dim());
        frame.render_widget(msg, areas.content);
        return;
    };
    render_tabs(app, p, frame, areas.tabs);
    let content = Rect {
        x: areas.content.x + 1,
        width: areas.content.width.saturating_sub(1),
        ..areas.content
    };
    match app.home().tab {
        Tab::Domains => render_domains(app, p, frame, content),
        Tab::Accounts => render_accounts(app, p, frame, content),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn render_sidebar(app: &App, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let items: Vec<ListItem> = app
        .backend
        .panel()
        .platforms
        .iter()
        .map(|p| {
            let configured = p.configured_accounts().count();
            ListItem::new(vec![
                Line::from(vec![
                    Span::styled(format!("{} ", p.kind), t.title()),
                    Span::raw(p.service_name.clone()),
                ]),
                Line::styled(
                    format!(
                        " {} · {configured}/{} accounts",
                        plural(p.domains.len(), "domain", "domains"),
                        p.accounts.len()
                    ),
                    t.dim(),
                ),
            ])
        })
        .collect();
    let focused = app.home().focus == Focus::Sidebar;
    let block = Block::bordered()
        .title(" Platforms ")
        .border_style(if focused { t.focus_border() } else { t.dim() });
    let highlight = if focused {
        t.selected()
    } else {
        t.selected_unfocused()
    };
    let list = List::new(items)
        .block(block)
        .highlight_style(highlight)
        .highlight_symbol("▸");
    let mut state = ListState::default().with_selected(Some(app.home().platform));
    frame.render_stateful_widget(list, area, &mut state);
}

fn render_tabs(app: &App, p: &Platform, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let [head, tabs] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    let mut spans = vec![Span::styled(format!(" {}", p.label()), t.title())];
    if p.display_name != p.service_name {
        spans.push(Span::styled(format!(" — {}", p.display_name), t.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), head);
    let selected = match app.home().tab {
        Tab::Domains => 0,
        Tab::Accounts => 1,
    };
    let titles = vec![
        format!("1 Associated domains ({})", p.domains.len()),
        format!("2 Email accounts ({})", p.configured_accounts().count()),
    ];
    let widget = Tabs::new(titles)
        .select(selected)
        .highlight_style(t.key())
        .divider("│");
    frame.render_widget(widget, tabs);
}

fn row_style(app: &App) -> Style {
    if app.home().focus == Focus::Table {
        app.theme.selected()
    } else {
        app.theme.selected_unfocused()
    }
}

fn dns_cell(app: &App, p: &Platform, domain: &str) -> Cell<'static> {
    let t = app.theme;
    let key = (p.id, domain.to_ascii_lowercase());
    match app.reports.get(&key) {
        Some(r) if r.ok => Cell::from(Span::styled("✓ ok", t.ok())),
        Some(r) => {
            let red = r.checks.iter().filter(|c| c.is_red()).count();
            Cell::from(Span::styled(format!("✗ {red} red"), t.bad()))
        }
        None if app.checking.contains(&key) => Cell::from(Span::styled("…", t.dim())),
        None => Cell::from(Span::styled("—", t.dim())),
    }
}

fn render_domains(app: &App, p: &Platform, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let [table_area, detail] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(5)]).areas(area);
    if p.domains.is_empty() {
        let msg = Paragraph::new("No associated domain yet: press a to add one.").style(t.dim());
        frame.render_widget(msg, table_area);
        return;
    }
    let rows = p.domains.iter().map(|d| {
        let status_style = match d.status.label() {
            "OK" => t.ok(),
            "pending" => t.warn(),
            _ => t.bad(),
        };
        Row::new(vec![
            Cell::from(d.name.clone()),
            Cell::from(d.kind.to_string()),
            Cell::from(Span::styled(d.status.label(), status_style)),
            dns_cell(app, p, &d.name),
        ])
    });
    let table = Table::new(
        rows,
        [
            Constraint::Min(12),
            Constraint::Length(17),
            Constraint::Length(8),
            Constraint::Length(9),
        ],
    )
    .header(Row::new(vec!["Domain", "Type", "Status", "DNS"]).style(t.title()))
    .row_highlight_style(row_style(app))
    .highlight_symbol("▸");
    let mut state = TableState::default().with_selected(Some(app.home().domain_row));
    frame.render_stateful_widget(table, table_area, &mut state);

    let Some(d) = app.selected_domain() else {
        return;
    };
    let mut lines = Vec::new();
    if let Some(reason) = d.status.reason() {
        lines.push(Line::from(vec![
            Span::styled(format!("{}: ", d.status.label()), t.warn()),
            Span::raw(reason.to_string()),
        ]));
    }
    if let Some(flag) = app.report(p.id, &d.name).and_then(|r| r.red_flag.clone()) {
        lines.push(Line::styled(format!("DNS: {flag}"), t.bad()));
    }
    let block = Block::default()
        .borders(ratatui::widgets::Borders::TOP)
        .border_style(t.dim());
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        detail,
    );
}

/// `text` cut to `width` characters, its end replaced by `…` when it is cut.
pub fn ellipsize(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn state_cell(app: &App, p: &Platform, a: &Account) -> Cell<'static> {
    if a.is_configured() && app.migrations.find(p.id, &a.address()).is_some() {
        Cell::from(Span::styled("migrating", app.theme.warn()))
    } else if a.is_configured() {
        Cell::from(Span::styled("active", app.theme.ok()))
    } else {
        Cell::from(Span::styled("free", app.theme.dim()))
    }
}

fn render_accounts(app: &App, p: &Platform, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let wide = area.width >= WIDE;
    // Narrow: the text alone ("3.4 GB / 5 GB"), leaving the address its room.
    let usage_width: u16 = if wide { 28 } else { 14 };
    let name = |a: &Account| {
        if a.is_configured() {
            a.display_name.clone()
        } else {
            "free slot".to_string()
        }
    };
    // The address column: what the other columns, the highlight mark and the column
    // gaps leave (narrow), or its fixed 30 (wide).
    let address_width = if wide {
        30
    } else {
        usize::from(area.width.saturating_sub(usage_width + 9 + 1 + 2))
    };
    let rows: Vec<Row> = p
        .accounts
        .iter()
        .map(|a| {
            let usage = Cell::from(usage_line(a.used_bytes, a.quota_bytes, usage_width, t));
            if wide {
                Row::new(vec![
                    Cell::from(ellipsize(&a.address(), address_width)),
                    Cell::from(Span::styled(name(a), t.dim())),
                    usage,
                    state_cell(app, p, a),
                ])
            } else {
                let who = Text::from(vec![
                    Line::raw(ellipsize(&a.address(), address_width)),
                    Line::styled(format!(" {}", name(a)), t.dim()),
                ]);
                Row::new(vec![Cell::from(who), usage, state_cell(app, p, a)]).height(2)
            }
        })
        .collect();
    let (widths, header) = if wide {
        (
            vec![
                Constraint::Length(30),
                Constraint::Min(12),
                Constraint::Length(usage_width),
                Constraint::Length(9),
            ],
            Row::new(vec!["Address", "Display name", "Used / quota", "State"]),
        )
    } else {
        (
            vec![
                Constraint::Min(20),
                Constraint::Length(usage_width),
                Constraint::Length(9),
            ],
            Row::new(vec!["Account", "Used / quota", "State"]),
        )
    };
    let table = Table::new(rows, widths)
        .header(header.style(t.title()))
        .row_highlight_style(row_style(app))
        .highlight_symbol("▸");
    let mut state = TableState::default().with_selected(Some(app.home().account_row));
    frame.render_stateful_widget(table, area, &mut state);
}
