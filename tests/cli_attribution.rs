//! The analysis commands through the real binary: `--json` contracts, exit statuses, and
//! hostile log strings escaped in tables (kept as JSON escapes in JSON).

mod attribution_support;

use assert_cmd::Command;
use attribution_support::*;
use rolecall::model::Event;
use rolecall::store::Store;

const HOSTILE: &str = "evil\u{1b}[31m\u{202e}gpj.exe\u{7}";

fn cache(events: &[Event]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cache.db");
    let mut store = Store::open(&path).expect("open");
    ingest(&mut store, events);
    (dir, path)
}

fn org() -> Vec<Event> {
    let bob = iam_user(USERS, "bob");
    let admin = Issue {
        role_arn: ADMIN,
        role_id: "AROAADMIN",
        session: "bob",
        key: "ASIAADMIN1",
    };
    let deploy = Issue {
        role_arn: DEPLOY,
        role_id: "AROADEPLOY",
        session: HOSTILE,
        key: "ASIADEPLOY1",
    };
    let s_admin = admin.identity("2026-10-01T10:00:00Z");
    let s_deploy = deploy.identity("2026-10-01T10:05:00Z");
    let mut hostile_call = call(
        "c2",
        "2026-10-01T10:20:00Z",
        s_deploy.clone(),
        "RunInstances",
    );
    hostile_call.user_agent = Some(HOSTILE.into());
    let mut failed = call("c3", "2026-10-01T10:21:00Z", s_deploy, "AttachRolePolicy");
    failed.error_code = Some("AccessDenied".into());
    vec![
        assume("i-admin", "2026-10-01T10:00:00Z", bob, "AssumeRole", &admin),
        assume(
            "i-deploy",
            "2026-10-01T10:05:00Z",
            s_admin,
            "AssumeRole",
            &deploy,
        ),
        call(
            "c1",
            "2026-10-01T10:10:00Z",
            admin.identity("2026-10-01T10:00:00Z"),
            "DescribeInstances",
        ),
        hostile_call,
        failed,
    ]
}

fn rolecall(db: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("rolecall").expect("binary");
    c.arg("--db").arg(db);
    c
}

