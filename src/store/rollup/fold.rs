//! Folding new events into the counting tables in one pass: `principals`, `session_keys` and
//! every roll-up. The events above the watermark are read once, in row order, and aggregated in
//! memory; the aggregates go to SQLite as sorted upserts whenever they grow past a bound, so
//! memory stays flat whatever the number of events. (It replaced five `INSERT … SELECT …
//! GROUP BY` passes, each of which sorted all the new rows.)
//!
//! Each call is counted once. The copies of a cross-account call share `sharedEventID`; the
//! caller's copy counts, and the other account's (`{type: AWSAccount}`, which names no role nor
//! key) counts only until the caller's arrives, when it is taken back out. `rollup_copies`
//! remembers which copy counts.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, params};

use super::{Dim, EntityKind, api_value, key_of};
use crate::model::{DAY_MS, HOUR_MS, UserType};
use crate::store::{Result, lookup_string};

/// Distinct roll-up rows held before a flush (day rows; hour rows), so that the maps and the
/// sorted copies made when flushing stay well under the memory budget whatever the input.
const MAX_DAY_ROWS: usize = 600_000;
const MAX_HOUR_ROWS: usize = 400_000;
/// Events read per query (the rows of one query are read in one go by SQLite).
const CHUNK: i64 = 250_000;

type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// The columns of one event the fold reads, as string ids.
#[derive(Debug, Clone, Copy)]
struct Call {
    row: i64,
    time_ms: i64,
    failed: bool,
    /// The failed call's API and error code (`Dim::Failure`), 0 for a successful call.
    failure: i64,
    user_type: Option<i64>,
    principal: Option<i64>,
    arn: Option<i64>,
    issuer: Option<i64>,
    /// `userIdentity.accountId`.
    caller_account: Option<i64>,
    /// The account entity: the caller's account, else the recipient.
    account: Option<i64>,
    region: i64,
    api: i64,
    key: Option<i64>,
    created_ms: Option<i64>,
    ip: i64,
    agent: i64,
}

const CALL_COLUMNS: &str = "id, time_ms, error_code IS NOT NULL, user_type, principal, arn,
    issuer_arn, COALESCE(caller_account, account), region, source, name, access_key,
    session_created_ms, source_ip, user_agent, shared_event_id, caller_account, error_code";

fn call_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Call> {
    Ok(Call {
        row: r.get(0)?,
        time_ms: r.get(1)?,
        failed: r.get(2)?,
        user_type: r.get(3)?,
        principal: r.get(4)?,
        arn: r.get(5)?,
        issuer: r.get(6)?,
        account: r.get(7)?,
        region: r.get::<_, Option<i64>>(8)?.unwrap_or(0),
        api: api_value(r.get(9)?, r.get(10)?),
        key: r.get(11)?,
        created_ms: r.get(12)?,
        ip: r.get::<_, Option<i64>>(13)?.unwrap_or(0),
        agent: r.get::<_, Option<i64>>(14)?.unwrap_or(0),
        caller_account: r.get(16)?,
        failure: match r.get::<_, Option<i64>>(17)? {
            Some(error) => api_value(error, r.get(10)?),
            None => 0,
        },
    })
}

/// Successful and failed calls, plus the first and last seen (`first > last` when only a
/// taken-back copy touched the row: no time to record).
#[derive(Debug, Clone, Copy)]
struct Agg {
    ok: i64,
    failed: i64,
    first: i64,
    last: i64,
}

impl Agg {
    const EMPTY: Agg = Agg {
        ok: 0,
        failed: 0,
        first: i64::MAX,
        last: i64::MIN,
    };

    fn add(&mut self, c: &Call, sign: i64) {
        if c.failed {
            self.failed += sign;
        } else {
            self.ok += sign;
        }
        if sign > 0 {
            self.first = self.first.min(c.time_ms);
            self.last = self.last.max(c.time_ms);
        }
    }
}

/// One principal's calls in the fold (`principals`' columns).
#[derive(Debug, Clone, Copy)]
struct PrincipalAgg {
    user_type: Option<i64>,
    assumed: bool,
    arn: Option<i64>,
    issuer: Option<i64>,
    account: Option<i64>,
    calls: Agg,
}

/// One session credential's calls (`session_keys`' columns).
#[derive(Debug, Clone, Copy)]
struct KeyAgg {
    role: Option<i64>,
    calls: Agg,
}

/// The string ids of the user types the fold treats apart (`-1`: never seen).
#[derive(Debug, Clone, Copy)]
struct Types {
    assumed: i64,
    federated: i64,
    account: i64,
}

