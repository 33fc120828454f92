//! The generated organisation's ground truth (`truth.json` from `rolecall demo generate`):
//! every sampled call attributed to the right origin and hops, through the same `build_chain`
//! the CLI prints — on the default seed and two others. Skipped loudly while the generator is
//! not built (branch `gen`).

use std::path::Path;
use std::process::Command;

use rolecall::analysis::{build_chain, refresh};
use rolecall::ingest::{IngestOptions, ingest_paths};
use rolecall::store::Store;
use serde_json::Value;

/// Every field the truth states must be in the answer with the same value (the truth may state
/// less than the contract, never something else).
fn mismatches(path: &str, want: &Value, got: &Value, out: &mut Vec<String>) {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, v) in w {
                mismatches(
                    &format!("{path}.{k}"),
                    v,
                    g.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (Value::Array(w), Value::Array(g)) => {
            if w.len() != g.len() {
                out.push(format!("{path}: {} items, want {}", g.len(), w.len()));
            }
            for (i, (a, b)) in w.iter().zip(g).enumerate() {
                mismatches(&format!("{path}[{i}]"), a, b, out);
            }
        }
        _ if want != got => out.push(format!("{path}: got {got}, want {want}")),
        _ => {}
    }
}

fn entries(truth: &Value) -> Vec<Value> {
    match truth {
        Value::Array(a) => a.clone(),
        Value::Object(o) => ["entries", "samples", "chains", "calls"]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_array).cloned())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn check_seed(seed: Option<&str>, dir: &Path) -> Result<usize, String> {
    let out = dir.join(seed.unwrap_or("default"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rolecall"));
    cmd.args(["demo", "generate", "--out"]).arg(&out);
    if let Some(s) = seed {
        cmd.args(["--seed", s]);
    }
    let status = cmd.output().map_err(|e| e.to_string())?;
    if !status.status.success() {
        return Err(format!(
            "SKIPPED: `rolecall demo generate` failed (branch `gen` not merged?): {}",
            String::from_utf8_lossy(&status.stderr).trim()
        ));
    }
    let truth: Value = serde_json::from_slice(
        &std::fs::read(out.join("truth.json")).map_err(|e| format!("truth.json: {e}"))?,
    )
    .map_err(|e| format!("truth.json: {e}"))?;
    let mut store = Store::open_in_memory().expect("db");
    ingest_paths(
        &mut store,
        std::slice::from_ref(&out),
        &IngestOptions::default(),
        0,
    )
    .expect("ingest");
    refresh(&mut store).expect("refresh");
    let all = entries(&truth);
    assert!(!all.is_empty(), "truth.json has no entries");
    let mut failures = Vec::new();
    for want in &all {
        let query = want["query"].as_str().expect("entry has a query");
        let got = build_chain(store.conn(), query)
            .expect("query")
            .map(|c| serde_json::to_value(c).expect("json"))
            .unwrap_or(Value::Null);
        let mut diffs = Vec::new();
        mismatches("", want, &got, &mut diffs);
        if !diffs.is_empty() {
            failures.push(format!("{query}: {}", diffs.join("; ")));
        }
    }
    assert!(
        failures.is_empty(),
        "seed {seed:?}: {} of {} wrong:\n{}",
        failures.len(),
        all.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    Ok(all.len())
}

#[test]
fn every_truth_entry_resolves_to_its_origin_and_hops_on_three_seeds() {
    let dir = tempfile::tempdir().expect("tempdir");
    for seed in [None, Some("7"), Some("20261001")] {
        match check_seed(seed, dir.path()) {
            Ok(n) => eprintln!("seed {seed:?}: {n} truth entries, all attributed"),
            Err(skip) => {
                eprintln!("{skip}");
                return;
            }
        }
    }
}
