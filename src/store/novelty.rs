//! The reads behind "new in the scope against the baseline": one value's first and last call
//! (`rollup_seen`), the first day or hour a value shows up in a span (`rollup_days`,
//! `rollup_edge_hours`), the first call with a value (the entity's own events, through its
//! index, or for an account the one hour its hourly roll-up points at), an entity's first call,
//! and which days the cache covers for some accounts. What counts as new is `analysis`'s.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use super::rollup::{COUNTED, Counts, Dim, Entity, EntityKind, Seen, api_parts, split_days};
use crate::model::{DAY_MS, HOUR_MS, Scope};

/// The first and last call an entity made with one value of `dim`, and its calls, all time.
pub fn load_seen_value(
    conn: &Connection,
    entity: Entity,
    dim: Dim,
    value: i64,
) -> Result<Option<Seen>> {
    Ok(conn
        .prepare_cached(
            "SELECT first_ms, last_ms, ok, failed FROM rollup_seen
             WHERE entity = ?1 AND dim = ?2 AND value = ?3 AND ok + failed > 0",
        )?
        .query_row(params![entity.key(), dim as i64, value], |r| {
            Ok(Seen {
                value,
                first_ms: r.get(0)?,
                last_ms: r.get(1)?,
                counts: Counts {
                    ok: r.get(2)?,
                    failed: r.get(3)?,
                },
            })
        })
        .optional()?)
}

/// An entity's first call, all time (its earliest value of any region, the one dimension every
/// call has).
pub fn load_entity_first_ms(conn: &Connection, entity: Entity) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT MIN(first_ms) FROM rollup_seen
             WHERE entity = ?1 AND dim = ?2 AND ok + failed > 0",
        )?
        .query_row(params![entity.key(), Dim::Region as i64], |r| r.get(0))?)
}

/// The time of the entity's first counted call with `value` of `dim` inside `scope`, if any:
/// the scope's whole days through the day roll-up (to find the day), each part under a day
/// through the entity's events (or, for an account, its hourly roll-up to find the hour and
/// then that hour's events). At most a day of an entity's events is read.
pub fn load_first_call_with(
    conn: &Connection,
    entity: Entity,
    dim: Dim,
    value: i64,
    scope: Scope,
) -> Result<Option<i64>> {
    let (days, edges) = split_days(scope);
    let leading = edges
        .iter()
        .copied()
        .filter(|e| e.start_ms == scope.start_ms);
    let trailing = edges
        .iter()
        .copied()
        .filter(|e| e.start_ms != scope.start_ms);
    for part in leading {
        if let Some(t) = first_in_part(conn, entity, dim, value, part)? {
            return Ok(Some(t));
        }
    }
    if let Some((from, to)) = days {
        let day: Option<i64> = conn
            .prepare_cached(
                "SELECT MIN(day) FROM rollup_days
                 WHERE entity = ?1 AND dim = ?2 AND day >= ?3 AND day < ?4 AND value = ?5
                    AND ok + failed > 0",
            )?
            .query_row(params![entity.key(), dim as i64, from, to, value], |r| {
                r.get(0)
            })?;
        if let Some(d) = day {
            let part = Scope {
                start_ms: d * DAY_MS,
                end_ms: (d + 1) * DAY_MS,
            };
            if let Some(t) = first_in_part(conn, entity, dim, value, part)? {
                return Ok(Some(t));
            }
        }
    }
    for part in trailing {
        if let Some(t) = first_in_part(conn, entity, dim, value, part)? {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

/// The first counted call with the value in `part` (at most a day).
fn first_in_part(
    conn: &Connection,
    entity: Entity,
    dim: Dim,
    value: i64,
    part: Scope,
) -> Result<Option<i64>> {
    let Some(filter) = value_filter(dim) else {
        return Ok(None);
    };
    let (a, b) = match dim {
        Dim::Api => api_parts(value),
        _ => (value, 0),
    };
    if entity.kind == EntityKind::Account {
        // Accounts have no events index: the hourly roll-up says which hour, and only that
        // hour's events are read (by time).
        let hour: Option<i64> = conn
            .prepare_cached(
                "SELECT MIN(hour) FROM rollup_edge_hours
                 WHERE entity = ?1 AND dim = ?2 AND hour >= ?3 AND hour < ?4 AND value = ?5
                    AND ok + failed > 0",
            )?
            .query_row(
                params![
                    entity.key(),
                    dim as i64,
                    part.start_ms.div_euclid(HOUR_MS),
                    (part.end_ms + HOUR_MS - 1).div_euclid(HOUR_MS),
                    value
                ],
                |r| r.get(0),
            )?;
        let Some(hour) = hour else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT e.time_ms FROM events e
             WHERE e.time_ms >= ?2 AND e.time_ms < ?3 AND COALESCE(e.caller_account, e.account) = ?1
                AND {filter} AND {COUNTED}
             ORDER BY e.time_ms LIMIT 1"
        );
        let found: Option<i64> = conn
            .prepare_cached(&sql)?
            .query_row(
                params![entity.id, hour * HOUR_MS, (hour + 1) * HOUR_MS, a, b],
                |r| r.get(0),
            )
            .optional()?;
        // The roll-up counted a call in that hour: its start is the best answer should the
        // events say otherwise (they cannot, short of a damaged cache).
        return Ok(Some(found.unwrap_or(hour * HOUR_MS)));
    }
    let column = match entity.kind {
        EntityKind::Role => "e.issuer_arn",
        _ => "e.principal",
    };
    let sql = format!(
        "SELECT e.time_ms FROM events e
         WHERE {column} = ?1 AND e.time_ms >= ?2 AND e.time_ms < ?3 AND {filter} AND {COUNTED}
         ORDER BY e.time_ms LIMIT 1"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![entity.id, part.start_ms, part.end_ms, a, b], |r| {
            r.get(0)
        })
        .optional()?)
}

