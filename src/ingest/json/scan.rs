//! A small byte scanner for JSON structure: where a value ends, tracking strings, escapes and
//! bracket nesting, without building anything. It does not validate JSON (serde does that per
//! record); it only has to find record boundaries fast and notice when they are broken.

/// Why a value's end could not be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanError {
    /// The data ends inside the value (a truncated file).
    Eof,
    /// A closing bracket of the wrong kind at this offset (a bracket was lost or added).
    Mismatch(usize),
    /// A raw line break inside a string at this offset (a quote was lost or added: JSON strings
    /// cannot span lines).
    LineBreakInString(usize),
    /// A byte that cannot start a value at this offset.
    Unexpected(usize),
    /// Nesting deeper than `MAX_DEPTH` at this offset (no record is; serde_json refuses past
    /// 128). Bounds the scanner's own memory on a `[[[[…` bomb.
    TooDeep(usize),
}

/// The deepest nesting the scanner follows.
pub const MAX_DEPTH: usize = 1024;

/// How far back from an offset the scanner looks for the start of its line (`column`) or for
/// the separator before a record (`resync`). Bounded so that reading a window of a large file
/// and reading the whole file give the same answers.
pub const LOOKBACK: usize = 64 * 1024;

impl ScanError {
    /// A reason for a reject, with `line_of` turning offsets into line numbers.
    pub fn describe(&self, mut line_of: impl FnMut(usize) -> usize) -> String {
        match self {
            ScanError::Eof => "truncated: the data ends inside this record".into(),
            ScanError::Mismatch(at) => format!(
                "malformed JSON: unbalanced brackets (mismatched closing bracket at line {})",
                line_of(*at)
            ),
            ScanError::LineBreakInString(at) => format!(
                "malformed JSON: unterminated string (line break inside a string at line {})",
                line_of(*at)
            ),
            ScanError::Unexpected(at) => format!(
                "malformed JSON: unexpected character at line {}",
                line_of(*at)
            ),
            ScanError::TooDeep(at) => format!(
                "malformed JSON: nested deeper than {MAX_DEPTH} levels at line {}",
                line_of(*at)
            ),
        }
    }
}

/// Whether `b` opens an object or an array.
pub fn is_bracket_start(b: u8) -> bool {
    matches!(b, b'{' | b'[')
}

/// Whether `b` is JSON whitespace.
pub fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The offset of the first non-whitespace byte at or after `i` (or `data.len()`).
pub fn skip_ws(data: &[u8], mut i: usize) -> usize {
    while i < data.len() && is_ws(data[i]) {
        i += 1;
    }
    i
}

/// The offset just past the string whose opening quote is at `start`.
pub fn string_end(data: &[u8], start: usize) -> Result<usize, ScanError> {
    let mut i = start + 1;
    loop {
        let hit = memchr::memchr3(b'"', b'\\', b'\n', &data[i.min(data.len())..])
            .ok_or(ScanError::Eof)?;
        i += hit;
        match data[i] {
            b'"' => return Ok(i + 1),
            b'\\' => {
                // Skip the escaped byte, whatever it is (`\"`, `\\`, `\u…`).
                i += 2;
                if i > data.len() {
                    return Err(ScanError::Eof);
                }
            }
            _ => return Err(ScanError::LineBreakInString(i)),
        }
    }
}

