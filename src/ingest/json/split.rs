//! Splitting JSON into records by byte ranges: top-level values one after another (JSON lines,
//! or one object), the array of a container object (`Records`, `Events`, `Findings`), or a
//! top-level array. Each range is handed to `classify`; a range whose end cannot be found is
//! rejected and reading resumes at the next record that can be found, so one broken record
//! loses only itself and a truncated file keeps everything before the damage.
//!
//! The splitter reads a *window* of the input: the whole input when it is small (one pass), or
//! a slice that slides along a large one (`Splitter::read` returns `Flow::More` when a record
//! runs past the window's end; the caller drops what `keep_from` no longer needs and reads on).
//! Its state between windows is small (where it is, inside which array, how many records so
//! far), so memory is bounded by the largest record, and a record larger than the limit is
//! rejected and skipped without being held. Reading a file whole or window by window gives the
//! same records and the same rejects (a property test holds it to that).

use std::fmt;

mod probe;
mod reject;
mod resync;

pub use probe::{Container, Probe};
pub use reject::human_bytes;
use resync::{PendingReject, Resync};

use super::scan::{
    LOOKBACK, LineCounter, ScanError, Skip, column, is_bracket_start, skip_ws, value_end,
};
use crate::ingest::{IngestError, Sink};

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

/// Whether a window's reading is over or needs the input's next bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Done,
    More,
}

/// An array being read: elements so far, where they are placed, and what its `]` closes.
#[derive(Debug, Clone, Copy)]
pub struct ArrayState {
    pub n: usize,
    pub parent: Option<(Unit, usize)>,
    /// The array is a container object's (`{"Records": […], …}`): the rest of the object
    /// follows its `]`.
    pub in_object: bool,
}

/// Where the splitter is between values.
#[derive(Debug, Clone, Copy)]
enum Ctx {
    Top,
    Array(ArrayState),
    /// After a container's array: its object's other keys, up to `}`.
    Rest,
}

/// A value being passed over without being held.
#[derive(Debug)]
enum Mode {
    Normal,
    Skip(Skip),
    Resync(Box<Resync>),
    Done,
}

/// The first bytes of a rejected record kept for its excerpt (the excerpt shows fewer).
const EXCERPT_WINDOW: usize = 1024;

/// The splitter's state between windows.
#[derive(Debug)]
pub struct Splitter {
    /// Absolute offset where reading goes on.
    pos: u64,
    ctx: Ctx,
    /// No top-level value has been read yet.
    first: bool,
    lines: LineCounter,
    /// Scratch for the scanner's bracket stack.
    stack: Vec<u8>,
    mode: Mode,
    /// Records larger than this are rejected, not read.
    max_record: usize,
}

/// A window of the input: `data` holds its bytes from offset `base` on; `eof` when nothing
/// follows them.
#[derive(Debug, Clone, Copy)]
pub struct Window<'d> {
    pub data: &'d [u8],
    pub base: u64,
    pub eof: bool,
}

impl Splitter {
    /// A splitter at the start of an input (after any byte-order mark: `start`).
    pub fn new(start: u64, max_record: usize) -> Splitter {
        Splitter {
            pos: start,
            ctx: Ctx::Top,
            first: true,
            lines: LineCounter::default(),
            stack: Vec::with_capacity(32),
            mode: Mode::Normal,
            max_record: max_record.max(1),
        }
    }

    /// Reads what it can of `win`, handing records and rejects to `sink`.
    pub fn read(&mut self, win: Window<'_>, sink: &mut Sink<'_>) -> Result<Flow, IngestError> {
        let text = match std::str::from_utf8(win.data) {
            Ok(t) => t,
            // The valid prefix: records past it take the slow path, which says what is wrong.
            Err(e) => std::str::from_utf8(&win.data[..e.valid_up_to()]).unwrap_or_default(),
        };
        let mut pass = Pass {
            data: win.data,
            text,
            base: win.base,
            eof: win.eof,
            sp: self,
            sink,
        };
        pass.run()
    }

    /// The first absolute offset the next window must still hold: the reading position, less
    /// the look-back the scanner may need.
    pub fn keep_from(&self) -> u64 {
        let at = match &self.mode {
            Mode::Resync(r) => r.scan_from.min(self.pos),
            _ => self.pos,
        };
        at.saturating_sub(LOOKBACK as u64)
    }

