//! The sandbox's demo seed: an MX Plan being left for an Exchange, and an
//! Email Pro, with realistic accounts. Deterministic (fixed salts, sizes).

use sha2::{Digest, Sha256};

use crate::{
    DomainKind, DomainStatus, NewAccount, NewPlatform, PanelState, PasswordHash, PlatformId,
    PlatformKind,
};

/// The password of every demo account (sandbox only: never a real secret).
pub const DEMO_PASSWORD: &str = "Mailshift-Demo1";

const MB: u64 = 1_000_000;

/// The demo state: MX Plan `mxplan-7f3e21` (example.com, authoritative),
/// Exchange `exchange-ab12cd` (example.org, and example.com non-authoritative
/// for the migration), Email Pro `emailpro-c4d5e6` (example.net, DNS pending);
/// eleven configured accounts whose password is [`DEMO_PASSWORD`], and free slots.
pub fn demo() -> PanelState {
    let mut s = PanelState::new();
    let mx = platform(
        &mut s,
        PlatformKind::MxPlan,
        "mxplan-7f3e21",
        "Example Co. (historical mail)",
        "example.com",
        6,
    );
    let ex = platform(
        &mut s,
        PlatformKind::Exchange,
        "exchange-ab12cd",
        "Example Co. Exchange",
        "example.org",
        7,
    );
    let pro = platform(
        &mut s,
        PlatformKind::EmailPro,
        "emailpro-c4d5e6",
        "Example Co. Email Pro",
        "example.net",
        4,
    );

    s.add_domain(ex, "example.com", DomainKind::NonAuthoritative)
        .expect("demo domain");
    let exchange = s.platform_mut(ex).expect("demo platform");
    exchange
        .set_domain_status("example.com", DomainStatus::Ok)
        .expect("demo domain");
    s.platform_mut(pro)
        .expect("demo platform")
        .set_domain_status(
            "example.net",
            DomainStatus::Pending {
                reason: "MX records not yet propagated (changed 2 hours ago)".into(),
            },
        )
        .expect("demo domain");

    let people: [(PlatformId, &str, &str, &str, u64); 11] = [
        (mx, "john.smith", "example.com", "John Smith", 3_400 * MB),
        (
            mx,
            "marie.dupont",
            "example.com",
            "Marie Dupont",
            1_800 * MB,
        ),
        (mx, "paul.martin", "example.com", "Paul Martin", 4_600 * MB),
        (
            mx,
            "sophie.bernard",
            "example.com",
            "Sophie Bernard",
            900 * MB,
        ),
        (
            mx,
            "contact",
            "example.com",
            "Example Co. contact",
            250 * MB,
        ),
        (
            ex,
            "claire.moreau",
            "example.org",
            "Claire Moreau",
            12_400 * MB,
        ),
        (
            ex,
            "thomas.leroy",
            "example.org",
            "Thomas Leroy",
            6_200 * MB,
        ),
        (ex, "lucas.petit", "example.org", "Lucas Petit", 2_100 * MB),
        (ex, "admin", "example.org", "IT administration", 400 * MB),
        (
            pro,
            "julie.robert",
            "example.net",
            "Julie Robert",
            1_300 * MB,
        ),
        (
            pro,
            "nicolas.richard",
            "example.net",
            "Nicolas Richard",
            600 * MB,
        ),
    ];
    for (id, local, domain, name, used) in people {
        let p = s.platform_mut(id).expect("demo platform");
        let address = p
            .create_account(NewAccount {
                local_part: local.into(),
                domain: domain.into(),
                display_name: name.into(),
                password: DEMO_PASSWORD.into(),
                quota_bytes: None,
            })
            .expect("demo account")
            .address();
        p.set_used_bytes(&address, used).expect("demo account");
        let salt = Sha256::digest(address.as_bytes());
        let slot = p
            .accounts
            .iter_mut()
            .find(|a| a.has_address(&address))
            .expect("demo account");
        slot.password = Some(PasswordHash::with_salt(DEMO_PASSWORD, &salt[..16]));
    }
    s
}

fn platform(
    s: &mut PanelState,
    kind: PlatformKind,
    service: &str,
    display: &str,
    domain: &str,
    slots: usize,
) -> PlatformId {
    let id = s
        .add_platform(NewPlatform {
            kind,
            service_name: service.into(),
            display_name: Some(display.into()),
            domain: Some((domain.into(), DomainKind::Authoritative)),
            accounts: slots,
        })
        .expect("demo platform");
    s.platform_mut(id)
        .expect("demo platform")
        .set_domain_status(domain, DomainStatus::Ok)
        .expect("demo domain");
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::{precheck, OptionSet};
    use crate::GB;

    #[test]
    fn demo_is_deterministic_and_realistic() {
        let d = demo();
        assert_eq!(d, demo());
        let kinds: Vec<_> = d.platforms.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            vec![
                PlatformKind::MxPlan,
                PlatformKind::Exchange,
                PlatformKind::EmailPro
            ]
        );
        let configured: usize = d
            .platforms
            .iter()
            .map(|p| p.configured_accounts().count())
            .sum();
        assert_eq!(configured, 11);
        assert!(d.platforms.iter().all(|p| p.unconfigured_count() > 0));
        let ex = d.platform_by_service("exchange-ab12cd").unwrap();
        let shared = ex.domain("example.com").unwrap();
        assert_eq!(shared.kind, DomainKind::NonAuthoritative);
        assert_eq!(shared.status, DomainStatus::Ok);
        let pro = d.platform_by_service("emailpro-c4d5e6").unwrap();
        assert_eq!(pro.domain("example.net").unwrap().status.label(), "pending");
    }

    #[test]
    fn demo_accounts_log_in_with_the_demo_password() {
        let d = demo();
        let (_, john) = d.find_accounts("john.smith@example.com")[0];
        assert!(john.verify_password(DEMO_PASSWORD));
        assert!(!john.verify_password("wrong"));
        for p in &d.platforms {
            for a in &p.accounts {
                assert!(a.used_bytes <= a.quota_bytes, "{}", a.address());
                assert_eq!(a.verify_password(DEMO_PASSWORD), a.is_configured());
            }
        }
    }

    #[test]
    fn demo_holds_a_mailbox_too_big_for_mx_plan() {
        let d = demo();
        let ex = d.platform_by_service("exchange-ab12cd").unwrap();
        let mx = d.platform_by_service("mxplan-7f3e21").unwrap();
        let thomas = ex.account("thomas.leroy@example.org").unwrap();
        assert!(thomas.used_bytes > 5 * GB);
        let r = precheck(ex, thomas, mx, OptionSet::emails());
        assert!(r.blocked.unwrap().contains("holds 6.2 GB"));
    }
}
