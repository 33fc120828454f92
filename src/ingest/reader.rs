//! The reader thread: one input at a time, opened (`open.rs`), judged on its first bytes
//! (`sniff.rs`), parsed window by window (`json`, `vpcflow`), its events normalised and their
//! original records compressed in blocks, everything sent to the writer in order. Never touches
//! the store; memory is bounded by the window (the largest record plus a chunk) and by the
//! messages in flight, which are counted in bytes as well as in number.

use std::time::{Duration, Instant};

use std::sync::mpsc::SyncSender;

use super::json::{self, Flow, Splitter, Window};
use super::open::{self, Reading, WHOLE_LIMIT, entry_key};
use super::read_ahead::ReadAhead;
use super::sniff::Sniffed;
use super::vpcflow::FlowReader;
use super::walk::Source;
use super::{Bad, FileKind, IngestError, Input, Record};
use crate::model::Event;
use crate::store::{BLOCK_RECORDS, EventBlock};

/// Batches of messages in flight between the reader and the writer.
pub const CHANNEL_BATCHES: usize = 4;
/// A batch is sent when it holds this many messages, or this many bytes.
const BATCH_MESSAGES: usize = 64;
const BATCH_BYTES: usize = 4 * 1024 * 1024;
/// A block of events is compressed when it holds `BLOCK_RECORDS` events or this many bytes of
/// original records.
const BLOCK_BYTES: usize = 1024 * 1024;
/// Inside a large input, the writer hears of the bytes read this often.
const PROGRESS_EVERY: u64 = 4 * 1024 * 1024;

/// What the reader tells the writer, in input order.
pub enum Msg {
    /// An input begins: its rows go to it.
    Start {
        name: String,
        format: &'static str,
        size: u64,
    },
    /// Up to `BLOCK_RECORDS` events, original records compressed.
    Block(EventBlock),
    /// A finding, a flow record or a reject.
    Item(Result<Record, Bad>),
    /// The organisation's address ranges (CSV text, validated) read from the current input.
    Ranges { text: String, ranges: usize },
    /// Bytes of the current input read so far.
    Progress { bytes: u64 },
    /// A special file met in a tree: counted, not read.
    Special { name: String, kind: &'static str },
    /// The input ends, with the number of good records the reader found in it.
    End {
        damage: Option<String>,
        skipped: bool,
        size: u64,
        records: u64,
        content_key: [u8; 16],
    },
    /// Commit the inputs since the last commit.
    Commit,
}

impl Msg {
    /// Roughly the memory a message holds.
    fn weight(&self) -> usize {
        match self {
            Msg::Block(b) => b.weight(),
            Msg::Item(Ok(Record::Finding(f))) => 512 + f.raw.len(),
            Msg::Item(Ok(Record::Event(e))) => 512 + e.raw.len(),
            Msg::Item(Err(b)) => 256 + b.reason.len() + b.excerpt.as_ref().map_or(0, String::len),
            Msg::Ranges { text, .. } => 256 + text.len(),
            _ => 256,
        }
    }
}

/// Settings the reader needs.
pub struct ReadOptions {
    pub commit_every: u64,
    pub max_record: usize,
}

/// Messages on their way to the writer, sent in batches: a channel send that wakes the writer
/// costs more than a small file's whole parse, and CloudTrail writes many small files.
struct Outbox {
    tx: SyncSender<Vec<Msg>>,
    batch: Vec<Msg>,
    bytes: usize,
    blocked: Duration,
}

impl Outbox {
    fn send(&mut self, msg: Msg) -> Result<(), IngestError> {
        let commit = matches!(msg, Msg::Commit);
        self.bytes += msg.weight();
        self.batch.push(msg);
        if commit || self.batch.len() >= BATCH_MESSAGES || self.bytes >= BATCH_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), IngestError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH_MESSAGES));
        self.bytes = 0;
        let t = Instant::now();
        let sent = self.tx.send(batch).map_err(|_| IngestError::WriterStopped);
        self.blocked += t.elapsed();
        sent
    }
}

