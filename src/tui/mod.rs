//! The terminal control panel: platforms, domains, accounts, the DNS diagnostic, the
//! migration wizard, the New migration form and the tasks dashboard. One Action enum,
//! one `update`, rendering a pure function of the state; a `Backend` hides what is behind.

pub mod action;
pub mod advice;
pub mod app;
pub mod backend;
pub mod client_settings;
pub mod effect;
pub mod form;
pub mod keymap;
pub mod layout;
pub mod migration_form;
pub mod progress;
pub mod render;
pub mod screens;
pub mod task_board;
mod terminal;
pub mod theme;
pub mod update;
pub mod widgets;
pub mod wizard;

use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream, KeyEventKind, MouseButton, MouseEventKind};
use futures::StreamExt;
use tokio::sync::mpsc;

pub use action::Action;
pub use app::App;
pub use backend::{Backend, DemoBackend};
pub use render::render;
pub use theme::Theme;
pub use update::{dispatch, update};

/// At most this often (about 60 frames a second) is the screen redrawn.
const FRAME: Duration = Duration::from_millis(16);
/// How often countdowns are refreshed.
const TICK: Duration = Duration::from_secs(1);

/// Run the control panel on this terminal until the person quits. Logs must already
/// go to a file: nothing may write to stdout while this runs.
pub async fn run(backend: Box<dyn Backend>) -> std::io::Result<()> {
    let mut app = App::new(backend, Theme::from_env());
    let (guard, mut terminal) = terminal::TerminalGuard::enter()?;
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    let result = event_loop(&mut app, &mut terminal).await;
    drop(guard);
    // Saved and closed before the process exits, not dropped on the way out.
    app.backend.shutdown().await;
    result
}

/// Turn a terminal event into an action.
fn event_action(app: &App, event: Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => app.key_action(key),
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        Event::Mouse(m) if m.kind == MouseEventKind::Down(MouseButton::Left) => {
            Some(Action::Click(m.column, m.row))
        }
        _ => None,
    }
}

async fn event_loop(app: &mut App, terminal: &mut terminal::Tty) -> std::io::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Action>();
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last_draw: Option<Instant> = None;
    loop {
        // The effects on the backend run here, between two actions; the background
        // work they and `update` queued is spawned.
        for effect in app.run_effects() {
            let tx = tx.clone();
            tokio::spawn(async move {
                let _ = tx.send(effect.await);
            });
        }
        for mut stream in app.take_streams() {
            let tx = tx.clone();
            tokio::spawn(async move {
                while let Some(action) = stream.next().await {
                    if tx.send(action).is_err() {
                        break;
                    }
                }
            });
        }
        if app.should_quit {
            return Ok(());
        }
        let due = last_draw.map_or(Instant::now(), |t| t + FRAME);
        if app.dirty && Instant::now() >= due {
            terminal.draw(|f| render(app, f))?;
            app.dirty = false;
            last_draw = Some(Instant::now());
            continue;
        }
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(e)) => {
                    if let Some(a) = event_action(app, e) {
                        dispatch(app, a);
                    }
                }
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            },
            Some(action) = rx.recv() => dispatch(app, action),
            _ = tick.tick() => dispatch(app, Action::Tick),
            _ = tokio::time::sleep_until(due.into()), if app.dirty => {}
        }
        // Drain background results already queued before drawing. (Terminal events
        // are not drained here: polling the EventStream outside `select!` would
        // register the wrong waker; the frame budget batches them instead.)
        while let Ok(action) = rx.try_recv() {
            dispatch(app, action);
        }
    }
}
