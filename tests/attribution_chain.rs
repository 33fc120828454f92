//! Attribution end to end on an in-memory cache: events in, `refresh`, then the same
//! `build_chain` the CLI prints.

mod attribution_support;

use attribution_support::*;
use rolecall::analysis::build_chain;
use rolecall::model::{Chain, Event, Evidence, Identity, OriginKind, StsCall};
use rolecall::store::Store;

fn chain(store: &Store, id: &str) -> Chain {
    build_chain(store.conn(), id)
        .expect("query")
        .unwrap_or_else(|| panic!("no chain for {id}"))
}

fn roles(c: &Chain) -> Vec<(&str, Evidence, bool)> {
    c.hops
        .iter()
        .map(|h| {
            (
                h.role_arn.as_deref().unwrap_or("?"),
                h.evidence,
                h.cross_account,
            )
        })
        .collect()
}

/// bob (IAM user) → Admin (same account) → Deploy (prod, cross-account) → Audit (prod).
fn three_deep() -> Vec<Event> {
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
    let audit = Issue {
        role_arn: AUDIT,
        role_id: "AROAAUDIT",
        session: "bob-audit",
        key: "ASIAAUDIT1",
    };
    let s_admin = admin.identity("2026-10-01T10:00:00Z");
    let s_deploy = deploy.identity("2026-10-01T10:05:00Z");
    let s_audit = audit.identity("2026-10-01T10:10:00Z");
    vec![
        // Out of order on purpose: CloudTrail does not promise delivery order.
        call(
            "c-audit",
            "2026-10-01T10:15:00Z",
            s_audit,
            "DescribeInstances",
        ),
        assume(
            "i-audit",
            "2026-10-01T10:10:00Z",
            s_deploy.clone(),
            "AssumeRole",
            &audit,
        ),
        assume("i-admin", "2026-10-01T10:00:00Z", bob, "AssumeRole", &admin),
        assume(
            "i-deploy",
            "2026-10-01T10:05:00Z",
            s_admin,
            "AssumeRole",
            &deploy,
        ),
        call("c-deploy", "2026-10-01T10:06:00Z", s_deploy, "RunInstances"),
    ]
}

#[test]
fn an_iam_user_assuming_a_role_is_the_observed_origin() {
    let mut store = Store::open_in_memory().expect("db");
    let bob = iam_user(USERS, "bob");
    let admin = Issue {
        role_arn: ADMIN,
        role_id: "AROAADMIN",
        session: "bob",
        key: "ASIAADMIN1",
    };
    let s = admin.identity("2026-10-01T10:00:00Z");
    ingest(
        &mut store,
        &[
            assume("e1", "2026-10-01T10:00:00Z", bob, "AssumeRole", &admin),
            call("e2", "2026-10-01T10:30:00Z", s, "DescribeInstances"),
        ],
    );
    let c = chain(&store, "e2");
    assert_eq!(c.origin.kind, OriginKind::IamUser);
    assert_eq!(c.origin.name.as_deref(), Some("bob"));
    assert_eq!(c.origin.account_id.as_deref(), Some(USERS));
    assert_eq!(roles(&c), vec![(ADMIN, Evidence::Observed, false)]);
    let h = &c.hops[0];
    assert_eq!(h.access_key_id.as_deref(), Some("ASIAADMIN1"));
    assert_eq!(h.principal_id.as_deref(), Some("AROAADMIN:bob"));
    assert_eq!(h.issuing_event_id.as_deref(), Some("e1"));
    assert_eq!(h.via.as_deref(), Some("AssumeRole"));
    assert_eq!(h.issued_at, Some(t("2026-10-01T10:00:00Z")));
    assert_eq!(h.expires_at, Some(t("2026-10-01T11:00:00Z")));
}

#[test]
fn role_chaining_three_deep_is_followed_to_the_origin_from_every_kind_of_id() {
    let mut store = Store::open_in_memory().expect("db");
    ingest(&mut store, &three_deep());
    let want = vec![
        (ADMIN, Evidence::Observed, false),
        (DEPLOY, Evidence::Observed, true),
        (AUDIT, Evidence::Observed, false),
    ];
    for id in [
        "c-audit",
        "ASIAAUDIT1",
        "AROAAUDIT:bob-audit",
        "arn:aws:sts::444455556666:assumed-role/Audit/bob-audit",
    ] {
        let c = chain(&store, id);
        assert_eq!(c.origin.name.as_deref(), Some("bob"), "{id}");
        assert_eq!(roles(&c), want, "{id}");
    }
    // An issuing call belongs to its caller: the chain of the session that made it.
    let c = chain(&store, "i-audit");
    assert_eq!(roles(&c), want[..2].to_vec());
    // A call by a user is not a role session: the user, no hops.
    let c = chain(&store, "i-admin");
    assert_eq!(c.origin.kind, OriginKind::IamUser);
    assert!(c.hops.is_empty());
}

