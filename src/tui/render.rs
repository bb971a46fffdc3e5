//! `render(&App, &mut Frame)`: a pure function of the state. Header, the current
//! screen, the log pane, the status line and the key hints; then overlays (form,
//! dialog, help), topmost last.

use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::app::{App, Dialog, Overlay, Screen};
use super::layout;
use super::screens;
use super::widgets::{dialog, footer, form, help, log};

/// Draw the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    let t = app.theme;
    let area = frame.area();
    let areas = layout::screen(area, app.log_visible);

    let mut head = vec![
        Span::styled(" mailshift ", t.title()),
        Span::styled("· control panel", t.dim()),
    ];
    if let Some(note) = app.backend.sandbox_note() {
        let room = usize::from(areas.header.width).saturating_sub(28);
        let note: String = note.chars().take(room).collect();
        head.push(Span::styled(format!("   {note}"), t.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(head)), areas.header);

    match app.screen() {
        Screen::Platforms(_) => screens::platforms::render(app, frame, areas.body),
        Screen::Dns(view) => screens::dns::render(app, view, frame, areas.body),
        Screen::Wizard(w) => screens::wizard::render(app, w, frame, areas.body),
        Screen::Dashboard => screens::dashboard::render(app, frame, areas.body),
        Screen::Project(view) => screens::project::render(app, view, frame, areas.body),
    }
    if let Some(log_area) = areas.log {
        log::render_log(app, frame, log_area);
    }
    footer::render_status(app, frame, areas.status);
    footer::render_hints(app, frame, areas.footer);

    // The overlays, bottom first: the topmost is drawn last, over the others.
    for overlay in &app.overlays {
        match overlay {
            Overlay::Form(f) => form::render_form(f, t, frame, areas.body),
            Overlay::Dialog(d) => render_dialog(app, d, frame, areas.body),
            Overlay::Help { scroll } => help::render_help(app, *scroll, frame, areas.body),
        }
    }
}

fn render_dialog(app: &App, d: &Dialog, frame: &mut Frame, area: ratatui::layout::Rect) {
    let t = app.theme;
    match d {
        Dialog::Reset { wipe, .. } => dialog::render_reset(wipe, t, frame, area),
        Dialog::Fix { domain, check } => dialog::render_fix(domain, check, t, frame, area),
        Dialog::Cancel { id } => dialog::render_cancel(app.tasks.get(id), id, t, frame, area),
        Dialog::Quit { running } => dialog::render_quit(running, t, frame, area),
        Dialog::Report { id } => dialog::render_report(app.tasks.get(id), id, t, frame, area),
        Dialog::ClientSettings(s) => dialog::render_client_settings(s, t, frame, area),
        Dialog::LeaveWizard { done } => dialog::render_leave_wizard(done, t, frame, area),
    }
}
