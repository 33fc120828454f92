use super::*;
use serde_json::json;

fn parse(v: &Value) -> Result<Finding, String> {
    parse_finding(v.to_string().as_bytes())
}

/// A `get-findings` element as the AWS CLI prints it.
fn pascal_access_key_finding() -> Value {
    json!({
        "AccountId": "111122223333",
        "Arn": "arn:aws:guardduty:us-east-1:111122223333:detector/d1/finding/f1",
        "CreatedAt": "2026-10-01T13:05:00.123Z",
        "Description": "Trail demo-trail-2 was disabled.",
        "Id": "f1",
        "Partition": "aws",
        "Region": "us-east-1",
        "Resource": {
            "AccessKeyDetails": {
                "AccessKeyId": "ASIAEXAMPLEKEY000001",
                "PrincipalId": "AROAEXAMPLEROLEID0001:sara",
                "UserName": "AWSReservedSSO_AdministratorAccess_598c5f73f8b2b4e5",
                "UserType": "AssumedRole"
            },
            "ResourceType": "AccessKey"
        },
        "SchemaVersion": "2.0",
        "Service": {
            "Action": {
                "ActionType": "AWS_API_CALL",
                "AwsApiCallAction": {
                    "Api": "StopLogging",
                    "CallerType": "Remote IP",
                    "RemoteIpDetails": {"IpAddressV4": "203.0.113.25"},
                    "ServiceName": "cloudtrail.amazonaws.com"
                }
            },
            "Archived": false,
            "Count": 3,
            "DetectorId": "d1",
            "EventFirstSeen": "2026-10-01T13:00:00Z",
            "EventLastSeen": "2026-10-01T13:04:59Z",
            "ServiceName": "guardduty"
        },
        "Severity": 5,
        "Title": "CloudTrail logging was disabled.",
        "Type": "Stealth:IAMUser/CloudTrailLoggingDisabled",
        "UpdatedAt": "2026-10-01T13:06:00Z"
    })
}

/// The same finding as an EventBridge `detail` (camelCase), with EventBridge's string severity.
fn camel_access_key_finding() -> Value {
    json!({
        "schemaVersion": "2.0",
        "accountId": "111122223333",
        "region": "us-east-1",
        "id": "f1",
        "type": "Stealth:IAMUser/CloudTrailLoggingDisabled",
        "resource": {
            "resourceType": "AccessKey",
            "accessKeyDetails": {
                "accessKeyId": "ASIAEXAMPLEKEY000001",
                "principalId": "AROAEXAMPLEROLEID0001:sara",
                "userName": "AWSReservedSSO_AdministratorAccess_598c5f73f8b2b4e5",
                "userType": "AssumedRole"
            }
        },
        "service": {
            "action": {
                "actionType": "AWS_API_CALL",
                "awsApiCallAction": {
                    "api": "StopLogging",
                    "serviceName": "cloudtrail.amazonaws.com",
                    "remoteIpDetails": {"ipAddressV4": "203.0.113.25"}
                }
            },
            "eventFirstSeen": "2026-10-01T13:00:00Z",
            "eventLastSeen": "2026-10-01T13:04:59Z",
            "count": 3
        },
        "severity": "5",
        "createdAt": "2026-10-01T13:05:00.123Z",
        "updatedAt": "2026-10-01T13:06:00Z",
        "title": "CloudTrail logging was disabled.",
        "description": "Trail demo-trail-2 was disabled."
    })
}

