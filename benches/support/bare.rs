//! The bare parsing limit shared by the benchmarks: a typed, borrowed mirror of the fields an
//! index needs, free-form parts as raw JSON, no normalisation and no database.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Deserialize)]
struct Trail<'a> {
    #[serde(rename = "Records", borrow)]
    records: Vec<BareRecord<'a>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct BareRecord<'a> {
    #[serde(rename = "eventID", borrow)]
    event_id: Cow<'a, str>,
    #[serde(rename = "eventTime", borrow)]
    event_time: Cow<'a, str>,
    #[serde(rename = "eventSource", borrow)]
    event_source: Cow<'a, str>,
    #[serde(rename = "eventName", borrow)]
    event_name: Cow<'a, str>,
    #[serde(rename = "awsRegion", borrow, default)]
    region: Option<Cow<'a, str>>,
    #[serde(rename = "sourceIPAddress", borrow, default)]
    source_ip: Option<Cow<'a, str>>,
    #[serde(rename = "userAgent", borrow, default)]
    user_agent: Option<Cow<'a, str>>,
    #[serde(rename = "userIdentity", borrow, default)]
    user_identity: Option<&'a RawValue>,
    #[serde(rename = "requestParameters", borrow, default)]
    request_parameters: Option<&'a RawValue>,
    #[serde(rename = "responseElements", borrow, default)]
    response_elements: Option<&'a RawValue>,
}

/// Parses a `{"Records":[…]}` document; returns how many records it holds.
pub fn bare_parse(data: &[u8]) -> anyhow::Result<u64> {
    let t: Trail<'_> = serde_json::from_slice(data)?;
    std::hint::black_box(&t);
    Ok(t.records.len() as u64)
}
