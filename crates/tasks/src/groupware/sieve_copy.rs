//! Inbox rules and the out-of-office over ManageSieve: scripts without `vacation` are
//! rules, scripts with it are the out-of-office. Rules go first (an out-of-office may
//! `include` them). A name already taken by a different script gets `-migrated`.

use mailshift_sieve::{inspect, SieveClient, SieveError};

use super::ledger::{Activation, Ledger, PutScript};
use super::{secret_of, sieve_account, Pass, ServiceFailure, Tally};
use crate::record::{FailureKind, StepKind};

fn failure(side: &str, e: SieveError) -> ServiceFailure {
    let kind = match e {
        SieveError::Auth { .. } => FailureKind::Auth,
        SieveError::Connect { .. }
        | SieveError::Tls { .. }
        | SieveError::NoStartTls { .. }
        | SieveError::NeedsTls { .. }
        | SieveError::Timeout { .. } => FailureKind::Connect,
        _ => FailureKind::Other,
    };
    ServiceFailure {
        kind,
        text: format!("{side} ManageSieve: {e}"),
        remedy: None,
    }
}

async fn connect(pass: &Pass<'_>, source: bool) -> Result<SieveClient, ServiceFailure> {
    let (ep, side) = if source {
        (&pass.spec.source, "source")
    } else {
        (&pass.spec.destination, "destination")
    };
    let account =
        sieve_account(ep, secret_of(pass.creds, source), pass.timeout()).ok_or_else(|| {
            ServiceFailure {
                kind: FailureKind::Usage,
                text: format!("the {side} has no ManageSieve server configured"),
                remedy: None,
            }
        })?;
    SieveClient::connect(&account)
        .await
        .map_err(|e| failure(side, e))
}

