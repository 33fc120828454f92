//! Reading inputs (files, directory trees, bytes from any source) and normalising raw records
//! into `model` types, streamed to the store in batched transactions. Serde mirrors of raw
//! CloudTrail / GuardDuty stay in here. Nothing here draws: progress is data, handed to the
//! caller's callback.
//!
//! Formats are detected from content, never from file names: an input is gunzipped if it
//! starts with the gzip magic, then its first bytes say whether it is JSON (CloudTrail
//! `Records`, JSON lines, `lookup-events` output, EventBridge envelopes, GuardDuty findings in
//! either casing, SIEM exports of those) or a VPC flow log; anything else is one reject naming
//! the input, its size and what it looks like, and is not read further.

pub mod aws;
pub mod cloudtrail;
mod error;
pub mod guardduty;
mod input;
pub mod json;
mod open;
mod ranges;
mod read_ahead;
mod reader;
mod redact;
mod run;
mod sniff;
pub mod time;
pub mod vpcflow;
mod walk;

pub use error::IngestError;
pub use input::{Input, Progress};
pub use run::{
    COMMIT_EVERY, IngestOptions, IngestReport, ingest_inputs, ingest_paths,
    ingest_paths_with_progress,
};

/// The default limit on one record's size (a CloudTrail event is at most 256 KB; an
/// EventBridge event too). Larger records are rejected and passed over without being held.
pub const DEFAULT_MAX_RECORD: usize = 4 * 1024 * 1024;

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

    /// The first bytes of the rejected input as its excerpt, with secrets masked (rejects are
    /// stored and printed).
    pub fn with_excerpt(mut self, bytes: &[u8]) -> Bad {
        self.excerpt = redact::excerpt(&bytes[..bytes.len().min(1024)]);
        self
    }
}

/// What parsers hand each record (or reject) to. Returning an error stops the input.
pub type Sink<'a> = dyn FnMut(Result<Record, Bad>) -> Result<(), IngestError> + 'a;

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
