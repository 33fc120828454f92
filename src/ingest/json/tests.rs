//! Container, splitting and classification tests on small synthetic files.

use super::*;
use crate::ingest::{Bad, Record};

fn rec(id: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventID":"{id}","eventTime":"2026-10-01T13:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","recipientAccountId":"111122223333","sourceIPAddress":"198.51.100.7"}}"#
    )
}

/// Detects and parses `data`, returning what reached the sink.
fn read(data: &str) -> Vec<Result<Record, Bad>> {
    let kind = detect(data.as_bytes()).expect("detected as JSON");
    let mut out = Vec::new();
    let mut sink = |item: Result<Record, Bad>| -> Result<(), crate::ingest::IngestError> {
        out.push(item);
        Ok(())
    };
    parse(data.as_bytes(), kind, &mut sink).expect("sink never fails");
    out
}

/// Event IDs accepted, and `position: reason` of every reject, in order.
fn summary(items: &[Result<Record, Bad>]) -> (Vec<String>, Vec<String>) {
    let mut ids = Vec::new();
    let mut bad = Vec::new();
    for item in items {
        match item {
            Ok(Record::Event(e)) => ids.push(e.event_id.clone()),
            Ok(other) => ids.push(format!("{other:?}")),
            Err(b) => bad.push(format!("{}: {}", b.position, b.reason)),
        }
    }
    (ids, bad)
}

#[test]
fn shapes_are_detected_from_content() {
    let cases: [(&str, Option<FileKind>); 12] = [
        (
            r#"{"Records":[]}"#,
            Some(FileKind::Json(JsonShape::Records)),
        ),
        (
            "\u{feff}\n  {\"Records\": [",
            Some(FileKind::Json(JsonShape::Records)),
        ),
        (
            r#"{"Events":[],"NextToken":"x"}"#,
            Some(FileKind::Json(JsonShape::LookupEvents)),
        ),
        (
            r#"{"Findings":[]}"#,
            Some(FileKind::Json(JsonShape::Findings)),
        ),
        (
            r#"{"findings":[]}"#,
            Some(FileKind::Json(JsonShape::Findings)),
        ),
        (
            r#"{"awsAccountId":"111122223333","digestStartTime":"2026-10-01T12:00:00Z","digestEndTime":"x"}"#,
            Some(FileKind::CloudTrailDigest),
        ),
        (&rec("a"), Some(FileKind::Json(JsonShape::Lines))),
        (
            r#"{"Records":"not an array"}"#,
            Some(FileKind::Json(JsonShape::Lines)),
        ),
        ("[{}]", Some(FileKind::Json(JsonShape::Array))),
        (
            "2 111122223333 eni-1 192.0.2.1 198.51.100.1 443 49152 6 1 40 1 2 ACCEPT OK",
            None,
        ),
        ("", None),
        ("\u{feff}version account-id", None),
    ];
    for (data, want) in cases {
        assert_eq!(detect(data.as_bytes()), want, "{data}");
    }
}

#[test]
fn a_records_file_yields_its_records_in_order() {
    let data = format!("{{\"Records\":[{},{},{}]}}", rec("a"), rec("b"), rec("c"));
    let (ids, bad) = summary(&read(&data));
    assert_eq!(ids, ["a", "b", "c"]);
    assert!(bad.is_empty(), "{bad:?}");
}

#[test]
fn a_bad_record_in_the_middle_loses_only_itself() {
    let data = format!(
        "{{\"Records\": [\n{},\n{{\"eventID\": \"bad\", \"eventName\" \"x\"}},\n{},\n{{\"eventName\":\"n\"}},\n{}\n]}}",
        rec("a"),
        rec("c"),
        rec("e")
    );
    let (ids, bad) = summary(&read(&data));
    assert_eq!(ids, ["a", "c", "e"]);
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(
        bad[0].starts_with("record 2 (line 3): malformed JSON"),
        "{}",
        bad[0]
    );
    assert_eq!(bad[1], "record 4 (line 5): missing eventTime, eventSource");
}

#[test]
fn a_truncated_file_keeps_every_record_before_the_damage() {
    let whole = format!("{{\"Records\":[{},{},{}]}}", rec("a"), rec("b"), rec("c"));
    let cut = &whole[..whole.len() - 40];
    let (ids, bad) = summary(&read(cut));
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(
        bad,
        ["record 3 (line 1): truncated: the data ends inside this record"]
    );
    // Cut exactly between records: nothing lost, but the damage is still reported.
    let between = format!("{{\"Records\":[{},{},", rec("a"), rec("b"));
    let (ids, bad) = summary(&read(&between));
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(
        bad,
        ["end of file: truncated: the data ends before the array is closed (after record 2)"]
    );
}

