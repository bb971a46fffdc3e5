//! The cPanel-like layout: personal namespace `INBOX.` with `.`, auto-created special-use
//! folders, a public namespace `Public.` with its own Maildir, and other users' folders under
//! `shared.<owner>.` once they grant access with SETACL (ACL plugin, shared-mailbox dict).

use std::path::{Path, PathBuf};

/// Personal namespace prefix, as cPanel hosting ships it.
pub const PERSONAL_PREFIX: &str = "INBOX.";
/// Public namespace prefix (`type = public`).
pub const PUBLIC_PREFIX: &str = "Public.";
/// Shared (other users) namespace prefix as announced by NAMESPACE; folders appear as
/// `shared.<owner>.<folder>`.
pub const SHARED_PREFIX: &str = "shared.";

/// Special-use folders of the personal namespace (names relative to `INBOX.`), auto-created
/// and subscribed at the first login like on cPanel.
pub(crate) const SPECIAL_USE: [(&str, &str); 5] = [
    ("Sent", "\\Sent"),
    ("Drafts", "\\Drafts"),
    ("Trash", "\\Trash"),
    ("Junk", "\\Junk"),
    ("Archive", "\\Archive"),
];

/// Maildir of the public namespace.
pub(crate) fn public_dir(root: &Path) -> PathBuf {
    root.join("public")
}

/// Directory of the shared-mailbox dictionary (written by the imap processes).
pub(crate) fn dict_dir(root: &Path) -> PathBuf {
    root.join("shared-dict")
}

/// The three namespaces, as configuration text.
pub(crate) fn namespaces(root: &Path) -> String {
    let mut out = format!(
        "namespace inbox {{\n  type = private\n  inbox = yes\n  prefix = {PERSONAL_PREFIX}\n  separator = .\n"
    );
    for (name, flag) in SPECIAL_USE {
        out.push_str(&format!(
            "  mailbox {name} {{\n    auto = subscribe\n    special_use = {flag}\n  }}\n"
        ));
    }
    out.push_str("}\n");
    out.push_str(&format!(
        "namespace public {{\n  type = public\n  prefix = {PUBLIC_PREFIX}\n  separator = .\n  \
         location = maildir:{}\n  list = yes\n  subscriptions = no\n}}\n",
        public_dir(root).display()
    ));
    out.push_str(&format!(
        "namespace shared {{\n  type = shared\n  prefix = {SHARED_PREFIX}%%u.\n  separator = .\n  \
         location = maildir:{}/mail/%%u\n  list = children\n  subscriptions = no\n}}\n",
        root.display()
    ));
    out
}

/// The ACL plugin's settings (the plugin itself is loaded with the other mail plugins).
pub(crate) fn acl_plugin(root: &Path) -> String {
    format!(
        "plugin {{\n  acl = vfile\n  acl_shared_dict = file:{}/shared-mailboxes.db\n}}\n",
        dict_dir(root).display()
    )
}

/// A public folder's ACL file: everybody may read, write and add to it.
pub(crate) const PUBLIC_ACL: &str = "anyone lrwstipekxa\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_namespaces_with_their_prefixes() {
        let text = namespaces(Path::new("/tmp/x"));
        assert!(
            text.contains("prefix = INBOX.\n  separator = .\n"),
            "{text}"
        );
        assert!(text.contains("inbox = yes"));
        assert!(
            text.contains("type = public\n  prefix = Public.\n"),
            "{text}"
        );
        assert!(
            text.contains("location = maildir:/tmp/x/public\n"),
            "{text}"
        );
        assert!(
            text.contains("type = shared\n  prefix = shared.%%u.\n"),
            "{text}"
        );
        assert!(
            text.contains("location = maildir:/tmp/x/mail/%%u\n"),
            "{text}"
        );
        for (name, flag) in SPECIAL_USE {
            assert!(
                text.contains(&format!(
                    "mailbox {name} {{\n    auto = subscribe\n    special_use = {flag}\n"
                )),
                "{name}"
            );
        }
    }

    #[test]
    fn acl_plugin_uses_a_shared_dict() {
        let text = acl_plugin(Path::new("/tmp/x"));
        assert!(text.contains("acl = vfile\n"));
        assert!(text.contains("acl_shared_dict = file:/tmp/x/shared-dict/shared-mailboxes.db"));
    }
}
