//! One entity model under every answer: the resolver, and the same answer from every ID form of
//! one call, for the shapes real CloudTrail exports take (federation tokens, instance profiles
//! without `assumedRoleUser`, sessions known only from their calls, unused issuances).

mod attribution_support;

use attribution_support::*;
use rolecall::analysis::{
    AnalysisError, Resolution, build_chain, build_role, build_session_issuances, build_sessions,
    build_started_from, load_session, resolve,
};
use rolecall::model::{
    Chain, Event, Evidence, Federation, Identity, OriginKind, StsCall, Target, UserType,
};
use rolecall::store::Store;

fn chain(store: &Store, id: &str) -> Chain {
    build_chain(store.conn(), id)
        .expect("query")
        .unwrap_or_else(|| panic!("no chain for {id}"))
}

/// A chain without its query, to compare the answers to different IDs.
fn answer(mut c: Chain) -> Chain {
    c.query.clear();
    c
}

fn found(store: &Store, input: &str) -> Target {
    match resolve(store.conn(), input).expect("resolve") {
        Resolution::Found(t) => t,
        other => panic!("{input}: {other:?}"),
    }
}

const FED_ARN: &str = "arn:aws:sts::111122223333:federated-user/bob-fed";
const FED_PRINCIPAL: &str = "111122223333:bob-fed";

/// bob asks for a federation token, and the federated user lists buckets with it.
fn federation(with_issuing_call: bool) -> Vec<Event> {
    let bob = iam_user(USERS, "bob");
    let federated = Identity {
        user_type: Some(UserType::FederatedUser),
        principal_id: Some(FED_PRINCIPAL.into()),
        arn: Some(FED_ARN.into()),
        account_id: Some(USERS.into()),
        access_key_id: Some("ASIAFEDERATED".into()),
        // A federated user's session issuer is the IAM user who asked for the token.
        issuer_arn: Some("arn:aws:iam::111122223333:user/bob".into()),
        session_created_ms: Some(t("2026-10-01T10:00:00Z")),
        ..Identity::default()
    };
    let mut out = vec![call(
        "fed-call",
        "2026-10-01T10:05:00Z",
        federated,
        "ListBuckets",
    )];
    if with_issuing_call {
        out.push(Event {
            event_id: "fed-token".into(),
            time_ms: t("2026-10-01T10:00:00Z"),
            account_id: Some(USERS.into()),
            event_source: "sts.amazonaws.com".into(),
            event_name: "GetFederationToken".into(),
            identity: bob,
            sts: Some(StsCall {
                role_session_name: Some("bob-fed".into()),
                issued_access_key: Some("ASIAFEDERATED".into()),
                assumed_role_id: Some(FED_PRINCIPAL.into()),
                assumed_role_arn: Some(FED_ARN.into()),
                expires_ms: Some(t("2026-10-01T22:00:00Z")),
                ..StsCall::default()
            }),
            raw: "{}".into(),
            ..Event::default()
        });
    }
    out
}

#[test]
fn a_federation_token_call_names_its_iam_user_from_every_id_form() {
    let mut store = Store::open_in_memory().expect("db");
    ingest(&mut store, &federation(true));
    let by_event = answer(chain(&store, "fed-call"));
    assert_eq!(by_event.origin.kind, OriginKind::IamUser);
    assert_eq!(by_event.origin.name.as_deref(), Some("bob"));
    assert_eq!(by_event.hops.len(), 1);
    let hop = &by_event.hops[0];
    assert_eq!(hop.role_arn, None, "a federation token is not a role");
    assert_eq!(hop.via.as_deref(), Some("GetFederationToken"));
    assert_eq!(hop.evidence, Evidence::Observed);
    assert_eq!(hop.issuing_event_id.as_deref(), Some("fed-token"));
    for id in ["ASIAFEDERATED", FED_PRINCIPAL, FED_ARN] {
        assert_eq!(answer(chain(&store, id)), by_event, "{id}");
    }
    // Its own entity, never a role session.
    assert_eq!(
        found(&store, FED_ARN),
        Target::FederatedUser {
            arn: FED_ARN.into()
        }
    );
    assert!(
        build_sessions(store.conn(), None, None, 100)
            .expect("sessions")
            .iter()
            .all(|s| s.principal_id != FED_PRINCIPAL)
    );
}

