//! The ingest pipeline: a reader thread turns inputs (from a listed tree, or any iterator or
//! channel of `Input`s) into records, rejects and compressed blocks (`reader.rs`); the calling
//! thread writes them into the cache in transactions of whole inputs, and reports `Progress`
//! to the caller's callback as it goes. Memory is bounded by the largest record and a few
//! megabytes of messages in flight, never by an input's size.

use std::path::PathBuf;
use std::sync::mpsc::Receiver;
use std::time::Instant;

use super::read_ahead::{HELPERS, ReadAhead};
use super::reader::{Msg, ReadOptions, read_sources};
use super::walk::{Source, list};
use super::{Bad, IngestError, Input, Progress, Record};
use crate::store::{FileWriter, Inserted, RunTotals, Store, WriteMode};

/// How to run an ingest.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Records per transaction (whole inputs; `None`: `COMMIT_EVERY`).
    pub commit_every: Option<u64>,
    /// Records (and flow log lines) larger than this many bytes are rejected, not read
    /// (`None`: `DEFAULT_MAX_RECORD`).
    pub max_record_bytes: Option<usize>,
    /// Look up every listed file's size first, so that `Progress` carries a byte total (a
    /// `stat` per file: worth it for a progress bar, not for a script).
    pub measure_total: bool,
}

/// A transaction holds whole inputs and is committed once it holds this many records (an
/// input with none counts as one) or the inputs end. Big transactions are what make ingest
/// fast: the deduplication index is keyed by a hash, so every transaction rewrites index pages
/// all over it, and a commit per few thousand events rewrote each of them hundreds of times. A
/// killed ingest loses at most this many records' work, which the next run redoes.
pub const COMMIT_EVERY: u64 = 250_000;

/// What an ingest run did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IngestReport {
    pub run_id: i64,
    #[serde(flatten)]
    pub totals: RunTotals,
    /// Inputs read but holding nothing to ingest (CloudTrail digests).
    pub files_skipped: u64,
    /// Special files (FIFOs, sockets, devices) met inside a tree: counted, never opened.
    pub special_skipped: u64,
    /// The first of them, by name.
    pub special_files: Vec<String>,
    pub bytes_read: u64,
    pub elapsed_ms: u64,
    /// New events per second over the whole run.
    pub events_per_second: f64,
}

/// Special files named in the report, at most.
const SPECIAL_NAMED: usize = 20;

/// Ingests every file under `paths` (directories recursively, in name order).
pub fn ingest_paths(
    store: &mut Store,
    paths: &[PathBuf],
    opts: &IngestOptions,
    now_ms: i64,
) -> Result<IngestReport, IngestError> {
    ingest_paths_with_progress(store, paths, opts, &mut |_| {}, now_ms)
}

/// `ingest_paths`, telling `on_progress` how it goes.
pub fn ingest_paths_with_progress(
    store: &mut Store,
    paths: &[PathBuf],
    opts: &IngestOptions,
    on_progress: &mut dyn FnMut(&Progress),
    now_ms: i64,
) -> Result<IngestReport, IngestError> {
    let sources = list(paths)?;
    let files: Vec<PathBuf> = sources
        .iter()
        .filter_map(|s| match s {
            Source::Input(Input::File(p)) => Some(p.clone()),
            _ => None,
        })
        .collect();
    let bytes_total = opts.measure_total.then(|| {
        files
            .iter()
            .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
            .sum()
    });
    let totals = Totals {
        inputs: Some(files.len() as u64),
        bytes: bytes_total,
    };
    let label = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    // Read-ahead helpers warm the page cache a few files ahead of the reader.
    let ahead = ReadAhead::new(&files);
    run(
        store,
        sources.into_iter(),
        Some(&ahead),
        totals,
        &label,
        opts,
        on_progress,
        now_ms,
    )
}

