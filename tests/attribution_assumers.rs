//! Naming the assumer: every observed kind of caller of an issuing call, and what can (and
//! cannot) be inferred from a session's own calls when the issuing call is not cached.

mod attribution_support;

use attribution_support::*;
use rolecall::analysis::build_chain;
use rolecall::model::{Chain, Evidence, Identity, OriginKind};
use rolecall::store::Store;

fn chain(store: &Store, id: &str) -> Chain {
    build_chain(store.conn(), id)
        .expect("query")
        .unwrap_or_else(|| panic!("no chain for {id}"))
}

#[test]
fn without_an_issuing_call_the_origin_is_inferred_and_never_invented() {
    let sso = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef";
    let ec2 = "arn:aws:iam::111122223333:role/WebServer";
    let cases: Vec<(&str, Identity, OriginKind, Option<&str>)> = vec![
        (
            "ec2",
            session(
                ec2,
                "AROAWEB",
                "i-0123456789abcdef0",
                "ASIAWEB",
                "2026-10-01T09:00:00Z",
            ),
            OriginKind::Ec2Instance,
            Some("i-0123456789abcdef0"),
        ),
        (
            "sso",
            session(sso, "AROASSO", "sara", "ASIASSO", "2026-10-01T09:00:00Z"),
            OriginKind::IdentityCenterUser,
            Some("sara"),
        ),
        (
            "si",
            Identity {
                source_identity: Some("carol".into()),
                ..session(DEPLOY, "AROADEPLOY", "ci", "ASIACI", "2026-10-01T09:00:00Z")
            },
            OriginKind::Unknown,
            Some("carol"),
        ),
        (
            "none",
            session(
                DEPLOY,
                "AROADEPLOY",
                "job",
                "ASIAJOB",
                "2026-10-01T09:00:00Z",
            ),
            OriginKind::Unknown,
            None,
        ),
    ];
    for (id, who, kind, name) in cases {
        let mut store = Store::open_in_memory().expect("db");
        ingest(
            &mut store,
            &[call(id, "2026-10-01T09:30:00Z", who, "GetObject")],
        );
        let c = chain(&store, id);
        assert_eq!(c.origin.kind, kind, "{id}");
        assert_eq!(c.origin.name.as_deref(), name, "{id}");
        assert_eq!(c.hops.len(), 1, "{id}");
        assert_eq!(c.hops[0].evidence, Evidence::Inferred, "{id}");
        assert_eq!(c.hops[0].issuing_event_id, None, "{id}");
        assert_eq!(c.hops[0].issued_at, Some(t("2026-10-01T09:00:00Z")), "{id}");
    }
}

#[test]
fn observed_assumers_of_every_kind_are_named() {
    let saml = Identity {
        user_type: Some("SAMLUser".into()),
        user_name: Some("sara@example.com".into()),
        principal_id: Some("idp:sara".into()),
        ..Identity::default()
    };
    let web = Identity {
        user_type: Some("WebIdentityUser".into()),
        user_name: Some("repo:example/app:ref:refs/heads/main".into()),
        identity_provider: Some("token.actions.githubusercontent.com".into()),
        ..Identity::default()
    };
    let ec2 = Identity {
        user_type: Some("AWSService".into()),
        invoked_by: Some("ec2.amazonaws.com".into()),
        ..Identity::default()
    };
    let lambda = Identity {
        user_type: Some("AWSService".into()),
        invoked_by: Some("lambda.amazonaws.com".into()),
        ..Identity::default()
    };
    let root = Identity {
        user_type: Some("Root".into()),
        arn: Some("arn:aws:iam::111122223333:root".into()),
        account_id: Some(USERS.into()),
        principal_id: Some(USERS.into()),
        ..Identity::default()
    };
    let cases = [
        (
            saml,
            "AssumeRoleWithSAML",
            "sara",
            OriginKind::SamlUser,
            "sara@example.com",
            None,
        ),
        (
            web,
            "AssumeRoleWithWebIdentity",
            "gha",
            OriginKind::WebIdentityUser,
            "repo:example/app:ref:refs/heads/main",
            None,
        ),
        (
            ec2,
            "AssumeRole",
            "i-0abc12345def67890",
            OriginKind::Ec2Instance,
            "i-0abc12345def67890",
            Some(USERS),
        ),
        (
            lambda,
            "AssumeRole",
            "awslambda_1",
            OriginKind::AwsService,
            "lambda.amazonaws.com",
            None,
        ),
        (
            root,
            "AssumeRole",
            "root",
            OriginKind::Root,
            "root",
            Some(USERS),
        ),
    ];
    for (n, (who, via, name, kind, origin_name, account)) in cases.into_iter().enumerate() {
        let mut store = Store::open_in_memory().expect("db");
        let key = format!("ASIAK{n}");
        let issue = Issue {
            role_arn: ADMIN,
            role_id: "AROAADMIN",
            session: name,
            key: &key,
        };
        let s = issue.identity("2026-10-01T10:00:00Z");
        ingest(
            &mut store,
            &[
                assume("i", "2026-10-01T10:00:00Z", who, via, &issue),
                call("c", "2026-10-01T10:01:00Z", s, "GetObject"),
            ],
        );
        let c = chain(&store, "c");
        assert_eq!(c.origin.kind, kind, "{via} {name}");
        assert_eq!(c.origin.name.as_deref(), Some(origin_name), "{via} {name}");
        assert_eq!(c.origin.account_id.as_deref(), account, "{via} {name}");
        assert_eq!(c.hops[0].via.as_deref(), Some(via));
        assert!(!c.hops[0].cross_account);
    }
}
