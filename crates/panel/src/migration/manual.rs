use std::fmt;

use serde::{Deserialize, Serialize};

/// A platform feature the migrator does not move: the person recreates it
/// on the destination by hand (listed per kind in `assets/platforms.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ManualItem {
    /// Extra addresses delivering to the account.
    Aliases,
    /// Send-as, send-on-behalf and full-access rights given to others.
    DelegatedRights,
    /// Shared group addresses and their members.
    Groups,
    /// Organisation-wide external contacts.
    ExternalContacts,
    /// Automatic footers (disclaimers) added to outgoing mail.
    Footers,
    /// Forwarding to or from the account.
    Redirections,
    /// Mailing lists and their subscribers.
    MailingLists,
}

impl ManualItem {
    /// "aliases", "delegated rights", ...
    pub fn label(self) -> &'static str {
        match self {
            ManualItem::Aliases => "aliases",
            ManualItem::DelegatedRights => "delegated rights",
            ManualItem::Groups => "groups",
            ManualItem::ExternalContacts => "external contacts",
            ManualItem::Footers => "footers",
            ManualItem::Redirections => "redirections",
            ManualItem::MailingLists => "mailing lists",
        }
    }

    /// What to do about it, in one sentence.
    pub fn advice(self) -> &'static str {
        match self {
            ManualItem::Aliases => "note the account's aliases and add them to the new account",
            ManualItem::DelegatedRights => {
                "note who can send as or read this mailbox and grant it again"
            }
            ManualItem::Groups => "recreate the groups (shared addresses) and their members",
            ManualItem::ExternalContacts => "recreate the external contacts of the organisation",
            ManualItem::Footers => "copy the automatic footers (disclaimers) to the destination",
            ManualItem::Redirections => {
                "recreate the redirections that point to or from the account"
            }
            ManualItem::MailingLists => {
                "recreate the mailing lists and re-import their subscribers"
            }
        }
    }
}

impl fmt::Display for ManualItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
