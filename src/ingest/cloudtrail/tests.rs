//! Normaliser tests on small synthetic records (documentation account IDs and IP ranges).

use super::*;
use crate::model::StsCall;

const T0: i64 = 1_790_859_600_000; // 2026-10-01T13:00:00Z

fn parse(s: &str) -> Event {
    match parse_record(s.as_bytes()) {
        Ok(e) => e,
        Err(reason) => panic!("refused: {reason}\n{s}"),
    }
}

fn refused(s: &str) -> String {
    match parse_record(s.as_bytes()) {
        Ok(e) => panic!("accepted: {e:?}"),
        Err(reason) => reason,
    }
}

const ASSUMED_ROLE_CALL: &str = r#"{
    "eventVersion": "1.08",
    "userIdentity": {
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLEROLEID:sara",
        "arn": "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_598c5f73f8b2b4e5/sara",
        "accountId": "111122223333",
        "accessKeyId": "ASIAEXAMPLEKEY000001",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLEROLEID",
                "arn": "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_598c5f73f8b2b4e5",
                "accountId": "111122223333",
                "userName": "AWSReservedSSO_Admin_598c5f73f8b2b4e5"
            },
            "webIdFederationData": {},
            "attributes": {"creationDate": "2026-10-01T12:00:00Z", "mfaAuthenticated": "false"},
            "sourceIdentity": "sara@example.com"
        },
        "invokedBy": "cloudformation.amazonaws.com"
    },
    "eventTime": "2026-10-01T13:00:00Z",
    "eventSource": "cloudtrail.amazonaws.com",
    "eventName": "StopLogging",
    "awsRegion": "us-east-1",
    "sourceIPAddress": "192.0.2.10",
    "userAgent": "aws-cli/2.15.0",
    "requestParameters": {"name": "demo-trail-2"},
    "responseElements": null,
    "requestID": "req-1",
    "eventID": "11111111-2222-3333-4444-555555555555",
    "readOnly": false,
    "eventType": "AwsApiCall",
    "managementEvent": true,
    "recipientAccountId": "111122223333",
    "sharedEventID": "shared-1",
    "vpcEndpointId": "vpce-1"
}"#;

#[test]
fn an_assumed_role_call_fills_every_normalised_column() {
    let e = parse(ASSUMED_ROLE_CALL);
    // A blanket camelCase rename would leave these empty: CloudTrail spells them `eventID`,
    // `sourceIPAddress`, `sharedEventID`.
    assert_eq!(e.event_id, "11111111-2222-3333-4444-555555555555");
    assert_eq!(e.source_ip.as_deref(), Some("192.0.2.10"));
    assert_eq!(e.shared_event_id.as_deref(), Some("shared-1"));
    assert_eq!(e.time_ms, T0);
    assert_eq!(e.event_version.as_deref(), Some("1.08"));
    assert_eq!(e.account_id.as_deref(), Some("111122223333"));
    assert_eq!(e.region.as_deref(), Some("us-east-1"));
    assert_eq!(e.event_source, "cloudtrail.amazonaws.com");
    assert_eq!(e.event_name, "StopLogging");
    assert_eq!(e.error_code, None);
    assert_eq!(e.read_only, Some(false));
    assert_eq!(e.user_agent.as_deref(), Some("aws-cli/2.15.0"));
    assert_eq!(e.sts, None);
    let id = &e.identity;
    assert_eq!(id.user_type, Some(crate::model::UserType::AssumedRole));
    assert_eq!(id.principal_id.as_deref(), Some("AROAEXAMPLEROLEID:sara"));
    assert_eq!(id.account_id.as_deref(), Some("111122223333"));
    assert_eq!(id.access_key_id.as_deref(), Some("ASIAEXAMPLEKEY000001"));
    assert!(id.arn.as_deref().is_some_and(|a| a.ends_with("/sara")));
    assert!(
        id.issuer_arn
            .as_deref()
            .is_some_and(|a| a.contains(":role/aws-reserved/"))
    );
    assert_eq!(id.issuer_principal_id.as_deref(), Some("AROAEXAMPLEROLEID"));
    assert_eq!(id.session_created_ms, Some(T0 - 3_600_000));
    assert_eq!(id.mfa_authenticated, Some(false));
    assert_eq!(id.source_identity.as_deref(), Some("sara@example.com"));
    assert_eq!(
        id.invoked_by.as_deref(),
        Some("cloudformation.amazonaws.com")
    );
    assert_eq!(e.raw, ASSUMED_ROLE_CALL, "raw is the record as it came");
}

