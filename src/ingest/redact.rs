//! Removing secrets before anything is stored or printed: the value of every key that names a
//! credential (`sessionToken`, `SecretAccessKey` / `secretAccessKey`, `aws_secret_access_key`,
//! `aws_session_token`, `aws_security_token`, `Authorization`, `X-Amz-Security-Token`,
//! `X-Amz-Signature`, in any case), wherever it appears in a record, is replaced with a
//! placeholder, and so is the same in text (`key = value` in a credentials file, `key: value`
//! in a header, `X-Amz-Security-Token=…` in a presigned URL, escaped JSON inside a string).
//! Access key IDs stay: they are identifiers, useless without the secret key and the token,
//! and attribution links on them.
//!
//! Cheap path first: a record whose bytes mention none of those names (one case-insensitive
//! multi-pattern scan) is stored as it came. Only the few that do are redacted structurally and
//! re-serialised, as compact JSON with sorted keys: what a `serde_json::Value` round trip
//! writes, produced in one pass without building the tree (the round trip stays as the
//! reference, and as the fallback for what the one pass refuses). Reject excerpts go through
//! the textual redaction ([`excerpt`]).

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// What a redacted secret is replaced with.
pub const REDACTED: &str = "<redacted>";

/// Keys whose values are secrets, lower case (compared without regard to case).
const SECRET_KEYS: [&str; 8] = [
    "sessiontoken",
    "secretaccesskey",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
    "authorization",
    "x-amz-security-token",
    "x-amz-signature",
];

/// What the textual redaction looks for: every secret key ends with one of these (any case).
const NEEDLES: [&str; 8] = [
    "sessiontoken",
    "secretaccesskey",
    "secret_access_key",
    "session_token",
    "security_token",
    "security-token",
    "authorization",
    "x-amz-signature",
];

/// What the cheap scan of every record looks for: the spellings of those names that logs,
/// SDKs and tools write (camelCase, PascalCase, snake_case, kebab-Case, upper and lower case).
/// Case-sensitive, so that the scan runs at memory speed (a case-blind one halved the reader's
/// throughput); a record it passes is redacted structurally, case-blind.
const GATE: [&str; 20] = [
    "essionToken",
    "essiontoken",
    "ESSIONTOKEN",
    "ession_token",
    "ESSION_TOKEN",
    "ecretAccessKey",
    "ecretaccesskey",
    "ECRETACCESSKEY",
    "ecret_access_key",
    "ECRET_ACCESS_KEY",
    "ecurity_token",
    "ECURITY_TOKEN",
    "ecurity-Token",
    "ecurity-token",
    "ECURITY-TOKEN",
    "uthorization",
    "UTHORIZATION",
    "mz-Signature",
    "mz-signature",
    "MZ-SIGNATURE",
];

fn finder() -> Option<&'static aho_corasick::AhoCorasick> {
    static FINDER: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> =
        std::sync::OnceLock::new();
    FINDER
        .get_or_init(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(NEEDLES)
                .ok()
        })
        .as_ref()
}

/// The gate's searcher: SIMD (Teddy) where the processor has it, else an automaton.
enum Gate {
    Packed(aho_corasick::packed::Searcher),
    Automaton(aho_corasick::AhoCorasick),
    /// The pattern set could not be built: everything is treated as possibly secret.
    All,
}

fn gate() -> &'static Gate {
    static GATE_SEARCHER: std::sync::OnceLock<Gate> = std::sync::OnceLock::new();
    GATE_SEARCHER.get_or_init(|| {
        let mut packed = aho_corasick::packed::Config::new().builder();
        if let Some(searcher) = packed.extend(GATE).build() {
            return Gate::Packed(searcher);
        }
        aho_corasick::AhoCorasick::new(GATE).map_or(Gate::All, Gate::Automaton)
    })
}

/// Whether `bytes` may hold a secret and so need redacting. (Should the pattern set ever fail
/// to build, everything is treated as possibly secret: slower, never leakier.)
pub fn may_hold_secret(bytes: &[u8]) -> bool {
    match gate() {
        Gate::Packed(s) => s.find(bytes).is_some(),
        Gate::Automaton(a) => a.is_match(bytes),
        Gate::All => true,
    }
}

/// Whether an object key names a secret.
pub fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS.iter().any(|k| key.eq_ignore_ascii_case(k))
}

