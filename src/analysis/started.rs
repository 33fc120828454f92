//! What a session started from itself: the sessions it created by assuming roles (role
//! chaining) and the assumptions it tried that failed (attempts, never hops).

use rusqlite::Connection;
use serde::Serialize;

use super::Result;
use super::assumer::issuance_ref;
use crate::model::{IssuanceRef, Scope, Target, rfc3339};
use crate::store;

/// A session started from this one, or an attempt to start one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StartedLine {
    pub role_arn: Option<String>,
    pub account_id: Option<String>,
    pub session_name: Option<String>,
    pub principal_id: Option<String>,
    pub via: String,
    #[serde(serialize_with = "rfc3339::ms")]
    pub issued_at: i64,
    /// A failed call: an attempt, never a hop.
    pub failed: bool,
    pub error_code: Option<String>,
    /// The role lies in another account than the caller's.
    pub cross_account: bool,
    pub issuing_event_id: String,
    pub issuance: IssuanceRef,
    /// The session it started (none for an attempt).
    pub target: Option<Target>,
    pub role: Option<Target>,
}

/// Sessions started from `principal` and attempts it made, latest first; with a scope, those
/// issued in it.
pub fn build_started_from(
    conn: &Connection,
    principal: &str,
    scope: Option<Scope>,
    limit: i64,
) -> Result<Vec<StartedLine>> {
    let (a, b) = scope.map_or((i64::MIN, i64::MAX), |s| (s.start_ms, s.end_ms));
    let rows = store::load_issuances_by_caller(conn, principal, a, b, limit)?;
    Ok(rows
        .into_iter()
        .map(|i| StartedLine {
            cross_account: matches!(
                (&i.caller.account_id, &i.role_account),
                (Some(c), Some(r)) if c != r
            ),
            issuance: issuance_ref(&i),
            target: if i.failed {
                None
            } else {
                i.principal_id.as_deref().map(Target::session)
            },
            role: i.role_arn.as_deref().map(Target::role),
            role_arn: i.role_arn,
            account_id: i.role_account,
            session_name: i.session_name,
            principal_id: i.principal_id,
            via: i.via,
            issued_at: i.issued_ms,
            failed: i.failed,
            error_code: i.error_code,
            issuing_event_id: i.caller_event_id,
        })
        .collect())
}