#[test]
fn without_its_token_call_a_federated_user_is_inferred_from_its_session_issuer() {
    let mut store = Store::open_in_memory().expect("db");
    ingest(&mut store, &federation(false));
    let c = chain(&store, "fed-call");
    assert_eq!(c.origin.kind, OriginKind::IamUser);
    assert_eq!(
        c.origin.arn.as_deref(),
        Some("arn:aws:iam::111122223333:user/bob")
    );
    assert_eq!(c.hops.len(), 1);
    assert_eq!(c.hops[0].evidence, Evidence::Inferred);
    assert_eq!(c.hops[0].role_arn, None);
    assert_eq!(answer(chain(&store, "ASIAFEDERATED")), answer(c));
}

#[test]
fn a_session_and_its_chain_cite_the_same_issuance_and_a_call_cites_the_one_that_signed_it() {
    let mut store = Store::open_in_memory().expect("db");
    let bob = iam_user(USERS, "bob");
    let used = Issue {
        role_arn: ADMIN,
        role_id: "AROAADMIN",
        session: "bob",
        key: "ASIAUSED",
    };
    let unused = Issue {
        key: "ASIAUNUSED",
        ..used
    };
    ingest(
        &mut store,
        &[
            assume(
                "i-used",
                "2026-10-01T10:00:00Z",
                bob.clone(),
                "AssumeRole",
                &used,
            ),
            call(
                "c1",
                "2026-10-01T10:10:00Z",
                used.identity("2026-10-01T10:00:00Z"),
                "RunInstances",
            ),
            // Issued later, never used.
            assume(
                "i-unused",
                "2026-10-01T10:20:00Z",
                bob,
                "AssumeRole",
                &unused,
            ),
        ],
    );
    let session = load_session(store.conn(), "AROAADMIN:bob")
        .expect("query")
        .expect("session");
    let by_principal = chain(&store, "AROAADMIN:bob");
    // The session's "assumed by" and `chain <principal ID>` name the latest issuance.
    assert_eq!(session.assumed_by.event_id.as_deref(), Some("i-unused"));
    assert_eq!(
        by_principal.hops[0].issuing_event_id.as_deref(),
        Some("i-unused")
    );
    assert_eq!(session.issuances, 2);
    // The call names the issuance whose key signed it.
    assert_eq!(
        chain(&store, "c1").hops[0].issuing_event_id.as_deref(),
        Some("i-used")
    );
    let listed = build_session_issuances(store.conn(), "AROAADMIN:bob", None, 10).expect("list");
    let keys: Vec<(Option<&str>, i64)> = listed
        .iter()
        .map(|s| (s.issuance.access_key.as_ref().map(|k| k.as_str()), s.calls))
        .collect();
    assert_eq!(keys, [(Some("ASIAUNUSED"), 0), (Some("ASIAUSED"), 1)]);
}

#[test]
fn a_session_known_only_from_its_calls_lists_its_issuances_as_inferred() {
    let mut store = Store::open_in_memory().expect("db");
    let created = [
        ("ASIAONE", "2026-10-01T08:00:00Z"),
        ("ASIATWO", "2026-10-01T12:00:00Z"),
        ("ASIATHREE", "2026-10-01T16:00:00Z"),
    ];
    let calls: Vec<Event> = created
        .iter()
        .enumerate()
        .map(|(n, (key, at))| {
            let who = session(DEPLOY, "AROADEPLOY", "ci", key, at);
            let call_time = format!("2026-10-01T{:02}:30:00Z", 8 + 4 * n);
            call(&format!("c{n}"), &call_time, who, "PutObject")
        })
        .collect();
    ingest(&mut store, &calls);
    let s = load_session(store.conn(), "AROADEPLOY:ci")
        .expect("query")
        .expect("session");
    assert_eq!((s.issuances, s.issuances_inferred), (3, 3));
    assert_eq!(s.assumed_by.evidence, Evidence::Inferred);
    let listed = build_session_issuances(store.conn(), "AROADEPLOY:ci", None, 10).expect("list");
    assert!(listed.iter().all(|i| i.evidence == Evidence::Inferred));
    assert_eq!(listed.len(), 3);
    // The principal ID names the issuance created last, and the hop says which.
    let c = chain(&store, "AROADEPLOY:ci");
    assert_eq!(c.hops[0].access_key_id.as_deref(), Some("ASIATHREE"));
    assert_eq!(c.hops[0].issued_at, Some(t("2026-10-01T16:00:00Z")));
    assert_eq!(c.hops[0].evidence, Evidence::Inferred);
}

