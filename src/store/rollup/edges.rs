//! What the day roll-ups cannot answer: the hours of a scope outside its whole days (counted
//! from the entity's own events, through the `events_principal` and `events_issuer` indexes, or
//! for an account or an IP from its hourly roll-up), and series in buckets shorter than an hour
//! (an account's or an IP's: a scan of the scope's events). Reads
//! of events keep only the counted copy of a cross-account call, as the roll-ups do.

use rusqlite::{Connection, params};

use super::{Counts, Dim, Entity, EntityKind, api_value, hours_of, load_rollup_edge_hours};
use crate::model::Scope;
use crate::store::Result;

type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Keeps an event only when it is the counted copy of its call (or has no other copy).
pub(crate) const COUNTED: &str =
    "(e.shared_event_id IS NULL OR EXISTS (SELECT 1 FROM rollup_copies c
    WHERE c.shared_event_id = e.shared_event_id AND c.event = e.id))";

/// The events column an entity's calls are found by (accounts have none indexed).
fn column(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Principal => "e.principal",
        EntityKind::Role => "e.issuer_arn",
        EntityKind::Account => "COALESCE(e.caller_account, e.account)",
        EntityKind::Ip => "e.source_ip",
    }
}

/// An entity's calls in `parts` (each under a day, whole hours) by value of each of `dims`, in
/// `dims`' order.
pub fn load_edge_counts(
    conn: &Connection,
    entity: Entity,
    parts: &[Scope],
    dims: &[Dim],
) -> Result<Vec<Map<i64, Counts>>> {
    let mut out: Vec<Map<i64, Counts>> = dims.iter().map(|_| Map::default()).collect();
    for part in parts {
        if entity.kind.rolled_up_by_hour() {
            let (from, to) = hours_of(*part);
            for (n, &dim) in dims.iter().enumerate() {
                for (value, c) in load_rollup_edge_hours(conn, entity, dim, from, to)? {
                    out[n].entry(value).or_default().add(c);
                }
            }
            continue;
        }
        let sql = format!(
            "SELECT e.source, e.name, e.source_ip, e.access_key, e.user_agent, e.region,
                e.principal, e.error_code IS NOT NULL, e.error_code
             FROM events e WHERE {} = ?1 AND e.time_ms >= ?2 AND e.time_ms < ?3 AND {COUNTED}",
            column(entity.kind)
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![entity.id, part.start_ms, part.end_ms])?;
        while let Some(r) = rows.next()? {
            let v = |i: usize| -> rusqlite::Result<i64> {
                Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0))
            };
            let failed: bool = r.get(7)?;
            let one = Counts {
                ok: i64::from(!failed),
                failed: i64::from(failed),
            };
            for (n, dim) in dims.iter().enumerate() {
                if *dim == Dim::Failure && !failed {
                    continue;
                }
                let value = match dim {
                    Dim::Api => api_value(v(0)?, v(1)?),
                    Dim::SourceIp => v(2)?,
                    Dim::AccessKey => v(3)?,
                    Dim::UserAgent => v(4)?,
                    Dim::Region => v(5)?,
                    Dim::Caller => v(6)?,
                    Dim::Failure => api_value(v(8)?, v(1)?),
                };
                out[n].entry(value).or_default().add(one);
            }
        }
    }
    Ok(out)
}

/// An entity's calls in a scope per `bucket_ms` bucket (buckets under an hour, which the hourly
/// roll-up cannot give): `(bucket start, ok, failed)`. An account's or an IP's is a scan of the
/// scope's events.
pub fn load_fine_series(
    conn: &Connection,
    entity: Entity,
    scope: Scope,
    bucket_ms: i64,
) -> Result<Vec<(i64, i64, i64)>> {
    let sql = format!(
        "SELECT (e.time_ms - ?2) / ?4, COUNT(*) - COUNT(e.error_code), COUNT(e.error_code)
         FROM events e WHERE {} = ?1 AND e.time_ms >= ?2 AND e.time_ms < ?3 AND {COUNTED}
         GROUP BY 1",
        column(entity.kind)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![entity.id, scope.start_ms, scope.end_ms, bucket_ms],
        |r| {
            let n: i64 = r.get(0)?;
            Ok((scope.start_ms + n * bucket_ms, r.get(1)?, r.get(2)?))
        },
    )?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}
