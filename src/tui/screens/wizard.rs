//! The guided migration wizard on screen: the step bar, what the step will do
//! (before it does it), its fields, what happened (done, or the error and how to
//! retry), the task's live progress, and the ending with what to recreate by hand.

use mailshift_panel::{format_bytes, PanelState};
use mailshift_tasks::{TaskRecord, TaskState};
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::widgets::field::{field_line, FieldLayout, ValueLayout};
use crate::tui::widgets::form::wrap;
use crate::tui::widgets::progress::{duration_text, gauge_text, task_ratio};
use crate::tui::wizard::{Provisional, Wizard, WizardStep};

use super::dashboard::{state_style, step_text};

/// Width of the field label column.
const LABEL: usize = 18;

fn label_of(panel: &PanelState, id: mailshift_panel::PlatformId) -> String {
    panel.platform(id).map(|p| p.label()).unwrap_or_default()
}

/// What the step shown will do, in sentences.
pub fn preview(app: &App, w: &Wizard) -> Vec<String> {
    let panel = app.backend.panel();
    let src = label_of(panel, w.source);
    let dst = label_of(panel, w.destination_id());
    let provisional = w.provisional_address();
    match w.step {
        WizardStep::Choose => {
            let mut out = Vec::new();
            let used = panel
                .platform(w.source)
                .ok()
                .and_then(|p| p.account(w.renamed_to.as_deref().unwrap_or(&w.address)))
                .map_or(0, |a| a.used_bytes);
            out.push(format!(
                "Move {} ({}, {}) from {src} to the platform chosen below: rename it to a provisional name, create {} there, copy its mail, then tidy up.",
                w.address,
                w.display_name,
                format_bytes(used),
                w.address
            ));
            if let Some(p) = w.precheck(panel) {
                let allowed: Vec<&str> = p.allowed.iter().map(|o| o.label()).collect();
                out.push(format!(
                    "Moves: {}.",
                    if allowed.is_empty() { "nothing".into() } else { allowed.join(", ") }
                ));
                let (src_p, dst_p) = (panel.platform(w.source).ok(), panel.platform(w.destination_id()).ok());
                let lacks = |o: mailshift_panel::migration::MigrationOption| {
                    src_p.is_some_and(|p| !p.facts().features.supports(o))
                };
                let no_source: Vec<&str> = p.dropped.iter().filter(|(o, _)| lacks(*o)).map(|(o, _)| o.label()).collect();
                let no_room: Vec<&str> = p.dropped.iter().filter(|(o, _)| !lacks(*o)).map(|(o, _)| o.label()).collect();
                if !no_source.is_empty() {
                    out.push(format!(
                        "Left out, {} has none: {}.",
                        src_p.map_or(String::new(), |p| p.kind.to_string()),
                        no_source.join(", ")
                    ));
                }
                if !no_room.is_empty() {
                    out.push(format!(
                        "Left out, {} cannot hold them: {} (export them by hand).",
                        dst_p.map_or(String::new(), |p| p.kind.to_string()),
                        no_room.join(", ")
                    ));
                }
            }
            if let Some(why) = app.backend.migrations_refused() {
                out.push(format!("Note: {why}."));
            }
            out
        }
        WizardStep::Rename => vec![
            format!(
                "Rename {} to {provisional} on {src}. Its mail, folders and password stay with it; the address {} becomes free for {dst}.",
                w.address, w.address
            ),
            "The suggestion below is free on this platform; change it if you like.".into(),
        ],
        WizardStep::Create => vec![
            format!(
                "Create {} on {dst} in a free slot, with the display name and password below (at least 9 characters, mixed).",
                w.address
            ),
            "The password stays in this program's memory only, for the copy.".into(),
        ],
        WizardStep::Migrate => {
            let mut out = vec![format!(
                "Start a task that copies every folder and message from {provisional} ({src}) to {} ({dst}), byte for byte, then compares both sides. Nothing is deleted from the source.",
                w.created.as_deref().unwrap_or(&w.address)
            )];
            if w.task_id.is_none() {
                out.push("Notify: an address told by e-mail when the task ends (optional; on the sandbox, outside addresses land in the notifications mailbox, e on the tasks screen).".into());
            }
            if w.ask_password {
                out.push(format!(
                    "This migration was resumed: type the password of {} chosen at step 3 (mailshift keeps no password on disk).",
                    w.created.as_deref().unwrap_or(&w.address)
                ));
            }
            out
        }
        WizardStep::Finish => {
            let mut out = vec![format!(
                "{} now lives on {dst}. The provisional account {provisional} on {src} still holds the old copy: keep it (k) or reset it (x: wipes it and frees its slot).",
                w.address
            )];
            out.push(format!(
                "Check the DNS (d): the MX of {} must point to {dst} for new mail to arrive there.",
                w.domain()
            ));
            let created = w.created.clone().unwrap_or_else(|| w.address.clone());
            if let Some(c) = crate::tui::client_settings::client_settings(
                app.backend.as_ref(),
                w.destination_id(),
                &created,
            ) {
                let brief: Vec<String> = c
                    .rows
                    .iter()
                    .filter(|r| matches!(r.service, "IMAP" | "SMTP") && !r.server.is_empty())
                    .map(|r| {
                        format!(
                            "{} {}:{} ({})",
                            r.service,
                            r.server,
                            r.port.unwrap_or_default(),
                            r.security
                        )
                    })
                    .collect();
                out.push(format!(
                    "Mail clients: {}, login {created}; s shows every setting (POP, EWS, autodiscover).",
                    brief.join(" · ")
                ));
            }
            out
        }
    }
}

