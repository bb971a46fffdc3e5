//! Task progress as text cells: a gauge bar with its percentage, a sparkline of
//! the message rate, a duration for the ETA. Plain strings so table rows stay cheap.

/// How far a task is, from 0 to 1: one computation for the wizard, the dashboard and
/// the project view. A finished task is whole, whatever its counters say after a
/// cancel and a resume (the counters of the resumed run start from what remained).
pub fn task_ratio(rec: &mailshift_tasks::TaskRecord) -> f64 {
    if rec.state == mailshift_tasks::TaskState::Finished {
        1.0
    } else {
        rec.ratio()
    }
}

/// A bar of `width` columns (percentage included): "█████░░░░  42%".
pub fn gauge_text(ratio: f64, width: usize) -> String {
    let ratio = if ratio.is_finite() {
        ratio.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pct = format!("{:>4}", format!("{}%", (ratio * 100.0).floor() as u64));
    let bar = width.saturating_sub(pct.len() + 1);
    let filled = (ratio * bar as f64).round() as usize;
    format!("{}{} {pct}", "█".repeat(filled), "░".repeat(bar - filled))
}

/// The last `width` samples as ▁▂▃▄▅▆▇█, scaled to the largest shown.
pub fn sparkline_text(samples: &[u64], width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let shown = &samples[samples.len().saturating_sub(width)..];
    let max = shown.iter().copied().max().unwrap_or(0);
    shown
        .iter()
        .map(|&v| {
            if v == 0 || max == 0 {
                ' '
            } else {
                let i = (v.saturating_mul(8).div_ceil(max) as usize).saturating_sub(1);
                BARS[i.min(7)]
            }
        })
        .collect()
}

/// "42 s", "3 min", "1 h 05".
pub fn duration_text(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs.div_ceil(60)),
        _ => format!("{} h {:02}", secs / 3600, (secs % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gauge_fills_in_proportion_within_its_width() {
        assert_eq!(gauge_text(0.5, 15), "█████░░░░░  50%");
        assert_eq!(gauge_text(1.0, 15).chars().count(), 15);
        assert_eq!(gauge_text(0.0, 15), "░░░░░░░░░░   0%");
        assert_eq!(gauge_text(f64::NAN, 10).chars().count(), 10);
    }

    #[test]
    fn the_sparkline_scales_to_the_peak_and_keeps_the_newest() {
        assert_eq!(sparkline_text(&[0, 4, 8], 3), " ▄█");
        assert_eq!(sparkline_text(&[9, 9, 1, 2], 2), "▄█");
        assert_eq!(sparkline_text(&[], 5), "");
        assert_eq!(sparkline_text(&[0, 0], 5), "  ");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(42), "42 s");
        assert_eq!(duration_text(61), "2 min");
        assert_eq!(duration_text(3 * 3600 + 5 * 60), "3 h 05");
    }
}
