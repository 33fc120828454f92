//! Conformance over the peer corpus (`<corpus>/peer`, sample data from other public projects):
//! what the ingester stores is compared with counts made here, independently of the ingest code,
//! by walking every file with `serde_json::Value` and a few simple rules.
//!
//! The corpus is read from `$ROLECALL_CORPUS`, else `<crate>/../shared/corpus` (CI clones the
//! repository beside `shared/`). Without it the tests say SKIPPED loudly and pass.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod corpus_support;
use corpus_support::{corpus_peer, read};

use rolecall::ingest::{IngestOptions, IngestReport, ingest_paths};
use rolecall::store::Store;
use serde_json::Value;

/// What the independent walk found.
#[derive(Default, Debug)]
struct Expected {
    /// Distinct well-formed CloudTrail events: `id:<eventID>`, or `content:<canonical JSON>`
    /// for records without an eventID.
    events: BTreeSet<String>,
    /// Distinct GuardDuty finding IDs, and every finding object seen.
    finding_ids: BTreeSet<String>,
    finding_objects: usize,
    /// VPC flow record lines (headers excluded), per file.
    flow_lines: BTreeMap<PathBuf, usize>,
    /// Files that look like JSON but do not parse, as JSON or as JSON lines.
    broken_json: Vec<PathBuf>,
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn count(peer: &Path) -> Expected {
    let mut files = Vec::new();
    walk(peer, &mut files);
    let mut exp = Expected::default();
    for path in files {
        let data = read(&path);
        let text = String::from_utf8_lossy(&data);
        let trimmed = text.trim_start_matches('\u{feff}').trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            let values: Option<Vec<Value>> = serde_json::from_str(trimmed)
                .map(|v| vec![v])
                .ok()
                .or_else(|| {
                    trimmed
                        .lines()
                        .filter(|l| !l.trim().is_empty())
                        .map(serde_json::from_str)
                        .collect::<Result<Vec<Value>, _>>()
                        .ok()
                });
            match values {
                Some(values) => {
                    for v in &values {
                        visit(v, &mut exp, &path);
                    }
                }
                None => {
                    recoverable(trimmed, &mut exp, &path);
                    exp.broken_json.push(path);
                }
            }
        } else if is_flow_log(trimmed) {
            let lines = trimmed
                .lines()
                .filter(|l| !l.trim().is_empty() && !is_flow_header(l))
                .count();
            *exp.flow_lines.entry(path).or_default() += lines;
        }
    }
    exp
}

/// In a file that is not valid JSON, the well-formed events that still parse on their own:
/// any complete object in an array-element position (after `[` or `,`) that is a CloudTrail
/// event. Bad input must not lose good input, so the ingester is expected to recover exactly
/// these.
fn recoverable(text: &str, exp: &mut Expected, path: &Path) {
    for (p, _) in text.match_indices('{') {
        let before = text[..p].trim_end();
        if !(before.ends_with(',') || before.ends_with('[')) {
            continue;
        }
        let mut values = serde_json::Deserializer::from_str(&text[p..]).into_iter::<Value>();
        if let Some(Ok(v @ Value::Object(_))) = values.next() {
            if v.as_object().is_some_and(well_formed_event) {
                visit(&v, exp, path);
            }
        }
    }
}

fn visit(v: &Value, exp: &mut Expected, path: &Path) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| visit(i, exp, path)),
        Value::Object(o) => {
            for key in ["Records", "Events", "Findings", "findings"] {
                if let Some(Value::Array(items)) = o.get(key) {
                    let finding = key.eq_ignore_ascii_case("findings");
                    for i in items {
                        if finding {
                            add_finding(i, exp);
                        } else {
                            visit(i, exp, path);
                        }
                    }
                    return;
                }
            }
            if let Some(Value::String(inner)) = o.get("CloudTrailEvent") {
                if let Ok(inner) = serde_json::from_str::<Value>(inner) {
                    visit(&inner, exp, path);
                }
                return;
            }
            if let (Some(_), Some(detail)) = (o.get("detail-type"), o.get("detail")) {
                if o.get("source").and_then(Value::as_str) == Some("aws.guardduty") {
                    add_finding(detail, exp);
                } else {
                    visit(detail, exp, path);
                }
                return;
            }
            if o.contains_key("message") && o.len() == 1 {
                *exp.flow_lines.entry(path.to_path_buf()).or_default() += 1;
                return;
            }
            if well_formed_event(o) {
                let key = match o.get("eventID").and_then(Value::as_str) {
                    Some(id) if !id.is_empty() => format!("id:{id}"),
                    _ => {
                        // Keys sorted whatever serde_json's features (test builds turn on
                        // `preserve_order`): the same record in another key order is the same.
                        let mut canonical = v.clone();
                        canonical.sort_all_objects();
                        format!("content:{canonical}")
                    }
                };
                exp.events.insert(key);
            } else if is_finding(o) {
                add_finding(v, exp);
            }
        }
        _ => {}
    }
}

/// Has eventTime (a date and a time of day), eventName and eventSource as non-empty strings, and
/// a userIdentity that is an object if it is there at all.
fn well_formed_event(o: &serde_json::Map<String, Value>) -> bool {
    let s = |k: &str| o.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let time_ok = s("eventTime").is_some_and(|t| {
        let b = t.as_bytes();
        b.len() >= 16
            && b[..4].iter().all(u8::is_ascii_digit)
            && b[4] == b'-'
            && b[7] == b'-'
            && (b[10] == b'T' || b[10] == b' ')
            && b[13] == b':'
    });
    let identity_ok = matches!(
        o.get("userIdentity"),
        None | Some(Value::Null | Value::Object(_))
    );
    time_ok && s("eventName").is_some() && s("eventSource").is_some() && identity_ok
}

