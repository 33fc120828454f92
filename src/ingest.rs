//! Reading sources and normalising raw records into `model` types, streamed to the store one
//! file (one transaction) at a time. Serde mirrors of raw CloudTrail / GuardDuty stay in here.
//!
//! Formats are detected from content, never from file names: a file is gunzipped if it starts
//! with the gzip magic, then treated as JSON (CloudTrail `Records`, JSON lines, `lookup-events`
//! output, EventBridge envelopes, GuardDuty findings in either casing) or as a VPC flow log.

pub mod cloudtrail;
pub mod guardduty;
pub mod json;
mod read;
mod read_ahead;
mod redact;
mod run;
pub mod time;
pub mod vpcflow;

pub use run::{COMMIT_EVERY, IngestOptions, IngestReport, ingest_paths};

use crate::model::{Event, Finding, FlowRecord};

/// One normalised record from any source.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Event(Box<Event>),
    Finding(Box<Finding>),
    Flow(Box<FlowRecord>),
}

/// A record that could not be normalised: where it was, why, and a short excerpt.
#[derive(Debug, Clone, PartialEq)]
pub struct Bad {
    /// e.g. `record 12`, `line 40`, `byte 1024`.
    pub position: String,
    pub reason: String,
    pub excerpt: Option<String>,
}

impl Bad {
    pub fn new(position: impl Into<String>, reason: impl Into<String>) -> Bad {
        Bad {
            position: position.into(),
            reason: reason.into(),
            excerpt: None,
        }
    }

    pub fn with_excerpt(mut self, bytes: &[u8]) -> Bad {
        let end = bytes.len().min(200);
        self.excerpt = Some(String::from_utf8_lossy(&bytes[..end]).into_owned());
        self
    }
}

/// What parsers hand each record (or reject) to. Returning an error stops the file.
pub type Sink<'a> = dyn FnMut(Result<Record, Bad>) -> Result<(), crate::store::StoreError> + 'a;

/// What a file turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// JSON of some shape (CloudTrail, GuardDuty, EventBridge…); records classified one by one.
    Json(JsonShape),
    VpcFlow,
    /// A CloudTrail digest file: integrity metadata, no events. Skipped.
    CloudTrailDigest,
}

/// The container a JSON file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonShape {
    /// `{"Records": […]}` — CloudTrail's S3 delivery format.
    Records,
    /// `{"Events": […]}` — `aws cloudtrail lookup-events` output.
    LookupEvents,
    /// `{"Findings": […]}` — `aws guardduty get-findings` output.
    Findings,
    /// A top-level array of objects.
    Array,
    /// One object per line (or a single object).
    Lines,
}

impl FileKind {
    pub fn name(&self) -> &'static str {
        match self {
            FileKind::Json(JsonShape::Records) => "cloudtrail-records",
            FileKind::Json(JsonShape::LookupEvents) => "lookup-events",
            FileKind::Json(JsonShape::Findings) => "guardduty-findings",
            FileKind::Json(JsonShape::Array) => "json-array",
            FileKind::Json(JsonShape::Lines) => "json-lines",
            FileKind::VpcFlow => "vpc-flow",
            FileKind::CloudTrailDigest => "cloudtrail-digest",
        }
    }
}
