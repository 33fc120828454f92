//! DESIGN.md's walkthrough, read back from the generated files: sara's SSO role since October
//! from Bellevue and Ashburn, the incident hour (StopLogging, AssumeRole into DemoRole1, the
//! DemoRole1 calls), the GuardDuty findings in both shapes, and the quieter second incident.

mod demo_support;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use demo_support::{locate, ranges, records, s};
use serde_json::Value;

const SSO_ROLE: &str = "AWSReservedSSO_AdministratorAccess_598c5f73f8b2b4e5";
const SCOPE_START: &str = "2026-11-18T14:00:00Z";
const SCOPE_END: &str = "2026-11-18T15:00:00Z";

struct Fixture {
    _dir: tempfile::TempDir,
    records: Vec<Value>,
    root: std::path::PathBuf,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("org");
        let mut o = rolecall::demo::GenerateOptions::new(&root);
        o.events = 15_000;
        o.file_minutes = 1440;
        rolecall::demo::generate(&o).expect("generates");
        Fixture {
            records: records(&root),
            root,
            _dir: dir,
        }
    })
}

fn root() -> &'static Path {
    &fixture().root
}

fn sara_sso_calls() -> impl Iterator<Item = &'static Value> {
    let arn = format!("arn:aws:sts::111122223333:assumed-role/{SSO_ROLE}/sara");
    fixture()
        .records
        .iter()
        .filter(move |r| s(r, "/userIdentity/arn") == arn)
}

fn in_scope(r: &Value) -> bool {
    let t = s(r, "/eventTime");
    (SCOPE_START..SCOPE_END).contains(&t)
}

#[test]
fn sara_signs_in_through_saml_to_the_sso_role() {
    let saml: Vec<&Value> = fixture()
        .records
        .iter()
        .filter(|r| {
            s(r, "/eventName") == "AssumeRoleWithSAML" && s(r, "/userIdentity/userName") == "sara"
        })
        .collect();
    assert!(!saml.is_empty());
    for r in &saml {
        assert_eq!(s(r, "/userIdentity/type"), "SAMLUser");
        assert!(s(r, "/userIdentity/principalId").ends_with(":sara"));
        assert!(s(r, "/requestParameters/principalArn").contains(":saml-provider/AWSSSO_"));
        assert!(s(r, "/requestParameters/principalArn").ends_with("_DO_NOT_DELETE"));
        assert!(
            s(r, "/requestParameters/roleArn")
                .ends_with(&format!("role/aws-reserved/sso.amazonaws.com/{SSO_ROLE}"))
        );
        assert_eq!(s(r, "/responseElements/subject"), "sara");
        assert!(s(r, "/responseElements/credentials/accessKeyId").starts_with("ASIA"));
        assert!(s(r, "/responseElements/assumedRoleUser/assumedRoleId").ends_with(":sara"));
    }
}

#[test]
fn sara_is_first_seen_in_october_from_bellevue_and_ashburn() {
    let first = sara_sso_calls()
        .map(|r| s(r, "/eventTime"))
        .min()
        .expect("calls");
    assert!(first.starts_with("2026-10"), "first seen {first}");
    let ranges = ranges(root());
    let cities: BTreeSet<String> = sara_sso_calls()
        .filter(|r| s(r, "/eventTime") < SCOPE_START)
        .filter_map(|r| locate(&ranges, s(r, "/sourceIPAddress")))
        .map(|(city, _)| city)
        .collect();
    assert_eq!(
        cities,
        BTreeSet::from(["Ashburn".to_string(), "Bellevue".to_string()])
    );
}

