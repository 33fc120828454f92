//! Redaction tests: every kind of secret, in records and in text, and the one-pass rewrite
//! held to the `Value` round trip.
use super::*;

const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKEN+/=";

#[test]
fn the_sts_session_token_is_replaced_and_everything_else_kept() {
    let rec = format!(
        r#"{{"eventName":"AssumeRole","responseElements":{{"credentials":{{"accessKeyId":"ASIAEXAMPLE","sessionToken":"{TOKEN}","expiration":"Oct 1, 2026, 1:00:00 PM"}}}}}}"#
    );
    let out = redact_record(&rec).expect("valid").expect("redacted");
    assert!(!out.contains(TOKEN));
    assert!(out.contains(r#""sessionToken":"<redacted>""#));
    assert!(out.contains("ASIAEXAMPLE"));
    assert!(out.contains("Oct 1, 2026, 1:00:00 PM"));
}

#[test]
fn session_tokens_anywhere_and_in_any_case_are_replaced() {
    let rec = format!(
        r#"{{"a":[{{"SessionToken":"{TOKEN}"}}],"b":{{"c":{{"sessionToken":"{TOKEN}"}}}},"policy":"{{\"sessionToken\": \"{TOKEN}\"}}"}}"#
    );
    let out = redact_record(&rec).expect("valid").expect("redacted");
    assert!(!out.contains(TOKEN), "{out}");
    assert_eq!(out.matches(REDACTED).count(), 3, "{out}");
}

#[test]
fn records_without_a_token_are_left_alone() {
    assert_eq!(
        redact_record(r#"{"eventName":"GetObject"}"#).expect("ok"),
        None
    );
    assert_eq!(
        redact_record(r#"{"note":"sessionToken mentioned in prose"}"#).expect("ok"),
        None
    );
    assert_eq!(
        redact_record(r#"{"sessionToken":null}"#).expect("ok"),
        None,
        "a null token is nothing to hide"
    );
}

#[test]
fn the_direct_rewrite_writes_what_the_value_round_trip_writes() {
    let cases = [
        format!(
            r#"{{"eventName":"AssumeRole","responseElements":{{"credentials":{{"accessKeyId":"ASIAEXAMPLE","sessionToken":"{TOKEN}","expiration":"Oct 1, 2026, 1:00:00 PM"}}}}}}"#
        ),
        format!(
            r#"{{"a":[{{"SessionToken":"{TOKEN}"}}],"b":{{"c":{{"sessionToken":"{TOKEN}"}}}},"policy":"{{\"sessionToken\": \"{TOKEN}\"}}"}}"#
        ),
        // Pretty, unsorted, escapes of every kind, numbers `Value` rewrites.
        format!(
            "{{\n  \"z\": 1E2,\n  \"y\": -0, \"x\": 1.50, \"w\": 12345678901234567890123,\n  \
             \"u\": \"caf\\u00e9 \\/ \\\"q\\\" \\t\\u001f \\ud83d\\ude00\", \"k\\u0065y\": [true, false, null, {{}}, []],\n  \
             \"sessionToken\" : \"{TOKEN}\" }}"
        ),
        // Duplicate keys: the last wins, as in a `BTreeMap`.
        format!(r#"{{"sessionToken":"{TOKEN}","a":1,"sessionToken":null,"a":2}}"#),
        format!(r#"{{"sessionToken":null,"a":1,"sessionToken":"{TOKEN}"}}"#),
        // Tokens that are not strings, already redacted, or null.
        r#"{"sessionToken":{"nested":[1,2]},"b":"sessionToken"}"#.to_string(),
        r#"{"sessionToken":"<redacted>","SESSIONTOKEN":"<redacted>"}"#.to_string(),
        r#"{"sessionToken":null}"#.to_string(),
        r#"{"note":"sessionToken mentioned in prose"}"#.to_string(),
        // Non-ASCII text and keys.
        format!(r#"{{"é":"ü","ä":{{"sessionToken":"{TOKEN}"}}}}"#),
    ];
    for case in &cases {
        let want = redact_via_value(case).expect("valid");
        assert_eq!(redact_canonical(case), Some(want), "{case}");
    }
}

#[test]
fn the_direct_rewrite_agrees_with_the_value_round_trip_on_the_fixture_records() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cloudtrail/org-trail.json"
    );
    let file = std::fs::read_to_string(path).expect("fixture");
    #[derive(Deserialize)]
    struct Trail<'a> {
        #[serde(rename = "Records", borrow)]
        records: Vec<&'a serde_json::value::RawValue>,
    }
    let trail: Trail = serde_json::from_str(&file).expect("fixture is JSON");
    let mut redacted = 0;
    for record in trail.records {
        let want = redact_via_value(record.get()).expect("valid");
        redacted += usize::from(want.is_some());
        assert_eq!(redact_record(record.get()).expect("valid"), want);
    }
    assert!(redacted > 0);
}

#[test]
fn the_direct_rewrite_steps_aside_for_what_value_refuses() {
    let deep = format!(
        r#"{{"sessionToken":"x","d":{}1{}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    for case in [
        deep.as_str(),
        r#"{"sessionToken":"x","n":1e400}"#,
        r#"{"sessionToken":"x","s":"\ud800"}"#,
        r#"{"sessionToken":"x","a":[1,}"#,
        r#"{"sessionToken":"x"} trailing"#,
    ] {
        assert_eq!(redact_canonical(case), None, "{case}");
        assert!(redact_record(case).is_err(), "{case}");
    }
}

#[test]
fn textual_redaction_masks_plain_escaped_and_cut_off_values() {
    let cases = [
        (
            format!(r#"{{"sessionToken": "{TOKEN}", "x": 1}}"#),
            r#"{"sessionToken": "<redacted>", "x": 1}"#.to_string(),
        ),
        (
            format!(r#""{{\"sessionToken\":\"{TOKEN}\"}}""#),
            r#""{\"sessionToken\":\"<redacted>\"}""#.to_string(),
        ),
        (
            format!(r#"{{"sessionToken":"{}"#, &TOKEN[..10]),
            r#"{"sessionToken":"<redacted>"#.to_string(),
        ),
    ];
    for (input, want) in cases {
        assert_eq!(redact_text(&input), want);
    }
}

#[test]
fn every_kind_of_secret_is_masked_in_text() {
    let cases = [
        (
            "[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = wJalrSECRET\naws_session_token=IQoJSECRET\n",
            "[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = <redacted>\naws_session_token=<redacted>\n",
        ),
        (
            r#"{"SecretAccessKey": "wJalrSECRET", "AccessKeyId": "ASIAEXAMPLE"}"#,
            r#"{"SecretAccessKey": "<redacted>", "AccessKeyId": "ASIAEXAMPLE"}"#,
        ),
        (
            "Authorization: AWS4-HMAC-SHA256 Credential=AKIA/x, Signature=abc\nHost: x",
            "Authorization: <redacted>\nHost: x",
        ),
        (
            "https://b/k?X-Amz-Security-Token=IQoJ%2FSECRET&X-Amz-Signature=f00d&x=1",
            "https://b/k?X-Amz-Security-Token=<redacted>&X-Amz-Signature=<redacted>&x=1",
        ),
        (
            r#"{\"authorization\":\"Bearer SECRET\"}"#,
            r#"{\"authorization\":\"<redacted>\"}"#,
        ),
        (
            r#"{"headers":{"Authorization":["Bearer SECRET"]}}"#,
            r#"{"headers":{"Authorization":["<redacted>"]}}"#,
        ),
    ];
    for (input, want) in cases {
        assert_eq!(redact_text(input), want, "{input}");
    }
}

#[test]
fn names_that_only_contain_a_secret_word_are_left_alone() {
    for text in [
        r#"{"eventName":"GetSessionToken","authorizationType":"AWS_IAM"}"#,
        r#"{"eventName":"GetAuthorizationToken"}"#,
        r#"{"sessionToken":null}"#,
    ] {
        assert_eq!(redact_text(text), text);
    }
}

#[test]
fn stored_records_lose_secret_keys_structurally() {
    let rec = r#"{"eventName":"X","requestParameters":{"secretAccessKey":"wJalrSECRET","headers":{"Authorization":"AWS4 SECRET"},"url":"https://b/k?X-Amz-Security-Token=SECRETTOKEN"}}"#;
    let out = redact_record(rec).expect("valid").expect("redacted");
    assert!(!out.contains("SECRET"), "{out}");
    assert_eq!(out.matches(REDACTED).count(), 3, "{out}");
}
