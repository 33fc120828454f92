//! The command line's tables as people see them: fitted to 80 columns (as on a terminal) and
//! whole (`--wide`, piped), snapshotted; the `--json` shapes snapshotted; what the tables say
//! when an input names several entities or nothing; a closed pipe ends output quietly.

mod attribution_support;

use assert_cmd::Command;
use attribution_support::*;
use rolecall::model::{Event, Finding};
use rolecall::present::width;
use rolecall::store::Store;

/// bob → Admin → Deploy (cross-account) with a long pathed SSO-like role name, a failed
/// attempt, a failed call, and a GuardDuty finding on the Deploy session.
fn cache() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cache.db");
    let mut store = Store::open(&path).expect("open");
    let long_role = "arn:aws:iam::444455556666:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_DeployAccess_0123456789abcdef";
    let bob = iam_user(USERS, "bob");
    let admin = Issue {
        role_arn: ADMIN,
        role_id: "AROAADMIN",
        session: "bob",
        key: "ASIAADMIN1",
    };
    let deploy = Issue {
        role_arn: long_role,
        role_id: "AROADEPLOY",
        session: "bob-deploy",
        key: "ASIADEPLOY1",
    };
    let s_admin = admin.identity("2026-10-01T10:00:00Z");
    let s_deploy = deploy.identity("2026-10-01T10:05:00Z");
    let mut failed = call(
        "c3",
        "2026-10-01T10:21:00Z",
        s_deploy.clone(),
        "AttachRolePolicy",
    );
    failed.error_code = Some("AccessDenied".into());
    let events: Vec<Event> = vec![
        assume("i-admin", "2026-10-01T10:00:00Z", bob, "AssumeRole", &admin),
        assume(
            "i-deploy",
            "2026-10-01T10:05:00Z",
            s_admin.clone(),
            "AssumeRole",
            &deploy,
        ),
        failed_assume(
            "denied",
            "2026-10-01T10:06:00Z",
            s_admin,
            AUDIT,
            "bob-audit",
        ),
        call(
            "c1",
            "2026-10-01T10:10:00Z",
            admin.identity("2026-10-01T10:00:00Z"),
            "DescribeInstances",
        ),
        call("c2", "2026-10-01T10:20:00Z", s_deploy, "RunInstances"),
        failed,
        // Three days later, someone else: the data's last 24 hours hold none of bob's calls.
        call(
            "late",
            "2026-10-04T09:00:00Z",
            iam_user(USERS, "carol"),
            "ListBuckets",
        ),
    ];
    ingest(&mut store, &events);
    let run = store.insert_run("test", 0).expect("run");
    let mut w = store
        .file_writer(run, "findings.json", "test")
        .expect("writer");
    w.insert_finding(&Finding {
        finding_id: "f00dfeedf00dfeedf00dfeedf00dfeed".into(),
        finding_type: "PrivilegeEscalation:IAMUser/AdministrativePermissions".into(),
        severity: 5.0,
        title: Some("A principal tried to attach an admin policy.".into()),
        account_id: Some(PROD.into()),
        region: Some("us-east-1".into()),
        updated_ms: t("2026-10-01T10:30:00Z"),
        first_seen_ms: Some(t("2026-10-01T10:21:00Z")),
        last_seen_ms: Some(t("2026-10-01T10:21:00Z")),
        count: 1,
        resource_type: Some("AccessKey".into()),
        access_key_id: Some("ASIADEPLOY1".into()),
        principal_id: Some("AROADEPLOY:bob-deploy".into()),
        user_type: Some("AssumedRole".into()),
        api: Some("AttachRolePolicy".into()),
        raw: "{}".into(),
        ..Finding::default()
    })
    .expect("finding");
    w.commit().expect("commit");
    rolecall::analysis::refresh(&mut store).expect("refresh");
    (dir, path)
}

