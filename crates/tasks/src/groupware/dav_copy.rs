//! Calendars, tasks, contacts and contact groups over CalDAV/CardDAV. Each source
//! collection maps to the destination collection with the same last path segment
//! (created with the source's name, colour and description when missing); each object
//! keeps its file name and bytes. `If-None-Match: *` makes a re-run skip what is there.

use std::collections::HashSet;

use futures::stream::{self, StreamExt};
use mailshift_dav::item::{inspect, ItemKind};
use mailshift_dav::{Collection, CollectionKind, DavClient, DavError, Object, PutOutcome};

use super::ledger::{Ledger, PutObject};
use super::{dav_account, secret_of, Pass, ServiceFailure, Tally};
use crate::record::{FailureKind, StepKind};

/// Objects fetched at once from the source.
const FETCH_AHEAD: usize = 8;

fn failure(side: &str, e: DavError) -> ServiceFailure {
    let kind = match e {
        DavError::Auth { .. } => FailureKind::Auth,
        DavError::Connect { .. }
        | DavError::Tls { .. }
        | DavError::Timeout { .. }
        | DavError::NotDav { .. }
        | DavError::BadUrl { .. } => FailureKind::Connect,
        _ => FailureKind::Other,
    };
    ServiceFailure {
        kind,
        text: format!("{side} CalDAV/CardDAV: {e}"),
        remedy: None,
    }
}

fn client(pass: &Pass<'_>, source: bool) -> Result<DavClient, ServiceFailure> {
    let (ep, side) = if source {
        (&pass.spec.source, "source")
    } else {
        (&pass.spec.destination, "destination")
    };
    let account =
        dav_account(ep, secret_of(pass.creds, source), pass.timeout()).ok_or_else(|| {
            ServiceFailure {
                kind: FailureKind::Usage,
                text: format!("the {side} has no CalDAV/CardDAV URL configured"),
                remedy: None,
            }
        })?;
    DavClient::new(account).map_err(|e| failure(side, e))
}

/// The last path segment of an href (`/u/cal/work/` -> `work`, `/u/cal/x.ics` -> `x.ics`).
pub(crate) fn segment(href: &str) -> &str {
    href.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

/// A segment as a person typed it (`my%20cal` -> `my cal`); invalid escapes stay as they are.
fn decode_segment(segment: &str) -> String {
    let b = segment.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| segment.to_string())
}

/// Which steps a source collection feeds.
fn feeds(c: &Collection) -> Vec<StepKind> {
    match c.kind {
        CollectionKind::AddressBook => vec![StepKind::Contacts, StepKind::ContactGroups],
        CollectionKind::Calendar => {
            let has = |x: &str| c.props.components.iter().any(|k| k.eq_ignore_ascii_case(x));
            if c.props.components.is_empty() {
                vec![StepKind::Calendars, StepKind::Tasks]
            } else {
                let mut v = Vec::new();
                if has("VEVENT") || has("VJOURNAL") {
                    v.push(StepKind::Calendars);
                }
                if has("VTODO") {
                    v.push(StepKind::Tasks);
                }
                v
            }
        }
    }
}

fn collection_word(kind: CollectionKind) -> &'static str {
    match kind {
        CollectionKind::Calendar => "calendar",
        CollectionKind::AddressBook => "address book",
    }
}

