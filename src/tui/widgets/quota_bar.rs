//! The used / quota cell of the accounts table: a bar and "3.4 GB / 5 GB".

use mailshift_panel::format_bytes;
use ratatui::text::{Line, Span};

use crate::tui::theme::Theme;

/// "3.4 GB / 5 GB": each figure with its unit (a bare "3.4/5 GB" reads as a ratio).
pub fn usage_text(used: u64, quota: u64) -> String {
    format!("{} / {}", format_bytes(used), format_bytes(quota))
}

/// Columns kept for the text so that bars line up ("250 MB / 50 GB").
const TEXT_WIDTH: usize = 14;

/// A bar then the text, `width` columns in all; the bar has the same length on
/// every row (the text takes up to 11 columns), coloured by how full.
pub fn usage_line(used: u64, quota: u64, width: u16, theme: Theme) -> Line<'static> {
    let text = usage_text(used, quota);
    let bar_width = usize::from(width).saturating_sub(TEXT_WIDTH.max(text.chars().count()) + 1);
    if bar_width < 3 {
        return Line::from(text);
    }
    let ratio = if quota == 0 {
        1.0
    } else {
        (used as f64 / quota as f64).clamp(0.0, 1.0)
    };
    let mut filled = (ratio * bar_width as f64).round() as usize;
    if used > 0 && filled == 0 {
        filled = 1;
    }
    let style = match ratio {
        r if r >= 0.9 => theme.bad(),
        r if r >= 0.7 => theme.warn(),
        _ => theme.ok(),
    };
    Line::from(vec![
        Span::styled("█".repeat(filled), style),
        Span::styled("░".repeat(bar_width - filled), theme.dim()),
        Span::raw(format!(" {text}")),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailshift_panel::GB;

    #[test]
    fn text_shares_the_unit_when_it_can() {
        assert_eq!(usage_text(3_400_000_000, 5 * GB), "3.4 GB / 5 GB");
        assert_eq!(usage_text(6_200_000_000, 50 * GB), "6.2 GB / 50 GB");
        assert_eq!(usage_text(250_000_000, 5 * GB), "250 MB / 5 GB");
    }

    #[test]
    fn bar_fills_in_proportion_and_fits_its_width() {
        let line = usage_line(GB, 2 * GB, 23, Theme::MONO);
        let s: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(
            s, "████░░░░ 1 GB / 2 GB",
            "a bar of 23 - 14 - 1 = 8 columns"
        );
        let other = usage_line(250_000_000, 5 * GB, 23, Theme::MONO);
        let o: String = other.spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(o.find(' '), s.find(' '), "bars line up: {o} / {s}");
        let tiny = usage_line(1, 5 * GB, 19, Theme::MONO);
        let t: String = tiny.spans.iter().map(|s| s.content.as_ref()).collect();
        assert!(t.starts_with('█'), "any use shows: {t}");
    }
}
