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

/// Reads `data` the way a large input is read: windows that grow by `chunk` bytes and drop
/// what the splitter no longer needs.
fn read_windowed(data: &[u8], chunk: usize, max_record: usize) -> Vec<Result<Record, Bad>> {
    let mut out = Vec::new();
    let mut sink = |item: Result<Record, Bad>| -> Result<(), crate::ingest::IngestError> {
        out.push(item);
        Ok(())
    };
    let mut splitter = Splitter::new(start_of(data), max_record);
    let (mut base, mut end) = (0usize, chunk.min(data.len()));
    loop {
        let win = Window {
            data: &data[base..end],
            base: base as u64,
            eof: end == data.len(),
        };
        let flow = splitter.read(win, &mut sink).expect("sink never fails");
        if flow == Flow::Done || win.eof {
            break;
        }
        let keep = splitter.keep_from();
        assert!(
            keep as usize >= base,
            "the splitter never asks for dropped bytes"
        );
        splitter.before_compact(win, keep);
        base = keep as usize;
        end = (end + chunk).min(data.len());
    }
    out
}

fn read_whole(data: &[u8], max_record: usize) -> Vec<Result<Record, Bad>> {
    read_windowed(data, data.len().max(1), max_record)
}

/// Inputs that exercise every path of the splitter: containers, lines, arrays, broken and
/// truncated records, garbage lines, nested containers, whitespace runs.
fn tricky_inputs() -> Vec<String> {
    let (a, b, c) = (rec("a"), rec("b"), rec("c"));
    let broken = rec("x").replace("\"GetObject\"", "\"GetObject");
    let pretty_bad = "{\n  \"Records\": [\n    {\n      \"eventID\": \"a\",\n      \"userIdentity\": {\n        \"type\": \"IAMUser\"\n      ,\n      \"eventTime\": \"2026-10-01T13:00:00Z\"\n    },\n    {\n      \"eventID\": \"b\",\n      \"eventTime\": \"2026-10-01T13:00:00Z\",\n      \"eventSource\": \"s\",\n      \"eventName\": \"n\"\n    }\n  ]\n}\n".to_string();
    vec![
        format!("{{\"Records\":[{a},{b},{c}]}}"),
        format!(
            "{{\"Records\": [\n{a},\n{{\"eventID\": \"bad\", \"eventName\" \"x\"}},\n{b},\n{{\"eventName\":\"n\"}},\n{c}\n]}}"
        ),
        format!("{{\"Records\":[{a},{broken},{c}]}}"),
        format!("{{\"Records\":[{a},{b},{c}]}}")[..300].to_string(),
        format!("{a}\n{{\"eventID\":\"b\",\"eventTime\":\"2026\n{b}\nnot json at all\n\n{c}\n"),
        format!("[{{\"Records\":[{a}]}},{{\"Records\":[{b},{{\"x\":1}}]}}]"),
        format!("{{\"Records\":[{a}]}}\n{{\"Records\":[{b}]}}\n"),
        format!("[{a}, 42, \"text\", null, -1.5e3, true]"),
        format!("{{\"Records\":[{a},{b}], \"next\": {{\"x\": [1,2]}}, \"z\": 3}}"),
        format!("{{\"Records\":[{a}], oops}}"),
        format!(
            "{{\"NextToken\":\"t\",\"Events\":[{{\"CloudTrailEvent\":{}}}]}}",
            serde_json::to_string(&a).expect("json")
        ),
        pretty_bad,
        format!("{}{a}{}\n{b}", " ".repeat(5000), "\n".repeat(300)),
        format!("{{\"Records\":[{a},{}]}}", "[".repeat(1500)),
        format!("{a}\n{}\n{b}", "x".repeat(3000)),
    ]
}

fn summary_of(items: &[Result<Record, Bad>]) -> Vec<String> {
    items
        .iter()
        .map(|i| match i {
            Ok(Record::Event(e)) => format!("event {}", e.event_id),
            Ok(other) => format!("{other:?}"),
            Err(b) => format!("reject {}: {} [{:?}]", b.position, b.reason, b.excerpt),
        })
        .collect()
}

