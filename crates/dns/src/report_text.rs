//! The headless rendering of a domain report: a compact table, the red flag, then the fixes
//! as zone-file lines that can be pasted into any DNS editor.

use crate::diagnose::{DomainReport, RecordCheck, Verdict};
use crate::platform::PlatformKind;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";
const OBSERVED_WIDTH: usize = 48;

fn paint(text: &str, color: Option<&str>, enabled: bool) -> String {
    match (color, enabled) {
        (Some(c), true) => format!("{c}{text}{RESET}"),
        _ => text.to_string(),
    }
}

fn pad(text: &str, width: usize) -> String {
    let len = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(len)))
}

fn shorten(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let cut: String = text.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

fn verdict_label(c: &RecordCheck) -> &'static str {
    if c.is_warning() {
        "warning"
    } else {
        c.verdict.as_str()
    }
}

fn verdict_color(c: &RecordCheck) -> Option<&'static str> {
    if c.is_warning() {
        Some(YELLOW)
    } else if c.verdict == Verdict::Ok {
        Some(GREEN)
    } else {
        Some(RED)
    }
}

fn platform_label(kind: PlatformKind) -> &'static str {
    crate::platform::label(kind)
}

/// The report as plain text (ANSI colours when `color`), copy-paste friendly.
pub fn render_text(report: &DomainReport, color: bool) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "DNS check for {} on {} ({}; asked: {})\n",
        report.domain,
        platform_label(report.platform),
        report.platform,
        report.source
    ));
    if let Some(flag) = &report.red_flag {
        out.push_str(&paint(
            &format!("RED FLAG: {flag}"),
            Some(&format!("{BOLD}{RED}")),
            color,
        ));
        out.push('\n');
    }
    out.push('\n');
    let rows: Vec<[String; 5]> = report
        .checks
        .iter()
        .map(|c| {
            [
                verdict_label(c).to_string(),
                c.rtype.to_string(),
                c.name.clone(),
                c.expected.clone().unwrap_or_else(|| "(none)".into()),
                shorten(&c.observed.describe(), OBSERVED_WIDTH),
            ]
        })
        .collect();
    let header = ["VERDICT", "TYPE", "NAME", "EXPECTED", "OBSERVED"];
    let mut widths = header.map(|h| h.len());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [String; 5], first_color: Option<&str>| -> String {
        let mut parts = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            let padded = if i == 4 {
                cell.clone()
            } else {
                pad(cell, widths[i])
            };
            parts.push(if i == 0 {
                paint(&padded, first_color, color)
            } else {
                padded
            });
        }
        format!("{}\n", parts.join("  ").trim_end())
    };
    out.push_str(&line(header.map(str::to_string), None));
    for (c, row) in report.checks.iter().zip(rows) {
        out.push_str(&line(row, verdict_color(c)));
    }
    for c in report.checks.iter().filter(|c| c.note.is_some()) {
        if let Some(note) = &c.note {
            out.push_str(&format!("note: {} {}: {note}\n", c.rtype, c.name));
        }
    }
    let fixes: Vec<_> = report
        .checks
        .iter()
        .filter_map(|c| c.fix.as_ref().map(|f| (c, f)))
        .collect();
    if !fixes.is_empty() {
        out.push_str("\nFixes (DNS changes take 4 to 24 hours to propagate):\n");
        for (i, (check, fix)) in fixes.iter().enumerate() {
            let action = pad(&fix.action.as_str().to_uppercase(), 7);
            out.push_str(&format!(
                "{:>3}. {} {}\n",
                i + 1,
                paint(&action, verdict_color(check), color),
                fix.record
            ));
            for old in &fix.replaces {
                out.push_str(&format!("     replaces {}\n", old.zone_line()));
            }
            out.push_str(&format!("     {}\n", fix.explanation));
        }
    }
    let s = &report.summary;
    let status = if report.ok {
        paint("OK", Some(GREEN), color)
    } else {
        paint("NOT OK", Some(RED), color)
    };
    out.push_str(&format!(
        "\n{status}: {} ok, {} missing, {} wrong, {} extra, {} unreachable, {} warning{}\n",
        s.ok,
        s.missing,
        s.wrong,
        s.extra,
        s.unreachable,
        s.warnings,
        if s.warnings == 1 { "" } else { "s" }
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::diagnose;
    use crate::expected::expected_records;
    use crate::lookup::Observed;
    use crate::record::RecordKind;
    use std::collections::HashMap;

    fn report() -> DomainReport {
        let expected = expected_records(PlatformKind::MxPlan, "example.com", "x");
        let mut observed = HashMap::new();
        observed.insert(
            ("example.com".to_string(), RecordKind::Mx),
            Observed::Records(vec!["10 mx.oldmail.example".into()]),
        );
        observed.insert(
            ("example.com".to_string(), RecordKind::Txt),
            Observed::NoRecords,
        );
        diagnose(
            PlatformKind::MxPlan,
            "example.com",
            "test",
            &expected,
            &observed,
        )
    }

    #[test]
    fn plain_text_has_table_red_flag_and_pasteable_fixes() {
        let text = render_text(&report(), false);
        assert!(!text.contains('\x1b'));
        assert!(text.contains("RED FLAG: mail still goes to mx.oldmail.example"));
        assert!(
            text.contains("ADD     example.com. 3600 IN MX 1 mx1.mail.ovh.net.\n"),
            "{text}"
        );
        assert!(text.contains("REMOVE  example.com. 3600 IN MX 10 mx.oldmail.example.\n"));
        assert!(text.contains("IN TXT \"v=spf1 include:mx.ovh.com ~all\""));
        assert!(text.contains("NOT OK: 0 ok, 4 missing, 1 wrong"), "{text}");
    }

    #[test]
    fn color_only_when_asked() {
        assert!(render_text(&report(), true).contains("\x1b[31m"));
    }
}