#[test]
fn an_event_id_is_never_silently_empty() {
    // Guards the explicit `eventID` rename: with the wrong name serde would fall back to the
    // default and every record would get a derived ID instead.
    let e = parse(
        r#"{"eventID":"abc","eventTime":"2026-10-01T13:00:00Z","eventName":"X","eventSource":"s"}"#,
    );
    assert_eq!(e.event_id, "abc");
    assert!(!e.event_id.is_empty());
}

#[test]
fn the_account_falls_back_to_the_callers_when_there_is_no_recipient_account() {
    let e = parse(
        r#"{"eventVersion":"1.0","eventTime":"2014-03-06T21:22:54Z","eventName":"ListUsers","eventSource":"iam.amazonaws.com",
            "userIdentity":{"type":"IAMUser","accountId":"444455556666","userName":"Alice"}}"#,
    );
    assert_eq!(e.account_id.as_deref(), Some("444455556666"));
    assert_eq!(e.identity.user_name.as_deref(), Some("Alice"));
    assert_eq!(e.event_version.as_deref(), Some("1.0"));
}

fn assume_role(response: &str, error: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.11","eventTime":"2026-10-01T13:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole",
        "userIdentity":{{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/bob","accountId":"111122223333","accessKeyId":"AKIAEXAMPLE","userName":"bob"}},
        {error}
        "requestParameters":{{"roleArn":"arn:aws:iam::444455556666:role/ops/DemoRole1","roleSessionName":"bob","sourceIdentity":"bob-src","durationSeconds":3600}},
        "responseElements":{response},
        "eventID":"e-1","recipientAccountId":"111122223333","sharedEventID":"s-1"}}"#
    )
}

#[test]
fn a_successful_assume_role_records_the_issued_credentials() {
    let resp = r#"{"credentials":{"accessKeyId":"ASIAEXAMPLEISSUED01","sessionToken":"IQoJb3JpZ2luSECRET","expiration":"Oct 1, 2026, 2:00:00 PM"},
        "assumedRoleUser":{"assumedRoleId":"AROAEXAMPLEDEMO:bob","arn":"arn:aws:sts::444455556666:assumed-role/DemoRole1/bob"},"sourceIdentity":"bob-src"}"#;
    let e = parse(&assume_role(resp, ""));
    assert_eq!(
        e.sts,
        Some(StsCall {
            role_arn: Some("arn:aws:iam::444455556666:role/ops/DemoRole1".into()),
            role_session_name: Some("bob".into()),
            source_identity: Some("bob-src".into()),
            issued_access_key: Some("ASIAEXAMPLEISSUED01".into()),
            assumed_role_id: Some("AROAEXAMPLEDEMO:bob".into()),
            assumed_role_arn: Some("arn:aws:sts::444455556666:assumed-role/DemoRole1/bob".into()),
            expires_ms: Some(T0 + 3_600_000),
            provider_arn: None,
            subject: None,
        })
    );
    assert!(
        !e.raw.contains("IQoJb3JpZ2luSECRET"),
        "the session token is redacted"
    );
    assert!(e.raw.contains("ASIAEXAMPLEISSUED01"));
}

