//! The tasks the dashboard shows: every record the migrator reported, newest first,
//! kept up to date from its broadcast and a periodic reload, with the selection and
//! the window of rows that fits the screen (only those are drawn).

use mailshift_tasks::{TaskRecord, TaskState};

/// The records and the selected row.
#[derive(Debug, Clone, Default)]
pub struct TaskBoard {
    /// Newest first.
    pub records: Vec<TaskRecord>,
    /// The selected row.
    pub row: usize,
    /// The first row drawn last time: the list scrolls only as far as the selection
    /// needs (a Cell because drawing, which only reads the app, moves it).
    offset: std::cell::Cell<usize>,
}

impl TaskBoard {
    /// The selected record.
    pub fn selected(&self) -> Option<&TaskRecord> {
        self.records.get(self.row)
    }

    /// The record of task `id`.
    pub fn get(&self, id: &str) -> Option<&TaskRecord> {
        self.records.iter().find(|r| r.id == id)
    }

    /// Select task `id` if it is listed.
    pub fn select(&mut self, id: &str) {
        if let Some(i) = self.records.iter().position(|r| r.id == id) {
            self.row = i;
        }
    }

    /// Move the selection by `delta` rows, clamped.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.records.len().saturating_sub(1);
        self.row = self.row.saturating_add_signed(delta).min(last);
    }

    /// Put `rec` in (replacing the older record of the same task); the selection stays
    /// on the same task. Returns whether anything changed.
    pub fn upsert(&mut self, rec: TaskRecord) -> bool {
        let selected = self.selected().map(|r| r.id.clone());
        let changed = match self.records.iter().position(|r| r.id == rec.id) {
            Some(i) if self.records[i] == rec || self.records[i].updated > rec.updated => false,
            Some(i) => {
                self.records[i] = rec;
                true
            }
            None => {
                let at = self
                    .records
                    .iter()
                    .position(|r| (r.created, &r.id) < (rec.created, &rec.id))
                    .unwrap_or(self.records.len());
                self.records.insert(at, rec);
                true
            }
        };
        if let Some(id) = selected {
            self.select(&id);
        }
        changed
    }

    /// Take a full reload: tasks gone from disk disappear, newer records win.
    /// Returns whether anything changed.
    pub fn replace_all(&mut self, mut fresh: Vec<TaskRecord>) -> bool {
        let selected = self.selected().map(|r| r.id.clone());
        for r in &mut fresh {
            if let Some(mine) = self.records.iter().find(|m| m.id == r.id) {
                if mine.updated > r.updated {
                    *r = mine.clone();
                }
            }
        }
        fresh.sort_by(|a, b| (b.created, &b.id).cmp(&(a.created, &a.id)));
        if fresh == self.records {
            return false;
        }
        self.records = fresh;
        self.row = self.row.min(self.records.len().saturating_sub(1));
        if let Some(id) = selected {
            self.select(&id);
        }
        true
    }

    /// How many tasks are running (here or elsewhere).
    pub fn running(&self) -> usize {
        self.records
            .iter()
            .filter(|r| r.state == TaskState::Running)
            .count()
    }

    /// The rows to draw when `height` rows fit: the selection is always inside, the
    /// window moves only as far as the selection needs, and it stays full (no blank
    /// rows under the last task while earlier tasks are scrolled away). Nothing
    /// outside is built.
    pub fn window(&self, height: usize) -> std::ops::Range<usize> {
        let height = height.max(1);
        let len = self.records.len();
        let row = self.row.min(len.saturating_sub(1));
        let mut start = self.offset.get();
        if row < start {
            start = row;
        } else if row >= start + height {
            start = row + 1 - height;
        }
        start = start.min(len.saturating_sub(height));
        self.offset.set(start);
        start..(start + height).min(len)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::{DateTime, Duration, TimeZone, Utc};
    use mailshift_panel::migration::OptionSet;
    use mailshift_tasks::Security;
    use mailshift_tasks::{EndpointSpec, ServerType, TaskSpec, Tuning};

    pub(crate) fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + Duration::minutes(minute)
    }

    pub(crate) fn record(id: &str, minute: i64) -> TaskRecord {
        let side = |login: &str, t| EndpointSpec {
            server_type: t,
            host: "127.0.0.1".into(),
            port: 1143,
            security: Security::None,
            auth: Default::default(),
            login: login.into(),
            insecure: false,
            ca_file: None,
            groupware: Default::default(),
        };
        let spec = TaskSpec {
            source: side("john.smith01@example.com", ServerType::MxPlan),
            destination: side("john.smith@example.com", ServerType::Exchange),
            options: OptionSet::emails(),
            notify: None,
            tuning: Tuning::default(),
            project: None,
        };
        TaskRecord::new(id.into(), spec, at(minute))
    }

    #[test]
    fn upsert_keeps_newest_first_and_the_selection_on_its_task() {
        let mut b = TaskBoard::default();
        assert!(b.upsert(record("MS-AAAAAAAAAA", 1)));
        assert!(b.upsert(record("MS-CCCCCCCCCC", 3)));
        b.select("MS-AAAAAAAAAA");
        assert!(b.upsert(record("MS-BBBBBBBBBB", 2)));
        let ids: Vec<&str> = b.records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["MS-CCCCCCCCCC", "MS-BBBBBBBBBB", "MS-AAAAAAAAAA"]);
        assert_eq!(b.selected().unwrap().id, "MS-AAAAAAAAAA");
        let same = record("MS-BBBBBBBBBB", 2);
        assert!(!b.upsert(same), "an identical record changes nothing");
    }

    #[test]
    fn an_older_record_does_not_overwrite_a_newer_one() {
        let mut b = TaskBoard::default();
        let mut newer = record("MS-AAAAAAAAAA", 1);
        newer.updated = at(10);
        newer.state = TaskState::Finished;
        b.upsert(newer);
        let stale = record("MS-AAAAAAAAAA", 1);
        assert!(!b.upsert(stale.clone()));
        assert!(!b.replace_all(vec![stale]));
        assert_eq!(b.records[0].state, TaskState::Finished);
    }

    #[test]
    fn replace_all_drops_vanished_tasks_and_clamps_the_row() {
        let mut b = TaskBoard::default();
        for i in 0..5 {
            b.upsert(record(&format!("MS-AAAAAAAAA{i}"), i));
        }
        b.row = 4;
        assert!(b.replace_all(vec![record("MS-AAAAAAAAA4", 4), record("MS-AAAAAAAAA3", 3)]));
        assert_eq!(b.records.len(), 2);
        assert_eq!(b.row, 1);
    }

    #[test]
    fn the_window_holds_the_selection_and_at_most_a_page() {
        let mut b = TaskBoard::default();
        for i in 0..500 {
            b.records.push(record(&format!("MS-{i:0>10}"), -i));
        }
        assert_eq!(b.window(10), 0..10);
        b.row = 437;
        let w = b.window(10);
        assert!(w.contains(&437) && w.len() == 10, "{w:?}");
        b.row = 499;
        assert_eq!(b.window(30), 470..500);
        b.move_by(5);
        assert_eq!(b.row, 499, "clamped");
        b.move_by(-1000);
        assert_eq!(b.row, 0);
        assert_eq!(b.window(30), 0..30);
    }

    /// Issue #15: selecting the 13th of 20 tasks with 12 rows on screen showed it
    /// alone on a page with 11 blank rows under it.
    #[test]
    fn scrolling_down_keeps_the_window_full_and_moves_it_only_as_needed() {
        let mut b = TaskBoard::default();
        for i in 0..20 {
            b.records.push(record(&format!("MS-{i:0>10}"), -i));
        }
        let h = 12;
        for row in 0..20 {
            b.row = row;
            let w = b.window(h);
            assert!(w.contains(&row), "row {row}: {w:?}");
            assert_eq!(w.len(), h, "row {row}: the window is full: {w:?}");
        }
        assert_eq!(b.window(h), 8..20, "the last task at the bottom");
        // Going back up: the window stays put until the selection reaches its top.
        b.row = 10;
        assert_eq!(b.window(h), 8..20);
        b.row = 7;
        assert_eq!(b.window(h), 7..19);
        // Fewer tasks than rows: all of them, from the first.
        b.records.truncate(5);
        b.row = 4;
        assert_eq!(b.window(h), 0..5);
    }
}
