//! Flow log field names and layouts: which names a header line may carry, which column of
//! `FlowRecord` each feeds, and the fixed layouts AWS writes when no header names the fields.
//! Pure lookups; no I/O.

use std::sync::OnceLock;

/// Where a field's value goes, and how it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Column {
    Version,
    AccountId,
    InterfaceId,
    SrcAddr,
    DstAddr,
    SrcPort,
    DstPort,
    Protocol,
    Packets,
    Bytes,
    Start,
    End,
    Action,
    LogStatus,
    VpcId,
    InstanceId,
    Region,
    /// A documented numeric field with no column of its own (`tcp-flags`, `traffic-path`…):
    /// checked to be a number, kept in `fields`.
    Number,
    /// Any other field, documented or not: kept in `fields` as written.
    Text,
}

/// Every field AWS documents for VPC flow logs (v2–v8) and Transit Gateway flow logs (v6).
const KNOWN: &[(&str, Column)] = &[
    ("version", Column::Version),
    ("account-id", Column::AccountId),
    ("interface-id", Column::InterfaceId),
    ("srcaddr", Column::SrcAddr),
    ("dstaddr", Column::DstAddr),
    ("srcport", Column::SrcPort),
    ("dstport", Column::DstPort),
    ("protocol", Column::Protocol),
    ("packets", Column::Packets),
    ("bytes", Column::Bytes),
    ("start", Column::Start),
    ("end", Column::End),
    ("action", Column::Action),
    ("log-status", Column::LogStatus),
    ("vpc-id", Column::VpcId),
    ("subnet-id", Column::Text),
    ("instance-id", Column::InstanceId),
    ("tcp-flags", Column::Number),
    ("type", Column::Text),
    ("pkt-srcaddr", Column::Text),
    ("pkt-dstaddr", Column::Text),
    ("region", Column::Region),
    ("az-id", Column::Text),
    ("sublocation-type", Column::Text),
    ("sublocation-id", Column::Text),
    ("pkt-src-aws-service", Column::Text),
    ("pkt-dst-aws-service", Column::Text),
    ("flow-direction", Column::Text),
    ("traffic-path", Column::Number),
    ("ecs-cluster-arn", Column::Text),
    ("ecs-cluster-name", Column::Text),
    ("ecs-container-instance-arn", Column::Text),
    ("ecs-container-instance-id", Column::Text),
    ("ecs-container-id", Column::Text),
    ("ecs-second-container-id", Column::Text),
    ("ecs-service-name", Column::Text),
    ("ecs-task-definition-arn", Column::Text),
    ("ecs-task-arn", Column::Text),
    ("ecs-task-id", Column::Text),
    ("reject-reason", Column::Text),
    ("resource-type", Column::Text),
    ("tgw-id", Column::Text),
    ("tgw-attachment-id", Column::Text),
    ("tgw-src-vpc-account-id", Column::Text),
    ("tgw-dst-vpc-account-id", Column::Text),
    ("tgw-src-vpc-id", Column::Text),
    ("tgw-dst-vpc-id", Column::Text),
    ("tgw-src-subnet-id", Column::Text),
    ("tgw-dst-subnet-id", Column::Text),
    ("tgw-src-eni", Column::Text),
    ("tgw-dst-eni", Column::Text),
    ("tgw-src-az-id", Column::Text),
    ("tgw-dst-az-id", Column::Text),
    ("tgw-pair-attachment-id", Column::Text),
    ("packets-lost-no-route", Column::Number),
    ("packets-lost-blackhole", Column::Number),
    ("packets-lost-mtu-exceeded", Column::Number),
    ("packets-lost-ttl-expired", Column::Number),
];

/// The default format (version 2): the only layout AWS writes without being asked.
const V2: &[&str] = &[
    "version",
    "account-id",
    "interface-id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log-status",
];

/// Fields v3–v5 appended to the default ones, in the order of AWS's field table: what a custom
/// format "with all fields" lists, and what CloudWatch Logs exports of such logs carry.
const V5_EXTRA: &[&str] = &[
    "vpc-id",
    "subnet-id",
    "instance-id",
    "tcp-flags",
    "type",
    "pkt-srcaddr",
    "pkt-dstaddr",
    "region",
    "az-id",
    "sublocation-type",
    "sublocation-id",
    "pkt-src-aws-service",
    "pkt-dst-aws-service",
    "flow-direction",
    "traffic-path",
];

/// The v7 ECS fields, then v8's `reject-reason`.
const V8_EXTRA: &[&str] = &[
    "ecs-cluster-arn",
    "ecs-cluster-name",
    "ecs-container-instance-arn",
    "ecs-container-instance-id",
    "ecs-container-id",
    "ecs-second-container-id",
    "ecs-service-name",
    "ecs-task-definition-arn",
    "ecs-task-arn",
    "ecs-task-id",
    "reject-reason",
];

/// Transit Gateway flow logs' default format (all TGW fields, AWS's order).
const TGW: &[&str] = &[
    "version",
    "resource-type",
    "account-id",
    "tgw-id",
    "tgw-attachment-id",
    "tgw-src-vpc-account-id",
    "tgw-dst-vpc-account-id",
    "tgw-src-vpc-id",
    "tgw-dst-vpc-id",
    "tgw-src-subnet-id",
    "tgw-dst-subnet-id",
    "tgw-src-eni",
    "tgw-dst-eni",
    "tgw-src-az-id",
    "tgw-dst-az-id",
    "tgw-pair-attachment-id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "log-status",
    "type",
    "packets-lost-no-route",
    "packets-lost-blackhole",
    "packets-lost-mtu-exceeded",
    "packets-lost-ttl-expired",
    "tcp-flags",
    "region",
    "flow-direction",
    "pkt-src-aws-service",
    "pkt-dst-aws-service",
];

