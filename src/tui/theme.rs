//! Colours and emphasis. `NO_COLOR` (any non-empty value) selects the monochrome
//! variant, which keeps meaning with bold, reverse and words instead of colour.

use ratatui::style::{Color, Modifier, Style};

/// The styles every screen draws with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// No colour at all.
    pub mono: bool,
}

impl Theme {
    /// The coloured theme.
    pub const COLOR: Theme = Theme { mono: false };
    /// The monochrome theme.
    pub const MONO: Theme = Theme { mono: true };

    /// Monochrome when `NO_COLOR` is set to a non-empty value (no-color.org).
    pub fn from_env() -> Theme {
        Self::for_no_color(std::env::var_os("NO_COLOR").as_deref())
    }

    /// The theme for a given `NO_COLOR` value.
    pub fn for_no_color(value: Option<&std::ffi::OsStr>) -> Theme {
        match value {
            Some(v) if !v.is_empty() => Theme::MONO,
            _ => Theme::COLOR,
        }
    }

    fn fg(self, c: Color) -> Style {
        if self.mono {
            Style::default()
        } else {
            Style::default().fg(c)
        }
    }

    /// Something good (a green DNS record, an OK domain).
    pub fn ok(self) -> Style {
        self.fg(Color::Green)
    }

    /// Something broken (a red record, an error message).
    pub fn bad(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// Something waiting (pending, warnings).
    pub fn warn(self) -> Style {
        self.fg(Color::Yellow)
    }

    /// Secondary text.
    pub fn dim(self) -> Style {
        if self.mono {
            Style::default()
        } else {
            Style::default().fg(Color::DarkGray)
        }
    }

    /// Headings and titles.
    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Key labels in hints and help.
    pub fn key(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// The selected row when its widget has the focus.
    pub fn selected(self) -> Style {
        if self.mono {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD)
        }
    }

    /// The selected row when its widget does not have the focus.
    pub fn selected_unfocused(self) -> Style {
        if self.mono {
            Style::default().add_modifier(Modifier::UNDERLINED)
        } else {
            Style::default().bg(Color::DarkGray)
        }
    }

    /// The border of the widget that has the focus.
    pub fn focus_border(self) -> Style {
        if self.mono {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(Color::Cyan)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn no_color_selects_monochrome_only_when_non_empty() {
        assert_eq!(Theme::for_no_color(Some(OsStr::new("1"))), Theme::MONO);
        assert_eq!(Theme::for_no_color(Some(OsStr::new(""))), Theme::COLOR);
        assert_eq!(Theme::for_no_color(None), Theme::COLOR);
    }

    #[test]
    fn monochrome_uses_no_colour() {
        let t = Theme::MONO;
        for s in [
            t.ok(),
            t.bad(),
            t.warn(),
            t.dim(),
            t.title(),
            t.key(),
            t.selected(),
        ] {
            assert_eq!(s.fg, None);
            assert_eq!(s.bg, None);
        }
        assert_eq!(Theme::COLOR.bad().fg, Some(Color::Red));
    }
}