fn run(db: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::cargo_bin("rolecall")
        .expect("binary")
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn stdout(db: &std::path::Path, args: &[&str]) -> String {
    let (ok, out, err) = run(db, args);
    assert!(ok, "{args:?}: {err}");
    out
}

/// Every analysis table, fitted to 80 columns and whole.
const TABLES: &[(&str, &[&str])] = &[
    ("sessions", &["sessions"]),
    (
        "role",
        &[
            "role",
            "arn:aws:iam::444455556666:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_DeployAccess_0123456789abcdef",
        ],
    ),
    ("role_admin", &["role", "Admin"]),
    (
        "activity",
        &[
            "activity",
            "AROADEPLOY:bob-deploy",
            "--scope",
            "2026-10-01T10:00:00Z..2026-10-01T11:00:00Z",
        ],
    ),
    ("findings", &["findings"]),
    ("finding", &["finding", "f00dfeedf00dfeedf00dfeedf00dfeed"]),
    ("chain", &["chain", "c3"]),
];

#[test]
fn tables_fit_80_columns_and_snapshot_as_people_see_them() {
    let (_dir, db) = cache();
    for (name, args) in TABLES {
        let mut fitted = vec!["--width", "80"];
        fitted.extend_from_slice(args);
        let text = stdout(&db, &fitted);
        for line in text.lines() {
            assert!(
                width(line) <= 80,
                "{name}: {line:?} is {} wide",
                width(line)
            );
        }
        insta::assert_snapshot!(format!("{name}_80"), text);
    }
}

#[test]
fn wide_and_piped_tables_keep_every_cell_whole() {
    let (_dir, db) = cache();
    for (name, args) in TABLES {
        let piped = stdout(&db, args);
        let mut wide = vec!["--wide"];
        wide.extend_from_slice(args);
        assert_eq!(stdout(&db, &wide), piped, "{name}");
        insta::assert_snapshot!(format!("{name}_wide"), piped);
    }
    let sessions = stdout(&db, &["sessions"]);
    assert!(sessions.contains("AWSReservedSSO_DeployAccess_0123456789abcdef"));
    assert!(sessions.contains("AROADEPLOY:bob-deploy"));
}

#[test]
fn json_shapes_are_stable() {
    let (_dir, db) = cache();
    for (name, args) in TABLES {
        let mut json = args.to_vec();
        json.push("--json");
        let mut v: serde_json::Value = serde_json::from_str(&stdout(&db, &json)).expect("json");
        // Keys sorted whatever serde_json's features (test builds turn on `preserve_order`).
        v.sort_all_objects();
        insta::assert_json_snapshot!(format!("{name}_json"), v);
    }
}

#[test]
fn an_ambiguous_name_lists_its_candidates_and_an_unknown_one_says_so() {
    let (_dir, db) = cache();
    let (ok, out, err) = run(&db, &["chain", "bob"]);
    assert!(!ok);
    assert!(out.is_empty());
    assert!(err.contains("bob names 2 entities"), "{err}");
    // The identifier to give instead, then what it is.
    assert!(
        err.contains("AROAADMIN:bob  role session bob @ Admin (111122223333)"),
        "{err}"
    );
    assert!(
        err.contains("arn:aws:iam::111122223333:user/bob  IAM user bob (111122223333)"),
        "{err}"
    );
    let (ok, _, err) = run(&db, &["chain", "ASIANOWHERE"]);
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    let (ok, _, err) = run(&db, &["finding", "Admin"]);
    assert!(!ok);
    assert!(
        err.contains("Admin is a role; this command needs a finding"),
        "{err}"
    );
}

/// A finding whose actor GuardDuty did not name (sample findings strip `resource`), and one
/// whose actor the cache has no call of: `chain` says which, never "needs a finding".
#[test]
fn a_finding_without_a_chain_says_whether_its_actor_was_named_or_is_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cache.db");
    let mut store = Store::open(&db).expect("open");
    let run_id = store.insert_run("test", 0).expect("run");
    let mut w = store
        .file_writer(run_id, "findings.json", "test")
        .expect("writer");
    let base = Finding {
        finding_type: "PrivilegeEscalation:IAMUser/AdministrativePermissions".into(),
        severity: 8.0,
        account_id: Some(PROD.into()),
        updated_ms: t("2026-10-01T10:30:00Z"),
        count: 1,
        api: Some("PutRolePolicy".into()),
        raw: "{}".into(),
        ..Finding::default()
    };
    w.insert_finding(&Finding {
        finding_id: "0000aaaa0000aaaa0000aaaa0000aaaa".into(),
        ..base.clone()
    })
    .expect("finding");
    w.insert_finding(&Finding {
        finding_id: "0000bbbb0000bbbb0000bbbb0000bbbb".into(),
        resource_type: Some("AccessKey".into()),
        access_key_id: Some("ASIAELSEWHERE1".into()),
        user_type: Some("AssumedRole".into()),
        user_name: Some("Ops".into()),
        ..base
    })
    .expect("finding");
    w.commit().expect("commit");
    rolecall::analysis::refresh(&mut store).expect("refresh");
    drop(store);

    let (ok, out, err) = run(&db, &["chain", "0000aaaa0000aaaa0000aaaa0000aaaa"]);
    assert!(!ok && out.is_empty());
    assert!(err.contains("GuardDuty named no actor in it"), "{err}");
    assert!(!err.contains("needs"), "{err}");
    let text = stdout(&db, &["finding", "0000aaaa0000aaaa0000aaaa0000aaaa"]);
    assert!(
        text.contains("actor:     none named by GuardDuty"),
        "{text}"
    );
    assert!(
        text.contains("chain:     none: GuardDuty named no actor"),
        "{text}"
    );

    let (ok, _, err) = run(&db, &["chain", "0000bbbb0000bbbb0000bbbb0000bbbb"]);
    assert!(!ok);
    assert!(
        err.contains(
            "the cache has no call or issuance of its actor (AssumedRole Ops, key ASIAELSEWHERE1)"
        ),
        "{err}"
    );
}

#[test]
fn activity_without_a_scope_says_when_the_entity_was_last_active() {
    let (_dir, db) = cache();
    let out = stdout(&db, &["activity", "AROAADMIN:bob"]);
    assert!(out.starts_with("session bob  (AROAADMIN:bob)"), "{out}");
    assert!(
        out.contains(
            "no calls in the last 24 hours of the data; last active 2026-10-01 10:10:00 UTC"
        ) && out.contains("--scope 2026-09-30T11:00:00Z..2026-10-01T11:00:00Z"),
        "{out}"
    );
    let user = stdout(&db, &["activity", "arn:aws:iam::111122223333:user/bob"]);
    assert!(
        user.starts_with("principal bob "),
        "headed by the user's name: {user}"
    );
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let (_dir, db) = cache();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("rolecall"))
        .arg("--db")
        .arg(&db)
        .args(["sessions", "--wide"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // Read nothing and hang up, as `| head -0` would.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
