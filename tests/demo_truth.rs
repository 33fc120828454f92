//! `truth.json` agrees with the records: every observed hop's issuing event is in the files
//! with the same access key and assumed-role ID, every inferred hop's is absent, and sampled
//! calls are signed by their chain's last credentials. And the data is spread like a real
//! organisation's: accounts, regions, identity types, cross-account pairs, deep chains.

mod demo_support;

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::OnceLock;

use demo_support::{by_id, records, s};
use serde_json::Value;

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    records: Vec<Value>,
    truth: Value,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("org");
        let mut o = rolecall::demo::GenerateOptions::new(&root);
        o.events = 25_000;
        o.accounts = 6;
        o.file_minutes = 1440;
        rolecall::demo::generate(&o).expect("generates");
        Fixture {
            records: records(&root),
            truth: demo_support::truth(&root),
            root,
            _dir: dir,
        }
    })
}

fn entries() -> &'static [Value] {
    fixture().truth["entries"].as_array().expect("entries")
}

#[test]
fn every_observed_hop_has_its_issuing_event_and_every_inferred_hop_has_none() {
    let ids = by_id(&fixture().records);
    let issued: BTreeSet<(&str, &str)> = fixture()
        .records
        .iter()
        .map(|r| {
            (
                s(r, "/responseElements/credentials/accessKeyId"),
                s(r, "/responseElements/assumedRoleUser/assumedRoleId"),
            )
        })
        .filter(|(k, _)| !k.is_empty())
        .collect();
    let (mut observed, mut inferred) = (0, 0);
    for e in entries() {
        for hop in e["hops"].as_array().expect("hops") {
            let key = s(hop, "/access_key_id");
            let principal = s(hop, "/principal_id");
            match s(hop, "/evidence") {
                "observed" => {
                    observed += 1;
                    let ev = ids
                        .get(s(hop, "/issuing_event_id"))
                        .unwrap_or_else(|| panic!("missing issuing event for {hop}"));
                    assert_eq!(s(ev, "/responseElements/credentials/accessKeyId"), key);
                    assert_eq!(
                        s(ev, "/responseElements/assumedRoleUser/assumedRoleId"),
                        principal
                    );
                    assert_eq!(s(ev, "/requestParameters/roleArn"), s(hop, "/role_arn"));
                    assert_eq!(s(ev, "/eventName"), s(hop, "/via"));
                }
                "inferred" => {
                    inferred += 1;
                    assert!(hop["issuing_event_id"].is_null());
                    assert!(
                        !issued.contains(&(key, principal)),
                        "inferred hop {hop} has an issuing event"
                    );
                    assert!(e.get("note").is_some(), "an omission is explained: {e}");
                }
                other => panic!("evidence {other}"),
            }
        }
    }
    assert!(
        observed > 1000 && inferred > 5,
        "observed {observed}, inferred {inferred}"
    );
}

#[test]
fn sampled_calls_are_signed_by_the_last_hop_of_their_chain() {
    let ids = by_id(&fixture().records);
    let calls: Vec<&Value> = entries().iter().filter(|e| e["kind"] == "call").collect();
    assert!(calls.len() > 50, "{} sampled calls", calls.len());
    for e in calls {
        let ev = ids
            .get(s(e, "/query"))
            .unwrap_or_else(|| panic!("no event {}", e["query"]));
        let last = e["hops"].as_array().and_then(|h| h.last()).expect("a hop");
        assert_eq!(
            s(ev, "/userIdentity/accessKeyId"),
            s(last, "/access_key_id")
        );
        assert_eq!(s(ev, "/userIdentity/principalId"), s(last, "/principal_id"));
        assert_eq!(
            s(ev, "/userIdentity/sessionContext/sessionIssuer/arn"),
            s(last, "/role_arn")
        );
    }
}

