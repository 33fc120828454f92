//! Classifying one JSON object and handing it to the right normaliser: a CloudTrail record, a
//! `lookup-events` entry (the record is a JSON string in `CloudTrailEvent`), an EventBridge
//! envelope (`detail-type` + `detail`: a CloudTrail record or a GuardDuty finding), a GuardDuty
//! finding in either casing, a nested container of records, or a VPC flow log line wrapped as
//! `{"message": …}` (handed to the flow log reader). Anything else is rejected with
//! a reason that says what the object looked like.

use serde_json::value::RawValue;
use std::borrow::Cow;

use super::split::{Outcome, Pass, Pos};
use crate::ingest::cloudtrail::{self, RawRecord, Text};
use crate::ingest::{Bad, IngestError, Record, guardduty, vpcflow};

/// What an object is, decided from its keys.
pub(super) enum Kind<'a> {
    /// `{"Records": […]}` or `{"Findings": […]}` inside an array or a line.
    Container(&'a RawValue),
    /// A `lookup-events` entry and its `CloudTrailEvent`.
    LookupEntry(&'a RawValue),
    /// An EventBridge envelope.
    Envelope,
    CloudTrail,
    Finding,
    /// `{"message": "…"}`: a VPC flow log line as CloudWatch Logs and Firehose export it.
    FlowMessage,
    /// A record inside a SIEM's wrapper object: an Elasticsearch hit's `_source`, a Splunk
    /// export's `result`, a Datadog API log's `attributes`.
    Wrapped(&'a RawValue),
    /// The original record kept as JSON text: Splunk's `_raw`, Elastic's `event.original`.
    Original(Cow<'a, str>),
    Unknown,
}

pub(super) fn kind_of<'a>(raw: &RawRecord<'a>) -> Kind<'a> {
    if let Some(array) = raw.records.or(raw.findings) {
        return Kind::Container(array);
    }
    if let Some(inner) = raw.cloudtrail_event {
        return Kind::LookupEntry(inner);
    }
    if raw.detail_type.is_present() || (raw.detail.is_some() && raw.source.is_present()) {
        return Kind::Envelope;
    }
    // Any CloudTrail key, even `null`, makes it a CloudTrail record: whether it is a usable
    // one is for the normaliser to say, with a reason naming what is missing.
    let absent = |t: &Text| matches!(t, Text::Absent);
    if !(absent(&raw.event_time)
        && absent(&raw.event_name)
        && absent(&raw.event_source)
        && absent(&raw.event_id)
        && absent(&raw.event_version)
        && raw.user_identity.is_none())
    {
        return Kind::CloudTrail;
    }
    if raw.finding_type.is_present()
        && (raw.severity.is_present() || raw.schema_version.is_present())
    {
        return Kind::Finding;
    }
    if let Some(inner) = raw.es_source.filter(|v| is_object(v)) {
        return Kind::Wrapped(inner);
    }
    if let Some(text) = original_text(raw) {
        return Kind::Original(text);
    }
    if matches!(raw.message, Text::Str(_)) {
        return Kind::FlowMessage;
    }
    if let Some(inner) = raw.result.or(raw.attributes).filter(|v| is_object(v)) {
        return Kind::Wrapped(inner);
    }
    Kind::Unknown
}

fn is_object(v: &RawValue) -> bool {
    v.get().starts_with('{')
}

/// The original record a SIEM kept as text: `_raw` (Splunk), `event.original` (Elastic, as a
/// nested or a dotted key).
fn original_text<'a>(raw: &RawRecord<'a>) -> Option<Cow<'a, str>> {
    #[derive(serde::Deserialize)]
    struct EcsEvent<'b> {
        #[serde(borrow, default)]
        original: Text<'b>,
    }
    let candidates = [&raw.splunk_raw, &raw.event_original];
    if let Some(Text::Str(s)) = candidates.into_iter().find(|t| matches!(t, Text::Str(_))) {
        return Some(s.clone());
    }
    let event: EcsEvent<'a> = serde_json::from_str(raw.event?.get()).ok()?;
    match event.original {
        Text::Str(s) => Some(s),
        _ => None,
    }
}

/// Whether `bytes` is an object this reader can ingest (used to find where to resume after a
/// broken record).
pub fn is_known_record(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|t| serde_json::from_str::<RawRecord>(t).ok())
        .is_some_and(|raw| !matches!(kind_of(&raw), Kind::Unknown))
}

