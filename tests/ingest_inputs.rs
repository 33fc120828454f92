//! The pipeline fed by any source: inputs from a channel another thread fills (as sync will
//! feed S3 objects and LookupEvents pages), and progress reported as data.

use std::io::Write;
use std::path::PathBuf;

use rolecall::ingest::{IngestOptions, Input, Progress, ingest_inputs, ingest_paths_with_progress};
use rolecall::store::Store;

fn record(id: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventID":"{id}","eventTime":"2026-10-01T13:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","recipientAccountId":"111122223333","sourceIPAddress":"198.51.100.7"}}"#
    )
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).expect("gzip");
    enc.finish().expect("gzip")
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

#[test]
fn inputs_from_a_channel_filled_by_another_thread_are_ingested_in_order() {
    let (tx, rx) = std::sync::mpsc::channel::<Input>();
    let feeder = std::thread::spawn(move || {
        // A LookupEvents page: each event's record as one JSON line.
        let page = format!("{}\n{}\n", record("page-1"), record("page-2"));
        tx.send(Input::Bytes {
            name: "lookup-events us-east-1 page 1".into(),
            data: page.into_bytes(),
        })
        .expect("send");
        // An S3 object, gzip.
        let object = format!("{{\"Records\":[{}]}}", record("s3-1"));
        tx.send(Input::Bytes {
            name: "s3://trail/AWSLogs/111122223333/x.json.gz".into(),
            data: gzip(object.as_bytes()),
        })
        .expect("send");
        // Something that is not a log.
        tx.send(Input::Bytes {
            name: "s3://trail/odd.bin".into(),
            data: vec![0, 1, 2, 3, 255],
        })
        .expect("send");
    });
    let mut store = Store::open_in_memory().expect("store");
    let mut seen: Vec<Progress> = Vec::new();
    let report = ingest_inputs(
        &mut store,
        rx,
        &IngestOptions::default(),
        &mut |p| seen.push(p.clone()),
        0,
    )
    .expect("ingest");
    feeder.join().expect("feeder");
    assert_eq!(event_ids(&store), ["page-1", "page-2", "s3-1"]);
    assert_eq!(report.totals.files, 3);
    assert_eq!(report.totals.rejected, 1);
    let last = seen.last().expect("progress was reported");
    assert_eq!(last.inputs_done, 3);
    assert_eq!(last.inputs_total, None, "a channel's length is not known");
    assert_eq!(last.events_new, 3);
    assert_eq!(last.rejected, 1);
    assert_eq!(last.current, "s3://trail/odd.bin");
    let names: Vec<&str> = seen.iter().map(|p| p.current.as_str()).collect();
    assert!(
        names.contains(&"lookup-events us-east-1 page 1"),
        "{names:?}"
    );
    let rejects: Vec<(String, String)> = store
        .conn()
        .prepare("SELECT file, reason FROM rejects")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].0, "s3://trail/odd.bin");
    assert!(
        rejects[0].1.contains("binary data, 5 B"),
        "{}",
        rejects[0].1
    );
}

#[test]
fn progress_counts_inputs_and_bytes_up_to_their_totals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut paths: Vec<PathBuf> = Vec::new();
    for i in 0..3 {
        let p = dir.path().join(format!("{i}.json"));
        std::fs::write(
            &p,
            format!("{{\"Records\":[{}]}}", record(&format!("f{i}"))),
        )
        .expect("write");
        paths.push(p);
    }
    // One input larger than a window, to be reported on while it is read.
    let big = dir.path().join("big.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&big).expect("create"));
    let pad = "q".repeat(20_000);
    for i in 0..2_000 {
        let r = record(&format!("big-{i:04}")).replace(
            r#""eventName":"GetObject""#,
            &format!(r#""eventName":"GetObject","requestParameters":{{"pad":"{pad}"}}"#),
        );
        writeln!(f, "{r}").expect("write");
    }
    drop(f);
    paths.push(big.clone());
    let total: u64 = paths
        .iter()
        .map(|p| std::fs::metadata(p).expect("size").len())
        .sum();
    let mut store = Store::open_in_memory().expect("store");
    let mut seen: Vec<Progress> = Vec::new();
    let opts = IngestOptions {
        measure_total: true,
        ..IngestOptions::default()
    };
    let report = ingest_paths_with_progress(
        &mut store,
        &[dir.path().to_path_buf()],
        &opts,
        &mut |p| seen.push(p.clone()),
        0,
    )
    .expect("ingest");
    assert_eq!(report.totals.events_new, 2_003);
    let last = seen.last().expect("progress");
    assert_eq!((last.inputs_done, last.inputs_total), (4, Some(4)));
    assert_eq!((last.bytes_done, last.bytes_total), (total, Some(total)));
    assert!(
        seen.windows(2).all(|w| w[0].bytes_done <= w[1].bytes_done),
        "bytes only go forward"
    );
    let inside_big = seen
        .iter()
        .filter(|p| p.current.ends_with("big.jsonl") && p.inputs_done == 3)
        .count();
    assert!(
        inside_big >= 2,
        "the big input is reported on while it is read: {inside_big}"
    );
}