    /// Counts lines up to `keep` before the window drops the bytes in front of it.
    pub fn before_compact(&mut self, win: Window<'_>, keep: u64) {
        self.lines.advance(win.data, win.base, keep);
    }
}

/// One pass of the splitter over one window. Offsets are window-relative unless named `abs`.
pub struct Pass<'d, 's, 'k> {
    pub data: &'d [u8],
    /// The window's longest valid UTF-8 prefix: records inside it are parsed in place.
    pub text: &'d str,
    base: u64,
    eof: bool,
    sp: &'s mut Splitter,
    sink: &'s mut Sink<'k>,
}

/// How one value went.
pub enum Outcome {
    /// Read (accepted or rejected); reading goes on at this offset.
    At(usize),
    /// A container of records inside the value: its array opens at `array`; the value ends at
    /// `end`.
    Nested { array: usize, end: usize },
    /// The value runs past the window.
    More,
    /// The value was dealt with and the splitter's mode now says how to go on (skipping it,
    /// searching for the next record, or done).
    Diverted,
    /// The value scanned whole but is not valid JSON: rejected for this reason, and reading
    /// goes on at the next record that can be found.
    Malformed(String),
}

enum Step {
    Next,
    More,
    Done,
}

impl<'d> Pass<'d, '_, '_> {
    fn rel(&self, abs: u64) -> usize {
        ((abs.saturating_sub(self.base)) as usize).min(self.data.len())
    }

    fn abs(&self, rel: usize) -> u64 {
        self.base + rel as u64
    }

    /// Records larger than this are rejected, not read.
    pub fn max_record(&self) -> usize {
        self.sp.max_record
    }

    fn line_of(&mut self, rel: usize) -> usize {
        let abs = self.abs(rel);
        self.sp.lines.line_at(self.data, self.base, abs)
    }

    fn run(&mut self) -> Result<Flow, IngestError> {
        loop {
            let step = match &mut self.sp.mode {
                Mode::Done => return Ok(Flow::Done),
                Mode::Skip(_) => self.skip()?,
                Mode::Resync(_) => self.resync()?,
                Mode::Normal => match self.sp.ctx {
                    Ctx::Top => self.top()?,
                    Ctx::Array(state) => {
                        let mut state = state;
                        let step = self.array_step(&mut state)?;
                        if let Ctx::Array(s) = &mut self.sp.ctx {
                            *s = state;
                        }
                        step
                    }
                    Ctx::Rest => self.rest()?,
                },
            };
            match step {
                Step::Next => {}
                Step::More if self.eof => return Ok(Flow::Done),
                Step::More => return Ok(Flow::More),
                Step::Done => {
                    self.sp.mode = Mode::Done;
                    return Ok(Flow::Done);
                }
            }
        }
    }

    /// Between top-level values.
    fn top(&mut self) -> Result<Step, IngestError> {
        let data = self.data;
        let i = skip_ws(data, self.rel(self.sp.pos));
        self.sp.pos = self.abs(i);
        let Some(&b) = data.get(i) else {
            return Ok(if self.eof { Step::Done } else { Step::More });
        };
        let line = self.line_of(i);
        // Records of the file's one container are `record N`; when a file holds several
        // top-level values, each container's records are also placed by its line.
        let parent = (!self.sp.first).then_some((Unit::Line, line));
        let container = match b {
            b'[' => Some(i),
            b'{' => match self.container_array(i, parent.is_none()) {
                Probe::Found(at) => Some(at),
                Probe::No => None,
                Probe::More => return Ok(Step::More),
            },
            _ => return self.garbage_line(i, line),
        };
        self.sp.first = false;
        if let Some(open) = container {
            self.sp.ctx = Ctx::Array(ArrayState {
                n: 0,
                parent,
                in_object: b == b'{',
            });
            self.sp.pos = self.abs(open + 1);
            return Ok(Step::Next);
        }
        let pos = Pos {
            parent: None,
            unit: Unit::Line,
            n: line,
        };
        match self.value(i, pos, false)? {
            Outcome::At(end) => self.sp.pos = self.abs(end),
            Outcome::Nested { array, end } => self.nested(array, end, pos)?,
            Outcome::More => {
                self.sp.first = parent.is_none();
                return Ok(Step::More);
            }
            Outcome::Diverted | Outcome::Malformed(_) => {}
        }
        Ok(Step::Next)
    }

