//! CloudTrail ingest end to end: the real binary on synthetic fixtures (`--json` output and exit
//! codes), and library-level checks on what the cache holds afterwards.

use std::io::Write;
use std::path::{Path, PathBuf};

use rolecall::ingest::{IngestOptions, IngestReport, ingest_paths};
use rolecall::store::{Store, load_raw};
use serde_json::Value;

const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENFIXTURE";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cloudtrail")
        .join(name)
}

/// Runs `rolecall --db DB ingest PATHS --json`; returns the exit code and the parsed summary.
fn ingest_cli(db: &Path, paths: &[PathBuf]) -> (i32, Value) {
    let out = assert_cmd::cargo_bin_cmd!("rolecall")
        .arg("--db")
        .arg(db)
        .arg("ingest")
        .args(paths)
        .arg("--json")
        .output()
        .expect("runs");
    let code = out.status.code().expect("exit code");
    let summary = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (code, summary)
}

fn ingest_lib(store: &mut Store, paths: &[PathBuf]) -> IngestReport {
    ingest_paths(store, paths, &IngestOptions::default(), 0).expect("ingest")
}

fn event_ids(store: &Store) -> Vec<String> {
    let mut stmt = store
        .conn()
        .prepare("SELECT event_id FROM events ORDER BY event_id")
        .expect("prepare");
    stmt.query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

fn rejects(store: &Store) -> Vec<(String, String)> {
    let mut stmt = store
        .conn()
        .prepare("SELECT position, reason FROM rejects ORDER BY id")
        .expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

fn gzip(text: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(text).expect("gzip");
    enc.finish().expect("gzip")
}

#[test]
fn a_clean_trail_file_exits_zero_and_counts_its_duplicate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cache.db");
    let (code, summary) = ingest_cli(&db, &[fixture("org-trail.json")]);
    assert_eq!(code, 0, "{summary}");
    assert_eq!(summary["files"], 1);
    // Five records, one of them twice in the same file.
    assert_eq!(summary["events_new"], 4);
    assert_eq!(summary["events_dup"], 1);
    assert_eq!(summary["rejected"], 0);
}

#[test]
fn re_ingesting_adds_nothing_and_still_exits_zero() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cache.db");
    let all = vec![
        fixture("org-trail.json"),
        fixture("lookup-events.json"),
        fixture("eventbridge.jsonl"),
    ];
    let (code, first) = ingest_cli(&db, &all);
    assert_eq!(code, 0, "{first}");
    assert_eq!(first["events_new"], 6);
    let (code, again) = ingest_cli(&db, &all);
    assert_eq!(code, 0, "{again}");
    assert_eq!(again["events_new"], 0);
    assert_eq!(again["events_dup"], 7);
    let bytes: u64 = all
        .iter()
        .map(|f| std::fs::metadata(f).expect("size").len())
        .sum();
    assert_eq!(
        again["bytes_read"], bytes,
        "bytes read are the files' sizes"
    );
}

#[test]
fn small_commits_group_whole_files_and_change_no_result() {
    let dir = tempfile::tempdir().expect("tempdir");
    let all = vec![
        fixture("org-trail.json"),
        fixture("lookup-events.json"),
        fixture("eventbridge.jsonl"),
    ];
    let mut files_rows = Vec::new();
    for every in [None, Some(1), Some(3)] {
        let mut store = Store::open(&dir.path().join(format!("{every:?}.db"))).expect("open");
        let opts = IngestOptions {
            commit_every: every,
            ..IngestOptions::default()
        };
        let r = ingest_paths(&mut store, &all, &opts, 0).expect("ingest");
        assert_eq!((r.totals.files, r.totals.events_new), (3, 6), "{every:?}");
        assert_eq!(event_ids(&store).len(), 6);
        let rows: Vec<(String, i64)> = store
            .conn()
            .prepare("SELECT path, records FROM files ORDER BY id")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        files_rows.push(rows);
    }
    assert_eq!(files_rows[0], files_rows[1]);
    assert_eq!(files_rows[0], files_rows[2]);
}

#[test]
fn a_bad_record_in_the_middle_exits_two_and_keeps_its_neighbours() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cache.db");
    let (code, summary) = ingest_cli(&db, &[fixture("bad-record-in-the-middle.json")]);
    assert_eq!(code, 2, "{summary}");
    assert_eq!(summary["events_new"], 2);
    assert_eq!(summary["rejected"], 1);
    let store = Store::open(&db).expect("open");
    assert_eq!(event_ids(&store), ["mid-0001", "mid-0003"]);
    let rejects = rejects(&store);
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].0, "record 2 (line 3)");
    assert!(
        rejects[0].1.starts_with("malformed JSON"),
        "{}",
        rejects[0].1
    );
}