#[test]
fn both_casings_normalise_to_the_same_finding() {
    let pascal = parse(&pascal_access_key_finding()).expect("pascal");
    let camel = parse(&camel_access_key_finding()).expect("camel");
    let expected = Finding {
        finding_id: "f1".into(),
        finding_type: "Stealth:IAMUser/CloudTrailLoggingDisabled".into(),
        severity: 5.0,
        title: Some("CloudTrail logging was disabled.".into()),
        description: Some("Trail demo-trail-2 was disabled.".into()),
        account_id: Some("111122223333".into()),
        region: Some("us-east-1".into()),
        created_ms: Some(1_790_859_900_123),
        updated_ms: 1_790_859_960_000,
        first_seen_ms: Some(1_790_859_600_000),
        last_seen_ms: Some(1_790_859_899_000),
        count: 3,
        resource_type: Some("AccessKey".into()),
        access_key_id: Some("ASIAEXAMPLEKEY000001".into()),
        principal_id: Some("AROAEXAMPLEROLEID0001:sara".into()),
        user_name: Some("AWSReservedSSO_AdministratorAccess_598c5f73f8b2b4e5".into()),
        user_type: Some("AssumedRole".into()),
        instance_id: None,
        api: Some("StopLogging".into()),
        service_name: Some("cloudtrail.amazonaws.com".into()),
        caller_ip: Some("203.0.113.25".into()),
        raw: String::new(),
    };
    assert_eq!(
        Finding {
            raw: String::new(),
            ..pascal
        },
        expected
    );
    assert_eq!(
        Finding {
            raw: String::new(),
            ..camel
        },
        expected
    );
}

#[test]
fn raw_is_the_original_object_compacted_in_its_own_key_order() {
    let text = "{ \"Id\": \"f1\",\n  \"Type\": \"Recon:EC2/PortProbeUnprotectedPort\",\n  \
                \"UpdatedAt\": \"2026-10-01T13:06:00Z\" }";
    let f = parse_finding(text.as_bytes()).expect("parses");
    assert_eq!(
        f.raw,
        r#"{"Id":"f1","Type":"Recon:EC2/PortProbeUnprotectedPort","UpdatedAt":"2026-10-01T13:06:00Z"}"#
    );
}

#[test]
fn missing_required_keys_are_named_in_the_reason() {
    let err = parse(&json!({"type": "X", "severity": 2})).expect_err("no id");
    assert_eq!(err, "GuardDuty finding without id, updatedAt");
    let err = parse(&json!({"id": "a", "type": "X", "updatedAt": "soon"})).expect_err("bad time");
    assert!(err.starts_with("updatedAt is not a timestamp"), "{err}");
    assert!(
        parse_finding(b"[1, 2]")
            .expect_err("array")
            .contains("not a JSON object")
    );
    assert!(
        parse_finding(b"{\"id\": ")
            .expect_err("cut")
            .contains("not valid JSON")
    );
}

#[test]
fn severity_reads_numbers_strings_floats_and_labels() {
    for (sev, want) in [
        (json!(8), 8.0),
        (json!(8.0), 8.0),
        (json!("8"), 8.0),
        (json!("2.5"), 2.5),
        (json!("High"), 7.0),
    ] {
        let mut v = camel_access_key_finding();
        v["severity"] = sev.clone();
        assert_eq!(parse(&v).expect("parses").severity, want, "{sev}");
    }
    let mut v = camel_access_key_finding();
    v["severity"] = json!("urgent");
    assert!(
        parse(&v)
            .expect_err("label")
            .starts_with("severity is not a number")
    );
}

#[test]
fn a_bare_finding_with_only_required_keys_parses_with_defaults() {
    let f = parse(&json!({"id": "a", "type": "T", "updatedAt": "2026-10-01T13:06:00.5Z"}))
        .expect("parses");
    assert_eq!(f.updated_ms, 1_790_859_960_500);
    assert_eq!((f.severity, f.count), (0.0, 1));
    assert_eq!((f.api, f.caller_ip, f.resource_type), (None, None, None));
}

#[test]
fn an_eventbridge_envelope_is_unwrapped_to_its_detail() {
    let envelope = json!({
        "version": "0", "id": "e1", "detail-type": "GuardDuty Finding", "source": "aws.guardduty",
        "account": "111122223333", "region": "us-east-1", "detail": camel_access_key_finding()
    });
    let f = parse(&envelope).expect("parses");
    assert_eq!(f.finding_id, "f1");
    assert_eq!(f.raw, camel_access_key_finding().to_string());
}

