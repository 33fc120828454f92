//! The Chain tab: the whole chain from the origin to a session on one screen, with each hop's
//! calls and failures in the scope, and what the session started (or tried to) in it.

use rusqlite::Connection;
use serde::Serialize;

use super::Result;
use super::chain::chain_of_session_before;
use super::started::{StartedLine, build_started_from};
use crate::model::{Chain, HOUR_MS, Scope, ceil_hour};
use crate::store::{self, Breakdown, EntityColumn, lookup_string};

/// One hop's calls in the scope.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HopCounts {
    pub ok: i64,
    pub failed: i64,
    /// Failed calls by API and error code (`AttachRolePolicy`, `AccessDenied`), busiest first.
    pub failures: Vec<(String, String, i64)>,
}

/// The Chain tab's data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainView {
    pub chain: Chain,
    /// One per hop of `chain`, in the same order.
    pub hops: Vec<HopCounts>,
    /// Sessions the last hop started in the scope, and its failed attempts.
    pub started: Vec<StartedLine>,
    pub scope: Scope,
}

/// The chain of the session `principal` (its latest issuance) with counts in `scope`.
pub fn build_chain_view(
    conn: &Connection,
    principal: &str,
    scope: Scope,
) -> Result<Option<ChainView>> {
    // The session as it was in the scope: its latest issuance before the scope ends.
    let Some(chain) = chain_of_session_before(conn, principal, principal, Some(scope.end_ms))?
    else {
        return Ok(None);
    };
    let mut hops = Vec::with_capacity(chain.hops.len());
    for h in &chain.hops {
        let id = match h.principal_id.as_deref() {
            Some(p) => lookup_string(conn, p)?,
            None => None,
        };
        let Some(id) = id else {
            hops.push(HopCounts::default());
            continue;
        };
        let (ok, failed) = store::load_hours(
            conn,
            id,
            scope.start_ms / HOUR_MS,
            ceil_hour(scope.end_ms) / HOUR_MS,
        )?
        .iter()
        .fold((0, 0), |(o, f), (_, ok, failed)| (o + ok, f + failed));
        let failures = if failed > 0 {
            store::load_breakdown(conn, EntityColumn::Principal, id, scope, Breakdown::Failure)?
                .into_iter()
                .map(|r| {
                    (
                        r.key.unwrap_or_default(),
                        r.service.unwrap_or_default(),
                        r.failed,
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        hops.push(HopCounts {
            ok,
            failed,
            failures,
        });
    }
    let started = build_started_from(conn, principal, Some(scope), 100)?;
    Ok(Some(ChainView {
        chain,
        hops,
        started,
        scope,
    }))
}
