//! Deriving the attribution tables after an ingest: issuances (cross-account copies stitched),
//! role sessions, call volume (the roll-ups), and the links between issuances (role chaining). Only
//! events newer than the watermark are read; links that new data can upgrade — a late issuing
//! call, the caller account's copy arriving after the role account's — are re-resolved.

use super::Result;
use super::link::{CallRef, StsCopyRef, build_issuance, is_session, link_call};
use crate::model::Issuance;
use crate::store::{self, SessionKey, Store};

/// STS copies read per query: bounds memory on a first derivation over millions of events.
const BATCH: i64 = 5_000;

/// What a refresh did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RefreshReport {
    /// Events folded in (`events.id` above the old watermark).
    pub events: i64,
    /// STS issuing-call copies read.
    pub sts_copies: i64,
    /// Issuances that gained a parent link in this refresh.
    pub links_observed: i64,
    /// Credentials seen signing calls that were linked to their issuing call in this refresh.
    pub session_keys_linked: i64,
}

/// Folds every event cached since the last refresh into the attribution tables, in one
/// transaction. Idempotent: a second call with nothing new does nothing. The transaction takes
/// the write lock before it reads the watermark, so two processes refreshing one cache take turns
/// instead of the second failing.
pub fn refresh(store: &mut Store) -> Result<RefreshReport> {
    let tx = store.begin_write()?;
    let after = store::load_watermark(&tx)?;
    let upto = store::load_max_event_row(&tx)?;
    let mut report = RefreshReport::default();
    if upto <= after {
        return Ok(report);
    }
    report.events = upto - after;
    let mut touched = Vec::new();
    let mut from = after;
    loop {
        let copies = store::load_sts_copies(&tx, from, upto, BATCH)?;
        let Some(last) = copies.last() else { break };
        from = last.cached.row;
        for c in &copies {
            let ev = &c.cached.event;
            let copy = StsCopyRef {
                row: c.cached.row,
                event_id: &ev.event_id,
                time_ms: ev.time_ms,
                event_name: &ev.event_name,
                error_code: ev.error_code.as_deref(),
                account_id: ev.account_id.as_deref(),
                region: ev.region.as_deref(),
                source_ip: ev.source_ip.as_deref(),
                shared_event_id: ev.shared_event_id.as_deref(),
                identity: &ev.identity,
                caller_provider: c.caller_provider.as_deref(),
                sts: &c.sts,
            };
            let key = copy.shared_event_id.unwrap_or(copy.event_id);
            let existing = store::load_issuance_by_dedup(&tx, key)?;
            let issuance = build_issuance(existing, &copy);
            let id = store::insert_issuance(&tx, &issuance)?;
            if !issuance.failed {
                store::insert_session_from_issuance(&tx, &issuance)?;
            }
            touched.push(id);
        }
        report.sts_copies += copies.len() as i64;
    }
    // Calls counted once into `principals`, `session_keys` and the roll-ups, in one pass.
    store::fold_events(&tx, after, upto)?;

    // Link the touched issuances to their callers' sessions, then give every issuance whose
    // caller was left unlinked a second chance against the issuances this batch brought.
    touched.sort_unstable();
    touched.dedup();
    let mut retry = Vec::new();
    for &id in &touched {
        let Some(i) = store::load_issuance(&tx, id)? else {
            continue;
        };
        if !i.failed {
            retry.extend(store::load_unlinked_callers_of(
                &tx,
                i.issued_key.as_deref(),
                i.principal_id.as_deref(),
            )?);
        }
    }
    retry.extend(touched.iter().copied());
    retry.sort_unstable();
    retry.dedup();
    for id in retry {
        if resolve_parent(&tx, id)? {
            report.links_observed += 1;
        }
    }
    report.session_keys_linked = link_session_keys(&tx, after, &touched)?;
    store::insert_watermark(&tx, upto)?;
    tx.commit()?;
    Ok(report)
}