#[test]
fn a_failed_assume_role_is_an_attempt_with_the_request_and_no_key() {
    for response in ["null", "{}"] {
        let e = parse(&assume_role(
            response,
            r#""errorCode":"AccessDenied","errorMessage":"no","#,
        ));
        assert_eq!(e.error_code.as_deref(), Some("AccessDenied"));
        let sts = e.sts.expect("an attempt is still an STS call");
        assert_eq!(
            sts.role_arn.as_deref(),
            Some("arn:aws:iam::444455556666:role/ops/DemoRole1")
        );
        assert_eq!(sts.role_session_name.as_deref(), Some("bob"));
        assert_eq!(sts.issued_access_key, None);
        assert_eq!(sts.expires_ms, None);
    }
}

#[test]
fn an_assume_role_without_request_parameters_still_counts_as_an_sts_call() {
    let e = parse(
        r#"{"eventTime":"2026-10-01T13:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","requestParameters":null,"responseElements":null}"#,
    );
    assert_eq!(e.sts, Some(StsCall::default()));
}

#[test]
fn saml_and_web_identity_calls_name_the_provider_and_the_subject() {
    let saml = parse(
        r#"{"eventTime":"2026-10-01T13:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithSAML",
        "userIdentity":{"type":"SAMLUser","principalId":"SAMPLEprincipal:sara","userName":"sara","identityProvider":"SAMPLEprovider"},
        "requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/Admin","principalArn":"arn:aws:iam::111122223333:saml-provider/Okta"},
        "responseElements":{"subject":"sara","sourceIdentity":"sara-src","credentials":{"accessKeyId":"ASIAEXAMPLESAML0001","expiration":"Oct 1, 2026 2:00:00 PM"},
          "assumedRoleUser":{"assumedRoleId":"AROAEXAMPLEADMIN:sara","arn":"arn:aws:sts::111122223333:assumed-role/Admin/sara"}}}"#,
    );
    assert_eq!(
        saml.identity.identity_provider.as_deref(),
        Some("SAMPLEprovider")
    );
    assert_eq!(saml.identity.user_name.as_deref(), Some("sara"));
    let sts = saml.sts.expect("sts");
    assert_eq!(
        sts.provider_arn.as_deref(),
        Some("arn:aws:iam::111122223333:saml-provider/Okta")
    );
    assert_eq!(sts.subject.as_deref(), Some("sara"));
    assert_eq!(sts.source_identity.as_deref(), Some("sara-src"));
    assert_eq!(sts.expires_ms, Some(T0 + 3_600_000));

    let web = parse(
        r#"{"eventTime":"2026-10-01T13:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithWebIdentity",
        "userIdentity":{"type":"WebIdentityUser","principalId":"accounts.google.com:app:sub","userName":"sub-123","identityProvider":"accounts.google.com"},
        "requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/Ci","roleSessionName":"gha"},
        "responseElements":{"subjectFromWebIdentityToken":"repo:org/app:ref:refs/heads/main","provider":"accounts.google.com",
          "credentials":{"accessKeyId":"ASIAEXAMPLEWEB00001","expiration":"2026-10-01T14:00:00Z"}}}"#,
    );
    let sts = web.sts.expect("sts");
    assert_eq!(
        sts.subject.as_deref(),
        Some("repo:org/app:ref:refs/heads/main")
    );
    assert_eq!(
        sts.issued_access_key.as_deref(),
        Some("ASIAEXAMPLEWEB00001")
    );
    assert_eq!(sts.expires_ms, Some(T0 + 3_600_000));
}

#[test]
fn federation_and_session_tokens_are_sts_calls_too() {
    let fed = parse(
        r#"{"eventTime":"2026-10-01T13:00:00Z","eventSource":"sts.amazonaws.com","eventName":"GetFederationToken",
        "requestParameters":{"name":"carol"},
        "responseElements":{"credentials":{"accessKeyId":"ASIAEXAMPLEFED00001","expiration":"Oct 1, 2026, 1:00:00 PM"},
          "federatedUser":{"federatedUserId":"111122223333:carol","arn":"arn:aws:sts::111122223333:federated-user/carol"}}}"#,
    );
    let sts = fed.sts.expect("sts");
    assert_eq!(sts.role_session_name.as_deref(), Some("carol"));
    assert_eq!(sts.assumed_role_id.as_deref(), Some("111122223333:carol"));
    assert_eq!(
        sts.issued_access_key.as_deref(),
        Some("ASIAEXAMPLEFED00001")
    );
    let session = parse(
        r#"{"eventTime":"2026-10-01T13:00:00Z","eventSource":"sts.amazonaws.com","eventName":"GetSessionToken",
        "requestParameters":null,"responseElements":{"credentials":{"accessKeyId":"ASIAEXAMPLESES00001","expiration":"Oct 1, 2026, 1:00:00 PM"}}}"#,
    );
    assert_eq!(
        session.sts.and_then(|s| s.issued_access_key).as_deref(),
        Some("ASIAEXAMPLESES00001")
    );
}