#[test]
fn in_the_scope_hour_her_session_calls_only_stop_logging_and_assume_role() {
    let scope: Vec<&Value> = sara_sso_calls().filter(|r| in_scope(r)).collect();
    let apis: BTreeSet<&str> = scope.iter().map(|r| s(r, "/eventName")).collect();
    assert_eq!(apis, BTreeSet::from(["AssumeRole", "StopLogging"]));
    let stop = scope
        .iter()
        .find(|r| s(r, "/eventName") == "StopLogging")
        .expect("StopLogging");
    assert!(s(stop, "/requestParameters/name").ends_with("trail/demo-trail-2"));
    assert!(stop.get("errorCode").is_none());
    for r in scope.iter().filter(|r| s(r, "/eventName") == "AssumeRole") {
        assert_eq!(
            s(r, "/requestParameters/roleArn"),
            "arn:aws:iam::111122223333:role/DemoRole1"
        );
        assert_eq!(s(r, "/requestParameters/roleSessionName"), "sara");
    }
    // No new geolocation: the incident address is in Bellevue, through a new carrier.
    let ranges = ranges(root());
    let (city, org) = locate(&ranges, s(stop, "/sourceIPAddress")).expect("located");
    assert_eq!(city, "Bellevue");
    let usual_orgs: BTreeSet<String> = sara_sso_calls()
        .filter(|r| !in_scope(r))
        .filter_map(|r| locate(&ranges, s(r, "/sourceIPAddress")))
        .map(|(_, org)| org)
        .collect();
    assert!(!usual_orgs.contains(&org), "the ASO {org} is new");
}

fn demorole_calls() -> impl Iterator<Item = &'static Value> {
    fixture().records.iter().filter(|r| {
        s(r, "/userIdentity/arn") == "arn:aws:sts::111122223333:assumed-role/DemoRole1/sara"
    })
}

#[test]
fn demorole1_in_scope_describes_runs_and_attaches_policies_with_and_without_success() {
    let scope: Vec<&Value> = demorole_calls().filter(|r| in_scope(r)).collect();
    let apis: BTreeSet<&str> = scope.iter().map(|r| s(r, "/eventName")).collect();
    assert_eq!(
        apis,
        BTreeSet::from(["AttachRolePolicy", "DescribeInstances", "RunInstances"])
    );
    let attach: Vec<&&Value> = scope
        .iter()
        .filter(|r| s(r, "/eventName") == "AttachRolePolicy")
        .collect();
    assert!(
        attach.iter().any(|r| r.get("errorCode").is_none()),
        "a successful AttachRolePolicy"
    );
    assert!(
        attach.iter().any(|r| s(r, "/errorCode") == "AccessDenied"),
        "a failed AttachRolePolicy"
    );
    let run = scope
        .iter()
        .find(|r| s(r, "/eventName") == "RunInstances")
        .expect("RunInstances");
    assert!(run.get("errorCode").is_none());
    // The DemoRole1 session was assumed by her SSO session (role chaining).
    let sso_principal = s(
        sara_sso_calls().next().expect("calls"),
        "/userIdentity/principalId",
    );
    let issuing = fixture()
        .records
        .iter()
        .find(|r| {
            s(r, "/eventName") == "AssumeRole"
                && in_scope(r)
                && s(r, "/responseElements/credentials/accessKeyId")
                    == s(scope[0], "/userIdentity/accessKeyId")
        })
        .expect("the issuing AssumeRole is in the files");
    assert_eq!(s(issuing, "/userIdentity/principalId"), sso_principal);
}

#[test]
fn sara_used_demorole1_before_the_scope() {
    assert!(demorole_calls().any(|r| s(r, "/eventTime") < SCOPE_START));
}

#[test]
fn the_sso_role_assumed_several_roles_over_time() {
    let roles: BTreeSet<&str> = sara_sso_calls()
        .filter(|r| s(r, "/eventName") == "AssumeRole")
        .map(|r| s(r, "/requestParameters/roleArn"))
        .collect();
    assert!(roles.len() >= 3, "{roles:?}");
}

fn stop_logging() -> &'static Value {
    sara_sso_calls()
        .find(|r| s(r, "/eventName") == "StopLogging")
        .expect("StopLogging")
}