fn step_bar(w: &Wizard, t: Theme, width: u16) -> Line<'static> {
    let short = width < 100;
    let mut spans = vec![Span::raw(" ")];
    for (i, s) in WizardStep::ALL.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" › ", t.dim()));
        }
        let title = if short && *s == WizardStep::Rename {
            "Provisional"
        } else {
            s.title()
        };
        let mark = if w.is_done(*s) && *s != WizardStep::Finish {
            "✓"
        } else {
            ""
        };
        let text = format!("{}{} {title}", mark, i + 1);
        let style = if *s == w.step {
            t.selected()
        } else if *s > w.reached {
            t.dim()
        } else {
            Default::default()
        };
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}

fn progress_lines(rec: &TaskRecord, t: Theme, width: usize) -> Vec<Line<'static>> {
    let p = &rec.progress;
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("Task {} ", rec.id), t.title()),
            Span::styled(rec.state.as_str().to_string(), state_style(rec.state, t)),
            Span::styled(format!(" · step {}", step_text(rec)), t.dim()),
        ]),
        Line::raw(gauge_text(task_ratio(rec), width.min(60))),
        Line::styled(
            format!(
                "{}/{} messages · {}/{}{}",
                p.messages_done,
                p.messages_total,
                format_bytes(p.bytes_done),
                format_bytes(p.bytes_total),
                match p.eta_secs() {
                    Some(s) if rec.state == TaskState::Running =>
                        format!(" · ETA {}", duration_text(s)),
                    _ => String::new(),
                }
            ),
            t.dim(),
        ),
    ];
    if let Some(r) = &rec.report {
        lines.push(Line::styled(
            format!(
                "{} copied, {} already there, {} folders, verification {}",
                r.copied,
                r.skipped,
                r.folders,
                if r.verified { "passed" } else { "FAILED" }
            ),
            if r.verified { t.ok() } else { t.bad() },
        ));
    }
    lines
}

