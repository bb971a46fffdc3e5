//! The diagnostic against the in-process zone server on 127.0.0.1: each verdict, SPF rules,
//! unreachable servers, and propagation on the simulated clock.

mod support;

use mailshift_dns::{
    check_domain, render_text, FixAction, Lookup, Observed, PlatformKind, PropagationDelay,
    RecordKind, SimClock, Verdict, ZoneRecord, ZoneServer,
};
use std::time::Duration;
use support::{healthy_zone, zone_with, SilentServer, SERVICE_HOST};

const DOMAIN: &str = "shop.example";
/// No test may wait longer than this for a whole domain check.
const CHECK_LIMIT: Duration = Duration::from_secs(30);

async fn server() -> ZoneServer {
    ZoneServer::start("127.0.0.1:0".parse().unwrap(), SimClock::manual())
        .await
        .expect("start zone server on loopback")
}

async fn check(
    server_addr: std::net::SocketAddr,
    kind: PlatformKind,
) -> mailshift_dns::DomainReport {
    let lookup = Lookup::nameserver(server_addr);
    tokio::time::timeout(
        CHECK_LIMIT,
        check_domain(&lookup, kind, DOMAIN, SERVICE_HOST),
    )
    .await
    .expect("a domain check must never hang")
}

fn mx(value: &str) -> ZoneRecord {
    ZoneRecord::new(DOMAIN, RecordKind::Mx, value)
}

fn txt(value: &str) -> ZoneRecord {
    ZoneRecord::new(DOMAIN, RecordKind::Txt, value)
}

#[tokio::test]
async fn a_healthy_exchange_zone_is_all_ok() {
    let s = server().await;
    assert!(s.local_addr().ip().is_loopback());
    s.set_records(DOMAIN, healthy_zone(PlatformKind::Exchange, DOMAIN))
        .unwrap();
    let r = check(s.local_addr(), PlatformKind::Exchange).await;
    assert!(r.ok, "{}", render_text(&r, false));
    assert!(r.checks.iter().all(|c| c.verdict == Verdict::Ok));
    assert_eq!(r.summary.ok, r.checks.len());
    assert!(r.fixes().next().is_none());
}

#[tokio::test]
async fn missing_records_get_an_add_fix_and_optional_ones_are_warnings() {
    let s = server().await;
    let zone = zone_with(
        PlatformKind::Exchange,
        DOMAIN,
        &[
            (DOMAIN, RecordKind::Txt),
            ("selector1._domainkey.shop.example", RecordKind::Cname),
            ("_dmarc.shop.example", RecordKind::Txt),
        ],
        &[],
    );
    s.set_records(DOMAIN, zone).unwrap();
    let r = check(s.local_addr(), PlatformKind::Exchange).await;
    assert!(!r.ok);
    let spf = r
        .checks
        .iter()
        .find(|c| c.rtype == RecordKind::Txt && c.name == DOMAIN)
        .unwrap();
    assert_eq!(spf.verdict, Verdict::Missing);
    assert_eq!(spf.observed, Observed::NoRecords);
    let fix = spf.fix.as_ref().unwrap();
    assert_eq!(fix.action, FixAction::Add);
    assert_eq!(
        fix.record,
        "shop.example. 3600 IN TXT \"v=spf1 include:mx.ovh.com ~all\""
    );
    let dmarc = r
        .checks
        .iter()
        .find(|c| c.name == "_dmarc.shop.example")
        .unwrap();
    assert_eq!(dmarc.observed, Observed::NxDomain);
    assert!(dmarc.is_warning());
    assert_eq!(r.summary.missing, 1);
    assert_eq!(r.summary.warnings, 2);
}

#[tokio::test]
async fn mx_at_another_provider_is_wrong_and_raises_the_red_flag() {
    let s = server().await;
    let zone = zone_with(
        PlatformKind::MxPlan,
        DOMAIN,
        &[(DOMAIN, RecordKind::Mx)],
        &[mx("10 mx.oldmail.example"), mx("20 mx2.oldmail.example")],
    );
    s.set_records(DOMAIN, zone).unwrap();
    let r = check(s.local_addr(), PlatformKind::MxPlan).await;
    assert!(!r.ok);
    let flag = r.red_flag.as_deref().expect("red flag");
    assert!(
        flag.starts_with("mail still goes to mx.oldmail.example"),
        "{flag}"
    );
    let wrong: Vec<_> = r
        .checks
        .iter()
        .filter(|c| c.verdict == Verdict::Wrong)
        .collect();
    assert_eq!(wrong.len(), 2);
    assert!(wrong
        .iter()
        .all(|c| c.fix.as_ref().unwrap().action == FixAction::Remove));
    assert_eq!(
        r.summary.missing, 3,
        "the platform's three MX must be added"
    );
    let text = render_text(&r, false);
    assert!(text.contains("RED FLAG: mail still goes to"));
    assert!(text.contains("REMOVE  shop.example. 3600 IN MX 10 mx.oldmail.example."));
}

