//! Whether an object is a container of records (`{"Records": […]}`, `Events`, `Findings`) whose
//! array the splitter reads record by record, decided from as few bytes as possible.

use super::super::scan::{ScanError, skip_ws};
use super::Pass;

impl Pass<'_, '_, '_> {
    /// When the object at `open` is a container (`Records`, `Events`, `Findings` holding an
    /// array), where its array starts. For the file's first value every key is looked at (as
    /// `detect` does), up to the record size limit; for later ones only the first key, which is
    /// where AWS writes it, so that JSON lines of ordinary records are not scanned twice. A
    /// container key found elsewhere is still handled, by `classify`, at the cost of parsing
    /// the object whole.
    pub(super) fn container_array(&mut self, open: usize, first_value: bool) -> Probe {
        let data = self.data;
        if first_value {
            let limit = self.sp.max_record;
            return match super::super::root_container(data, open, limit) {
                Container::Found(crate::ingest::FileKind::Json(_), at) => Probe::Found(at),
                Container::Found(..) | Container::No => Probe::No,
                Container::Eof if self.eof || data.len() - open > limit + 1 => Probe::No,
                Container::Eof => Probe::More,
            };
        }
        let key_start = skip_ws(data, open + 1);
        // A key that runs past the limit is no container's: the value is read (and refused).
        let more = if self.eof || data.len() - open > self.sp.max_record {
            Probe::No
        } else {
            Probe::More
        };
        match data.get(key_start) {
            None => return more,
            Some(b'"') => {}
            Some(_) => return Probe::No,
        }
        let key_end = match super::super::scan::string_end(data, key_start) {
            Ok(e) => e,
            Err(ScanError::Eof) => return more,
            Err(_) => return Probe::No,
        };
        let key = &data[key_start + 1..key_end - 1];
        if !matches!(key, b"Records" | b"Events" | b"Findings" | b"findings") {
            return Probe::No;
        }
        let colon = skip_ws(data, key_end);
        match data.get(colon) {
            None => return more,
            Some(b':') => {}
            Some(_) => return Probe::No,
        }
        let value = skip_ws(data, colon + 1);
        match data.get(value) {
            None => more,
            Some(b'[') => Probe::Found(value),
            Some(_) => Probe::No,
        }
    }
}

/// Whether the object at an offset is a container.
pub enum Probe {
    Found(usize),
    No,
    More,
}

/// What walking a first object's keys found.
pub enum Container {
    Found(crate::ingest::FileKind, usize),
    No,
    /// The data ended before a container key was seen.
    Eof,
}
