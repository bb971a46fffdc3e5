//! The capability list the sandbox advertises. No MULTIAPPEND: imap-codec
//! 2.0.0-alpha parses a single message per APPEND, so clients must batch by
//! pipelining single APPENDs (LITERAL+ makes that one round trip).

use imap_next::imap_types::core::Vec1;
use imap_next::imap_types::response::Capability;

pub fn capabilities() -> Vec1<Capability<'static>> {
    let caps: Vec<Capability<'static>> = [
        "IMAP4rev1",
        "LITERAL+",
        "UIDPLUS",
        "SPECIAL-USE",
        "IDLE",
        "AUTH=PLAIN",
        "NAMESPACE",
    ]
    .into_iter()
    .map(|c| Capability::try_from(c).expect("static capability names are valid atoms"))
    .collect();
    Vec1::try_from(caps).expect("the list is not empty")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advertises_what_the_engine_needs_and_not_multiappend() {
        let caps: Vec<String> = capabilities()
            .into_iter()
            .map(|c| c.to_string().to_uppercase())
            .collect();
        for needed in [
            "IMAP4REV1",
            "LITERAL+",
            "UIDPLUS",
            "SPECIAL-USE",
            "IDLE",
            "AUTH=PLAIN",
        ] {
            assert!(
                caps.iter().any(|c| c == needed),
                "{needed} missing from {caps:?}"
            );
        }
        assert!(!caps.iter().any(|c| c == "MULTIAPPEND"));
    }
}
