//! The diagnostic proper: expected records vs observed answers, one verdict per record and
//! the exact fix (record to add, change or remove), gathered into a report per domain.

use crate::expected::{expected_records, ExpectedRecord, Match};
use crate::lookup::{Lookup, Observed};
use crate::platform::PlatformKind;
use crate::record::{normalize_name, value_host, RecordKind, ZoneRecord};
use crate::spf;
use crate::zone_server::RecordChange;
use serde::Serialize;
use std::collections::HashMap;

/// The judgement on one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Ok,
    Missing,
    Wrong,
    Extra,
    Unreachable,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Missing => "missing",
            Verdict::Wrong => "wrong",
            Verdict::Extra => "extra",
            Verdict::Unreachable => "unreachable",
        }
    }
}

/// What to do in the DNS zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixAction {
    Add,
    Change,
    Remove,
}

impl FixAction {
    pub fn as_str(self) -> &'static str {
        match self {
            FixAction::Add => "add",
            FixAction::Change => "change",
            FixAction::Remove => "remove",
        }
    }
}

/// The operation that turns a red record green.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub action: FixAction,
    /// The record to add, to change to, or to remove, as a zone-file line.
    pub record: String,
    pub explanation: String,
    /// The record as data (what `record` shows).
    pub target: ZoneRecord,
    /// For a change, the records it replaces.
    pub replaces: Vec<ZoneRecord>,
}

impl Fix {
    fn new(action: FixAction, target: ZoneRecord, replaces: Vec<ZoneRecord>, why: String) -> Fix {
        Fix {
            action,
            record: target.zone_line(),
            explanation: why,
            target,
            replaces,
        }
    }

    /// The zone edits this fix stands for (a change is remove-then-add).
    pub fn changes(&self) -> Vec<RecordChange> {
        match self.action {
            FixAction::Add => vec![RecordChange::Add(self.target.clone())],
            FixAction::Remove => vec![RecordChange::Remove(self.target.clone())],
            FixAction::Change => self
                .replaces
                .iter()
                .cloned()
                .map(RecordChange::Remove)
                .chain(std::iter::once(RecordChange::Add(self.target.clone())))
                .collect(),
        }
    }
}

/// One line of the diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordCheck {
    pub name: String,
    pub rtype: RecordKind,
    /// The expected value; `None` for an extra record.
    pub expected: Option<String>,
    pub observed: Observed,
    pub verdict: Verdict,
    /// Missing optional records are warnings, not errors.
    pub required: bool,
    pub purpose: String,
    pub fix: Option<Fix>,
    /// Why the verdict, when it is not obvious (e.g. what to retry).
    pub note: Option<String>,
    /// What the user can change to get a verdict (worded by the CLI or the panel).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remedy: Option<mailshift_net::Remedy>,
}

impl RecordCheck {
    /// Red in the panel: everything but ok and a missing optional record.
    pub fn is_red(&self) -> bool {
        match self.verdict {
            Verdict::Ok => false,
            Verdict::Missing => self.required,
            _ => true,
        }
    }

    /// A missing optional record.
    pub fn is_warning(&self) -> bool {
        self.verdict == Verdict::Missing && !self.required
    }
}

/// Counts per verdict; `missing` counts required records, `warnings` optional ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub ok: usize,
    pub missing: usize,
    pub wrong: usize,
    pub extra: usize,
    pub unreachable: usize,
    pub warnings: usize,
}

/// The diagnostic for one domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DomainReport {
    pub domain: String,
    pub platform: PlatformKind,
    /// Who was asked (`system resolver`, `nameserver 127.0.0.1:5353`).
    pub source: String,
    pub checks: Vec<RecordCheck>,
    pub summary: Summary,
    /// True when nothing is red.
    pub ok: bool,
    /// The main red flag after a migration: mail still delivered to another provider.
    pub red_flag: Option<String>,
}

