//! JSON containers: detect the shape of a JSON file, split it into top-level objects without
//! parsing the whole document (so one bad record, or a truncated file, loses only itself), and
//! classify each object (CloudTrail record, lookup-events entry, EventBridge envelope, GuardDuty
//! finding, or one of those inside a SIEM export's wrapper) before handing it to the right
//! normaliser. Never touches the store itself: records and rejects go to the driver's `Sink`.
//! Reads a whole input in one window, or a large one window by window (`Splitter`).
//!
//! Shapes understood, from content, never from file names:
//! - `{"Records": […]}`: CloudTrail's S3 delivery (also inside arrays and JSON lines, as test
//!   harnesses write it);
//! - `{"Events": […]}`: `aws cloudtrail lookup-events`, each record a JSON string in
//!   `CloudTrailEvent`;
//! - `{"Findings": […]}`: `aws guardduty get-findings` (PascalCase);
//! - a top-level array, or JSON lines (one object per line, or one pretty-printed object), of
//!   any of: CloudTrail records, lookup-events entries, EventBridge envelopes, GuardDuty
//!   findings in either casing;
//! - CloudTrail digest files: recognised and skipped (integrity metadata, no events).

mod classify;
mod scan;
mod split;

pub use split::{Flow, Splitter, Window, human_bytes};

use super::{DEFAULT_MAX_RECORD, FileKind, IngestError, JsonShape, Sink};
use scan::{skip_ws, walk_keys};

/// The UTF-8 byte order mark some Windows tools write.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Keys only CloudTrail digest files have at their root.
const DIGEST_KEYS: [&[u8]; 4] = [
    b"digestStartTime",
    b"digestEndTime",
    b"digestPublicKeyFingerprint",
    b"digestSignatureAlgorithm",
];

/// Detects whether `data` (a file's first bytes) is JSON this module understands, and its
/// shape. `None` means "not JSON": the caller tries other formats.
///
/// Cheap: it looks at the first bytes and, for an object, walks the keys of that first object
/// only, stopping at the first container key (`Records` comes first in CloudTrail's files).
/// Strict about the start, so that an INI file's `[default]` or a `{placeholder}` in prose is
/// not taken for JSON: `[` must be followed by a value or `]`, `{` by a key or `}`.
pub fn detect(data: &[u8]) -> Option<FileKind> {
    let start = skip_ws(data, data.strip_prefix(BOM).map_or(0, |_| BOM.len()));
    let next = skip_ws(data, start + 1);
    match (data.get(start)?, data.get(next)) {
        (
            b'[',
            None | Some(b'{' | b'[' | b']' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n'),
        ) => Some(FileKind::Json(JsonShape::Array)),
        (b'{', None | Some(b'"' | b'}')) => Some(match root_container(data, start, usize::MAX) {
            split::Container::Found(kind, _) => kind,
            _ => FileKind::Json(JsonShape::Lines),
        }),
        _ => None,
    }
}

/// When the object at `start` is a container (`Records`, `Events`, `Findings` holding an array)
/// or a digest file: its kind and where the array starts (the object's end for a digest). Only
/// keys whose value starts within `limit` bytes of the object count (the record size limit:
/// a window of a large file sees no further). `No` for any other object, malformed ones
/// included (they are read as records and rejected with their own reason); `Eof` when the data
/// ends before the object does and no container key was seen.
fn root_container(data: &[u8], start: usize, limit: usize) -> split::Container {
    let mut found = None;
    let mut stack = Vec::new();
    let mut too_far = false;
    // A truncated or broken object can still be a container whose key came first, so the walk's
    // error is only looked at when nothing was found.
    let walked = walk_keys(data, start, &mut stack, |key, value_start| {
        if value_start - start > limit {
            too_far = true;
            return true;
        }
        let shape = match key {
            b"Records" => JsonShape::Records,
            b"Events" => JsonShape::LookupEvents,
            b"Findings" | b"findings" => JsonShape::Findings,
            k if DIGEST_KEYS.contains(&k) => {
                found = Some((FileKind::CloudTrailDigest, value_start));
                return true;
            }
            _ => return false,
        };
        if data[value_start] == b'[' {
            found = Some((FileKind::Json(shape), value_start));
            return true;
        }
        false
    });
    match (found, walked) {
        (Some((kind, at)), _) => split::Container::Found(kind, at),
        _ if too_far => split::Container::No,
        (None, Err(scan::ScanError::Eof)) => split::Container::Eof,
        (None, _) => split::Container::No,
    }
}

/// Splits `data` (of the detected `kind`), a whole input, into records and hands each,
/// normalised or rejected, to `sink`. Errors are the sink's; bad input is never an error here.
pub fn parse(data: &[u8], kind: FileKind, sink: &mut Sink) -> Result<(), IngestError> {
    if !matches!(kind, FileKind::Json(_)) {
        return Ok(());
    }
    let mut splitter = Splitter::new(start_of(data), DEFAULT_MAX_RECORD);
    let win = Window {
        data,
        base: 0,
        eof: true,
    };
    splitter.read(win, sink).map(|_| ())
}

/// Where reading starts: after a UTF-8 byte-order mark.
pub fn start_of(data: &[u8]) -> u64 {
    data.strip_prefix(BOM).map_or(0, |_| BOM.len() as u64)
}

#[cfg(test)]
mod tests;
