//! The pure linking rules, case by case: which issuance a call's credentials came from (and by
//! which rule), who an observed caller is, what can be inferred without an issuing call, and
//! how the two copies of a cross-account call are stitched.

use super::*;
use crate::model::{Identity, Issuance, OriginKind, StsCall, UserType, parse_ms};

fn t(s: &str) -> i64 {
    parse_ms(s).expect("time")
}

const ROLE: &str = "arn:aws:iam::111122223333:role/ops/Admin";

/// A successful issuance of `ROLE` to `AROAADMIN:bob` with `key`, issued at `at`, one hour.
fn issued(id: i64, key: &str, at: &str) -> Issuance {
    Issuance {
        id,
        role_arn: Some(ROLE.into()),
        principal_id: Some("AROAADMIN:bob".into()),
        issued_key: Some(key.into()),
        issued_ms: t(at),
        expires_ms: Some(t(at) + 3_600_000),
        ..Issuance::default()
    }
}

fn call<'a>(key: Option<&'a str>, principal: Option<&'a str>, at: &str) -> CallRef<'a> {
    CallRef {
        time_ms: t(at),
        access_key: key,
        principal_id: principal,
        session_created_ms: None,
        role_arn: Some(ROLE),
    }
}

#[test]
fn a_call_links_to_the_issuance_its_credentials_came_from_by_the_strongest_rule() {
    struct Case {
        name: &'static str,
        call: CallRef<'static>,
        candidates: Vec<Issuance>,
        want: Option<(i64, LinkKind)>,
    }
    let bob = Some("AROAADMIN:bob");
    let mut no_expiry = issued(1, "ASIA1", "2026-10-01T10:00:00Z");
    no_expiry.expires_ms = None;
    let mut no_principal = issued(1, "ASIA1", "2026-10-01T10:00:00Z");
    no_principal.principal_id = None;
    let mut other_role = no_principal.clone();
    other_role.role_arn = Some("arn:aws:iam::111122223333:role/Other".into());
    let mut failed = issued(1, "ASIA1", "2026-10-01T10:00:00Z");
    failed.failed = true;
    let created = |at: &str, mut c: CallRef<'static>| {
        c.session_created_ms = Some(t(at));
        c
    };
    let cases = vec![
        Case {
            name: "key, same session, inside the lifetime",
            call: call(Some("ASIA1"), bob, "2026-10-01T10:30:00Z"),
            candidates: vec![issued(1, "ASIA1", "2026-10-01T10:00:00Z")],
            want: Some((1, LinkKind::AccessKey)),
        },
        Case {
            name: "key, a second before the issuing call was logged (clock slack)",
            call: call(Some("ASIA1"), bob, "2026-10-01T09:59:59.500Z"),
            candidates: vec![issued(1, "ASIA1", "2026-10-01T10:00:00Z")],
            want: Some((1, LinkKind::AccessKey)),
        },
        Case {
            name: "key, long before the issue: another life of a repeated key",
            call: call(Some("ASIA1"), bob, "2026-10-01T09:00:00Z"),
            candidates: vec![issued(1, "ASIA1", "2026-10-01T10:00:00Z")],
            want: None,
        },
        Case {
            name: "key, after the credentials expired",
            call: call(Some("ASIA1"), bob, "2026-10-01T11:30:00Z"),
            candidates: vec![issued(1, "ASIA1", "2026-10-01T10:00:00Z")],
            want: None,
        },
        Case {
            name: "key, no expiration given: the longest lifetime STS allows",
            call: call(Some("ASIA1"), bob, "2026-10-02T20:00:00Z"),
            candidates: vec![no_expiry],
            want: Some((1, LinkKind::AccessKey)),
        },
        Case {
            name: "key, but another session: keys repeat",
            call: call(
                Some("ASIA1"),
                Some("AROAADMIN:alice"),
                "2026-10-01T10:30:00Z",
            ),
            candidates: vec![issued(1, "ASIA1", "2026-10-01T10:00:00Z")],
            want: None,
        },
        Case {
            name: "key, the issuance names no session: the role name decides",
            call: call(Some("ASIA1"), bob, "2026-10-01T10:30:00Z"),
            candidates: vec![no_principal],
            want: Some((1, LinkKind::AccessKey)),
        },
        Case {
            name: "key, the issuance names no session and another role",
            call: call(Some("ASIA1"), bob, "2026-10-01T10:30:00Z"),
            candidates: vec![other_role],
            want: None,
        },
        Case {
            name: "a failed call issued nothing",
            call: call(Some("ASIA1"), bob, "2026-10-01T10:30:00Z"),
            candidates: vec![failed],
            want: None,
        },
        Case {
            name: "several lives of one key: the latest issued before the call",
            call: call(Some("ASIA1"), bob, "2026-10-01T10:40:00Z"),
            candidates: vec![
                issued(1, "ASIA1", "2026-10-01T10:00:00Z"),
                issued(2, "ASIA1", "2026-10-01T10:30:00Z"),
            ],
            want: Some((2, LinkKind::AccessKey)),
        },
        Case {
            name: "creation date to the second, another key",
            call: created(
                "2026-10-01T10:00:00Z",
                call(Some("ASIAOTHER"), bob, "2026-10-01T10:30:00Z"),
            ),
            candidates: vec![issued(1, "ASIA1", "2026-10-01T10:00:00Z")],
            want: Some((1, LinkKind::CreationDate)),
        },
        Case {
            name: "creation date two seconds off",
            call: created(
                "2026-10-01T10:00:02Z",
                call(Some("ASIAOTHER"), bob, "2026-10-01T10:30:00Z"),
            ),
            candidates: vec![issued(1, "ASIA1", "2026-10-01T10:00:00Z")],
            want: None,
        },
        Case {
            name: "creation date of another session",
            call: created(
                "2026-10-01T10:00:00Z",
                call(None, Some("AROAADMIN:alice"), "2026-10-01T10:30:00Z"),
            ),
            candidates: vec![issued(1, "ASIA1", "2026-10-01T10:00:00Z")],
            want: None,
        },
        Case {
            name: "no key, no creation date: nothing to link on",
            call: call(None, bob, "2026-10-01T10:30:00Z"),
            candidates: vec![issued(1, "ASIA1", "2026-10-01T10:00:00Z")],
            want: None,
        },
    ];
    for c in cases {
        let got = link_call(&c.call, &c.candidates).map(|(n, k)| (c.candidates[n].id, k));
        assert_eq!(got, c.want, "{}", c.name);
    }
}

