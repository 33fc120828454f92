//! Deriving the attribution tables after an ingest: issuances (cross-account copies stitched),
//! role sessions, hourly call volume, and the links between issuances (role chaining). Only
//! events newer than the watermark are read; links that new data can upgrade — a late issuing
//! call, the caller account's copy arriving after the role account's — are re-resolved.

use super::Result;
use super::link::{CallRef, StsCopyRef, build_issuance, is_role_session, link_call};
use crate::store::{self, Store};

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
    store::fold_calls(&tx, after, upto)?;

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
    retry.extend(touched);
    retry.sort_unstable();
    retry.dedup();
    for id in retry {
        if resolve_parent(&tx, id)? {
            report.links_observed += 1;
        }
    }
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
    if i.parent.is_some() || !is_role_session(&i.caller) {
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
