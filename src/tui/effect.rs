//! What `update` asks the outside world to do. `update` never calls the backend's
//! writes, the migrator or the file system itself: it queues an `Effect`, the event
//! loop (or a test's `App::settle`) executes it and feeds the result back as an
//! `Action`. Reads of the in-memory panel snapshot stay direct (see `App::backend`).

use futures::future::BoxFuture;

use super::action::Action;
use super::backend::Backend;

/// Work on the backend that yields the action to dispatch.
pub type BackendWork = Box<dyn FnOnce(&mut dyn Backend) -> Action + Send>;

/// Background work the backend builds.
pub type BackendFuture = Box<dyn FnOnce(&dyn Backend) -> BoxFuture<'static, Action> + Send>;

/// Work for the event loop.
pub enum Effect {
    /// Background work run on the runtime (DNS checks, logins, rollbacks); its
    /// action comes back through the action channel.
    Spawn(BoxFuture<'static, Action>),
    /// Work on the backend (its writes, the clock of its provider) or the migrator
    /// and the state dir, run by the event loop on its own thread between two
    /// actions (so that a form waiting for its result still stands); the action it
    /// returns is dispatched at once.
    Run {
        /// What it does, for tests and logs ("add a domain").
        what: &'static str,
        /// The work.
        run: BackendWork,
    },
    /// Background work the backend builds (a DNS diagnostic), then run on the
    /// runtime like `Spawn`.
    SpawnOn {
        /// What it does.
        what: &'static str,
        /// Builds the work.
        make: BackendFuture,
    },
}

impl Effect {
    /// An effect on the backend named `what`.
    pub fn run(
        what: &'static str,
        run: impl FnOnce(&mut dyn Backend) -> Action + Send + 'static,
    ) -> Effect {
        Effect::Run {
            what,
            run: Box::new(run),
        }
    }

    /// What it does ("background work" for spawned futures).
    pub fn what(&self) -> &'static str {
        match self {
            Effect::Spawn(_) => "background work",
            Effect::Run { what, .. } | Effect::SpawnOn { what, .. } => what,
        }
    }
}

impl std::fmt::Debug for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Effect({})", self.what())
    }
}