/// Events waiting for a block; blocks span inputs (within a transaction), so tiny files still
/// compress in company.
struct Pending {
    events: Vec<Event>,
    bytes: usize,
}

impl Pending {
    fn push(&mut self, out: &mut Outbox, ev: Event) -> Result<(), IngestError> {
        self.bytes += ev.raw.len();
        self.events.push(ev);
        if self.events.len() >= BLOCK_RECORDS || self.bytes >= BLOCK_BYTES {
            self.flush(out)?;
        }
        Ok(())
    }

    fn flush(&mut self, out: &mut Outbox) -> Result<(), IngestError> {
        if self.events.is_empty() {
            return Ok(());
        }
        let events = std::mem::replace(&mut self.events, Vec::with_capacity(BLOCK_RECORDS));
        self.bytes = 0;
        out.send(Msg::Block(EventBlock::new(events)?))
    }
}

/// The reader thread's loop.
pub fn read_sources(
    sources: impl Iterator<Item = Source>,
    ahead: Option<&ReadAhead<'_>>,
    opts: &ReadOptions,
    tx: SyncSender<Vec<Msg>>,
) -> Result<(), IngestError> {
    let started = Instant::now();
    let mut out = Outbox {
        tx,
        batch: Vec::with_capacity(BATCH_MESSAGES),
        bytes: 0,
        blocked: Duration::ZERO,
    };
    let mut pending = Pending {
        events: Vec::with_capacity(BLOCK_RECORDS),
        bytes: 0,
    };
    let mut group_records = 0u64;
    let mut file_index = 0usize;
    for source in sources {
        if group_records >= opts.commit_every {
            pending.flush(&mut out)?;
            out.send(Msg::Commit)?;
            group_records = 0;
        }
        match source {
            Source::Special { name, kind } => out.send(Msg::Special { name, kind })?,
            Source::Problem { name, reason } => {
                let content_key = entry_key(&name, &reason);
                out.send(Msg::Start {
                    name,
                    format: "unreadable",
                    size: 0,
                })?;
                out.send(Msg::Item(Err(Bad::new("entry", reason))))?;
                out.send(end(0, 0, content_key))?;
                group_records += 1;
            }
            Source::Input(input) => {
                if let (Some(ahead), Input::File(_)) = (ahead, &input) {
                    ahead.reached(file_index);
                    file_index += 1;
                }
                let records = read_input(input, opts, &mut out, &mut pending)?;
                group_records += records.max(1);
            }
        }
    }
    pending.flush(&mut out)?;
    out.send(Msg::Commit)?;
    tracing::info!(
        busy_seconds = (started.elapsed().saturating_sub(out.blocked)).as_secs_f64(),
        blocked_seconds = out.blocked.as_secs_f64(),
        "reader finished"
    );
    Ok(())
}

fn end(size: u64, records: u64, content_key: [u8; 16]) -> Msg {
    Msg::End {
        damage: None,
        skipped: false,
        size,
        records,
        content_key,
    }
}