impl DomainReport {
    /// All the fixes, in order.
    pub fn fixes(&self) -> impl Iterator<Item = &Fix> {
        self.checks.iter().filter_map(|c| c.fix.as_ref())
    }
}

/// Ask DNS for every record the platform expects on `domain` and judge each one.
pub async fn check_domain(
    lookup: &Lookup,
    kind: PlatformKind,
    domain: &str,
    service_host: &str,
) -> DomainReport {
    lookup.clear_cache();
    let expected = expected_records(kind, domain, service_host);
    let mut questions: Vec<(String, RecordKind)> = Vec::new();
    for e in &expected {
        let q = (e.record.name.clone(), e.record.kind);
        if !questions.contains(&q) {
            questions.push(q);
        }
    }
    let answers =
        futures::future::join_all(questions.iter().map(|(name, k)| lookup.query(name, *k))).await;
    let observed: HashMap<(String, RecordKind), Observed> =
        questions.into_iter().zip(answers).collect();
    diagnose(kind, domain, lookup.source(), &expected, &observed)
}

/// Judge expected records against observed answers (pure; `check_domain` feeds it).
pub fn diagnose(
    kind: PlatformKind,
    domain: &str,
    source: &str,
    expected: &[ExpectedRecord],
    observed: &HashMap<(String, RecordKind), Observed>,
) -> DomainReport {
    let mut checks = Vec::new();
    let mut red_flag = None;
    let mut done: Vec<(String, RecordKind)> = Vec::new();
    for e in expected {
        let key = (e.record.name.clone(), e.record.kind);
        if done.contains(&key) {
            continue;
        }
        let group: Vec<&ExpectedRecord> = expected
            .iter()
            .filter(|x| x.record.name == key.0 && x.record.kind == key.1)
            .collect();
        let obs = observed
            .get(&key)
            .cloned()
            .unwrap_or_else(|| Observed::Error("not asked".into()));
        if obs.is_unreachable() {
            checks.extend(group.iter().map(|x| unreachable(x, &obs)));
        } else if key.1 == RecordKind::Mx {
            checks.extend(check_mx(&group, &obs, &mut red_flag));
        } else {
            checks.extend(group.iter().map(|x| check_one(x, &obs)));
        }
        done.push(key);
    }
    let mut summary = Summary::default();
    for c in &checks {
        match c.verdict {
            Verdict::Ok => summary.ok += 1,
            Verdict::Missing if c.required => summary.missing += 1,
            Verdict::Missing => summary.warnings += 1,
            Verdict::Wrong => summary.wrong += 1,
            Verdict::Extra => summary.extra += 1,
            Verdict::Unreachable => summary.unreachable += 1,
        }
    }
    DomainReport {
        domain: normalize_name(domain),
        platform: kind,
        source: source.to_string(),
        ok: !checks.iter().any(RecordCheck::is_red),
        checks,
        summary,
        red_flag,
    }
}

fn base(e: &ExpectedRecord, obs: &Observed, verdict: Verdict) -> RecordCheck {
    RecordCheck {
        name: e.record.name.clone(),
        rtype: e.record.kind,
        expected: Some(e.record.value.clone()),
        observed: obs.clone(),
        verdict,
        required: e.required,
        purpose: e.purpose.clone(),
        fix: None,
        note: None,
        remedy: None,
    }
}

fn unreachable(e: &ExpectedRecord, obs: &Observed) -> RecordCheck {
    let mut c = base(e, obs, Verdict::Unreachable);
    c.note = Some(format!(
        "no usable answer ({}): nothing can be concluded; check the domain's nameservers",
        obs.describe()
    ));
    c.remedy = Some(mailshift_net::Remedy::Nameserver);
    c
}

fn missing(e: &ExpectedRecord, obs: &Observed) -> RecordCheck {
    let mut c = base(e, obs, Verdict::Missing);
    let why = if e.required {
        format!("{} is missing: add it", e.purpose)
    } else {
        format!("{} is not set (optional): add it if wanted", e.purpose)
    };
    c.fix = Some(Fix::new(FixAction::Add, e.record.clone(), vec![], why));
    c
}