#[test]
fn reading_window_by_window_gives_what_reading_whole_gives() {
    for data in tricky_inputs() {
        let whole = summary_of(&read_whole(data.as_bytes(), usize::MAX / 4));
        for chunk in [1, 2, 3, 5, 8, 13, 64, 333, 4096] {
            let windowed = summary_of(&read_windowed(data.as_bytes(), chunk, usize::MAX / 4));
            assert_eq!(windowed, whole, "chunk {chunk} of {data:?}");
        }
    }
}

#[test]
fn long_inputs_read_in_small_windows_drop_what_they_no_longer_need() {
    // Longer than the look-back, so the windows really slide.
    let mut data = String::from("{\"Records\":[");
    for i in 0..1500 {
        if i > 0 {
            data.push(',');
        }
        if i == 700 {
            data.push_str(&rec("broken").replace("\"GetObject\"", "\"GetObject"));
        } else {
            data.push_str(&rec(&format!("r{i}")));
        }
        data.push('\n');
    }
    data.push_str("]}");
    let whole = summary_of(&read_whole(data.as_bytes(), usize::MAX / 4));
    assert_eq!(whole.len(), 1500);
    assert!(
        whole[700].starts_with("reject record 701"),
        "{}",
        whole[700]
    );
    for chunk in [997, 4096, 65_536] {
        let windowed = summary_of(&read_windowed(data.as_bytes(), chunk, usize::MAX / 4));
        assert_eq!(windowed, whole, "chunk {chunk}");
    }
}

#[test]
fn a_record_over_the_size_limit_is_rejected_and_its_neighbours_kept() {
    let huge = format!(
        r#"{{"eventVersion":"1.08","eventID":"huge","eventTime":"2026-10-01T13:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{{"key":"{}"}}}}"#,
        "k".repeat(50_000)
    );
    let inputs = [
        format!("{{\"Records\":[{},{huge},{}]}}", rec("a"), rec("b")),
        format!("{}\n{huge}\n{}\n", rec("a"), rec("b")),
        format!("[{},{huge},{}]", rec("a"), rec("b")),
    ];
    for data in inputs {
        for chunk in [data.len(), 4096, 1000] {
            let items = read_windowed(data.as_bytes(), chunk, 10_000);
            let (ids, bad) = summary(&items);
            assert_eq!(ids, ["a", "b"], "chunk {chunk}");
            assert_eq!(bad.len(), 1, "{bad:?}");
            assert!(
                bad[0].contains("larger than the record size limit (10000 B)"),
                "{}",
                bad[0]
            );
        }
    }
}

#[test]
fn a_huge_string_that_never_ends_costs_no_more_than_the_limit() {
    // A truncated 3 MB string: rejected as too large, nothing after it to read.
    let data = format!("{}\n{{\"eventName\":\"{}", rec("a"), "z".repeat(3_000_000));
    let items = read_windowed(data.as_bytes(), 64 * 1024, 100_000);
    let (ids, bad) = summary(&items);
    assert_eq!(ids, ["a"]);
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].contains("larger than the record size limit"));
}

#[test]
fn an_ini_file_or_a_placeholder_in_prose_is_not_json() {
    for text in [
        "[default]\naws_access_key_id = AKIA",
        "{placeholder} text",
        "[profile x]",
    ] {
        assert_eq!(detect(text.as_bytes()), None, "{text}");
    }
}

#[test]
fn excerpts_of_rejects_never_keep_a_secret() {
    let secrets = [
        r#"{"Credentials":{"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"wJalrSECRETSECRET","SessionToken":"IQoJSECRETTOKEN"}}"#,
        r#"{"x":{"secretAccessKey":"wJalrSECRETSECRET"}}"#,
        r#"{"headers":{"Authorization":"AWS4-HMAC-SHA256 Credential=AKIA/x, Signature=SECRETSIG"}}"#,
        r#"{"url":"https://b.s3.amazonaws.com/k?X-Amz-Security-Token=IQoJSECRETTOKEN&X-Amz-Signature=SECRETSIG"}"#,
    ];
    for data in secrets {
        let items = read(data);
        let [Err(bad)] = items.as_slice() else {
            panic!("one reject: {items:?}")
        };
        let excerpt = bad.excerpt.as_deref().expect("excerpt");
        for s in ["SECRETSECRET", "SECRETTOKEN", "SECRETSIG"] {
            assert!(!excerpt.contains(s), "{excerpt}");
        }
    }
}