#[test]
fn an_instance_profile_without_assumed_role_user_has_one_observed_assumer_everywhere() {
    let mut store = Store::open_in_memory().expect("db");
    let ec2 = Identity {
        user_type: Some(UserType::AwsService),
        invoked_by: Some("ec2.amazonaws.com".into()),
        ..Identity::default()
    };
    let web = "arn:aws:iam::111122223333:role/WebServer";
    let instance = "i-0123456789abcdef0";
    let mut issuing = assume(
        "i-profile",
        "2026-10-01T09:00:00Z",
        ec2,
        "AssumeRole",
        &Issue {
            role_arn: web,
            role_id: "AROAWEB",
            session: instance,
            key: "ASIAPROFILE",
        },
    );
    // The response carried credentials but no `assumedRoleUser`.
    if let Some(sts) = issuing.sts.as_mut() {
        sts.assumed_role_id = None;
        sts.assumed_role_arn = None;
    }
    let principal = format!("AROAWEB:{instance}");
    let signed = session(
        web,
        "AROAWEB",
        instance,
        "ASIAPROFILE",
        "2026-10-01T09:00:00Z",
    );
    ingest(
        &mut store,
        &[
            issuing,
            call("web-call", "2026-10-01T09:10:00Z", signed, "GetObject"),
        ],
    );
    let c = chain(&store, "web-call");
    assert_eq!(c.hops[0].evidence, Evidence::Observed);
    assert_eq!(c.origin.kind, OriginKind::Ec2Instance);
    let s = load_session(store.conn(), &principal)
        .expect("query")
        .expect("session");
    assert_eq!(s.assumed_by.evidence, Evidence::Observed);
    assert_eq!(s.assumed_by.event_id.as_deref(), Some("i-profile"));
    assert_eq!((s.issuances, s.issuances_inferred), (1, 0));
    let role = build_role(store.conn(), web, None)
        .expect("query")
        .expect("role");
    assert_eq!(role.assumed_by.len(), 1, "{:#?}", role.assumed_by);
    assert_eq!(
        role.assumed_by[0].assumer.target,
        Some(Target::Ec2Instance {
            id: instance.into()
        })
    );
    assert_eq!(answer(chain(&store, &principal)), answer(c));
}

#[test]
fn a_failed_assumption_is_an_attempt_of_its_caller_and_counts_on_the_role() {
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
            assume("ok", "2026-10-01T10:00:00Z", bob, "AssumeRole", &admin),
            failed_assume("denied", "2026-10-01T10:05:00Z", s, DEPLOY, "bob-deploy"),
        ],
    );
    let started = build_started_from(store.conn(), "AROAADMIN:bob", None, 10).expect("started");
    assert_eq!(started.len(), 1);
    assert!(started[0].failed);
    assert_eq!(started[0].target, None, "an attempt opens no session");
    assert_eq!(started[0].role, Some(Target::role(DEPLOY)));
    let deploy = build_role(store.conn(), DEPLOY, None)
        .expect("query")
        .expect("role");
    assert_eq!(deploy.assumed_by.len(), 1);
    assert_eq!(
        (
            deploy.assumed_by[0].assumptions,
            deploy.assumed_by[0].attempts
        ),
        (0, 1)
    );
    assert_eq!(
        deploy.assumed_by[0].assumer.target,
        Some(Target::session("AROAADMIN:bob")),
        "the attempt points at the exact caller session"
    );
}