fn records_of(e: &ExpectedRecord, values: &[String]) -> Vec<ZoneRecord> {
    values
        .iter()
        .map(|v| ZoneRecord::new(&e.record.name, e.record.kind, v))
        .collect()
}

fn check_one(e: &ExpectedRecord, obs: &Observed) -> RecordCheck {
    let values = obs.values();
    match &e.rule {
        Match::SpfInclude { include } => {
            let spfs: Vec<String> = values.iter().filter(|v| spf::is_spf(v)).cloned().collect();
            match spfs.len() {
                0 => missing(e, obs),
                1 if spf::has_include(&spfs[0], include) => base(e, obs, Verdict::Ok),
                1 => {
                    let mut c = base(e, obs, Verdict::Wrong);
                    let new = ZoneRecord::new(
                        &e.record.name,
                        e.record.kind,
                        &spf::add_include(&spfs[0], include),
                    );
                    let why = format!(
                        "SPF does not authorise {include}: mail sent from the platform may be rejected as spoofed; add include:{include}"
                    );
                    c.fix = Some(Fix::new(FixAction::Change, new, records_of(e, &spfs), why));
                    c
                }
                n => {
                    let mut c = base(e, obs, Verdict::Wrong);
                    let new =
                        ZoneRecord::new(&e.record.name, e.record.kind, &spf::merge(&spfs, include));
                    let why = format!(
                        "{n} SPF records: receivers treat this as a permanent error and SPF fails for every message; replace them with this single merged record"
                    );
                    c.fix = Some(Fix::new(FixAction::Change, new, records_of(e, &spfs), why));
                    c
                }
            }
        }
        Match::Prefix { prefix } => {
            let p = prefix.to_ascii_lowercase();
            let found: Vec<String> = values
                .iter()
                .filter(|v| v.to_ascii_lowercase().starts_with(&p))
                .cloned()
                .collect();
            match found.len() {
                0 => missing(e, obs),
                1 => base(e, obs, Verdict::Ok),
                n => {
                    let mut c = base(e, obs, Verdict::Wrong);
                    let keep = ZoneRecord::new(&e.record.name, e.record.kind, &found[0]);
                    let why =
                        format!("{n} {prefix} records: receivers ignore them all; keep only one");
                    c.fix = Some(Fix::new(
                        FixAction::Change,
                        keep,
                        records_of(e, &found),
                        why,
                    ));
                    c
                }
            }
        }
        Match::Exact => {
            if values
                .iter()
                .any(|v| v.eq_ignore_ascii_case(&e.record.value))
            {
                base(e, obs, Verdict::Ok)
            } else if values.is_empty() {
                missing(e, obs)
            } else {
                let mut c = base(e, obs, Verdict::Wrong);
                let why = format!(
                    "{} points elsewhere ({}): change it to the platform's value",
                    e.purpose,
                    values.join(", ")
                );
                c.fix = Some(Fix::new(
                    FixAction::Change,
                    e.record.clone(),
                    records_of(e, values),
                    why,
                ));
                c
            }
        }
    }
}

fn mx_parts(value: &str) -> (Option<u16>, String) {
    let pref = value.split_whitespace().next().and_then(|p| p.parse().ok());
    (pref, value_host(RecordKind::Mx, value).unwrap_or_default())
}

