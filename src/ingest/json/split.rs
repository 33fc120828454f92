//! Splitting a JSON file into records by byte ranges: top-level values one after another (JSON
//! lines, or one object), the array of a container object (`Records`, `Events`, `Findings`), or a
//! top-level array. Each range is handed to `classify`; a range whose end cannot be found is
//! rejected and reading resumes at the next record that can be found, so one broken record
//! loses only itself and a truncated file keeps everything before the damage.

use std::fmt;

use super::scan::{LineCounter, ScanError, column, is_ws, skip_ws, value_end};
use crate::ingest::{Bad, Sink, redact};
use crate::store::StoreError;

/// What a position counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A line of the file (top-level values).
    Line,
    /// An element of an array (1-based).
    Record,
}

/// Where a record is: `line 40`, `record 12`, or nested, `record 3, record 2`.
#[derive(Debug, Clone, Copy)]
pub struct Pos {
    pub parent: Option<(Unit, usize)>,
    pub unit: Unit,
    pub n: usize,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |u: Unit| match u {
            Unit::Line => "line",
            Unit::Record => "record",
        };
        if let Some((unit, n)) = self.parent {
            write!(f, "{} {n}, ", name(unit))?;
        }
        write!(f, "{} {}", name(self.unit), self.n)
    }
}

/// How reading an array ended.
pub enum ArrayEnd {
    /// At its `]`; reading goes on after this offset.
    Closed(usize),
    /// The data ended, or broke beyond recovery; the reason was reported.
    Exhausted,
}

/// Reads one file's bytes into the sink.
pub struct Reader<'d, 's, 'k> {
    pub data: &'d [u8],
    /// `data` as text when all of it is valid UTF-8 (checked once, in one fast pass): records
    /// are then parsed in place without a boundary scan (see `Reader::parsed_element`).
    pub text: Option<&'d str>,
    sink: &'s mut Sink<'k>,
    lines: LineCounter,
    /// Scratch for the scanner's bracket stack.
    pub stack: Vec<u8>,
}

impl<'d, 's, 'k> Reader<'d, 's, 'k> {
    pub fn new(data: &'d [u8], sink: &'s mut Sink<'k>) -> Self {
        Reader {
            data,
            text: std::str::from_utf8(data).ok(),
            sink,
            lines: LineCounter::default(),
            stack: Vec::with_capacity(32),
        }
    }

    /// Reads every top-level value from `start` on.
    pub fn run(mut self, start: usize) -> Result<(), StoreError> {
        let data = self.data;
        let mut i = start;
        let mut first = true;
        loop {
            i = skip_ws(data, i);
            let Some(&b) = data.get(i) else {
                return Ok(());
            };
            let line = self.lines.line_of(data, i);
            // Records of the file's one container are `record N`; when a file holds several
            // top-level values, each container's records are also placed by its line.
            let parent = if first {
                None
            } else {
                Some((Unit::Line, line))
            };
            first = false;
            let container = match b {
                b'[' => Some(i),
                b'{' => self.container_array(i, parent.is_none()),
                _ => {
                    let end = memchr::memchr(b'\n', &data[i..]).map_or(data.len(), |n| i + n);
                    let pos = Pos {
                        parent: None,
                        unit: Unit::Line,
                        n: line,
                    };
                    self.reject(i, end, pos, "not JSON".into())?;
                    i = end;
                    continue;
                }
            };
            if let Some(open) = container {
                match self.array(open, parent)? {
                    ArrayEnd::Exhausted => return Ok(()),
                    ArrayEnd::Closed(end) if b == b'[' => i = end,
                    ArrayEnd::Closed(end) => match self.object_rest(end) {
                        Ok(end) => i = end,
                        Err(e) => {
                            let reason = format!(
                                "after the records: {}",
                                e.describe(|o| self.lines.line_of(data, o))
                            );
                            self.reject_at("end of file", i, data.len(), reason)?;
                            return Ok(());
                        }
                    },
                }
                continue;
            }
            let pos = Pos {
                parent: None,
                unit: Unit::Line,
                n: line,
            };
            if let Some(end) = self.parsed_element(i, pos)? {
                i = end;
                continue;
            }
            match value_end(data, i, &mut self.stack) {
                Ok(end) => {
                    self.element(i, end, pos)?;
                    i = end;
                }
                Err(e) => {
                    let resume = self.resync_lines(i);
                    let reason = self.broken_reason(&e, resume.is_some());
                    let end = resume.unwrap_or(data.len());
                    self.reject(i, end, pos, reason)?;
                    match resume {
                        Some(next) => i = next,
                        None => return Ok(()),
                    }
                }
            }
        }
    }

