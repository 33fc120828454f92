//! The ingest driver: walks paths, reads one file at a time, detects its format, and streams its
//! records into one store transaction per file. Memory is bounded by the largest file.

use std::path::PathBuf;
use std::time::Instant;

use std::sync::mpsc::{Receiver, SyncSender};

use super::read_ahead::{HELPERS, ReadAhead};
use super::{Bad, FileKind, Record, json, read, vpcflow};
use crate::model::Event;
use crate::store::{BLOCK_RECORDS, EventBlock, FileWriter, Inserted, RunTotals, Store, StoreError};

/// How to run an ingest.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Draw a progress bar on stderr (only when it is a terminal).
    pub progress: bool,
    /// Records per transaction (whole files; `None`: `COMMIT_EVERY`).
    pub commit_every: Option<u64>,
}

/// A transaction holds whole files and is committed once it holds this many records (a file
/// with none counts as one) or the input ends. Big transactions are what make ingest fast: the
/// deduplication index is keyed by a hash, so every transaction rewrites index pages all over
/// it, and a commit per few thousand events rewrote each of them hundreds of times. A killed
/// ingest loses at most this many records' work, which the next run redoes (about two seconds).
pub const COMMIT_EVERY: u64 = 250_000;

/// What an ingest run did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IngestReport {
    pub run_id: i64,
    #[serde(flatten)]
    pub totals: RunTotals,
    /// Files read but holding nothing to ingest (CloudTrail digests).
    pub files_skipped: u64,
    pub bytes_read: u64,
    pub elapsed_ms: u64,
    /// New events per second over the whole run.
    pub events_per_second: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{0}: no such file or directory")]
    NoSuchPath(PathBuf),
    #[error("{path}: {source}")]
    Walk {
        path: PathBuf,
        source: walkdir::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: the file reader thread panicked; files committed so far are kept")]
    ReaderPanicked,
}

/// Ingests every file under `paths` (directories recursively, in name order).
pub fn ingest_paths(
    store: &mut Store,
    paths: &[PathBuf],
    opts: &IngestOptions,
    now_ms: i64,
) -> Result<IngestReport, IngestError> {
    for p in paths {
        if !p.exists() {
            return Err(IngestError::NoSuchPath(p.clone()));
        }
    }
    let files = list_files(paths)?;
    let started = Instant::now();
    let joined = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    let run_id = store.insert_run(&joined, now_ms)?;
    store.set_bulk_pragmas(true)?;
    let bar = progress_bar(opts.progress, &files);
    let mut counts = Counts::default();
    // Two threads: a reader (read, gunzip, parse, normalise, compress the original records) and
    // this one, the writer (SQLite). A bounded channel keeps memory at a few blocks plus the
    // file being read. Read-ahead helpers warm the page cache a few files ahead of the reader.
    let ahead = ReadAhead::new(&files);
    let result = std::thread::scope(|scope| -> Result<(), IngestError> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Msg>>(CHANNEL_BATCHES);
        let commit_every = opts.commit_every.unwrap_or(COMMIT_EVERY).max(1);
        let files = files.as_slice();
        let ahead = &ahead;
        let reader = scope.spawn(move || {
            let _stop = ahead.stop_on_drop();
            read_files(files, ahead, commit_every, tx)
        });
        // Spawned after the reader, whose end (however it ends) stops them.
        for k in 0..HELPERS {
            scope.spawn(move || ahead.run(k, HELPERS));
        }
        let written = write_files(store, run_id, rx, &bar, &mut counts);
        // A writer error drops the receiver first, which stops the reader at its next send.
        let read = reader.join().unwrap_or(Err(IngestError::ReaderPanicked));
        written?;
        read
    });
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "files read and written"
    );
    store.set_bulk_pragmas(false)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result?;
    let elapsed = started.elapsed();
    let Counts {
        totals,
        files_skipped,
        bytes_read,
    } = counts;
    store.finish_run(run_id, now_ms + elapsed.as_millis() as i64, &totals)?;
    Ok(IngestReport {
        run_id,
        totals,
        files_skipped,
        bytes_read,
        elapsed_ms: elapsed.as_millis() as u64,
        events_per_second: totals.events_new as f64 / elapsed.as_secs_f64().max(1e-9),
    })
}

