//! VPC flow logs as text: the default v2 format and custom field orders (the header line names
//! the fields), Transit Gateway flow logs, gzip or not (the driver gunzips), one record per line.
//! Turns lines into `FlowRecord`s and rejects malformed lines with their line number; never
//! touches the store itself.
//!
//! Format quirks handled here:
//! - S3 delivery starts every file with a header line (`version account-id …`); files
//!   concatenated from several deliveries (or Elastic's samples) repeat it, so a header may
//!   appear on any line and switches the layout from there on.
//! - CloudWatch Logs exports carry no header, and prefix each line with the event's ingestion
//!   time (`2024-01-01T00:00:00.000Z 2 111122223333 eni-…`). Bare lines are read when they
//!   match one of the fixed layouts AWS writes (see `Layout::headerless`).
//! - `-` means "no value for this record" (NODATA / SKIPDATA lines, fields that do not apply).
//!   NODATA and SKIPDATA lines are real records: they say the interface was logged but quiet
//!   (or that records were lost), which matters when reconstructing a timeline.
//! - `account-id` is `unknown` for interfaces AWS services create: kept in `fields`, not as the
//!   account.

mod layout;

use layout::{Column, Layout};

use super::json::{Flow, Window, human_bytes};
use super::{Bad, DEFAULT_MAX_RECORD, IngestError, Record, Sink};
use crate::model::FlowRecord;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How far `detect` looks for the first line. Flow log lines are a few hundred bytes.
const DETECT_WINDOW: usize = 64 * 1024;

/// Whether `data` looks like a flow log: its first line is a header of flow log field names, or
/// a record in a layout AWS writes without a header. Cheap: reads at most the first two lines.
/// JSON and prose are never claimed.
pub fn detect(data: &[u8]) -> bool {
    let head = &data[..data.len().min(DETECT_WINDOW)];
    let mut lines = lines(head).map(|(_, l)| l);
    let Some(first) = lines.next() else {
        return false;
    };
    let Ok(first) = std::str::from_utf8(first) else {
        return false;
    };
    let tokens: Vec<&str> = first.split_ascii_whitespace().collect();
    let Some(header) = Layout::from_header(&tokens) else {
        return read_line(&tokens, None).is_ok();
    };
    // A header of three or more names (most of them documented: see `from_header`) is
    // unambiguous on its own, and a delivery may hold nothing else. A shorter one must be
    // followed by a record that reads with it.
    if header.names.len() >= 3 {
        return true;
    }
    match lines.next().map(std::str::from_utf8) {
        Some(Ok(next)) => {
            let next: Vec<&str> = next.split_ascii_whitespace().collect();
            read_line(&next, Some(&header)).is_ok()
        }
        _ => false,
    }
}

/// Parses every line of a flow log (a whole input) into `FlowRecord`s. A malformed line (wrong
/// field count, a non-numeric port…) is handed to `sink` as a reject naming the line; the rest
/// is read.
pub fn parse(data: &[u8], sink: &mut Sink) -> Result<(), IngestError> {
    let mut reader = FlowReader::new(DEFAULT_MAX_RECORD);
    let win = Window {
        data,
        base: 0,
        eof: true,
    };
    reader.read(win, sink).map(|_| ())
}

/// A flow log read window by window: the layout a header set, the line count, and where the
/// next line starts. A line longer than the record size limit is rejected and passed over
/// without being held.
#[derive(Debug)]
pub struct FlowReader {
    header: Option<Layout>,
    /// Absolute offset of the next line, and its 1-based number.
    pos: u64,
    line: usize,
    /// Inside a line too long to hold: everything up to its end is passed over.
    skipping: bool,
    max_line: usize,
}

impl FlowReader {
    pub fn new(max_line: usize) -> FlowReader {
        FlowReader {
            header: None,
            pos: 0,
            line: 1,
            skipping: false,
            max_line: max_line.max(1),
        }
    }

    /// The first absolute offset the next window must still hold.
    pub fn keep_from(&self) -> u64 {
        self.pos
    }

    /// Reads every whole line of `win` (the last one too at the end of the input).
    pub fn read(&mut self, win: Window<'_>, sink: &mut Sink) -> Result<Flow, IngestError> {
        let data = win.data;
        let mut i = (self.pos.saturating_sub(win.base) as usize).min(data.len());
        if self.pos == 0 && data.starts_with(BOM) {
            i = BOM.len();
        }
        let mut tokens: Vec<&str> = Vec::new();
        loop {
            let Some(n) = memchr::memchr(b'\n', &data[i..]) else {
                if win.eof {
                    if i < data.len() {
                        self.line_end(&data[i..], &mut tokens, sink)?;
                    }
                    self.pos = win.base + data.len() as u64;
                    return Ok(Flow::Done);
                }
                if !self.skipping && data.len() - i > self.max_line {
                    sink(Err(bad(self.line, self.too_long(), &data[i..])))?;
                    self.skipping = true;
                }
                let keep = if self.skipping { data.len() } else { i };
                self.pos = win.base + keep as u64;
                return Ok(Flow::More);
            };
            self.line_end(&data[i..i + n], &mut tokens, sink)?;
            self.line += 1;
            i += n + 1;
        }
    }

    fn too_long(&self) -> String {
        format!(
            "line longer than the record size limit ({}): not read",
            human_bytes(self.max_line)
        )
    }

