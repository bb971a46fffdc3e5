//! The one rule for tests that need a server or tool that may be missing: on a developer
//! machine they say loudly that they tested nothing; under CI they fail.

/// Is the environment CI (`CI` set to anything but empty, `0` or `false`)?
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// `true` when `available`. Otherwise prints `SKIPPED: <what> is not installed (<how>)` to
/// stderr and returns `false` so the test can return, or panics when `under_ci()`: a run
/// that tested nothing must not look green there.
pub fn require(available: bool, what: &str, how: &str) -> bool {
    if available {
        return true;
    }
    let line = format!("{what} is not installed ({how})");
    if under_ci() {
        panic!("{line}: CI must provide it");
    }
    eprintln!("SKIPPED: {line}");
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn available_is_required_silently() {
        assert!(require(true, "x", "y"));
    }
}
