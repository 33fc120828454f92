//! What the sync tests share: a cache's content as comparable text (events with their original
//! records, finding revisions), independent of row order and string-interning order, so a
//! synced cache and an ingested one, or a resumed sync and an uninterrupted one, compare equal
//! exactly when they hold the same records.
#![allow(dead_code)]

use rusqlite::Connection;

/// Every event (normalised and original record) and every finding revision, sorted.
pub fn content(conn: &Connection) -> Vec<String> {
    let mut out = Vec::new();
    let ids: Vec<String> = conn
        .prepare("SELECT event_id FROM events ORDER BY event_id")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    for id in ids {
        let ev = rolecall::store::load_event(conn, &id)
            .expect("load")
            .expect("event");
        let raw = rolecall::store::load_event_raw(conn, &id)
            .expect("raw")
            .expect("raw");
        out.push(format!("{:?} {raw}", ev.event));
    }
    let mut findings: Vec<String> = conn
        .prepare("SELECT finding_id, updated_ms, count, type, severity, raw FROM findings")
        .expect("prepare")
        .query_map([], |r| {
            Ok(format!(
                "finding {} {} {} {} {} {}",
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, f64>(4)?,
                r.get::<_, String>(5)?
            ))
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    findings.sort();
    out.extend(findings);
    out
}

pub fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).expect("count")
}

/// What the refresh derived from the events, as comparable text: coverage per account, region
/// and day, and how many rows each derived table holds (their keys are interned IDs, which
/// differ with arrival order; their counts do not).
pub fn derived(conn: &Connection) -> Vec<String> {
    let mut out: Vec<String> = conn
        .prepare(
            "SELECT account || ' ' || region || ' ' || day || ' ' || events || ' ' || first_ms \
             || ' ' || last_ms FROM coverage ORDER BY 1",
        )
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    for table in [
        "sts_calls",
        "issuances",
        "principals",
        "session_keys",
        "rollup_hours",
        "rollup_days",
        "rollup_edge_hours",
        "rollup_seen",
        "rollup_copies",
    ] {
        out.push(format!(
            "{table} {}",
            count(conn, &format!("SELECT COUNT(*) FROM {table}"))
        ));
    }
    out
}