#[test]
fn other_calls_and_other_sources_are_not_sts_issuances() {
    let cases = [
        ("sts.amazonaws.com", "GetCallerIdentity"),
        ("iam.amazonaws.com", "AssumeRole"),
        ("ec2.amazonaws.com", "RunInstances"),
    ];
    for (source, name) in cases {
        let e = parse(&format!(
            r#"{{"eventTime":"2026-10-01T13:00:00Z","eventSource":"{source}","eventName":"{name}"}}"#
        ));
        assert_eq!(e.sts, None, "{source} {name}");
    }
}

#[test]
fn booleans_written_as_strings_are_read_as_booleans() {
    let e = parse(
        r#"{"eventTime":"2026-10-01T13:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","readOnly":"true",
        "userIdentity":{"type":"AssumedRole","sessionContext":{"attributes":{"mfaAuthenticated":"TRUE","creationDate":"20261001T120000Z"}}}}"#,
    );
    assert_eq!(e.read_only, Some(true));
    assert_eq!(e.identity.mfa_authenticated, Some(true));
    // ConsoleLogin records of assumed roles have been seen with the compact basic form.
    assert_eq!(e.identity.session_created_ms, Some(T0 - 3_600_000));
    let odd = parse(
        r#"{"eventTime":"2026-10-01T13:00:00Z","eventSource":"s","eventName":"n","readOnly":"maybe"}"#,
    );
    assert_eq!(odd.read_only, None);
}

#[test]
fn numbers_where_strings_belong_are_kept_verbatim() {
    let e = parse(
        r#"{"eventTime":"2026-10-01T13:00:00Z","eventSource":"s","eventName":"n","eventVersion":1.05,
        "recipientAccountId":111122223333,"userIdentity":{"accountId":444455556666,"principalId":12345}}"#,
    );
    assert_eq!(e.account_id.as_deref(), Some("111122223333"));
    assert_eq!(e.identity.account_id.as_deref(), Some("444455556666"));
    assert_eq!(e.identity.principal_id.as_deref(), Some("12345"));
    assert_eq!(e.event_version.as_deref(), Some("1.05"));
}

#[test]
fn account_ids_that_are_not_twelve_digits_are_kept_as_written() {
    for account in ["123456789", "0123456789012", "00000000000", "redacted"] {
        let e = parse(&format!(
            r#"{{"eventTime":"2026-10-01T13:00:00Z","eventSource":"s","eventName":"n","recipientAccountId":"{account}"}}"#
        ));
        assert_eq!(e.account_id.as_deref(), Some(account));
    }
}

