//! GuardDuty findings: every finding object in the corpus normalises, and the cache keeps every
//! revision of a finding. (Reading whole JSON files end to end is the JSON reader's job; these
//! tests walk the JSON themselves to reach the finding objects.)

use std::collections::BTreeMap;

mod corpus_support;
use corpus_support::{corpus_root, read};

use rolecall::ingest::guardduty::parse_finding;
use rolecall::store::{Inserted, Store};
use serde_json::Value;

/// The JSON documents in a file: the whole file, or one per line (JSON lines). Not JSON: none.
fn documents(data: &[u8]) -> Vec<Value> {
    if let Ok(v) = serde_json::from_slice(data) {
        return vec![v];
    }
    data.split(|&b| b == b'\n')
        .filter_map(|line| serde_json::from_slice(line).ok())
        .collect()
}

fn key<'a>(m: &'a serde_json::Map<String, Value>, camel: &str, pascal: &str) -> Option<&'a Value> {
    m.get(camel).or_else(|| m.get(pascal))
}

/// Whether a loose object (array element, JSON line) is a finding rather than, say, a
/// CloudTrail record: findings carry an ID, a type, a severity and a service or resource.
fn looks_like_finding(v: &Value) -> bool {
    let Some(m) = v.as_object() else { return false };
    key(m, "id", "Id").is_some()
        && key(m, "type", "Type").is_some()
        && key(m, "severity", "Severity").is_some()
        && (key(m, "service", "Service").is_some() || key(m, "resource", "Resource").is_some())
}

/// Finding objects in a document: elements of `Findings` arrays, EventBridge `detail`s, and
/// array elements or top-level objects that look like findings.
fn findings_in(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| findings_in(i, out)),
        Value::Object(m) => {
            if let Some(Value::Array(items)) = key(m, "findings", "Findings") {
                out.extend(items.iter().cloned());
            } else if m.get("source").and_then(Value::as_str) == Some("aws.guardduty") {
                out.extend(m.get("detail").cloned());
            } else if looks_like_finding(v) {
                out.push(v.clone());
            }
        }
        _ => {}
    }
}

#[test]
fn every_finding_object_in_the_corpus_normalises_with_its_key_fields() {
    let Some(dir) = corpus_root() else { return };
    let mut seen = 0;
    let mut by_resource: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        let entry = entry.expect("walk corpus");
        if !entry.file_type().is_file() {
            continue;
        }
        let mut found = Vec::new();
        for doc in documents(&read(entry.path())) {
            findings_in(&doc, &mut found);
        }
        for (i, obj) in found.iter().enumerate() {
            seen += 1;
            let at = format!("{} #{i}", entry.path().display());
            let f = match parse_finding(obj.to_string().as_bytes()) {
                Ok(f) => f,
                Err(e) => {
                    failures.push(format!("{at}: {e}"));
                    continue;
                }
            };
            let m = obj.as_object().expect("object");
            let service = key(m, "service", "Service").and_then(Value::as_object);
            let action = service
                .and_then(|s| key(s, "action", "Action"))
                .and_then(Value::as_object);
            let api_call =
                action.is_some_and(|a| key(a, "awsApiCallAction", "AwsApiCallAction").is_some());
            let checks = [
                ("finding_id", !f.finding_id.is_empty()),
                (
                    "finding_type",
                    f.finding_type.contains(':') || f.finding_type.contains('/'),
                ),
                ("updated_ms", f.updated_ms > 0),
                (
                    "severity",
                    (0.0..=10.0).contains(&f.severity) && f.severity > 0.0,
                ),
                ("count", f.count >= 1),
                (
                    "raw",
                    serde_json::from_str::<Value>(&f.raw).is_ok_and(|r| &r == obj),
                ),
                // Test findings (Panther's) may have no `resource` at all.
                (
                    "resource_type",
                    f.resource_type.is_some() || key(m, "resource", "Resource").is_none(),
                ),
                ("account_id", f.account_id.is_some()),
                ("region", f.region.is_some()),
                (
                    "first_seen_ms",
                    f.first_seen_ms.is_some() || service.is_none(),
                ),
                ("api", !api_call || f.api.is_some()),
                (
                    "access_key_id",
                    f.resource_type.as_deref() != Some("AccessKey") || f.access_key_id.is_some(),
                ),
                (
                    "first_seen <= last_seen",
                    match (f.first_seen_ms, f.last_seen_ms) {
                        (Some(a), Some(b)) => a <= b,
                        _ => true,
                    },
                ),
            ];
            for (field, ok) in checks {
                if !ok {
                    let f = rolecall::model::Finding {
                        raw: String::new(),
                        ..f.clone()
                    };
                    failures.push(format!("{at}: {field} wrong in {f:?}"));
                }
            }
            *by_resource
                .entry(f.resource_type.unwrap_or_default())
                .or_default() += 1;
        }
    }
    eprintln!("{seen} GuardDuty findings checked, by resource type: {by_resource:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        seen > 0,
        "no GuardDuty finding found under {}",
        dir.display()
    );
}

#[test]
fn two_revisions_of_a_finding_are_both_kept_and_neither_twice() {
    let text = include_str!("fixtures/guardduty/get-findings-two-revisions.json");
    let doc: Value = serde_json::from_str(text).expect("fixture is JSON");
    let revisions: Vec<_> = doc["Findings"]
        .as_array()
        .expect("Findings")
        .iter()
        .map(|f| parse_finding(f.to_string().as_bytes()).expect("parses"))
        .collect();
    assert_eq!(revisions[0].finding_id, revisions[1].finding_id);
    assert_ne!(revisions[0].updated_ms, revisions[1].updated_ms);
    assert_eq!((revisions[0].count, revisions[1].count), (1, 2));

    let mut store = Store::open_in_memory().expect("store");
    let run = store.insert_run("fixture", 0).expect("run");
    let mut writer = store
        .file_writer(run, "fixture", "guardduty-findings")
        .expect("writer");
    assert_eq!(
        writer.insert_finding(&revisions[0]).expect("insert"),
        Inserted::New
    );
    assert_eq!(
        writer.insert_finding(&revisions[1]).expect("insert"),
        Inserted::New
    );
    assert_eq!(
        writer.insert_finding(&revisions[0]).expect("insert"),
        Inserted::Duplicate
    );
    writer.commit().expect("commit");

    let rows: Vec<(i64, i64, String)> = store
        .conn()
        .prepare("SELECT updated_ms, count, access_key FROM findings WHERE finding_id = ?1 ORDER BY updated_ms")
        .expect("prepare")
        .query_map([&revisions[0].finding_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        rows,
        [
            (
                revisions[0].updated_ms,
                1,
                "ASIAEXAMPLEKEY000001".to_string()
            ),
            (
                revisions[1].updated_ms,
                2,
                "ASIAEXAMPLEKEY000001".to_string()
            ),
        ]
    );
}
