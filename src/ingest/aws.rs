//! Pulling logs from AWS into the cache: `LookupEvents` (the CloudTrail API), a trail bucket in
//! S3, GuardDuty findings. Read-only calls only, with the standard credential chain. Everything
//! fetched goes through the ordinary pipeline (`ingest_inputs`), so a synced record and an
//! ingested file's record are the same row; what has been fetched is remembered (spans,
//! cursors, objects done) so the next sync fetches only what is new and a stopped one resumes.
//!
//! The only place AWS SDK types and tokio appear: callers (the command line, the console) see
//! `SyncPlan`, `SyncProgress`, `SyncReport` and `SyncError`, and call `sync` from a plain
//! thread. It must not draw, read the terminal, or derive attribution (the caller runs
//! `analysis::refresh` after it, as after any ingest).
//!
//! How a caller other than the command line (the console's sync key) runs the configured
//! sources, on a thread of its own with a writing `Store`:
//!
//! ```ignore
//! let plan = ingest::aws::load_sources(&ingest::aws::sources_path())?; // the sources file
//! let stop = Arc::new(AtomicBool::new(false)); // set it to stop cleanly; the next run resumes
//! let report = ingest::aws::sync(&mut store, &plan, now_ms, &mut |p: &SyncProgress| {
//!     let _ = progress_tx.send(p.clone()); // rows per task: counts, rate, ETA, state
//! }, stop.clone())?;
//! analysis::refresh(&mut store)?; // derive what was committed, even after errors or a stop
//! // report.errors: one-line messages (through `text::sanitize` before a terminal, as the CLI
//! // does); report.exit_status() for scripts.
//! ```

mod client;
mod cloudtrail;
pub mod config;
mod error;
mod feed;
mod guardduty;
mod pace;
mod pages;
pub mod plan;
mod progress;
mod run;
mod s3;

pub use client::{ALL_REGIONS, FALLBACK_REGION, Transport};
pub use config::{describe, load_sources, parse_sources, sources_path};
pub use error::SyncError;
pub use plan::{
    CloudTrailSource, GuardDutySource, Limits, Lookup, Regions, S3Source, Source, SyncPlan, Window,
    parse_window,
};
pub use progress::{SyncProgress, TaskState, TaskView};
pub use run::{SyncReport, sync};

/// The test doors' types, for tests and benchmarks that replay recorded exchanges.
pub mod testing {
    pub use aws_sdk_cloudtrail::config::SharedHttpClient;
}
