//! The real binary in a pseudo-terminal (tmux): open the control panel on a fresh
//! sandbox, walk the guided migration of john.smith@example.com from MX Plan to
//! Exchange with keystrokes, read the screen until the task has finished, quit with q.

mod support;

use std::path::Path;
use std::time::Duration;

use support::tmux::{tmux_available, wait_for_file, Tmux};
use support::Home;

#[test]
fn the_wizard_walked_with_keystrokes_finishes_the_migration() {
    if !tmux_available() {
        return;
    }
    let home = Home::new();
    let data = home.path().join("data");
    let status = home.path().join("status");
    let tmux = Tmux::in_dir(home.path());
    tmux.launch(&home.path().join("run.sh"), &data, "", &status, (100, 30));

    let long = Duration::from_secs(60);
    tmux.wait_for("mxplan-7f3e21", long);
    // MX Plan is the first platform: open it, its accounts tab; john.smith is first.
    tmux.keys(&["Enter"]);
    tmux.keys(&["2"]);
    tmux.wait_for("john.smith@example.com", long);
    tmux.keys(&["m"]);
    let s = tmux.wait_for("Guided migration", long);
    assert!(
        s.contains("What will happen") && s.contains("Exchange exchange-ab12cd"),
        "{s}"
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("john.smith01", long);
    tmux.keys(&["Enter"]);
    let s = tmux.wait_for("Display name", long);
    assert!(
        s.contains("Create john.smith@example.com on Exchange"),
        "{s}"
    );
    tmux.keys(&["Tab"]);
    tmux.text("Exchange-Pass-2026");
    let s = tmux.wait_for("••••••••••••••••••", long);
    assert!(
        !s.contains("Exchange-Pass-2026"),
        "the password is masked:\n{s}"
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("Start a task", long);
    tmux.keys(&["Enter"]);
    let s = tmux.wait_for("finished", Duration::from_secs(120));
    assert!(
        s.contains("Recreate by hand") || s.contains("now lives on"),
        "{s}"
    );
    tmux.keys(&["q"]);
    let code = wait_for_file(&status, long)
        .unwrap_or_else(|| panic!("mailshift did not quit; the screen:\n{}", tmux.screen()));
    assert_eq!(code.trim(), "0", "exit status");
}

/// Start mailshift on `data` in a tmux session of `tmux`; its exit status goes to `status`.
fn launch(tmux: &Tmux, home: &Path, data: &Path, status: &Path, name: &str) {
    tmux.launch(
        &home.join(format!("{name}.sh")),
        data,
        "",
        status,
        (100, 30),
    );
}

#[test]
fn a_wizard_left_after_the_rename_resumes_after_a_relaunch_and_finishes() {
    if !tmux_available() {
        return;
    }
    let home = Home::new();
    let data = home.path().join("data");
    let long = Duration::from_secs(60);
    let tmux = Tmux::in_dir(home.path());

    let first = home.path().join("status1");
    launch(&tmux, home.path(), &data, &first, "run1");
    tmux.wait_for("mxplan-7f3e21", long);
    tmux.keys(&["Enter"]);
    tmux.keys(&["2"]);
    tmux.wait_for("john.smith@example.com", long);
    tmux.keys(&["m"]);
    tmux.wait_for("Guided migration", long);
    tmux.keys(&["Enter"]);
    tmux.wait_for("john.smith01", long);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Display name", long);
    // Esc three times: back to the first step, then the question.
    tmux.keys(&["Escape"]);
    tmux.keys(&["Escape"]);
    tmux.keys(&["Escape"]);
    let s = tmux.wait_for("Leave the migration half-way?", long);
    assert!(
        s.contains("renamed to john.smith01@example.com"),
        "the dialog says what was done:\n{s}"
    );
    tmux.keys(&["l"]);
    let s = tmux.wait_for("migrating", long);
    assert!(s.contains("john.smith01@example.com"), "{s}");
    tmux.keys(&["q"]);
    let code = wait_for_file(&first, long)
        .unwrap_or_else(|| panic!("mailshift did not quit; the screen:\n{}", tmux.screen()));
    assert_eq!(code.trim(), "0", "exit status");

    // Relaunch on the same data: the account is still marked, m resumes at step 3.
    let second = home.path().join("status2");
    launch(&tmux, home.path(), &data, &second, "run2");
    tmux.wait_for("mxplan-7f3e21", long);
    tmux.keys(&["Enter"]);
    tmux.keys(&["2"]);
    let s = tmux.wait_for("john.smith01@example.com", long);
    assert!(s.contains("migrating"), "{s}");
    assert!(!s.contains("john.smith0101"), "{s}");
    tmux.keys(&["m"]);
    let s = tmux.wait_for("resumed at step 3", long);
    assert!(
        s.contains("Create john.smith@example.com on Exchange"),
        "{s}"
    );
    tmux.keys(&["Tab"]);
    tmux.text("Exchange-Pass-2026");
    tmux.wait_for("••••••••••••••••••", long);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Start a task", long);
    tmux.keys(&["Enter"]);
    let s = tmux.wait_for("finished", Duration::from_secs(120));
    assert!(
        s.contains("Recreate by hand") || s.contains("now lives on"),
        "{s}"
    );
    // Closing the last step ends the migration: the account is no longer marked.
    tmux.keys(&["Enter"]);
    tmux.keys(&["p"]);
    let s = tmux.wait_for("john.smith01@example.com", long);
    assert!(!s.contains("migrating"), "{s}");
    tmux.keys(&["q"]);
    let code = wait_for_file(&second, long)
        .unwrap_or_else(|| panic!("mailshift did not quit; the screen:\n{}", tmux.screen()));
    assert_eq!(code.trim(), "0", "exit status");
}