fn check_mx(
    group: &[&ExpectedRecord],
    obs: &Observed,
    red_flag: &mut Option<String>,
) -> Vec<RecordCheck> {
    let values = obs.values();
    let observed: Vec<(Option<u16>, String, &String)> = values
        .iter()
        .map(|v| {
            let (p, h) = mx_parts(v);
            (p, h, v)
        })
        .collect();
    let expected_hosts: Vec<String> = group.iter().map(|e| mx_parts(&e.record.value).1).collect();
    let any_expected_present = observed.iter().any(|(_, h, _)| expected_hosts.contains(h));
    let mut checks = Vec::new();
    for e in group {
        let (pref, host) = mx_parts(&e.record.value);
        match observed.iter().find(|(_, h, _)| *h == host) {
            None => checks.push(missing(e, obs)),
            Some((p, _, _)) if *p == pref => checks.push(base(e, obs, Verdict::Ok)),
            Some((_, _, raw)) => {
                let mut c = base(e, obs, Verdict::Wrong);
                let why = format!(
                    "{host} is set as \"{raw}\" instead of \"{}\": change its priority",
                    e.record.value
                );
                c.fix = Some(Fix::new(
                    FixAction::Change,
                    e.record.clone(),
                    records_of(e, &[(*raw).clone()]),
                    why,
                ));
                checks.push(c);
            }
        }
    }
    let name = &group[0].record.name;
    let foreign: Vec<&(Option<u16>, String, &String)> = observed
        .iter()
        .filter(|(_, h, _)| !expected_hosts.contains(h))
        .collect();
    if !any_expected_present && !foreign.is_empty() {
        let hosts: Vec<&str> = foreign.iter().map(|(_, h, _)| h.as_str()).collect();
        *red_flag = Some(format!(
            "mail still goes to {}: the MX records of {name} point to another provider, so new messages never reach the platform; replace them with the platform's MX records",
            hosts.join(", ")
        ));
    }
    for (_, host, raw) in foreign {
        let record = ZoneRecord::new(name, RecordKind::Mx, raw);
        let (verdict, why) = if any_expected_present {
            (
                Verdict::Extra,
                format!("{host} is not one of the platform's mail exchangers: some mail may be delivered there; remove it"),
            )
        } else {
            (
                Verdict::Wrong,
                format!("mail still goes to {host} (another provider): remove this MX and add the platform's MX records"),
            )
        };
        checks.push(RecordCheck {
            name: name.clone(),
            rtype: RecordKind::Mx,
            expected: None,
            observed: Observed::Records(vec![(*raw).clone()]),
            verdict,
            required: true,
            purpose: "mail exchanger".into(),
            fix: Some(Fix::new(FixAction::Remove, record, vec![], why)),
            note: None,
            remedy: None,
        });
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOMAIN: &str = "example.com";

    fn rec(v: &[&str]) -> Observed {
        Observed::Records(v.iter().map(|s| s.to_string()).collect())
    }

    /// A fully correct MX Plan zone, with overrides.
    fn run(overrides: &[((&str, RecordKind), Observed)]) -> DomainReport {
        let expected = expected_records(PlatformKind::MxPlan, DOMAIN, "unused");
        let mut observed: HashMap<(String, RecordKind), Observed> = HashMap::new();
        observed.insert(
            (DOMAIN.into(), RecordKind::Mx),
            rec(&[
                "1 mx1.mail.ovh.net",
                "5 mx2.mail.ovh.net",
                "100 mx3.mail.ovh.net",
            ]),
        );
        observed.insert(
            (DOMAIN.into(), RecordKind::Txt),
            rec(&["v=spf1 include:mx.ovh.com ~all"]),
        );
        observed.insert(
            ("_autodiscover._tcp.example.com".into(), RecordKind::Srv),
            rec(&["0 0 443 mailconfig.ovh.net"]),
        );
        observed.insert(
            ("_dmarc.example.com".into(), RecordKind::Txt),
            rec(&["v=DMARC1; p=none"]),
        );
        for ((name, kind), obs) in overrides {
            observed.insert((name.to_string(), *kind), obs.clone());
        }
        diagnose(PlatformKind::MxPlan, DOMAIN, "test", &expected, &observed)
    }

    fn verdicts(r: &DomainReport) -> Vec<Verdict> {
        r.checks.iter().map(|c| c.verdict).collect()
    }

    #[test]
    fn a_correct_zone_is_all_ok() {
        let r = run(&[]);
        assert!(r.ok, "{r:#?}");
        assert!(verdicts(&r).iter().all(|v| *v == Verdict::Ok));
        assert_eq!(r.summary.ok, r.checks.len());
        assert!(r.red_flag.is_none());
    }

    #[test]
    fn mx_to_another_provider_is_the_red_flag() {
        let r = run(&[((DOMAIN, RecordKind::Mx), rec(&["10 mx.oldmail.example"]))]);
        assert!(!r.ok);
        let flag = r.red_flag.as_deref().unwrap();
        assert!(
            flag.starts_with("mail still goes to mx.oldmail.example"),
            "{flag}"
        );
        let old = r.checks.iter().find(|c| c.expected.is_none()).unwrap();
        assert_eq!(old.verdict, Verdict::Wrong);
        let fix = old.fix.as_ref().unwrap();
        assert_eq!(fix.action, FixAction::Remove);
        assert_eq!(fix.record, "example.com. 3600 IN MX 10 mx.oldmail.example.");
        assert_eq!(r.summary.missing, 3);
    }

    #[test]
    fn extra_mx_next_to_the_platform_ones_is_extra() {
        let r = run(&[(
            (DOMAIN, RecordKind::Mx),
            rec(&[
                "1 mx1.mail.ovh.net",
                "5 mx2.mail.ovh.net",
                "100 mx3.mail.ovh.net",
                "50 backup.example",
            ]),
        )]);
        assert_eq!(r.summary.extra, 1);
        assert!(r.red_flag.is_none());
        let extra = r
            .checks
            .iter()
            .find(|c| c.verdict == Verdict::Extra)
            .unwrap();
        assert_eq!(extra.fix.as_ref().unwrap().action, FixAction::Remove);
    }

    #[test]
    fn wrong_priority_is_a_change() {
        let r = run(&[(
            (DOMAIN, RecordKind::Mx),
            rec(&[
                "10 mx1.mail.ovh.net",
                "5 mx2.mail.ovh.net",
                "100 mx3.mail.ovh.net",
            ]),
        )]);
        let c = &r.checks[0];
        assert_eq!(c.verdict, Verdict::Wrong);
        let fix = c.fix.as_ref().unwrap();
        assert_eq!(fix.action, FixAction::Change);
        assert_eq!(fix.replaces[0].value, "10 mx1.mail.ovh.net");
        assert_eq!(fix.changes().len(), 2);
    }

    #[test]
    fn spf_partial_credit_and_double_spf() {
        let r = run(&[(
            (DOMAIN, RecordKind::Txt),
            rec(&[
                "v=spf1 ip4:192.0.2.1 include:mx.ovh.com include:_spf.google.com -all",
                "site-verify=1",
            ]),
        )]);
        assert!(r.ok, "include among other mechanisms is fine");
        let r = run(&[(
            (DOMAIN, RecordKind::Txt),
            rec(&[
                "v=spf1 include:mx.ovh.com ~all",
                "v=spf1 include:_spf.google.com ~all",
            ]),
        )]);
        let spf = r
            .checks
            .iter()
            .find(|c| c.rtype == RecordKind::Txt)
            .unwrap();
        assert_eq!(spf.verdict, Verdict::Wrong);
        let fix = spf.fix.as_ref().unwrap();
        assert_eq!(
            fix.target.value,
            "v=spf1 include:mx.ovh.com include:_spf.google.com ~all"
        );
        assert_eq!(fix.replaces.len(), 2);
        assert!(fix.explanation.contains("2 SPF records"));
    }

    #[test]
    fn missing_optional_is_a_warning_and_unreachable_is_red() {
        let r = run(&[(("_dmarc.example.com", RecordKind::Txt), Observed::NxDomain)]);
        assert!(r.ok);
        assert_eq!(r.summary.warnings, 1);
        let r = run(&[((DOMAIN, RecordKind::Txt), Observed::Timeout)]);
        assert!(!r.ok);
        assert_eq!(r.summary.unreachable, 1);
        assert!(r
            .checks
            .iter()
            .all(|c| c.verdict != Verdict::Unreachable || c.fix.is_none()));
    }
}
