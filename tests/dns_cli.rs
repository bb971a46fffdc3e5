//! `mailshift dns check` against a DNS server started on 127.0.0.1.

mod support;

use std::process::Command;

use mailshift_dns::{expected_records, PlatformKind, RecordKind, SimClock, ZoneRecord, ZoneServer};

const HOST: &str = "ssl0.ovh.net";

fn check(port: u16, domain: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let out = Command::new(support::bin())
        .args(["dns", "check", domain, "--nameserver"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["--json"])
        .args(extra)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), json)
}

#[test]
fn green_domain_exits_0_and_a_domain_still_pointing_elsewhere_exits_7_with_fixes() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt
        .block_on(ZoneServer::start(
            "127.0.0.1:0".parse().unwrap(),
            SimClock::manual(),
        ))
        .unwrap();
    let healthy: Vec<ZoneRecord> = expected_records(PlatformKind::MxPlan, "good.test", HOST)
        .into_iter()
        .map(|e| e.record)
        .collect();
    server.set_records("good.test", healthy).unwrap();
    server
        .set_records(
            "moved.test",
            vec![
                ZoneRecord::new("moved.test", RecordKind::Mx, "10 mx.oldhost.example."),
                ZoneRecord::new(
                    "moved.test",
                    RecordKind::Txt,
                    "v=spf1 include:_spf.oldhost.example ~all",
                ),
            ],
        )
        .unwrap();
    let port = server.local_addr().port();

    let (code, json) = check(
        port,
        "good.test",
        &["--platform", "mxplan", "--service-host", HOST],
    );
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["ok"], true);

    let (code, json) = check(port, "moved.test", &["--platform", "mxplan"]);
    assert_eq!(code, 7, "{json}");
    assert!(
        json["red_flag"]
            .as_str()
            .unwrap()
            .contains("mx.oldhost.example"),
        "{json}"
    );
    let checks = json["checks"].as_array().unwrap();
    assert!(
        checks.iter().any(|c| c["verdict"] == "missing"
            && c["fix"]["record"]
                .as_str()
                .unwrap_or("")
                .contains("mx1.mail.ovh.net")),
        "{json}"
    );

    // Without --platform the best-matching kind is picked and said so.
    let (_, json) = check(port, "good.test", &[]);
    assert_eq!(json["platform_guessed"], true);
    assert_eq!(json["ok"], true, "{json}");
    drop(server);
}
