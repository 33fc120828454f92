use super::*;

const HEADER: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol \
                      packets bytes start end action log-status";

/// Parses `text`, returning the records and the rejects.
fn run(text: &str) -> (Vec<FlowRecord>, Vec<Bad>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    let mut sink = |item: Result<Record, Bad>| -> Result<(), IngestError> {
        match item {
            Ok(Record::Flow(r)) => ok.push(*r),
            Ok(other) => panic!("not a flow record: {other:?}"),
            Err(b) => bad.push(b),
        }
        Ok(())
    };
    parse(text.as_bytes(), &mut sink).expect("parse");
    (ok, bad)
}

#[test]
fn default_format_with_header_fills_every_column() {
    let text = format!(
        "{HEADER}\n2 111122223333 eni-0a1b2c3d 192.0.2.10 198.51.100.7 443 49152 6 10 840 \
         1700000000 1700000060 ACCEPT OK\n"
    );
    let (ok, bad) = run(&text);
    assert!(bad.is_empty(), "{bad:?}");
    let r = &ok[0];
    assert_eq!(r.version, Some(2));
    assert_eq!(r.account_id.as_deref(), Some("111122223333"));
    assert_eq!(r.interface_id.as_deref(), Some("eni-0a1b2c3d"));
    assert_eq!(r.src_addr.as_deref(), Some("192.0.2.10"));
    assert_eq!(r.dst_addr.as_deref(), Some("198.51.100.7"));
    assert_eq!(
        (r.src_port, r.dst_port, r.protocol),
        (Some(443), Some(49152), Some(6))
    );
    assert_eq!((r.packets, r.bytes), (Some(10), Some(840)));
    assert_eq!(r.start_ms, Some(1_700_000_000_000));
    assert_eq!(r.end_ms, Some(1_700_000_060_000));
    assert_eq!(r.action.as_deref(), Some("ACCEPT"));
    assert_eq!(r.log_status.as_deref(), Some("OK"));
    assert_eq!(r.fields.len(), 14);
    assert_eq!(r.fields[3], ("srcaddr".into(), "192.0.2.10".into()));
}

#[test]
fn nodata_and_skipdata_lines_are_records_with_absent_fields() {
    let text = format!(
        "{HEADER}\n2 111122223333 eni-1 - - - - - - - 1700000000 1700000060 - NODATA\n\
         2 111122223333 eni-2 - - - - - - - 1700000000 1700000060 - SKIPDATA\n"
    );
    let (ok, bad) = run(&text);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[0].log_status.as_deref(), Some("NODATA"));
    assert_eq!(ok[1].log_status.as_deref(), Some("SKIPDATA"));
    assert_eq!(
        (
            ok[0].src_addr.as_ref(),
            ok[0].src_port,
            ok[0].action.as_ref()
        ),
        (None, None, None)
    );
    // The dash is kept in `fields`: it is what the log said.
    assert_eq!(ok[0].fields[3], ("srcaddr".into(), "-".into()));
}

#[test]
fn custom_order_is_read_from_the_header_and_kept_in_fields() {
    let text = "region vpc-id srcaddr srcport dstaddr dstport tcp-flags flow-direction instance-id\n\
                us-east-1 vpc-0abc 203.0.113.9 22 192.0.2.4 51000 18 egress i-0123456789abcdef0\n";
    let (ok, bad) = run(text);
    assert!(bad.is_empty(), "{bad:?}");
    let r = &ok[0];
    assert_eq!(r.region.as_deref(), Some("us-east-1"));
    assert_eq!(r.vpc_id.as_deref(), Some("vpc-0abc"));
    assert_eq!(r.instance_id.as_deref(), Some("i-0123456789abcdef0"));
    assert_eq!((r.src_port, r.dst_port), (Some(22), Some(51000)));
    assert_eq!(r.version, None);
    let names: Vec<&str> = r.fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names[..3], ["region", "vpc-id", "srcaddr"]);
    assert_eq!(r.fields[7], ("flow-direction".into(), "egress".into()));
}

#[test]
fn underscored_header_names_are_the_hyphenated_fields() {
    let text = "version account_id interface_id log_status\n5 444455556666 eni-9 OK\n";
    let (ok, bad) = run(text);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ok[0].account_id.as_deref(), Some("444455556666"));
    assert_eq!(ok[0].fields[1].0, "account-id");
    assert_eq!(ok[0].log_status.as_deref(), Some("OK"));
}