/// Everything aggregated since the last flush.
#[derive(Default)]
struct Fold {
    /// (entity, hour)
    hours: Map<(i64, i64), Agg>,
    /// (entity << 3 | dim, value, day)
    days: Map<(i64, i64, i64), Agg>,
    /// (account or IP entity << 3 | dim, value, hour)
    edge_hours: Map<(i64, i64, i64), Agg>,
    principals: Map<i64, PrincipalAgg>,
    /// (principal, access key or 0, creation date or -1)
    keys: Map<(i64, i64, i64), KeyAgg>,
    /// Cross-account copies decided in this fold: shared event ID → (counted row, caller's).
    copies: Map<Box<str>, (i64, bool)>,
}

/// Folds the events with `after < events.id <= upto` into `principals`, `session_keys` and the
/// roll-ups.
pub fn fold_events(conn: &Connection, after: i64, upto: i64) -> Result<()> {
    let id = |t: UserType| -> Result<i64> { Ok(lookup_string(conn, t.as_str())?.unwrap_or(-1)) };
    let types = Types {
        assumed: id(UserType::AssumedRole)?,
        federated: id(UserType::FederatedUser)?,
        account: id(UserType::AwsAccount)?,
    };
    let mut fold = Fold::default();
    let sql = format!("SELECT {CALL_COLUMNS} FROM events WHERE id > ?1 AND id <= ?2");
    let mut from = after;
    while from < upto {
        let to = (from + CHUNK).min(upto);
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![from, to])?;
        while let Some(r) = rows.next()? {
            let call = call_from_row(r)?;
            let shared = match r.get_ref(15)? {
                ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
                _ => None,
            };
            match shared {
                None => fold.add(&call, 1, &types),
                Some(s) => fold.add_copy(conn, &call, s, &types)?,
            }
            if fold.days.len() >= MAX_DAY_ROWS
                || fold.edge_hours.len() >= MAX_HOUR_ROWS
                || fold.hours.len() >= MAX_HOUR_ROWS
            {
                fold.flush(conn, upto)?;
            }
        }
        from = to;
    }
    fold.flush(conn, upto)
}

impl Fold {
    /// Counts one call (`sign` 1), or takes a counted one back out (`sign` -1).
    fn add(&mut self, c: &Call, sign: i64, t: &Types) {
        let hour = c.time_ms.div_euclid(HOUR_MS);
        let day = c.time_ms.div_euclid(DAY_MS);
        let principal = c.principal.map(|p| key_of(p, EntityKind::Principal));
        let role = c.issuer.map(|r| key_of(r, EntityKind::Role));
        let account = c.account.map(|a| key_of(a, EntityKind::Account));
        let ip = (c.ip != 0).then(|| key_of(c.ip, EntityKind::Ip));
        for (entity, kind) in [
            (principal, EntityKind::Principal),
            (role, EntityKind::Role),
            (account, EntityKind::Account),
            (ip, EntityKind::Ip),
        ] {
            let Some(entity) = entity else { continue };
            self.hours
                .entry((entity, hour))
                .or_insert(Agg::EMPTY)
                .add(c, sign);
            for (dim, value) in [
                (Dim::Api, c.api),
                (Dim::SourceIp, c.ip),
                (Dim::AccessKey, c.key.unwrap_or(0)),
                (Dim::UserAgent, c.agent),
                (Dim::Region, c.region),
                (Dim::Caller, c.principal.unwrap_or(0)),
                (Dim::Failure, c.failure),
            ] {
                if !dim.kept_for(kind) || (dim == Dim::Failure && !c.failed) {
                    continue;
                }
                let ed = entity << 3 | dim as i64;
                self.days
                    .entry((ed, value, day))
                    .or_insert(Agg::EMPTY)
                    .add(c, sign);
                if kind.rolled_up_by_hour() {
                    self.edge_hours
                        .entry((ed, value, hour))
                        .or_insert(Agg::EMPTY)
                        .add(c, sign);
                }
            }
        }
        if let Some(p) = c.principal {
            let assumed = c.user_type == Some(t.assumed);
            let e = self.principals.entry(p).or_insert(PrincipalAgg {
                user_type: None,
                assumed: false,
                arn: None,
                issuer: None,
                account: None,
                calls: Agg::EMPTY,
            });
            e.calls.add(c, sign);
            if sign > 0 {
                // One `AssumedRole` call settles what the principal is, whatever the other
                // account's copies say; otherwise the highest id, as `MAX()` would.
                if assumed {
                    e.assumed = true;
                    e.user_type = c.user_type;
                } else if !e.assumed {
                    e.user_type = e.user_type.max(c.user_type);
                }
                e.arn = e.arn.max(c.arn);
                e.issuer = e.issuer.max(c.issuer);
                e.account = e.account.max(c.caller_account);
            }
            if c.user_type == Some(t.assumed) || c.user_type == Some(t.federated) {
                let k = (p, c.key.unwrap_or(0), c.created_ms.unwrap_or(-1));
                let e = self.keys.entry(k).or_insert(KeyAgg {
                    role: None,
                    calls: Agg::EMPTY,
                });
                e.calls.add(c, sign);
                e.role = e.role.max(c.issuer);
            }
        }
    }

