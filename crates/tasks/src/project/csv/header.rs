//! The header line of a project file: which columns exist, in which order.

use std::collections::HashMap;

/// Columns every project file must have (any order, any case).
pub const REQUIRED_COLUMNS: [&str; 14] = [
    "src_type",
    "src_host",
    "src_port",
    "src_security",
    "src_login",
    "src_password",
    "dst_type",
    "dst_host",
    "dst_port",
    "dst_security",
    "dst_login",
    "dst_password",
    "options",
    "notify",
];

/// Columns a project file may have.
pub const OPTIONAL_COLUMNS: [&str; 2] = ["src_auth", "dst_auth"];

/// Column name -> index, checked against the known columns.
pub(super) struct Header {
    pub(super) index: HashMap<&'static str, usize>,
    /// How many cells the header line has, named or not.
    pub(super) width: usize,
}

impl Header {
    pub(super) fn parse(record: &::csv::StringRecord) -> Result<Header, Vec<String>> {
        let mut index = HashMap::new();
        let mut reasons = Vec::new();
        let known = || {
            let mut all: Vec<&str> = REQUIRED_COLUMNS.to_vec();
            all.extend(OPTIONAL_COLUMNS);
            all.join(", ")
        };
        for (i, raw) in record.iter().enumerate() {
            let name = raw.trim().to_ascii_lowercase();
            if name.is_empty() {
                continue; // a spreadsheet's trailing empty column; its cells must stay empty
            }
            let found = REQUIRED_COLUMNS
                .iter()
                .chain(OPTIONAL_COLUMNS.iter())
                .find(|c| **c == name);
            match found {
                Some(column) => {
                    if index.insert(*column, i).is_some() {
                        reasons.push(format!(
                            "column '{column}' appears twice in the header: keep one"
                        ));
                    }
                }
                None => reasons.push(format!(
                    "unknown column '{}': the known columns are {}",
                    raw.trim(),
                    known()
                )),
            }
        }
        let missing: Vec<&str> = REQUIRED_COLUMNS
            .iter()
            .copied()
            .filter(|c| !index.contains_key(c))
            .collect();
        if !missing.is_empty() {
            let s = if missing.len() == 1 { "" } else { "s" };
            reasons.push(format!(
                "missing column{s} {}: the header needs {} (optional: {})",
                missing.join(", "),
                REQUIRED_COLUMNS.join(", "),
                OPTIONAL_COLUMNS.join(", ")
            ));
        }
        if reasons.is_empty() {
            Ok(Header {
                index,
                width: record.len(),
            })
        } else {
            Err(reasons)
        }
    }
}