#[test]
fn the_guardduty_finding_names_her_session_and_the_hour_in_both_shapes() {
    let stop = stop_logging();
    let api: Value = serde_json::from_slice(
        &std::fs::read(root().join("guardduty/get-findings.json")).expect("read"),
    )
    .expect("JSON");
    let f = api["Findings"]
        .as_array()
        .expect("Findings")
        .iter()
        .find(|f| f["Type"] == "Stealth:IAMUser/CloudTrailLoggingDisabled")
        .expect("the finding");
    assert_eq!(s(f, "/Id"), rolecall::demo::WALKTHROUGH_FINDING_ID);
    assert_eq!(
        s(f, "/Resource/AccessKeyDetails/AccessKeyId"),
        s(stop, "/userIdentity/accessKeyId")
    );
    assert_eq!(
        s(f, "/Resource/AccessKeyDetails/PrincipalId"),
        s(stop, "/userIdentity/principalId")
    );
    assert_eq!(s(f, "/Resource/AccessKeyDetails/UserName"), SSO_ROLE);
    assert_eq!(s(f, "/Resource/AccessKeyDetails/UserType"), "AssumedRole");
    for key in ["/Service/EventFirstSeen", "/Service/EventLastSeen"] {
        assert!(
            s(f, key).starts_with("2026-11-18T14:"),
            "{key} = {}",
            s(f, key)
        );
    }
    let bridge: Vec<Value> = demo_support::files(&root().join("guardduty/eventbridge"))
        .iter()
        .map(|p| serde_json::from_slice(&std::fs::read(p).expect("read")).expect("JSON"))
        .collect();
    let e = bridge
        .iter()
        .find(|e| e["detail"]["type"] == "Stealth:IAMUser/CloudTrailLoggingDisabled")
        .expect("EventBridge shape");
    assert_eq!(e["detail-type"], "GuardDuty Finding");
    assert_eq!(
        s(e, "/detail/resource/accessKeyDetails/principalId"),
        s(stop, "/userIdentity/principalId")
    );
    assert!(s(e, "/detail/service/eventFirstSeen").starts_with("2026-11-18T14:"));
    assert!(s(e, "/detail/service/eventLastSeen").starts_with("2026-11-18T14:"));
}

#[test]
fn the_exfiltration_finding_has_a_later_revision_and_matches_calls_from_outside_aws() {
    let bridge: Vec<Value> = demo_support::files(&root().join("guardduty/eventbridge"))
        .iter()
        .map(|p| serde_json::from_slice(&std::fs::read(p).expect("read")).expect("JSON"))
        .collect();
    let mut revs: Vec<&Value> = bridge
        .iter()
        .filter(|e| s(e, "/detail/id") == rolecall::demo::EXFIL_FINDING_ID)
        .collect();
    revs.sort_by_key(|e| s(e, "/detail/updatedAt").to_string());
    assert_eq!(revs.len(), 2);
    assert!(
        revs[1]["detail"]["service"]["count"].as_i64()
            > revs[0]["detail"]["service"]["count"].as_i64()
    );
    let key = s(revs[1], "/detail/resource/accessKeyDetails/accessKeyId");
    let principal = s(revs[1], "/detail/resource/accessKeyDetails/principalId");
    assert!(
        principal.contains(":i-"),
        "an instance session: {principal}"
    );
    let ranges = ranges(root());
    let outside: Vec<&Value> = fixture()
        .records
        .iter()
        .filter(|r| {
            s(r, "/userIdentity/accessKeyId") == key
                && s(r, "/userIdentity/principalId") == principal
        })
        .filter(|r| {
            locate(&ranges, s(r, "/sourceIPAddress")).is_some_and(|(city, _)| city == "Amsterdam")
        })
        .collect();
    assert!(outside.len() >= 5, "{} calls from outside", outside.len());
    // The flow logs show the instance calling out to the same address.
    let ip = s(outside[0], "/sourceIPAddress");
    let flows: String = demo_support::files(&root().join("AWSLogs"))
        .iter()
        .filter(|p| p.to_string_lossy().contains("/vpcflowlogs/"))
        .map(|p| String::from_utf8(demo_support::gunzip(p)).expect("text"))
        .collect();
    assert!(flows.starts_with("version account-id interface-id srcaddr dstaddr"));
    assert!(
        flows
            .lines()
            .any(|l| l.contains(&format!(" {ip} ")) && l.contains(" 4444 "))
    );
}