    /// When the object at `open` is a container (`Records`, `Events`, `Findings` holding an
    /// array), where its array starts. For the file's first value every key is looked at (as
    /// `detect` does); for later ones only the first key, which is where AWS writes it, so
    /// that JSON lines of ordinary records are not scanned twice. A container key found
    /// elsewhere is still handled, by `classify`, at the cost of parsing the object whole.
    fn container_array(&mut self, open: usize, first_value: bool) -> Option<usize> {
        let data = self.data;
        if first_value {
            return match super::root_container(data, open) {
                Some((crate::ingest::FileKind::Json(_), at)) => Some(at),
                _ => None,
            };
        }
        let key_start = skip_ws(data, open + 1);
        if data.get(key_start) != Some(&b'"') {
            return None;
        }
        let key_end = super::scan::string_end(data, key_start).ok()?;
        let key = &data[key_start + 1..key_end - 1];
        if !matches!(key, b"Records" | b"Events" | b"Findings" | b"findings") {
            return None;
        }
        let colon = skip_ws(data, key_end);
        if data.get(colon) != Some(&b':') {
            return None;
        }
        let value = skip_ws(data, colon + 1);
        (data.get(value) == Some(&b'[')).then_some(value)
    }

    /// Reads the elements of the array whose `[` is at `open`.
    pub fn array(
        &mut self,
        open: usize,
        parent: Option<(Unit, usize)>,
    ) -> Result<ArrayEnd, StoreError> {
        let data = self.data;
        let mut i = open + 1;
        let mut n = 0;
        loop {
            i = skip_ws(data, i);
            let Some(&b) = data.get(i) else {
                let reason = format!(
                    "truncated: the data ends before the array is closed (after record {n})"
                );
                self.reject_at("end of file", data.len(), data.len(), reason)?;
                return Ok(ArrayEnd::Exhausted);
            };
            match b {
                b']' => return Ok(ArrayEnd::Closed(i + 1)),
                // Separators. A doubled or trailing comma loses nothing, so it is let through.
                b',' => {
                    i += 1;
                    continue;
                }
                _ => {}
            }
            n += 1;
            let pos = Pos {
                parent,
                unit: Unit::Record,
                n,
            };
            if let Some(end) = self.parsed_element(i, pos)? {
                i = end;
                continue;
            }
            match value_end(data, i, &mut self.stack) {
                Ok(end) => {
                    self.element(i, end, pos)?;
                    i = end;
                }
                Err(e) => {
                    let resume = self.resync_array(i);
                    let reason = self.broken_reason(&e, resume.is_some());
                    let end = resume.unwrap_or(data.len());
                    self.reject(i, end, pos, reason)?;
                    match resume {
                        Some(next) => i = next,
                        None => return Ok(ArrayEnd::Exhausted),
                    }
                }
            }
        }
    }

    /// After a container's array: the rest of its object (more keys, then `}`). Returns the
    /// offset past the object.
    fn object_rest(&mut self, mut i: usize) -> Result<usize, ScanError> {
        let data = self.data;
        loop {
            i = skip_ws(data, i);
            match data.get(i) {
                None => return Err(ScanError::Eof),
                Some(b'}') => return Ok(i + 1),
                Some(b',') => i = skip_ws(data, i + 1),
                Some(_) => return Err(ScanError::Unexpected(i)),
            }
            if data.get(i) == Some(&b'}') {
                continue;
            }
            // A key, `:`, a value.
            i = skip_ws(data, value_end(data, i, &mut self.stack)?);
            if data.get(i) != Some(&b':') {
                return Err(data
                    .get(i)
                    .map_or(ScanError::Eof, |_| ScanError::Unexpected(i)));
            }
            i = value_end(data, skip_ws(data, i + 1), &mut self.stack)?;
        }
    }

