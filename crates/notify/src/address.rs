//! What counts as an e-mail address for a notification: a bare `local@domain`
//! (no display name, no angle brackets), as SMTP needs it in RCPT TO.

use lettre::Address;

use crate::NotifyError;

/// Checks a third-party address before it is saved with a task.
pub fn validate_address(addr: &str) -> Result<(), NotifyError> {
    parse(addr).map(|_| ())
}

pub(crate) fn parse(addr: &str) -> Result<Address, NotifyError> {
    let bad = |reason: &str| NotifyError::BadAddress {
        address: addr.to_string(),
        reason: reason.to_string(),
    };
    if addr.is_empty() {
        return Err(bad("it is empty"));
    }
    if addr.trim() != addr {
        return Err(bad("it has spaces around it"));
    }
    if addr.contains('<') || addr.contains('>') {
        return Err(bad(
            "give the bare address, without a name or angle brackets",
        ));
    }
    if !addr.contains('@') {
        return Err(bad("it has no @ between the user and the domain"));
    }
    addr.parse::<Address>()
        .map_err(|e| bad(&format!("{e}; expected something like name@example.com")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_addresses_pass() {
        for ok in [
            "ops@example.com",
            "first.last+tag@sub.example.co.uk",
            "x@sandbox.invalid",
        ] {
            validate_address(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn bad_addresses_say_what_is_wrong() {
        let msg = validate_address("foo").unwrap_err().to_string();
        assert!(msg.starts_with("'foo' is not an e-mail address"), "{msg}");
        assert!(msg.contains("no @"), "{msg}");
        for bad in ["", " a@b.c", "A <a@b.c>", "a@", "@b.c", "a b@c.d", "a@b@c"] {
            assert!(
                matches!(validate_address(bad), Err(NotifyError::BadAddress { .. })),
                "{bad:?} accepted"
            );
        }
    }
}
