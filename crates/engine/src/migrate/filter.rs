//! `--include` / `--exclude` globs on decoded folder names.

use globset::{Glob, GlobSet, GlobSetBuilder};

#[derive(Debug, thiserror::Error)]
#[error("invalid folder pattern {pattern:?}: {reason}")]
pub struct FilterError {
    pub pattern: String,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct FolderFilter {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

fn build(patterns: &[String]) -> Result<Option<GlobSet>, FilterError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let g = Glob::new(p).map_err(|e| FilterError {
            pattern: p.clone(),
            reason: e.kind().to_string(),
        })?;
        b.add(g);
    }
    b.build().map(Some).map_err(|e| FilterError {
        pattern: patterns.join(" "),
        reason: e.to_string(),
    })
}

impl FolderFilter {
    pub fn new(include: &[String], exclude: &[String]) -> Result<Self, FilterError> {
        Ok(FolderFilter {
            include: build(include)?,
            exclude: build(exclude)?,
        })
    }

    /// Patterns use `/` between levels whatever the server's separator is.
    pub fn keeps(&self, name: &str, delimiter: Option<char>) -> bool {
        let logical = match delimiter {
            Some(d) if d != '/' => name.replace(d, "/"),
            _ => name.to_string(),
        };
        let inc = self.include.as_ref().is_none_or(|s| s.is_match(&logical));
        let exc = self.exclude.as_ref().is_some_and(|s| s.is_match(&logical));
        inc && !exc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn include_and_exclude_on_logical_paths() {
        let f = FolderFilter::new(&["Archives/**".into(), "INBOX".into()], &["**/2019".into()])
            .unwrap();
        assert!(f.keeps("INBOX", Some('.')));
        assert!(f.keeps("Archives.2023", Some('.')));
        assert!(!f.keeps("Archives.2019", Some('.')));
        assert!(!f.keeps("Sent", Some('/')));
        assert!(FolderFilter::new(&["[".into()], &[]).is_err());
    }
}