    /// A top-level line that does not start a JSON value: rejected up to its end.
    fn garbage_line(&mut self, i: usize, line: usize) -> Result<Step, IngestError> {
        let data = self.data;
        let pos = Pos {
            parent: None,
            unit: Unit::Line,
            n: line,
        };
        match memchr::memchr(b'\n', &data[i..]) {
            Some(n) => {
                self.reject(i, i + n, pos, "not JSON".into())?;
                self.sp.pos = self.abs(i + n);
            }
            None if self.eof => {
                self.reject(i, data.len(), pos, "not JSON".into())?;
                self.sp.pos = self.abs(data.len());
            }
            // A line longer than a record may be: rejected now, passed over without holding it.
            None if data.len() - i > self.sp.max_record => {
                self.reject(i, data.len(), pos, "not JSON".into())?;
                self.sp.pos = self.abs(i);
                self.sp.mode = Mode::Skip(Skip::Line);
            }
            None => return Ok(Step::More),
        }
        Ok(Step::Next)
    }

    /// Between the elements of an array.
    fn array_step(&mut self, st: &mut ArrayState) -> Result<Step, IngestError> {
        let data = self.data;
        let i = skip_ws(data, self.rel(self.sp.pos));
        self.sp.pos = self.abs(i);
        let Some(&b) = data.get(i) else {
            if !self.eof {
                return Ok(Step::More);
            }
            let reason = format!(
                "truncated: the data ends before the array is closed (after record {})",
                st.n
            );
            self.reject_at("end of file", data.len(), data.len(), reason)?;
            return Ok(Step::Done);
        };
        match b {
            b']' => {
                self.sp.pos = self.abs(i + 1);
                self.sp.ctx = if st.in_object { Ctx::Rest } else { Ctx::Top };
                return Ok(Step::Next);
            }
            // Separators. A doubled or trailing comma loses nothing, so it is let through.
            b',' => {
                self.sp.pos = self.abs(i + 1);
                return Ok(Step::Next);
            }
            _ => {}
        }
        let pos = Pos {
            parent: st.parent,
            unit: Unit::Record,
            n: st.n + 1,
        };
        match self.value(i, pos, true)? {
            Outcome::More => return Ok(Step::More),
            Outcome::At(end) => self.sp.pos = self.abs(end),
            Outcome::Nested { array, end } => {
                st.n += 1;
                self.nested(array, end, pos)?;
                return Ok(Step::Next);
            }
            Outcome::Diverted | Outcome::Malformed(_) => {}
        }
        st.n += 1;
        Ok(Step::Next)
    }

    /// A container inside a record (`[{"Records": […]}, …]`, a line holding one): its records
    /// are read like the file's own, placed under `pos`, then reading goes on after the value.
    /// The value is whole in the window (it was parsed), so this never needs more data.
    fn nested(&mut self, array: usize, end: usize, pos: Pos) -> Result<(), IngestError> {
        let mut st = ArrayState {
            n: 0,
            parent: Some((pos.unit, pos.n)),
            in_object: true,
        };
        let saved = std::mem::replace(&mut self.sp.ctx, Ctx::Array(st));
        self.sp.pos = self.abs(array + 1);
        loop {
            match self.array_step(&mut st)? {
                Step::Next if matches!(self.sp.ctx, Ctx::Array(_)) => {
                    if !matches!(self.sp.mode, Mode::Normal) {
                        break;
                    }
                }
                _ => break,
            }
        }
        self.sp.ctx = saved;
        self.sp.mode = Mode::Normal;
        self.sp.pos = self.abs(end);
        Ok(())
    }

