//! The summary of a migration run, for people (text) and scripts (JSON).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct FolderReport {
    pub folder: String,
    pub destination: String,
    pub source_messages: u64,
    pub copied: u64,
    pub skipped: u64,
    pub bytes: u64,
    pub failed: u64,
    pub verified: bool,
    /// "unchanged" (skipped from STATUS alone), "copied", "planned" (dry run), "failed".
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Report {
    pub task_id: String,
    pub copied: u64,
    pub skipped: u64,
    pub bytes: u64,
    pub folders: usize,
    pub created_folders: Vec<String>,
    pub failed: u64,
    pub errors: Vec<String>,
    pub verified: bool,
    pub cancelled: bool,
    pub dry_run: bool,
    pub duration_secs: f64,
    pub connections: usize,
    pub folder_reports: Vec<FolderReport>,
    pub left_out: Vec<String>,
}

impl Report {
    /// Everything is on the destination and verification passed.
    pub fn complete(&self) -> bool {
        self.verified && self.errors.is_empty() && self.failed == 0 && !self.cancelled
    }

    pub fn rate_per_sec(&self) -> f64 {
        if self.duration_secs > 0.0 {
            self.copied as f64 / self.duration_secs
        } else {
            0.0
        }
    }

    /// imapsync-style closing summary.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let mb = self.bytes as f64 / (1024.0 * 1024.0);
        s.push_str(&format!("Task                 : {}\n", self.task_id));
        if self.dry_run {
            s.push_str("Mode                 : dry run (nothing was written)\n");
        }
        s.push_str(&format!(
            "Messages {}     : {}\n",
            if self.dry_run { "to copy" } else { "copied " },
            self.copied
        ));
        s.push_str(&format!(
            "Messages skipped     : {} (already on the destination)\n",
            self.skipped
        ));
        s.push_str(&format!(
            "Bytes transferred    : {} ({mb:.1} MiB)\n",
            self.bytes
        ));
        s.push_str(&format!(
            "Folders              : {} ({} created)\n",
            self.folders,
            self.created_folders.len()
        ));
        s.push_str(&format!(
            "Duration             : {:.1} s\n",
            self.duration_secs
        ));
        s.push_str(&format!(
            "Rate                 : {:.1} msg/s, {:.2} MiB/s\n",
            self.rate_per_sec(),
            if self.duration_secs > 0.0 {
                mb / self.duration_secs
            } else {
                0.0
            }
        ));
        s.push_str(&format!("Failed messages      : {}\n", self.failed));
        s.push_str(&format!("Errors               : {}\n", self.errors.len()));
        for e in self.errors.iter().take(20) {
            s.push_str(&format!("  - {e}\n"));
        }
        if self.errors.len() > 20 {
            s.push_str(&format!("  ... and {} more\n", self.errors.len() - 20));
        }
        let unverified: Vec<_> = self
            .folder_reports
            .iter()
            .filter(|f| !f.verified)
            .map(|f| f.folder.as_str())
            .collect();
        s.push_str(&format!(
            "Verification         : {}\n",
            if self.dry_run {
                "not run (dry run)".to_string()
            } else if self.verified {
                "passed (every source message found on the destination)".to_string()
            } else {
                format!("FAILED for {}", unverified.join(", "))
            }
        ));
        if self.cancelled {
            s.push_str("Cancelled            : yes (the step in progress completed; run again to continue)\n");
        }
        s
    }
}
