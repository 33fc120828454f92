//! Fuzzing on stable Rust: property tests (`proptest`) and a seeded mutation fuzzer over the
//! corpus files and synthetic ones, for every reader: CloudTrail containers and records,
//! GuardDuty findings in both shapes, VPC flow text, time parsing, gzip. What must hold: no
//! panic, memory bounded (the process's peak, reset before each input, on Linux), good records
//! around a damaged one kept, and reading window by window giving what reading whole gives.
//!
//! `cargo test --test ingest_fuzz` runs a short pass (seconds). A long one, on demand:
//! `ROLECALL_FUZZ_ITERS=20000 ROLECALL_FUZZ_SEED=7 cargo test --release --test ingest_fuzz`
//! (iterations per corpus file; the seed makes a failure reproducible: it is printed).

use std::io::Write;
use std::path::{Path, PathBuf};

mod corpus_support;
use corpus_support::corpus_peer;

use proptest::prelude::*;
use rolecall::ingest::json::{self, Flow, Splitter, Window};
use rolecall::ingest::vpcflow::{self, FlowReader};
use rolecall::ingest::{Bad, IngestError, IngestOptions, Input, Record, guardduty, ingest_inputs};
use rolecall::store::Store;

/// The memory budget (DESIGN).
const BUDGET_KB: u64 = 300 * 1024;

/// A small deterministic generator (xorshift64*): the same seed, the same mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// One mutation of `data`, drawing material from `other` for splices.
fn mutate(rng: &mut Rng, data: &[u8], other: &[u8]) -> Vec<u8> {
    let mut d = data.to_vec();
    let at = rng.below(d.len() + 1);
    match rng.below(8) {
        // Bit flips.
        0 => {
            for _ in 0..1 + rng.below(8) {
                if !d.is_empty() {
                    let i = rng.below(d.len());
                    d[i] ^= 1 << rng.below(8);
                }
            }
        }
        // Truncation.
        1 => d.truncate(at),
        // A splice of another file.
        2 => {
            let from = rng.below(other.len() + 1);
            let len = rng.below(other.len() - from + 1);
            d.splice(at..at, other[from..from + len].iter().copied());
        }
        // Deep nesting.
        3 => {
            let depth = 1 + rng.below(5000);
            let open = if rng.below(2) == 0 { "[" } else { "{\"a\":" };
            d.splice(at..at, open.repeat(depth).bytes());
        }
        // A huge string.
        4 => {
            let len = 1 + rng.below(6 << 20);
            let mut s = b"\"".to_vec();
            s.resize(len, b'x');
            s.push(b'"');
            d.splice(at..at, s);
        }
        // Structural bytes dropped in.
        5 => {
            let junk = [b'{', b'}', b'[', b']', b'"', b',', b':', b'\\', b'\n', 0];
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(d.len() + 1);
                d.insert(i, junk[rng.below(junk.len())]);
            }
        }
        // A run of bytes deleted.
        6 => {
            let len = rng.below(64).min(d.len() - at.min(d.len()));
            d.drain(at..at + len);
        }
        // Duplicated region.
        _ => {
            let len = rng.below(256).min(d.len() - at.min(d.len()));
            let copy = d[at..at + len].to_vec();
            d.splice(at..at, copy);
        }
    }
    d
}

/// What a reader handed over, summarised for comparison.
fn collect(
    items: &mut Vec<String>,
) -> impl FnMut(Result<Record, Bad>) -> Result<(), IngestError> + '_ {
    move |item| {
        items.push(match item {
            Ok(Record::Event(e)) => format!("event {}", e.event_id),
            Ok(Record::Finding(f)) => format!("finding {}", f.finding_id),
            Ok(Record::Flow(r)) => format!("flow {:?}", r.fields.len()),
            Err(b) => format!("reject {} {} {:?}", b.position, b.reason, b.excerpt),
        });
        Ok(())
    }
}

/// The JSON reader over `data`, whole or in windows growing by `chunk` bytes.
fn read_json(data: &[u8], chunk: usize, max_record: usize) -> Vec<String> {
    let mut items = Vec::new();
    let mut sink = collect(&mut items);
    let mut sp = Splitter::new(json::start_of(data), max_record);
    let (mut base, mut end) = (0usize, chunk.min(data.len()));
    loop {
        let win = Window {
            data: &data[base..end],
            base: base as u64,
            eof: end == data.len(),
        };
        let flow = sp.read(win, &mut sink).expect("the sink never fails");
        if flow == Flow::Done || win.eof {
            break;
        }
        let keep = sp.keep_from();
        sp.before_compact(win, keep);
        base = keep as usize;
        end = (end + chunk).min(data.len());
    }
    drop(sink);
    items
}