/// Every regular file under `paths`, directories walked in name order. No `stat` per file: the
/// directory entries say which are files, and a file's size is known once it is read.
fn list_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, IngestError> {
    let mut out = Vec::new();
    for root in paths {
        for entry in walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
        {
            let entry = entry.map_err(|source| IngestError::Walk {
                path: root.clone(),
                source,
            })?;
            if entry.file_type().is_file() {
                out.push(entry.into_path());
            }
        }
    }
    Ok(out)
}

/// Batches of messages in flight between the reader and the writer, and messages per batch.
const CHANNEL_BATCHES: usize = 4;
const BATCH_MESSAGES: usize = 64;

/// What the reader thread tells the writer, in file order.
enum Msg {
    /// A file begins: open its transaction.
    Start {
        path: String,
        format: &'static str,
        size: u64,
    },
    /// Up to `BLOCK_RECORDS` events, original records compressed.
    Block(EventBlock),
    /// A finding, a flow record or a reject.
    Item(Result<Record, Bad>),
    /// The file ends, with the number of good records the reader found in it.
    End {
        damage: Option<String>,
        skipped: bool,
        size: u64,
        records: u64,
    },
    /// Commit the files since the last commit.
    Commit,
}

/// The reader thread: one file at a time, records to the writer in blocks.
fn read_files(
    files: &[PathBuf],
    ahead: &ReadAhead<'_>,
    commit_every: u64,
    tx: SyncSender<Vec<Msg>>,
) -> Result<(), IngestError> {
    let blocked = std::cell::Cell::new(std::time::Duration::ZERO);
    let started = Instant::now();
    // Messages travel in batches: a channel send that wakes the writer costs more than a small
    // file's whole parse, and CloudTrail writes many small files.
    let outbox = std::cell::RefCell::new(Vec::with_capacity(BATCH_MESSAGES));
    let flush = || -> Result<(), StoreError> {
        let batch = std::mem::replace(
            &mut *outbox.borrow_mut(),
            Vec::with_capacity(BATCH_MESSAGES),
        );
        if batch.is_empty() {
            return Ok(());
        }
        let t = Instant::now();
        let sent = tx.send(batch).map_err(|_| StoreError::WriterStopped);
        blocked.set(blocked.get() + t.elapsed());
        sent
    };
    let send = |msg: Msg| -> Result<(), StoreError> {
        let commit = matches!(msg, Msg::Commit);
        let full = {
            let mut out = outbox.borrow_mut();
            out.push(msg);
            out.len() >= BATCH_MESSAGES
        };
        if full || commit { flush() } else { Ok(()) }
    };
    // Events wait here until a block is full; blocks span files (within a transaction), so
    // tiny files still compress in company.
    let mut pending: Vec<Event> = Vec::with_capacity(BLOCK_RECORDS);
    let mut group_records = 0u64;
    for (i, path) in files.iter().enumerate() {
        ahead.reached(i);
        if group_records >= commit_every {
            if !pending.is_empty() {
                let events = std::mem::replace(&mut pending, Vec::with_capacity(BLOCK_RECORDS));
                send(Msg::Block(EventBlock::new(events)?))?;
            }
            send(Msg::Commit)?;
            group_records = 0;
        }
        let name = path.display().to_string();
        let loaded = match read::load(path) {
            Ok(l) => l,
            Err(e) => {
                send(Msg::Start {
                    path: name,
                    format: "unreadable",
                    size: 0,
                })?;
                send(Msg::Item(Err(Bad::new(
                    "file",
                    format!("cannot read: {e}"),
                ))))?;
                send(Msg::End {
                    damage: None,
                    skipped: false,
                    size: 0,
                    records: 0,
                })?;
                group_records += 1;
                continue;
            }
        };
        let kind = if let Some(kind) = json::detect(&loaded.data) {
            Some(kind)
        } else if vpcflow::detect(&loaded.data) {
            Some(FileKind::VpcFlow)
        } else {
            None
        };
        send(Msg::Start {
            path: name,
            format: kind.map_or("unknown", |k| k.name()),
            size: loaded.size,
        })?;
        let mut records = 0u64;
        let mut sink = |item: Result<Record, Bad>| -> Result<(), StoreError> {
            if item.is_ok() {
                records += 1;
            }
            match item {
                Ok(Record::Event(ev)) => {
                    pending.push(*ev);
                    if pending.len() == BLOCK_RECORDS {
                        let events =
                            std::mem::replace(&mut pending, Vec::with_capacity(BLOCK_RECORDS));
                        send(Msg::Block(EventBlock::new(events)?))?;
                    }
                }
                other => send(Msg::Item(other))?,
            }
            Ok(())
        };
        let mut skipped = false;
        match kind {
            Some(FileKind::CloudTrailDigest) => skipped = true,
            Some(FileKind::VpcFlow) => vpcflow::parse(&loaded.data, &mut sink)?,
            Some(k @ FileKind::Json(_)) => json::parse(&loaded.data, k, &mut sink)?,
            None if loaded.data.iter().all(u8::is_ascii_whitespace) => {}
            None => sink(Err(Bad::new(
                "file",
                "unrecognised format: not CloudTrail, GuardDuty or VPC flow log content",
            )
            .with_excerpt(&loaded.data)))?,
        }
        send(Msg::End {
            damage: loaded.damage,
            skipped,
            size: loaded.size,
            records,
        })?;
        group_records += records.max(1);
    }
    if !pending.is_empty() {
        send(Msg::Block(EventBlock::new(pending)?))?;
    }
    send(Msg::Commit)?;
    tracing::info!(
        busy_seconds = (started.elapsed() - blocked.get()).as_secs_f64(),
        blocked_seconds = blocked.get().as_secs_f64(),
        "reader finished"
    );
    Ok(())
}

