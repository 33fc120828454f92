//! The roll-ups (`0006_rollups.sql`): calls per entity by hour, per entity, dimension and day,
//! per account, dimension and hour, and first / last seen per entity, dimension and value. This
//! file owns their keys and the reads; `fold` derives them from the events, `edges` counts what
//! the roll-ups cannot (parts of a day) from the events themselves. Deciding what a scope is, or
//! which entity a target means, is `analysis`'s.

mod edges;
mod fold;

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use crate::model::{DAY_MS, HOUR_MS, Scope};

pub(crate) use edges::COUNTED;
pub use edges::{load_edge_counts, load_fine_series};
pub use fold::fold_events;

/// What an entity is. Part of the entity's key, so that a root user's principal ID (its
/// account ID) never shares counts with its account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    /// Calls signed by one principal ID (a role session, an IAM user, root, a federated user).
    Principal = 0,
    /// Calls of every session of a role (the session issuer ARN).
    Role = 1,
    /// Calls made by principals of an account (`userIdentity.accountId`, else the recipient).
    Account = 2,
    /// Calls from a source IP address (or an AWS service name in its place).
    Ip = 3,
}

impl EntityKind {
    /// Whether the events table has no index for this kind: the edges of a scope come from the
    /// hourly roll-up instead.
    pub fn rolled_up_by_hour(self) -> bool {
        matches!(self, EntityKind::Account | EntityKind::Ip)
    }
}

/// One rolled-up entity: its kind and the `strings.id` of its principal ID, role ARN or account
/// ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Entity {
    pub kind: EntityKind,
    pub id: i64,
}

impl Entity {
    /// The integer the roll-up tables key it by.
    pub fn key(self) -> i64 {
        key_of(self.id, self.kind)
    }

    /// The entity a roll-up key stands for.
    pub fn from_key(key: i64) -> Option<Entity> {
        let kind = match key.rem_euclid(4) {
            0 => EntityKind::Principal,
            1 => EntityKind::Role,
            2 => EntityKind::Account,
            _ => EntityKind::Ip,
        };
        Some(Entity {
            kind,
            id: key.div_euclid(4),
        })
    }
}

pub(crate) const fn key_of(id: i64, kind: EntityKind) -> i64 {
    id * 4 + kind as i64
}

/// A dimension calls are broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dim {
    /// Event source and API name: the value is `source id << 32 | name id`.
    Api = 0,
    SourceIp = 1,
    /// Access key: kept for principals and roles (a key belongs to one session).
    AccessKey = 2,
    UserAgent = 3,
    Region = 4,
    /// The principal that made the call: kept for roles, accounts and IPs.
    Caller = 5,
    /// Failed calls by error code and API (`error code id << 32 | name id`): kept for
    /// principals (the Chain tab's failures per hop).
    Failure = 6,
}

impl Dim {
    /// The dimensions of the breakdowns, in key order (`Failure` is apart: failed calls only).
    pub const ALL: [Dim; 6] = [
        Dim::Api,
        Dim::SourceIp,
        Dim::AccessKey,
        Dim::UserAgent,
        Dim::Region,
        Dim::Caller,
    ];

    /// Whether calls of `kind` are rolled up by this dimension.
    pub fn kept_for(self, kind: EntityKind) -> bool {
        if kind == EntityKind::Ip {
            return matches!(self, Dim::Api | Dim::Caller);
        }
        match self {
            Dim::AccessKey => kind != EntityKind::Account,
            Dim::Caller => kind != EntityKind::Principal,
            Dim::Failure => kind == EntityKind::Principal,
            _ => true,
        }
    }
}

/// The value of an API (source and name string ids) in the `Api` dimension.
pub fn api_value(source: i64, name: i64) -> i64 {
    (source << 32) | (name & 0xffff_ffff)
}

/// The source and name string ids of an `Api` value.
pub fn api_parts(value: i64) -> (i64, i64) {
    (value >> 32, value & 0xffff_ffff)
}

/// Calls with one value of a dimension: successful and failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub ok: i64,
    pub failed: i64,
}

