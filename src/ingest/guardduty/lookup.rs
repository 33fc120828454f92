//! Reading GuardDuty finding JSON whatever its casing, plus the scalar conversions findings need
//! (timestamps, numbers written as strings). Pure functions over `serde_json::Value`.

use chrono::{DateTime, NaiveDateTime};
use serde_json::{Map, Value};

/// The key casing of a finding: the API (`aws guardduty get-findings`) writes PascalCase
/// (`Service.EventFirstSeen`); EventBridge events and S3 exports write camelCase
/// (`service.eventFirstSeen`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Casing {
    Camel,
    Pascal,
}

impl Casing {
    /// Decided from the keys every finding carries. Mixed objects (hand-edited samples) still
    /// read: `Finding::get` falls back to the other casing key by key.
    pub fn of(obj: &Map<String, Value>) -> Casing {
        let pascal = ["Id", "Type", "UpdatedAt", "Severity", "Service", "Resource"];
        if pascal.iter().any(|k| obj.contains_key(*k)) {
            Casing::Pascal
        } else {
            Casing::Camel
        }
    }
}

/// A finding object with its casing: paths are written in camelCase and looked up in either.
pub(super) struct Node<'a> {
    value: &'a Value,
    casing: Casing,
}

impl<'a> Node<'a> {
    pub fn new(value: &'a Value, casing: Casing) -> Node<'a> {
        Node { value, casing }
    }

    /// The value at a camelCase `path` (e.g. `["service", "eventFirstSeen"]`), in the finding's
    /// casing first, then in the other. JSON `null` counts as absent.
    pub fn get(&self, path: &[&str]) -> Option<&'a Value> {
        let mut cur = self.value;
        for key in path {
            let obj = cur.as_object()?;
            let pascal = pascal_case(key);
            let (first, second) = match self.casing {
                Casing::Camel => (*key, pascal.as_str()),
                Casing::Pascal => (pascal.as_str(), *key),
            };
            cur = obj.get(first).or_else(|| obj.get(second))?;
        }
        (!cur.is_null()).then_some(cur)
    }

    /// A sub-node at `path`.
    pub fn node(&self, path: &[&str]) -> Option<Node<'a>> {
        self.get(path).map(|v| Node::new(v, self.casing))
    }

    /// The elements of the array at `path` (none when absent or not an array).
    pub fn items(&self, path: &[&str]) -> Vec<Node<'a>> {
        match self.get(path) {
            Some(Value::Array(items)) => items.iter().map(|v| Node::new(v, self.casing)).collect(),
            _ => Vec::new(),
        }
    }

    /// A non-empty string at `path`. Numbers are accepted too: some exporters write account
    /// IDs unquoted.
    pub fn text(&self, path: &[&str]) -> Option<String> {
        match self.get(path)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// `eventFirstSeen` → `EventFirstSeen`. GuardDuty's two casings differ only in the first letter
/// (`ipAddressV4` / `IpAddressV4`, `awsApiCallAction` / `AwsApiCallAction`).
fn pascal_case(key: &str) -> String {
    let mut chars = key.chars();
    match chars.next() {
        Some(c) => c.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// A number written as a JSON number or a string: EventBridge has been seen writing
/// `"severity": "8"`, and `8.0` where the API writes `8`.
pub(super) fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// A GuardDuty timestamp in UTC milliseconds.
///
/// The API and EventBridge write ISO 8601 with or without fractions (`2020-02-14T17:59:17Z`,
/// `2020-02-14T18:12:22.316Z`); pipelines that re-serialise findings (Panther, SIEM exports)
/// write `2025-02-25 20:40:06.721` or nine-digit fractions with no zone, which is UTC. SDKs that
/// serialise timestamps as numbers write epoch seconds (with a fraction) or milliseconds.
pub(super) fn timestamp_ms(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) => parse_time(s.trim()),
        Value::Number(n) => {
            let f = n.as_f64()?;
            // Epoch seconds until the year 5138; anything larger is already milliseconds.
            let ms = if f.abs() < 1e11 { f * 1000.0 } else { f };
            ms.is_finite().then_some(ms.round() as i64)
        }
        _ => None,
    }
}

fn parse_time(s: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    // Offsets without a colon (`+0000`), which RFC 3339 does not allow.
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"] {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Some(t.timestamp_millis());
        }
    }
    // No zone at all: GuardDuty's times are UTC.
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc().timestamp_millis());
        }
    }
    None
}

/// `json` without insignificant whitespace, keys in their original order and numbers as
/// written (re-serialising a `Value` would sort keys and may reformat numbers). `json` must be
/// valid JSON.
pub(super) fn compact(json: &[u8]) -> String {
    let mut out = Vec::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    for &b in json {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
            out.push(b);
        } else if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            out.push(b);
        }
    }
    // Whitespace is ASCII and never inside a multi-byte sequence: what remains is still UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_read_in_every_form_findings_use() {
        let whole = 1_581_703_157_000;
        for (v, want) in [
            (json!("2020-02-14T17:59:17Z"), whole),
            (json!("2020-02-14T17:59:17.316Z"), whole + 316),
            (json!("2020-02-14T18:59:17+01:00"), whole),
            (json!("2020-02-14T17:59:17.000+0000"), whole),
            (json!("2020-02-14 17:59:17.316"), whole + 316),
            (json!("2020-02-14 17:59:17.000000000"), whole),
            (json!("2020-02-14T17:59:17"), whole),
            (json!(1_581_703_157), whole),
            (json!(1_581_703_157.316), whole + 316),
            (json!(1_581_703_157_316_i64), whole + 316),
        ] {
            assert_eq!(timestamp_ms(&v), Some(want), "{v}");
        }
        assert_eq!(timestamp_ms(&json!("yesterday")), None);
        assert_eq!(timestamp_ms(&json!(null)), None);
    }

    #[test]
    fn numbers_read_from_numbers_and_strings() {
        assert_eq!(number(&json!(8)), Some(8.0));
        assert_eq!(number(&json!(8.0)), Some(8.0));
        assert_eq!(number(&json!("8")), Some(8.0));
        assert_eq!(number(&json!(" 5.5 ")), Some(5.5));
        assert_eq!(number(&json!("HIGH")), None);
        assert_eq!(number(&json!("NaN")), None);
    }

    #[test]
    fn compact_keeps_key_order_and_whitespace_inside_strings() {
        let src = b"{ \"b\" : 1,\n  \"a\": \"x \\\" y\" ,\"n\": 1.50 }";
        assert_eq!(compact(src), r#"{"b":1,"a":"x \" y","n":1.50}"#);
    }

    #[test]
    fn paths_read_in_either_casing_preferring_the_findings_own() {
        let v = json!({"Service": {"EventFirstSeen": "a", "eventFirstSeen": "b"}});
        let pascal = Node::new(&v, Casing::Pascal);
        assert_eq!(
            pascal.text(&["service", "eventFirstSeen"]).as_deref(),
            Some("a")
        );
        let camel = Node::new(&v, Casing::Camel);
        assert_eq!(
            camel.text(&["service", "eventFirstSeen"]).as_deref(),
            Some("b")
        );
        assert_eq!(camel.get(&["service", "missing"]), None);
    }
}
