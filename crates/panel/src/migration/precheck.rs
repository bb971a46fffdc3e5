use serde::{Deserialize, Serialize};

use super::{ManualItem, MigrationOption, OptionSet};
use crate::{format_bytes, Account, Platform, PlatformKind};

/// The verdict on a planned migration, before anything moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Precheck {
    /// The requested options both platforms support.
    pub allowed: OptionSet,
    /// The requested options left out, each with the reason.
    pub dropped: Vec<(MigrationOption, String)>,
    /// Why the migration cannot start at all, if it cannot.
    pub blocked: Option<String>,
    /// Source features that will not move: recreate them by hand.
    pub recreate_by_hand: Vec<ManualItem>,
}

impl Precheck {
    /// Whether the migration may start.
    pub fn can_start(&self) -> bool {
        self.blocked.is_none()
    }
}

/// Check a migration of `source_account` (on `source`) to `dest` with the
/// `requested` options. An option is allowed only where both platforms
/// support it; the migration is blocked when the source account is
/// unconfigured, when its mail exceeds what a destination account holds, or
/// when no requested option is left.
pub fn precheck(
    source: &Platform,
    source_account: &Account,
    dest: &Platform,
    requested: OptionSet,
) -> Precheck {
    let (src_f, dst_f) = (source.facts().features, dest.facts().features);
    let mut allowed = OptionSet::empty();
    let mut dropped = Vec::new();
    for option in requested.iter() {
        if !src_f.supports(option) {
            dropped.push((
                option,
                format!("{} has no {option} to migrate", source.kind),
            ));
        } else if !dst_f.supports(option) {
            dropped.push((
                option,
                format!(
                    "an {} account cannot hold {option}: export them by hand or pick {}",
                    dest.kind,
                    kinds_text(kinds_where(|k| k.facts().features.supports(option)))
                ),
            ));
        } else {
            allowed.insert(option);
        }
    }

    let address = source_account.address();
    let blocked = if !source_account.is_configured() {
        Some(format!(
            "{address} is an unconfigured account: there is nothing to migrate"
        ))
    } else if source_account.used_bytes > dest.max_quota_bytes() {
        let used = source_account.used_bytes;
        let max = dest.max_quota_bytes();
        let bigger = kinds_where(|k| k != dest.kind && k.facts().account_quota_bytes >= used);
        let mut msg = format!(
            "{address} holds {}; an {} account holds at most {}: free {}",
            format_bytes(used),
            dest.kind,
            format_bytes(max),
            format_bytes(used - max)
        );
        if !bigger.is_empty() {
            msg.push_str(&format!(" or pick {}", kinds_text(bigger)));
        }
        Some(msg)
    } else if requested.is_empty() {
        Some("no option selected: pick at least e-mails".to_string())
    } else if allowed.is_empty() {
        Some(format!(
            "none of the selected options can move from {} to {}: pick e-mails",
            source.kind, dest.kind
        ))
    } else {
        None
    };

    Precheck {
        allowed,
        dropped,
        blocked,
        recreate_by_hand: source.facts().recreate_by_hand.clone(),
    }
}

/// The kinds satisfying `keep`, smallest offer first.
fn kinds_where(keep: impl Fn(PlatformKind) -> bool) -> Vec<PlatformKind> {
    let mut kinds: Vec<PlatformKind> = PlatformKind::ALL.into_iter().filter(|k| keep(*k)).collect();
    kinds.sort_by_key(|k| k.facts().account_quota_bytes);
    kinds
}