#[test]
fn the_resolver_names_each_kind_of_input_and_lists_the_candidates_of_a_shared_name() {
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
        session: "bob",
        key: "ASIADEPLOY1",
    };
    let s_admin = admin.identity("2026-10-01T10:00:00Z");
    ingest(
        &mut store,
        &[
            assume("e1", "2026-10-01T10:00:00Z", bob, "AssumeRole", &admin),
            assume(
                "e2",
                "2026-10-01T10:05:00Z",
                s_admin.clone(),
                "AssumeRole",
                &deploy,
            ),
            call("e3", "2026-10-01T10:06:00Z", s_admin, "DescribeInstances"),
        ],
    );
    assert_eq!(found(&store, "e3"), Target::Event { id: "e3".into() });
    assert_eq!(found(&store, ADMIN), Target::role(ADMIN));
    // A role ARN without its path names the same role.
    assert_eq!(
        found(&store, "arn:aws:iam::111122223333:role/Admin"),
        Target::role(ADMIN)
    );
    assert_eq!(
        found(&store, "AROAADMIN:bob"),
        Target::session("AROAADMIN:bob")
    );
    assert_eq!(
        found(&store, "arn:aws:sts::111122223333:assumed-role/Admin/bob"),
        Target::session("AROAADMIN:bob")
    );
    assert!(matches!(found(&store, "ASIADEPLOY1"), Target::Issuance(_)));
    assert_eq!(
        found(&store, "arn:aws:iam::111122223333:user/bob"),
        Target::IamUser {
            arn: "arn:aws:iam::111122223333:user/bob".into()
        }
    );
    assert_eq!(found(&store, "198.51.100.7").kind().label(), "IP address");
    assert_eq!(found(&store, USERS), Target::account(USERS));
    assert_eq!(found(&store, "Deploy"), Target::role(DEPLOY));
    // Two sessions named bob: the user picks.
    match resolve(store.conn(), "bob").expect("resolve") {
        Resolution::Ambiguous(c) => {
            let targets: Vec<Target> = c.into_iter().map(|c| c.target).collect();
            assert!(targets.contains(&Target::session("AROAADMIN:bob")));
            assert!(targets.contains(&Target::session("AROADEPLOY:bob")));
        }
        other => panic!("bob: {other:?}"),
    }
    assert!(matches!(
        build_chain(store.conn(), "bob"),
        Err(AnalysisError::Ambiguous { .. })
    ));
    assert_eq!(
        resolve(store.conn(), "nobody").expect("resolve"),
        Resolution::NotFound
    );
}

