//! The diagnostic against a real DNS server: dnsmasq (Debian package dnsmasq-base) started
//! on 127.0.0.1 with records given on its command line, covering each verdict.

mod support;

use mailshift_dns::{
    check_domain, render_text, DomainReport, FixAction, Lookup, Observed, PlatformKind, RecordKind,
    Verdict, ZoneRecord,
};
use std::time::Duration;
use support::{zone_with, Dnsmasq, SERVICE_HOST};

const CHECK_LIMIT: Duration = Duration::from_secs(30);

/// dnsmasq flags serving `records`.
fn flags(records: &[ZoneRecord]) -> Vec<String> {
    records
        .iter()
        .map(|r| {
            let f: Vec<&str> = r.value.split_whitespace().collect();
            match r.kind {
                RecordKind::Mx => format!("--mx-host={},{},{}", r.name, f[1], f[0]),
                RecordKind::Txt => {
                    assert!(!r.value.contains(','), "dnsmasq splits TXT on commas");
                    format!("--txt-record={},{}", r.name, r.value)
                }
                RecordKind::Srv => {
                    format!("--srv-host={},{},{},{},{}", r.name, f[3], f[2], f[0], f[1])
                }
                RecordKind::Cname => format!("--cname={},{}", r.name, r.value),
                RecordKind::A => format!("--host-record={},{}", r.name, r.value),
            }
        })
        .collect()
}

/// Start dnsmasq for these zones, or skip (reported as SKIPPED; a failure under CI,
/// where .ci/run installs it) when it is not installed. Installed but failing to start
/// is a failure everywhere.
fn dnsmasq(domains: &[&str], records: &[ZoneRecord]) -> Option<Dnsmasq> {
    let installed = support::dnsmasq_binary().is_some();
    if !mailshift_testkit::require(installed, "dnsmasq", "apt-get install -y dnsmasq-base") {
        return None;
    }
    Some(Dnsmasq::start(domains, &flags(records)).expect("dnsmasq is installed"))
}

async fn check(server: &Dnsmasq, kind: PlatformKind, domain: &str) -> DomainReport {
    let lookup = Lookup::nameserver(server.addr);
    tokio::time::timeout(
        CHECK_LIMIT,
        check_domain(&lookup, kind, domain, SERVICE_HOST),
    )
    .await
    .expect("a domain check must never hang")
}

#[tokio::test]
async fn real_dns_healthy_and_missing_zones() {
    let healthy = zone_with(PlatformKind::Exchange, "healthy.test", &[], &[]);
    let partial = zone_with(
        PlatformKind::Exchange,
        "partial.test",
        &[
            ("partial.test", RecordKind::Txt),
            ("_autodiscover._tcp.partial.test", RecordKind::Srv),
            ("_dmarc.partial.test", RecordKind::Txt),
        ],
        &[],
    );
    let all: Vec<ZoneRecord> = healthy.into_iter().chain(partial).collect();
    let Some(server) = dnsmasq(&["healthy.test", "partial.test"], &all) else {
        return;
    };

    let r = check(&server, PlatformKind::Exchange, "healthy.test").await;
    assert!(r.ok, "{}", render_text(&r, false));
    assert!(r.checks.iter().all(|c| c.verdict == Verdict::Ok));

    let r = check(&server, PlatformKind::Exchange, "partial.test").await;
    assert!(!r.ok);
    let srv = r
        .checks
        .iter()
        .find(|c| c.rtype == RecordKind::Srv)
        .unwrap();
    assert_eq!(srv.verdict, Verdict::Missing);
    assert_eq!(srv.observed, Observed::NxDomain);
    assert_eq!(
        srv.fix.as_ref().unwrap().record,
        format!("_autodiscover._tcp.partial.test. 3600 IN SRV 0 0 443 {SERVICE_HOST}.")
    );
    assert_eq!(r.summary.missing, 2, "SPF and autodiscover");
    assert_eq!(r.summary.warnings, 1, "DMARC is optional");
}

#[tokio::test]
async fn real_dns_mx_elsewhere_extra_mx_and_spf_rules() {
    let moved = zone_with(
        PlatformKind::MxPlan,
        "moved.test",
        &[("moved.test", RecordKind::Mx)],
        &[ZoneRecord::new(
            "moved.test",
            RecordKind::Mx,
            "10 mx.oldmail.example",
        )],
    );
    let extra = zone_with(
        PlatformKind::MxPlan,
        "extra.test",
        &[("extra.test", RecordKind::Txt)],
        &[
            ZoneRecord::new("extra.test", RecordKind::Mx, "50 backup.oldmail.example"),
            ZoneRecord::new(
                "extra.test",
                RecordKind::Txt,
                "v=spf1 ip4:192.0.2.10 include:mx.ovh.com include:_spf.oldmail.example -all",
            ),
        ],
    );
    let twospf = zone_with(
        PlatformKind::MxPlan,
        "twospf.test",
        &[("twospf.test", RecordKind::Txt)],
        &[
            ZoneRecord::new(
                "twospf.test",
                RecordKind::Txt,
                "v=spf1 include:mx.ovh.com ~all",
            ),
            ZoneRecord::new(
                "twospf.test",
                RecordKind::Txt,
                "v=spf1 include:_spf.oldmail.example ~all",
            ),
        ],
    );
    let all: Vec<ZoneRecord> = moved.into_iter().chain(extra).chain(twospf).collect();
    let Some(server) = dnsmasq(&["moved.test", "extra.test", "twospf.test"], &all) else {
        return;
    };

    let r = check(&server, PlatformKind::MxPlan, "moved.test").await;
    assert!(r
        .red_flag
        .as_deref()
        .unwrap()
        .starts_with("mail still goes to mx.oldmail.example"));
    let wrong = r
        .checks
        .iter()
        .find(|c| c.verdict == Verdict::Wrong)
        .unwrap();
    assert_eq!(wrong.fix.as_ref().unwrap().action, FixAction::Remove);

    let r = check(&server, PlatformKind::MxPlan, "extra.test").await;
    assert!(r.red_flag.is_none());
    assert_eq!(r.summary.extra, 1);
    assert_eq!(
        r.summary.wrong, 0,
        "SPF with the include among others is ok"
    );
    let extra = r
        .checks
        .iter()
        .find(|c| c.verdict == Verdict::Extra)
        .unwrap();
    assert_eq!(
        extra.fix.as_ref().unwrap().record,
        "extra.test. 3600 IN MX 50 backup.oldmail.example."
    );

    let r = check(&server, PlatformKind::MxPlan, "twospf.test").await;
    let spf = r
        .checks
        .iter()
        .find(|c| c.rtype == RecordKind::Txt && c.name == "twospf.test")
        .unwrap();
    assert_eq!(spf.verdict, Verdict::Wrong);
    assert_eq!(spf.fix.as_ref().unwrap().replaces.len(), 2);
}

#[tokio::test]
async fn real_dns_refusal_is_unreachable() {
    // dnsmasq has no upstream: a domain it is not told about is refused.
    let Some(server) = dnsmasq(&["known.test"], &[]) else {
        return;
    };
    let r = check(&server, PlatformKind::MxPlan, "unknown.test").await;
    assert!(!r.ok);
    assert!(
        r.checks.iter().all(|c| c.verdict == Verdict::Unreachable),
        "{r:#?}"
    );
    let text = render_text(&r, false);
    assert!(text.contains("unreachable"));
    assert!(
        !text.contains("Fixes"),
        "no fix can be proposed without an answer"
    );
}
