//! Crash safety: an ingest killed mid-run leaves a consistent cache, and the next run completes it
//! with no duplicates.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FILES: usize = 60;
const PER_FILE: usize = 1_500;

fn record(file: usize, i: usize) -> String {
    format!(
        r#"{{"eventVersion":"1.09","userIdentity":{{"type":"AssumedRole","principalId":"AROAEXAMPLEROLEID0001:worker-{file}","arn":"arn:aws:sts::111122223333:assumed-role/Worker/worker-{file}","accountId":"111122223333","accessKeyId":"ASIAEXAMPLE{file:09}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROAEXAMPLEROLEID0001","arn":"arn:aws:iam::111122223333:role/Worker","accountId":"111122223333","userName":"Worker"}},"attributes":{{"creationDate":"2026-10-01T12:00:00Z","mfaAuthenticated":"false"}}}}}},"eventTime":"2026-10-01T12:{:02}:{:02}Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.{}","userAgent":"aws-sdk-go/1.44.0","requestParameters":{{"bucketName":"example-bucket","key":"objects/{file}/{i}.bin"}},"responseElements":null,"requestID":"REQ{file:05}{i:06}","eventID":"{file:08}-0000-4000-8000-{i:012}","readOnly":true,"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"111122223333"}}"#,
        i % 60,
        (i / 60) % 60,
        file % 250
    )
}

fn write_files(dir: &std::path::Path) {
    for f in 0..FILES {
        let path = dir.join(format!("111122223333_CloudTrail_us-east-1_{f:04}.json.gz"));
        let file = std::fs::File::create(path).expect("create");
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        let records: Vec<String> = (0..PER_FILE).map(|i| record(f, i)).collect();
        write!(gz, "{{\"Records\":[{}]}}", records.join(",")).expect("write");
        gz.finish().expect("finish");
    }
}

fn count(db: &std::path::Path, sql: &str) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open");
    conn.busy_timeout(Duration::from_secs(5)).expect("timeout");
    conn.query_row(sql, [], |r| r.get(0)).unwrap_or(0)
}

#[test]
fn an_ingest_killed_mid_run_is_completed_by_the_next_without_duplicates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).expect("mkdir");
    write_files(&logs);
    let db = dir.path().join("cache.db");
    let bin = env!("CARGO_BIN_EXE_rolecall");

    let mut child = Command::new(bin)
        .arg("--db")
        .arg(&db)
        .arg("ingest")
        .arg(&logs)
        .arg("--json")
        // A commit every file (the default groups many), so the kill lands between commits.
        .args(["--commit-every", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    // Kill it once at least one file has been committed (or give up waiting after a while, in
    // which case the test still checks the consistency of whatever is there).
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut killed_mid_run = false;
    while Instant::now() < deadline {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if db.exists() && count(&db, "SELECT COUNT(*) FROM files") >= 2 {
            killed_mid_run = child.kill().is_ok();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    let partial = count(&db, "SELECT COUNT(*) FROM events");
    let files_done = count(&db, "SELECT COUNT(*) FROM files");
    // Commits came file by file, so the kill landed between two of them with files left to do.
    assert!(
        killed_mid_run && files_done < FILES as i64,
        "the ingest was not interrupted mid-run ({files_done} files committed)"
    );
    // One transaction per file: whole files only.
    assert_eq!(
        partial,
        files_done * PER_FILE as i64,
        "a half-written file was committed"
    );

    let out = Command::new(bin)
        .arg("--db")
        .arg(&db)
        .arg("ingest")
        .arg(&logs)
        .arg("--json")
        .output()
        .expect("rerun");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let total = (FILES * PER_FILE) as i64;
    assert_eq!(report["events_new"].as_i64(), Some(total - partial));
    assert_eq!(report["events_dup"].as_i64(), Some(partial));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM events"), total);
    assert_eq!(
        count(&db, "SELECT COUNT(DISTINCT event_id) FROM events"),
        total
    );
    let conn = rusqlite::Connection::open(&db).expect("open");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(check, "ok");
    let indexes: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'events_%'",
            [],
            |r| r.get(0),
        )
        .expect("indexes");
    assert_eq!(indexes, 5, "the dedup index and the four secondary indexes");
}
