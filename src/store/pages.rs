//! Pages of events: the calls behind any count — of some principals, a role, an access key, an
//! account or a source IP — in a scope, newest first, filtered, paged by a (time, row) cursor;
//! the original record of one event; the busiest and most failing sessions of a scope.

use rusqlite::{Connection, params_from_iter, types::Value};

use super::events_read::{CachedEvent, EVENT_SELECT, event_from_row};
use super::queries::{PRINCIPAL_COLUMNS, PrincipalRow, principal_from_row};
use super::rollup::COUNTED;
use super::{Result, lookup_string};
use crate::model::{HOUR_MS, Scope, UserType};

/// Whose calls (string ids of the values).
#[derive(Debug, Clone, PartialEq)]
pub enum EventsOf {
    /// Calls signed by any of these principal IDs (a session, an instance's sessions, a user).
    Principals(Vec<i64>),
    /// Calls of every session of a role (any of its ARN spellings).
    Roles(Vec<i64>),
    /// Calls signed with one access key (by one principal, when given: keys repeat).
    AccessKey { key: i64, principal: Option<i64> },
    /// Calls made by principals of one account (`userIdentity.accountId`, else the recipient,
    /// as the roll-ups count them).
    Account(i64),
    /// Calls from one source IP.
    SourceIp(i64),
}

/// Filters on a page of events (string ids), all optional.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EventsFilter {
    pub name: Option<i64>,
    /// `Some(true)`: failed calls only; `Some(false)`: successful only.
    pub failed: Option<bool>,
    pub source_ip: Option<i64>,
    pub access_key: Option<i64>,
}

/// Up to `limit` events of `of` in `scope` matching `filter`, newest first, strictly before the
/// `(time_ms, row)` cursor when one is given. Index-backed for principals, roles and keys; a
/// scan of the scope's events for an account or an IP.
pub fn load_events_page(
    conn: &Connection,
    of: &EventsOf,
    scope: Scope,
    filter: &EventsFilter,
    before: Option<(i64, i64)>,
    limit: usize,
) -> Result<Vec<CachedEvent>> {
    let mut values: Vec<Value> = Vec::new();
    let list = |ids: &[i64], values: &mut Vec<Value>| -> String {
        values.extend(ids.iter().map(|i| Value::Integer(*i)));
        vec!["?"; ids.len()].join(", ")
    };
    let who = match of {
        EventsOf::Principals(ids) if ids.is_empty() => return Ok(Vec::new()),
        EventsOf::Roles(ids) if ids.is_empty() => return Ok(Vec::new()),
        EventsOf::Principals(ids) => format!("e.principal IN ({})", list(ids, &mut values)),
        EventsOf::Roles(ids) => format!("e.issuer_arn IN ({})", list(ids, &mut values)),
        EventsOf::AccessKey { key, principal } => {
            values.push(Value::Integer(*key));
            match principal {
                Some(p) => {
                    values.push(Value::Integer(*p));
                    "e.access_key = ? AND e.principal = ?".to_string()
                }
                None => "e.access_key = ?".to_string(),
            }
        }
        EventsOf::Account(a) => {
            values.push(Value::Integer(*a));
            "COALESCE(e.caller_account, e.account) = ?".to_string()
        }
        EventsOf::SourceIp(ip) => {
            values.push(Value::Integer(*ip));
            "e.source_ip = ?".to_string()
        }
    };
    // The calls behind a count: the counted copy of a cross-account call, as the roll-ups.
    let mut sql =
        format!("{EVENT_SELECT} WHERE {who} AND e.time_ms >= ? AND e.time_ms < ? AND {COUNTED}");
    values.push(Value::Integer(scope.start_ms));
    values.push(Value::Integer(scope.end_ms));
    for (column, v) in [
        ("name", filter.name),
        ("source_ip", filter.source_ip),
        ("access_key", filter.access_key),
    ] {
        if let Some(v) = v {
            sql.push_str(&format!(" AND e.{column} = ?"));
            values.push(Value::Integer(v));
        }
    }
    match filter.failed {
        Some(true) => sql.push_str(" AND e.error_code IS NOT NULL"),
        Some(false) => sql.push_str(" AND e.error_code IS NULL"),
        None => {}
    }
    if let Some((t, row)) = before {
        sql.push_str(" AND (e.time_ms < ? OR (e.time_ms = ? AND e.id < ?))");
        values.extend([Value::Integer(t), Value::Integer(t), Value::Integer(row)]);
    }
    sql.push_str(" ORDER BY e.time_ms DESC, e.id DESC LIMIT ?");
    values.push(Value::Integer(limit as i64));
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(values), event_from_row)?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The original record of the event with this `eventID` (as stored: secrets redacted).
pub fn load_event_raw(conn: &Connection, event_id: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    let found: Option<(String, i64)> = conn
        .prepare_cached("SELECT event_id, raw_ref FROM events WHERE id_hash = ?1")?
        .query_row([super::event_id_hash(event_id)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    match found {
        // The hash is 64 bits: check the text too.
        Some((id, raw_ref)) if id == event_id => super::load_raw(conn, raw_ref),
        _ => Ok(None),
    }
}

/// How `load_top_sessions` ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopBy {
    Calls,
    Failures,
}

/// The role sessions with the most calls (or failed calls) in a scope, with the scope's counts.
pub fn load_top_sessions(
    conn: &Connection,
    scope: Scope,
    by: TopBy,
    limit: i64,
) -> Result<Vec<PrincipalRow>> {
    let Some(assumed) = lookup_string(conn, UserType::AssumedRole.as_str())? else {
        return Ok(Vec::new());
    };
    let (order, having) = match by {
        TopBy::Calls => ("a.ok + a.failed DESC", ""),
        TopBy::Failures => ("a.failed DESC, a.ok DESC", "AND a.failed > 0"),
    };
    let sql = format!(
        "SELECT {PRINCIPAL_COLUMNS}, a.ok + a.failed, a.failed
         FROM principals p JOIN (
            SELECT entity / 4 AS principal, SUM(ok) AS ok, SUM(failed) AS failed
            FROM rollup_hours WHERE hour >= ?1 AND hour < ?2 AND entity % 4 = 0
            GROUP BY entity) a ON a.principal = p.principal
         WHERE p.user_type = ?3 AND a.ok + a.failed > 0 {having} ORDER BY {order} LIMIT ?4"
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(
            rusqlite::params![
                scope.start_ms / HOUR_MS,
                scope.end_ms.div_euclid(HOUR_MS) + i64::from(scope.end_ms % HOUR_MS != 0),
                assumed,
                limit
            ],
            principal_from_row,
        )?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}
