//! Provisional names: the free login an account is renamed to while its
//! original address is recreated on the destination platform.

use crate::Platform;

/// Longest local part RFC 5321 allows.
const MAX_LOCAL: usize = 64;

impl Platform {
    /// The next free provisional login for `local_part` on `domain`:
    /// `john.smith` -> `john.smith01`, or `john.smith02` when 01 is taken, and
    /// so on (three digits past 99). The base is shortened to stay within 64
    /// characters. Free means no configured account of this platform has it.
    pub fn suggest_provisional_name(&self, local_part: &str, domain: &str) -> String {
        (1u32..)
            .map(|n| {
                let suffix = format!("{n:02}");
                let mut base: String = local_part.to_string();
                while base.len() + suffix.len() > MAX_LOCAL {
                    base.pop();
                }
                let base = base.trim_end_matches('.');
                format!("{base}{suffix}")
            })
            .find(|candidate| {
                let address = format!("{candidate}@{domain}");
                !self.configured_accounts().any(|a| a.has_address(&address))
            })
            .expect("an unbounded range has a free number")
    }
}

#[cfg(test)]
mod tests {
    use crate::platform::fixture::{add_account, platform};
    use crate::{validate_local_part, PlatformKind};

    #[test]
    fn suggests_the_next_free_number() {
        let mut p = platform(PlatformKind::Exchange, "exchange-ab12cd", "example.com", 4);
        add_account(&mut p, "john.smith", "example.com", 0);
        assert_eq!(
            p.suggest_provisional_name("john.smith", "example.com"),
            "john.smith01"
        );
        add_account(&mut p, "John.Smith01", "example.com", 0);
        add_account(&mut p, "john.smith02", "example.com", 0);
        assert_eq!(
            p.suggest_provisional_name("john.smith", "EXAMPLE.com"),
            "john.smith03"
        );
        // another domain has its own numbering
        assert_eq!(
            p.suggest_provisional_name("john.smith", "example.org"),
            "john.smith01"
        );
    }

    #[test]
    fn stays_a_valid_login_when_long() {
        let p = platform(PlatformKind::Exchange, "exchange-ab12cd", "example.com", 0);
        let long = format!("{}.b", "a".repeat(62));
        let s = p.suggest_provisional_name(&long, "example.com");
        assert_eq!(s.len(), 64);
        assert!(s.ends_with("01"));
        validate_local_part(&s).unwrap();
        let dotted = format!("{}.bb", "a".repeat(61));
        let s = p.suggest_provisional_name(&dotted, "example.com");
        validate_local_part(&s).unwrap_or_else(|e| panic!("{s}: {e}"));
    }
}