/// The first bytes of a rejected record or line, as its stored excerpt: secrets masked first
/// (over a window larger than what is kept, so that a secret starting near the cut is seen),
/// then cut to 160 characters.
pub fn excerpt(bytes: &[u8]) -> Option<String> {
    if bytes.is_empty() {
        return None;
    }
    let window = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
    let clean = redact_text(&window);
    Some(clean.chars().take(160).collect())
}

/// Replaces every secret in `value`: the value of any key that names one (any case), and
/// secrets inside strings (embedded JSON, headers, URLs). Returns whether anything changed.
pub fn redact_value(value: &mut Value) -> bool {
    match value {
        Value::Object(map) => {
            let mut changed = false;
            for (k, v) in map.iter_mut() {
                if is_secret_key(k) {
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
/// original bytes); `Ok(Some(compact))` with the redacted record otherwise: compact JSON, object
/// keys sorted, as `serde_json::Value` writes it.
pub fn redact_record(text: &str) -> Result<Option<String>, serde_json::Error> {
    if !may_hold_secret(text.as_bytes()) {
        return Ok(None);
    }
    // The direct rewrite gives the same bytes as the `Value` round trip in less than half the
    // time; on anything serde_json refuses (numbers out of range, lone surrogates, deep
    // nesting, malformed JSON) it steps aside and the round trip decides, errors included.
    if let Some(out) = redact_canonical(text) {
        return Ok(out);
    }
    redact_via_value(text)
}

/// The reference: parse into a `serde_json::Value`, redact it, serialise it.
fn redact_via_value(text: &str) -> Result<Option<String>, serde_json::Error> {
    let mut value: Value = serde_json::from_str(text)?;
    if !redact_value(&mut value) {
        return Ok(None);
    }
    // Sorted whatever serde_json's features: another crate in the build (the AWS SDK's test
    // client, in test builds) can turn on `preserve_order`, which keeps the input's order.
    value.sort_all_objects();
    serde_json::to_string(&value).map(Some)
}

/// Redacts `text` by rewriting it directly as compact JSON with sorted keys: byte for byte what
/// [`redact_via_value`] gives, in one pass and without building a tree. `None` when serde_json
/// refuses the text (the caller then takes the round trip, which gives the same error).
fn redact_canonical(text: &str) -> Option<Option<String>> {
    let mut out = String::with_capacity(text.len());
    let mut de = serde_json::Deserializer::from_str(text);
    let changed = Canonical { out: &mut out }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(changed.then_some(out))
}

/// Writes the value it is given as `serde_json::Value` would serialise it after
/// [`redact_value`]; its result says whether a secret was replaced.
struct Canonical<'o> {
    out: &'o mut String,
}

impl<'de> DeserializeSeed<'de> for Canonical<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Canonical<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(false)
    }

    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        self.out.push_str("null");
        Ok(false)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        let _ = write!(self.out, "{v}");
        Ok(false)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        let _ = write!(self.out, "{v}");
        Ok(false)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<bool, E> {
        // serde_json's own float format (`1E2` is written `100.0`).
        self.out
            .push_str(&serde_json::to_string(&v).map_err(E::custom)?);
        Ok(false)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<bool, E> {
        // Borrowed means the input had no escapes in it, so nothing needs escaping (and a
        // redaction only puts `<redacted>` in): it is written as it came.
        let clean = redact_text(v);
        self.out.push('"');
        self.out.push_str(&clean);
        self.out.push('"');
        Ok(matches!(clean, Cow::Owned(_)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        let clean = redact_text(v);
        write_string(&clean, self.out);
        Ok(matches!(clean, Cow::Owned(_)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let mut changed = false;
        self.out.push('[');
        let mut first = true;
        loop {
            let mark = self.out.len();
            if !first {
                self.out.push(',');
            }
            match seq.next_element_seed(Canonical {
                out: &mut *self.out,
            })? {
                Some(c) => changed |= c,
                None => {
                    self.out.truncate(mark);
                    break;
                }
            }
            first = false;
        }
        self.out.push(']');
        Ok(changed)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        // Members are written one after another (`"key":value`, no separators) and then put
        // in `Value`'s order: its map is a `BTreeMap`, keys in byte order, the last of
        // duplicate keys winning.
        let start = self.out.len();
        let mut members: Vec<(Cow<'de, str>, usize, usize, bool)> = Vec::new();
        while let Some(Key(key)) = map.next_key()? {
            let from = self.out.len();
            match &key {
                // Borrowed: no escapes in the input, none needed in the output.
                Cow::Borrowed(k) => {
                    self.out.push('"');
                    self.out.push_str(k);
                    self.out.push('"');
                }
                Cow::Owned(k) => write_string(k, self.out),
            }
            self.out.push(':');
            let value_at = self.out.len();
            let mut changed = map.next_value_seed(Canonical {
                out: &mut *self.out,
            })?;
            if is_secret_key(&key) {
                // As in `redact_value`: a null or already-redacted value stays.
                let value = &self.out[value_at..];
                if value != "null" && value != REDACTED_JSON {
                    self.out.truncate(value_at);
                    self.out.push_str(REDACTED_JSON);
                    changed = true;
                }
            }
            members.push((key, from, self.out.len(), changed));
        }
        members.sort_by(|a, b| a.0.cmp(&b.0));
        let body = self.out.split_off(start);
        let mut changed = false;
        self.out.push('{');
        let mut first = true;
        for (i, (key, from, to, c)) in members.iter().enumerate() {
            if members.get(i + 1).is_some_and(|next| next.0 == *key) {
                continue;
            }
            if !first {
                self.out.push(',');
            }
            first = false;
            self.out.push_str(&body[from - start..to - start]);
            changed |= c;
        }
        self.out.push('}');
        Ok(changed)
    }
}

/// `REDACTED` as a JSON string.
const REDACTED_JSON: &str = "\"<redacted>\"";

/// Writes `s` as a JSON string, escaped as serde_json escapes it.
fn write_string(s: &str, out: &mut String) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else if let Ok(json) = serde_json::to_string(s) {
        out.push_str(&json);
    }
}

/// An object key, borrowed when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// Textual redaction for text that is not (or not known to be) valid JSON: reject excerpts,
/// strings that embed JSON or headers, credentials files. After every secret key name, if a
/// separator (`:` or `=`) follows, the value is masked: a quoted value (plain, escaped `\"` or
/// single quotes) to its closing quote, an unquoted one to the end of its token (to the end of
/// the line for `Authorization`, whose value holds spaces). A value cut off by the end of the
/// text is masked to the end.
pub fn redact_text(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let Some(finder) = finder() else {
        return Cow::Owned(REDACTED.to_owned());
    };
    for m in finder.find_iter(b) {
        if m.start() < copied {
            continue;
        }
        let header = b[m.start()..m.end()].eq_ignore_ascii_case(b"authorization");
        let Some((start, end)) = secret_value(b, m.end(), header) else {
            continue;
        };
        out.push_str(&text[copied..start]);
        out.push_str(REDACTED);
        copied = end;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The byte range of the value after a secret key name ending at `i`, if a value follows.
fn secret_value(b: &[u8], mut i: usize, header: bool) -> Option<(usize, usize)> {
    let ws = |b: &[u8], mut i: usize| {
        while b.get(i).is_some_and(|c| *c == b' ' || *c == b'\t') {
            i += 1;
        }
        i
    };
    // The key's closing quote, plain, escaped or single.
    if b[i..].starts_with(b"\\\"") {
        i += 2;
    } else if matches!(b.get(i), Some(b'"' | b'\'')) {
        i += 1;
    }
    i = ws(b, i);
    if !matches!(b.get(i), Some(b':' | b'=')) {
        return None;
    }
    i = ws(b, i + 1);
    // Headers written as lists: `"authorization": ["…"]`.
    if b.get(i) == Some(&b'[') {
        i = ws(b, i + 1);
    }
    let (start, end) = if b[i..].starts_with(b"\\\"") {
        let start = i + 2;
        let n = memchr::memchr(b'\\', &b[start..]).unwrap_or(b.len() - start);
        (start, start + n)
    } else if matches!(b.get(i), Some(b'"' | b'\'')) {
        let quote = b[i];
        let start = i + 1;
        let n = memchr::memchr2(quote, b'\\', &b[start..]).unwrap_or(b.len() - start);
        (start, start + n)
    } else {
        let start = i;
        let stop: &[u8] = if header {
            b"\"\\\r\n"
        } else {
            b" \t\r\n&\"'\\,;}]"
        };
        let n = b[start..]
            .iter()
            .position(|c| stop.contains(c))
            .unwrap_or(b.len() - start);
        (start, start + n)
    };
    let value = &b[start..end];
    if value.is_empty() || value == REDACTED.as_bytes() || value == b"null" {
        return None;
    }
    Some((start, end))
}

#[cfg(test)]
mod tests;
