//! Drives a TUI `App` headless the way its event loop does: background work and the
//! task broadcast run on a tokio runtime, their actions come back and are dispatched,
//! until a condition holds or a timeout passes.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use futures::StreamExt;
use mailshift::tui::{dispatch, Action, App};
use tokio::sync::mpsc;

pub struct Driver {
    pub rt: tokio::runtime::Runtime,
    tx: mpsc::UnboundedSender<Action>,
    rx: mpsc::UnboundedReceiver<Action>,
}

impl Driver {
    pub fn new() -> Driver {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .expect("runtime");
        let (tx, rx) = mpsc::unbounded_channel();
        Driver { rt, tx, rx }
    }

    /// Start the work `app` queued (what the event loop spawns).
    fn pump(&mut self, app: &mut App) {
        for effect in app.run_effects() {
            let tx = self.tx.clone();
            self.rt.spawn(async move {
                let _ = tx.send(effect.await);
            });
        }
        for mut stream in app.take_streams() {
            let tx = self.tx.clone();
            self.rt.spawn(async move {
                while let Some(a) = stream.next().await {
                    if tx.send(a).is_err() {
                        break;
                    }
                }
            });
        }
    }

    /// Dispatch `actions` (inside the runtime, as the event loop does).
    pub fn act(&mut self, app: &mut App, actions: &[Action]) {
        let _guard = self.rt.enter();
        for a in actions {
            dispatch(app, a.clone());
            self.pump(app);
        }
    }

    /// Type `text` into the focused field.
    pub fn type_text(&mut self, app: &mut App, text: &str) {
        let edits: Vec<Action> = text
            .chars()
            .map(|c| Action::Edit(tui_input::InputRequest::InsertChar(c)))
            .collect();
        self.act(app, &edits);
    }

    /// Apply background results (and a tick a second) until `done(app)` or `timeout`.
    pub fn run_until(
        &mut self,
        app: &mut App,
        timeout: Duration,
        done: impl Fn(&App) -> bool,
    ) -> bool {
        let _guard = self.rt.enter();
        let start = Instant::now();
        let mut last_tick = Instant::now();
        loop {
            self.pump(app);
            if done(app) {
                return true;
            }
            if start.elapsed() > timeout {
                return false;
            }
            let next = self.rt.block_on(async {
                tokio::time::timeout(Duration::from_millis(100), self.rx.recv()).await
            });
            if let Ok(Some(a)) = next {
                dispatch(app, a);
            }
            if last_tick.elapsed() >= Duration::from_secs(1) {
                dispatch(app, Action::Tick);
                last_tick = Instant::now();
            }
        }
    }
}
