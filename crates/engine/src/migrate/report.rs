//! The summary of a migration run, for people (text) and scripts (JSON).

use serde::{Deserialize, Serialize};

use super::verify::{FolderCheck, VerifyMode};

/// Where a folder stands at the end of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FolderState {
    /// Planned only (dry run, or the run stopped before copying it).
    #[default]
    Planned,
    /// Skipped from EXAMINE alone: nothing changed since it was verified.
    Unchanged,
    /// Copied and verified.
    Copied,
    Failed,
}

impl FolderState {
    pub fn as_str(self) -> &'static str {
        match self {
            FolderState::Planned => "planned",
            FolderState::Unchanged => "unchanged",
            FolderState::Copied => "copied",
            FolderState::Failed => "failed",
        }
    }
}

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
    pub state: FolderState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What verification compared and found (absent when it did not run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<FolderCheck>,
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
    /// What the user can change to copy what was left out or refused (each once).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remedies: Vec<mailshift_net::Remedy>,
    #[serde(default)]
    pub verify_mode: VerifyMode,
    /// Time spent verifying (included in `duration_secs`).
    #[serde(default)]
    pub verify_secs: f64,
}

impl Report {
    /// Everything is on the destination and verification passed.
    pub fn complete(&self) -> bool {
        self.verified && self.errors.is_empty() && self.failed == 0 && !self.cancelled
    }

    /// What verification compared, summed over the folders.
    pub fn compared(&self) -> FolderCheck {
        let mut t = FolderCheck::default();
        for c in self.folder_reports.iter().filter_map(|f| f.check.as_ref()) {
            t.messages += c.messages;
            t.bytes_compared += c.bytes_compared;
            t.missing += c.missing;
            t.extra += c.extra;
            t.altered += c.altered;
        }
        t
    }

    /// One line on what verification compared, for people.
    pub fn verification_text(&self) -> String {
        if self.dry_run {
            return "not run (dry run)".into();
        }
        let c = self.compared();
        let what = format!(
            "{} message(s) by UID and size, {} byte for byte ({})",
            c.messages,
            c.bytes_compared,
            match self.verify_mode {
                VerifyMode::Sampled => "sample, fragile and mismatched messages",
                VerifyMode::Full => "every message",
            }
        );
        if self.verified {
            format!("passed: nothing missing, extra or altered; compared {what}")
        } else {
            let failed: Vec<&str> = self
                .folder_reports
                .iter()
                .filter(|f| !f.verified)
                .map(|f| f.folder.as_str())
                .collect();
            format!(
                "FAILED for {} ({} missing, {} extra, {} altered); compared {what}",
                failed.join(", "),
                c.missing,
                c.extra,
                c.altered
            )
        }
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
            "Folders              : {} ({} {})\n",
            self.folders,
            self.created_folders.len(),
            if self.dry_run { "to create" } else { "created" }
        ));
        for f in self
            .created_folders
            .iter()
            .take(if self.dry_run { 50 } else { 0 })
        {
            s.push_str(&format!("  + {f}\n"));
        }
        if !self.left_out.is_empty() {
            s.push_str(&format!("Left out             : {}\n", self.left_out.len()));
            for l in self.left_out.iter().take(20) {
                s.push_str(&format!("  - {l}\n"));
            }
        }
        s.push_str(&format!(
            "Duration             : {:.1} s (verification {:.1} s)\n",
            self.duration_secs, self.verify_secs
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
        s.push_str(&format!(
            "Verification         : {}\n",
            self.verification_text()
        ));
        if self.cancelled {
            s.push_str("Cancelled            : yes (the step in progress completed; run again to continue)\n");
        }
        s
    }
}