pub(crate) async fn run(
    pass: &Pass<'_>,
    steps: &[StepKind],
    tally: &mut Tally,
    progress: &mut (dyn FnMut(&Tally) + Send),
) -> Result<(), ServiceFailure> {
    let src = client(pass, true)?;
    let dst = client(pass, false)?;
    let src_homes = src.discover().await.map_err(|e| failure("source", e))?;
    let dst_homes = dst
        .discover()
        .await
        .map_err(|e| failure("destination", e))?;
    let mut ledger = match pass.dry {
        true => Ledger::default(),
        false => Ledger::load(pass.state_dir, pass.task_id).map_err(|e| ServiceFailure {
            kind: FailureKind::State,
            text: e,
            remedy: None,
        })?,
    };
    let wants_calendars = steps
        .iter()
        .any(|s| matches!(s, StepKind::Calendars | StepKind::Tasks));
    let wants_contacts = steps
        .iter()
        .any(|s| matches!(s, StepKind::Contacts | StepKind::ContactGroups));
    let homes = [
        (
            wants_calendars,
            CollectionKind::Calendar,
            src_homes.calendars.clone(),
            dst_homes.calendars.clone(),
        ),
        (
            wants_contacts,
            CollectionKind::AddressBook,
            src_homes.contacts.clone(),
            dst_homes.contacts.clone(),
        ),
    ];
    for (wanted, kind, src_home, dst_home) in homes {
        if !wanted || tally.cancelled {
            continue;
        }
        let these: Vec<StepKind> = steps
            .iter()
            .copied()
            .filter(|s| match kind {
                CollectionKind::Calendar => matches!(s, StepKind::Calendars | StepKind::Tasks),
                CollectionKind::AddressBook => {
                    matches!(s, StepKind::Contacts | StepKind::ContactGroups)
                }
            })
            .collect();
        let Some(src_home) = src_home else {
            for s in &these {
                tally.note(
                    *s,
                    format!(
                        "the source has no {} home: nothing to move",
                        collection_word(kind)
                    ),
                );
            }
            continue;
        };
        let Some(dst_home) = dst_home else {
            return Err(ServiceFailure {
                kind: FailureKind::Usage,
                text: format!(
                    "the destination offers no {} home, so it cannot hold {}: untick them",
                    collection_word(kind),
                    these
                        .iter()
                        .map(|s| s.label())
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
                remedy: None,
            });
        };
        let src_cols = src
            .collections(&src_home)
            .await
            .map_err(|e| failure("source", e))?;
        let dst_cols = dst
            .collections(&dst_home)
            .await
            .map_err(|e| failure("destination", e))?;
        for col in src_cols.into_iter().filter(|c| c.kind == kind) {
            let feeding: Vec<StepKind> = feeds(&col)
                .into_iter()
                .filter(|s| these.contains(s))
                .collect();
            if feeding.is_empty() {
                continue;
            }
            if pass.cancel.is_cancelled() {
                tally.cancelled = true;
                break;
            }
            copy_collection(
                pass,
                &src,
                &dst,
                &col,
                &dst_home,
                &dst_cols,
                &feeding,
                &mut ledger,
                tally,
                progress,
            )
            .await?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn copy_collection(
    pass: &Pass<'_>,
    src: &DavClient,
    dst: &DavClient,
    col: &Collection,
    dst_home: &str,
    dst_cols: &[Collection],
    feeding: &[StepKind],
    ledger: &mut Ledger,
    tally: &mut Tally,
    progress: &mut (dyn FnMut(&Tally) + Send),
) -> Result<(), ServiceFailure> {
    let name = segment(&col.href).to_string();
    let shown = col
        .props
        .display_name
        .clone()
        .unwrap_or_else(|| name.clone());
    let word = collection_word(col.kind);
    let existing = dst_cols
        .iter()
        .find(|c| segment(&c.href) == name && c.kind == col.kind);
    let (dst_href, present): (Option<String>, HashSet<String>) = match existing {
        Some(c) => {
            let objs = dst
                .objects(&c.href)
                .await
                .map_err(|e| failure("destination", e))?;
            (
                Some(c.href.clone()),
                objs.iter().map(|o| segment(&o.href).to_string()).collect(),
            )
        }
        None if pass.dry => (None, HashSet::new()),
        None => {
            let href = format!("{}/{name}/", dst_home.trim_end_matches('/'));
            ledger.collections.push(href.clone());
            pass.save(ledger)?;
            match dst
                .create_collection(dst_home, &decode_segment(&name), &col.props, col.kind)
                .await
            {
                Ok(created) => {
                    if created != href {
                        ledger.collections.retain(|h| h != &href);
                        ledger.collections.push(created.clone());
                        pass.save(ledger)?;
                    }
                    (Some(created), HashSet::new())
                }
                Err(DavError::AlreadyExists(_)) => {
                    ledger.collections.retain(|h| h != &href);
                    pass.save(ledger)?;
                    let objs = dst
                        .objects(&href)
                        .await
                        .map_err(|e| failure("destination", e))?;
                    (
                        Some(href),
                        objs.iter().map(|o| segment(&o.href).to_string()).collect(),
                    )
                }
                Err(e) => {
                    ledger.collections.retain(|h| h != &href);
                    pass.save(ledger)?;
                    return Err(failure("destination", e));
                }
            }
        }
    };
    if pass.dry {
        // A rehearsal checks the homes and collections only; items are judged one by one
        // when they move (an invalid one is refused with its reason, the rest goes on).
        return Ok(());
    }
    let refs = src
        .objects(&col.href)
        .await
        .map_err(|e| failure("source", e))?;
    let item_kind = match col.kind {
        CollectionKind::Calendar => ItemKind::Calendar,
        CollectionKind::AddressBook => ItemKind::Contact,
    };
    // vCard 4.0 where the address book offers it (else, or if unsure, the server's own
    // version); the destination receives the bytes as served.
    let accept = match col.kind {
        CollectionKind::AddressBook if src.offers_vcard4(&col.href).await.unwrap_or(false) => {
            Some(mailshift_dav::ACCEPT_VCARD4)
        }
        _ => None,
    };
    let mut fetched = stream::iter(refs.into_iter().map(|r| {
        let src = src.clone();
        async move {
            let got = src.get_as(&r.href, accept).await;
            (r.href, got)
        }
    }))
    .buffered(FETCH_AHEAD);
    while let Some((href, got)) = fetched.next().await {
        let file = segment(&href).to_string();
        let obj: Object = match got {
            Ok(o) => o,
            Err(DavError::Http { status: 404, .. }) => continue, // deleted meanwhile
            Err(e) => {
                pass.save(ledger)?;
                return Err(failure("source", e));
            }
        };
        let info = match inspect(item_kind, &obj.body) {
            Ok(info) => info,
            Err(e) => {
                let step = feeding[0];
                let c = tally.count(step);
                c.total += 1;
                c.refused += 1;
                tally.problems.push(format!(
                    "{word} {shown:?}: {file} is not valid ({e}); it was not copied, the rest goes on"
                ));
                progress(tally);
                continue;
            }
        };
        let step = match item_kind {
            ItemKind::Calendar => {
                let only_todo =
                    !info.components.is_empty() && info.components.iter().all(|c| c == "VTODO");
                if only_todo {
                    StepKind::Tasks
                } else {
                    StepKind::Calendars
                }
            }
            ItemKind::Contact if info.is_group => StepKind::ContactGroups,
            ItemKind::Contact => StepKind::Contacts,
        };
        if !feeding.contains(&step) {
            continue;
        }
        tally.count(step).total += 1;
        if present.contains(&file) {
            tally.count(step).present += 1;
            progress(tally);
            continue;
        }
        if pass.cancel.is_cancelled() {
            tally.cancelled = true;
            break;
        }
        let Some(dst_col) = &dst_href else {
            // Rehearsal of a collection that does not exist yet: it would be copied.
            continue;
        };
        if pass.dry {
            continue;
        }
        let target = format!("{dst_col}{file}");
        ledger.objects.push(PutObject {
            href: target.clone(),
            step,
            etag: None,
        });
        pass.save(ledger)?;
        match dst.put_new(&target, &obj.content_type, &obj.body).await {
            Ok(PutOutcome::Created { etag }) => {
                ledger.set_etag(&target, etag);
                tally.count(step).copied += 1;
            }
            Ok(PutOutcome::AlreadyExists) => {
                ledger.forget_object(&target);
                tally.count(step).present += 1;
            }
            Err(
                e @ (DavError::Auth { .. }
                | DavError::Connect { .. }
                | DavError::Tls { .. }
                | DavError::Timeout { .. }),
            ) => {
                pass.save(ledger)?;
                return Err(failure("destination", e));
            }
            Err(e) => {
                ledger.forget_object(&target);
                tally.count(step).failed += 1;
                tally.problems.push(format!(
                    "{word} {shown:?}: the destination refused {file} ({e}); a further run retries it"
                ));
            }
        }
        progress(tally);
    }
    // The ETags learnt since the last announcement.
    pass.save(ledger)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailshift_dav::CollectionProps;

    #[test]
    fn segments_of_collections_and_objects() {
        assert_eq!(segment("/u/calendars/work/"), "work");
        assert_eq!(segment("/u/calendars/work/ev%201.ics"), "ev%201.ics");
        assert_eq!(decode_segment("my%20cal%C3%A9"), "my calé");
        assert_eq!(decode_segment("100%"), "100%");
    }

    #[test]
    fn a_calendar_feeds_the_steps_of_its_components() {
        let cal = |components: &[&str]| Collection {
            href: "/c/".into(),
            kind: CollectionKind::Calendar,
            props: CollectionProps {
                components: components.iter().map(|s| s.to_string()).collect(),
                ..CollectionProps::default()
            },
        };
        assert_eq!(feeds(&cal(&["VEVENT"])), vec![StepKind::Calendars]);
        assert_eq!(feeds(&cal(&["VTODO"])), vec![StepKind::Tasks]);
        assert_eq!(feeds(&cal(&[])), vec![StepKind::Calendars, StepKind::Tasks]);
    }
}
