//! Rejects from the splitter: where a record is (`record 3 (line 40)`), its excerpt (its first
//! bytes, secrets masked), and the reject for a record over the size limit.

use super::super::scan::{ScanError, Skip};
use super::{EXCERPT_WINDOW, Mode, Outcome, Pass, Pos, Unit};
use crate::ingest::{Bad, IngestError, Record, Sink, redact};

impl Pass<'_, '_, '_> {
    /// A value known to be larger than the limit before its end is in the window: rejected
    /// now and passed over without being held.
    pub(super) fn oversize(
        &mut self,
        i: usize,
        pos: Pos,
        skip: Skip,
    ) -> Result<Outcome, IngestError> {
        self.reject_oversize(i, self.data.len(), pos)?;
        self.sp.pos = self.abs(i);
        self.sp.mode = Mode::Skip(skip);
        Ok(Outcome::Diverted)
    }

    pub(super) fn reject_oversize(
        &mut self,
        i: usize,
        end: usize,
        pos: Pos,
    ) -> Result<(), IngestError> {
        let reason = format!(
            "larger than the record size limit ({}): not read (--max-record-size raises it)",
            human_bytes(self.sp.max_record)
        );
        self.reject(i, end, pos, reason)
    }

    pub(super) fn describe(&mut self, e: &ScanError) -> String {
        let (data, base) = (self.data, self.base);
        let lines = &mut self.sp.lines;
        e.describe(|o| lines.line_at(data, base, base + o as u64))
    }

    /// The sink, for readers of embedded content (flow lines in `{"message": …}`).
    pub fn sink_mut(&mut self) -> &mut Sink<'_> {
        &mut *self.sink
    }

    /// Hands a normalised record to the sink.
    pub fn accept(&mut self, record: Record) -> Result<(), IngestError> {
        (self.sink)(Ok(record))
    }

    pub(super) fn position(&mut self, start: usize, pos: Pos) -> String {
        match pos.unit {
            // Records of a pretty-printed file are easier to find by line.
            Unit::Record => format!("{pos} (line {})", self.line_of(start)),
            Unit::Line => pos.to_string(),
        }
    }

    /// Rejects the record at `start..end` (its first bytes become the excerpt).
    pub fn reject(
        &mut self,
        start: usize,
        end: usize,
        pos: Pos,
        reason: String,
    ) -> Result<(), IngestError> {
        let position = self.position(start, pos);
        self.reject_at(&position, start, end, reason)
    }

    pub(super) fn reject_at(
        &mut self,
        position: &str,
        start: usize,
        end: usize,
        reason: String,
    ) -> Result<(), IngestError> {
        let bytes = &self.data[start.min(end)..end];
        let bad = Bad {
            position: position.to_string(),
            reason,
            excerpt: redact::excerpt(&bytes[..bytes.len().min(EXCERPT_WINDOW)]),
        };
        (self.sink)(Err(bad))
    }
}

/// `4 MiB`, `512 KiB`, `100 B`.
pub fn human_bytes(n: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if n >= MIB && n % MIB == 0 {
        format!("{} MiB", n / MIB)
    } else if n >= KIB && n % KIB == 0 {
        format!("{} KiB", n / KIB)
    } else if n >= MIB {
        format!("{:.1} MiB", n as f64 / MIB as f64)
    } else {
        format!("{n} B")
    }
}
