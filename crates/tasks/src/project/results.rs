//! The result CSV of a project: one row per task with its line in the project file,
//! both accounts, the task ID, the final state and the counters. Holds no secret.

/// One task's outcome, as the result CSV shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultRow {
    /// The row's line in the project file.
    pub line: usize,
    /// `login@host:port` of the source.
    pub source: String,
    /// `login@host:port` of the destination.
    pub destination: String,
    pub task_id: String,
    pub state: String,
    pub copied: u64,
    pub skipped: u64,
    pub failed: u64,
    pub bytes: u64,
    /// Why the task failed; empty when it did not.
    pub error: String,
}

/// The result CSV's columns, in order.
pub const RESULT_COLUMNS: [&str; 10] = [
    "line",
    "source",
    "destination",
    "task_id",
    "state",
    "copied",
    "skipped",
    "failed",
    "bytes",
    "error",
];

/// Header and one line per row, `,`-separated, `\n`-terminated, quoted where needed
/// (commas, quotes, line breaks, surrounding spaces).
pub fn results_csv(rows: &[ResultRow]) -> String {
    let mut out = String::new();
    push_record(&mut out, RESULT_COLUMNS.iter().map(|c| c.to_string()));
    for r in rows {
        push_record(
            &mut out,
            [
                r.line.to_string(),
                r.source.clone(),
                r.destination.clone(),
                r.task_id.clone(),
                r.state.clone(),
                r.copied.to_string(),
                r.skipped.to_string(),
                r.failed.to_string(),
                r.bytes.to_string(),
                r.error.clone(),
            ],
        );
    }
    out
}

fn push_record(out: &mut String, cells: impl IntoIterator<Item = String>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_cell(out, &cell);
    }
    out.push('\n');
}

fn push_cell(out: &mut String, cell: &str) {
    let needs_quotes = cell.contains([',', ';', '"', '\n', '\r'])
        || cell.starts_with(char::is_whitespace)
        || cell.ends_with(char::is_whitespace);
    if needs_quotes {
        out.push('"');
        out.push_str(&cell.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(cell);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(error: &str) -> ResultRow {
        ResultRow {
            line: 7,
            source: "john@imap.old.example:993".into(),
            destination: "john@ex5.mail.example:993".into(),
            task_id: "MS-ABCDEFGHJK".into(),
            state: "failed".into(),
            copied: 120,
            skipped: 3,
            failed: 1,
            bytes: 4_096,
            error: error.into(),
        }
    }

    #[test]
    fn header_then_one_line_per_row() {
        let out = results_csv(&[row(""), row("")]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[0],
            "line,source,destination,task_id,state,copied,skipped,failed,bytes,error"
        );
        assert_eq!(
            lines[1],
            "7,john@imap.old.example:993,john@ex5.mail.example:993,MS-ABCDEFGHJK,failed,120,3,1,4096,"
        );
        assert!(out.ends_with('\n'));
        assert_eq!(results_csv(&[]).lines().count(), 1);
    }

    #[test]
    fn awkward_cells_are_quoted_and_read_back_intact() {
        let nasty = "login refused, \"NO [AUTHENTICATIONFAILED]\"\nsecond line";
        let out = results_csv(&[row(nasty), row(" padded")]);
        let mut reader = ::csv::Reader::from_reader(out.as_bytes());
        let records: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 2);
        assert_eq!(&records[0][9], nasty);
        assert_eq!(&records[1][9], " padded");
        assert_eq!(&records[0][3], "MS-ABCDEFGHJK");
        assert_eq!(records[0].len(), RESULT_COLUMNS.len());
    }
}