/// "Email Pro/Exchange".
fn kinds_text(kinds: Vec<PlatformKind>) -> String {
    kinds
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::fixture::{add_account, platform};
    use crate::{PlatformKind, GB};

    fn exchange_with(used: u64) -> (Platform, String) {
        let mut p = platform(PlatformKind::Exchange, "exchange-ab12cd", "example.com", 2);
        let a = add_account(&mut p, "john", "example.com", used);
        (p, a)
    }

    fn mxplan() -> Platform {
        platform(PlatformKind::MxPlan, "mxplan-7f3e21", "example.org", 1)
    }

    fn emailpro() -> Platform {
        platform(PlatformKind::EmailPro, "emailpro-c4d5e6", "example.org", 1)
    }

    #[test]
    fn refuses_exchange_to_mx_plan_above_5_gb_and_says_how_much() {
        let (src, addr) = exchange_with(6_200_000_000);
        let r = precheck(
            &src,
            src.account(&addr).unwrap(),
            &mxplan(),
            OptionSet::emails(),
        );
        assert!(!r.can_start());
        assert_eq!(
            r.blocked.as_deref(),
            Some("john@example.com holds 6.2 GB; an MX Plan account holds at most 5 GB: free 1.2 GB or pick Email Pro/Exchange")
        );
    }

    #[test]
    fn refusal_names_only_the_kinds_that_fit() {
        let (src, addr) = exchange_with(12 * GB);
        let r = precheck(
            &src,
            src.account(&addr).unwrap(),
            &emailpro(),
            OptionSet::emails(),
        );
        assert_eq!(
            r.blocked.as_deref(),
            Some("john@example.com holds 12 GB; an Email Pro account holds at most 10 GB: free 2 GB or pick Exchange")
        );
        let mut big = src.clone();
        big.set_used_bytes(&addr, 60 * GB).unwrap();
        let r = precheck(&big, big.account(&addr).unwrap(), &src, OptionSet::emails());
        assert_eq!(
            r.blocked.as_deref(),
            Some(
                "john@example.com holds 60 GB; an Exchange account holds at most 50 GB: free 10 GB"
            )
        );
    }

    #[test]
    fn exactly_5_gb_fits_an_mx_plan() {
        let (src, addr) = exchange_with(5 * GB);
        let r = precheck(
            &src,
            src.account(&addr).unwrap(),
            &mxplan(),
            OptionSet::emails(),
        );
        assert!(r.can_start(), "{:?}", r.blocked);
        assert_eq!(r.allowed, OptionSet::emails());
    }

    #[test]
    fn drops_collaborative_options_the_destination_cannot_hold() {
        let (src, addr) = exchange_with(GB);
        let r = precheck(
            &src,
            src.account(&addr).unwrap(),
            &emailpro(),
            OptionSet::all(),
        );
        assert!(r.can_start());
        assert_eq!(r.allowed, OptionSet::emails());
        assert_eq!(r.dropped.len(), 6);
        let (opt, reason) = &r.dropped[0];
        assert_eq!(*opt, MigrationOption::Calendars);
        assert_eq!(
            reason,
            "an Email Pro account cannot hold calendars: export them by hand or pick Exchange"
        );
        assert!(r
            .dropped
            .iter()
            .any(|(o, _)| *o == MigrationOption::InboxRules));
        assert!(r.dropped.iter().any(|(o, _)| *o == MigrationOption::Tasks));
        assert!(r
            .dropped
            .iter()
            .any(|(o, _)| *o == MigrationOption::Contacts));
    }

    #[test]
    fn keeps_every_option_between_exchanges() {
        let (src, addr) = exchange_with(GB);
        let mut dst = src.clone();
        dst.service_name = "exchange-ff0011".into();
        let r = precheck(&src, src.account(&addr).unwrap(), &dst, OptionSet::all());
        assert_eq!(r.allowed, OptionSet::all());
        assert!(r.dropped.is_empty());
    }

    #[test]
    fn drops_what_the_source_does_not_have() {
        let mut src = mxplan();
        let addr = add_account(&mut src, "marie", "example.org", GB);
        let (dst, _) = exchange_with(0);
        let requested: OptionSet = [MigrationOption::Emails, MigrationOption::Contacts]
            .into_iter()
            .collect();
        let r = precheck(&src, src.account(&addr).unwrap(), &dst, requested);
        assert_eq!(r.allowed, OptionSet::emails());
        assert_eq!(
            r.dropped,
            vec![(
                MigrationOption::Contacts,
                "MX Plan has no contacts to migrate".to_string()
            )]
        );
        assert_eq!(
            r.recreate_by_hand,
            vec![
                ManualItem::Aliases,
                ManualItem::Redirections,
                ManualItem::MailingLists
            ]
        );
    }

    #[test]
    fn lists_exchange_features_to_recreate_by_hand() {
        let (src, addr) = exchange_with(GB);
        let r = precheck(
            &src,
            src.account(&addr).unwrap(),
            &emailpro(),
            OptionSet::emails(),
        );
        for item in [
            ManualItem::Aliases,
            ManualItem::DelegatedRights,
            ManualItem::Groups,
            ManualItem::ExternalContacts,
            ManualItem::Footers,
        ] {
            assert!(r.recreate_by_hand.contains(&item), "{item}");
        }
    }

    #[test]
    fn blocks_empty_requests_and_unconfigured_sources() {
        let (src, addr) = exchange_with(GB);
        let r = precheck(
            &src,
            src.account(&addr).unwrap(),
            &mxplan(),
            OptionSet::empty(),
        );
        assert_eq!(
            r.blocked.as_deref(),
            Some("no option selected: pick at least e-mails")
        );
        let only: OptionSet = [MigrationOption::Calendars].into_iter().collect();
        let r = precheck(&src, src.account(&addr).unwrap(), &mxplan(), only);
        assert_eq!(
            r.blocked.as_deref(),
            Some("none of the selected options can move from Exchange to MX Plan: pick e-mails")
        );
        let slot = src.account("slot02@configureme.me").unwrap();
        let r = precheck(&src, slot, &mxplan(), OptionSet::emails());
        assert_eq!(
            r.blocked.as_deref(),
            Some("slot02@configureme.me is an unconfigured account: there is nothing to migrate")
        );
    }
}