#[test]
fn a_malformed_line_is_rejected_by_number_and_the_rest_kept() {
    let text = format!(
        "{HEADER}\n\
         2 111122223333 eni-1 192.0.2.1 192.0.2.2 80 1024 6 1 40 1700000000 1700000060 ACCEPT OK\n\
         2 111122223333 eni-1 192.0.2.1 192.0.2.2 http 1024 6 1 40 1700000000 1700000060 ACCEPT OK\n\
         2 111122223333 eni-1 192.0.2.1 192.0.2.2 80 1024 6 1 40 1700000000 ACCEPT OK\n\
         2 111122223333 eni-1 192.0.2.1 192.0.2.2 80 70000 6 1 40 1700000000 1700000060 ACCEPT OK\n\
         2 111122223333 eni-1 192.0.2.3 192.0.2.2 80 1024 6 1 40 1700000000 1700000060 REJECT OK\n"
    );
    let (ok, bad) = run(&text);
    assert_eq!(ok.len(), 2);
    let got: Vec<(&str, &str)> = bad
        .iter()
        .map(|b| (b.position.as_str(), b.reason.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("line 3", "srcport is not a number: \"http\""),
            ("line 4", "13 fields where the header names 14"),
            ("line 5", "dstport out of range: \"70000\""),
        ]
    );
    assert!(
        bad[0]
            .excerpt
            .as_deref()
            .is_some_and(|e| e.contains("http"))
    );
}

#[test]
fn a_repeated_header_switches_the_layout() {
    let text = "version srcaddr dstaddr\n3 192.0.2.1 192.0.2.2\n\
                dstaddr srcaddr\n192.0.2.9 192.0.2.8\n";
    let (ok, bad) = run(text);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ok[1].src_addr.as_deref(), Some("192.0.2.8"));
    assert_eq!(ok[1].dst_addr.as_deref(), Some("192.0.2.9"));
}

#[test]
fn headerless_default_lines_are_accepted_as_cloudwatch_exports_write_them() {
    let text = "2 111122223333 eni-1 192.0.2.1 192.0.2.2 80 1024 6 1 40 1700000000 1700000060 ACCEPT OK\n\
                2024-01-01T00:00:05.000Z 2 111122223333 eni-1 192.0.2.1 192.0.2.2 80 1025 6 1 40 1700000000 1700000060 ACCEPT OK\r\n";
    assert!(detect(text.as_bytes()));
    let (ok, bad) = run(text);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[1].dst_port, Some(1025));
    assert_eq!(ok[1].log_status.as_deref(), Some("OK"));
}

#[test]
fn headerless_lines_of_an_unknown_layout_are_rejected() {
    let (ok, bad) = run("3 eni-1 192.0.2.1 192.0.2.2\n");
    assert!(ok.is_empty());
    assert!(
        bad[0].reason.starts_with("4 fields and no header"),
        "{}",
        bad[0].reason
    );
}

#[test]
fn unknown_account_of_service_interfaces_is_not_an_account() {
    let text = format!(
        "{HEADER}\n2 unknown eni-1 192.0.2.1 192.0.2.2 80 1024 6 1 40 1700000000 1700000060 ACCEPT OK\n"
    );
    let (ok, _) = run(&text);
    assert_eq!(ok[0].account_id, None);
    assert_eq!(ok[0].fields[1].1, "unknown");
}

#[test]
fn detect_claims_flow_logs_and_nothing_else() {
    assert!(detect(format!("{HEADER}\n").as_bytes()));
    assert!(detect(
        b"\xEF\xBB\xBFinstance-id interface-id srcaddr\n- eni-1 192.0.2.1\n"
    ));
    assert!(detect(b"srcaddr dstaddr\n192.0.2.1 192.0.2.2\n"));
    for not_flow in [
        &b"{\"Records\": []}"[..],
        b"[{\"version\": 2}]",
        b"version 2 of the notes\nsee below\n",
        b"start end\nthe end\n",
        b"hello world\n",
        b"",
        b"\n\n",
        b"\x1f\x8b\x08\x00",
    ] {
        assert!(!detect(not_flow), "{:?}", String::from_utf8_lossy(not_flow));
    }
}

#[test]
fn transit_gateway_lines_without_a_header_use_the_tgw_layout() {
    let line = "6 TransitGateway 111122223333 tgw-0a1 tgw-attach-0b2 111122223333 444455556666 \
                vpc-1 vpc-2 subnet-1 subnet-2 eni-1 eni-2 use1-az1 use1-az2 - 192.0.2.1 \
                198.51.100.2 443 50000 6 10 1000 1700000000 1700000060 OK IPv4 0 0 0 0 3 \
                us-east-1 ingress - -\n";
    let (ok, bad) = run(line);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ok[0].account_id.as_deref(), Some("111122223333"));
    assert_eq!(ok[0].src_port, Some(443));
    assert_eq!(ok[0].region.as_deref(), Some("us-east-1"));
    assert_eq!(ok[0].interface_id, None);
}

#[test]
fn a_bare_message_from_cloudwatch_json_reads_as_a_record() {
    let r = parse_message("2 111122223333 eni-1 - - - - - - - 1700000000 1700000060 - NODATA")
        .expect("reads");
    assert_eq!(r.log_status.as_deref(), Some("NODATA"));
    assert!(parse_message("hello").is_err());
}