#[test]
fn cross_account_copies_are_stitched_by_shared_event_id_in_either_order() {
    let bob = iam_user(USERS, "bob");
    let issue = Issue {
        role_arn: DEPLOY,
        role_id: "AROADEPLOY",
        session: "bob",
        key: "ASIADEPLOY9",
    };
    let caller_copy = {
        let mut e = assume(
            "copy-caller",
            "2026-10-01T10:00:00Z",
            bob.clone(),
            "AssumeRole",
            &issue,
        );
        e.account_id = Some(USERS.into());
        e.shared_event_id = Some("shared-1".into());
        e
    };
    let role_copy = {
        let only_account = Identity {
            user_type: Some("AWSAccount".into()),
            principal_id: bob.principal_id.clone(),
            account_id: Some(USERS.into()),
            ..Identity::default()
        };
        let mut e = assume(
            "copy-role",
            "2026-10-01T10:00:00Z",
            only_account,
            "AssumeRole",
            &issue,
        );
        e.shared_event_id = Some("shared-1".into());
        e
    };
    let s = issue.identity("2026-10-01T10:00:00Z");
    let use_it = call("c1", "2026-10-01T10:20:00Z", s, "PutObject");
    for (first, second) in [(&role_copy, &caller_copy), (&caller_copy, &role_copy)] {
        let mut store = Store::open_in_memory().expect("db");
        ingest(&mut store, &[first.clone(), use_it.clone()]);
        let c = chain(&store, "c1");
        if first.event_id == "copy-role" {
            // Only the role account's copy: "principal X of account Y", nothing more.
            assert_eq!(c.origin.kind, OriginKind::AwsAccount);
            assert_eq!(c.origin.name.as_deref(), Some("AIDABOB"));
            assert_eq!(c.origin.account_id.as_deref(), Some(USERS));
        }
        assert!(c.hops[0].cross_account);
        ingest(&mut store, std::slice::from_ref(second));
        let c = chain(&store, "c1");
        assert_eq!(
            c.origin.kind,
            OriginKind::IamUser,
            "after {}",
            second.event_id
        );
        assert_eq!(c.origin.name.as_deref(), Some("bob"));
        assert_eq!(roles(&c), vec![(DEPLOY, Evidence::Observed, true)]);
        // The cited copy is the richer one, the caller account's, whichever arrived first.
        assert_eq!(c.hops[0].issuing_event_id.as_deref(), Some("copy-caller"));
    }
}

#[test]
fn a_repeated_access_key_is_qualified_by_role_and_time() {
    let mut store = Store::open_in_memory().expect("db");
    let alice = iam_user(USERS, "alice");
    let bob = iam_user(USERS, "bob");
    let a = Issue {
        role_arn: ADMIN,
        role_id: "AROAADMIN",
        session: "alice",
        key: "ASIASAME",
    };
    let d = Issue {
        role_arn: DEPLOY,
        role_id: "AROADEPLOY",
        session: "bob",
        key: "ASIASAME",
    };
    ingest(
        &mut store,
        &[
            assume("ia", "2026-10-01T10:00:00Z", alice, "AssumeRole", &a),
            assume("id", "2026-10-01T12:00:00Z", bob, "AssumeRole", &d),
            call(
                "ca",
                "2026-10-01T10:30:00Z",
                a.identity("2026-10-01T10:00:00Z"),
                "ListUsers",
            ),
            call(
                "cd",
                "2026-10-01T12:30:00Z",
                d.identity("2026-10-01T12:00:00Z"),
                "ListUsers",
            ),
            // Same key, Admin role, but outside the first credentials' lifetime: not alice's.
            call(
                "late",
                "2026-10-01T12:45:00Z",
                a.identity("2026-10-01T12:40:00Z"),
                "ListUsers",
            ),
        ],
    );
    assert_eq!(chain(&store, "ca").origin.name.as_deref(), Some("alice"));
    assert_eq!(chain(&store, "cd").origin.name.as_deref(), Some("bob"));
    let late = chain(&store, "late");
    assert_eq!(late.hops[0].evidence, Evidence::Inferred);
    assert_eq!(late.origin.kind, OriginKind::Unknown);
}

