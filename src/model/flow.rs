//! A VPC flow log record, normalised.

/// One VPC flow log line. Fields absent from the log's format (or written `-`) are `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlowRecord {
    pub version: Option<i64>,
    pub account_id: Option<String>,
    pub interface_id: Option<String>,
    pub src_addr: Option<String>,
    pub dst_addr: Option<String>,
    pub src_port: Option<i64>,
    pub dst_port: Option<i64>,
    pub protocol: Option<i64>,
    pub packets: Option<i64>,
    pub bytes: Option<i64>,
    /// `start` / `end`, in ms.
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
    pub action: Option<String>,
    pub log_status: Option<String>,
    pub vpc_id: Option<String>,
    pub instance_id: Option<String>,
    pub region: Option<String>,
    /// Every field of the line as `name=value` pairs in the log's own order (custom formats
    /// carry more than the columns above).
    pub fields: Vec<(String, String)>,
}