#[test]
fn issuances_are_queried_by_the_key_their_last_hop_issued() {
    let issuances: Vec<&Value> = entries()
        .iter()
        .filter(|e| e["kind"] == "issuance")
        .collect();
    assert!(issuances.len() > 1000);
    for e in issuances {
        let last = e["hops"].as_array().and_then(|h| h.last()).expect("a hop");
        assert!(s(e, "/query").starts_with("ASIA"));
        assert_eq!(s(e, "/query"), s(last, "/access_key_id"));
    }
}

#[test]
fn every_query_is_answerable_and_names_one_session() {
    // A key issued twice cannot name two sessions: each query appears once.
    let mut seen = BTreeSet::new();
    for e in entries() {
        assert!(seen.insert(s(e, "/query")), "query twice: {}", e["query"]);
    }
    // An issuance queried by its key needs the key in the logs: in its issuing event, or (the
    // issuing event left out) on a call signed with it.
    let keys: BTreeSet<&str> = fixture()
        .records
        .iter()
        .flat_map(|r| {
            [
                s(r, "/responseElements/credentials/accessKeyId"),
                s(r, "/userIdentity/accessKeyId"),
            ]
        })
        .filter(|k| !k.is_empty())
        .collect();
    for e in entries().iter().filter(|e| e["kind"] == "issuance") {
        assert!(keys.contains(s(e, "/query")), "key in no record: {e}");
    }
}

#[test]
fn the_walkthrough_chain_is_in_the_truth() {
    let stop = fixture()
        .records
        .iter()
        .find(|r| s(r, "/eventName") == "StopLogging")
        .expect("StopLogging");
    let e = entries()
        .iter()
        .find(|e| e["query"] == stop["eventID"])
        .expect("truth for StopLogging");
    assert_eq!(e["origin"]["type"], "SAMLUser");
    assert_eq!(e["origin"]["name"], "sara");
    assert_eq!(e["hops"].as_array().map(Vec::len), Some(1));
    assert_eq!(e["hops"][0]["via"], "AssumeRoleWithSAML");
    let demo = entries()
        .iter()
        .find(|e| e["kind"] == "call" && s(e, "/hops/1/role_arn").ends_with("role/DemoRole1"))
        .expect("a DemoRole1 call in truth");
    assert_eq!(demo["origin"]["name"], "sara");
}

#[test]
fn the_organisation_has_many_accounts_regions_and_kinds_of_identity() {
    let r = &fixture().records;
    let accounts: BTreeSet<&str> = r.iter().map(|x| s(x, "/recipientAccountId")).collect();
    let regions: BTreeSet<&str> = r.iter().map(|x| s(x, "/awsRegion")).collect();
    let types: BTreeSet<&str> = r.iter().map(|x| s(x, "/userIdentity/type")).collect();
    let versions: BTreeSet<&str> = r.iter().map(|x| s(x, "/eventVersion")).collect();
    assert!(accounts.len() >= 5, "{accounts:?}");
    assert!(regions.len() >= 3, "{regions:?}");
    for t in [
        "IAMUser",
        "AssumedRole",
        "SAMLUser",
        "WebIdentityUser",
        "AWSService",
        "AWSAccount",
    ] {
        assert!(types.contains(t), "no {t} in {types:?}");
    }
    assert_eq!(versions, BTreeSet::from(["1.08", "1.09", "1.10", "1.11"]));
    let invokers: BTreeSet<&str> = r.iter().map(|x| s(x, "/userIdentity/invokedBy")).collect();
    assert!(invokers.contains("ec2.amazonaws.com") && invokers.contains("lambda.amazonaws.com"));
    let uas: BTreeSet<&str> = r.iter().map(|x| s(x, "/userAgent")).collect();
    assert!(
        uas.iter().any(|u| u.starts_with("aws-cli/"))
            && uas.iter().any(|u| u.contains("Terraform"))
    );
    assert!(uas.iter().any(|u| u.starts_with("Mozilla/")));
    let failed = r.iter().filter(|x| x.get("errorCode").is_some()).count();
    let rate = failed as f64 / r.len() as f64;
    assert!((0.005..0.08).contains(&rate), "error rate {rate}");
    assert!(
        r.iter()
            .any(|x| s(x, "/eventName") == "AssumeRole" && s(x, "/errorCode") == "AccessDenied")
    );
    let ids: BTreeSet<&str> = r.iter().map(|x| s(x, "/eventID")).collect();
    assert_eq!(ids.len(), r.len(), "event IDs are unique");
}

