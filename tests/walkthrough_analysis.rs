//! DESIGN.md's walkthrough through the analysis functions on the demo cache itself (the
//! generation `rolecall demo` builds, ingested through the normal path), following the targets
//! each answer carries — never parsing strings: finding → its actor's role session with the
//! finding's hour as scope → the session's calls in scope → its role's resource interaction →
//! the `DemoRole1` session started from it → that session's calls in scope.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use rolecall::analysis::{
    Activity, build_activity, build_finding, build_role, build_started_from, load_session, refresh,
};
use rolecall::demo::{GenerateOptions, WALKTHROUGH_FINDING_ID, generate};
use rolecall::ingest::{IngestOptions, ingest_paths};
use rolecall::model::{AssumerKind, Evidence, Scope, Target, parse_ms};
use rolecall::store::Store;

struct Demo {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
}

fn demo() -> &'static Demo {
    static D: OnceLock<Demo> = OnceLock::new();
    D.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("demo");
        generate(&GenerateOptions::demo(&data)).expect("generate");
        let db = dir.path().join("demo.db");
        let mut store = Store::open(&db).expect("open");
        ingest_paths(
            &mut store,
            &[data.join("AWSLogs"), data.join("guardduty")],
            &IngestOptions::default(),
            0,
        )
        .expect("ingest");
        refresh(&mut store).expect("refresh");
        Demo { _dir: dir, db }
    })
}

fn store() -> Store {
    Store::open_read_only(&demo().db).expect("read-only")
}

fn apis(a: &Activity) -> BTreeSet<(String, i64, i64)> {
    a.by_api
        .iter()
        .map(|l| (l.key.clone().unwrap_or_default(), l.ok, l.failed))
        .collect()
}

fn t(s: &str) -> i64 {
    parse_ms(s).expect("time")
}

