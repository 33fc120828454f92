//! Resolving a typed scope against the cache: `last:` ends at the latest cached event (not the
//! wall clock: a responder often works on logs from days ago), `finding:` is the finding's
//! first → last seen snapped outward to whole hours.
//!
//! "The latest cached event" is the latest of the data's real span: records dated more than
//! `store::FUTURE_TOLERANCE_MS` after the caller's "now" (one forged or corrupted record dated
//! 9999) are left out, or every default scope would be an empty hour in the far future. Never
//! reads the clock: the caller passes "now".

use rusqlite::Connection;

use super::{AnalysisError, Result};
use crate::model::{HOUR_MS, Scope, ScopeSpec, parse_scope_spec};
use crate::store;

/// The default scope: the last 24 hours of the data.
pub const DEFAULT_SPAN_MS: i64 = 24 * HOUR_MS;

/// The scope `spec` names (`None`: the last 24 hours of the data). `now_ms` is the caller's
/// clock, used only to recognise records dated in the future.
pub fn resolve_scope(conn: &Connection, spec: Option<&str>, now_ms: i64) -> Result<Scope> {
    let spec = match spec {
        Some(s) => parse_scope_spec(s)?,
        None => ScopeSpec::Last(DEFAULT_SPAN_MS),
    };
    match spec {
        ScopeSpec::Range(s) => Ok(s),
        ScopeSpec::Last(span) => Ok(Scope::last(latest_real_event_ms(conn, now_ms)?, span)),
        ScopeSpec::Finding(id) => {
            let f = store::load_finding(conn, &id)?
                .ok_or_else(|| AnalysisError::NotFound(format!("no finding {id}")))?;
            Ok(finding_scope(&f))
        }
    }
}

/// The end of the data's real span: the latest event not dated far past `now_ms`. When every
/// event is (the caller's clock is behind the data), the latest event of all.
fn latest_real_event_ms(conn: &Connection, now_ms: i64) -> Result<i64> {
    let until = now_ms.saturating_add(store::FUTURE_TOLERANCE_MS);
    let latest = match store::load_latest_event_ms_until(conn, until)? {
        Some(t) => Some(t),
        None => store::load_latest_event_ms(conn)?,
    };
    latest.ok_or_else(|| {
        AnalysisError::NotFound("the cache holds no events: nothing to scope".into())
    })
}

/// A finding's default scope: first seen → last seen, snapped outward to whole hours (at
/// least one hour; `updatedAt` when GuardDuty gave no first/last seen).
pub fn finding_scope(f: &crate::model::Finding) -> Scope {
    let first = f.first_seen_ms.unwrap_or(f.updated_ms);
    let last = f.last_seen_ms.unwrap_or(f.updated_ms).max(first);
    Scope::covering(first, last)
}
