//! `rolecall db info`: what the cache holds and which accounts, regions and days it covers.

use rusqlite::Connection;

use super::{Result, migrate};

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