/// Links an issuance whose caller is a role session to that session's own issuance. Returns
/// whether a link was made.
fn resolve_parent(conn: &rusqlite::Connection, id: i64) -> Result<bool> {
    let Some(i) = store::load_issuance(conn, id)? else {
        return Ok(false);
    };
    if i.parent.is_some() || !is_session(&i.caller) {
        return Ok(false);
    }
    let call = CallRef::of(&i.caller, i.issued_ms);
    let mut candidates = store::load_link_candidates(
        conn,
        call.access_key,
        call.principal_id,
        call.session_created_ms,
        call.time_ms,
    )?;
    // A session never issued its own credentials; this also keeps cycles out of the table.
    candidates.retain(|c| c.id != i.id && c.issued_ms <= i.issued_ms + 1000);
    let Some((n, kind)) = link_call(&call, &candidates) else {
        return Ok(false);
    };
    store::insert_parent_link(conn, id, candidates[n].id, kind.as_str())?;
    Ok(true)
}

/// Links the credentials seen signing calls (`session_keys`) to the issuances they came from:
/// every unlinked row this refresh changed, and — after a first derivation — the unlinked rows
/// an issuance new in this refresh can claim (a late issuing call). Completes an issuance whose
/// response named no session from the calls signed with its key. Returns the links made.
fn link_session_keys(conn: &rusqlite::Connection, after: i64, touched: &[i64]) -> Result<i64> {
    let mut links = Vec::new();
    for (key, by_key) in store::load_changed_unlinked_with_key_candidates(conn, after)? {
        links.extend(decide(conn, &key, by_key)?);
    }
    // On a first derivation every row was changed, and was just linked above. Afterwards, the
    // unlinked rows the touched issuances may claim, each decided once however many of them
    // name it (a late day of issuing calls touches thousands of one session's).
    if after > 0 {
        let mut rows: Vec<SessionKey> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for &id in touched {
            let Some(i) = store::load_issuance(conn, id)? else {
                continue;
            };
            if i.failed {
                continue;
            }
            for row in store::load_unlinked_session_keys_near(
                conn,
                i.issued_key.as_deref(),
                i.principal_id.as_deref(),
                i.issued_ms,
            )? {
                if seen.insert(row.id) {
                    rows.push(row);
                }
            }
        }
        for key in rows {
            let call = call_of(&key);
            let candidates = store::load_link_candidates(
                conn,
                call.access_key,
                call.principal_id,
                call.session_created_ms,
                call.time_ms,
            )?;
            links.extend(decide(conn, &key, candidates)?);
        }
    }
    links.sort_unstable_by_key(|l| l.row);
    links.dedup_by_key(|l| l.row);
    for l in &links {
        store::insert_session_key_link(conn, l.row, l.issuance, l.rule)?;
        if let Some(principal) = &l.complete {
            store::insert_issuance_principal(conn, l.issuance, principal)?;
            if let Some(i) = store::load_issuance(conn, l.issuance)? {
                store::insert_session_from_issuance(conn, &i)?;
            }
        }
    }
    Ok(links.len() as i64)
}

/// What a `session_keys` row is, as a call to link.
fn call_of(key: &SessionKey) -> CallRef<'_> {
    CallRef {
        time_ms: key.first_ms,
        access_key: key.access_key.as_deref(),
        principal_id: Some(&key.principal),
        session_created_ms: key.created_ms,
        role_arn: key.role.as_deref(),
    }
}

/// A `session_keys` row linked to the issuance its credentials came from.
struct KeyLink {
    row: i64,
    issuance: i64,
    rule: &'static str,
    /// The principal to complete the issuance with, when its response named no session.
    complete: Option<String>,
}

/// The link of one row. The access-key candidates come with the row; the creation-date rule's
/// are loaded only when the key found nothing.
fn decide(
    conn: &rusqlite::Connection,
    key: &SessionKey,
    mut candidates: Vec<Issuance>,
) -> Result<Option<KeyLink>> {
    let call = call_of(key);
    if link_call(&call, &candidates).is_none() && key.created_ms.is_some() {
        let more = store::load_link_candidates(
            conn,
            None,
            call.principal_id,
            call.session_created_ms,
            call.time_ms,
        )?;
        for m in more {
            if !candidates.iter().any(|c| c.id == m.id) {
                candidates.push(m);
            }
        }
    }
    Ok(link_call(&call, &candidates).map(|(n, kind)| {
        let i = &candidates[n];
        KeyLink {
            row: key.id,
            issuance: i.id,
            rule: kind.as_str(),
            complete: i.principal_id.is_none().then(|| key.principal.clone()),
        }
    }))
}