/// A name for `wanted` on the destination that does not hide a different script.
fn free_name(wanted: &str, taken: &[String]) -> String {
    let base = format!("{wanted}-migrated");
    let mut name = base.clone();
    let mut n = 2;
    while taken.iter().any(|t| t == &name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

pub(crate) async fn run(
    pass: &Pass<'_>,
    steps: &[StepKind],
    tally: &mut Tally,
    progress: &mut (dyn FnMut(&Tally) + Send),
) -> Result<(), ServiceFailure> {
    let mut src = connect(pass, true).await?;
    let mut dst = connect(pass, false).await?;
    let src_list = src.list().await.map_err(|e| failure("source", e))?;
    let dst_list = dst.list().await.map_err(|e| failure("destination", e))?;
    let mut taken: Vec<String> = dst_list.iter().map(|s| s.name.clone()).collect();
    let dst_active = dst_list.iter().find(|s| s.active).map(|s| s.name.clone());

    // Read and sort: rules before out-of-office, each in the source's order.
    let mut scripts = Vec::new();
    for entry in &src_list {
        let text = src
            .get(&entry.name)
            .await
            .map_err(|e| failure("source", e))?;
        scripts.push((entry.clone(), text));
    }
    let mut ledger = match pass.dry {
        true => Ledger::default(),
        false => Ledger::load(pass.state_dir, pass.task_id).map_err(|e| ServiceFailure {
            kind: FailureKind::State,
            text: e,
            remedy: None,
        })?,
    };
    let mut classified = Vec::new();
    for (entry, text) in scripts {
        match inspect(&text) {
            Ok(facts) => {
                let step = if facts.uses_vacation {
                    StepKind::OutOfOffice
                } else {
                    StepKind::InboxRules
                };
                classified.push((step, entry, text, facts));
            }
            Err(e) => {
                // Unclassifiable: count it against the rules, refuse it with the reason.
                if steps.contains(&StepKind::InboxRules) {
                    let c = tally.count(StepKind::InboxRules);
                    c.total += 1;
                    c.refused += 1;
                    tally.problems.push(format!(
                        "Sieve script {:?} is not a valid script ({e}); it was not copied",
                        entry.name
                    ));
                }
            }
        }
    }
    classified.sort_by_key(|(step, ..)| *step == StepKind::OutOfOffice);

    // What the destination's Sieve offers does not change during the session.
    let caps = dst.capabilities().clone();
    let mut activate: Option<(StepKind, String)> = None;
    for (step, entry, text, facts) in classified {
        if !steps.contains(&step) {
            continue;
        }
        if pass.cancel.is_cancelled() {
            tally.cancelled = true;
            break;
        }
        tally.count(step).total += 1;
        let missing: Vec<&String> = facts
            .requires
            .iter()
            .filter(|r| !caps.supports(r))
            .collect();
        if !missing.is_empty() {
            tally.count(step).refused += 1;
            let list: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
            tally.note(
                step,
                format!(
                    "script {:?} needs Sieve extension(s) {} that the destination does not offer: recreate it by hand",
                    entry.name,
                    list.join(", ")
                ),
            );
            progress(tally);
            continue;
        }
        // Same name on the destination: identical means already there.
        let mut target = entry.name.clone();
        if taken.contains(&target) {
            let theirs = dst
                .get(&target)
                .await
                .map_err(|e| failure("destination", e))?;
            if theirs == text {
                tally.count(step).present += 1;
                if entry.active {
                    activate = Some((step, target));
                }
                progress(tally);
                continue;
            }
            // Maybe an earlier run already copied it under the new name.
            let mut found = None;
            for t in taken
                .iter()
                .filter(|t| t.starts_with(&format!("{target}-migrated")))
            {
                if dst.get(t).await.map_err(|e| failure("destination", e))? == text {
                    found = Some(t.clone());
                    break;
                }
            }
            if let Some(t) = found {
                tally.count(step).present += 1;
                if entry.active {
                    activate = Some((step, t));
                }
                progress(tally);
                continue;
            }
            let renamed = free_name(&target, &taken);
            tally.note(
                step,
                format!("the destination already has a different script {target:?}; the source's is copied as {renamed:?}"),
            );
            target = renamed;
        }
        if let Err(e) = dst.have_space(&target, text.len()).await {
            tally.count(step).refused += 1;
            tally.note(
                step,
                format!(
                    "script {:?} does not fit on the destination: {e}",
                    entry.name
                ),
            );
            progress(tally);
            continue;
        }
        if let Err(e) = dst.check(&text).await {
            tally.count(step).refused += 1;
            tally.note(
                step,
                format!("the destination refuses script {:?}: {e}", entry.name),
            );
            progress(tally);
            continue;
        }
        if pass.dry {
            if entry.active {
                activate = Some((step, target));
            }
            continue;
        }
        ledger.scripts.push(PutScript {
            name: target.clone(),
            step,
        });
        pass.save(&ledger)?;
        match dst.put(&target, &text).await {
            Ok(()) => {
                tally.count(step).copied += 1;
                taken.push(target.clone());
                if entry.active {
                    activate = Some((step, target));
                }
            }
            Err(e @ (SieveError::Rejected { .. } | SieveError::Quota { .. })) => {
                ledger.scripts.retain(|s| s.name != target);
                pass.save(&ledger)?;
                tally.count(step).failed += 1;
                tally.problems.push(format!(
                    "the destination refused Sieve script {:?}: {e}",
                    entry.name
                ));
            }
            Err(e) => return Err(failure("destination", e)),
        }
        progress(tally);
    }

    if let Some((step, name)) = activate {
        match &dst_active {
            Some(active) if active == &name => {}
            Some(active) => tally.note(
                step,
                format!(
                    "the destination runs its own script {active:?}; {name:?} was copied but not activated: activate it when you are ready"
                ),
            ),
            None if pass.dry => {}
            None => {
                ledger.activation = Some(Activation {
                    activated: name.clone(),
                    previous: None,
                });
                pass.save(&ledger)?;
                dst.set_active(Some(&name))
                    .await
                    .map_err(|e| failure("destination", e))?;
                tally.note(step, format!("{name:?} is the active script, as on the source"));
            }
        }
    }
    let _ = src.logout().await;
    let _ = dst.logout().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::free_name;

    #[test]
    fn a_taken_name_gets_a_migrated_suffix_that_is_free() {
        let taken = vec!["rules".to_string(), "rules-migrated".to_string()];
        assert_eq!(free_name("rules", &taken), "rules-migrated-2");
        assert_eq!(free_name("vacation", &taken), "vacation-migrated");
    }
}