impl Counts {
    pub fn add(&mut self, other: Counts) {
        self.ok += other.ok;
        self.failed += other.failed;
    }

    pub fn total(self) -> i64 {
        self.ok + self.failed
    }
}

/// Hourly successful and failed calls of an entity for hours in `[from_hour, to_hour)`.
pub fn load_rollup_hours(
    conn: &Connection,
    entity: Entity,
    from_hour: i64,
    to_hour: i64,
) -> Result<Vec<(i64, i64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT hour, ok, failed FROM rollup_hours
         WHERE entity = ?1 AND hour >= ?2 AND hour < ?3 ORDER BY hour",
    )?;
    let rows = stmt.query_map(params![entity.key(), from_hour, to_hour], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// The hour of an entity's latest call, if it made any.
pub fn load_rollup_last_hour(conn: &Connection, entity: Entity) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT hour FROM rollup_hours WHERE entity = ?1 ORDER BY hour DESC LIMIT 1",
        )?
        .query_row([entity.key()], |r| r.get(0))
        .optional()?)
}

/// An entity's calls in `[from_day, to_day)` (UTC days) by value of `dim`, summed over the days.
/// Values with no calls left (a cross-account copy replaced by the caller's) are dropped.
pub fn load_rollup_days(
    conn: &Connection,
    entity: Entity,
    dim: Dim,
    from_day: i64,
    to_day: i64,
) -> Result<Vec<(i64, Counts)>> {
    sums_by_value(
        conn,
        "SELECT value, SUM(ok), SUM(failed) FROM rollup_days
         WHERE entity = ?1 AND dim = ?2 AND day >= ?3 AND day < ?4
         GROUP BY value HAVING SUM(ok) + SUM(failed) > 0",
        entity,
        dim,
        (from_day, to_day),
    )
}

/// An account's or an IP's calls in `[from_hour, to_hour)` by value of `dim`, summed over the
/// hours.
pub fn load_rollup_edge_hours(
    conn: &Connection,
    entity: Entity,
    dim: Dim,
    from_hour: i64,
    to_hour: i64,
) -> Result<Vec<(i64, Counts)>> {
    sums_by_value(
        conn,
        "SELECT value, SUM(ok), SUM(failed) FROM rollup_edge_hours
         WHERE entity = ?1 AND dim = ?2 AND hour >= ?3 AND hour < ?4
         GROUP BY value HAVING SUM(ok) + SUM(failed) > 0",
        entity,
        dim,
        (from_hour, to_hour),
    )
}

/// Runs one of the sums above: `sql` takes entity, dimension and a `[from, to)` span, and
/// yields value, ok, failed.
fn sums_by_value(
    conn: &Connection,
    sql: &str,
    entity: Entity,
    dim: Dim,
    (from, to): (i64, i64),
) -> Result<Vec<(i64, Counts)>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params![entity.key(), dim as i64, from, to], |r| {
        Ok((
            r.get(0)?,
            Counts {
                ok: r.get(1)?,
                failed: r.get(2)?,
            },
        ))
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// First and last call with one value of a dimension, and the calls with it, all time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub value: i64,
    pub first_ms: i64,
    pub last_ms: i64,
    pub counts: Counts,
}