impl<'d> Pass<'d, '_, '_> {
    /// The fast path for the value starting at `start`: parse it in place and let serde find
    /// where it ends, with no separate scan for its boundary. `Some(outcome)` when the value was
    /// a well-formed object and has been handled (accepted or rejected for what it says);
    /// `None` when it is not (not an object, malformed, truncated, not valid UTF-8, or running
    /// past the window): the caller then scans for its end and calls [`Pass::element`], which
    /// reports exactly what is wrong, at the same position and with the same reason.
    pub fn parsed_element(
        &mut self,
        start: usize,
        pos: Pos,
    ) -> Result<Option<Outcome>, IngestError> {
        let Some(rest) = self.text.get(start..) else {
            return Ok(None);
        };
        if !rest.starts_with('{') {
            return Ok(None);
        }
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<RawRecord<'d>>();
        let Some(Ok(raw)) = values.next() else {
            return Ok(None);
        };
        let len = values.byte_offset();
        let Some(text) = rest.get(..len) else {
            return Ok(None);
        };
        let end = start + len;
        if len > self.max_record() {
            return Ok(None);
        }
        self.classified(&raw, text, start, end, pos).map(Some)
    }

    /// Classifies and normalises the value at `start..end`, handing the result to the sink.
    pub fn element(&mut self, start: usize, end: usize, pos: Pos) -> Result<Outcome, IngestError> {
        let data = self.data;
        let bytes = &data[start..end];
        let done = Outcome::At(end);
        if bytes.first() != Some(&b'{') {
            self.reject(start, end, pos, "not a JSON object".into())?;
            return Ok(done);
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                self.reject(start, end, pos, format!("not valid UTF-8: {e}"))?;
                return Ok(done);
            }
        };
        let raw: RawRecord = match serde_json::from_str(text) {
            Ok(r) => r,
            // Its brackets balance but it does not parse: the end the scanner found is not to
            // be trusted (a lost or added quote turns strings inside out and can make any
            // bracket look like the record's last), so the splitter looks for the next record.
            Err(e) => return Ok(Outcome::Malformed(format!("malformed JSON: {e}"))),
        };
        self.classified(&raw, text, start, end, pos)
    }

    /// Hands the parsed object `raw` (whose JSON is `text`, at `start..end`) to the
    /// normaliser its keys call for.
    fn classified(
        &mut self,
        raw: &RawRecord<'_>,
        text: &str,
        start: usize,
        end: usize,
        pos: Pos,
    ) -> Result<Outcome, IngestError> {
        let bytes = text.as_bytes();
        let done = Outcome::At(end);
        let result = match kind_of(raw) {
            Kind::Container(array) => return self.nested_at(array, start, end, pos),
            Kind::CloudTrail => cloudtrail::normalise(raw, text).map(event),
            Kind::LookupEntry(inner) => lookup_entry(inner),
            Kind::Envelope => envelope(raw),
            Kind::Finding => guardduty::parse_finding(bytes).map(finding),
            Kind::Wrapped(inner) => inner_record(inner.get(), 1),
            Kind::Original(inner) => inner_record(&inner, 1),
            Kind::FlowMessage => {
                self.flow_message(raw.message.get(), start, end, pos)?;
                return Ok(done);
            }
            Kind::Unknown => Err(unknown(raw, text)),
        };
        match result {
            Ok(record) => self.accept(record)?,
            Err(reason) => self.reject(start, end, pos, reason)?,
        }
        Ok(done)
    }

    /// A flow log line wrapped in `{"message": …}`: read by the flow log reader, its rejects
    /// placed under `pos`.
    fn flow_message(
        &mut self,
        message: Option<&str>,
        start: usize,
        end: usize,
        pos: Pos,
    ) -> Result<(), IngestError> {
        let message = message.unwrap_or_default();
        if !vpcflow::detect(message.as_bytes()) {
            let reason = "a {\"message\"} object whose text is not a VPC flow log line".into();
            return self.reject(start, end, pos, reason);
        }
        let prefix = pos.to_string();
        let sink = self.sink_mut();
        let mut placed = |item: Result<Record, Bad>| match item {
            Err(mut bad) => {
                bad.position = format!("{prefix}: {}", bad.position);
                sink(Err(bad))
            }
            ok => sink(ok),
        };
        vpcflow::parse(message.as_bytes(), &mut placed)
    }

    /// A container inside an array element or a line: its records are read like the file's
    /// own, placed under `pos` (by the splitter). One level only.
    fn nested_at(
        &mut self,
        array: &RawValue,
        start: usize,
        end: usize,
        pos: Pos,
    ) -> Result<Outcome, IngestError> {
        let done = Outcome::At(end);
        if pos.parent.is_some() {
            let reason = "a container of records nested inside another: not read".into();
            self.reject(start, end, pos, reason)?;
            return Ok(done);
        }
        if !array.get().starts_with('[') {
            let reason = "Records / Findings is not an array".into();
            self.reject(start, end, pos, reason)?;
            return Ok(done);
        }
        // The raw value borrows from the window: its offset there is where the array starts.
        let offset = (array.get().as_ptr() as usize).wrapping_sub(self.data.as_ptr() as usize);
        if offset <= start || offset >= end {
            let reason = "internal: container outside the record".into();
            self.reject(start, end, pos, reason)?;
            return Ok(done);
        }
        Ok(Outcome::Nested { array: offset, end })
    }
}