    /// A line has ended (`raw`, without its `\n`).
    fn line_end<'t>(
        &mut self,
        raw: &'t [u8],
        tokens: &mut Vec<&'t str>,
        sink: &mut Sink,
    ) -> Result<(), IngestError> {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if self.skipping {
            self.skipping = false;
            return Ok(());
        }
        if raw.len() > self.max_line {
            return sink(Err(bad(self.line, self.too_long(), raw)));
        }
        if raw.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        self.line_record(raw, tokens, sink)
    }

    fn line_record<'t>(
        &mut self,
        raw: &'t [u8],
        tokens: &mut Vec<&'t str>,
        sink: &mut Sink,
    ) -> Result<(), IngestError> {
        let n = self.line;
        let Ok(line) = std::str::from_utf8(raw) else {
            return sink(Err(bad(n, "not UTF-8 text".into(), raw)));
        };
        tokens.clear();
        tokens.extend(line.split_ascii_whitespace());
        if let Some(layout) = Layout::from_header(tokens) {
            self.header = Some(layout);
            return Ok(());
        }
        match read_line(tokens, self.header.as_ref()) {
            Ok(record) => sink(Ok(Record::Flow(Box::new(record)))),
            Err(reason) => sink(Err(bad(n, reason, raw))),
        }
    }
}

/// Reads one bare flow log line, as CloudWatch Logs delivers it inside JSON (`message` of a
/// `logEvents` entry, Firehose records, SIEM exports). Only the layouts AWS writes without a
/// header can be read this way (see `detect`); a CloudWatch export timestamp prefix is allowed.
pub fn parse_message(line: &str) -> Result<FlowRecord, String> {
    let tokens: Vec<&str> = line.split_ascii_whitespace().collect();
    read_line(&tokens, None)
}

/// Non-blank lines with their 1-based line numbers, without `\r` or a leading byte-order mark.
fn lines(data: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let data = data.strip_prefix(BOM).unwrap_or(data);
    data.split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix(b"\r").unwrap_or(l)))
        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
}

fn bad(line: usize, reason: String, raw: &[u8]) -> Bad {
    Bad::new(format!("line {line}"), reason).with_excerpt(raw)
}

/// Reads one record line with the file's header layout, or without one.
fn read_line(tokens: &[&str], header: Option<&Layout>) -> Result<FlowRecord, String> {
    let mut values = tokens;
    let layout = match header {
        Some(h) => {
            if values.len() == h.names.len() + 1 && is_export_timestamp(values[0]) {
                values = &values[1..];
            }
            if values.len() != h.names.len() {
                return Err(format!(
                    "{} fields where the header names {}",
                    values.len(),
                    h.names.len()
                ));
            }
            h
        }
        None => {
            if values.len() > 1 && is_export_timestamp(values[0]) {
                values = &values[1..];
            }
            Layout::headerless(values).ok_or_else(|| {
                format!(
                    "{} fields and no header line naming them: not the default format \
                     (14 fields, version 2) nor another layout AWS writes without a header",
                    values.len()
                )
            })?
        }
    };
    build(layout, values)
}

/// CloudWatch Logs exports prefix each message with its timestamp, e.g.
/// `2024-01-01T00:00:00.000Z`.
fn is_export_timestamp(token: &str) -> bool {
    let b = token.as_bytes();
    b.len() >= 20
        && b[4] == b'-'
        && b[10] == b'T'
        && chrono::DateTime::parse_from_rfc3339(token).is_ok()
}

/// Fills a record from `values` laid out as `layout` says, checking every numeric field.
fn build(layout: &Layout, values: &[&str]) -> Result<FlowRecord, String> {
    let mut r = FlowRecord {
        fields: Vec::with_capacity(values.len()),
        ..FlowRecord::default()
    };
    for ((name, &column), &value) in layout.names.iter().zip(&layout.columns).zip(values) {
        r.fields.push((name.clone(), value.to_string()));
        if value == "-" {
            continue;
        }
        let text = || Some(value.to_string());
        match column {
            Column::Version => r.version = Some(number(name, value, u8::MAX.into())?),
            Column::AccountId if value == "unknown" => {}
            Column::AccountId => r.account_id = text(),
            Column::InterfaceId => r.interface_id = text(),
            Column::SrcAddr => r.src_addr = text(),
            Column::DstAddr => r.dst_addr = text(),
            Column::SrcPort => r.src_port = Some(number(name, value, u16::MAX.into())?),
            Column::DstPort => r.dst_port = Some(number(name, value, u16::MAX.into())?),
            Column::Protocol => r.protocol = Some(number(name, value, u8::MAX.into())?),
            Column::Packets => r.packets = Some(number(name, value, i64::MAX)?),
            Column::Bytes => r.bytes = Some(number(name, value, i64::MAX)?),
            Column::Start => r.start_ms = Some(epoch_ms(name, value)?),
            Column::End => r.end_ms = Some(epoch_ms(name, value)?),
            Column::Action => r.action = text(),
            Column::LogStatus => r.log_status = text(),
            Column::VpcId => r.vpc_id = text(),
            Column::InstanceId => r.instance_id = text(),
            Column::Region => r.region = text(),
            Column::Number => {
                number(name, value, i64::MAX)?;
            }
            Column::Text => {}
        }
    }
    Ok(r)
}

/// A non-negative integer no larger than `max`, or a reason naming the field.
fn number(name: &str, value: &str, max: i64) -> Result<i64, String> {
    match value.parse::<i64>() {
        Ok(n) if (0..=max).contains(&n) => Ok(n),
        Ok(_) => Err(format!("{name} out of range: {}", clip(value))),
        Err(_) => Err(format!("{name} is not a number: {}", clip(value))),
    }
}

/// `start` / `end`: Unix seconds, stored as milliseconds.
fn epoch_ms(name: &str, value: &str) -> Result<i64, String> {
    number(name, value, i64::MAX / 1000).map(|s| s * 1000)
}

/// A value quoted in a reject reason, cut short: it is evidence, and attacker-controlled.
fn clip(value: &str) -> String {
    let cut: String = value.chars().take(40).collect();
    format!("{cut:?}")
}

#[cfg(test)]
mod tests;
