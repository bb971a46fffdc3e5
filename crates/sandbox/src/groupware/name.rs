//! Names that become file names in the store (collections, objects, scripts, logins):
//! checked so that none can escape its folder or hide as a dot file.

use super::GroupwareError;

/// Longest name, in bytes: with the store's temporary prefix and suffix it stays under
/// the usual 255-byte limit of a file name (counted in characters, a non-ASCII name
/// could reach 800 bytes and fail as an I/O error).
pub const MAX_NAME_BYTES: usize = 200;

/// Whether `name` can be stored as one path component.
pub fn is_valid(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_BYTES
        && !name.starts_with('.')
        && !name.contains('/')
        && !name.chars().any(char::is_control)
}

/// `Ok(name)` when valid, else [`GroupwareError::BadName`].
pub fn check<'a>(what: &'static str, name: &'a str) -> Result<&'a str, GroupwareError> {
    if is_valid(name) {
        Ok(name)
    } else {
        Err(GroupwareError::BadName {
            what,
            name: name.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_names_that_escape_or_hide() {
        for bad in [
            "",
            ".",
            "..",
            ".hidden",
            "a/b",
            "a\nb",
            &"x".repeat(201),
            &"é".repeat(101),
        ] {
            assert!(!is_valid(bad), "{bad:?}");
        }
        for good in [
            "Calendar",
            "john@example.org",
            "rules",
            "e1.ics",
            "Réunions",
        ] {
            assert!(is_valid(good), "{good:?}");
        }
        assert!(check("script", "../x").is_err());
    }
}