    /// After a container's array: its object's other keys and values, then `}`. Anything else
    /// there is reported once and ends the file (there is nothing more to read in it).
    fn rest(&mut self) -> Result<Step, IngestError> {
        let data = self.data;
        let start = self.rel(self.sp.pos);
        let mut i = start;
        let end = loop {
            i = skip_ws(data, i);
            match data.get(i) {
                None => break Err(ScanError::Eof),
                Some(b'}') => break Ok(i + 1),
                Some(b',') => i = skip_ws(data, i + 1),
                Some(_) => break Err(ScanError::Unexpected(i)),
            }
            if data.get(i) == Some(&b'}') {
                continue;
            }
            // A key, `:`, a value.
            match value_end(data, i, &mut self.sp.stack) {
                Ok(e) => i = skip_ws(data, e),
                Err(e) => break Err(e),
            }
            if data.get(i) != Some(&b':') {
                break Err(data
                    .get(i)
                    .map_or(ScanError::Eof, |_| ScanError::Unexpected(i)));
            }
            match value_end(data, skip_ws(data, i + 1), &mut self.sp.stack) {
                Ok(e) => i = e,
                Err(e) => break Err(e),
            }
        };
        match end {
            Ok(end) => {
                self.sp.pos = self.abs(end);
                self.sp.ctx = Ctx::Top;
                Ok(Step::Next)
            }
            Err(ScanError::Eof) if !self.eof && data.len() - start <= self.sp.max_record => {
                Ok(Step::More)
            }
            Err(e) => {
                let reason = if e == ScanError::Eof && !self.eof {
                    format!(
                        "after the records: more than {} of other content: not read",
                        human_bytes(self.sp.max_record)
                    )
                } else {
                    let mut lines = std::mem::take(&mut self.sp.lines);
                    let (data, base) = (self.data, self.base);
                    let r = e.describe(|o| lines.line_at(data, base, base + o as u64));
                    self.sp.lines = lines;
                    format!("after the records: {r}")
                };
                self.reject_at("end of file", start, start, reason)?;
                Ok(Step::Done)
            }
        }
    }

    /// Reads the value at `i` (a record, normally): an array element (`in_array`) or a
    /// top-level value, which says how the next record is looked for if this one is broken.
    fn value(&mut self, i: usize, pos: Pos, in_array: bool) -> Result<Outcome, IngestError> {
        let data = self.data;
        // Only a broken element needs its column: finding it costs a scan back to the line start.
        let resync = |d: &[u8], base: u64| in_array.then(|| column(d, i, base == 0));
        let max = self.sp.max_record;
        if let Some(outcome) = self.parsed_element(i, pos)? {
            return Ok(outcome);
        }
        match value_end(data, i, &mut self.sp.stack) {
            // A bare scalar at the window's end may go on in the next one.
            Ok(end)
                if end == data.len()
                    && !self.eof
                    && data[i] != b'"'
                    && !is_bracket_start(data[i]) =>
            {
                if end - i > max {
                    self.oversize(i, pos, Skip::value())
                } else {
                    Ok(Outcome::More)
                }
            }
            Ok(end) if end - i > max => {
                self.reject_oversize(i, end, pos)?;
                Ok(Outcome::At(end))
            }
            Ok(end) => match self.element(i, end, pos)? {
                Outcome::Malformed(reason) => {
                    let pending = PendingReject {
                        position: self.position(i, pos),
                        reason,
                        lost: false,
                        head: data[i..end.min(i + EXCERPT_WINDOW)].to_vec(),
                    };
                    let own = resync(data, self.base);
                    self.start_resync(own, i, i + 1, Some(pending));
                    Ok(Outcome::Diverted)
                }
                other => Ok(other),
            },
            Err(ScanError::Eof) if !self.eof => {
                if data.len() - i > max {
                    self.oversize(i, pos, Skip::value())
                } else {
                    Ok(Outcome::More)
                }
            }
            // The excerpt of a broken record is its first bytes, wherever the window ends.
            Err(_) if !self.eof && data.len() - i < EXCERPT_WINDOW => Ok(Outcome::More),
            Err(e) => {
                let at = error_offset(&e).unwrap_or(data.len());
                if at - i > max {
                    // Broken, and too large anyway: said once, then the search for the next
                    // record starts past the damage.
                    self.reject_oversize(i, at, pos)?;
                    let own = in_array.then_some((usize::MAX, false));
                    self.start_resync(own, at, at, None);
                } else {
                    let reason = self.describe(&e);
                    let pending = PendingReject {
                        position: self.position(i, pos),
                        reason,
                        lost: e != ScanError::Eof,
                        head: data[i..data.len().min(i + EXCERPT_WINDOW)].to_vec(),
                    };
                    let own = resync(data, self.base);
                    self.start_resync(own, i, i + 1, Some(pending));
                }
                Ok(Outcome::Diverted)
            }
        }
    }
}

fn error_offset(e: &ScanError) -> Option<usize> {
    match e {
        ScanError::Eof => None,
        ScanError::Mismatch(at)
        | ScanError::LineBreakInString(at)
        | ScanError::Unexpected(at)
        | ScanError::TooDeep(at) => Some(*at),
    }
}
