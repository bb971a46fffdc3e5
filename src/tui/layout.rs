//! Where things go on the screen, computed from the terminal's size alone so that
//! rendering and mouse hit-testing agree.

use ratatui::layout::{Constraint, Layout, Rect};

/// Rows of the log pane when shown.
const LOG_HEIGHT: u16 = 7;
/// Lines per platform in the sidebar.
pub const SIDEBAR_ITEM_HEIGHT: u16 = 2;

/// The parts of the whole screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreenAreas {
    /// Title line.
    pub header: Rect,
    /// The current screen.
    pub body: Rect,
    /// The log pane, when shown.
    pub log: Option<Rect>,
    /// The status message line.
    pub status: Rect,
    /// Key hints.
    pub footer: Rect,
}

/// Split the terminal.
pub fn screen(area: Rect, log_visible: bool) -> ScreenAreas {
    let log_h = if log_visible && area.height >= 16 {
        LOG_HEIGHT
    } else {
        0
    };
    let [header, body, log, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(log_h),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    ScreenAreas {
        header,
        body,
        log: (log_h > 0).then_some(log),
        status,
        footer,
    }
}

/// The parts of the Platforms screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformAreas {
    /// The sidebar's block (border included).
    pub sidebar: Rect,
    /// Inside the sidebar's border: the list rows.
    pub sidebar_list: Rect,
    /// The tab bar.
    pub tabs: Rect,
    /// The tab's content.
    pub content: Rect,
}

/// Sidebar width: 28 columns at 80, up to 36 on wide terminals.
fn sidebar_width(total: u16) -> u16 {
    (total / 4).clamp(28, 36).min(total)
}

/// Split the Platforms screen's body.
pub fn platforms(body: Rect) -> PlatformAreas {
    let [sidebar, main] = Layout::horizontal([
        Constraint::Length(sidebar_width(body.width)),
        Constraint::Min(1),
    ])
    .areas(body);
    let [tabs, content] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(main);
    let sidebar_list = Rect {
        x: sidebar.x + 1,
        y: sidebar.y + 1,
        width: sidebar.width.saturating_sub(2),
        height: sidebar.height.saturating_sub(2),
    };
    PlatformAreas {
        sidebar,
        sidebar_list,
        tabs,
        content,
    }
}

/// Which sidebar item is at (x, y), if any.
pub fn sidebar_row_at(list: Rect, x: u16, y: u16) -> Option<usize> {
    let inside = x >= list.x && x < list.right() && y >= list.y && y < list.bottom();
    inside.then(|| usize::from((y - list.y) / SIDEBAR_ITEM_HEIGHT))
}

/// A box of at most `width` x `height` centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_screen_keeps_its_lines_at_80x24_and_the_log_takes_room() {
        let a = screen(Rect::new(0, 0, 80, 24), false);
        assert_eq!(
            (a.header.height, a.body.height, a.status.y, a.footer.y),
            (1, 21, 22, 23)
        );
        let b = screen(Rect::new(0, 0, 80, 24), true);
        assert_eq!(b.log.unwrap().height, LOG_HEIGHT);
        assert_eq!(b.body.height, 21 - LOG_HEIGHT);
    }

    #[test]
    fn sidebar_rows_map_to_items() {
        let p = platforms(Rect::new(0, 1, 80, 21));
        assert_eq!(p.sidebar.width, 28);
        let l = p.sidebar_list;
        assert_eq!(sidebar_row_at(l, l.x, l.y), Some(0));
        assert_eq!(sidebar_row_at(l, l.x + 3, l.y + 2), Some(1));
        assert_eq!(sidebar_row_at(l, p.tabs.x + 1, l.y), None);
        assert_eq!(platforms(Rect::new(0, 1, 160, 40)).sidebar.width, 36);
    }

    #[test]
    fn centered_boxes_fit() {
        let r = centered(Rect::new(0, 0, 80, 24), 100, 10);
        assert_eq!((r.x, r.width, r.y, r.height), (0, 80, 7, 10));
    }
}