#[test]
fn cross_account_assumptions_come_in_pairs_sharing_an_event_id() {
    let mut pairs: HashMap<&str, Vec<&Value>> = HashMap::new();
    for x in &fixture().records {
        if let Some(id) = x["sharedEventID"].as_str() {
            pairs.entry(id).or_default().push(x);
        }
    }
    let both = pairs.values().filter(|v| v.len() == 2).count();
    assert!(both > 20, "{both} pairs");
    for v in pairs.values().filter(|v| v.len() == 2) {
        assert_ne!(v[0]["recipientAccountId"], v[1]["recipientAccountId"]);
        assert_ne!(v[0]["eventID"], v[1]["eventID"]);
        let account_copy = v
            .iter()
            .filter(|x| s(x, "/userIdentity/type") == "AWSAccount")
            .count();
        assert_eq!(
            account_copy, 1,
            "the role account's copy names only the account"
        );
    }
    // The vendor's account is not collected: only the role account's copy exists.
    let vendor = pairs
        .values()
        .filter(|v| v.len() == 1 && s(v[0], "/userIdentity/accountId") == "999988887777")
        .count();
    assert!(vendor > 5);
    assert!(
        entries()
            .iter()
            .any(|e| e["origin"]["type"] == "AWSAccount")
    );
}

#[test]
fn chains_reach_four_hops_with_source_identity_and_every_via() {
    let depth = entries()
        .iter()
        .filter_map(|e| e["hops"].as_array().map(Vec::len))
        .max();
    assert_eq!(depth, Some(4));
    let vias: BTreeSet<&str> = entries()
        .iter()
        .flat_map(|e| e["hops"].as_array().into_iter().flatten())
        .filter_map(|h| h["via"].as_str())
        .collect();
    for v in [
        "AssumeRole",
        "AssumeRoleWithSAML",
        "AssumeRoleWithWebIdentity",
    ] {
        assert!(vias.contains(v), "{vias:?}");
    }
    assert!(
        entries()
            .iter()
            .any(|e| e["hops"][0]["source_identity"] == "alice")
    );
    let origins: BTreeSet<&str> = entries().iter().map(|e| s(e, "/origin/type")).collect();
    for o in [
        "IAMUser",
        "SAMLUser",
        "WebIdentityUser",
        "EC2Instance",
        "AWSService",
        "AWSAccount",
        "IdentityCenterUser",
    ] {
        assert!(origins.contains(o), "no {o} origin in {origins:?}");
    }
}

#[test]
fn sts_expirations_use_cloudtrails_human_format() {
    let exp: Vec<&str> = fixture()
        .records
        .iter()
        .map(|x| s(x, "/responseElements/credentials/expiration"))
        .filter(|e| !e.is_empty())
        .collect();
    assert!(!exp.is_empty());
    for e in &exp {
        let ok = e.ends_with(" AM") || e.ends_with(" PM");
        assert!(ok && e.contains(", 2026"), "{e}");
    }
    assert!(exp.iter().any(|e| e.contains(", 2026,")) && exp.iter().any(|e| e.contains(", 2026 ")));
}

#[test]
fn every_source_address_is_in_the_ip_range_csv() {
    let ranges = demo_support::ranges(&fixture().root);
    for x in &fixture().records {
        let ip = s(x, "/sourceIPAddress");
        if ip.parse::<std::net::Ipv4Addr>().is_ok() {
            assert!(
                demo_support::locate(&ranges, ip).is_some(),
                "{ip} not in the CSV"
            );
        }
    }
}