fn is_finding(o: &serde_json::Map<String, Value>) -> bool {
    (o.contains_key("type") && o.contains_key("severity"))
        || (o.contains_key("Type") && o.contains_key("Severity"))
}

fn add_finding(v: &Value, exp: &mut Expected) {
    exp.finding_objects += 1;
    if let Some(id) = v.get("id").or_else(|| v.get("Id")).and_then(Value::as_str) {
        exp.finding_ids.insert(id.to_string());
    }
}

/// A flow log: a header of field names, or a first line of a version number and an account.
fn is_flow_log(text: &str) -> bool {
    let first = text.lines().next().unwrap_or_default();
    is_flow_header(first)
        || first
            .split_whitespace()
            .next()
            .is_some_and(|t| t.parse::<u8>().is_ok())
            && first.split_whitespace().count() >= 10
}

fn is_flow_header(line: &str) -> bool {
    let t: Vec<&str> = line.split_whitespace().collect();
    t.len() >= 3
        && t.iter()
            .any(|w| matches!(*w, "version" | "srcaddr" | "interface-id"))
}

fn ingest(store: &mut Store, peer: &Path) -> IngestReport {
    // Nothing in the corpus may make the ingester fail or panic: bad input is a reject.
    ingest_paths(store, &[peer.to_path_buf()], &IngestOptions::default(), 0)
        .expect("ingest of the corpus never fails")
}

fn column(store: &Store, sql: &str) -> Vec<String> {
    let mut stmt = store.conn().prepare(sql).expect("prepare");
    stmt.query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[test]
fn every_well_formed_cloudtrail_event_in_the_corpus_is_ingested_exactly_once() {
    let Some(peer) = corpus_peer() else { return };
    let exp = count(&peer);
    assert!(
        exp.events.len() > 200,
        "the corpus counted {} events",
        exp.events.len()
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("corpus.db")).expect("store");
    let first = ingest(&mut store, &peer);

    let stored: BTreeSet<String> = column(&store, "SELECT event_id FROM events")
        .into_iter()
        .collect();
    let want_ids: BTreeSet<String> = exp
        .events
        .iter()
        .filter_map(|k| k.strip_prefix("id:").map(str::to_string))
        .collect();
    let missing: Vec<_> = want_ids.difference(&stored).collect();
    assert!(
        missing.is_empty(),
        "well-formed events not ingested: {missing:?}"
    );
    let derived = stored
        .iter()
        .filter(|id| id.starts_with("rolecall-"))
        .count();
    let without_id = exp.events.len() - want_ids.len();
    assert_eq!(
        derived, without_id,
        "records without an eventID: one derived ID per distinct record"
    );
    let extra: Vec<_> = stored
        .iter()
        .filter(|id| !id.starts_with("rolecall-") && !want_ids.contains(*id))
        .collect();
    assert!(extra.is_empty(), "ingested but not well-formed: {extra:?}");
    assert_eq!(first.totals.events_new as usize, exp.events.len());

    // The deliberately broken files end in rejects with a reason.
    assert!(!exp.broken_json.is_empty());
    for path in &exp.broken_json {
        let file = path.display().to_string();
        let reasons = column(
            &store,
            &format!(
                "SELECT reason FROM rejects WHERE file = '{}'",
                file.replace('\'', "''")
            ),
        );
        assert!(
            reasons.iter().any(|r| r.starts_with("malformed JSON")),
            "{file}: {reasons:?}"
        );
    }
    assert!(
        column(&store, "SELECT reason FROM rejects")
            .iter()
            .all(|r| !r.trim().is_empty())
    );

    // Again: nothing new.
    let again = ingest(&mut store, &peer);
    assert_eq!(again.totals.events_new, 0);
    assert_eq!(
        again.totals.events_dup,
        first.totals.events_new + first.totals.events_dup
    );
}

#[test]
fn every_guardduty_finding_and_flow_line_in_the_corpus_is_accounted_for() {
    let Some(peer) = corpus_peer() else { return };
    let exp = count(&peer);
    assert!(exp.finding_objects > 0 && !exp.flow_lines.is_empty());
    let mut store = Store::open_in_memory().expect("store");
    let first = ingest(&mut store, &peer);

    let ids: BTreeSet<String> = column(&store, "SELECT DISTINCT finding_id FROM findings")
        .into_iter()
        .collect();
    assert_eq!(ids, exp.finding_ids);
    assert_eq!(
        (first.totals.findings_new + first.totals.findings_dup) as usize,
        exp.finding_objects,
        "every finding object is stored or counted as a duplicate"
    );

    // Every flow line is stored, counted as a duplicate, or rejected with its line number.
    let flow_total: usize = exp.flow_lines.values().sum();
    let mut flow_rejects = 0;
    for path in exp.flow_lines.keys() {
        let positions = column(
            &store,
            &format!(
                "SELECT position FROM rejects WHERE file = '{}'",
                path.display().to_string().replace('\'', "''")
            ),
        );
        assert!(
            positions.iter().all(|p| p.starts_with("line ")),
            "{}: {positions:?}",
            path.display()
        );
        flow_rejects += positions.len();
    }
    assert!(first.totals.flows_new > 0);
    assert_eq!(
        (first.totals.flows_new + first.totals.flows_dup) as usize + flow_rejects,
        flow_total
    );

    let again = ingest(&mut store, &peer);
    assert_eq!((again.totals.findings_new, again.totals.flows_new), (0, 0));
}