#[test]
fn the_walkthrough_from_the_finding_to_demorole1_follows_targets_alone() {
    let store = store();
    let conn = store.conn();

    // 1–2. The finding: its hour is the scope, its actor is sara's SSO role session.
    let f = build_finding(conn, WALKTHROUGH_FINDING_ID)
        .expect("query")
        .expect("the walkthrough finding");
    assert_eq!(f.finding_type, "Stealth:IAMUser/CloudTrailLoggingDisabled");
    let scope = f.scope;
    assert_eq!(
        scope,
        Scope {
            start_ms: t("2026-11-18T14:00:00Z"),
            end_ms: t("2026-11-18T15:00:00Z"),
        }
    );
    let Some(Target::RoleSession { principal_id: sso }) = f.actor.clone() else {
        panic!("the actor opens a role session: {:?}", f.actor);
    };
    let session = load_session(conn, sso.as_str())
        .expect("query")
        .expect("sara's session");
    assert_eq!(session.session_name, "sara");
    assert_eq!(session.assumed_by.kind, AssumerKind::SamlUser);
    assert_eq!(session.assumed_by.name.as_deref(), Some("sara"));
    assert_eq!(session.assumed_by.evidence, Evidence::Observed);
    assert!(
        session.first_observed < t("2026-10-31T00:00:00Z"),
        "first seen in October"
    );

    // 4. In scope she called exactly StopLogging and AssumeRole.
    let activity = build_activity(conn, &session.target, scope, 3_600_000)
        .expect("query")
        .expect("activity");
    let names: BTreeSet<String> = apis(&activity).into_iter().map(|(n, _, _)| n).collect();
    assert_eq!(
        names,
        BTreeSet::from(["AssumeRole".to_string(), "StopLogging".to_string()])
    );

    // 5. The role profile of the SSO role: sara assumed it; it assumed DemoRole1 in scope;
    //    two sessions named sara are involved.
    let Some(Target::Role { arn: sso_role }) = session.role.clone() else {
        panic!("the session names its role");
    };
    let role = build_role(conn, sso_role.as_str(), Some(scope))
        .expect("query")
        .expect("role");
    assert!(
        role.assumed_by
            .iter()
            .any(|a| a.assumer.kind == AssumerKind::SamlUser
                && a.assumer.name.as_deref() == Some("sara")),
        "{:#?}",
        role.assumed_by
    );
    let demo_role = role
        .roles_assumed
        .iter()
        .find(|r| {
            r.role_arn
                .as_deref()
                .is_some_and(|a| a.ends_with("/DemoRole1"))
        })
        .expect("DemoRole1 among the roles assumed in scope");
    assert!(matches!(demo_role.target, Some(Target::Role { .. })));
    let saras: Vec<_> = role
        .sessions
        .iter()
        .filter(|s| s.session_name.as_deref() == Some("sara"))
        .collect();
    assert_eq!(saras.len(), 2, "{:#?}", role.sessions);
    let chained = saras
        .iter()
        .find(|s| !s.own)
        .expect("the DemoRole1 session started from the SSO session");

    // 6. Into the DemoRole1 session: assumed by the SSO session, at the exact issuance.
    let demo_target = chained.target.clone().expect("the chained session opens");
    let Target::RoleSession { principal_id: demo } = &demo_target else {
        panic!("the chained session opens a role session: {demo_target:?}");
    };
    assert_eq!(chained.assumed_by.target, Some(session.target.clone()));
    let parent = chained
        .assumed_by
        .parent
        .as_ref()
        .expect("the exact parent issuance");
    assert_eq!(parent.principal_id.as_ref(), Some(&sso));
    assert!(parent.issued_ms < t("2026-11-18T14:12:05Z"));
    let started = build_started_from(conn, sso.as_str(), Some(scope), 10).expect("started");
    assert!(
        started
            .iter()
            .any(|s| s.target.as_ref() == Some(&demo_target))
    );
    let demo_activity = build_activity(conn, &demo_target, scope, 3_600_000)
        .expect("query")
        .expect("activity");
    let calls = apis(&demo_activity);
    let by_name = |n: &str| calls.iter().find(|(name, _, _)| name == n).cloned();
    assert!(by_name("DescribeInstances").is_some_and(|(_, ok, _)| ok > 0));
    assert!(by_name("RunInstances").is_some_and(|(_, ok, _)| ok > 0));
    let attach = by_name("AttachRolePolicy").expect("AttachRolePolicy in scope");
    assert!(
        attach.1 > 0 && attach.2 > 0,
        "successful and failed: {attach:?}"
    );

    // 7. And sara used DemoRole1 before the scope too.
    let demo_session = load_session(conn, demo.as_str())
        .expect("query")
        .expect("session");
    assert!(demo_session.first_observed < scope.start_ms);
}

#[test]
fn a_roles_sessions_in_a_scope_count_what_the_whole_cache_list_counts_for_them() {
    // Two SQL paths answer "sessions in scope": one from a role's principals, one from every
    // principal's hours. For every role and a day, a week and a year they must agree.
    let store = store();
    let conn = store.conn();
    let end = rolecall::store::load_latest_event_ms(conn)
        .expect("latest")
        .expect("events");
    for days in [1, 7, 365] {
        let scope = Scope::last(end, days * 86_400_000);
        let all = rolecall::store::load_role_sessions(conn, None, Some(scope), 1_000_000)
            .expect("all sessions");
        let roles: BTreeSet<String> = all.iter().filter_map(|r| r.issuer_arn.clone()).collect();
        assert!(roles.len() > 3, "{days} d: {roles:?}");
        for role in roles {
            let mut want: Vec<_> = all
                .iter()
                .filter(|r| r.issuer_arn.as_deref() == Some(role.as_str()))
                .map(|r| (r.principal.clone(), r.events, r.failed))
                .collect();
            let mut got: Vec<_> = rolecall::store::load_role_sessions(
                conn,
                Some(std::slice::from_ref(&role)),
                Some(scope),
                1_000_000,
            )
            .expect("role's sessions")
            .into_iter()
            .map(|r| (r.principal, r.events, r.failed))
            .collect();
            want.sort();
            got.sort();
            assert_eq!(got, want, "{role}, {days} d");
        }
    }
}
