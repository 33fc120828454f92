//! The data behind the console's panes, from a small synthetic cache: Home, the events behind a
//! count (paged and filtered), one event's record, the volume chart, the pivots, the Chain tab.

mod attribution_support;

use attribution_support::*;
use rolecall::analysis::{
    EventCursor, EventFilter, build_chain_view, build_events, build_findings_of, build_home,
    build_profile, build_volume, load_event_record,
};
use rolecall::model::{Event, Finding, Scope, Target};
use rolecall::store::Store;

const ADMIN_SESSION: &str = "AROAADMIN:bob";
const DEPLOY_SESSION: &str = "AROADEPLOY:bob-deploy";

fn scope() -> Scope {
    Scope {
        start_ms: t("2026-10-01T10:00:00Z"),
        end_ms: t("2026-10-01T11:00:00Z"),
    }
}

/// bob → Admin → Deploy; Deploy makes five calls (one failed), then tries Audit and is denied
/// (a sixth call, failed too); a finding names the Deploy session.
fn cache() -> Store {
    let mut store = Store::open_in_memory().expect("db");
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
        session: "bob-deploy",
        key: "ASIADEPLOY1",
    };
    let s_admin = admin.identity("2026-10-01T10:00:00Z");
    let s_deploy = deploy.identity("2026-10-01T10:05:00Z");
    let mut events: Vec<Event> = vec![
        assume("i-admin", "2026-10-01T10:00:00Z", bob, "AssumeRole", &admin),
        assume(
            "i-deploy",
            "2026-10-01T10:05:00Z",
            s_admin,
            "AssumeRole",
            &deploy,
        ),
        failed_assume(
            "denied",
            "2026-10-01T10:40:00Z",
            s_deploy.clone(),
            AUDIT,
            "bob-audit",
        ),
    ];
    for n in 0..5 {
        let mut c = call(
            &format!("d{n}"),
            &format!("2026-10-01T10:{:02}:00Z", 10 + n),
            s_deploy.clone(),
            if n == 4 {
                "AttachRolePolicy"
            } else {
                "DescribeInstances"
            },
        );
        if n == 4 {
            c.error_code = Some("AccessDenied".into());
            c.source_ip = Some("203.0.113.9".into());
        }
        c.raw = format!(r#"{{"eventID":"d{n}","zeta":1,"alpha":2}}"#);
        events.push(c);
    }
    ingest(&mut store, &events);
    let run = store.insert_run("test", 0).expect("run");
    let mut w = store.file_writer(run, "f.json", "test").expect("writer");
    w.insert_finding(&Finding {
        finding_id: "finding-1".into(),
        finding_type: "PrivilegeEscalation:IAMUser/AdministrativePermissions".into(),
        severity: 5.0,
        updated_ms: t("2026-10-01T10:30:00Z"),
        first_seen_ms: Some(t("2026-10-01T10:14:00Z")),
        last_seen_ms: Some(t("2026-10-01T10:14:00Z")),
        count: 1,
        access_key_id: Some("ASIADEPLOY1".into()),
        raw: "{}".into(),
        ..Finding::default()
    })
    .expect("finding");
    w.commit().expect("commit");
    rolecall::analysis::refresh(&mut store).expect("refresh");
    store
}

#[test]
fn home_lists_the_findings_the_busiest_and_failing_sessions_and_the_coverage() {
    let store = cache();
    let home = build_home(store.conn(), t("2026-10-05T00:00:00Z")).expect("home");
    assert_eq!(home.findings.len(), 1);
    assert_eq!(home.busiest[0].principal_id, DEPLOY_SESSION);
    assert_eq!(home.busiest[0].events, 6);
    assert_eq!(home.failing.len(), 1, "only sessions with failures");
    assert_eq!(home.failing[0].failed, 2);
    assert_eq!(home.coverage.accounts, 2);
    assert_eq!(home.coverage.days, 1);
}