    /// Counts a copy of a cross-account call unless a better copy already counts; replaces the
    /// other account's copy when the caller's arrives.
    fn add_copy(&mut self, conn: &Connection, c: &Call, shared: String, t: &Types) -> Result<()> {
        let caller = c.user_type != Some(t.account);
        let counted = match self.copies.get(shared.as_str()) {
            Some(&found) => Some(found),
            None => load_counted_copy(conn, &shared)?,
        };
        match counted {
            None => self.add(c, 1, t),
            Some((row, counted_is_caller)) => {
                if counted_is_caller || !caller || row == c.row {
                    return Ok(());
                }
                if let Some(old) = load_call(conn, row)? {
                    self.add(&old, -1, t);
                }
                self.add(c, 1, t);
            }
        }
        self.copies.insert(shared.into_boxed_str(), (c.row, caller));
        Ok(())
    }

    /// Writes the aggregates as sorted upserts and empties the maps.
    fn flush(&mut self, conn: &Connection, upto: i64) -> Result<()> {
        flush_hours(conn, std::mem::take(&mut self.hours))?;
        flush_days(conn, std::mem::take(&mut self.days))?;
        flush_edge_hours(conn, std::mem::take(&mut self.edge_hours))?;
        flush_principals(conn, std::mem::take(&mut self.principals))?;
        flush_keys(conn, std::mem::take(&mut self.keys), upto)?;
        let mut copies: Vec<_> = std::mem::take(&mut self.copies).into_iter().collect();
        copies.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut stmt = conn.prepare_cached(
            "INSERT INTO rollup_copies (shared_event_id, event, caller) VALUES (?1, ?2, ?3)
             ON CONFLICT (shared_event_id) DO UPDATE SET
                event = excluded.event, caller = excluded.caller",
        )?;
        for (shared, (row, caller)) in copies {
            stmt.execute(params![&*shared, row, caller])?;
        }
        Ok(())
    }
}