fn read_flow(data: &[u8], chunk: usize) -> Vec<String> {
    let mut items = Vec::new();
    let mut sink = collect(&mut items);
    let mut fr = FlowReader::new(1 << 20);
    let (mut base, mut end) = (0usize, chunk.min(data.len()));
    loop {
        let win = Window {
            data: &data[base..end],
            base: base as u64,
            eof: end == data.len(),
        };
        if fr.read(win, &mut sink).expect("sink") == Flow::Done || win.eof {
            break;
        }
        base = fr.keep_from() as usize;
        end = (end + chunk).min(data.len());
    }
    drop(sink);
    items
}

/// Resets the process's peak resident memory (Linux), so the next reading is this input's.
fn reset_peak() {
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .write(true)
        .open("/proc/self/clear_refs")
    {
        let _ = f.write_all(b"5");
    }
}

fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn iterations() -> usize {
    std::env::var("ROLECALL_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6)
}

fn seed() -> u64 {
    std::env::var("ROLECALL_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_1e55)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn record(id: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventID":"{id}","eventTime":"2026-10-01T13:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1","recipientAccountId":"111122223333","sourceIPAddress":"198.51.100.7","userIdentity":{{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"}},"requestParameters":{{"roleArn":"arn:aws:iam::444455556666:role/R","roleSessionName":"s"}},"responseElements":{{"credentials":{{"accessKeyId":"ASIAEXAMPLE","expiration":"Oct 1, 2026, 2:00:00 PM","sessionToken":"IQoJEXAMPLE"}}}},"resources":[{{"ARN":"x"}},{{"ARN":"y"}}]}}"#
    )
}

/// Synthetic inputs of every shape, so the fuzzer has material without the corpus too.
fn synthetic() -> Vec<(String, Vec<u8>)> {
    let ids: Vec<String> = (0..6).map(|i| record(&format!("syn-{i}"))).collect();
    let finding = r#"{"schemaVersion":"2.0","accountId":"111122223333","region":"us-east-1","id":"f1","type":"Recon:IAMUser/TorIPCaller","severity":5,"createdAt":"2026-10-01T13:00:00Z","updatedAt":"2026-10-01T13:00:00Z","service":{"eventFirstSeen":"2026-10-01T13:00:00Z","eventLastSeen":"2026-10-01T13:10:00Z","count":2,"action":{"awsApiCallAction":{"api":"GetObject","callerType":"Remote IP","remoteIpDetails":{"ipAddressV4":"198.51.100.7"}}}},"resource":{"resourceType":"AccessKey","accessKeyDetails":{"accessKeyId":"ASIAEXAMPLE","principalId":"AROAEXAMPLE:s","userName":"R","userType":"AssumedRole"}}}"#;
    let pascal = r#"{"SchemaVersion":"2.0","AccountId":"111122223333","Id":"f2","Type":"Recon:IAMUser/TorIPCaller","Severity":5,"UpdatedAt":"2026-10-01T13:00:00Z","Service":{"Count":1}}"#;
    vec![
        ("records.json".into(), format!("{{\"Records\":[{}]}}", ids.join(",")).into_bytes()),
        ("lines.jsonl".into(), ids.join("\n").into_bytes()),
        (
            "pretty.json".into(),
            serde_json::to_vec_pretty(&serde_json::json!({
                "Records": ids.iter().map(|r| serde_json::from_str::<serde_json::Value>(r).expect("json")).collect::<Vec<_>>()
            }))
            .expect("json"),
        ),
        ("findings.json".into(), format!("[{finding},{pascal}]").into_bytes()),
        ("findings-api.json".into(), format!("{{\"Findings\":[{pascal}]}}").into_bytes()),
        (
            "flow.log".into(),
            b"version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n2 111122223333 eni-1 192.0.2.1 198.51.100.1 443 49152 6 10 840 1700000000 1700000060 ACCEPT OK\n2 111122223333 eni-1 - - - - - - - 1700000000 1700000060 - NODATA\n".to_vec(),
        ),
    ]
}

fn inputs() -> Vec<(String, Vec<u8>)> {
    let mut all = synthetic();
    if let Some(peer) = corpus_peer() {
        let mut files = Vec::new();
        walk(&peer, &mut files);
        for f in files {
            all.push((f.display().to_string(), corpus_support::read(&f)));
        }
    }
    all
}

#[test]
fn mutated_inputs_never_panic_stay_within_memory_and_read_the_same_in_windows() {
    let inputs = inputs();
    let seed = seed();
    let mut rng = Rng(seed | 1);
    let iters = iterations();
    let mut worst = 0u64;
    for (n, (name, data)) in inputs.iter().enumerate() {
        let other = &inputs[(n + 1) % inputs.len()].1;
        for i in 0..iters {
            let m = mutate(&mut rng, data, other);
            let what = format!("{name}, mutation {i} (ROLECALL_FUZZ_SEED={seed})");
            reset_peak();
            let whole = read_json(&m, m.len().max(1), 1 << 20);
            // Small windows, but not so small that a multi-megabyte input takes minutes.
            let chunk = (1 + rng.below(9000)).max(m.len() / 64);
            let windowed = read_json(&m, chunk, 1 << 20);
            // Records of a value longer than a window's look-back may differ only in what
            // the oversize rule says; on everything else the two must agree.
            if m.len() < 60_000 {
                assert_eq!(windowed, whole, "{what}, chunk {chunk}");
            }
            let _ = read_flow(&m, chunk);
            let _ = vpcflow::detect(&m);
            let _ = json::detect(&m);
            let _ = guardduty::parse_finding(&m);
            if let Ok(text) = std::str::from_utf8(&m[..m.len().min(64)]) {
                let _ = rolecall::ingest::time::parse_event_time(text);
                let _ = rolecall::ingest::time::parse_expiration(text);
            }
            let peak = peak_kb();
            worst = worst.max(peak);
            assert!(peak < BUDGET_KB, "{what}: peak {peak} kB");
        }
    }
    eprintln!(
        "fuzzed {} inputs × {iters} mutations (seed {seed}); worst peak {} MB",
        inputs.len(),
        worst / 1024
    );
}

#[test]
fn good_records_around_a_damaged_one_are_kept() {
    let seed = seed();
    let mut rng = Rng(seed ^ 0xdead_beef | 1);
    let ids: Vec<String> = (0..7).map(|i| format!("keep-{i}")).collect();
    let records: Vec<String> = ids.iter().map(|id| record(id)).collect();
    for i in 0..iterations() * 20 {
        let k = 1 + rng.below(records.len() - 2);
        // Damage record k only: cut it short, drop structural bytes into it, or flip bits.
        let r = records[k].as_bytes();
        let mut damaged = r.to_vec();
        match rng.below(3) {
            0 => damaged.truncate(1 + rng.below(r.len() - 1)),
            1 => {
                for _ in 0..1 + rng.below(3) {
                    let at = 1 + rng.below(damaged.len() - 1);
                    damaged.insert(at, [b'{', b'[', b'"', b']'][rng.below(4)]);
                }
            }
            _ => {
                let at = 1 + rng.below(damaged.len() - 2);
                damaged[at] ^= 1 << rng.below(7);
            }
        }
        let mut parts: Vec<Vec<u8>> = records.iter().map(|r| r.as_bytes().to_vec()).collect();
        parts[k] = damaged;
        let pretty = rng.below(2) == 0;
        let sep: &[u8] = if pretty { b",\n  " } else { b"," };
        let mut data = b"{\"Records\":[".to_vec();
        if pretty {
            data.extend_from_slice(b"\n  ");
        }
        data.extend(parts.join(sep));
        data.extend_from_slice(b"]}");
        let items = read_json(&data, data.len(), 1 << 20);
        // Cut after a comma inside an array, the damaged record can become valid JSON that
        // holds its neighbours as array elements (`"resources":[{…},` + the next records):
        // then it is read as one record and those inside it are not separate records. Only
        // the records before it are owed in that case.
        let absorbed = items.contains(&format!("event {}", ids[k]));
        for (j, id) in ids.iter().enumerate() {
            if j != k && (j < k || !absorbed) {
                assert!(
                    items.contains(&format!("event {id}")),
                    "case {i} (ROLECALL_FUZZ_SEED={seed}): {id} lost when record {k} was damaged: {items:?}\n{}",
                    String::from_utf8_lossy(&data)
                );
            }
        }
    }
}

#[test]
fn damaged_gzip_keeps_its_good_prefix_and_never_panics() {
    let seed = seed();
    let mut rng = Rng(seed ^ 0x6219 | 1);
    let records: Vec<String> = (0..200).map(|i| record(&format!("gz-{i:03}"))).collect();
    let plain = format!("{{\"Records\":[{}]}}", records.join(","));
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(plain.as_bytes()).expect("gzip");
    let gz = enc.finish().expect("gzip");
    let mut store = Store::open_in_memory().expect("store");
    let inputs: Vec<Input> = (0..iterations().max(4))
        .map(|i| {
            let mut d = gz.clone();
            match i % 3 {
                0 => d.truncate(10 + rng.below(d.len() - 10)),
                1 => {
                    let at = 10 + rng.below(d.len() - 10);
                    d[at] ^= 1 << rng.below(8);
                }
                _ => d.extend_from_slice(&gz[..rng.below(gz.len())]),
            }
            Input::Bytes {
                name: format!("damaged-{i}.json.gz"),
                data: d,
            }
        })
        .collect();
    let report = ingest_inputs(
        &mut store,
        inputs,
        &IngestOptions::default(),
        &mut |_| {},
        0,
    )
    .expect("ingest");
    assert!(report.totals.events_new > 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn time_parsers_take_any_text(s in ".{0,40}") {
        let _ = rolecall::ingest::time::parse_event_time(&s);
        let _ = rolecall::ingest::time::parse_expiration(&s);
    }

    #[test]
    fn timestamps_in_range_round_trip(secs in 0i64..253_402_300_799, ms in 0i64..1000) {
        let t = chrono::DateTime::from_timestamp(secs, (ms * 1_000_000) as u32).expect("in range");
        let text = t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        prop_assert_eq!(rolecall::ingest::time::parse_event_time(&text), Some(secs * 1000 + ms));
    }

    #[test]
    fn any_bytes_read_as_json_the_same_whole_or_in_windows(
        data in proptest::collection::vec(prop_oneof![
            Just(b'{'), Just(b'}'), Just(b'['), Just(b']'), Just(b'"'), Just(b','), Just(b':'),
            Just(b'\n'), Just(b' '), Just(b'\\'), Just(b'a'), Just(b'1'),
        ], 0..400),
        chunk in 1usize..64,
    ) {
        let whole = read_json(&data, data.len().max(1), 1 << 20);
        prop_assert_eq!(read_json(&data, chunk, 1 << 20), whole);
    }

    #[test]
    fn records_split_anywhere_read_the_same(n in 1usize..12, chunk in 1usize..700, lines in any::<bool>()) {
        let records: Vec<String> = (0..n).map(|i| record(&format!("p-{i}"))).collect();
        let data = if lines {
            records.join("\n")
        } else {
            format!("{{\"Records\":[{}]}}", records.join(","))
        };
        let whole = read_json(data.as_bytes(), data.len(), 1 << 20);
        prop_assert_eq!(whole.len(), n);
        prop_assert_eq!(read_json(data.as_bytes(), chunk, 1 << 20), whole);
    }

    #[test]
    fn flow_lines_read_the_same_whole_or_in_windows(
        lines in proptest::collection::vec("[0-9a-z\\- ]{0,80}", 0..20),
        chunk in 1usize..50,
    ) {
        let text = format!(
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n{}",
            lines.join("\n")
        );
        let whole = read_flow(text.as_bytes(), text.len().max(1));
        prop_assert_eq!(read_flow(text.as_bytes(), chunk), whole);
    }

    #[test]
    fn findings_of_any_shape_never_panic(
        keys in proptest::collection::vec(prop_oneof![
            Just("id"), Just("Id"), Just("type"), Just("Type"), Just("updatedAt"),
            Just("UpdatedAt"), Just("severity"), Just("service"), Just("resource"),
        ], 0..8),
        values in proptest::collection::vec(prop_oneof![
            Just("1".to_string()), Just("\"x\"".to_string()), Just("null".to_string()),
            Just("{}".to_string()), Just("[1,{}]".to_string()),
            Just("\"2026-10-01T13:00:00Z\"".to_string()), Just("{\"count\":\"x\"}".to_string()),
        ], 8),
    ) {
        let body: Vec<String> = keys.iter().zip(&values).map(|(k, v)| format!("\"{k}\":{v}")).collect();
        let _ = guardduty::parse_finding(format!("{{{}}}", body.join(",")).as_bytes());
    }
}
