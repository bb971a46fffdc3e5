//! Moving what is not mail: calendars and tasks (CalDAV), contacts and contact groups
//! (CardDAV), inbox rules and the out-of-office (ManageSieve). Each option is a step
//! with item counters; a ledger of what was created makes rollback exact.

mod dav_copy;
pub(crate) mod ledger;
mod sieve_copy;
pub(crate) mod undo;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use mailshift_dav::DavAccount;
use mailshift_engine::imap::{Secret, TlsOptions};
use mailshift_panel::migration::MigrationOption;
use mailshift_sieve::SieveAccount;
use tokio_util::sync::CancellationToken;

use crate::record::{FailureKind, StepCounts, StepKind};
use crate::spec::{service_of, Credentials, EndpointSpec, Service, TaskSpec};
use ledger::Ledger;

pub use undo::Undone;

/// Default bound on connecting and on each groupware request.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A failure that stops a whole service (both sides must be reachable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceFailure {
    pub kind: FailureKind,
    pub text: String,
    /// What the user can change (a password, a server to name).
    pub remedy: Option<mailshift_net::Remedy>,
}

/// What the groupware steps did (or, before the run, what they will do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub counts: BTreeMap<StepKind, StepCounts>,
    /// Per-step sentences: what cannot move and why, what was kept.
    pub notes: BTreeMap<StepKind, Vec<String>>,
    /// Problems that did not stop the step (one item each).
    pub problems: Vec<String>,
    /// Steps stopped by a service failure, with the reason.
    pub failed: BTreeMap<StepKind, ServiceFailure>,
    /// Cancelled before the end.
    pub cancelled: bool,
}

impl Tally {
    pub(crate) fn count(&mut self, step: StepKind) -> &mut StepCounts {
        self.counts.entry(step).or_default()
    }

    pub(crate) fn note(&mut self, step: StepKind, text: String) {
        self.notes.entry(step).or_default().push(text);
    }
}

/// The groupware steps a spec asks for, in task order.
pub fn wanted_steps(spec: &TaskSpec) -> Vec<StepKind> {
    MigrationOption::ALL
        .into_iter()
        .filter(|o| spec.options.contains(*o))
        .filter_map(StepKind::of_option)
        .collect()
}

fn wanted_for(spec: &TaskSpec, service: Service) -> Vec<StepKind> {
    MigrationOption::ALL
        .into_iter()
        .filter(|o| spec.options.contains(*o) && service_of(*o) == Some(service))
        .filter_map(StepKind::of_option)
        .collect()
}

/// Everything one groupware pass needs.
pub(crate) struct Pass<'a> {
    pub spec: &'a TaskSpec,
    pub creds: &'a Credentials,
    pub state_dir: &'a Path,
    pub task_id: &'a str,
    pub cancel: CancellationToken,
    /// Look only: connect, list and check, write nothing.
    pub dry: bool,
}

impl Pass<'_> {
    fn timeout(&self) -> Duration {
        self.spec
            .tuning
            .timeout_secs
            .map_or(DEFAULT_TIMEOUT, Duration::from_secs)
    }

    /// Record in the task's ledger what it is about to create (before creating it, so a
    /// rollback finds it whatever happens next). A dry pass creates nothing.
    fn save(&self, ledger: &Ledger) -> Result<(), ServiceFailure> {
        if self.dry {
            return Ok(());
        }
        ledger
            .save(self.state_dir, self.task_id)
            .map_err(|e| ServiceFailure {
                kind: FailureKind::State,
                text: format!("cannot record what the task creates: {e}"),
                remedy: None,
            })
    }
}

fn tls_of(ep: &EndpointSpec) -> TlsOptions {
    TlsOptions {
        insecure: ep.insecure,
        ca_file: ep.ca_file.clone(),
    }
}

/// One side's CalDAV/CardDAV account (its IMAP login), if it has a DAV URL.
pub(crate) fn dav_account(
    ep: &EndpointSpec,
    password: &Secret,
    timeout: Duration,
) -> Option<DavAccount> {
    Some(DavAccount {
        base_url: ep.groupware.dav_url.clone()?,
        user: ep.login.clone(),
        password: password.clone(),
        tls: tls_of(ep),
        timeout,
    })
}

/// One side's ManageSieve account (its IMAP login), if it has a Sieve server.
pub(crate) fn sieve_account(
    ep: &EndpointSpec,
    password: &Secret,
    timeout: Duration,
) -> Option<SieveAccount> {
    let server = ep.groupware.sieve.as_ref()?;
    Some(SieveAccount {
        host: server.host.clone(),
        port: server.port,
        security: server.security,
        user: ep.login.clone(),
        password: password.clone(),
        tls: tls_of(ep),
        timeout,
    })
}

pub(crate) fn secret_of(creds: &Credentials, source: bool) -> &Secret {
    if source {
        &creds.source
    } else {
        &creds.destination
    }
}

/// Run (or, with `pass.dry`, rehearse) every groupware step the spec asks for.
/// `progress` is called after each item or script with the tally so far.
pub(crate) async fn run(pass: &Pass<'_>, progress: &mut (dyn FnMut(&Tally) + Send)) -> Tally {
    let mut tally = Tally::default();
    for step in wanted_steps(pass.spec) {
        tally.count(step);
    }
    let dav_steps = wanted_for(pass.spec, Service::Dav);
    if !dav_steps.is_empty() {
        if let Err(f) = dav_copy::run(pass, &dav_steps, &mut tally, progress).await {
            for s in &dav_steps {
                tally.failed.insert(*s, f.clone());
            }
        }
    }
    let sieve_steps = wanted_for(pass.spec, Service::Sieve);
    if !sieve_steps.is_empty() && !tally.cancelled {
        if pass.cancel.is_cancelled() {
            tally.cancelled = true;
        } else if let Err(f) = sieve_copy::run(pass, &sieve_steps, &mut tally, progress).await {
            for s in &sieve_steps {
                tally.failed.insert(*s, f.clone());
            }
        }
    }
    progress(&tally);
    tally
}

/// Look at both sides' groupware services and say what the destination cannot hold,
/// writing nothing anywhere. A failure (login refused, no calendar home, ...) means
/// the task must not start.
pub async fn rehearse(spec: &TaskSpec, creds: &Credentials) -> Result<Tally, ServiceFailure> {
    let nowhere = std::env::temp_dir();
    let pass = Pass {
        spec,
        creds,
        state_dir: &nowhere,
        task_id: "rehearsal",
        cancel: CancellationToken::new(),
        dry: true,
    };
    let tally = run(&pass, &mut |_| {}).await;
    match tally.failed.values().next() {
        Some(f) => Err(f.clone()),
        None => Ok(tally),
    }
}