#[test]
fn a_repeated_key_queried_alone_names_its_latest_session_observed_or_inferred() {
    // An instance session whose issuing call is outside the data, then (days later) the same
    // key issued to another role's instance session, observed.
    let ec2 = Identity {
        user_type: Some("AWSService".into()),
        invoked_by: Some("ec2.amazonaws.com".into()),
        ..Identity::default()
    };
    let early = session(
        ADMIN,
        "AROAADMIN",
        "i-0123456789abcdef0",
        "ASIASAME",
        "2026-10-01T09:00:00Z",
    );
    let later = Issue {
        role_arn: DEPLOY,
        role_id: "AROADEPLOY",
        session: "i-0fedcba9876543210",
        key: "ASIASAME",
    };
    let mut store = Store::open_in_memory().expect("db");
    ingest(
        &mut store,
        &[
            call(
                "early",
                "2026-10-01T09:30:00Z",
                early.clone(),
                "ListBuckets",
            ),
            assume("issue", "2026-10-05T10:00:00Z", ec2, "AssumeRole", &later),
        ],
    );
    let by_key = chain(&store, "ASIASAME");
    assert_eq!(by_key.hops.len(), 1);
    assert_eq!(by_key.hops[0].role_arn.as_deref(), Some(DEPLOY));
    assert_eq!(by_key.hops[0].evidence, Evidence::Observed);
    assert_eq!(by_key.origin.name.as_deref(), Some("i-0fedcba9876543210"));
    // The early session stays reachable through its own call, inferred from it.
    let by_call = chain(&store, "early");
    assert_eq!(by_call.hops[0].role_arn.as_deref(), Some(ADMIN));
    assert_eq!(by_call.hops[0].evidence, Evidence::Inferred);
    assert_eq!(by_call.hops[0].issued_at, Some(t("2026-10-01T09:00:00Z")));
    assert_eq!(by_call.origin.kind, OriginKind::Ec2Instance);
    assert_eq!(by_call.origin.name.as_deref(), Some("i-0123456789abcdef0"));

    // The other way round: the key's observed issuance first, an unobserved session later.
    let mut store = Store::open_in_memory().expect("db");
    let ec2 = Identity {
        user_type: Some("AWSService".into()),
        invoked_by: Some("ec2.amazonaws.com".into()),
        ..Identity::default()
    };
    let late = Identity {
        session_created_ms: Some(t("2026-10-09T09:00:00Z")),
        ..early
    };
    ingest(
        &mut store,
        &[
            assume("issue", "2026-10-05T10:00:00Z", ec2, "AssumeRole", &later),
            call("late", "2026-10-09T09:30:00Z", late, "ListBuckets"),
        ],
    );
    let by_key = chain(&store, "ASIASAME");
    assert_eq!(by_key.hops[0].role_arn.as_deref(), Some(ADMIN));
    assert_eq!(by_key.hops[0].evidence, Evidence::Inferred);
}

#[test]
fn an_actor_by_a_repeated_key_is_the_session_using_it_at_that_time() {
    // Two sessions seen only through their calls, one key: a finding's actor at 09:30 is the
    // first, whatever signed with the key last.
    let first = session(
        ADMIN,
        "AROAADMIN",
        "ops",
        "ASIASAME",
        "2026-10-01T09:00:00Z",
    );
    let second = session(
        DEPLOY,
        "AROADEPLOY",
        "ci",
        "ASIASAME",
        "2026-10-03T09:00:00Z",
    );
    let mut store = Store::open_in_memory().expect("db");
    ingest(
        &mut store,
        &[
            call("c1", "2026-10-01T09:30:00Z", first, "ListBuckets"),
            call("c2", "2026-10-03T09:30:00Z", second, "ListBuckets"),
        ],
    );
    let actor = rolecall::analysis::chain_of_actor(
        store.conn(),
        "finding",
        Some("ASIASAME"),
        None,
        t("2026-10-01T09:31:00Z"),
    )
    .expect("query")
    .expect("a chain");
    assert_eq!(actor.hops[0].role_arn.as_deref(), Some(ADMIN));
    assert_eq!(actor.hops[0].evidence, Evidence::Inferred);
}

