//! The modal dialogs: the reset confirmation (naming what will be wiped) and the
//! fix of a red DNS record.

use mailshift_dns::RecordCheck;
use mailshift_panel::{format_bytes, Wipe};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::form::wrap;
use crate::tui::layout::centered;
use crate::tui::theme::Theme;

fn draw(frame: &mut Frame, area: Rect, title: &str, bottom: &str, lines: Vec<Line>, theme: Theme) {
    let width = area.width.saturating_sub(4).min(72);
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(format!(" {title} "))
        .title_bottom(format!(" {bottom} "))
        .border_style(theme.focus_border());
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

fn inner_width(area: Rect) -> usize {
    usize::from(area.width.saturating_sub(4).min(72).saturating_sub(4))
}

/// The reset confirmation.
pub fn render_reset(wipe: &Wipe, theme: Theme, frame: &mut Frame, area: Rect) {
    let w = inner_width(area);
    let name = if wipe.display_name.is_empty() {
        String::new()
    } else {
        format!(" ({})", wipe.display_name)
    };
    let mut lines = vec![
        Line::styled(format!("Reset {}{name}?", wipe.address), theme.title()),
        Line::default(),
        Line::raw("This wipes:"),
    ];
    let items = [
        format!("all its mail: {}", format_bytes(wipe.used_bytes)),
        "its password and display name".to_string(),
        format!("its address: the slot becomes {} (free)", wipe.placeholder),
    ];
    for item in items {
        for (i, l) in wrap(&item, w.saturating_sub(4)).into_iter().enumerate() {
            let bullet = if i == 0 { "  • " } else { "    " };
            lines.push(Line::raw(format!("{bullet}{l}")));
        }
    }
    lines.push(Line::default());
    lines.push(Line::styled("This cannot be undone.", theme.bad()));
    lines.push(Line::from(vec![
        Span::styled("y", theme.key()),
        Span::raw(" wipe it   "),
        Span::styled("n/Esc", theme.key()),
        Span::raw(" keep it"),
    ]));
    draw(
        frame,
        area,
        "Reset account",
        "y confirms · Esc cancels",
        lines,
        theme,
    );
}

/// The fix of a red record.
pub fn render_fix(domain: &str, check: &RecordCheck, theme: Theme, frame: &mut Frame, area: Rect) {
    let w = inner_width(area);
    let Some(fix) = &check.fix else {
        return;
    };
    let mut lines = vec![
        Line::styled(
            format!("{} {} — {}", check.rtype, check.name, check.purpose),
            theme.title(),
        ),
        Line::default(),
    ];
    for l in wrap(&fix.explanation, w) {
        lines.push(Line::raw(l));
    }
    lines.push(Line::default());
    let mut field = |label: &str, value: &str, style| {
        for (i, l) in wrap(value, w.saturating_sub(10)).into_iter().enumerate() {
            let head = if i == 0 { label } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{head:<10}"), theme.dim()),
                Span::styled(l, style),
            ]));
        }
    };
    field("Do", fix.action.as_str(), theme.key());
    field("Record", &fix.record, Default::default());
    for r in &fix.replaces {
        field("Replaces", &r.zone_line(), theme.dim());
    }
    lines.push(Line::default());
    for l in wrap(
        &format!("Applied to the zone of {domain}; resolvers see it after the propagation delay (4 to 24 hours)."),
        w,
    ) {
        lines.push(Line::styled(l, theme.dim()));
    }
    draw(
        frame,
        area,
        "Fix",
        "Enter applies · Esc closes",
        lines,
        theme,
    );
}
