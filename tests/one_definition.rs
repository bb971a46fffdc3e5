//! Issue #14's promises about the code itself, checked on the tree: each shared concept
//! has one definition, the CLI and TUI reach the engine only through `mailshift-tasks`,
//! the DAV and Sieve clients do not depend on the IMAP engine, and the panel crate does
//! no I/O. (A copy added later fails here, before it can start to disagree.)

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file below `dir`, skipping test folders.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                if name != "tests" && name != "target" {
                    stack.push(path);
                }
            } else if name.ends_with(".rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `(file, line)` of every line in the product's sources (src/ and crates/*/src) that
/// matches `hit`.
fn lines_matching(hit: impl Fn(&str) -> bool) -> Vec<String> {
    let mut found = Vec::new();
    let mut dirs = vec![root().join("src")];
    for c in std::fs::read_dir(root().join("crates")).unwrap() {
        dirs.push(c.unwrap().path().join("src"));
    }
    for dir in dirs.iter().filter(|d| d.is_dir()) {
        for file in sources(dir) {
            let text = std::fs::read_to_string(&file).unwrap();
            for (i, line) in text.lines().enumerate() {
                if hit(line.trim_start()) {
                    let rel = file.strip_prefix(root()).unwrap().display().to_string();
                    found.push(format!("{rel}:{}", i + 1));
                }
            }
        }
    }
    found
}

#[test]
fn each_shared_concept_has_one_definition() {
    let concepts = [
        "enum Security ",
        "enum AuthMethod ",
        "enum Side ",
        "enum PlatformKind ",
        "enum OptionChoice ",
        "struct Secret(",
        "fn escape(s: &str) -> String",
        "fn check_address(",
    ];
    for concept in concepts {
        let defs = lines_matching(|l| {
            l.strip_prefix("pub ")
                .or_else(|| l.strip_prefix("pub(crate) "))
                .unwrap_or(l)
                .starts_with(concept)
        });
        assert_eq!(defs.len(), 1, "`{concept}` is defined in {defs:?}");
    }
}

#[test]
fn the_cli_and_the_panel_reach_the_engine_only_through_tasks() {
    let imports = lines_matching(|l| l.contains("mailshift_engine"));
    let front: Vec<&String> = imports
        .iter()
        .filter(|f| f.starts_with("src/cli/") || f.starts_with("src/tui/"))
        .collect();
    assert!(front.is_empty(), "engine imported by {front:?}");
}

/// The workspace crates `krate` (a folder under crates/) depends on, directly or not,
/// through its normal dependencies (dev-dependencies left out, as `cargo tree -e normal`).
fn workspace_deps(krate: &str) -> std::collections::BTreeSet<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut todo = vec![krate.to_string()];
    while let Some(k) = todo.pop() {
        let manifest =
            std::fs::read_to_string(root().join("crates").join(&k).join("Cargo.toml")).unwrap();
        let mut section = String::new();
        for line in manifest.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                section = line.to_string();
            } else if section == "[dependencies]" {
                if let Some(dep) = line.strip_prefix("mailshift-") {
                    let name: String = dep
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric())
                        .collect();
                    if seen.insert(name.clone()) {
                        todo.push(name);
                    }
                }
            }
        }
    }
    seen
}

#[test]
fn dav_sieve_notify_panel_and_net_do_not_depend_on_the_engine() {
    assert!(
        workspace_deps("tasks").contains("engine"),
        "the check reads the manifests"
    );
    for krate in ["dav", "sieve", "notify", "panel", "net"] {
        let deps = workspace_deps(krate);
        assert!(
            !deps.contains("engine"),
            "crates/{krate} reaches the engine: {deps:?}"
        );
    }
}

#[test]
fn the_panel_crate_does_no_io() {
    let io = lines_matching(|l| {
        l.contains("std::fs")
            || l.contains("tokio::fs")
            || l.contains("std::net")
            || l.contains("tokio::net")
    });
    let panel: Vec<&String> = io
        .iter()
        .filter(|f| f.starts_with("crates/panel/"))
        .collect();
    assert!(panel.is_empty(), "I/O in the panel crate: {panel:?}");
}