    fn broken_reason(&mut self, e: &ScanError, resumed: bool) -> String {
        let data = self.data;
        let lines = &mut self.lines;
        let mut reason = e.describe(|o| lines.line_of(data, o));
        if !resumed && *e != ScanError::Eof {
            reason.push_str("; nothing after it could be read");
        }
        reason
    }

    /// After an array element whose end could not be found (at `broken`): the start of the next
    /// element that can be read. A candidate is an object after `}` and `,` that scans whole and
    /// is a record this reader knows; in a pretty-printed file it must also start at the broken
    /// element's column, which rules out objects nested inside records.
    fn resync_array(&mut self, broken: usize) -> Option<usize> {
        let data = self.data;
        let (col, own_line) = column(data, broken);
        let from = broken + 1;
        for p in memchr::memchr_iter(b'{', &data[from..]).map(|q| q + from) {
            if own_line && column(data, p) != (col, true) {
                continue;
            }
            let mut back = data[..p].iter().rev().filter(|b| !is_ws(**b));
            if back.next() != Some(&b',') || back.next() != Some(&b'}') {
                continue;
            }
            let Ok(end) = value_end(data, p, &mut self.stack) else {
                continue;
            };
            if !matches!(data.get(skip_ws(data, end)), None | Some(b',' | b']')) {
                continue;
            }
            if super::classify::is_known_record(&data[p..end]) {
                return Some(p);
            }
        }
        None
    }

    /// After a top-level value whose end could not be found (at `broken`): the next line that
    /// starts with `{` and holds a whole value.
    fn resync_lines(&mut self, broken: usize) -> Option<usize> {
        let data = self.data;
        for nl in memchr::memchr_iter(b'\n', &data[broken..]).map(|q| q + broken) {
            let p = nl + 1;
            if data.get(p) == Some(&b'{') && value_end(data, p, &mut self.stack).is_ok() {
                return Some(p);
            }
        }
        None
    }

    /// The sink, for readers of embedded content (flow lines in `{"message": …}`).
    pub fn sink_mut(&mut self) -> &mut Sink<'k> {
        self.sink
    }

    /// Hands a normalised record to the sink.
    pub fn accept(&mut self, record: crate::ingest::Record) -> Result<(), StoreError> {
        (self.sink)(Ok(record))
    }

    /// Rejects the record at `start..end` (its first bytes become the excerpt).
    pub fn reject(
        &mut self,
        start: usize,
        end: usize,
        pos: Pos,
        reason: String,
    ) -> Result<(), StoreError> {
        let position = match pos.unit {
            // Records of a pretty-printed file are easier to find by line.
            Unit::Record => format!("{pos} (line {})", self.lines.line_of(self.data, start)),
            Unit::Line => pos.to_string(),
        };
        self.reject_at(&position, start, end, reason)
    }

    fn reject_at(
        &mut self,
        position: &str,
        start: usize,
        end: usize,
        reason: String,
    ) -> Result<(), StoreError> {
        let bad = Bad {
            position: position.to_string(),
            reason,
            excerpt: excerpt(&self.data[start.min(end)..end]),
        };
        (self.sink)(Err(bad))
    }
}

/// The first bytes of a rejected record, with any session token masked: rejects are stored.
fn excerpt(bytes: &[u8]) -> Option<String> {
    if bytes.is_empty() {
        return None;
    }
    // Redact a window larger than what is kept, so that a token starting near the cut is seen.
    let window = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
    let clean = redact::redact_text(&window);
    Some(clean.chars().take(160).collect())
}