/// Every value an entity has shown in `dim`, with when it was first and last seen.
pub fn load_rollup_seen(conn: &Connection, entity: Entity, dim: Dim) -> Result<Vec<Seen>> {
    let mut stmt = conn.prepare_cached(
        "SELECT value, first_ms, last_ms, ok, failed FROM rollup_seen
         WHERE entity = ?1 AND dim = ?2 AND ok + failed > 0",
    )?;
    let rows = stmt.query_map(params![entity.key(), dim as i64], seen_from_row)?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

fn seen_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Seen> {
    Ok(Seen {
        value: r.get(0)?,
        first_ms: r.get(1)?,
        last_ms: r.get(2)?,
        counts: Counts {
            ok: r.get(3)?,
            failed: r.get(4)?,
        },
    })
}

/// An entity's calls in a scope by value of each of `dims` (in `dims`' order): the whole days
/// from the day roll-ups, the hours around them from `edges`.
pub fn load_scope_counts(
    conn: &Connection,
    entity: Entity,
    scope: Scope,
    dims: &[Dim],
) -> Result<Vec<Vec<(i64, Counts)>>> {
    let (days, parts) = split_days(scope);
    let mut out = load_edge_counts(conn, entity, &parts, dims)?;
    if let Some((from, to)) = days {
        for (n, &dim) in dims.iter().enumerate() {
            for (value, c) in load_rollup_days(conn, entity, dim, from, to)? {
                out[n].entry(value).or_default().add(c);
            }
        }
    }
    Ok(out
        .into_iter()
        .map(|m| m.into_iter().filter(|(_, c)| c.total() != 0).collect())
        .collect())
}

/// An entity's successful and failed calls in a scope, from the hourly roll-up.
pub fn load_scope_total(conn: &Connection, entity: Entity, scope: Scope) -> Result<Counts> {
    let (from, to) = hours_of(scope);
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(ok), 0), COALESCE(SUM(failed), 0) FROM rollup_hours
             WHERE entity = ?1 AND hour >= ?2 AND hour < ?3",
        )?
        .query_row(params![entity.key(), from, to], |r| {
            Ok(Counts {
                ok: r.get(0)?,
                failed: r.get(1)?,
            })
        })?)
}

/// The whole UTC days inside a scope, `[from_day, to_day)`, and the parts of the scope outside
/// them (at most two, each under a day). A scope inside one day or across a single midnight
/// without a whole day is all edges.
pub fn split_days(scope: Scope) -> (Option<(i64, i64)>, Vec<Scope>) {
    let first = scope.start_ms.div_euclid(DAY_MS) + i64::from(scope.start_ms % DAY_MS != 0);
    let last = scope.end_ms.div_euclid(DAY_MS);
    if first >= last {
        return (None, vec![scope]);
    }
    let mut edges = Vec::new();
    if scope.start_ms < first * DAY_MS {
        edges.push(Scope {
            start_ms: scope.start_ms,
            end_ms: first * DAY_MS,
        });
    }
    if last * DAY_MS < scope.end_ms {
        edges.push(Scope {
            start_ms: last * DAY_MS,
            end_ms: scope.end_ms,
        });
    }
    (Some((first, last)), edges)
}

/// The hours `[from, to)` of a scope (scopes are whole hours; a ragged end is rounded out).
pub fn hours_of(scope: Scope) -> (i64, i64) {
    (
        scope.start_ms.div_euclid(HOUR_MS),
        scope.end_ms.div_euclid(HOUR_MS) + i64::from(scope.end_ms.rem_euclid(HOUR_MS) != 0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_root_user_and_its_account_have_different_keys() {
        let root = Entity {
            kind: EntityKind::Principal,
            id: 7,
        };
        let account = Entity {
            kind: EntityKind::Account,
            id: 7,
        };
        assert_ne!(root.key(), account.key());
        assert_eq!(Entity::from_key(root.key()), Some(root));
        assert_eq!(Entity::from_key(account.key()), Some(account));
    }

    #[test]
    fn api_values_keep_source_and_name() {
        assert_eq!(api_parts(api_value(12, 345_678)), (12, 345_678));
    }

    #[test]
    fn a_scope_splits_into_whole_days_and_edges() {
        let h = HOUR_MS;
        let d = DAY_MS;
        let s = |a, b| Scope {
            start_ms: a,
            end_ms: b,
        };
        assert_eq!(split_days(s(10 * d, 12 * d)), (Some((10, 12)), vec![]));
        assert_eq!(
            split_days(s(10 * d + 3 * h, 12 * d + 5 * h)),
            (
                Some((11, 12)),
                vec![s(10 * d + 3 * h, 11 * d), s(12 * d, 12 * d + 5 * h)]
            )
        );
        assert_eq!(
            split_days(s(10 * d + 3 * h, 11 * d + 5 * h)),
            (None, vec![s(10 * d + 3 * h, 11 * d + 5 * h)])
        );
        assert_eq!(
            split_days(s(10 * d, 10 * d + h)),
            (None, vec![s(10 * d, 10 * d + h)])
        );
    }
}
