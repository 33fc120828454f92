//! The ingest driver: walks paths, reads one file at a time, detects its format, and streams its
//! records into one store transaction per file. Memory is bounded by the largest file.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{Bad, FileKind, Record, json, read, vpcflow};
use crate::store::{Inserted, RunTotals, Store, StoreError};

/// How to run an ingest.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Draw a progress bar on stderr (only when it is a terminal).
    pub progress: bool,
}

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
    let total_bytes: u64 = files.iter().map(|(_, size)| size).sum();
    let started = Instant::now();
    let joined = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    let run_id = store.insert_run(&joined, now_ms)?;
    let bulk = store.prepare_bulk_load()?;
    store.set_bulk_pragmas(true)?;
    let bar = progress_bar(opts.progress, total_bytes);
    let mut totals = RunTotals::default();
    let mut files_skipped = 0;
    let result = (|| -> Result<(), IngestError> {
        for (path, size) in &files {
            let (t, skipped) = ingest_file(store, run_id, path)?;
            totals.add(&t);
            files_skipped += u64::from(skipped);
            if let Some(bar) = &bar {
                bar.inc(*size);
                bar.set_message(format!("{} events", totals.events_new));
            }
        }
        Ok(())
    })();
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "files read and written"
    );
    if bulk {
        // Always rebuild, even after an error: the committed files must stay indexed.
        let t = Instant::now();
        store.ensure_indexes()?;
        tracing::info!(
            seconds = t.elapsed().as_secs_f64(),
            "indexes built after bulk load"
        );
    }
    store.set_bulk_pragmas(false)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result?;
    let elapsed = started.elapsed();
    store.finish_run(run_id, now_ms + elapsed.as_millis() as i64, &totals)?;
    Ok(IngestReport {
        run_id,
        totals,
        files_skipped,
        bytes_read: total_bytes,
        elapsed_ms: elapsed.as_millis() as u64,
        events_per_second: totals.events_new as f64 / elapsed.as_secs_f64().max(1e-9),
    })
}

/// Every regular file under `paths`, with its size, directories walked in name order.
fn list_files(paths: &[PathBuf]) -> Result<Vec<(PathBuf, u64)>, IngestError> {
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
                let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                out.push((entry.into_path(), size));
            }
        }
    }
    Ok(out)
}

/// Ingests one file in one transaction. Returns its counts and whether it was skipped.
fn ingest_file(
    store: &mut Store,
    run_id: i64,
    path: &Path,
) -> Result<(RunTotals, bool), IngestError> {
    let name = path.display().to_string();
    let loaded = match read::load(path) {
        Ok(l) => l,
        Err(e) => {
            store.insert_reject(run_id, &name, "file", &format!("cannot read: {e}"), None)?;
            return Ok((
                RunTotals {
                    files: 1,
                    rejected: 1,
                    ..RunTotals::default()
                },
                false,
            ));
        }
    };
    let kind = if let Some(kind) = json::detect(&loaded.data) {
        Some(kind)
    } else if vpcflow::detect(&loaded.data) {
        Some(FileKind::VpcFlow)
    } else {
        None
    };
    let format = kind.map_or("unknown", |k| k.name());
    let mut writer = store.file_writer(run_id, &name, format)?;
    writer.set_size(loaded.size);
    let mut skipped = false;
    {
        let mut sink = |item: Result<Record, Bad>| -> Result<(), StoreError> {
            match item {
                Ok(Record::Event(ev)) => {
                    if writer.insert_event(&ev)? == Inserted::HashCollision {
                        writer.reject(
                            &format!("event {}", ev.event_id),
                            "event ID shares its 64-bit hash with a cached event; not stored",
                            None,
                        )?;
                    }
                }
                Ok(Record::Finding(f)) => {
                    writer.insert_finding(&f)?;
                }
                Ok(Record::Flow(r)) => {
                    writer.insert_flow(&r)?;
                }
                Err(bad) => writer.reject(&bad.position, &bad.reason, bad.excerpt.as_deref())?,
            }
            Ok(())
        };
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
    }
    if let Some(damage) = &loaded.damage {
        writer.reject("end of file", damage, None)?;
    }
    Ok((writer.commit()?, skipped))
}

fn progress_bar(wanted: bool, total: u64) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !wanted || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg} ({eta})",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}