#[test]
fn a_key_seen_only_on_calls_is_inferred_from_them() {
    let mut store = Store::open_in_memory().expect("db");
    let lambda = session(
        DEPLOY,
        "AROADEPLOY",
        "thumbnailer",
        "ASIALAMBDA",
        "2026-10-01T09:00:00Z",
    );
    ingest(
        &mut store,
        &[call("c1", "2026-10-01T09:30:00Z", lambda, "GetObject")],
    );
    let c = chain(&store, "ASIALAMBDA");
    assert_eq!(c.origin.kind, OriginKind::Unknown);
    assert_eq!(c.origin.name, None);
    assert_eq!(c.hops.len(), 1);
    let h = &c.hops[0];
    assert_eq!(h.evidence, Evidence::Inferred);
    assert_eq!(h.access_key_id.as_deref(), Some("ASIALAMBDA"));
    assert_eq!(h.issued_at, Some(t("2026-10-01T09:00:00Z")));
    assert_eq!(
        (
            h.expires_at,
            h.via.as_deref(),
            h.issuing_event_id.as_deref()
        ),
        (None, None, None)
    );
    // A key that nothing in the cache shows is unknown.
    assert!(
        build_chain(store.conn(), "ASIANOWHERE")
            .expect("query")
            .is_none()
    );
}

#[test]
fn the_creation_date_links_a_call_whose_key_is_not_the_issued_one() {
    let mut store = Store::open_in_memory().expect("db");
    let bob = iam_user(USERS, "bob");
    let a = Issue {
        role_arn: ADMIN,
        role_id: "AROAADMIN",
        session: "bob",
        key: "ASIAISSUED",
    };
    // Console sessions sign calls with keys that never appear in the issuing call.
    let s = session(
        ADMIN,
        "AROAADMIN",
        "bob",
        "ASIACONSOLE",
        "2026-10-01T10:00:00Z",
    );
    ingest(
        &mut store,
        &[
            assume("i1", "2026-10-01T10:00:00Z", bob, "AssumeRole", &a),
            call("c1", "2026-10-01T10:05:00Z", s, "ListBuckets"),
        ],
    );
    let c = chain(&store, "c1");
    assert_eq!(c.origin.name.as_deref(), Some("bob"));
    assert_eq!(c.hops[0].evidence, Evidence::Observed);
}

#[test]
fn a_failed_assume_role_is_an_attempt_and_never_a_hop() {
    let mut store = Store::open_in_memory().expect("db");
    let mallory = iam_user(USERS, "mallory");
    let bob = iam_user(USERS, "bob");
    let a = Issue {
        role_arn: ADMIN,
        role_id: "AROAADMIN",
        session: "bob",
        key: "ASIAADMIN1",
    };
    let s = a.identity("2026-10-01T10:00:00Z");
    ingest(
        &mut store,
        &[
            failed_assume("f1", "2026-10-01T09:59:00Z", mallory, ADMIN, "bob"),
            assume("i1", "2026-10-01T10:00:00Z", bob, "AssumeRole", &a),
            call("c1", "2026-10-01T10:02:00Z", s, "GetObject"),
        ],
    );
    let c = chain(&store, "c1");
    assert_eq!(c.origin.name.as_deref(), Some("bob"));
    assert_eq!(c.hops.len(), 1);
    let role = rolecall::analysis::build_role(store.conn(), ADMIN, None)
        .expect("role")
        .expect("known role");
    let mallory_line = role
        .assumed_by
        .iter()
        .find(|l| l.assumer.name.as_deref() == Some("mallory"))
        .expect("the attempt is listed");
    assert_eq!((mallory_line.assumptions, mallory_line.attempts), (0, 1));
}

#[test]
fn a_late_issuing_call_upgrades_an_inferred_hop_on_the_next_ingest() {
    let mut store = Store::open_in_memory().expect("db");
    let events = three_deep();
    let (late, early): (Vec<Event>, Vec<Event>) =
        events.into_iter().partition(|e| e.event_id == "i-admin");
    ingest(&mut store, &early);
    let before = chain(&store, "c-audit");
    assert_eq!(before.hops[0].evidence, Evidence::Inferred);
    assert_eq!(before.hops[0].role_arn.as_deref(), Some(ADMIN));
    assert_eq!(before.origin.kind, OriginKind::Unknown);
    ingest(&mut store, &late);
    let after = chain(&store, "c-audit");
    assert_eq!(after.origin.name.as_deref(), Some("bob"));
    assert!(after.hops.iter().all(|h| h.evidence == Evidence::Observed));
    // The stored link was upgraded, not only the query-time fallback.
    let parent: Option<i64> = store
        .conn()
        .query_row(
            "SELECT parent FROM issuances WHERE event_id = 'i-deploy'",
            [],
            |r| r.get(0),
        )
        .expect("row");
    assert!(parent.is_some());
}