/// The events condition for one value of `dim` (`?4`, and `?5` for an API's name); values are
/// string ids, 0 for none.
fn value_filter(dim: Dim) -> Option<&'static str> {
    Some(match dim {
        Dim::Api => "e.source = ?4 AND e.name = ?5",
        Dim::SourceIp => "IFNULL(e.source_ip, 0) = ?4 AND ?5 = 0",
        Dim::AccessKey => "IFNULL(e.access_key, 0) = ?4 AND ?5 = 0",
        Dim::UserAgent => "IFNULL(e.user_agent, 0) = ?4 AND ?5 = 0",
        Dim::Region => "IFNULL(e.region, 0) = ?4 AND ?5 = 0",
        Dim::Caller => "IFNULL(e.principal, 0) = ?4 AND ?5 = 0",
        Dim::Failure => return None,
    })
}

/// The UTC days in `[from_day, to_day)` on which the cache holds events delivered to any of
/// `accounts` (`coverage`), ascending.
pub fn load_coverage_days(
    conn: &Connection,
    accounts: &[String],
    from_day: i64,
    to_day: i64,
) -> Result<Vec<i64>> {
    let mut days: std::collections::BTreeSet<i64> = Default::default();
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT day FROM coverage WHERE account = ?1 AND day >= ?2 AND day < ?3",
    )?;
    for account in accounts {
        for day in stmt.query_map(params![account, from_day, to_day], |r| r.get::<_, i64>(0))? {
            days.insert(day?);
        }
    }
    Ok(days.into_iter().collect())
}

/// The earliest event the cache holds delivered to any of `accounts`.
pub fn load_coverage_first(conn: &Connection, accounts: &[String]) -> Result<Option<i64>> {
    let mut stmt = conn.prepare_cached("SELECT MIN(first_ms) FROM coverage WHERE account = ?1")?;
    let mut first: Option<i64> = None;
    for account in accounts {
        let t: Option<i64> = stmt.query_row([account], |r| r.get(0))?;
        first = match (first, t) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    Ok(first)
}
