//! What the DAV client and the sandbox's DAV server share about XML: the namespaces and
//! the text escape (built without the `client` feature, for the server).

pub const DAV: &str = "DAV:";
pub const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
pub const CARDDAV: &str = "urn:ietf:params:xml:ns:carddav";
pub const CALSERVER: &str = "http://calendarserver.org/ns/";
pub const APPLE: &str = "http://apple.com/ns/ical/";

/// Escape text for element content and attribute values. A carriage return is written
/// as `&#13;`: a parser turns a literal CR LF into LF, which would change the line
/// endings of iCalendar and vCard data carried in a body.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_quotes_and_carriage_returns_are_escaped() {
        assert_eq!(
            escape("a<b>&\"c\"'d'\r\nend"),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;&#13;\nend"
        );
        assert_eq!(escape("plain é"), "plain é");
    }
}