#[test]
fn siem_exports_are_read_back() {
    let logstash = r#"{"@timestamp":"2026-10-01T13:00:00.000Z","@version":"1","eventVersion":"1.08","eventID":"ls-1","eventSource":"s3.amazonaws.com","eventName":"GetObject","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2"}"#;
    let datadog = r#"{"eventVersion":"1.08","eventID":"dd-1","eventTime":"2026-10-01T13:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","network":{"client":{"ip":"203.0.113.9","geoip":{}}},"http":{"useragent":"Boto3/1.2","request_id":"R1"},"evt":{"name":"GetObject"},"aws":{"awslogs":{}},"service":"cloudtrail"}"#;
    let dotted = r#"{"eventID":"dd-2","eventTime":"2026-10-01T13:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","network.client.ip":"203.0.113.10","http.useragent":"curl/8"}"#;
    let hit = format!(r#"{{"_index":"cloudtrail","_id":"x","_source":{logstash}}}"#);
    let original = format!(
        r#"{{"@timestamp":"2026-10-01T13:00:00Z","event":{{"original":{}}},"aws":{{"cloudtrail":{{}}}}}}"#,
        serde_json::to_string(&rec("ecs-1")).expect("json")
    );
    let splunk = format!(
        r#"{{"preview":false,"result":{{"_raw":{},"sourcetype":"aws:cloudtrail"}}}}"#,
        serde_json::to_string(&rec("splunk-1")).expect("json")
    );
    let data = format!("{logstash}\n{datadog}\n{dotted}\n{hit}\n{original}\n{splunk}\n");
    let items = read(&data);
    let events: Vec<&crate::model::Event> = items
        .iter()
        .map(|i| match i {
            Ok(Record::Event(e)) => e.as_ref(),
            other => panic!("{other:?}"),
        })
        .collect();
    let ids: Vec<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids, ["ls-1", "dd-1", "dd-2", "ls-1", "ecs-1", "splunk-1"]);
    assert_eq!(events[0].time_ms, 1_790_859_600_000);
    assert_eq!(events[0].raw, logstash, "the record is kept as it came");
    assert_eq!(events[1].source_ip.as_deref(), Some("203.0.113.9"));
    assert_eq!(events[1].user_agent.as_deref(), Some("Boto3/1.2"));
    assert_eq!(events[2].source_ip.as_deref(), Some("203.0.113.10"));
    assert_eq!(events[2].user_agent.as_deref(), Some("curl/8"));
    assert_eq!(events[4].raw, rec("ecs-1"), "the original, not the wrapper");
    // An ECS document without its original says how to export it.
    let ecs = r#"{"@timestamp":"2026-10-01T13:00:00Z","event":{"action":"GetObject"},"aws":{"cloudtrail":{"event_version":"1.08"}}}"#;
    let items = read(ecs);
    let [Err(bad)] = items.as_slice() else {
        panic!("a reject: {items:?}")
    };
    assert!(bad.reason.contains("event.original"), "{}", bad.reason);
}

#[test]
fn a_giant_key_on_a_later_line_is_refused_without_growing_the_window() {
    let data = format!(
        "{}\n{{\"{}\": 1}}\n{}\n",
        rec("a"),
        "k".repeat(200_000),
        rec("b")
    );
    let items = read_windowed(data.as_bytes(), 4096, 50_000);
    let (ids, bad) = summary(&items);
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(
        bad[0].contains("larger than the record size limit"),
        "{}",
        bad[0]
    );
}
