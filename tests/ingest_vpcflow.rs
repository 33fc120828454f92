//! VPC flow logs through the real binary (`rolecall ingest`), and every flow log in the corpus
//! through the reader.

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
mod corpus_support;
use corpus_support::{corpus_root, read};

use rolecall::ingest::vpcflow;
use rolecall::ingest::{Bad, IngestError, Record};
use rolecall::model::FlowRecord;
use rolecall::store::Store;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/vpcflow")
        .join(name)
}

/// Runs `rolecall --db DB ingest --json PATH`; returns the exit code and the JSON summary.
fn ingest(db: &Path, path: &Path) -> (i32, Value) {
    let out = cargo_bin_cmd!("rolecall")
        .arg("--db")
        .arg(db)
        .args(["ingest", "--json"])
        .arg(path)
        .output()
        .expect("run rolecall");
    let summary = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "summary is not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().expect("exit code"), summary)
}

fn flows_in(db: &Path) -> Vec<(Option<String>, Option<i64>, Option<String>)> {
    let store = Store::open(db).expect("open cache");
    let mut stmt = store
        .conn()
        .prepare("SELECT src_addr, dst_port, log_status FROM flows ORDER BY id")
        .expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[test]
fn a_flow_log_with_its_header_is_ingested_nodata_included() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cache.db");
    let (code, s) = ingest(&db, &fixture("default-v2.log"));
    assert_eq!(code, 0, "{s}");
    assert_eq!(
        (s["flows_new"].as_u64(), s["rejected"].as_u64()),
        (Some(4), Some(0))
    );
    let flows = flows_in(&db);
    assert_eq!(
        flows[2],
        (Some("203.0.113.99".into()), Some(22), Some("OK".into()))
    );
    assert_eq!(flows[3], (None, None, Some("NODATA".into())));
}

#[test]
fn a_gzipped_flow_log_is_ingested_like_the_plain_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = std::fs::read(fixture("default-v2.log")).expect("fixture");
    let gz_path = dir
        .path()
        .join("111122223333_vpcflowlogs_us-east-1_fl-0_20261001T1300Z_abc.log.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&plain).expect("gzip");
    std::fs::write(&gz_path, enc.finish().expect("gzip")).expect("write gz");
    let db = dir.path().join("cache.db");
    let (code, s) = ingest(&db, &gz_path);
    assert_eq!(code, 0, "{s}");
    assert_eq!(s["flows_new"].as_u64(), Some(4));
    // The same records as the plain file: ingesting it now adds nothing.
    let (_, again) = ingest(&db, &fixture("default-v2.log"));
    assert_eq!(
        (again["flows_new"].as_u64(), again["flows_dup"].as_u64()),
        (Some(0), Some(4))
    );
}

#[test]
fn a_custom_field_order_is_read_from_the_header() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cache.db");
    let (code, s) = ingest(&db, &fixture("custom-v5.log"));
    assert_eq!(code, 0, "{s}");
    assert_eq!(s["flows_new"].as_u64(), Some(2));
    let store = Store::open(&db).expect("open cache");
    let (account, instance, region, packets, fields): (String, String, String, i64, String) = store
        .conn()
        .query_row(
            "SELECT account, instance_id, region, packets, fields FROM flows ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .expect("row");
    assert_eq!(
        (
            account.as_str(),
            instance.as_str(),
            region.as_str(),
            packets
        ),
        ("444455556666", "i-0123456789abcdef0", "eu-west-1", 20)
    );
    let fields: Vec<(String, String)> = serde_json::from_str(&fields).expect("fields JSON");
    assert_eq!(fields.len(), 24);
    assert_eq!(fields[1], ("vpc-id".into(), "vpc-0abcdef0123456789".into()));
    assert_eq!(fields[23], ("traffic-path".into(), "8".into()));
}

#[test]
fn a_bad_line_exits_2_names_the_line_and_keeps_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cache.db");
    let (code, s) = ingest(&db, &fixture("bad-line.log"));
    assert_eq!(code, 2, "{s}");
    assert_eq!(
        (s["flows_new"].as_u64(), s["rejected"].as_u64()),
        (Some(2), Some(1))
    );
    let store = Store::open(&db).expect("open cache");
    let rejects = rolecall::store::load_all_rejects(store.conn()).expect("rejects");
    assert_eq!(rejects.len(), 1);
    assert!(rejects[0].contains("line 3"), "{}", rejects[0]);
    assert!(
        rejects[0].contains("srcport is not a number"),
        "{}",
        rejects[0]
    );
}

#[test]
fn ingesting_the_same_flow_log_again_adds_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cache.db");
    let (_, first) = ingest(&db, &fixture("custom-v5.log"));
    assert_eq!(first["flows_new"].as_u64(), Some(2));
    let (code, again) = ingest(&db, &fixture("custom-v5.log"));
    assert_eq!(code, 0);
    assert_eq!(
        (again["flows_new"].as_u64(), again["flows_dup"].as_u64()),
        (Some(0), Some(2))
    );
    assert_eq!(flows_in(&db).len(), 2);
}

fn parse(data: &[u8]) -> (Vec<FlowRecord>, Vec<Bad>) {
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    let mut sink = |item: Result<Record, Bad>| -> Result<(), IngestError> {
        match item {
            Ok(Record::Flow(r)) => ok.push(*r),
            Ok(other) => panic!("not a flow record: {other:?}"),
            Err(b) => bad.push(b),
        }
        Ok(())
    };
    vpcflow::parse(data, &mut sink).expect("parse");
    (ok, bad)
}

#[test]
fn every_flow_log_in_the_corpus_is_detected_and_read_without_rejects() {
    let Some(dir) = corpus_root() else { return };
    let mut files = 0;
    let mut records = 0;
    let mut problems = Vec::new();
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        let entry = entry.expect("walk corpus");
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let data = read(path);
        let first = data.iter().copied().find(|b| !b.is_ascii_whitespace());
        let is_json = matches!(first, Some(b'{' | b'['));
        if !vpcflow::detect(&data) {
            // Text files the corpus files under VPC / flow names are flow logs: they must be seen.
            let name = path.to_string_lossy().to_ascii_lowercase();
            if !is_json && (name.contains("flow") || name.contains("vpc")) {
                problems.push(format!("{}: flow log not detected", path.display()));
            }
            continue;
        }
        if is_json {
            problems.push(format!("{}: JSON claimed as a flow log", path.display()));
            continue;
        }
        files += 1;
        let (ok, bad) = parse(&data);
        records += ok.len();
        if ok.is_empty() {
            problems.push(format!("{}: detected but no record read", path.display()));
        }
        for b in bad {
            problems.push(format!("{}: {}: {}", path.display(), b.position, b.reason));
        }
        for r in &ok {
            let status = r.log_status.as_deref().unwrap_or("");
            let complete = r.src_addr.is_some() && r.dst_addr.is_some();
            // Records of formats that carry addresses have them, unless nothing was logged.
            let has_addr_fields = r.fields.iter().any(|(k, _)| k == "srcaddr");
            if has_addr_fields && status == "OK" && !complete {
                problems.push(format!(
                    "{}: OK record without addresses: {r:?}",
                    path.display()
                ));
            }
        }
    }
    eprintln!("{files} flow log files, {records} records");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(files > 0, "no flow log found under {}", dir.display());
}