#[test]
fn every_event_version_and_none_at_all_is_accepted() {
    for v in [
        "\"1.0\"", "\"1.02\"", "\"1.1\"", "\"1.05\"", "\"1.09\"", "\"1.10\"", "\"1.11\"", "null",
    ] {
        let e = parse(&format!(
            r#"{{"eventVersion":{v},"eventTime":"2026-10-01T13:00:00Z","eventSource":"s","eventName":"n"}}"#
        ));
        assert_eq!(
            e.event_version.as_deref(),
            v.strip_prefix('"').and_then(|v| v.strip_suffix('"'))
        );
    }
    let e = parse(r#"{"eventTime":"2026-10-01T13:00:00Z","eventSource":"s","eventName":"n"}"#);
    assert_eq!(e.event_version, None);
}

#[test]
fn panther_style_event_times_without_a_zone_are_utc() {
    for (t, want) in [
        ("2026-10-01 13:00:00", T0),
        ("2026-10-01 13:00:00.123", T0 + 123),
        ("2026-10-01 13:00:00.123456789", T0 + 123),
        ("2026-10-01T13:00:00.5Z", T0 + 500),
    ] {
        let e = parse(&format!(
            r#"{{"eventTime":"{t}","eventSource":"s","eventName":"n"}}"#
        ));
        assert_eq!(e.time_ms, want, "{t}");
    }
}

#[test]
fn a_record_missing_a_required_field_is_refused_naming_it() {
    let cases = [
        (
            r#"{"eventSource":"s","eventName":"n"}"#,
            "missing eventTime",
        ),
        (
            r#"{"eventTime":"2026-10-01T13:00:00Z","eventSource":"s"}"#,
            "missing eventName",
        ),
        (
            r#"{"eventTime":"2026-10-01T13:00:00Z","eventName":"n","eventSource":null}"#,
            "missing eventSource",
        ),
        (
            r#"{"eventTime":null,"eventName":"","eventSource":"s"}"#,
            "missing eventTime, eventName",
        ),
        (
            r#"{"eventTime":"soon","eventName":"n","eventSource":"s"}"#,
            "eventTime is not a timestamp: \"soon\"",
        ),
        (
            r#"{"eventTime":{"t":1},"eventName":"n","eventSource":"s"}"#,
            "eventTime is not a string",
        ),
        (
            r#"{"eventType":"AwsCloudTrailInsight","eventTime":"2026-10-01T13:00:00Z","insightDetails":{}}"#,
            "CloudTrail Insights event (no eventName): not an API call, not stored",
        ),
    ];
    for (record, want) in cases {
        assert_eq!(refused(record), want, "{record}");
    }
}

#[test]
fn a_user_identity_that_is_not_an_object_is_refused() {
    let reason = refused(
        r#"{"eventTime":"2026-10-01T13:00:00Z","eventSource":"s","eventName":"n","userIdentity":"bob"}"#,
    );
    assert!(
        reason.starts_with("malformed JSON: invalid type"),
        "{reason}"
    );
}

#[test]
fn a_record_without_an_event_id_gets_the_same_derived_id_however_it_is_laid_out() {
    let compact = r#"{"eventTime":"2026-10-01T13:00:00Z","eventSource":"s","eventName":"n","userIdentity":{"type":"Root","accountId":"111122223333"}}"#;
    let pretty = "{\n  \"userIdentity\": {\n    \"accountId\": \"111122223333\",\n    \"type\": \"Root\"\n  },\n  \"eventName\": \"n\",\n  \"eventSource\": \"s\",\n  \"eventTime\": \"2026-10-01T13:00:00Z\"\n}";
    let other = compact.replace("Root", "IAMUser");
    let a = parse(compact);
    let b = parse(pretty);
    let c = parse(&other);
    assert!(a.event_id.starts_with(DERIVED_ID_PREFIX), "{}", a.event_id);
    assert_eq!(a.event_id.len(), DERIVED_ID_PREFIX.len() + 32);
    assert_eq!(a.event_id, b.event_id);
    assert_ne!(a.event_id, c.event_id);
    let empty = parse(&compact.replace("{\"eventTime\"", "{\"eventID\":\"\",\"eventTime\""));
    assert!(
        empty.event_id.starts_with(DERIVED_ID_PREFIX),
        "an empty eventID is no ID"
    );
}

#[test]
fn session_tokens_never_reach_the_stored_record() {
    let record = r#"{"eventTime":"2026-10-01T13:00:00Z","eventSource":"s","eventName":"n",
        "additionalEventData":{"nested":[{"sessionToken":"FwoGZXIvYXdzEXAMPLE"}]}}"#;
    let e = parse(record);
    assert!(!e.raw.contains("FwoGZXIvYXdzEXAMPLE"), "{}", e.raw);
    assert!(e.raw.contains(redact::REDACTED));
}