fn caller(ty: &str) -> Identity {
    Identity {
        user_type: Some(UserType::parse(ty)),
        ..Identity::default()
    }
}

#[test]
fn an_observed_caller_names_the_origin_or_continues_the_chain() {
    let with = |ty: &str, f: fn(&mut Identity), session: &str| {
        let mut c = caller(ty);
        f(&mut c);
        Issuance {
            caller: c,
            session_name: Some(session.into()),
            role_account: Some("111122223333".into()),
            subject: Some("subject-from-response".into()),
            ..Issuance::default()
        }
    };
    type Named<'a> = Option<(OriginKind, Option<&'a str>)>;
    let cases: Vec<(&str, Issuance, Named<'_>)> = vec![
        (
            "IAM user by name",
            with("IAMUser", |c| c.user_name = Some("bob".into()), "bob"),
            Some((OriginKind::IamUser, Some("bob"))),
        ),
        (
            "IAM user named by its ARN alone",
            with(
                "IAMUser",
                |c| c.arn = Some("arn:aws:iam::111122223333:user/team/bob".into()),
                "bob",
            ),
            Some((OriginKind::IamUser, Some("bob"))),
        ),
        (
            "root",
            with("Root", |_| {}, "x"),
            Some((OriginKind::Root, Some("root"))),
        ),
        (
            "SAML user without a userName: the response's subject",
            with("SAMLUser", |_| {}, "sara"),
            Some((OriginKind::SamlUser, Some("subject-from-response"))),
        ),
        (
            "EC2 assuming an instance profile",
            with(
                "AWSService",
                |c| c.invoked_by = Some("ec2.amazonaws.com".into()),
                "i-0123456789abcdef0",
            ),
            Some((OriginKind::Ec2Instance, Some("i-0123456789abcdef0"))),
        ),
        (
            "EC2 with a session name that is no instance ID",
            with(
                "AWSService",
                |c| c.invoked_by = Some("ec2.amazonaws.com".into()),
                "not-an-instance",
            ),
            Some((OriginKind::AwsService, Some("ec2.amazonaws.com"))),
        ),
        (
            "a cross-account caller seen only from the role account",
            with(
                "AWSAccount",
                |c| c.principal_id = Some("AIDAPARTNER".into()),
                "x",
            ),
            Some((OriginKind::AwsAccount, Some("AIDAPARTNER"))),
        ),
        (
            "a role session: chaining goes on",
            with("AssumedRole", |_| {}, "x"),
            None,
        ),
        (
            "a federated user: its token's call goes on",
            with("FederatedUser", |_| {}, "x"),
            None,
        ),
        (
            "a type this version does not know",
            with("SomethingNew", |c| c.principal_id = Some("P".into()), "x"),
            Some((OriginKind::Unknown, Some("P"))),
        ),
    ];
    for (name, i, want) in cases {
        let got = origin_of_caller(&i).map(|o| (o.kind, o.name));
        let want = want.map(|(k, n)| (k, n.map(str::to_string)));
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn without_an_issuing_call_only_what_the_session_shows_is_inferred() {
    let sso =
        "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123";
    let cases = [
        (
            "instance ID",
            Some(ROLE),
            Some("i-0123456789abcdef0"),
            None,
            OriginKind::Ec2Instance,
            Some("i-0123456789abcdef0"),
        ),
        (
            "Identity Center role",
            Some(sso),
            Some("sara"),
            None,
            OriginKind::IdentityCenterUser,
            Some("sara"),
        ),
        (
            "source identity",
            Some(ROLE),
            Some("job"),
            Some("carol"),
            OriginKind::Unknown,
            Some("carol"),
        ),
        (
            "nothing to go on",
            Some(ROLE),
            Some("job"),
            None,
            OriginKind::Unknown,
            None,
        ),
        (
            "a federated user's session issuer",
            Some("arn:aws:iam::111122223333:user/bob"),
            Some("bob-fed"),
            None,
            OriginKind::IamUser,
            Some("bob"),
        ),
        (
            "a short i- name is no instance",
            Some(ROLE),
            Some("i-abc"),
            None,
            OriginKind::Unknown,
            None,
        ),
    ];
    for (name, role, session, source, kind, origin) in cases {
        let o = infer_origin(role, Some("111122223333"), session, source);
        assert_eq!((o.kind, o.name.as_deref()), (kind, origin), "{name}");
    }
}

/// One copy of a cross-account `AssumeRole`, both sharing one `sharedEventID`.
fn copy<'a>(row: i64, id: &'a str, identity: &'a Identity, sts: &'a StsCall) -> StsCopyRef<'a> {
    StsCopyRef {
        row,
        event_id: id,
        time_ms: t("2026-10-01T10:05:00Z"),
        event_name: "AssumeRole",
        error_code: None,
        account_id: None,
        region: None,
        source_ip: None,
        shared_event_id: Some("shared"),
        identity,
        caller_provider: None,
        sts,
    }
}

