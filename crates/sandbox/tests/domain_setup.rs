//! A domain associated with a platform turns OK once the platform has set it up: a
//! delay on the sandbox clock, independent of its DNS, kept across restarts.

use std::path::Path;
use std::time::Duration;

use mailshift_panel::{DomainKind, DomainStatus, PlatformId};
use mailshift_sandbox::{Sandbox, SandboxOptions};

const EXCHANGE: PlatformId = PlatformId(2);
const SETUP: Duration = Duration::from_secs(600);

fn opts() -> SandboxOptions {
    SandboxOptions {
        clock_factor: 0.0,
        domain_setup: SETUP,
        ..SandboxOptions::default()
    }
}

async fn start(home: &Path) -> Sandbox {
    tokio::time::timeout(Duration::from_secs(120), Sandbox::start(home, opts()))
        .await
        .expect("the sandbox starts in time")
        .expect("the sandbox starts")
}

fn status(sb: &Sandbox, domain: &str) -> DomainStatus {
    sb.panel()
        .platform(EXCHANGE)
        .unwrap()
        .domains
        .iter()
        .find(|d| d.name == domain)
        .unwrap_or_else(|| panic!("{domain} is not on the platform"))
        .status
        .clone()
}

#[tokio::test]
async fn a_new_domain_turns_ok_after_the_set_up_delay_even_across_a_restart() {
    let home = tempfile::tempdir().unwrap();
    let mut sb = start(home.path()).await;
    // No zone of this domain points anywhere: DNS stays red, the set-up still ends.
    sb.add_domain(EXCHANGE, "newdomain.test", DomainKind::NonAuthoritative)
        .unwrap();
    assert_eq!(status(&sb, "newdomain.test"), DomainStatus::setting_up());
    assert_eq!(
        sb.domain_setup_remaining(EXCHANGE, "newdomain.test"),
        Some(SETUP)
    );
    sb.clock().advance(SETUP / 2);
    assert!(!sb.promote_domains().unwrap(), "nothing is ready half way");
    assert!(status(&sb, "newdomain.test").is_pending());
    sb.shutdown().await;

    // The countdown survives the restart with the time it still needed.
    let mut sb = start(home.path()).await;
    assert!(status(&sb, "newdomain.test").is_pending());
    assert_eq!(
        sb.domain_setup_remaining(EXCHANGE, "newdomain.test"),
        Some(SETUP / 2)
    );
    sb.clock().advance(SETUP / 2);
    assert!(sb.promote_domains().unwrap());
    assert_eq!(status(&sb, "newdomain.test"), DomainStatus::Ok);
    assert_eq!(sb.domain_setup_remaining(EXCHANGE, "newdomain.test"), None);
    assert!(
        !sb.promote_domains().unwrap(),
        "a second look changes nothing"
    );
    sb.shutdown().await;

    // And OK is what the next start reads back.
    let sb = start(home.path()).await;
    assert_eq!(status(&sb, "newdomain.test"), DomainStatus::Ok);
    sb.shutdown().await;
}
