//! After a broken record: finding where the next readable record starts (window by window,
//! holding only the broken record's first bytes for its excerpt), and passing over a value too
//! large to hold. The broken record's reject waits until the search ends, so that its excerpt
//! ends where reading resumes, as it would reading the whole input at once.

use super::super::scan::{LOOKBACK, ScanError, Skip, SkipState, column, is_ws, skip_ws, value_end};
use super::{Ctx, Mode, Pass, Step, error_offset};
use crate::ingest::{Bad, IngestError, redact};

/// A broken record whose reject waits for the place reading resumes (its excerpt ends there).
#[derive(Debug)]
pub(super) struct Resync {
    /// Array elements (`Some((column, on its own line))`) or top-level lines (`None`).
    pub(super) array: Option<(usize, bool)>,
    /// Where the broken record starts, and where the search for the next record goes on.
    pub(super) broken: u64,
    pub(super) scan_from: u64,
    /// The reject, when one is still owed (`None` after an oversize reject already said it).
    pub(super) reject: Option<PendingReject>,
}

#[derive(Debug)]
pub(super) struct PendingReject {
    pub(super) position: String,
    pub(super) reason: String,
    /// Appended when nothing after the damage could be read.
    pub(super) lost: bool,
    /// The record's first bytes, for the excerpt.
    pub(super) head: Vec<u8>,
}

impl Pass<'_, '_, '_> {
    pub(super) fn start_resync(
        &mut self,
        array: Option<(usize, bool)>,
        broken: usize,
        scan_from: usize,
        reject: Option<PendingReject>,
    ) {
        self.sp.mode = Mode::Resync(Box::new(Resync {
            array,
            broken: self.abs(broken),
            scan_from: self.abs(scan_from),
            reject,
        }));
    }

    /// Passes over a value (or line) too large to hold, window by window.
    pub(super) fn skip(&mut self) -> Result<Step, IngestError> {
        let from = self.rel(self.sp.pos);
        let end_abs = self.abs(self.data.len());
        let Mode::Skip(skip) = &mut self.sp.mode else {
            return Ok(Step::Next);
        };
        let line = matches!(skip, Skip::Line);
        match skip.feed(self.data, from) {
            Ok(Some(end)) => {
                // A line's `\n` is left for the top level, as a shorter line's is.
                let end = if line { end - 1 } else { end };
                self.sp.pos = self.abs(end);
                self.sp.mode = Mode::Normal;
                Ok(Step::Next)
            }
            Ok(None) => {
                self.sp.pos = end_abs;
                if !self.eof {
                    return Ok(Step::More);
                }
                // The input ends inside it: a line or scalar ends there, anything else is
                // truncated (already rejected as too large: nothing more to say).
                let scalar = matches!(
                    skip,
                    Skip::Line
                        | Skip::Value {
                            state: SkipState::Scalar,
                            ..
                        }
                );
                if scalar {
                    self.sp.mode = Mode::Normal;
                    return Ok(Step::Next);
                }
                Ok(Step::Done)
            }
            Err(e) => {
                let at = error_offset(&e).unwrap_or(self.data.len());
                let array = match self.sp.ctx {
                    Ctx::Array(_) => Some((usize::MAX, false)),
                    _ => None,
                };
                self.start_resync(array, at, at, None);
                Ok(Step::Next)
            }
        }
    }

    /// After a broken record: finds where the next readable record starts, then rejects the
    /// broken one (its excerpt ending there) and goes on from it.
    pub(super) fn resync(&mut self) -> Result<Step, IngestError> {
        let Mode::Resync(r) = &self.sp.mode else {
            return Ok(Step::Next);
        };
        let (array, from) = (r.array, self.rel(r.scan_from));
        let found = match array {
            Some(own) => self.resync_array(from, own),
            None => self.resync_lines(from),
        };
        let next = match found {
            Found::At(p) => Some(p),
            Found::NotYet(p) => {
                // The broken record's first bytes are kept for its excerpt: the window may drop
                // everything before the search point.
                let at = self.abs(p);
                if let Mode::Resync(r) = &mut self.sp.mode {
                    r.scan_from = at;
                }
                self.sp.pos = at;
                return Ok(Step::More);
            }
            Found::Nowhere => None,
        };
        let Mode::Resync(r) = std::mem::replace(&mut self.sp.mode, Mode::Normal) else {
            return Ok(Step::Next);
        };
        let end_abs = next.map_or(self.abs(self.data.len()), |p| self.abs(p));
        if let Some(mut pending) = r.reject {
            if next.is_none() && pending.lost {
                pending.reason.push_str("; nothing after it could be read");
            }
            let keep = ((end_abs - r.broken) as usize).min(pending.head.len());
            let bad = Bad {
                position: pending.position,
                reason: pending.reason,
                excerpt: redact::excerpt(&pending.head[..keep]),
            };
            (self.sink)(Err(bad))?;
        }
        match next {
            Some(p) => {
                self.sp.pos = self.abs(p);
                Ok(Step::Next)
            }
            None => Ok(Step::Done),
        }
    }

    /// The start of the next element that can be read after a broken one: an object after a
    /// `,` that scans whole and is a record this reader knows; in a pretty-printed file it
    /// must also start at the broken element's column, which rules out objects nested inside
    /// records.
    fn resync_array(&mut self, from: usize, (col, own_line): (usize, bool)) -> Found {
        let data = self.data;
        let file_start = self.base == 0;
        for p in memchr::memchr_iter(b'{', &data[from.min(data.len())..]).map(|q| q + from) {
            if own_line && column(data, p, file_start) != (col, true) {
                continue;
            }
            // After a separator. (Not necessarily after a `}`: the damage may have taken the
            // broken record's own closing brace.)
            let mut back = data[p.saturating_sub(LOOKBACK)..p]
                .iter()
                .rev()
                .filter(|b| !is_ws(**b));
            if back.next() != Some(&b',') {
                continue;
            }
            let end = match value_end(data, p, &mut self.sp.stack) {
                Ok(end) => end,
                Err(ScanError::Eof) if !self.eof && data.len() - p <= self.sp.max_record => {
                    return Found::NotYet(p);
                }
                Err(_) => continue,
            };
            let after = skip_ws(data, end);
            if after == data.len() && !self.eof {
                return Found::NotYet(p);
            }
            if !matches!(data.get(after), None | Some(b',' | b']')) {
                continue;
            }
            if super::super::classify::is_known_record(&data[p..end]) {
                return Found::At(p);
            }
        }
        if self.eof {
            Found::Nowhere
        } else {
            Found::NotYet(data.len())
        }
    }

    /// The next line that starts with `{` and holds a whole value.
    fn resync_lines(&mut self, from: usize) -> Found {
        let data = self.data;
        let from = from.saturating_sub(1).min(data.len());
        for nl in memchr::memchr_iter(b'\n', &data[from..]).map(|q| q + from) {
            let p = nl + 1;
            if p == data.len() && !self.eof {
                return Found::NotYet(nl);
            }
            if data.get(p) != Some(&b'{') {
                continue;
            }
            match value_end(data, p, &mut self.sp.stack) {
                Ok(_) => return Found::At(p),
                Err(ScanError::Eof) if !self.eof && data.len() - p <= self.sp.max_record => {
                    return Found::NotYet(nl);
                }
                Err(_) => {}
            }
        }
        if self.eof {
            Found::Nowhere
        } else {
            Found::NotYet(data.len())
        }
    }
}

/// What a search for the next record found.
enum Found {
    At(usize),
    /// Not in this window: the search goes on from here in the next.
    NotYet(usize),
    Nowhere,
}
