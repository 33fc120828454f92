//! JSON containers: detect the shape of a JSON file, split it into top-level objects without
//! parsing the whole document (so one bad record, or a truncated file, loses only itself), and
//! classify each object (CloudTrail record, lookup-events entry, EventBridge envelope, GuardDuty
//! finding) before handing it to the right normaliser. Never touches the store itself: records
//! and rejects go to the driver's `Sink`.
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

use super::{FileKind, JsonShape, Sink};
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

/// Detects whether `data` is JSON this module understands, and its shape.
/// `None` means "not JSON": the caller tries other formats.
///
/// Cheap: it looks at the first byte and, for an object, walks the keys of that first object
/// only, stopping at the first container key (`Records` comes first in CloudTrail's files).
pub fn detect(data: &[u8]) -> Option<FileKind> {
    let start = skip_ws(data, data.strip_prefix(BOM).map_or(0, |_| BOM.len()));
    match data.get(start)? {
        b'[' => Some(FileKind::Json(JsonShape::Array)),
        b'{' => Some(match root_container(data, start) {
            Some((kind, _)) => kind,
            None => FileKind::Json(JsonShape::Lines),
        }),
        _ => None,
    }
}

/// When the object at `start` is a container (`Records`, `Events`, `Findings` holding an array)
/// or a digest file: its kind and where the array starts (the object's end for a digest).
/// `None` for any other object, malformed ones included (they are read as records and rejected
/// with their own reason).
fn root_container(data: &[u8], start: usize) -> Option<(FileKind, usize)> {
    let mut found = None;
    let mut stack = Vec::new();
    // A truncated or broken object can still be a container whose key came first, so the walk's
    // error is ignored: what was found before it counts.
    let _ = walk_keys(data, start, &mut stack, |key, value_start| {
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
    found
}

/// Splits `data` (of the detected `kind`) into records and hands each, normalised or rejected,
/// to `sink`. Errors are the sink's (the store's); bad input is never an error here.
pub fn parse(data: &[u8], kind: FileKind, sink: &mut Sink) -> Result<(), crate::store::StoreError> {
    if !matches!(kind, FileKind::Json(_)) {
        return Ok(());
    }
    let start = data.strip_prefix(BOM).map_or(0, |_| BOM.len());
    split::Reader::new(data, sink).run(start)
}

#[cfg(test)]
mod tests;