#[test]
fn the_events_behind_a_count_page_newest_first_and_filter() {
    let store = cache();
    let conn = store.conn();
    let of = Target::session(DEPLOY_SESSION);
    let all = EventFilter::default();
    let first = build_events(conn, &of, scope(), &all, None, 2)
        .expect("query")
        .expect("a session has events");
    let ids: Vec<&str> = first.rows.iter().map(|r| r.event_id.as_str()).collect();
    assert_eq!(ids, ["denied", "d4"]);
    let next: EventCursor = first.next.expect("more pages");
    let second = build_events(conn, &of, scope(), &all, Some(next), 10)
        .expect("query")
        .expect("page");
    let ids: Vec<&str> = second.rows.iter().map(|r| r.event_id.as_str()).collect();
    assert_eq!(ids, ["d3", "d2", "d1", "d0"]);
    assert_eq!(second.next, None);
    let failed = EventFilter {
        failed: Some(true),
        ..EventFilter::default()
    };
    let page = build_events(conn, &of, scope(), &failed, None, 10)
        .expect("query")
        .expect("page");
    assert_eq!(page.rows.len(), 2);
    assert!(
        page.rows
            .iter()
            .all(|r| r.error_code.as_deref() == Some("AccessDenied"))
    );
    let by_api = EventFilter {
        api: Some("DescribeInstances".into()),
        ..EventFilter::default()
    };
    let page = build_events(conn, &of, scope(), &by_api, None, 10)
        .expect("query")
        .expect("page");
    assert_eq!(page.rows.len(), 4);
    // The same calls from the IP's side, and from the role's.
    let ip = Target::ip("203.0.113.9").expect("an address");
    let page = build_events(conn, &ip, scope(), &all, None, 10)
        .expect("query")
        .expect("page");
    assert!(page.rows.iter().any(|r| r.event_id == "d4"));
    let role = build_events(conn, &Target::role(DEPLOY), scope(), &all, None, 10)
        .expect("query")
        .expect("page");
    assert_eq!(role.rows.len(), 6);
    // A value the cache never saw matches nothing (it is not an error).
    let unknown = EventFilter {
        api: Some("NoSuchApi".into()),
        ..EventFilter::default()
    };
    let page = build_events(conn, &of, scope(), &unknown, None, 10)
        .expect("query")
        .expect("page");
    assert!(page.rows.is_empty());
    assert!(
        build_events(
            conn,
            &Target::Finding { id: "x".into() },
            scope(),
            &all,
            None,
            10
        )
        .expect("query")
        .is_none()
    );
}

#[test]
fn an_events_record_is_pretty_json_in_its_own_key_order() {
    let store = cache();
    let text = load_event_record(store.conn(), "d0")
        .expect("query")
        .expect("record");
    let zeta = text.find("\"zeta\"").expect("zeta");
    let alpha = text.find("\"alpha\"").expect("alpha");
    assert!(zeta < alpha, "keys keep the record's order: {text}");
    assert!(text.contains('\n'), "pretty: {text}");
    assert_eq!(
        load_event_record(store.conn(), "nope").expect("query"),
        None
    );
}

#[test]
fn the_volume_chart_holds_the_scope_with_history_around_it() {
    let store = cache();
    let v = build_volume(store.conn(), &Target::session(DEPLOY_SESSION), scope(), 60)
        .expect("query")
        .expect("volume");
    assert_eq!(v.series.len(), 60);
    assert!(v.window.start_ms < scope().start_ms && v.window.end_ms > scope().end_ms);
    let in_scope: Vec<_> = v
        .series
        .iter()
        .filter(|p| scope().contains(p.start))
        .collect();
    assert_eq!(in_scope.len(), 1, "a one-hour scope is one hourly bucket");
    assert_eq!((in_scope[0].ok, in_scope[0].failed), (4, 2));
    let total: i64 = v.series.iter().map(|p| p.ok + p.failed).sum();
    assert_eq!(total, 6);
    assert!(v.baseline_note.is_some(), "no history before this scope");
}

#[test]
fn the_pivots_say_who_used_an_entity_and_what_it_started() {
    let store = cache();
    let conn = store.conn();
    let bob = Target::IamUser {
        arn: "arn:aws:iam::111122223333:user/bob".into(),
    };
    let p = build_profile(conn, &bob, scope())
        .expect("query")
        .expect("bob");
    assert_eq!(p.title, "IAM user bob");
    let started: Vec<&str> = p.sessions.iter().map(|s| s.principal_id.as_str()).collect();
    assert_eq!(started, [ADMIN_SESSION]);
    let ip = Target::ip("203.0.113.9").expect("an address");
    let p = build_profile(conn, &ip, scope())
        .expect("query")
        .expect("ip");
    assert_eq!(p.callers.len(), 1);
    assert_eq!(p.callers[0].target, Some(Target::session(DEPLOY_SESSION)));
    assert_eq!((p.callers[0].ok, p.callers[0].failed), (0, 2));
    let account = build_profile(conn, &Target::account(PROD), scope())
        .expect("query")
        .expect("account");
    assert!(account.callers.iter().any(|c| c.label == DEPLOY_SESSION));
    assert!(
        build_profile(conn, &Target::session(DEPLOY_SESSION), scope())
            .expect("query")
            .is_none(),
        "sessions have their own pane"
    );
}

#[test]
fn the_chain_tab_counts_each_hops_calls_and_lists_what_the_session_tried() {
    let store = cache();
    let v = build_chain_view(store.conn(), DEPLOY_SESSION, scope())
        .expect("query")
        .expect("chain");
    assert_eq!(v.chain.hops.len(), 2);
    assert_eq!(v.hops.len(), 2);
    assert_eq!((v.hops[1].ok, v.hops[1].failed), (4, 2));
    assert_eq!(
        v.hops[1].failures,
        [
            ("AssumeRole".to_string(), "AccessDenied".to_string(), 1),
            (
                "AttachRolePolicy".to_string(),
                "AccessDenied".to_string(),
                1
            ),
        ]
    );
    assert_eq!(v.started.len(), 1);
    assert!(v.started[0].failed);
    let findings =
        build_findings_of(store.conn(), &Target::session(DEPLOY_SESSION), 10).expect("findings");
    assert_eq!(findings.len(), 1, "the finding names the session's key");
}
