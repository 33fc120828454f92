//! New behavior against the generator's ground truth (`truth_behavior.json`: what the watched
//! identities did that the 45 days before each sampled scope never saw, computed by the
//! generator from the calls it wrote), on the demo's data ingested through the normal path
//! with its organisation's ranges: every sampled scope matches panel by panel, and the change
//! planted on backup-bot (a new country, a new user agent, a burst of one API, in one hour) is
//! found, and nothing else.

use std::collections::BTreeSet;

use rolecall::analysis::{Behavior, build_behavior, org_ranges, refresh, tool_of};
use rolecall::demo::{GenerateOptions, generate};
use rolecall::geo::Geo;
use rolecall::ingest::{IngestOptions, ingest_paths};
use rolecall::model::{Arn, Scope, Target};
use rolecall::store::Store;
use serde_json::Value;

fn set(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|s| s.as_str().expect("text").to_string())
        .collect()
}

fn found<T>(items: &[T], f: impl Fn(&T) -> String) -> BTreeSet<String> {
    items.iter().map(f).collect()
}

/// Rolecall's panels in the truth file's terms.
fn panels(b: &Behavior) -> Vec<(&'static str, BTreeSet<String>)> {
    vec![
        ("new_api_calls", found(&b.new_api_calls, |a| a.api.clone())),
        (
            "new_source_ips",
            found(&b.new_source_ips, |s| s.source_ip.clone()),
        ),
        (
            "new_user_agents",
            found(&b.new_user_agents, |u| u.user_agent.clone()),
        ),
        ("new_regions", found(&b.new_regions, |r| r.region.clone())),
        (
            "new_geolocations",
            found(&b.new_geolocations, |g| g.label.clone()),
        ),
        (
            "new_asos",
            found(&b.new_asos, |a| a.organisation.clone().unwrap_or_default()),
        ),
        (
            "increased_volume",
            found(&b.increased_volume, |v| v.api.clone()),
        ),
    ]
}

#[test]
fn behavior_matches_the_generators_truth_and_finds_the_planted_change_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("demo");
    generate(&GenerateOptions::demo(&data)).expect("generate");
    let truth: Value = serde_json::from_str(
        &std::fs::read_to_string(data.join("truth_behavior.json")).expect("truth file"),
    )
    .expect("truth is JSON");
    let mut store = Store::open(&dir.path().join("demo.db")).expect("open");
    ingest_paths(
        &mut store,
        &[data.join("AWSLogs"), data.join("geo")],
        &IngestOptions::default(),
        0,
    )
    .expect("ingest");
    refresh(&mut store).expect("refresh");
    let conn = store.conn();
    let geo = Geo::none().with_ranges(org_ranges(conn).expect("ranges"));
    assert!(geo.range_count() > 0, "the organisation's ranges were kept");

    let scopes = truth["scopes"].as_array().expect("scopes");
    assert!(scopes.len() >= 10, "a sample of identities and scopes");
    let mut planted = 0;
    for s in scopes {
        let arn = s["identity"].as_str().expect("identity");
        let scope = Scope {
            start_ms: s["scope_start_ms"].as_i64().expect("start"),
            end_ms: s["scope_end_ms"].as_i64().expect("end"),
        };
        let target = Target::IamUser { arn: Arn::new(arn) };
        let b = build_behavior(conn, &geo, &target, scope, 45)
            .expect("query")
            .unwrap_or_else(|| panic!("{arn} made calls"));
        assert!(b.history.enough, "{arn} {scope:?}: {:?}", b.history);
        for (key, got) in panels(&b) {
            let mut want = set(&s[key]);
            if key == "new_user_agents" {
                // rolecall compares agents as tools (the CLI's per-call parts dropped).
                want = want.iter().map(|u| tool_of(u)).collect();
            }
            assert_eq!(got, want, "{arn} {scope:?}: {key}");
        }
        if s["planted"] == Value::Bool(true) {
            planted += 1;
            // The plant, and nothing else.
            assert!(arn.ends_with(":user/backup-bot"), "{arn}");
            assert_eq!(
                s["calls_in_scope"], 60,
                "only the planted calls in that hour"
            );
            let countries: BTreeSet<&str> = b
                .new_geolocations
                .iter()
                .filter_map(|g| g.place.country.as_deref())
                .collect();
            assert_eq!(countries, BTreeSet::from(["SG"]));
            assert_eq!(
                found(&b.new_user_agents, |u| u.user_agent.clone()),
                BTreeSet::from(["python-requests/2.32.3 Boto3/1.35.0 Botocore/1.35.0".to_string()])
            );
            assert_eq!(
                found(&b.increased_volume, |v| v.api.clone()),
                BTreeSet::from(["ListBackupJobs".to_string()])
            );
            assert_eq!(b.new_source_ips.len(), 1);
            assert!(
                b.new_api_calls.is_empty() && b.new_regions.is_empty(),
                "{b:#?}"
            );
            assert!(b.new_asos.len() <= 1, "{:?}", b.new_asos);
        }
    }
    assert_eq!(planted, 1, "the planted scope is in the truth");
}
