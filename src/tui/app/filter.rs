//! The events filter as the filter prompt spells it (`api=… ip=… key=… failed`).

use crate::analysis::EventFilter;
use crate::present::safe;

/// A filter as the filter prompt spells it.
pub fn filter_text(f: &EventFilter) -> String {
    let mut parts = Vec::new();
    if let Some(a) = &f.api {
        parts.push(format!("api={a}"));
    }
    if let Some(i) = &f.source_ip {
        parts.push(format!("ip={i}"));
    }
    if let Some(k) = &f.access_key {
        parts.push(format!("key={k}"));
    }
    match f.failed {
        Some(true) => parts.push("failed".into()),
        Some(false) => parts.push("ok".into()),
        None => {}
    }
    parts.join(" ")
}

/// Parses `api=StopLogging ip=198.51.100.34 key=ASIA… failed` (a bare word is an API name).
pub fn parse_filter(text: &str) -> Result<EventFilter, String> {
    let mut f = EventFilter::default();
    for word in text.split_whitespace() {
        match word.split_once('=') {
            Some(("api", v)) => f.api = Some(v.to_string()),
            Some(("ip", v)) => f.source_ip = Some(v.to_string()),
            Some(("key", v)) => f.access_key = Some(v.to_string()),
            Some((k, _)) => return Err(format!("filter: unknown field {}", safe(k))),
            None if word == "failed" => f.failed = Some(true),
            None if word == "ok" => f.failed = Some(false),
            None => f.api = Some(word.to_string()),
        }
    }
    Ok(f)
}
