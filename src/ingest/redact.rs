//! Removing secrets before anything is stored: every `sessionToken` value in a record (STS
//! `responseElements.credentials.sessionToken` above all, but wherever it appears) is replaced
//! with a placeholder. Access key IDs stay: they are identifiers, useless without the secret
//! key and the token, and attribution links on them.
//!
//! Cheap path first: a record whose bytes never mention `essionToken` (which covers the
//! camelCase and PascalCase spellings) is stored as it came. Only the few that do are parsed
//! into a `serde_json::Value`, redacted structurally, and re-serialised.

use std::borrow::Cow;

use serde_json::Value;

/// What a redacted secret is replaced with.
pub const REDACTED: &str = "<redacted>";

/// The part of `sessionToken` / `SessionToken` shared by both spellings.
const NEEDLE: &[u8] = b"essionToken";

/// Whether `bytes` may hold a session token and so need redacting.
pub fn mentions_session_token(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, NEEDLE).is_some()
}

/// Replaces every session-token value in `value`: the value of any key spelled
/// `sessionToken` (any case), and tokens inside strings that embed JSON (policy documents,
/// error messages quoting a request). Returns whether anything changed.
pub fn redact_value(value: &mut Value) -> bool {
    match value {
        Value::Object(map) => {
            let mut changed = false;
            for (k, v) in map.iter_mut() {
                if k.eq_ignore_ascii_case("sessionToken") {
                    if !v.is_null() && v.as_str() != Some(REDACTED) {
                        *v = Value::String(REDACTED.into());
                        changed = true;
                    }
                } else {
                    changed |= redact_value(v);
                }
            }
            changed
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, v| redact_value(v) | changed),
        Value::String(s) => {
            if let Cow::Owned(clean) = redact_text(s) {
                *s = clean;
                true
            } else {
                false
            }
        }
        _ => false,
    }
}

/// Redacts a record given as JSON text. `Ok(None)` when it holds no session token (store the
/// original bytes); `Ok(Some(compact))` with the redacted record otherwise.
pub fn redact_record(text: &str) -> Result<Option<String>, serde_json::Error> {
    if !mentions_session_token(text.as_bytes()) {
        return Ok(None);
    }
    let mut value: Value = serde_json::from_str(text)?;
    if !redact_value(&mut value) {
        return Ok(None);
    }
    serde_json::to_string(&value).map(Some)
}

/// Textual redaction for text that is not (or not known to be) valid JSON: reject excerpts,
/// strings that embed JSON. Masks the string after every `sessionToken` key, whether its quotes
/// are plain (`"sessionToken": "…"`) or escaped (`\"sessionToken\":\"…\"`); a value cut off by
/// the end of the text is masked to the end.
pub fn redact_text(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    if !mentions_session_token(b) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(hit) = memchr::memmem::find(&b[from..], NEEDLE) {
        let mut i = from + hit + NEEDLE.len();
        from = i;
        // The key's closing quote, plain or escaped, then `:` and the value's opening quote.
        if b[i..].starts_with(b"\\\"") {
            i += 2;
        } else if b.get(i) == Some(&b'"') {
            i += 1;
        }
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if b.get(i) != Some(&b':') {
            continue;
        }
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let escaped = b[i..].starts_with(b"\\\"");
        if escaped {
            i += 2;
        } else if b.get(i) == Some(&b'"') {
            i += 1;
        } else {
            continue;
        }
        let start = i;
        // Token characters are base64 (`A-Za-z0-9+/=`): the value ends at the first quote or
        // backslash, or at the end of the text.
        while i < b.len() && b[i] != b'"' && b[i] != b'\\' {
            i += 1;
        }
        if i > start {
            out.push_str(&text[copied..start]);
            out.push_str(REDACTED);
            copied = i;
        }
        from = i;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
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
}