#[test]
fn saml_users_resolve_by_name_to_an_external_user() {
    let mut store = Store::open_in_memory().expect("db");
    let saml = Identity {
        user_type: Some(UserType::SamlUser),
        user_name: Some("carol@example.com".into()),
        principal_id: Some("SAMPLEHASH:carol@example.com".into()),
        ..Identity::default()
    };
    let admin = Issue {
        role_arn: ADMIN,
        role_id: "AROAADMIN",
        session: "carol@example.com",
        key: "ASIACAROL",
    };
    ingest(
        &mut store,
        &[assume(
            "s1",
            "2026-10-01T10:00:00Z",
            saml,
            "AssumeRoleWithSAML",
            &admin,
        )],
    );
    match resolve(store.conn(), "carol@example.com").expect("resolve") {
        Resolution::Ambiguous(c) => assert!(c.iter().any(|c| matches!(
            &c.target,
            Target::ExternalUser { federation: Federation::Saml, name, .. } if name == "carol@example.com"
        ))),
        Resolution::Found(Target::ExternalUser { name, .. }) => {
            assert_eq!(name, "carol@example.com")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_id_form_of_one_call_gives_one_chain_for_each_origin_kind() {
    let kind = |t: &str| Some(UserType::parse(t));
    let caller = |ty: &str, f: fn(&mut Identity)| {
        let mut i = Identity {
            user_type: kind(ty),
            ..Identity::default()
        };
        f(&mut i);
        i
    };
    // (origin kind, the issuing call's caller and API, or `None` for a session known only
    // from its calls, and the session name)
    type Issuing<'a> = Option<(Identity, &'a str)>;
    let cases: Vec<(OriginKind, Issuing<'_>, &str)> = vec![
        (
            OriginKind::IamUser,
            Some((iam_user(USERS, "bob"), "AssumeRole")),
            "bob",
        ),
        (
            OriginKind::SamlUser,
            Some((
                caller("SAMLUser", |i| i.user_name = Some("sara".into())),
                "AssumeRoleWithSAML",
            )),
            "sara",
        ),
        (
            OriginKind::WebIdentityUser,
            Some((
                caller("WebIdentityUser", |i| {
                    i.user_name = Some("repo:example/app:ref:refs/heads/main".into())
                }),
                "AssumeRoleWithWebIdentity",
            )),
            "gha",
        ),
        (
            OriginKind::Ec2Instance,
            Some((
                caller("AWSService", |i| {
                    i.invoked_by = Some("ec2.amazonaws.com".into())
                }),
                "AssumeRole",
            )),
            "i-0abc12345def67890",
        ),
        (
            OriginKind::AwsService,
            Some((
                caller("AWSService", |i| {
                    i.invoked_by = Some("lambda.amazonaws.com".into())
                }),
                "AssumeRole",
            )),
            "awslambda_1",
        ),
        (
            OriginKind::Root,
            Some((
                caller("Root", |i| {
                    i.arn = Some("arn:aws:iam::111122223333:root".into());
                    i.account_id = Some(USERS.into());
                }),
                "AssumeRole",
            )),
            "root",
        ),
        (
            OriginKind::AwsAccount,
            Some((
                caller("AWSAccount", |i| {
                    i.principal_id = Some("AIDAPARTNER".into());
                    i.account_id = Some("999988887777".into());
                }),
                "AssumeRole",
            )),
            "partner",
        ),
        (OriginKind::Ec2Instance, None, "i-0fedcba9876543210"),
        (OriginKind::Unknown, None, "batch-job"),
    ];
    for (n, (want, issuing, name)) in cases.into_iter().enumerate() {
        let mut store = Store::open_in_memory().expect("db");
        let key = format!("ASIAFORM{n}");
        let issue = Issue {
            role_arn: ADMIN,
            role_id: "AROAADMIN",
            session: name,
            key: &key,
        };
        let mut events = vec![call(
            "the-call",
            "2026-10-01T10:01:00Z",
            issue.identity("2026-10-01T10:00:00Z"),
            "GetObject",
        )];
        if let Some((who, via)) = issuing {
            events.push(assume("issuing", "2026-10-01T10:00:00Z", who, via, &issue));
        }
        ingest(&mut store, &events);
        let principal = format!("AROAADMIN:{name}");
        let arn = format!("arn:aws:sts::111122223333:assumed-role/Admin/{name}");
        let by_event = answer(chain(&store, "the-call"));
        assert_eq!(by_event.origin.kind, want, "{name}");
        for id in [key.as_str(), principal.as_str(), arn.as_str()] {
            assert_eq!(answer(chain(&store, id)), by_event, "{name}: {id}");
        }
        // The session table says the same as the chain.
        let s = load_session(store.conn(), &principal)
            .expect("query")
            .expect("session");
        assert_eq!(s.assumed_by.evidence, by_event.hops[0].evidence, "{name}");
        assert_eq!(
            s.assumed_by.event_id, by_event.hops[0].issuing_event_id,
            "{name}"
        );
    }
}

#[test]
fn a_denied_assume_role_named_only_in_its_error_message_is_an_attempt_on_that_role() {
    use assert_cmd::Command;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cache.db");
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/siem/logstash.jsonl");
    let rolecall = |args: &[&str]| {
        Command::cargo_bin("rolecall")
            .expect("binary")
            .arg("--db")
            .arg(&db)
            .args(args)
            .output()
            .expect("run")
    };
    assert!(
        rolecall(&["ingest", fixture.to_str().expect("utf-8")])
            .status
            .success()
    );
    let out = rolecall(&[
        "role",
        "arn:aws:iam::444455556666:role/ops/BreakGlass",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let by = &v["assumed_by"][0];
    assert_eq!(by["attempts"], 1, "{v}");
    assert_eq!(by["assumptions"], 0, "{v}");
    assert_eq!(by["assumer"]["name"], "alice");
    let text = rolecall(&["chain", "51a7a500-0000-4000-8000-000000000002"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("origin:  IAMUser alice"), "{text}");
    assert!(
        text.contains("failed AssumeRole into arn:aws:iam::444455556666:role/ops/BreakGlass")
            && text.contains("an attempt, never a hop"),
        "{text}"
    );
}
