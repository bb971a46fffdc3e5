//! What a server's refusal means, from its response code (`[OVERQUOTA]`,
//! `(QUOTA/MAXSIZE)`, `[ALREADYEXISTS]`, `[LIMIT]`, ...) or, for servers that give
//! none, its usual words. The one place such replies are recognised: the IMAP engine
//! (login, APPEND, commands, retries) and the ManageSieve client use it.

use std::time::Duration;

/// How long to wait on a busy server that names no time.
pub const BUSY_WAIT: Duration = Duration::from_secs(2);

/// The longest wait a server's "Suggested Backoff Time" is followed for.
const MAX_BACKOFF: Duration = Duration::from_secs(120);

/// The kind of a refusal, as far as mailshift acts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyKind {
    /// The account is full (or the item is larger than its quota allows).
    OverQuota,
    /// The mailbox, collection or script exists already.
    AlreadyExists,
    /// The server does not take the authentication mechanism offered.
    MechanismRefused,
    /// The server is busy or limits connections: retry after this long.
    Busy(Duration),
    Other,
}

/// The response code at the start of a refusal's text, upper-cased, without its
/// arguments: `NO [OVERQUOTA] Quota exceeded` → `OVERQUOTA`; the ManageSieve form
/// `NO (QUOTA/MAXSIZE) "..."` → `QUOTA/MAXSIZE`. A tag and a status may precede it.
pub fn response_code(text: &str) -> Option<String> {
    let mut rest = text.trim_start();
    // Skip a tag and a status word ("A12 NO ", "NO ").
    for _ in 0..2 {
        if rest.starts_with(['[', '(']) {
            break;
        }
        let word_end = rest.find(' ')?;
        rest = rest[word_end..].trim_start();
    }
    let close = match rest.chars().next()? {
        '[' => ']',
        '(' => ')',
        _ => return None,
    };
    let inner = &rest[1..rest.find(close)?];
    let atom = inner.split_whitespace().next()?;
    Some(atom.to_ascii_uppercase())
}

/// The kind of a refusal from its whole text (the code is found in it).
pub fn classify(text: &str) -> ReplyKind {
    classify_parts(response_code(text).as_deref(), text)
}

/// The kind of a refusal whose response code was already parsed apart (ManageSieve).
pub fn classify_parts(code: Option<&str>, text: &str) -> ReplyKind {
    let lower = text.to_ascii_lowercase();
    let code = code.map(str::to_ascii_uppercase);
    let code_is = |prefix: &str| {
        code.as_deref().is_some_and(|c| {
            c == prefix || c.strip_prefix(prefix).is_some_and(|r| r.starts_with('/'))
        })
    };
    // A code that says something else wins over the words (a script named
    // "quota-rules" that does not exist is not a full account).
    let words = !matches!(
        code.as_deref(),
        Some(
            "NONEXISTENT"
                | "TRYCREATE"
                | "AUTHENTICATIONFAILED"
                | "AUTHORIZATIONFAILED"
                | "NOPERM"
                | "EXPUNGEISSUED"
                | "PARSE"
                | "BADCHARSET"
        )
    );
    let said = |w: &str| words && lower.contains(w);
    // Gmail says OVERQUOTA for its bandwidth and command limits: a wait, not a full box.
    if said("bandwidth limit") || said("command or bandwidth") {
        return ReplyKind::Busy(BUSY_WAIT);
    }
    if code_is("OVERQUOTA") || code_is("QUOTA") || said("quota") {
        return ReplyKind::OverQuota;
    }
    // "already exists", and older servers' "Mailbox exists" (never "does not exist").
    if code_is("ALREADYEXISTS") || said("exists") {
        return ReplyKind::AlreadyExists;
    }
    if said("unsupported authentication") || said("mechanism") || said("unsupported sasl") {
        return ReplyKind::MechanismRefused;
    }
    if let Some(wait) = busy_wait(code.as_deref(), &lower) {
        return ReplyKind::Busy(wait);
    }
    ReplyKind::Other
}

