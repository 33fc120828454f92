//! CloudTrail records as SIEM exports hand them back: the record is all there, but a few fields
//! have moved. Read back from where each SIEM puts them (the stored record stays as it came):
//! - Logstash's CloudTrail codec, and Elastic pipelines built on it, move `eventTime` into
//!   `@timestamp` (and add `@version`);
//! - Datadog's CloudTrail pipeline moves `sourceIPAddress` to `network.client.ip`, `userAgent`
//!   to `http.useragent` and `requestID` to `http.request_id` (and adds `aws`, `evt`, `http`,
//!   `network`, `service`); its exports write these nested, or as dotted keys.
//!
//! Wrappers around whole records (an Elasticsearch hit's `_source`, a Splunk `result._raw`, a
//! Datadog API log's `attributes`, Elastic's `event.original`) are unwrapped by the JSON
//! classifier before a record gets here.

use serde::Deserialize;

use super::mirror::{RawRecord, Text};

/// `eventTime`, else `@timestamp`.
pub fn event_time<'r, 'a>(raw: &'r RawRecord<'a>) -> &'r Text<'a> {
    match (&raw.event_time, &raw.at_timestamp) {
        (Text::Absent | Text::Null, t @ Text::Str(_)) => t,
        (t, _) => t,
    }
}

/// Datadog's `network.client.ip`.
pub fn client_ip(raw: &RawRecord<'_>) -> Option<String> {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Network<'a> {
        #[serde(borrow)]
        client: Option<Client<'a>>,
    }
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Client<'a> {
        #[serde(borrow)]
        ip: Text<'a>,
    }
    raw.network_client_ip.owned().or_else(|| {
        let n: Network = serde_json::from_str(raw.network?.get()).ok()?;
        n.client?.ip.owned()
    })
}

/// Datadog's `http.useragent`.
pub fn user_agent(raw: &RawRecord<'_>) -> Option<String> {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Http<'a> {
        #[serde(borrow)]
        useragent: Text<'a>,
    }
    raw.http_useragent.owned().or_else(|| {
        let h: Http = serde_json::from_str(raw.http?.get()).ok()?;
        h.useragent.owned()
    })
}