/// The offset just past the value starting at `start` (a non-whitespace byte).
/// `stack` is scratch space, reused between calls.
pub fn value_end(data: &[u8], start: usize, stack: &mut Vec<u8>) -> Result<usize, ScanError> {
    let Some(&first) = data.get(start) else {
        return Err(ScanError::Eof);
    };
    match first {
        b'"' => return string_end(data, start),
        b'{' | b'[' => {}
        b'}' | b']' | b',' | b':' => return Err(ScanError::Unexpected(start)),
        _ => {
            // A bare scalar (number, true, false, null): up to the next delimiter.
            let mut i = start;
            while i < data.len() && !is_ws(data[i]) && !b",]}[{\":".contains(&data[i]) {
                i += 1;
            }
            return Ok(i);
        }
    }
    stack.clear();
    let mut i = start;
    while i < data.len() {
        match data[i] {
            b'"' => {
                i = string_end(data, i)?;
                continue;
            }
            b'{' | b'[' => {
                if stack.len() >= MAX_DEPTH {
                    return Err(ScanError::TooDeep(i));
                }
                stack.push(if data[i] == b'{' { b'}' } else { b']' });
            }
            c @ (b'}' | b']') => {
                if stack.pop() != Some(c) {
                    return Err(ScanError::Mismatch(i));
                }
                if stack.is_empty() {
                    return Ok(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    Err(ScanError::Eof)
}

/// Walks the keys of the object starting at `start` (a `{`), calling `visit(key, value_start)`
/// for each; `visit` returns `true` to stop. Returns the offset where it stopped: just past the
/// object, or at the value `visit` stopped on. Keys with escapes are passed raw (between quotes).
pub fn walk_keys(
    data: &[u8],
    start: usize,
    stack: &mut Vec<u8>,
    mut visit: impl FnMut(&[u8], usize) -> bool,
) -> Result<usize, ScanError> {
    let mut i = skip_ws(data, start + 1);
    if data.get(i) == Some(&b'}') {
        return Ok(i + 1);
    }
    loop {
        match data.get(i) {
            None => return Err(ScanError::Eof),
            Some(b'"') => {}
            Some(_) => return Err(ScanError::Unexpected(i)),
        }
        let key_end = string_end(data, i)?;
        let key = &data[i + 1..key_end - 1];
        i = skip_ws(data, key_end);
        match data.get(i) {
            None => return Err(ScanError::Eof),
            Some(b':') => {}
            Some(_) => return Err(ScanError::Unexpected(i)),
        }
        let value_start = skip_ws(data, i + 1);
        if value_start >= data.len() {
            return Err(ScanError::Eof);
        }
        if visit(key, value_start) {
            return Ok(value_start);
        }
        i = skip_ws(data, value_end(data, value_start, stack)?);
        match data.get(i) {
            None => return Err(ScanError::Eof),
            Some(b',') => i = skip_ws(data, i + 1),
            Some(b'}') => return Ok(i + 1),
            Some(_) => return Err(ScanError::Unexpected(i)),
        }
    }
}

/// Counts line numbers (1-based) of absolute offsets in a window of the input that slides
/// forward: `data` holds the input's bytes from `base` on. Cheap when offsets come in increasing
/// order; an offset behind the last one is counted back within the window.
#[derive(Debug, Default)]
pub struct LineCounter {
    /// Newlines before `pos` (an absolute offset).
    pos: u64,
    line: usize,
}

impl LineCounter {
    /// The line of `offset` (absolute), which must lie in the window (`base..=base+len`).
    pub fn line_at(&mut self, data: &[u8], base: u64, offset: u64) -> usize {
        let rel = |o: u64| ((o.saturating_sub(base)) as usize).min(data.len());
        if offset >= self.pos {
            let from = rel(self.pos.max(base));
            self.line += memchr::memchr_iter(b'\n', &data[from..rel(offset)]).count();
        } else {
            self.line -= memchr::memchr_iter(b'\n', &data[rel(offset)..rel(self.pos)]).count();
        }
        self.pos = offset;
        self.line + 1
    }

    /// The line of `offset` when `data` is the whole input.
    #[cfg(test)]
    pub fn line_of(&mut self, data: &[u8], offset: usize) -> usize {
        self.line_at(data, 0, offset.min(data.len()) as u64)
    }

    /// Counts up to `offset` before the window drops the bytes before it.
    pub fn advance(&mut self, data: &[u8], base: u64, offset: u64) {
        if offset > self.pos {
            self.line_at(data, base, offset);
        }
    }
}

/// The column (0-based) of `offset`, and whether only whitespace precedes it on its line.
/// `file_start` says whether `data` starts at the start of the input. A line start more than
/// `LOOKBACK` bytes back (or before the window) counts as "not on its own line".
pub fn column(data: &[u8], offset: usize, file_start: bool) -> (usize, bool) {
    let from = offset.saturating_sub(LOOKBACK);
    let line_start = match memchr::memrchr(b'\n', &data[from..offset]) {
        Some(p) => from + p + 1,
        None if from == 0 && file_start => 0,
        None => return (offset - from, false),
    };
    let leading = data[line_start..offset].iter().all(|&b| is_ws(b));
    (offset - line_start, leading)
}

/// Finds where a value ends across windows, for values too large to hold (a record over the
/// size limit, the rest of a container object): the state of `value_end` kept between calls,
/// with the same answers on the same bytes. `Line` mode runs to the end of a line.
#[derive(Debug)]
pub enum Skip {
    Value { stack: Vec<u8>, state: SkipState },
    Line,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipState {
    Start,
    Scalar,
    Nested,
    /// Inside a string; `escaped` when the last byte seen was a backslash.
    String {
        escaped: bool,
    },
}

impl Skip {
    pub fn value() -> Skip {
        Skip::Value {
            stack: Vec::new(),
            state: SkipState::Start,
        }
    }

    /// Scans `data[from..]`: `Ok(Some(end))` just past the value (or past the line's `\n`),
    /// `Ok(None)` when the data ran out first (at the end of the input, a scalar or a line ends
    /// there: the caller decides).
    pub fn feed(&mut self, data: &[u8], from: usize) -> Result<Option<usize>, ScanError> {
        let (stack, state) = match self {
            Skip::Line => {
                return Ok(
                    memchr::memchr(b'\n', &data[from.min(data.len())..]).map(|n| from + n + 1)
                );
            }
            Skip::Value { stack, state } => (stack, state),
        };
        let mut i = from;
        while i < data.len() {
            match *state {
                SkipState::Start => {
                    match data[i] {
                        b'"' => *state = SkipState::String { escaped: false },
                        b'{' | b'[' => {
                            stack.push(if data[i] == b'{' { b'}' } else { b']' });
                            *state = SkipState::Nested;
                        }
                        b'}' | b']' | b',' | b':' => return Err(ScanError::Unexpected(i)),
                        _ => {
                            *state = SkipState::Scalar;
                            continue;
                        }
                    }
                    i += 1;
                }
                SkipState::Scalar => {
                    while i < data.len() && !is_ws(data[i]) && !b",]}[{\":".contains(&data[i]) {
                        i += 1;
                    }
                    if i < data.len() {
                        return Ok(Some(i));
                    }
                }
                SkipState::String { escaped } => {
                    if escaped {
                        i += 1;
                        *state = SkipState::String { escaped: false };
                        continue;
                    }
                    let Some(hit) = memchr::memchr3(b'"', b'\\', b'\n', &data[i..]) else {
                        i = data.len();
                        continue;
                    };
                    i += hit;
                    match data[i] {
                        b'"' => {
                            i += 1;
                            if stack.is_empty() {
                                return Ok(Some(i));
                            }
                            *state = SkipState::Nested;
                        }
                        b'\\' => {
                            i += 1;
                            *state = SkipState::String { escaped: true };
                        }
                        _ => return Err(ScanError::LineBreakInString(i)),
                    }
                }
                SkipState::Nested => {
                    match data[i] {
                        b'"' => *state = SkipState::String { escaped: false },
                        b'{' | b'[' => {
                            if stack.len() >= MAX_DEPTH {
                                return Err(ScanError::TooDeep(i));
                            }
                            stack.push(if data[i] == b'{' { b'}' } else { b']' });
                        }
                        c @ (b'}' | b']') => {
                            if stack.pop() != Some(c) {
                                return Err(ScanError::Mismatch(i));
                            }
                            if stack.is_empty() {
                                return Ok(Some(i + 1));
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(s: &str) -> Result<usize, ScanError> {
        value_end(s.as_bytes(), 0, &mut Vec::new())
    }

    #[test]
    fn value_ends_are_found_past_brackets_and_escapes_inside_strings() {
        let cases = [
            (r#"{"a":"}]\"{"} ,"#, 13),
            (r#"[1,[2,{"x":[]}]]x"#, 16),
            (r#""a\\" x"#, 5),
            ("true,", 4),
            ("12.5e3]", 6),
            ("{}", 2),
        ];
        for (s, want) in cases {
            assert_eq!(end(s), Ok(want), "{s}");
        }
    }

    #[test]
    fn broken_values_say_how_they_are_broken() {
        assert_eq!(end(r#"{"a":[1,2}"#), Err(ScanError::Mismatch(9)));
        assert_eq!(end(r#"{"a":"b"#), Err(ScanError::Eof));
        assert_eq!(end(r#"{"a":[1,"#), Err(ScanError::Eof));
        assert_eq!(end("{\"a\":\"b\n\"}"), Err(ScanError::LineBreakInString(7)));
        assert_eq!(end(r#"{"a":"\"#), Err(ScanError::Eof));
        assert_eq!(end("]"), Err(ScanError::Unexpected(0)));
    }

    #[test]
    fn keys_are_walked_in_order_and_the_walk_can_stop_on_one() {
        let data = br#"{ "a": {"Records": 1}, "b" : [1], "Records": [ {} ] }"#;
        let mut seen = Vec::new();
        let stop = walk_keys(data, 0, &mut Vec::new(), |k, _| {
            seen.push(String::from_utf8_lossy(k).into_owned());
            k == b"Records"
        })
        .expect("walks");
        assert_eq!(seen, ["a", "b", "Records"]);
        assert_eq!(data[stop], b'[');
    }

    #[test]
    fn line_numbers_follow_offsets_forward_and_back() {
        let data = b"a\nb\nc";
        let mut lines = LineCounter::default();
        assert_eq!(lines.line_of(data, 0), 1);
        assert_eq!(lines.line_of(data, 2), 2);
        assert_eq!(lines.line_of(data, 4), 3);
        assert_eq!(lines.line_of(data, 1), 1);
    }
}
