//! A propagation countdown for people: "5 h 12 min", "42 min", "under a minute".

use std::time::Duration;

/// `d` rounded up to the minute, in hours and minutes.
pub fn countdown(d: Duration) -> String {
    let minutes = d.as_secs().div_ceil(60);
    match (minutes / 60, minutes % 60) {
        (0, 0) => "under a minute".into(),
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_as_hours_and_minutes_rounded_up() {
        assert_eq!(countdown(Duration::ZERO), "under a minute");
        assert_eq!(countdown(Duration::from_secs(61)), "2 min");
        assert_eq!(countdown(Duration::from_secs(3600)), "1 h");
        assert_eq!(
            countdown(Duration::from_secs(5 * 3600 + 12 * 60)),
            "5 h 12 min"
        );
    }
}