/// A field order: the names (canonical, hyphenated) and where each value goes.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Layout {
    pub names: Vec<String>,
    pub columns: Vec<Column>,
}

impl Layout {
    fn from_names<S: AsRef<str>>(names: &[S]) -> Layout {
        let names: Vec<String> = names.iter().map(|n| n.as_ref().to_string()).collect();
        let columns = names.iter().map(|n| column_of(n).unwrap_or(Column::Text));
        Layout {
            columns: columns.collect(),
            names,
        }
    }

    /// Reads a header line: every token a field name, most of them documented ones.
    ///
    /// Names are accepted as S3 delivery writes them (`account-id`), as Athena / Glue exports
    /// write them (`account_id`), and as the log-format string spells them (`${account-id}`).
    /// Undocumented names (fields newer than this code) are kept as text, provided most names
    /// are known: a data line never consists of field names.
    pub fn from_header(tokens: &[&str]) -> Option<Layout> {
        if tokens.is_empty() {
            return None;
        }
        let mut names = Vec::with_capacity(tokens.len());
        let mut known = 0;
        for t in tokens {
            let name = canonical_name(t)?;
            known += usize::from(column_of(&name).is_some());
            names.push(name);
        }
        (known * 2 > names.len()).then(|| Layout::from_names(&names))
    }

    /// The layout AWS writes without a header line for a line of `tokens`, if any.
    ///
    /// Files delivered to S3 always start with a header, but CloudWatch Logs exports and
    /// subscriptions carry the bare lines. Only AWS's fixed orders can be recognised there: the
    /// default v2 format (14 fields, version `2`), "all fields" custom formats in the field
    /// table's order (29 fields for v5, 39 with the ECS fields, 40 with `reject-reason`), and
    /// the Transit Gateway default (36 fields, a `tgw-` ID fourth). The caller still checks each
    /// value, so an unrelated 14-field line is rejected rather than misread.
    pub fn headerless(tokens: &[&str]) -> Option<&'static Layout> {
        // Built once each: CloudWatch exports are millions of bare lines.
        static LAYOUTS: [OnceLock<Layout>; 5] = [const { OnceLock::new() }; 5];
        let (slot, names): (usize, fn() -> Vec<&'static str>) = match tokens.len() {
            14 if tokens[0] == "2" => (0, || V2.to_vec()),
            29 => (1, || [V2, V5_EXTRA].concat()),
            39 => (2, || [V2, V5_EXTRA, &V8_EXTRA[..10]].concat()),
            40 => (3, || [V2, V5_EXTRA, V8_EXTRA].concat()),
            36 if tokens[3].starts_with("tgw-") => (4, || TGW.to_vec()),
            _ => return None,
        };
        Some(LAYOUTS[slot].get_or_init(|| Layout::from_names(&names())))
    }
}

/// The documented column of a canonical field name.
fn column_of(name: &str) -> Option<Column> {
    KNOWN.iter().find(|(n, _)| *n == name).map(|&(_, c)| c)
}

/// `account-id`, `account_id` and `${account-id}` all name `account-id`. `None` when the token
/// cannot be a field name (upper case, digits first, punctuation): that is data, not a header.
fn canonical_name(token: &str) -> Option<String> {
    let bare = token
        .strip_prefix("${")
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(token);
    let mut chars = bare.chars();
    let first = chars.next()?;
    if !first.is_ascii_lowercase() {
        return None;
    }
    if !bare
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        return None;
    }
    Some(bare.replace('_', "-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Vec<&str> {
        s.split_ascii_whitespace().collect()
    }

    #[test]
    fn s3_header_with_hyphens_is_a_layout() {
        let l = Layout::from_header(&split(&V2.join(" "))).expect("header");
        assert_eq!(l.names, V2);
        assert_eq!(l.columns[5], Column::SrcPort);
    }

    #[test]
    fn underscored_and_format_string_headers_name_the_same_fields() {
        let a = Layout::from_header(&split("version account_id srcaddr")).expect("header");
        let b = Layout::from_header(&split("${version} ${account-id} ${srcaddr}")).expect("header");
        assert_eq!(a, b);
        assert_eq!(a.names, ["version", "account-id", "srcaddr"]);
    }

    #[test]
    fn an_unknown_newer_field_is_kept_as_text_when_most_names_are_known() {
        let l = Layout::from_header(&split("version srcaddr encryption-status")).expect("header");
        assert_eq!(l.columns[2], Column::Text);
        assert!(Layout::from_header(&split("foo bar srcaddr")).is_none());
    }

    #[test]
    fn data_lines_are_never_headers() {
        for line in [
            "2 123456789010 eni-1 - - - - - - - 1 2 - NODATA",
            "ACCEPT OK",
            "us-east-1 use1-az5 ingress",
            "{\"version\": 2}",
        ] {
            assert!(Layout::from_header(&split(line)).is_none(), "{line}");
        }
    }

    #[test]
    fn headerless_layouts_follow_awss_fixed_orders() {
        let v2 = vec!["2"; 14];
        assert_eq!(Layout::headerless(&v2).expect("v2").names, V2);
        assert!(Layout::headerless(&["3"; 14]).is_none());
        let v8 = Layout::headerless(&["3"; 40]).expect("v8");
        assert_eq!(v8.names[39], "reject-reason");
        assert_eq!(v8.names[28], "traffic-path");
        let mut tgw = vec!["-"; 36];
        tgw[3] = "tgw-0a12";
        assert_eq!(Layout::headerless(&tgw).expect("tgw").names[3], "tgw-id");
        assert!(Layout::headerless(&["-"; 36]).is_none());
        assert!(Layout::headerless(&["2"; 13]).is_none());
    }
}