/// The counted copy of a cross-account call, as `rollup_copies` has it.
fn load_counted_copy(conn: &Connection, shared: &str) -> Result<Option<(i64, bool)>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached("SELECT event, caller FROM rollup_copies WHERE shared_event_id = ?1")?
        .query_row([shared], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// One event as the fold reads it.
fn load_call(conn: &Connection, row: i64) -> Result<Option<Call>> {
    use rusqlite::OptionalExtension;
    let sql = format!("SELECT {CALL_COLUMNS} FROM events WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([row], call_from_row)
        .optional()?)
}

fn flush_hours(conn: &Connection, hours: Map<(i64, i64), Agg>) -> Result<()> {
    let mut rows: Vec<_> = hours.into_iter().collect();
    rows.sort_unstable_by_key(|(k, _)| *k);
    let mut stmt = conn.prepare_cached(
        "INSERT INTO rollup_hours (entity, hour, ok, failed) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (entity, hour) DO UPDATE SET
            ok = ok + excluded.ok, failed = failed + excluded.failed",
    )?;
    for ((entity, hour), a) in rows {
        stmt.execute(params![entity, hour, a.ok, a.failed])?;
    }
    Ok(())
}

/// Day rows, and the first / last seen they imply.
fn flush_days(conn: &Connection, days: Map<(i64, i64, i64), Agg>) -> Result<()> {
    let mut rows: Vec<_> = days.into_iter().collect();
    // (entity|dim, value, day): one value's days are adjacent, which is what `rollup_seen` needs.
    rows.sort_unstable_by_key(|(k, _)| *k);
    let mut seen = conn.prepare_cached(
        "INSERT INTO rollup_seen (entity, dim, value, first_ms, last_ms, ok, failed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (entity, dim, value) DO UPDATE SET
            first_ms = MIN(first_ms, excluded.first_ms),
            last_ms = MAX(last_ms, excluded.last_ms),
            ok = ok + excluded.ok, failed = failed + excluded.failed",
    )?;
    let mut i = 0;
    while i < rows.len() {
        let (ed, value, _) = rows[i].0;
        let mut total = Agg::EMPTY;
        while i < rows.len() && rows[i].0.0 == ed && rows[i].0.1 == value {
            let a = rows[i].1;
            total.ok += a.ok;
            total.failed += a.failed;
            total.first = total.first.min(a.first);
            total.last = total.last.max(a.last);
            i += 1;
        }
        seen.execute(params![
            ed >> 3,
            ed & 7,
            value,
            total.first,
            total.last,
            total.ok,
            total.failed
        ])?;
    }
    // The table's key order, (entity, dim, day, value): appends land on few pages.
    rows.sort_unstable_by_key(|((ed, value, day), _)| (*ed, *day, *value));
    let mut stmt = conn.prepare_cached(
        "INSERT INTO rollup_days (entity, dim, day, value, ok, failed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (entity, dim, day, value) DO UPDATE SET
            ok = ok + excluded.ok, failed = failed + excluded.failed",
    )?;
    for ((ed, value, day), a) in rows {
        stmt.execute(params![ed >> 3, ed & 7, day, value, a.ok, a.failed])?;
    }
    Ok(())
}

fn flush_edge_hours(conn: &Connection, hours: Map<(i64, i64, i64), Agg>) -> Result<()> {
    let mut rows: Vec<_> = hours.into_iter().collect();
    rows.sort_unstable_by_key(|((ed, value, hour), _)| (*ed, *hour, *value));
    let mut stmt = conn.prepare_cached(
        "INSERT INTO rollup_edge_hours (entity, dim, hour, value, ok, failed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (entity, dim, hour, value) DO UPDATE SET
            ok = ok + excluded.ok, failed = failed + excluded.failed",
    )?;
    for ((ed, value, hour), a) in rows {
        stmt.execute(params![ed >> 3, ed & 7, hour, value, a.ok, a.failed])?;
    }
    Ok(())
}

fn flush_principals(conn: &Connection, principals: Map<i64, PrincipalAgg>) -> Result<()> {
    let mut rows: Vec<_> = principals.into_iter().collect();
    rows.sort_unstable_by_key(|(k, _)| *k);
    let assumed = lookup_string(conn, UserType::AssumedRole.as_str())?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO principals (principal, user_type, arn, issuer_arn, account, first_ms,
            last_ms, events, failed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (principal) DO UPDATE SET
            user_type = CASE WHEN user_type IS ?10 OR excluded.user_type IS NULL THEN user_type
                ELSE excluded.user_type END,
            arn = COALESCE(excluded.arn, arn),
            issuer_arn = COALESCE(excluded.issuer_arn, issuer_arn),
            account = COALESCE(excluded.account, account),
            first_ms = MIN(first_ms, excluded.first_ms),
            last_ms = MAX(last_ms, excluded.last_ms),
            events = events + excluded.events,
            failed = failed + excluded.failed",
    )?;
    for (p, a) in rows {
        // A principal only taken back out in this fold has no time of its own here: the
        // upsert's MIN / MAX keep the row's.
        let (first, last) = if a.calls.first <= a.calls.last {
            (a.calls.first, a.calls.last)
        } else {
            (i64::MAX, i64::MIN)
        };
        stmt.execute(params![
            p,
            a.user_type,
            a.arn,
            a.issuer,
            a.account,
            first,
            last,
            a.calls.ok + a.calls.failed,
            a.calls.failed,
            assumed
        ])?;
    }
    Ok(())
}

fn flush_keys(conn: &Connection, keys: Map<(i64, i64, i64), KeyAgg>, upto: i64) -> Result<()> {
    let mut rows: Vec<_> = keys.into_iter().collect();
    rows.sort_unstable_by_key(|(k, _)| *k);
    let mut stmt = conn.prepare_cached(
        "INSERT INTO session_keys (principal, access_key, created_ms, role, first_ms, last_ms,
            events, failed, folded_upto)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (principal, access_key, created_ms) DO UPDATE SET
            role = COALESCE(role, excluded.role),
            first_ms = MIN(first_ms, excluded.first_ms),
            last_ms = MAX(last_ms, excluded.last_ms),
            events = events + excluded.events,
            failed = failed + excluded.failed,
            folded_upto = excluded.folded_upto",
    )?;
    for ((p, key, created), a) in rows {
        stmt.execute(params![
            p,
            key,
            created,
            a.role,
            a.calls.first,
            a.calls.last,
            a.calls.ok + a.calls.failed,
            a.calls.failed,
            upto
        ])?;
    }
    Ok(())
}
