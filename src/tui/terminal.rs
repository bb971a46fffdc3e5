//! Owning the terminal: raw mode, the alternate screen and mouse capture on the way
//! in; all undone on the way out and, first thing, when the program panics.

use std::io::{self, Stdout};
use std::sync::Arc;

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

/// The terminal the TUI draws on.
pub type Tty = Terminal<CrosstermBackend<Stdout>>;

type Hook = Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send + 'static>;

/// Puts the terminal back as it was when dropped, and restores it before any panic
/// message is printed while alive.
pub struct TerminalGuard {
    previous_hook: Option<Arc<Hook>>,
}

impl TerminalGuard {
    /// Enter raw mode and the alternate screen; install the restoring panic hook.
    pub fn enter() -> io::Result<(TerminalGuard, Tty)> {
        let previous: Arc<Hook> = Arc::new(std::panic::take_hook());
        let chained = previous.clone();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            chained(info);
        }));
        let guard = TerminalGuard {
            previous_hook: Some(previous),
        };
        enable_raw_mode()?;
        execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture)?;
        let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
        terminal.clear()?;
        Ok((guard, terminal))
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
        if let Some(previous) = self.previous_hook.take() {
            let _ = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| previous(info)));
        }
    }
}

/// Leave raw mode, the alternate screen and mouse capture; show the cursor.
/// Best effort: errors are ignored (there is nowhere left to report them).
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}