/// Draw the wizard in `area`.
pub fn render(app: &App, w: &Wizard, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let width = usize::from(area.width.saturating_sub(2));
    let mut lines: Vec<Line> = vec![
        Line::from(vec![
            Span::styled(" Guided migration ", t.title()),
            Span::styled(
                format!(
                    "of {} from {}",
                    w.address,
                    label_of(app.backend.panel(), w.source)
                ),
                t.dim(),
            ),
        ]),
        step_bar(w, t, area.width),
        Line::default(),
        Line::styled(" What will happen", t.key()),
    ];
    for sentence in preview(app, w) {
        for l in wrap(&sentence, width.saturating_sub(2)) {
            lines.push(Line::raw(format!("  {l}")));
        }
    }
    lines.push(Line::default());

    let mut cursor = None;
    for (i, f) in w.fields().iter().enumerate() {
        let drawn = field_line(
            f,
            i == w.focus,
            FieldLayout {
                indent: " ",
                label_width: LABEL,
                gap: "",
                value: ValueLayout::Padded(24),
            },
            t,
        );
        if let Some(c) = drawn.cursor {
            cursor = Some((lines.len(), c));
        }
        lines.push(drawn.line);
    }
    if !w.fields().is_empty() {
        lines.push(Line::default());
    }

    match w.step {
        WizardStep::Rename if w.renamed_to.is_some() => lines.push(Line::styled(
            format!(" ✓ done: {} is now {}", w.address, w.provisional_address()),
            t.ok(),
        )),
        WizardStep::Create if w.created.is_some() => lines.push(Line::styled(
            format!(
                " ✓ done: {} exists on {}",
                w.address,
                label_of(app.backend.panel(), w.destination_id())
            ),
            t.ok(),
        )),
        WizardStep::Migrate | WizardStep::Finish => {
            if let Some(rec) = w.task_id.as_deref().and_then(|id| app.tasks.get(id)) {
                for l in progress_lines(rec, t, width) {
                    let mut l = l;
                    l.spans.insert(0, Span::raw(" "));
                    lines.push(l);
                }
            }
        }
        _ => {}
    }
    if w.step == WizardStep::Finish {
        match w.outcome {
            Some(Provisional::Kept) => lines.push(Line::styled(
                format!(" ✓ {} kept", w.provisional_address()),
                t.ok(),
            )),
            Some(Provisional::Reset) => lines.push(Line::styled(
                format!(" ✓ {} reset: its slot is free", w.provisional_address()),
                t.ok(),
            )),
            None => {}
        }
        if let Some(p) = w.precheck(app.backend.panel()).or_else(|| {
            // The provisional account is gone after a reset: the list is the platform's.
            app.backend.panel().platform(w.source).ok().map(|p| {
                mailshift_panel::migration::Precheck {
                    allowed: Default::default(),
                    dropped: Vec::new(),
                    blocked: None,
                    recreate_by_hand: p.facts().recreate_by_hand.clone(),
                }
            })
        }) {
            if !p.recreate_by_hand.is_empty() {
                lines.push(Line::styled(
                    " Recreate by hand on the destination:",
                    t.key(),
                ));
                for item in p.recreate_by_hand {
                    for (n, l) in wrap(
                        &format!("{}: {}", item.label(), item.advice()),
                        width.saturating_sub(5),
                    )
                    .into_iter()
                    .enumerate()
                    {
                        lines.push(Line::raw(format!(
                            "{}{l}",
                            if n == 0 { "  • " } else { "    " }
                        )));
                    }
                }
            }
        }
    }
    if let Some(e) = &w.error {
        lines.push(Line::default());
        let e = crate::tui::advice::for_panel(e);
        for (n, l) in wrap(&e, width.saturating_sub(3)).into_iter().enumerate() {
            lines.push(Line::styled(
                format!(" {}{l}", if n == 0 { "✗ " } else { "  " }),
                t.bad(),
            ));
        }
        lines.push(Line::styled(
            format!(" {}", crate::tui::keymap::Prompt::WizardRetry.text()),
            t.dim(),
        ));
    }
    let block = Block::default().borders(Borders::NONE);
    let inner = block.inner(area);
    // Keep the end (errors, progress) in view on small screens.
    let rows = usize::from(inner.height);
    let scroll = match cursor {
        Some((row, _)) if row >= rows => row + 1 - rows,
        Some(_) => 0,
        None => lines.len().saturating_sub(rows),
    };
    frame.render_widget(
        Paragraph::new(lines.into_iter().skip(scroll).collect::<Vec<_>>()).block(block),
        area,
    );
    if let Some((row, col)) = cursor {
        let x = inner.x + u16::try_from(col).unwrap_or(0);
        let y = inner.y + u16::try_from(row - scroll).unwrap_or(0);
        if x < inner.right() && y < inner.bottom() {
            frame.set_cursor_position(Position::new(x, y));
        }
    }
}