/// The writer: one transaction per group of files, committed when the reader says so.
fn write_files(
    store: &mut Store,
    run_id: i64,
    rx: Receiver<Vec<Msg>>,
    bar: &Option<indicatif::ProgressBar>,
    counts: &mut Counts,
) -> Result<(), IngestError> {
    let mut messages = rx.into_iter().flatten();
    loop {
        let mut w = store.batch_writer(run_id)?;
        let committed = counts.totals.events_new;
        let progress = |t: &RunTotals, size: u64| {
            if let Some(bar) = bar {
                bar.inc(size);
                bar.set_message(format!("{} events", committed + t.events_new));
            }
        };
        let end = write_group(&mut w, &mut messages, counts, progress)?;
        match end {
            GroupEnd::Commit => counts.totals.add(&w.commit()?),
            // The input ended (or the reader stopped): anything uncommitted rolls back.
            GroupEnd::Closed => return Ok(()),
        }
    }
}

/// What the writer tallies besides the store's own counts.
#[derive(Default)]
struct Counts {
    totals: RunTotals,
    /// Files read but holding nothing to ingest (CloudTrail digests).
    files_skipped: u64,
    bytes_read: u64,
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
    progress: impl Fn(&RunTotals, u64),
) -> Result<GroupEnd, IngestError> {
    for msg in messages {
        match msg {
            Msg::Start { path, format, size } => w.next_file(&path, format, Some(size))?,
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
            Msg::Item(Err(bad)) => w.reject(&bad.position, &bad.reason, bad.excerpt.as_deref())?,
            Msg::End {
                damage,
                skipped,
                size,
                records,
            } => {
                if let Some(damage) = &damage {
                    w.reject("end of file", damage, None)?;
                }
                w.finish_file(Some(records))?;
                counts.files_skipped += u64::from(skipped);
                counts.bytes_read += size;
                progress(&w.totals(), size);
            }
            Msg::Commit => return Ok(GroupEnd::Commit),
        }
    }
    Ok(GroupEnd::Closed)
}

/// A bar over the input's bytes, only on a terminal (the sizes cost a `stat` per file).
fn progress_bar(wanted: bool, files: &[PathBuf]) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !wanted || !std::io::stderr().is_terminal() {
        return None;
    }
    let total = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg} ({eta})",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}