/// `[UNAVAILABLE]`, `[INUSE]`, `[LIMIT]`, "too many connections", or Office 365's
/// "Suggested Backoff Time: N milliseconds".
fn busy_wait(code: Option<&str>, lower: &str) -> Option<Duration> {
    const KEY: &str = "suggested backoff time:";
    if let Some(i) = lower.find(KEY) {
        let digits: String = lower[i + KEY.len()..]
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(ms) = digits.parse::<u64>() {
            return Some(Duration::from_millis(ms).min(MAX_BACKOFF));
        }
    }
    let busy_code = matches!(code, Some("UNAVAILABLE" | "INUSE" | "LIMIT"));
    let words = [
        "[unavailable]",
        "[inuse]",
        "[limit]",
        "too many connections",
        "maximum number of connections",
        "too many simultaneous",
        "try again later",
    ];
    (busy_code || words.iter().any(|w| lower.contains(w))).then_some(BUSY_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_mailboxes_in_each_servers_words() {
        for text in [
            // Dovecot
            "NO [OVERQUOTA] Quota exceeded (mailbox for user is full)",
            "A3 NO [OVERQUOTA] Quota exceeded (mailbox for user is full)",
            // Cyrus
            "NO Over quota",
            "NO [OVERQUOTA] Over quota",
            // RFC 9208 / older servers
            "NO [QUOTA] Mailbox is full",
            // Exchange
            "NO [OVERQUOTA] The mailbox is over its quota.",
            // ManageSieve (RFC 5804)
            r#"NO (QUOTA/MAXSIZE) "Script is too large (max 1048576 bytes).""#,
        ] {
            assert_eq!(classify(text), ReplyKind::OverQuota, "{text}");
        }
        assert_eq!(
            classify_parts(Some("QUOTA/MAXSCRIPTS"), "Too many scripts"),
            ReplyKind::OverQuota
        );
        assert_eq!(
            classify_parts(Some("QUOTA"), "Script too big"),
            ReplyKind::OverQuota
        );
    }

    #[test]
    fn gmails_bandwidth_limit_is_a_wait_not_a_full_mailbox() {
        assert_eq!(
            classify("NO [OVERQUOTA] Account exceeded command or bandwidth limits. (Failure)"),
            ReplyKind::Busy(BUSY_WAIT)
        );
    }

    #[test]
    fn existing_mailboxes() {
        assert_eq!(
            classify("NO [ALREADYEXISTS] Mailbox already exists"),
            ReplyKind::AlreadyExists
        );
        assert_eq!(
            classify("NO Mailbox already exists"),
            ReplyKind::AlreadyExists
        );
        assert_eq!(
            classify_parts(Some("ALREADYEXISTS"), "exists"),
            ReplyKind::AlreadyExists
        );
        // Cyrus 2.x and Courier word it without "already".
        assert_eq!(classify("NO Mailbox exists"), ReplyKind::AlreadyExists);
        assert_eq!(
            classify("NO Folder exists: Archive"),
            ReplyKind::AlreadyExists
        );
    }

    #[test]
    fn refused_mechanisms() {
        for text in [
            "NO [CANNOT] Unsupported authentication mechanism",
            "BAD Unsupported authentication mechanism.",
            "NO Unknown authentication mechanism",
        ] {
            assert_eq!(classify(text), ReplyKind::MechanismRefused, "{text}");
        }
    }

    #[test]
    fn busy_servers_and_how_long_they_ask_to_wait() {
        assert_eq!(
            classify("NO Server Unavailable. 15 Suggested Backoff Time: 3500 milliseconds"),
            ReplyKind::Busy(Duration::from_millis(3500))
        );
        assert_eq!(
            classify("NO Suggested Backoff Time: 99999999 milliseconds"),
            ReplyKind::Busy(MAX_BACKOFF)
        );
        for text in [
            // Exchange / Office 365
            "NO [LIMIT] Too many concurrent connections",
            "NO [UNAVAILABLE] try later",
            "NO [INUSE] mailbox locked",
            // Dovecot's mail_max_userip_connections
            "NO [LIMIT] Maximum number of connections from user+IP exceeded (mail_max_userip_connections=2)",
            "NO Too many simultaneous connections",
            "NO Server busy, try again later",
        ] {
            assert_eq!(classify(text), ReplyKind::Busy(BUSY_WAIT), "{text}");
        }
    }

    #[test]
    fn everything_else_is_other() {
        for text in [
            "NO Mailbox doesn't exist: Lost",
            "NO Parent mailbox does not exist",
            "NO [CANNOT] Invalid mailbox name",
            "NO [AUTHENTICATIONFAILED] Authentication failed.",
            "BAD Error in IMAP command APPEND: Invalid arguments.",
            "NO [TRYCREATE] Mailbox doesn't exist",
            r#"NO (NONEXISTENT) "There is no script quota-rules""#,
        ] {
            assert_eq!(classify(text), ReplyKind::Other, "{text}");
        }
    }

    #[test]
    fn the_code_is_found_after_a_tag_and_a_status() {
        assert_eq!(
            response_code("A1 NO [OVERQUOTA] x").as_deref(),
            Some("OVERQUOTA")
        );
        assert_eq!(
            response_code("[ALREADYEXISTS] x").as_deref(),
            Some("ALREADYEXISTS")
        );
        assert_eq!(
            response_code(r#"NO (QUOTA/MAXSIZE) "big""#).as_deref(),
            Some("QUOTA/MAXSIZE")
        );
        assert_eq!(response_code("NO plain words"), None);
    }
}
