//! CloudTrail records as SIEM exports hand them back (Logstash / Elastic, Datadog, an
//! Elasticsearch dump), through the real binary: every record read, the moved fields read back
//! from where the SIEM put them, the original kept as it came.

use std::path::{Path, PathBuf};

use rolecall::store::{Store, load_raw};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/siem")
        .join(name)
}

fn ingest(db: &Path, path: &Path) -> serde_json::Value {
    let out = assert_cmd::cargo_bin_cmd!("rolecall")
        .arg("--db")
        .arg(db)
        .arg("ingest")
        .arg(path)
        .arg("--json")
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

/// What one stored event holds: event ID, time, source IP, user agent, original record.
type Stored = (String, i64, Option<String>, Option<String>, String);
type Row = (String, i64, Option<String>, Option<String>, i64);

/// Every stored event, by time.
fn events(db: &Path) -> Vec<Stored> {
    let store = Store::open(db).expect("open");
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT e.event_id, e.time_ms, ip.s, ua.s, e.raw_ref FROM events e
             LEFT JOIN strings ip ON ip.id = e.source_ip
             LEFT JOIN strings ua ON ua.id = e.user_agent ORDER BY e.time_ms",
        )
        .expect("prepare");
    let rows: Vec<Row> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    rows.into_iter()
        .map(|(id, t, ip, ua, raw)| {
            let raw = load_raw(store.conn(), raw).expect("raw").expect("present");
            (id, t, ip, ua, raw)
        })
        .collect()
}

#[test]
fn logstash_records_are_read_with_their_time_from_at_timestamp() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cache.db");
    let s = ingest(&db, &fixture("logstash.jsonl"));
    assert_eq!(s["events_new"], 2, "{s}");
    let ev = events(&db);
    assert_eq!(ev[0].1, 1_790_859_900_000); // 2026-10-01T13:05:00Z
    assert_eq!(ev[0].2.as_deref(), Some("198.51.100.21"));
    assert!(
        ev[0].4.contains("\"@version\":\"1\""),
        "kept as it came: {}",
        ev[0].4
    );
    // The denied AssumeRole names its role only in errorMessage: read from there.
    let store = Store::open(&db).expect("open");
    let role: String = store
        .conn()
        .query_row(
            "SELECT r.s FROM sts_calls c JOIN strings r ON r.id = c.role_arn",
            [],
            |r| r.get(0),
        )
        .expect("an sts call with its role");
    assert_eq!(role, "arn:aws:iam::444455556666:role/ops/BreakGlass");
}

#[test]
fn datadog_records_give_back_the_ip_and_agent_they_moved() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cache.db");
    let s = ingest(&db, &fixture("datadog.json"));
    assert_eq!(s["events_new"], 2, "{s}");
    let ev = events(&db);
    assert_eq!(ev[0].2.as_deref(), Some("203.0.113.44"));
    assert_eq!(ev[0].3.as_deref(), Some("Boto3/1.34.0 Python/3.12"));
    assert_eq!(ev[1].2.as_deref(), Some("203.0.113.45"), "dotted keys too");
    assert_eq!(ev[1].3.as_deref(), Some("console.amazonaws.com"));
    assert!(ev[0].4.contains("\"network\""), "kept as it came");
}

#[test]
fn elasticsearch_hits_are_unwrapped_and_ecs_documents_read_from_their_original() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cache.db");
    let s = ingest(&db, &fixture("elasticsearch-hits.jsonl"));
    assert_eq!(s["events_new"], 2, "{s}");
    let ev = events(&db);
    assert_eq!(ev[0].0, "e1a57100-0000-4000-8000-000000000001");
    assert_eq!(ev[0].3.as_deref(), Some("terraform/1.7"));
    assert_eq!(ev[1].2.as_deref(), Some("192.0.2.81"));
    assert!(
        ev[1].4.starts_with("{\"eventVersion\""),
        "the original: {}",
        ev[1].4
    );
}