fn event(e: crate::model::Event) -> Record {
    Record::Event(Box::new(e))
}

fn finding(f: crate::model::Finding) -> Record {
    Record::Finding(Box::new(f))
}

/// A `lookup-events` entry: the CloudTrail record is a JSON string in `CloudTrailEvent` (some
/// re-exports write it as an object). The stored record is that inner record.
fn lookup_entry(inner: &RawValue) -> Result<Record, String> {
    let json = inner.get();
    let record: Cow<str> = if json.starts_with('"') {
        serde_json::from_str(json).map_err(|e| format!("CloudTrailEvent: {e}"))?
    } else if json.starts_with('{') {
        Cow::Borrowed(json)
    } else {
        return Err("CloudTrailEvent is neither a JSON string nor an object".into());
    };
    cloudtrail::parse_record(record.as_bytes())
        .map(event)
        .map_err(|e| format!("CloudTrailEvent: {e}"))
}

/// An EventBridge envelope: GuardDuty findings (`source` `aws.guardduty`, `detail-type`
/// `GuardDuty Finding`) and CloudTrail records (`AWS API Call via CloudTrail`, `AWS Console
/// Sign In via CloudTrail`, `AWS Service Event via CloudTrail`…) travel in `detail`.
fn envelope(raw: &RawRecord<'_>) -> Result<Record, String> {
    let detail_type = raw.detail_type.get().unwrap_or("");
    let source = raw.source.get().unwrap_or("");
    let Some(detail) = raw.detail else {
        return Err(format!(
            "EventBridge event {detail_type:?} without a detail"
        ));
    };
    let detail_text = detail.get();
    if source == "aws.guardduty" || detail_type == "GuardDuty Finding" {
        return guardduty::parse_finding(detail_text.as_bytes()).map(finding);
    }
    let inner: RawRecord =
        serde_json::from_str(detail_text).map_err(|e| format!("detail: malformed JSON: {e}"))?;
    match kind_of(&inner) {
        Kind::CloudTrail => cloudtrail::normalise(&inner, detail_text).map(event),
        Kind::Finding => guardduty::parse_finding(detail_text.as_bytes()).map(finding),
        _ => Err(format!(
            "EventBridge event {detail_type:?} from {source:?}: the detail is neither a \
             CloudTrail record nor a GuardDuty finding"
        )),
    }
}

/// A record found inside a wrapper (`depth` wrappers deep): classified like a file's own, one
/// record, no containers. The stored record is the inner one, as the wrapper held it.
fn inner_record(text: &str, depth: u8) -> Result<Record, String> {
    let raw: RawRecord =
        serde_json::from_str(text).map_err(|e| format!("wrapped record: malformed JSON: {e}"))?;
    match kind_of(&raw) {
        Kind::CloudTrail => cloudtrail::normalise(&raw, text).map(event),
        Kind::Finding => guardduty::parse_finding(text.as_bytes()).map(finding),
        Kind::Envelope => envelope(&raw),
        Kind::LookupEntry(inner) => lookup_entry(inner),
        Kind::Wrapped(inner) if depth < MAX_WRAPPERS => inner_record(inner.get(), depth + 1),
        Kind::Original(inner) if depth < MAX_WRAPPERS => inner_record(&inner, depth + 1),
        _ => Err(format!("wrapped record: {}", unknown(&raw, text))),
    }
}

/// Wrappers unwrapped around one record (a Datadog API log is two deep).
const MAX_WRAPPERS: u8 = 3;

/// The reason for an object nobody claims, naming (some of) its keys. Keys are read with the
/// scanner: nothing is built for an object's values.
fn unknown(raw: &RawRecord<'_>, text: &str) -> String {
    if text[1..].trim_start().starts_with('}') {
        return "an empty object".into();
    }
    if raw.event.is_some() && raw.at_timestamp.is_present() {
        return "an Elastic (ECS) document without the original record: export it with \
                event.original kept (the integration's preserve_original_event option)"
            .into();
    }
    let data = text.as_bytes();
    let mut names: Vec<String> = Vec::new();
    let mut more = false;
    let _ = super::scan::walk_keys(data, 0, &mut Vec::new(), |key, _| {
        if names.len() == 8 {
            more = true;
            return true;
        }
        names.push(String::from_utf8_lossy(key).chars().take(40).collect());
        false
    });
    if more {
        names.push("…".into());
    }
    format!(
        "not a CloudTrail record, GuardDuty finding, EventBridge event or lookup-events entry \
         (keys: {})",
        names.join(", ")
    )
}
