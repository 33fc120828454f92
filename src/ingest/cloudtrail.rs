//! Normalising one CloudTrail record (typed, borrowed serde mirror) into `model::Event`: the
//! columns the queries need, the caller's identity, the STS issuance fields, and the original
//! record with its session tokens redacted. Pure: bytes in, an `Event` or a reason out.
//!
//! Tolerant, not credulous: booleans written as strings, numbers where strings belong, old and
//! new `eventVersion`s and missing optional blocks are all accepted; a record without
//! `eventTime`, `eventName` or `eventSource` is refused with a reason naming the field, never
//! completed by guessing.

mod mirror;
mod siem;
mod sts;

pub(crate) use mirror::{RawRecord, Text};

use std::fmt::Write as _;

use serde_json::Value;

use super::redact;
use super::time::parse_event_time;
use crate::model::{Event, Identity, UserType};

/// Prefix of the event IDs rolecall derives for records that have none.
pub const DERIVED_ID_PREFIX: &str = "rolecall-";

/// Parses and normalises one CloudTrail record. `Err` is the reason it was refused.
pub fn parse_record(bytes: &[u8]) -> Result<Event, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not valid UTF-8: {e}"))?;
    let raw: RawRecord = serde_json::from_str(text).map_err(|e| format!("malformed JSON: {e}"))?;
    normalise(&raw, text)
}

/// Normalises an already-parsed record; `text` is the record's JSON (the mirror borrows from it).
pub(crate) fn normalise(raw: &RawRecord<'_>, text: &str) -> Result<Event, String> {
    let mut missing = Vec::new();
    // Logstash and Elastic move `eventTime` to `@timestamp`.
    let event_time_field = siem::event_time(raw);
    for (name, field) in [
        ("eventTime", event_time_field),
        ("eventName", &raw.event_name),
        ("eventSource", &raw.event_source),
    ] {
        match field {
            Text::Str(s) if !s.trim().is_empty() => {}
            Text::Structured => return Err(format!("{name} is not a string")),
            _ => missing.push(name),
        }
    }
    if !missing.is_empty() {
        // Insights events are CloudTrail records, but they describe unusual API activity rather
        // than being a call: they have no eventName or caller. Say so instead of "malformed".
        if raw.event_type.get() == Some("AwsCloudTrailInsight") {
            return Err(
                "CloudTrail Insights event (no eventName): not an API call, not stored".into(),
            );
        }
        return Err(format!("missing {}", missing.join(", ")));
    }
    let event_time = event_time_field.get().unwrap_or_default();
    let time_ms = parse_event_time(event_time).ok_or_else(|| {
        format!(
            "eventTime is not a timestamp: {:?}",
            event_time.chars().take(60).collect::<String>()
        )
    })?;
    let event_source = raw.event_source.get().unwrap_or_default().trim().to_owned();
    let event_name = raw.event_name.get().unwrap_or_default().trim().to_owned();

    // Session tokens never reach the store. Most records do not mention one and are kept as
    // they came; the few that do are parsed, redacted and re-serialised.
    let redacted = redact::redact_record(text).map_err(|e| format!("malformed JSON: {e}"))?;
    let raw_text = redacted.unwrap_or_else(|| text.to_owned());

    let event_id = match raw.event_id.get().map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => id.to_owned(),
        None => derive_event_id(&raw_text)?,
    };
    let identity = raw
        .user_identity
        .as_ref()
        .map(identity_of)
        .unwrap_or_default();
    // `recipientAccountId` (eventVersion 1.02+) is the account the event was delivered to;
    // older records only have the caller's account.
    let account_id = raw
        .recipient_account_id
        .owned()
        .or_else(|| identity.account_id.clone());
    let sts = sts::sts_call(raw, &event_source, &event_name);
    Ok(Event {
        event_id,
        time_ms,
        event_version: raw.event_version.owned(),
        account_id,
        region: raw.aws_region.owned(),
        event_source,
        event_name,
        error_code: raw.error_code.owned(),
        read_only: raw.read_only.0,
        identity,
        source_ip: raw.source_ip.owned().or_else(|| siem::client_ip(raw)),
        user_agent: raw.user_agent.owned().or_else(|| siem::user_agent(raw)),
        shared_event_id: raw.shared_event_id.owned(),
        sts,
        raw: raw_text,
    })
}

fn identity_of(u: &mirror::RawIdentity<'_>) -> Identity {
    let ctx = u.session_context.as_ref();
    let issuer = ctx.and_then(|c| c.session_issuer.as_ref());
    let attributes = ctx.and_then(|c| c.attributes.as_ref());
    Identity {
        user_type: u
            .user_type
            .get()
            .filter(|s| !s.is_empty())
            .map(UserType::parse),
        principal_id: u.principal_id.owned(),
        arn: u.arn.owned(),
        account_id: u.account_id.owned(),
        access_key_id: u.access_key_id.owned(),
        // IdentityCenterUser records carry no userName; the Identity Center user ID in
        // `onBehalfOf.userId` is the closest thing to one.
        user_name: u
            .user_name
            .owned()
            .or_else(|| u.on_behalf_of.as_ref().and_then(|o| o.user_id.owned())),
        identity_provider: u.identity_provider.owned(),
        issuer_arn: issuer.and_then(|i| i.arn.owned()),
        issuer_principal_id: issuer.and_then(|i| i.principal_id.owned()),
        session_created_ms: attributes
            .and_then(|a| a.creation_date.get())
            .and_then(parse_event_time),
        mfa_authenticated: attributes.and_then(|a| a.mfa_authenticated.0),
        source_identity: ctx.and_then(|c| c.source_identity.owned()),
        invoked_by: u.invoked_by.owned(),
    }
}

/// A stable ID for a record without `eventID` (test data and hand-written samples often lack
/// one): `rolecall-` and the xxh3-128 of the record's canonical form (keys sorted, no
/// whitespace). Canonical, not the bytes as read, so that the same record pretty-printed in one
/// file and compact in another gets the same ID and re-ingest stays idempotent.
pub fn derive_event_id(record: &str) -> Result<String, String> {
    let value: Value = serde_json::from_str(record).map_err(|e| format!("malformed JSON: {e}"))?;
    let mut canonical = String::with_capacity(record.len());
    write_canonical(&value, &mut canonical);
    let hash = xxhash_rust::xxh3::xxh3_128(canonical.as_bytes());
    Ok(format!("{DERIVED_ID_PREFIX}{hash:032x}"))
}

/// Compact JSON with object keys sorted, whatever map type serde_json was built with.
fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        Value::String(s) => write_string(s, out),
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    // serde_json's string escaping is canonical (the same escapes for the same text).
    out.push_str(&Value::String(s.to_owned()).to_string());
}

#[cfg(test)]
mod tests;