#[test]
fn a_lost_bracket_in_a_pretty_file_resumes_at_the_next_record() {
    // As in aws-cloudtrail-processing-library's SerializerTestFileBadJsonFormat.json: the
    // first record never closes its userIdentity, so its end cannot be found by counting.
    let data = "{\n  \"Records\": [\n    {\n      \"eventID\": \"a\",\n      \"userIdentity\": {\n        \"type\": \"IAMUser\"\n      ,\n      \"eventTime\": \"2026-10-01T13:00:00Z\",\n      \"resources\": [\n        {\"ARN\": \"x\"},\n        {\"ARN\": \"y\"}\n      ]\n    },\n    {\n      \"eventID\": \"b\",\n      \"eventTime\": \"2026-10-01T13:00:00Z\",\n      \"eventSource\": \"s\",\n      \"eventName\": \"n\"\n    }\n  ]\n}\n";
    let (ids, bad) = summary(&read(data));
    assert_eq!(ids, ["b"]);
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(
        bad[0].starts_with("record 1 (line 3): malformed JSON: unbalanced brackets"),
        "{}",
        bad[0]
    );
}

#[test]
fn a_lost_quote_in_a_compact_file_resumes_at_the_next_record() {
    let broken = rec("b").replace("\"GetObject\"", "\"GetObject");
    let data = format!("{{\"Records\":[{},{},{}]}}", rec("a"), broken, rec("c"));
    let (ids, bad) = summary(&read(&data));
    assert_eq!(ids, ["a", "c"]);
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].starts_with("record 2 (line 1): "), "{}", bad[0]);
}

#[test]
fn json_lines_with_a_broken_line_keep_the_others() {
    let data = format!(
        "{}\n{{\"eventID\":\"b\",\"eventTime\":\"2026\n{}\nnot json at all\n\n{}\n",
        rec("a"),
        rec("c"),
        rec("d")
    );
    let (ids, bad) = summary(&read(&data));
    assert_eq!(ids, ["a", "c", "d"]);
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(
        bad[0].starts_with("line 2: malformed JSON: unterminated string"),
        "{}",
        bad[0]
    );
    assert_eq!(bad[1], "line 4: not JSON");
}

#[test]
fn one_pretty_printed_record_is_read_as_a_whole() {
    let data = "{\n  \"eventTime\": \"2026-10-01T13:00:00Z\",\n  \"eventSource\": \"s\",\n  \"eventName\": \"n\",\n  \"eventID\": \"p\"\n}\n";
    let (ids, bad) = summary(&read(data));
    assert_eq!(ids, ["p"]);
    assert!(bad.is_empty());
}

#[test]
fn lookup_events_output_yields_the_embedded_records() {
    let inner = serde_json::to_string(&rec("inner-1")).expect("string");
    let data = format!(
        r#"{{"Events":[{{"EventId":"inner-1","EventName":"GetObject","EventTime":"2026-10-01 23:00:00+10:00","CloudTrailEvent":{inner}}}],"NextToken":"t"}}"#
    );
    let items = read(&data);
    let (ids, bad) = summary(&items);
    assert_eq!(ids, ["inner-1"]);
    assert!(bad.is_empty(), "{bad:?}");
    let Some(Ok(Record::Event(e))) = items.first() else {
        panic!("an event")
    };
    assert_eq!(e.raw, rec("inner-1"), "the stored record is the inner one");
}

#[test]
fn eventbridge_envelopes_carry_cloudtrail_records_in_their_detail() {
    let data = format!(
        r#"{{"version":"0","id":"x","detail-type":"AWS API Call via CloudTrail","source":"aws.s3","account":"111122223333","time":"2026-10-01T13:00:00Z","region":"us-east-1","resources":[],"detail":{}}}"#,
        rec("eb-1")
    );
    let items = read(&data);
    let (ids, bad) = summary(&items);
    assert_eq!(ids, ["eb-1"]);
    assert!(bad.is_empty(), "{bad:?}");
    let Some(Ok(Record::Event(e))) = items.first() else {
        panic!("an event")
    };
    assert_eq!(e.raw, rec("eb-1"), "the stored record is the detail");
}

