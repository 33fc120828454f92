//! Resolving a typed scope against the cache: `last:` ends at the latest cached event (not the
//! wall clock: a responder often works on logs from days ago), `finding:` is the finding's
//! first → last seen snapped outward to whole hours.

use rusqlite::Connection;

use super::{AnalysisError, Result};
use crate::model::{HOUR_MS, Scope, ScopeSpec, parse_scope_spec};
use crate::store;

/// The default scope: the last 24 hours of the data.
pub const DEFAULT_SPAN_MS: i64 = 24 * HOUR_MS;

/// The scope `spec` names (`None`: the last 24 hours of the data).
pub fn resolve_scope(conn: &Connection, spec: Option<&str>) -> Result<Scope> {
    let spec = match spec {
        Some(s) => parse_scope_spec(s)?,
        None => ScopeSpec::Last(DEFAULT_SPAN_MS),
    };
    match spec {
        ScopeSpec::Range(s) => Ok(s),
        ScopeSpec::Last(span) => {
            let latest = store::load_latest_event_ms(conn)?.ok_or_else(|| {
                AnalysisError::NotFound("the cache holds no events: nothing to scope".into())
            })?;
            Ok(Scope::last(latest, span))
        }
        ScopeSpec::Finding(id) => {
            let f = store::load_finding(conn, &id)?
                .ok_or_else(|| AnalysisError::NotFound(format!("no finding {id}")))?;
            Ok(finding_scope(&f))
        }
    }
}

/// A finding's default scope: first seen → last seen, snapped outward to whole hours (at
/// least one hour; `updatedAt` when GuardDuty gave no first/last seen).
pub fn finding_scope(f: &crate::model::Finding) -> Scope {
    let first = f.first_seen_ms.unwrap_or(f.updated_ms);
    let last = f.last_seen_ms.unwrap_or(f.updated_ms).max(first);
    Scope::covering(first, last)
}