/// Ingests `inputs` from any source, in order: an iterator, or a `std::sync::mpsc::Receiver`
/// another thread fills (S3 objects, CloudTrail `LookupEvents` pages as JSON lines). The
/// iterator runs on the reader thread, so it must be `Send`.
pub fn ingest_inputs<I>(
    store: &mut Store,
    inputs: I,
    opts: &IngestOptions,
    on_progress: &mut dyn FnMut(&Progress),
    now_ms: i64,
) -> Result<IngestReport, IngestError>
where
    I: IntoIterator<Item = Input>,
    I::IntoIter: Send,
{
    let inputs = inputs.into_iter();
    let exact = match inputs.size_hint() {
        (lo, Some(hi)) if lo == hi => Some(lo as u64),
        _ => None,
    };
    let totals = Totals {
        inputs: exact,
        bytes: None,
    };
    run(
        store,
        inputs.map(Source::Input),
        None,
        totals,
        "(inputs)",
        opts,
        on_progress,
        now_ms,
    )
}

/// What is known in advance about the inputs.
#[derive(Clone, Copy)]
struct Totals {
    inputs: Option<u64>,
    bytes: Option<u64>,
}

#[allow(clippy::too_many_arguments)]
fn run(
    store: &mut Store,
    sources: impl Iterator<Item = Source> + Send,
    ahead: Option<&ReadAhead<'_>>,
    known: Totals,
    label: &str,
    opts: &IngestOptions,
    on_progress: &mut dyn FnMut(&Progress),
    now_ms: i64,
) -> Result<IngestReport, IngestError> {
    let started = Instant::now();
    let run_id = store.insert_run(label, now_ms)?;
    store.set_write_mode(WriteMode::Bulk)?;
    let mut counts = Counts {
        progress: Progress {
            inputs_total: known.inputs,
            bytes_total: known.bytes,
            ..Progress::default()
        },
        ..Counts::default()
    };
    let read_opts = ReadOptions {
        commit_every: opts.commit_every.unwrap_or(COMMIT_EVERY).max(1),
        max_record: opts
            .max_record_bytes
            .unwrap_or(super::DEFAULT_MAX_RECORD)
            .max(1),
    };
    // Two threads: a reader (open, gunzip, parse, normalise, compress the original records) and
    // this one, the writer (SQLite), joined by a channel bounded in messages and bytes.
    let result = std::thread::scope(|scope| -> Result<(), IngestError> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Msg>>(super::reader::CHANNEL_BATCHES);
        let reader = scope.spawn(move || {
            let _stop = ahead.map(ReadAhead::stop_on_drop);
            read_sources(sources, ahead, &read_opts, tx)
        });
        if let Some(ahead) = ahead {
            // Spawned after the reader, whose end (however it ends) stops them.
            for k in 0..HELPERS {
                scope.spawn(move || ahead.run(k, HELPERS));
            }
        }
        let written = write_all(store, run_id, rx, &mut counts, on_progress);
        // A writer error drops the receiver first, which stops the reader at its next send.
        let read = reader.join().unwrap_or(Err(IngestError::ReaderPanicked));
        written?;
        match read {
            // The writer's own error was returned above.
            Err(IngestError::WriterStopped) => Ok(()),
            other => other,
        }
    });
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "inputs read and written"
    );
    store.set_write_mode(WriteMode::Normal)?;
    result?;
    let elapsed = started.elapsed();
    let Counts {
        totals,
        files_skipped,
        bytes_read,
        special_skipped,
        special_files,
        ..
    } = counts;
    store.finish_run(run_id, now_ms + elapsed.as_millis() as i64, &totals)?;
    Ok(IngestReport {
        run_id,
        totals,
        files_skipped,
        special_skipped,
        special_files,
        bytes_read,
        elapsed_ms: elapsed.as_millis() as u64,
        events_per_second: totals.events_new as f64 / elapsed.as_secs_f64().max(1e-9),
    })
}

/// What the writer tallies besides the store's own counts.
#[derive(Default)]
struct Counts {
    totals: RunTotals,
    files_skipped: u64,
    special_skipped: u64,
    special_files: Vec<String>,
    bytes_read: u64,
    progress: Progress,
}