#[test]
fn the_two_copies_of_a_cross_account_call_make_one_issuance_with_the_richer_caller() {
    let sts = StsCall {
        role_arn: Some("arn:aws:iam::444455556666:role/Deploy".into()),
        issued_access_key: Some("ASIADEPLOY".into()),
        assumed_role_id: Some("AROADEPLOY:bob".into()),
        ..StsCall::default()
    };
    let thin = Identity {
        user_type: Some(UserType::AwsAccount),
        principal_id: Some("AROAADMIN:bob".into()),
        account_id: Some("111122223333".into()),
        ..Identity::default()
    };
    let rich = Identity {
        user_type: Some(UserType::AssumedRole),
        principal_id: Some("AROAADMIN:bob".into()),
        arn: Some("arn:aws:sts::111122223333:assumed-role/Admin/bob".into()),
        account_id: Some("111122223333".into()),
        access_key_id: Some("ASIAADMIN".into()),
        ..Identity::default()
    };
    let empty = StsCall::default();
    // Either order of arrival gives the same answer.
    for (first, second) in [
        (
            copy(1, "role-copy", &thin, &sts),
            copy(2, "caller-copy", &rich, &empty),
        ),
        (
            copy(2, "caller-copy", &rich, &empty),
            copy(1, "role-copy", &thin, &sts),
        ),
    ] {
        let one = build_issuance(None, &first);
        let both = build_issuance(Some(one), &second);
        assert_eq!(both.caller_event_id, "caller-copy");
        assert_eq!(both.caller.user_type, Some(UserType::AssumedRole));
        assert_eq!(both.issued_key.as_deref(), Some("ASIADEPLOY"));
        assert_eq!(both.dedup_key, "shared");
        assert!(!both.failed);
    }
}
