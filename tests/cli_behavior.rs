//! `rolecall behavior` as people and scripts see it: tables fitted to 80 columns and whole,
//! the `--json` shape, geolocation from MaxMind's test databases named by the environment and
//! from the organisation's ranges the cache keeps, a broken database named in one line, log
//! strings escaped, IDs that name nothing or something that makes no calls.

mod behavior_support;

use assert_cmd::Command;
use behavior_support::*;
use rolecall::ingest::{IngestOptions, ingest_paths};
use rolecall::present::width;
use rolecall::store::Store;

const SCOPE: &str = "2026-09-30T10:00:00Z..2026-09-30T11:00:00Z";
const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

fn shared(name: &str) -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/geoip")
        .join(name);
    if p.is_file() {
        return Some(p);
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "../shared/geoip/{name} is missing under CI"
    );
    eprintln!("SKIPPED: ../shared/geoip/{name} not found");
    None
}

/// alice: two months from Milton, WA with the AWS CLI; then an hour (day 60, 2026-09-30 10:00)
/// from London with a script, a new API, a burst and a hostile user agent. The organisation's
/// ranges (one office) are ingested from their CSV like any input.
fn cache() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cache.db");
    let mut store = Store::open(&path).expect("open");
    let a = iam_user(ACCOUNT, "alice");
    let mut calls: Vec<Call> = routine(&a, 0..60)
        .into_iter()
        .map(|c| c.ip("216.160.83.56"))
        .collect();
    for m in 0..12 {
        calls.push(
            Call::new(&a, at(60, 10, m), "DescribeInstances")
                .ip("81.2.69.142")
                .agent("python-requests/2.32.3"),
        );
    }
    calls.extend([
        Call::new(&a, at(60, 10, 30), "StopLogging")
            .source("cloudtrail.amazonaws.com")
            .ip("198.51.100.20")
            .region("eu-west-1"),
        Call::new(&a, at(60, 10, 31), "DescribeInstances")
            .ip("198.51.100.20")
            .agent("evil\u{1b}[2J\u{202e}tool/1.0")
            .failed(),
    ]);
    write(&mut store, &calls);
    let csv = dir.path().join("ranges").join("ip-ranges.csv");
    std::fs::create_dir_all(csv.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &csv,
        "network,country,region,city,latitude,longitude,asn,as_org\n\
         198.51.100.0/27,US,WA,Bellevue,47.6101,-122.2015,64500,Example Corp\n",
    )
    .expect("csv");
    let r = ingest_paths(&mut store, &[csv], &IngestOptions::default(), 0).expect("ingest");
    assert_eq!(r.totals.rejected, 0);
    (dir, path)
}

/// The binary, with no configuration from this machine's user and the test databases named.
fn rolecall(dir: &std::path::Path, db: &std::path::Path) -> Option<Command> {
    let mut c = Command::cargo_bin("rolecall").expect("binary");
    c.env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env_remove("ROLECALL_GEOIP_DIR")
        .env_remove("ROLECALL_IP_RANGES")
        .env("ROLECALL_GEOIP_CITY", shared("GeoIP2-City-Test.mmdb")?)
        .env("ROLECALL_GEOIP_ASN", shared("GeoLite2-ASN-Test.mmdb")?)
        .arg("--db")
        .arg(db);
    Some(c)
}

fn stdout(mut c: Command, args: &[&str]) -> String {
    let out = c.args(args).output().expect("run");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_table_fits_80_columns_and_snapshots_as_people_see_it() {
    let (dir, db) = cache();
    let Some(c) = rolecall(dir.path(), &db) else {
        return;
    };
    let text = stdout(c, &["--width", "80", "behavior", ALICE, "--scope", SCOPE]);
    for line in text.lines() {
        assert!(width(line) <= 80, "{line:?} is {} wide", width(line));
    }
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "{text}"
    );
    insta::assert_snapshot!("behavior_80", text);
}

#[test]
fn wide_output_keeps_every_cell_whole() {
    let (dir, db) = cache();
    let Some(c) = rolecall(dir.path(), &db) else {
        return;
    };
    let text = stdout(c, &["--wide", "behavior", ALICE, "--scope", SCOPE]);
    assert!(text.contains("London, ENG, GB"), "{text}");
    assert!(
        text.contains("Bellevue, WA, US"),
        "the cache's ranges: {text}"
    );
    assert!(!text.contains('\u{1b}'));
    insta::assert_snapshot!("behavior_wide", text);
}

#[test]
fn the_json_shape_is_stable() {
    let (dir, db) = cache();
    let Some(c) = rolecall(dir.path(), &db) else {
        return;
    };
    let out = stdout(c, &["behavior", ALICE, "--scope", SCOPE, "--json"]);
    let mut v: serde_json::Value = serde_json::from_str(&out).expect("json");
    for key in [
        "new_geolocations",
        "new_asos",
        "new_user_agents",
        "new_api_calls",
        "increased_volume",
        "new_regions",
        "new_source_ips",
    ] {
        assert!(v[key].is_array(), "{key}");
    }
    // Keys sorted whatever serde_json's features (test builds turn on `preserve_order`).
    v.sort_all_objects();
    insta::assert_json_snapshot!("behavior_json", v);
}

#[test]
fn a_broken_database_is_one_line_naming_the_file() {
    let (dir, db) = cache();
    let Some(broken) = shared("GeoIP2-City-Test-Broken-Double-Format.mmdb") else {
        return;
    };
    let Some(mut c) = rolecall(dir.path(), &db) else {
        return;
    };
    let out = c
        .env("ROLECALL_GEOIP_CITY", &broken)
        .args(["behavior", ALICE, "--scope", SCOPE])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("GeoIP2-City-Test-Broken-Double-Format.mmdb")
            && err.contains("not a usable MaxMind database"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn what_names_nothing_or_makes_no_calls_is_refused_in_one_line() {
    let (dir, db) = cache();
    let Some(mut c) = rolecall(dir.path(), &db) else {
        return;
    };
    let out = c.args(["behavior", "AROANOWHERE:x"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    let Some(mut c) = rolecall(dir.path(), &db) else {
        return;
    };
    let out = c.args(["behavior", "198.51.100.20"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("198.51.100.20 is an IP address"), "{err}");
}

#[test]
fn the_baseline_length_is_the_users_to_choose_within_bounds() {
    let (dir, db) = cache();
    let Some(c) = rolecall(dir.path(), &db) else {
        return;
    };
    let out = stdout(
        c,
        &[
            "behavior",
            ALICE,
            "--scope",
            SCOPE,
            "--baseline-days",
            "7",
            "--json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["baseline"]["days"], 7);
    assert_eq!(v["baseline"]["start"], "2026-09-23T10:00:00Z");
    assert_eq!(v["history"]["required_days"], 7.0);
    let Some(mut c) = rolecall(dir.path(), &db) else {
        return;
    };
    let out = c
        .args(["behavior", ALICE, "--baseline-days", "0"])
        .output()
        .expect("run");
    assert!(!out.status.success());
}
