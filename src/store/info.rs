//! What the cache holds: counts, coverage per account and region, how far derivation has got,
//! records dated far in the future, and reject listings (`rolecall db info`, `db rejects`, and
//! the checks readers make when they open the cache). Reads only.

use rusqlite::{Connection, params};

use super::{Result, migrate};
use crate::model::DAY_MS;

/// How far past "now" a record may be dated before it counts as a time outlier: clocks drift and
/// time zones get mislabelled, but a CloudTrail event a day ahead of the responder's clock is not
/// a real one (a corrupted or forged record, or a test fixture dated 9999).
pub const FUTURE_TOLERANCE_MS: i64 = DAY_MS;

/// A summary of the cache.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CacheInfo {
    pub schema_version: i64,
    pub events: i64,
    pub findings: i64,
    pub finding_revisions: i64,
    pub flows: i64,
    pub rejects: i64,
    pub ingest_runs: i64,
    pub last_ingest_ms: Option<i64>,
    pub coverage: Vec<CoverageRow>,
}

/// Events of one account and region: first and last event time, days with data.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CoverageRow {
    pub account: String,
    pub region: String,
    pub first_ms: i64,
    pub last_ms: i64,
    pub days: i64,
    pub events: i64,
}

/// Records dated after `after_ms` (now plus `FUTURE_TOLERANCE_MS`): counted and reported, and
/// left out when a default scope ("the last 24 hours of the data") is worked out, so one record
/// dated 9999 cannot make every default scope empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FutureRecords {
    pub after_ms: i64,
    pub events: i64,
    /// The earliest and latest of those events.
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
    /// Findings (distinct IDs) with a revision updated or last seen after `after_ms`.
    pub findings: i64,
}

/// Counts the records dated far in the future relative to `now_ms` (the caller's clock). Cost
/// grows with the number of such events only (index on event time); flow records are not
/// counted (no index on their time, and nothing is scoped by them).
pub fn load_future_records(conn: &Connection, now_ms: i64) -> Result<FutureRecords> {
    let after_ms = now_ms.saturating_add(FUTURE_TOLERANCE_MS);
    let (events, first_ms, last_ms) = conn
        .prepare_cached(
            "SELECT COUNT(*), MIN(time_ms), MAX(time_ms) FROM events WHERE time_ms > ?1",
        )?
        .query_row([after_ms], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let findings = conn
        .prepare_cached(
            "SELECT COUNT(DISTINCT finding_id) FROM findings
             WHERE updated_ms > ?1 OR last_seen_ms > ?1",
        )?
        .query_row([after_ms], |r| r.get(0))?;
    Ok(FutureRecords {
        after_ms,
        events,
        first_ms,
        last_ms,
        findings,
    })
}

/// The time of the latest event dated at or before `until_ms` (index-backed): the end of the
/// data's real span when `until_ms` is now plus `FUTURE_TOLERANCE_MS`.
pub fn load_latest_event_ms_until(conn: &Connection, until_ms: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT MAX(time_ms) FROM events WHERE time_ms <= ?1")?
        .query_row(params![until_ms], |r| r.get(0))?)
}

/// How far the derived tables (issuances, sessions, chain links, hourly activity) have got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Freshness {
    /// The highest event row derivation has read.
    pub derived_upto: i64,
    /// The highest event row in the cache.
    pub newest: i64,
}

impl Freshness {
    /// Events cached but not yet derived (`rolecall db refresh` derives them).
    pub fn behind(&self) -> i64 {
        (self.newest - self.derived_upto).max(0)
    }
}

/// Compares the derivation watermark with the newest event row (two index look-ups).
pub fn load_freshness(conn: &Connection) -> Result<Freshness> {
    Ok(Freshness {
        derived_upto: super::load_watermark(conn)?,
        newest: super::load_max_event_row(conn)?,
    })
}

fn count(conn: &Connection, sql: &str) -> Result<i64> {
    Ok(conn.query_row(sql, [], |r| r.get(0))?)
}

pub fn load_info(conn: &Connection) -> Result<CacheInfo> {
    let mut stmt = conn.prepare(
        "SELECT account, region, MIN(first_ms), MAX(last_ms), COUNT(*), SUM(events)
         FROM coverage GROUP BY account, region ORDER BY account, region",
    )?;
    let coverage = stmt
        .query_map([], |r| {
            Ok(CoverageRow {
                account: r.get(0)?,
                region: r.get(1)?,
                first_ms: r.get(2)?,
                last_ms: r.get(3)?,
                days: r.get(4)?,
                events: r.get(5)?,
            })
        })?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(CacheInfo {
        schema_version: migrate::current_version(conn)?,
        // From coverage, not COUNT(*) over events: that scans 10M rows.
        events: count(conn, "SELECT COALESCE(SUM(events), 0) FROM coverage")?,
        findings: count(conn, "SELECT COUNT(DISTINCT finding_id) FROM findings")?,
        finding_revisions: count(conn, "SELECT COUNT(*) FROM findings")?,
        flows: count(conn, "SELECT COUNT(*) FROM flows")?,
        rejects: count(conn, "SELECT COUNT(*) FROM rejects")?,
        ingest_runs: count(conn, "SELECT COUNT(*) FROM ingest_runs")?,
        last_ingest_ms: conn
            .query_row("SELECT MAX(finished_ms) FROM ingest_runs", [], |r| r.get(0))?,
        coverage,
    })
}

/// Rejects of one run's inputs as one line each: `file  position  reason  [excerpt]`, up to
/// `limit`. A reject is recorded once per input content, so this includes those an earlier run
/// recorded for the same content.
pub fn load_rejects(conn: &Connection, run_id: i64, limit: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT file, position, reason, excerpt FROM rejects
         WHERE run_id = ?1
            OR content_key IN (SELECT content_key FROM files
                               WHERE run_id = ?1 AND content_key IS NOT NULL)
         ORDER BY id LIMIT ?2",
    )?;
    let rows = stmt.query_map(rusqlite::params![run_id, limit], reject_line)?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Every reject in the cache, oldest first.
pub fn load_all_rejects(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT file, position, reason, excerpt FROM rejects ORDER BY id")?;
    let rows = stmt.query_map([], reject_line)?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

fn reject_line(r: &rusqlite::Row<'_>) -> rusqlite::Result<String> {
    let file: String = r.get(0)?;
    let position: String = r.get(1)?;
    let reason: String = r.get(2)?;
    let excerpt: Option<String> = r.get(3)?;
    Ok(match excerpt {
        Some(e) => format!(
            "{file}  {position}  {reason}  [{}]",
            e.chars().take(80).collect::<String>()
        ),
        None => format!("{file}  {position}  {reason}"),
    })
}