/// Reads one input; returns the number of good records in it.
fn read_input(
    input: Input,
    opts: &ReadOptions,
    out: &mut Outbox,
    pending: &mut Pending,
) -> Result<u64, IngestError> {
    let name = input.name();
    let mut reading = match open::open(input) {
        Ok(r) => r,
        Err(e) => {
            let reason = e.to_string();
            let content_key = entry_key(&name, &reason);
            out.send(Msg::Start {
                name,
                format: "unreadable",
                size: 0,
            })?;
            out.send(Msg::Item(Err(Bad::new("file", reason))))?;
            out.send(end(0, 0, content_key))?;
            return Ok(0);
        }
    };
    out.send(Msg::Start {
        name: name.clone(),
        format: format_name(&reading.sniffed),
        size: reading.size,
    })?;
    // The sink (called while parsing) and the progress tick (between windows) share the
    // outbox, one at a time.
    let state = std::cell::RefCell::new((&mut *out, &mut *pending, 0u64));
    {
        let mut sink = |item: Result<Record, Bad>| -> Result<(), IngestError> {
            let mut guard = state.borrow_mut();
            let (out, pending, records) = &mut *guard;
            match item {
                Ok(Record::Event(ev)) => {
                    *records += 1;
                    pending.push(out, *ev)
                }
                Ok(other) => {
                    *records += 1;
                    out.send(Msg::Item(Ok(other)))
                }
                Err(bad) => out.send(Msg::Item(Err(bad))),
            }
        };
        let mut tick = |bytes: u64| state.borrow_mut().0.send(Msg::Progress { bytes });
        match reading.sniffed.clone() {
            Sniffed::Json(_) => {
                let start = json::start_of(&reading.window);
                let mut parser = Parser::Json(Splitter::new(start, opts.max_record));
                parse(&mut reading, &mut parser, &mut sink, &mut tick)?;
            }
            Sniffed::VpcFlow => {
                let mut parser = Parser::Flow(FlowReader::new(opts.max_record));
                parse(&mut reading, &mut parser, &mut sink, &mut tick)?;
            }
            Sniffed::IpRanges => match super::ranges::read_ranges(&mut reading, opts.max_record) {
                Ok((text, ranges)) => {
                    let mut guard = state.borrow_mut();
                    guard.2 += ranges as u64;
                    guard.0.send(Msg::Ranges { text, ranges })?;
                }
                Err(bad) => sink(Err(bad))?,
            },
            Sniffed::Digest | Sniffed::Blank => {}
            Sniffed::Unknown(kind) => {
                // One reject naming what it looks like, never its content: it may be anything
                // (a credentials file, a key).
                let reason = format!(
                    "unrecognised format: {kind}, {}: not CloudTrail, GuardDuty or VPC flow \
                     log content; not read",
                    size_text(reading.size)
                );
                sink(Err(Bad::new("file", reason)))?;
            }
        }
    }
    let records = state.into_inner().2;
    let content_key = reading.content_key(&name);
    out.send(Msg::End {
        damage: reading.damage.take(),
        skipped: reading.sniffed == Sniffed::Digest,
        size: reading.size,
        records,
        content_key,
    })?;
    Ok(records)
}

/// The readers of the two text formats.
enum Parser {
    Json(Splitter),
    Flow(FlowReader),
}

/// Reads `reading` to its end through `parser`: in one window when it is small, else window by
/// window, dropping what the parser no longer needs. `tick` hears of the input's bytes read,
/// every few megabytes.
fn parse(
    reading: &mut Reading,
    parser: &mut Parser,
    sink: &mut super::Sink,
    tick: &mut dyn FnMut(u64) -> Result<(), IngestError>,
) -> Result<(), IngestError> {
    reading.fill_to(WHOLE_LIMIT + 1);
    let mut reported = 0u64;
    loop {
        let win = Window {
            data: &reading.window,
            base: reading.base,
            eof: reading.eof,
        };
        let flow = match parser {
            Parser::Json(s) => s.read(win, sink)?,
            Parser::Flow(f) => f.read(win, sink)?,
        };
        if flow == Flow::Done || reading.eof {
            return Ok(());
        }
        let keep = match parser {
            Parser::Json(s) => {
                let keep = s.keep_from();
                s.before_compact(win, keep);
                keep
            }
            Parser::Flow(f) => f.keep_from(),
        };
        reading.advance(keep);
        let raw = reading.raw_read();
        if raw >= reported + PROGRESS_EVERY {
            reported = raw;
            tick(raw)?;
        }
    }
}

/// The format name the files table records.
fn format_name(s: &Sniffed) -> &'static str {
    match s {
        Sniffed::Json(kind) => kind.name(),
        Sniffed::VpcFlow => FileKind::VpcFlow.name(),
        Sniffed::IpRanges => "ip-ranges",
        Sniffed::Digest => FileKind::CloudTrailDigest.name(),
        Sniffed::Blank => "empty",
        Sniffed::Unknown(_) => "unknown",
    }
}

/// `1.2 MB`, `340 B`.
fn size_text(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} kB", n as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        _ => format!("{:.1} GB", n as f64 / 1e9),
    }
}