/// The writer: one transaction per group of inputs, committed when the reader says so.
fn write_all(
    store: &mut Store,
    run_id: i64,
    rx: Receiver<Vec<Msg>>,
    counts: &mut Counts,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<(), IngestError> {
    let mut messages = rx.into_iter().flatten();
    loop {
        let mut w = store.batch_writer(run_id)?;
        let end = write_group(&mut w, &mut messages, counts, on_progress)?;
        match end {
            GroupEnd::Commit => {
                counts.totals.add(&w.commit()?);
                // A commit follows whole inputs: every input ended so far is in the cache.
                counts.progress.inputs_committed = counts.progress.inputs_done;
                // Blocks of events reach the writer after their inputs' ends: the counts are
                // complete only now.
                report(counts, RunTotals::default(), 0, on_progress);
            }
            // The inputs ended (or the reader stopped): anything uncommitted rolls back.
            GroupEnd::Closed => return Ok(()),
        }
    }
}

enum GroupEnd {
    Commit,
    Closed,
}

/// Writes messages into the open transaction until the reader asks for a commit.
fn write_group(
    w: &mut FileWriter<'_>,
    messages: &mut impl Iterator<Item = Msg>,
    counts: &mut Counts,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<GroupEnd, IngestError> {
    for msg in messages {
        match msg {
            Msg::Start { name, format, size } => {
                w.next_file(&name, format, Some(size))?;
                counts.progress.current = name;
            }
            Msg::Block(block) => {
                let results = w.insert_block(&block)?;
                for (ev, r) in block.events().iter().zip(results) {
                    if r == Inserted::HashCollision {
                        w.reject(
                            &format!("event {}", ev.event_id),
                            "event ID shares its 64-bit hash with a cached event; not stored",
                            None,
                        )?;
                    }
                }
            }
            Msg::Item(Ok(Record::Event(ev))) => {
                w.insert_event(&ev)?;
            }
            Msg::Item(Ok(Record::Finding(f))) => {
                w.insert_finding(&f)?;
            }
            Msg::Item(Ok(Record::Flow(r))) => {
                w.insert_flow(&r)?;
            }
            Msg::Item(Err(bad)) => reject(w, &bad)?,
            Msg::Ranges { text, ranges } => w.insert_ip_ranges(&text, ranges)?,
            Msg::Progress { bytes } => report(counts, w.totals(), bytes, on_progress),
            Msg::Special { name, kind } => {
                counts.special_skipped += 1;
                if counts.special_files.len() < SPECIAL_NAMED {
                    counts.special_files.push(format!("{name} ({kind})"));
                }
            }
            Msg::End {
                damage,
                skipped,
                size,
                records,
                content_key,
            } => {
                if let Some(damage) = &damage {
                    w.reject("end of file", damage, None)?;
                }
                w.end_file(records, &content_key)?;
                counts.files_skipped += u64::from(skipped);
                counts.bytes_read += size;
                counts.progress.inputs_done += 1;
                report(counts, w.totals(), 0, on_progress);
            }
            Msg::Commit => return Ok(GroupEnd::Commit),
        }
    }
    Ok(GroupEnd::Closed)
}

/// Tells `cb` where the run is: committed counts plus those of the open transaction (`open`),
/// and `extra` bytes read of the current input.
fn report(counts: &mut Counts, open: RunTotals, extra: u64, cb: &mut dyn FnMut(&Progress)) {
    let p = &mut counts.progress;
    p.events_new = counts.totals.events_new + open.events_new;
    p.events_dup = counts.totals.events_dup + open.events_dup;
    p.rejected = counts.totals.rejected + open.rejected;
    p.bytes_done = counts.bytes_read + extra;
    cb(p);
}

fn reject(w: &mut FileWriter<'_>, bad: &Bad) -> Result<(), IngestError> {
    w.reject(&bad.position, &bad.reason, bad.excerpt.as_deref())?;
    Ok(())
}