#[test]
fn instance_findings_name_the_instance_and_the_remote_ip() {
    let f = parse(&json!({
        "id": "n1", "type": "UnauthorizedAccess:EC2/SSHBruteForce", "updatedAt": "2026-10-01T13:00:00Z",
        "resource": {"resourceType": "Instance", "instanceDetails": {"instanceId": "i-0123456789abcdef0"}},
        "service": {"action": {"actionType": "NETWORK_CONNECTION", "networkConnectionAction": {
            "connectionDirection": "INBOUND",
            "remoteIpDetails": {"ipAddressV4": "198.51.100.44"}}}}
    }))
    .expect("parses");
    assert_eq!(f.instance_id.as_deref(), Some("i-0123456789abcdef0"));
    assert_eq!(f.caller_ip.as_deref(), Some("198.51.100.44"));
    assert_eq!(f.api, None);
}

#[test]
fn port_probes_and_kubernetes_calls_give_their_remote_ip() {
    let probe = parse(&json!({
        "Id": "p1", "Type": "Recon:EC2/PortProbeUnprotectedPort", "UpdatedAt": "2026-10-01T13:00:00Z",
        "Service": {"Action": {"PortProbeAction": {"PortProbeDetails": [
            {"LocalPortDetails": {"Port": 22}, "RemoteIpDetails": {"IpAddressV4": "192.0.2.77"}}]}}}
    }))
    .expect("parses");
    assert_eq!(probe.caller_ip.as_deref(), Some("192.0.2.77"));
    let k8s = parse(&json!({
        "id": "k1", "type": "Discovery:Kubernetes/TorIPCaller", "updatedAt": "2026-10-01T13:00:00Z",
        "resource": {"resourceType": "EKSCluster", "eksClusterDetails": {"name": "c"}},
        "service": {"action": {"kubernetesApiCallAction": {"verb": "list", "sourceIPs": ["192.0.2.8"]}}}
    }))
    .expect("parses");
    assert_eq!(k8s.caller_ip.as_deref(), Some("192.0.2.8"));
    assert_eq!(k8s.resource_type.as_deref(), Some("EKSCluster"));
}

#[test]
fn an_attack_sequence_with_one_actor_names_that_actor() {
    let v = json!({
        "id": "s1", "type": "AttackSequence:IAM/CompromisedCredentials",
        "updatedAt": "2026-10-01 13:00:00.721", "severity": 9,
        "resource": {"resourceType": "AttackSequence"},
        "service": {"detection": {"sequence": {"uid": "u", "actors": [{"id": "a1", "user": {
            "name": "john_doe", "uid": "AIDAEXAMPLEUSERID0001", "type": "IAMUser",
            "credentialUid": "AKIAEXAMPLEKEY000001", "account": {"uid": "111122223333"}}}]}}}
    });
    let f = parse(&v).expect("parses");
    assert_eq!(f.updated_ms, 1_790_859_600_721);
    assert_eq!(f.user_name.as_deref(), Some("john_doe"));
    assert_eq!(f.user_type.as_deref(), Some("IAMUser"));
    assert_eq!(f.access_key_id.as_deref(), Some("AKIAEXAMPLEKEY000001"));
    assert_eq!(f.principal_id.as_deref(), Some("AIDAEXAMPLEUSERID0001"));
}

#[test]
fn an_attack_sequence_with_several_actors_names_none() {
    let user = json!({"name": "x", "uid": "y", "type": "IAMUser"});
    let v = json!({
        "id": "s2", "type": "AttackSequence:S3/CompromisedData", "updatedAt": "2026-10-01T13:00:00Z",
        "service": {"detection": {"sequence": {"actors": [{"user": user}, {"user": user}]}}}
    });
    let f = parse(&v).expect("parses");
    assert_eq!((f.user_name, f.principal_id), (None, None));
}

#[test]
fn null_sections_are_absent_not_errors() {
    let f = parse(&json!({
        "id": "z", "type": "T", "updatedAt": "2026-10-01T13:00:00Z", "severity": null,
        "resource": null, "service": {"action": null, "count": null, "eventFirstSeen": null}
    }))
    .expect("parses");
    assert_eq!((f.severity, f.count, f.first_seen_ms), (0.0, 1, None));
}