#[test]
fn a_cycle_of_sessions_assuming_each_other_ends_the_walk() {
    let mut store = Store::open_in_memory().expect("db");
    let x = Issue {
        role_arn: ADMIN,
        role_id: "AROAADMIN",
        session: "x",
        key: "ASIAX",
    };
    let y = Issue {
        role_arn: DEPLOY,
        role_id: "AROADEPLOY",
        session: "y",
        key: "ASIAY",
    };
    let sx = x.identity("2026-10-01T10:00:00Z");
    let sy = y.identity("2026-10-01T10:00:00Z");
    // Forged records: each session issued by the other in the same second.
    ingest(
        &mut store,
        &[
            assume("ix", "2026-10-01T10:00:00Z", sy, "AssumeRole", &x),
            assume("iy", "2026-10-01T10:00:00Z", sx.clone(), "AssumeRole", &y),
            call("c", "2026-10-01T10:00:30Z", sx, "GetObject"),
        ],
    );
    let c = chain(&store, "c");
    assert!(c.hops.len() <= 3);
    assert_eq!(c.origin.kind, OriginKind::Unknown);
}

#[test]
fn an_unknown_id_has_no_chain() {
    let mut store = Store::open_in_memory().expect("db");
    ingest(&mut store, &three_deep());
    assert_eq!(build_chain(store.conn(), "nope").expect("query"), None);
    assert_eq!(build_chain(store.conn(), "").expect("query"), None);
}

#[test]
fn a_second_refresh_with_nothing_new_changes_nothing() {
    let mut store = Store::open_in_memory().expect("db");
    ingest(&mut store, &three_deep());
    let again = rolecall::analysis::refresh(&mut store).expect("refresh");
    assert_eq!(again.events, 0);
    let n: i64 = store
        .conn()
        .query_row("SELECT COUNT(*) FROM issuances", [], |r| r.get(0))
        .expect("count");
    assert_eq!(n, 3);
    let _ = StsCall::default();
}

#[test]
fn a_role_session_seen_as_an_aws_account_in_another_account_is_still_listed_with_its_role() {
    // sara's session calls AssumeRole across accounts: the role account's copy names her only as
    // `{type: AWSAccount, principalId}` with the same principal ID. Her own calls say AssumedRole,
    // and that is what the session is, in whichever order the copies arrive.
    const ADMIN: &str = "arn:aws:iam::111122223333:role/Admin";
    let sara = session(
        ADMIN,
        "AROAADMIN",
        "sara",
        "ASIASARA1",
        "2026-10-01T09:00:00Z",
    );
    let as_account = Identity {
        user_type: Some("AWSAccount".into()),
        principal_id: sara.principal_id.clone(),
        account_id: Some("111122223333".into()),
        ..Identity::default()
    };
    let issue = Issue {
        role_arn: "arn:aws:iam::444455556666:role/Deploy",
        role_id: "AROADEPLOY",
        session: "sara",
        key: "ASIADEPLOY1",
    };
    let own = call(
        "own-call",
        "2026-10-01T09:05:00Z",
        sara.clone(),
        "ListBuckets",
    );
    let mut other = assume(
        "other-copy",
        "2026-10-01T09:10:00Z",
        as_account,
        "AssumeRole",
        &issue,
    );
    other.shared_event_id = Some("shared-sara".into());
    for order in [[own.clone(), other.clone()], [other, own]] {
        let mut store = Store::open_in_memory().expect("store");
        for e in &order {
            ingest(&mut store, std::slice::from_ref(e));
        }
        let sessions = rolecall::analysis::build_sessions(store.conn(), Some(ADMIN), None, 10)
            .expect("sessions");
        let ids: Vec<_> = sessions.iter().map(|s| s.principal_id.as_str()).collect();
        assert_eq!(ids, ["AROAADMIN:sara"]);
    }
}
