//! The Chain tab: the whole chain from the origin to a session on one screen, with each hop's
//! calls and failures in the scope, and what the session started (or tried to) in it.

use rusqlite::Connection;
use serde::Serialize;

use super::Result;
use super::breakdown::LINES;
use super::chain::chain_of_session_before;
use super::started::{StartedLine, build_started_from};
use crate::model::{Chain, Scope};
use crate::store::{self, Counts, Dim, Entity, EntityKind, api_parts, load_string, lookup_string};

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
        let entity = Entity {
            kind: EntityKind::Principal,
            id,
        };
        let Counts { ok, failed } = store::load_scope_total(conn, entity, scope)?;
        let failures = if failed > 0 {
            let mut rows = store::load_scope_counts(conn, entity, scope, &[Dim::Failure])?
                .pop()
                .unwrap_or_default();
            rows.sort_unstable_by_key(|(v, c)| (std::cmp::Reverse(c.failed), *v));
            rows.truncate(LINES);
            let mut out = Vec::with_capacity(rows.len());
            for (value, c) in rows {
                let (error, api) = api_parts(value);
                out.push((
                    load_string(conn, api)?.unwrap_or_default(),
                    load_string(conn, error)?.unwrap_or_default(),
                    c.failed,
                ));
            }
            out.sort_by(|a, b| {
                b.2.cmp(&a.2)
                    .then_with(|| a.0.cmp(&b.0))
                    .then_with(|| a.1.cmp(&b.1))
            });
            out
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