#[tokio::test]
async fn wrong_srv_target_is_a_change_and_extra_mx_a_removal() {
    let s = server().await;
    let zone = zone_with(
        PlatformKind::Exchange,
        DOMAIN,
        &[("_autodiscover._tcp.shop.example", RecordKind::Srv)],
        &[
            ZoneRecord::new(
                "_autodiscover._tcp.shop.example",
                RecordKind::Srv,
                "0 0 443 autodiscover.oldmail.example",
            ),
            mx("50 backup.oldmail.example"),
        ],
    );
    s.set_records(DOMAIN, zone).unwrap();
    let r = check(s.local_addr(), PlatformKind::Exchange).await;
    let srv = r
        .checks
        .iter()
        .find(|c| c.rtype == RecordKind::Srv)
        .unwrap();
    assert_eq!(srv.verdict, Verdict::Wrong);
    let fix = srv.fix.as_ref().unwrap();
    assert_eq!(fix.action, FixAction::Change);
    assert_eq!(fix.target.value, format!("0 0 443 {SERVICE_HOST}"));
    assert_eq!(
        fix.replaces[0].value,
        "0 0 443 autodiscover.oldmail.example"
    );
    let extra = r
        .checks
        .iter()
        .find(|c| c.verdict == Verdict::Extra)
        .unwrap();
    assert_eq!(
        extra.fix.as_ref().unwrap().record,
        "shop.example. 3600 IN MX 50 backup.oldmail.example."
    );
    assert!(
        r.red_flag.is_none(),
        "the platform's MX are there: not the red flag"
    );
    assert_eq!((r.summary.wrong, r.summary.extra), (1, 1));
}

#[tokio::test]
async fn spf_include_among_other_mechanisms_is_ok_and_two_spf_records_are_wrong() {
    let s = server().await;
    let other_spf = "v=spf1 ip4:192.0.2.10 include:_spf.oldmail.example include:mx.ovh.com -all";
    let zone = zone_with(
        PlatformKind::MxPlan,
        DOMAIN,
        &[(DOMAIN, RecordKind::Txt)],
        &[txt(other_spf), txt("site-verification=abc")],
    );
    s.set_records(DOMAIN, zone).unwrap();
    let r = check(s.local_addr(), PlatformKind::MxPlan).await;
    assert!(r.ok, "{}", render_text(&r, false));

    let zone = zone_with(
        PlatformKind::MxPlan,
        DOMAIN,
        &[(DOMAIN, RecordKind::Txt)],
        &[
            txt("v=spf1 include:mx.ovh.com ~all"),
            txt("v=spf1 include:_spf.oldmail.example ~all"),
        ],
    );
    s.set_records(DOMAIN, zone).unwrap();
    let r = check(s.local_addr(), PlatformKind::MxPlan).await;
    let spf = r
        .checks
        .iter()
        .find(|c| c.rtype == RecordKind::Txt && c.name == DOMAIN)
        .unwrap();
    assert_eq!(spf.verdict, Verdict::Wrong);
    let fix = spf.fix.as_ref().unwrap();
    assert_eq!(fix.action, FixAction::Change);
    assert_eq!(fix.replaces.len(), 2);
    assert_eq!(
        fix.target.value,
        "v=spf1 include:mx.ovh.com include:_spf.oldmail.example ~all"
    );

    let zone = zone_with(
        PlatformKind::MxPlan,
        DOMAIN,
        &[(DOMAIN, RecordKind::Txt)],
        &[txt("v=spf1 include:_spf.oldmail.example ~all")],
    );
    s.set_records(DOMAIN, zone).unwrap();
    let r = check(s.local_addr(), PlatformKind::MxPlan).await;
    let spf = r
        .checks
        .iter()
        .find(|c| c.rtype == RecordKind::Txt && c.name == DOMAIN)
        .unwrap();
    assert_eq!(spf.verdict, Verdict::Wrong);
    assert_eq!(
        spf.fix.as_ref().unwrap().target.value,
        "v=spf1 include:mx.ovh.com include:_spf.oldmail.example ~all"
    );
}

#[tokio::test]
async fn a_nameserver_that_never_answers_is_unreachable_not_a_hang() {
    let silent = SilentServer::start();
    let lookup = Lookup::nameserver(silent.addr);
    let r = tokio::time::timeout(
        CHECK_LIMIT,
        check_domain(&lookup, PlatformKind::MxPlan, DOMAIN, SERVICE_HOST),
    )
    .await
    .expect("the check must finish even when nobody answers");
    assert!(!r.ok);
    assert!(
        r.checks.iter().all(|c| c.verdict == Verdict::Unreachable),
        "{r:#?}"
    );
    assert!(r.checks.iter().all(|c| c.fix.is_none() && c.note.is_some()));
    assert!(r.checks.iter().all(|c| c.observed.is_unreachable()));
    assert_eq!(r.summary.unreachable, r.checks.len());
}