fn json(db: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let out = rolecall(db).args(args).arg("--json").output().expect("run");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

#[test]
fn chain_json_has_exactly_the_contract_shape() {
    let (_d, db) = cache(&org());
    let v = json(&db, &["chain", "c2"]);
    assert_eq!(keys(&v), ["hops", "origin", "query"]);
    assert_eq!(keys(&v["origin"]), ["account_id", "arn", "name", "type"]);
    assert_eq!(v["origin"]["type"], "IAMUser");
    assert_eq!(v["origin"]["name"], "bob");
    let hops = v["hops"].as_array().expect("hops");
    assert_eq!(hops.len(), 2);
    let want = [
        "access_key_id",
        "account_id",
        "cross_account",
        "evidence",
        "expires_at",
        "issued_at",
        "issuing_event_id",
        "principal_id",
        "role_arn",
        "session_name",
        "source_identity",
        "via",
    ];
    for h in hops {
        assert_eq!(keys(h), want);
    }
    assert_eq!(hops[0]["role_arn"], ADMIN);
    assert_eq!(hops[0]["issued_at"], "2026-10-01T10:00:00Z");
    assert_eq!(hops[0]["cross_account"], false);
    assert_eq!(hops[1]["cross_account"], true);
    assert_eq!(hops[1]["evidence"], "observed");
    assert_eq!(hops[1]["issuing_event_id"], "i-deploy");
    // JSON keeps the hostile session name, as JSON escapes.
    assert_eq!(hops[1]["session_name"], HOSTILE);
}

#[test]
fn an_unknown_id_exits_1_with_one_line_on_stderr() {
    let (_d, db) = cache(&org());
    let out = rolecall(&db)
        .args(["chain", "no-such-thing", "--json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn hostile_session_names_and_user_agents_come_out_of_tables_escaped() {
    let (_d, db) = cache(&org());
    for args in [
        vec!["chain", "c2"],
        vec!["sessions"],
        vec!["role", DEPLOY],
        vec![
            "activity",
            "AROADEPLOY:evil\u{1b}[31m\u{202e}gpj.exe\u{7}",
            "--scope",
            "2026-10-01T10:00:00Z..2026-10-01T11:00:00Z",
        ],
    ] {
        let out = rolecall(&db).args(&args).output().expect("run");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).expect("utf-8");
        assert!(
            text.contains("evil\\u{1b}[31m\\u{202e}gpj.exe\\u{7}"),
            "{args:?}:\n{text}"
        );
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{7}'),
            "{args:?}"
        );
    }
}

#[test]
fn sessions_json_lists_each_session_with_its_assumer_and_counts() {
    let (_d, db) = cache(&org());
    let v = json(&db, &["sessions"]);
    let sessions = v["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 2);
    let deploy = sessions
        .iter()
        .find(|s| s["role_arn"] == DEPLOY)
        .expect("deploy session");
    assert_eq!(deploy["events"], 2);
    assert_eq!(deploy["failed"], 1);
    assert_eq!(deploy["issuances"], 1);
    assert_eq!(deploy["assumed_by"]["type"], "AssumedRole");
    assert_eq!(deploy["assumed_by"]["evidence"], "observed");
    assert_eq!(deploy["assumed_by"]["via"], "AssumeRole");
    let only_deploy = json(&db, &["sessions", "--role", DEPLOY]);
    assert_eq!(only_deploy["sessions"].as_array().map(Vec::len), Some(1));
}

#[test]
fn role_json_shows_who_assumed_it_what_it_assumed_and_the_sessions() {
    let (_d, db) = cache(&org());
    // Without the path: the role is found under any path.
    let v = json(&db, &["role", "arn:aws:iam::111122223333:role/Admin"]);
    assert_eq!(v["role_arns"][0], ADMIN);
    assert_eq!(v["assumed_by"][0]["assumer"]["name"], "bob");
    assert_eq!(v["roles_assumed"][0]["role_arn"], DEPLOY);
    assert_eq!(v["roles_assumed"][0]["account_id"], PROD);
    let sessions = v["sessions"].as_array().expect("sessions");
    assert_eq!(
        sessions.len(),
        2,
        "its own session and the one started from it"
    );
}

#[test]
fn activity_json_counts_success_and_failure_by_api_ip_and_key() {
    let (_d, db) = cache(&org());
    let v = json(&db, &["activity", DEPLOY, "--scope", "last:1h"]);
    assert_eq!(v["entity"]["kind"], "role");
    assert_eq!(v["scope"]["start"], "2026-10-01T10:00:00Z");
    assert_eq!(v["total_ok"], 1);
    assert_eq!(v["total_failed"], 1);
    assert!(v["baseline"]["mean_per_bucket"].is_null());
    assert!(
        v["baseline"]["note"]
            .as_str()
            .expect("note")
            .starts_with("not enough history")
    );
    let apis = v["by_api"].as_array().expect("apis");
    assert_eq!(apis.len(), 2);
    assert!(apis.iter().any(|a| a["key"] == "AttachRolePolicy"
        && a["failed"] == 1
        && a["service"] == "ec2.amazonaws.com"));
    assert_eq!(v["by_access_key"][0]["key"], "ASIADEPLOY1");
    assert_eq!(v["by_source_ip"][0]["key"], "198.51.100.7");
    let fine = json(
        &db,
        &["activity", DEPLOY, "--scope", "last:1h", "--bucket", "10m"],
    );
    assert_eq!(fine["series"].as_array().map(Vec::len), Some(6));
    assert_eq!(fine["series"][2]["ok"], 1);
}

#[test]
fn a_bad_scope_is_refused_with_a_reason() {
    let (_d, db) = cache(&org());
    let out = rolecall(&db)
        .args(["sessions", "--scope", "yesterday"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected A..B"));
}
