//! Time outliers do not hide the data: records dated far past "now" (one forged or corrupted
//! record dated 9999) are counted and reported by `db info`, and default scopes ("the last 24
//! hours of the data") end at the data's real span. "Now" is what the caller passes.

mod cache_support;

use std::path::{Path, PathBuf};

use cache_support::*;
use rolecall::analysis::resolve_scope;
use rolecall::model::{format_ms, parse_ms};
use rolecall::store::Store;

const SESSION: &str = "AROAEXAMPLEWORKER:worker";

fn t(s: &str) -> i64 {
    parse_ms(s).expect("test time")
}

/// A cache of a session's calls on 2026-10-01, 09:10 and 09:30, plus calls dated `outliers`.
fn cache(dir: &Path, outliers: &[&str]) -> PathBuf {
    let mut records = vec![
        call(
            "33333333-0000-4000-8000-000000000001",
            "2026-10-01T09:10:00Z",
            "worker",
            "ASIAEXAMPLE0000001",
            "DescribeInstances",
        ),
        call(
            "33333333-0000-4000-8000-000000000002",
            "2026-10-01T09:30:00Z",
            "worker",
            "ASIAEXAMPLE0000001",
            "RunInstances",
        ),
    ];
    for (i, time) in outliers.iter().enumerate() {
        records.push(call(
            &format!("33333333-0000-4000-8000-1000000000{i:02}"),
            time,
            "worker",
            "ASIAEXAMPLE0000001",
            "GetObject",
        ));
    }
    let logs = trail_file(&dir.join("logs"), "trail.json", &records);
    let db = dir.join("rolecall.db");
    let o = run(&db, &["ingest", logs.to_str().expect("utf-8"), "--json"]);
    assert_ok(&o, "ingest");
    assert_eq!(json(&o)["events_new"], 2 + outliers.len());
    db
}

fn scope(db: &Path, spec: Option<&str>, now: &str) -> (String, String) {
    let store = Store::open_read_only(db).expect("open");
    let s = resolve_scope(store.conn(), spec, t(now)).expect("scope");
    (format_ms(s.start_ms), format_ms(s.end_ms))
}

#[test]
fn one_event_dated_9999_does_not_empty_the_default_scope() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = cache(dir.path(), &["9999-12-31T23:59:59Z"]);
    assert_eq!(
        scope(&db, None, "2026-10-02T12:00:00Z"),
        ("2026-09-30T10:00:00Z".into(), "2026-10-01T10:00:00Z".into())
    );
    assert_eq!(
        scope(&db, Some("last:2h"), "2026-10-02T12:00:00Z"),
        ("2026-10-01T08:00:00Z".into(), "2026-10-01T10:00:00Z".into())
    );
    // Through the binary (the machine's clock is long past 2026-10-01 and far before 9999):
    // the default scope holds the session's two calls.
    let o = run(&db, &["activity", SESSION, "--json"]);
    assert_ok(&o, "activity");
    let a = json(&o);
    assert_eq!(a["scope"]["end"], "2026-10-01T10:00:00Z");
    let calls: i64 = a["series"]
        .as_array()
        .expect("series")
        .iter()
        .map(|p| p["ok"].as_i64().expect("ok"))
        .sum();
    assert_eq!(calls, 2);
}

#[test]
fn records_a_day_or_more_ahead_of_now_are_outliers_and_nearer_ones_are_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = cache(
        dir.path(),
        &["2026-10-02T11:00:00Z", "2026-10-04T00:00:00Z"],
    );
    // Now is 2026-10-01 12:00: 11:00 the next day is within the day's tolerance (a clock off by
    // hours is not an outlier), three days later is not.
    assert_eq!(
        scope(&db, None, "2026-10-01T12:00:00Z").1,
        "2026-10-02T12:00:00Z"
    );
    let store = Store::open_read_only(&db).expect("open");
    let future = rolecall::store::load_future_records(store.conn(), t("2026-10-01T12:00:00Z"))
        .expect("future");
    assert_eq!(future.events, 1);
    assert_eq!(future.first_ms, Some(t("2026-10-04T00:00:00Z")));
}

#[test]
fn when_the_clock_is_behind_all_the_data_the_default_scope_ends_at_the_latest_event() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = cache(dir.path(), &[]);
    assert_eq!(
        scope(&db, None, "2001-01-01T00:00:00Z").1,
        "2026-10-01T10:00:00Z"
    );
}

#[test]
fn db_info_counts_and_reports_records_dated_far_in_the_future() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = cache(
        dir.path(),
        &["9999-12-31T23:59:59Z", "2999-01-01T00:00:00Z"],
    );
    let o = run(&db, &["db", "info", "--json"]);
    assert_ok(&o, "db info");
    let info = json(&o);
    assert_eq!(info["events"], 4);
    assert_eq!(info["future"]["events"], 2);
    assert_eq!(info["future"]["first_ms"], t("2999-01-01T00:00:00Z"));
    assert_eq!(info["future"]["last_ms"], t("9999-12-31T23:59:59Z"));
    let o = run(&db, &["db", "info"]);
    let line = stdout(&o)
        .lines()
        .find(|l| l.starts_with("future:"))
        .map(str::to_string)
        .expect("a future: line");
    assert!(
        line.contains("2 events (2999-01-01T00:00:00Z .. 9999-12-31T23:59:59Z)"),
        "{line}"
    );

    // A clean cache has no such line.
    let clean = tempfile::tempdir().expect("tempdir");
    let db = cache(clean.path(), &[]);
    assert!(!stdout(&run(&db, &["db", "info"])).contains("future:"));
    assert_eq!(
        json(&run(&db, &["db", "info", "--json"]))["future"]["events"],
        0
    );
}