#[tokio::test]
async fn servfail_is_unreachable() {
    let s = server().await;
    s.set_records(DOMAIN, healthy_zone(PlatformKind::MxPlan, DOMAIN))
        .unwrap();
    s.set_failing(DOMAIN, true);
    let r = check(s.local_addr(), PlatformKind::MxPlan).await;
    assert!(r.checks.iter().all(|c| c.verdict == Verdict::Unreachable));
    assert!(r.checks.iter().all(|c| c.observed == Observed::ServFail));
    s.set_failing(DOMAIN, false);
    assert!(check(s.local_addr(), PlatformKind::MxPlan).await.ok);
}

#[tokio::test]
async fn fixes_propagate_only_when_the_simulated_clock_passes_their_time() {
    let clock = SimClock::manual();
    let s = ZoneServer::start("127.0.0.1:0".parse().unwrap(), clock.clone())
        .await
        .unwrap();
    let zone = zone_with(
        PlatformKind::MxPlan,
        DOMAIN,
        &[(DOMAIN, RecordKind::Mx), (DOMAIN, RecordKind::Txt)],
        &[
            mx("10 mx.oldmail.example"),
            txt("v=spf1 include:_spf.oldmail.example ~all"),
        ],
    );
    s.set_records(DOMAIN, zone).unwrap();
    let before = check(s.local_addr(), PlatformKind::MxPlan).await;
    assert!(!before.ok);

    let mut delays = PropagationDelay::new(42);
    let mut latest = clock.now();
    for fix in before.fixes() {
        let visible_at = clock.now().after(delays.next_delay());
        latest = latest.max(visible_at);
        for change in fix.changes() {
            s.apply_change(DOMAIN, change, visible_at).unwrap();
        }
    }
    let pending = s.pending();
    assert!(!pending.is_empty());
    assert!(pending.iter().all(|p| p.remaining >= PropagationDelay::MIN));

    // Three simulated hours later: nothing has propagated yet.
    clock.advance(Duration::from_secs(3 * 3600));
    let still = check(s.local_addr(), PlatformKind::MxPlan).await;
    assert_eq!(still.red_flag, before.red_flag);
    assert_eq!(s.pending().len(), pending.len());

    clock.advance(latest.remaining_from(clock.now()));
    let after = check(s.local_addr(), PlatformKind::MxPlan).await;
    assert!(after.ok, "{}", render_text(&after, false));
    assert!(after.red_flag.is_none());
    assert!(s.pending().is_empty());
    let mx_now: Vec<_> = s
        .records(DOMAIN)
        .into_iter()
        .filter(|r| r.kind == RecordKind::Mx)
        .collect();
    assert_eq!(mx_now.len(), 3, "{mx_now:?}");
    assert!(mx_now.iter().all(|r| r.value.ends_with(".mail.ovh.net")));
}

#[tokio::test]
async fn lookups_tell_nxdomain_from_no_records_and_the_report_serialises() {
    let s = server().await;
    s.set_records(DOMAIN, healthy_zone(PlatformKind::MxPlan, DOMAIN))
        .unwrap();
    let lookup = Lookup::nameserver(s.local_addr());
    assert_eq!(
        lookup.query("nowhere.shop.example", RecordKind::Txt).await,
        Observed::NxDomain
    );
    assert_eq!(
        lookup.query(DOMAIN, RecordKind::Cname).await,
        Observed::NoRecords
    );
    assert_eq!(
        lookup.query("elsewhere.example", RecordKind::Mx).await,
        Observed::ServFail,
        "a zone we do not serve is refused"
    );
    let r = check(s.local_addr(), PlatformKind::MxPlan).await;
    let json: serde_json::Value = serde_json::to_value(&r).unwrap();
    assert_eq!(json["platform"], "mxplan");
    assert_eq!(json["ok"], true);
    assert_eq!(json["checks"][0]["verdict"], "ok");
    assert_eq!(json["checks"][0]["observed"]["status"], "records");
}

#[tokio::test]
async fn the_server_stops_when_dropped() {
    let s = server().await;
    s.set_records(DOMAIN, healthy_zone(PlatformKind::MxPlan, DOMAIN))
        .unwrap();
    let addr = s.local_addr();
    drop(s);
    // Wait for the shutdown itself (the socket closing), not a fixed time.
    let lookup = Lookup::nameserver(addr);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let answer = lookup.query(DOMAIN, RecordKind::Mx).await;
        if answer.is_unreachable() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still answering 10 s after drop: {answer:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