#[test]
fn a_truncated_gzip_keeps_the_records_before_the_damage_and_exits_two() {
    let dir = tempfile::tempdir().expect("tempdir");
    let records: Vec<String> = (0..400)
        .map(|i| {
            format!(
                r#"{{"eventVersion":"1.08","eventID":"gz-{i:04}","eventTime":"2026-10-01T13:{:02}:{:02}Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","recipientAccountId":"111122223333","sourceIPAddress":"198.51.100.{}","requestParameters":{{"bucketName":"example-bucket","key":"object-{i}-{:x}"}}}}"#,
                i / 60,
                i % 60,
                i % 250,
                i * 7919
            )
        })
        .collect();
    let text = format!("{{\"Records\":[{}]}}", records.join(","));
    let gz = gzip(text.as_bytes());
    let path = dir
        .path()
        .join("111122223333_CloudTrail_us-east-1_20261001T1300Z_cut.json.gz");
    std::fs::write(&path, &gz[..gz.len() * 3 / 5]).expect("write");
    let db = dir.path().join("cache.db");
    let (code, summary) = ingest_cli(&db, &[path]);
    assert_eq!(code, 2, "{summary}");
    let kept = summary["events_new"].as_u64().expect("count") as usize;
    assert!(kept > 0 && kept < 400, "{summary}");
    let store = Store::open(&db).expect("open");
    // Exactly the records before the damage, in order, none after it.
    let want: Vec<String> = (0..kept).map(|i| format!("gz-{i:04}")).collect();
    assert_eq!(event_ids(&store), want);
    let reasons: Vec<String> = rejects(&store).into_iter().map(|r| r.1).collect();
    assert!(
        reasons.iter().any(|r| r.starts_with("truncated")),
        "{reasons:?}"
    );
    assert!(reasons.iter().any(|r| r.contains("gzip")), "{reasons:?}");
}

#[test]
fn cross_account_copies_of_one_call_are_both_kept() {
    let mut store = Store::open_in_memory().expect("store");
    ingest_lib(&mut store, &[fixture("org-trail.json")]);
    let copies: Vec<(String, String)> = {
        let mut stmt = store
            .conn()
            .prepare(
                "SELECT event_id, shared_event_id FROM events WHERE shared_event_id IS NOT NULL
                 ORDER BY event_id",
            )
            .expect("prepare");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    assert_eq!(copies.len(), 2, "{copies:?}");
    assert_ne!(copies[0].0, copies[1].0);
    assert_eq!(copies[0].1, copies[1].1);
}

#[test]
fn re_ingest_through_the_library_adds_zero_events_and_counts_in_file_duplicates() {
    let mut store = Store::open_in_memory().expect("store");
    let first = ingest_lib(&mut store, &[fixture("org-trail.json")]);
    assert_eq!((first.totals.events_new, first.totals.events_dup), (4, 1));
    let again = ingest_lib(&mut store, &[fixture("org-trail.json")]);
    assert_eq!((again.totals.events_new, again.totals.events_dup), (0, 5));
    assert_eq!(event_ids(&store).len(), 4);
}

#[test]
fn the_same_record_without_an_event_id_is_stored_once_however_it_is_laid_out() {
    let mut store = Store::open_in_memory().expect("store");
    let report = ingest_lib(
        &mut store,
        &[
            fixture("no-event-id.pretty.json"),
            fixture("no-event-id.compact.jsonl"),
        ],
    );
    assert_eq!(report.totals.events_new, 1);
    assert_eq!(report.totals.events_dup, 1);
    let ids = event_ids(&store);
    assert!(ids[0].starts_with("rolecall-"), "{ids:?}");
}

#[test]
fn no_stored_record_holds_a_session_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("cache.db")).expect("store");
    ingest_lib(&mut store, &[fixture("")]);
    let raw_refs: Vec<i64> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT raw_ref FROM events")
            .expect("prepare");
        stmt.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    assert!(raw_refs.len() >= 8);
    let mut redacted = 0;
    for r in raw_refs {
        let raw = load_raw(store.conn(), r).expect("load").expect("present");
        assert!(!raw.contains(SESSION_TOKEN), "{raw}");
        redacted += usize::from(raw.contains("\"sessionToken\":\"<redacted>\""));
    }
    assert_eq!(
        redacted, 2,
        "both copies of the AssumeRole keep the key, not the token"
    );
    // Nor anywhere else in the cache file.
    drop(store);
    let bytes = std::fs::read(dir.path().join("cache.db")).expect("read db");
    assert!(
        !bytes
            .windows(SESSION_TOKEN.len())
            .any(|w| w == SESSION_TOKEN.as_bytes())
    );
}

#[test]
fn digest_files_are_skipped_without_a_reject() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, summary) = ingest_cli(&dir.path().join("cache.db"), &[fixture("digest.json")]);
    assert_eq!(code, 0, "{summary}");
    assert_eq!(summary["files_skipped"], 1);
    assert_eq!(summary["rejected"], 0);
}

#[test]
fn a_missing_path_is_fatal_and_exits_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = assert_cmd::cargo_bin_cmd!("rolecall")
        .arg("--db")
        .arg(dir.path().join("cache.db"))
        .args(["ingest", "--json"])
        .arg(dir.path().join("no-such-file.json"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such file"));
}

#[test]
fn the_sts_issuance_of_an_assume_role_is_stored() {
    let mut store = Store::open_in_memory().expect("store");
    ingest_lib(&mut store, &[fixture("org-trail.json")]);
    let (session, expires): (String, i64) = store
        .conn()
        .query_row(
            "SELECT s.role_session_name, s.expires_ms FROM sts_calls s
             JOIN events e ON e.id = s.event WHERE e.event_id = ?1",
            ["aaaaaaaa-0000-0000-0000-000000000001"],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("an sts row");
    assert_eq!(session, "bob");
    assert_eq!(expires, 1_790_863_200_000); // Oct 1, 2026, 2:00:00 PM UTC
}
