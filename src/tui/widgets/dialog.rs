//! The modal dialogs: the reset confirmation (naming what will be wiped), the fix
//! of a red DNS record, the task cancel confirmation, the quit question, the report.

use mailshift_dns::RecordCheck;
use mailshift_panel::{format_bytes, Wipe};
use mailshift_tasks::TaskRecord;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::form::wrap;
use crate::tui::keymap::Prompt;
use crate::tui::layout::centered;
use crate::tui::screens::dashboard::running_step;
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
        &Prompt::Reset.text(),
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
    draw(frame, area, "Fix", &Prompt::Fix.text(), lines, theme);
}

/// The cancel confirmation of a task.
pub fn render_cancel(
    rec: Option<&TaskRecord>,
    id: &str,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let w = inner_width(area);
    let step = rec.and_then(running_step).unwrap_or("in progress");
    let mut lines = vec![
        Line::styled(format!("Cancel task {id}?"), theme.title()),
        Line::default(),
    ];
    if let Some(r) = rec {
        lines.push(Line::raw(format!(
            "{} → {}",
            r.spec.source.login, r.spec.destination.login
        )));
    }
    for l in wrap(
        &format!("The step in progress ({step}) completes; the steps after it are skipped. What was copied stays on the destination; resume later with r, or roll back with b."),
        w,
    ) {
        lines.push(Line::raw(l));
    }
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::styled("y", theme.key()),
        Span::raw(" cancel it   "),
        Span::styled("n/Esc", theme.key()),
        Span::raw(" let it run"),
    ]));
    draw(
        frame,
        area,
        "Cancel task",
        &Prompt::Cancel.text(),
        lines,
        theme,
    );
}

/// The question asked when quitting with tasks running.
pub fn render_quit(running: &[String], theme: Theme, frame: &mut Frame, area: Rect) {
    let w = inner_width(area);
    let mut lines = vec![
        Line::styled(
            format!(
                "{} task{} running here:",
                running.len(),
                if running.len() == 1 { " is" } else { "s are" }
            ),
            theme.title(),
        ),
        Line::raw(format!(
            "  {}",
            running
                .iter()
                .take(6)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Line::default(),
    ];
    let choices = [
        (
            "h",
            "quit; they continue in the background and show up here on the next start",
        ),
        (
            "c",
            "cancel them (their step in progress completes), then quit",
        ),
        ("Esc", "stay"),
    ];
    for (key, what) in choices {
        for (i, l) in wrap(what, w.saturating_sub(6)).into_iter().enumerate() {
            let head = if i == 0 { key } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{head:<5} "), theme.key()),
                Span::raw(l),
            ]));
        }
    }
    draw(frame, area, "Quit", &Prompt::Quit.text(), lines, theme);
}

/// A task's verification report.
pub fn render_report(
    rec: Option<&TaskRecord>,
    id: &str,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let room = usize::from(area.height.saturating_sub(2));
    let lines: Vec<Line> = match rec.and_then(|r| r.report.as_ref()) {
        Some(report) => report
            .to_text()
            .lines()
            .flat_map(|l| {
                let width = inner_width(area);
                if l.chars().count() <= width {
                    vec![l.to_string()]
                } else {
                    wrap(l, width)
                }
            })
            .take(room)
            .map(Line::raw)
            .collect(),
        None => {
            let state = rec.map_or("unknown", |r| r.state.as_str());
            wrap(
                &format!("Task {id} is {state}: its report comes once the copy and the verification have run."),
                inner_width(area),
            )
            .into_iter()
            .map(Line::raw)
            .collect()
        }
    };
    draw(
        frame,
        area,
        &format!("Report {id}"),
        &Prompt::Report.text(),
        lines,
        theme,
    );
}

/// The question asked when leaving a wizard that changed something.
pub fn render_leave_wizard(done: &[String], theme: Theme, frame: &mut Frame, area: Rect) {
    let w = inner_width(area);
    let mut lines = vec![
        Line::styled("Leave the migration half-way?", theme.title()),
        Line::default(),
        Line::raw("Done so far:"),
    ];
    for item in done {
        for (i, l) in wrap(item, w.saturating_sub(4)).into_iter().enumerate() {
            let bullet = if i == 0 { "  • " } else { "    " };
            lines.push(Line::raw(format!("{bullet}{l}")));
        }
    }
    lines.push(Line::default());
    let choices = [
        (
            "l",
            "continue later: the progress is kept; m on the account resumes at this step",
        ),
        (
            "u",
            "undo: remove what was created, give the account its name back",
        ),
        ("Esc", "stay in the wizard"),
    ];
    for (key, what) in choices {
        for (i, l) in wrap(what, w.saturating_sub(6)).into_iter().enumerate() {
            let head = if i == 0 { key } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{head:<5} "), theme.key()),
                Span::raw(l),
            ]));
        }
    }
    draw(
        frame,
        area,
        "Leave the wizard",
        &Prompt::LeaveWizard.text(),
        lines,
        theme,
    );
}

/// The mail client settings of one account.
pub fn render_client_settings(
    s: &crate::tui::client_settings::ClientSettings,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let w = inner_width(area);
    let mut lines = vec![
        Line::styled(format!("{} on {}", s.address, s.platform), theme.title()),
        Line::styled(
            if s.local {
                "The servers this sandbox runs now (point a real mail client at them):"
            } else {
                "The provider's published settings (Outlook, Thunderbird, phones):"
            },
            theme.dim(),
        ),
        Line::default(),
    ];
    for r in &s.rows {
        let text = if r.server.is_empty() {
            format!("— {}", r.note.clone().unwrap_or_default())
        } else {
            let port = r.port.map(|p| format!(" port {p}")).unwrap_or_default();
            format!("{}{port} · {}", r.server, r.security)
        };
        for (i, l) in wrap(&text, w.saturating_sub(16)).into_iter().enumerate() {
            let head = if i == 0 { r.service } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{head:<15}"), theme.key()),
                Span::raw(format!(" {l}")),
            ]));
        }
        if !r.server.is_empty() {
            if let Some(note) = &r.note {
                for l in wrap(note, w.saturating_sub(16)) {
                    lines.push(Line::styled(format!("{:16}{l}", ""), theme.dim()));
                }
            }
        }
    }
    lines.push(Line::default());
    for l in wrap(
        &format!("Login: {} · password: {}", s.address, s.password),
        w,
    ) {
        lines.push(Line::raw(l));
    }
    if let Some(p) = s.smtp_password_text() {
        let hint = if s.revealed {
            "v masks it"
        } else {
            "v shows it"
        };
        for l in wrap(&format!("SMTP relay password: {p} ({hint})"), w) {
            lines.push(Line::raw(l));
        }
    }
    if let Some(notices) = &s.notices {
        lines.push(Line::default());
        lines.push(Line::styled(
            format!("In this mailbox ({}):", notices.len()),
            theme.title(),
        ));
        if notices.is_empty() {
            lines.push(Line::styled("no notification received yet", theme.dim()));
        }
        for n in notices {
            for l in wrap(&format!("{}  {}", n.date, n.subject), w) {
                lines.push(Line::raw(l));
            }
        }
    }
    draw(
        frame,
        area,
        "Mail client settings",
        &Prompt::Settings.text(),
        lines,
        theme,
    );
}
