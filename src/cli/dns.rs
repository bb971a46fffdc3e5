//! `mailshift dns check`: the "Diagnostic" column, headless.

use clap::{Args, Subcommand};
use mailshift_dns::{
    check_domain, parse_nameserver, render_text, DomainReport, Lookup, PlatformKind,
};

use super::exit;

#[derive(Debug, Subcommand)]
pub enum DnsCommand {
    /// Compare a domain's DNS records with what its platform expects and
    /// print the fix for every red record. Exit 0 when all is green, 7 when
    /// something needs fixing.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The domain to check, e.g. example.com.
    pub domain: String,
    /// Platform the domain is attached to: exchange, emailpro or mxplan
    /// (default: the one whose records match best).
    #[arg(long, value_name = "KIND")]
    pub platform: Option<PlatformKind>,
    /// The platform's service host (autodiscover target), e.g. ex5.mail.ovh.net
    /// (default: the provider's host for that kind).
    #[arg(long, value_name = "HOST")]
    pub service_host: Option<String>,
    /// Ask this DNS server instead of the system resolver (IP or IP:PORT).
    #[arg(long, value_name = "IP[:PORT]")]
    pub nameserver: Option<String>,
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
}

fn service_host(kind: PlatformKind, given: &Option<String>) -> String {
    given
        .clone()
        .unwrap_or_else(|| mailshift_panel::facts(kind).endpoints.host.clone())
}

fn red_count(r: &DomainReport) -> usize {
    r.summary.missing + r.summary.wrong + r.summary.extra + r.summary.unreachable
}

pub async fn run(cmd: DnsCommand) -> i32 {
    let DnsCommand::Check(args) = cmd;
    let lookup = match &args.nameserver {
        Some(ns) => match parse_nameserver(ns) {
            Ok(addr) => Lookup::nameserver(addr),
            Err(e) => {
                eprintln!("mailshift: {e}");
                return exit::USAGE;
            }
        },
        None => match Lookup::system() {
            Ok(l) => l,
            Err(e) => {
                eprintln!(
                    "mailshift: {}",
                    super::advice::with_hint(&e.to_string(), e.remedy())
                );
                return exit::FAILURE;
            }
        },
    };
    let domain = args.domain.trim_end_matches('.').to_ascii_lowercase();
    let (report, guessed) = match args.platform {
        Some(kind) => (
            check_domain(
                &lookup,
                kind,
                &domain,
                &service_host(kind, &args.service_host),
            )
            .await,
            false,
        ),
        None => {
            let mut best: Option<DomainReport> = None;
            for kind in PlatformKind::ALL {
                let r = check_domain(
                    &lookup,
                    kind,
                    &domain,
                    &service_host(kind, &args.service_host),
                )
                .await;
                if best.as_ref().is_none_or(|b| red_count(&r) < red_count(b)) {
                    best = Some(r);
                }
            }
            (best.expect("three kinds checked"), true)
        }
    };
    // What to change to get a verdict where there is none, each once.
    let mut remedies = Vec::new();
    for r in report.checks.iter().filter_map(|c| c.remedy) {
        if !remedies.contains(&r) {
            remedies.push(r);
        }
    }
    let hints: Vec<String> = remedies.into_iter().map(super::advice::hint).collect();
    if args.json {
        let mut v = serde_json::to_value(&report).expect("report serializes");
        v["platform_guessed"] = serde_json::json!(guessed);
        v["hints"] = serde_json::json!(hints);
        println!("{v}");
    } else {
        if guessed {
            println!(
                "(platform guessed from the records: {}; pass --platform to choose)",
                report.platform
            );
        }
        let color = std::env::var_os("NO_COLOR").is_none()
            && std::io::IsTerminal::is_terminal(&std::io::stdout());
        print!("{}", render_text(&report, color));
        for h in &hints {
            println!("hint: {h}");
        }
    }
    if report.ok {
        exit::OK
    } else {
        exit::DNS_RED
    }
}