#[test]
fn guardduty_findings_are_routed_to_the_guardduty_normaliser_in_every_wrapping() {
    let camel = r#"{"schemaVersion":"2.0","accountId":"111122223333","id":"f1","type":"Recon:IAMUser/TorIPCaller","severity":5,"updatedAt":"2026-10-01T13:00:00Z"}"#;
    let pascal = r#"{"SchemaVersion":"2.0","AccountId":"111122223333","Id":"f1","Type":"Recon:IAMUser/TorIPCaller","Severity":5}"#;
    let files = [
        format!("[{camel},{pascal}]"),
        format!("{camel}\n{pascal}\n"),
        format!(r#"{{"Findings":[{pascal}]}}"#),
        format!(
            r#"{{"detail-type":"GuardDuty Finding","source":"aws.guardduty","detail":{camel}}}"#
        ),
    ];
    for data in files {
        for item in read(&data) {
            match item {
                Ok(Record::Finding(_)) => {}
                Ok(other) => panic!("not a finding: {other:?}"),
                // Until the GuardDuty normaliser lands, its own reason comes back.
                Err(b) => assert!(
                    !b.reason.starts_with("not a CloudTrail record")
                        && !b.reason.contains("missing"),
                    "{data}: {}",
                    b.reason
                ),
            }
        }
    }
    // An empty `get-findings` response (`{"findings":[]}`) holds nothing and is no error.
    assert!(read("{\"findings\":[]}\n").is_empty());
}

#[test]
fn arrays_of_records_payloads_place_records_under_their_payload() {
    let data = format!(
        "[{{\"Records\":[{}]}},{{\"Records\":[{},{{\"x\":1}}]}}]",
        rec("a"),
        rec("b")
    );
    let (ids, bad) = summary(&read(&data));
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(
        bad,
        [
            "record 2, record 2 (line 1): not a CloudTrail record, GuardDuty finding, EventBridge event or lookup-events entry (keys: x)"
        ]
    );
}

#[test]
fn concatenated_records_files_are_all_read() {
    let data = format!(
        "{{\"Records\":[{}]}}\n{{\"Records\":[{}]}}\n",
        rec("a"),
        rec("b")
    );
    let (ids, bad) = summary(&read(&data));
    assert_eq!(ids, ["a", "b"]);
    assert!(bad.is_empty(), "{bad:?}");
}

#[test]
fn values_that_are_not_objects_are_rejected() {
    let data = format!("[{}, 42, \"text\", null]", rec("a"));
    let (ids, bad) = summary(&read(&data));
    assert_eq!(ids, ["a"]);
    assert_eq!(bad.len(), 3);
    assert!(
        bad.iter().all(|b| b.ends_with("not a JSON object")),
        "{bad:?}"
    );
}

#[test]
fn a_rejected_record_never_keeps_a_session_token_in_its_excerpt() {
    let data = r#"{"Records":[{"responseElements":{"credentials":{"sessionToken":"IQoJSECRETSECRET"}},"eventName":"AssumeRole"}]}"#;
    let items = read(data);
    let [Err(bad)] = items.as_slice() else {
        panic!("one reject: {items:?}")
    };
    let excerpt = bad.excerpt.as_deref().expect("excerpt");
    assert!(!excerpt.contains("IQoJSECRETSECRET"), "{excerpt}");
    assert!(excerpt.contains("<redacted>"));
}

#[test]
fn flow_lines_wrapped_in_a_message_go_to_the_flow_log_reader() {
    let data = "{\"message\":\"2 111122223333 eni-0example 192.0.2.1 198.51.100.1 443 49152 6 10 840 1790859600 1790859660 ACCEPT OK\"}\n{\"message\":\"hello\"}\n";
    let items = read(data);
    assert!(!items.is_empty());
    for item in &items {
        match item {
            Ok(Record::Flow(_)) => {}
            Ok(other) => panic!("not a flow record: {other:?}"),
            Err(b) => assert!(
                b.position.starts_with("line ") && b.reason.contains("flow"),
                "{}: {}",
                b.position,
                b.reason
            ),
        }
    }
    let last = items.last().expect("one item per line at least");
    assert!(
        matches!(last, Err(b) if b.position == "line 2"),
        "plain text in a message is rejected: {last:?}"
    );
}
