//! The one client-side check of an e-mail address (a notification recipient, the
//! relay's sender, an account address): a bare `local@domain.tld` as SMTP needs it in RCPT TO,
//! parsed by `lettre::Address`. The sandbox's SMTP server keeps its own, server-side,
//! reading of what a client sends.

pub use lettre::Address;

/// Why a text is not an e-mail address, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{address}' is not an e-mail address: {reason}")]
pub struct AddressError {
    pub address: String,
    pub reason: String,
}

/// Checks one bare address (no display name, no angle brackets, no list).
pub fn check_address(addr: &str) -> Result<Address, AddressError> {
    let bad = |reason: &str| AddressError {
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
    if addr.contains([',', ';']) {
        return Err(bad("give one address only"));
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
            check_address(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn bad_addresses_say_what_is_wrong() {
        let msg = check_address("foo").unwrap_err().to_string();
        assert!(msg.starts_with("'foo' is not an e-mail address"), "{msg}");
        assert!(msg.contains("no @"), "{msg}");
        for bad in [
            "",
            " a@b.c",
            "A <a@b.c>",
            "a@",
            "@b.c",
            "a b@c.d",
            "a@b@c",
            // What the New migration form used to accept and the task start refused.
            "a@b@c.d",
            "a@b.com,c@d.com",
        ] {
            assert!(check_address(bad).is_err(), "{bad:?} accepted");
        }
    }
}
