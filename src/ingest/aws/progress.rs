//! Where a sync is, as data: one row per task (a source in one account and region, or one
//! bucket), with what it fetched, its rate beside the API's ceiling, and an estimate of what is
//! left; the pipeline's own `Progress` beside them. Fetching tasks update their row through a
//! `Tally`; the caller's callback gets snapshots. Nothing here draws.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use crate::ingest::Progress;

/// One task's state.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum TaskState {
    Running,
    Done,
    /// Stopped by the caller (Ctrl-C): what was committed stays, the next sync resumes.
    Stopped,
    /// Skipped, with why (a region not enabled under `--all-regions`).
    Skipped(String),
    Failed(String),
}

/// A task's row.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TaskView {
    /// `cloudtrail`, `s3` or `guardduty`.
    pub source: &'static str,
    pub profile: Option<String>,
    /// The account (from STS), or the bucket for S3.
    pub account: String,
    pub region: String,
    pub state: TaskState,
    pub requests: u64,
    pub throttled: u64,
    /// Records fetched (events, or findings), before deduplication.
    pub records: u64,
    pub records_per_second: f64,
    /// The API's ceiling for this task, when it has one: `LookupEvents` at 2 requests a second
    /// of 50 events is 100 events a second per account and region.
    pub ceiling_per_second: Option<f64>,
    pub objects_done: u64,
    pub objects_skipped: u64,
    pub objects_total: Option<u64>,
    /// Fraction of the work done, when it can be told (objects, or the time span paged back
    /// through), and the seconds left at the rate so far.
    pub fraction_done: Option<f64>,
    pub eta_seconds: Option<f64>,
    pub elapsed_seconds: f64,
    /// While a transient failure (a dropped connection, a timeout) is being retried: which
    /// attempt comes next and what failed, so a minute of backing off does not look like a hang.
    pub retrying: Option<String>,
}

/// A snapshot of the whole sync.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SyncProgress {
    pub tasks: Vec<TaskView>,
    /// What the pipeline has written (new and duplicate events across all tasks).
    #[serde(skip)]
    pub ingest: Progress,
    pub elapsed_seconds: f64,
}

struct Row {
    view: TaskView,
    started: Instant,
    finished: Option<Instant>,
}

/// Every task's row, shared by the fetching tasks and the thread that reports.
#[derive(Clone, Default)]
pub struct Board(Arc<Mutex<Vec<Row>>>);

impl Board {
    fn rows(&self) -> MutexGuard<'_, Vec<Row>> {
        // A task that panicked while holding the lock left counters, not broken invariants.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a task's row and returns the handle that updates it.
    pub fn task(
        &self,
        source: &'static str,
        profile: Option<&str>,
        account: &str,
        region: &str,
        ceiling_per_second: Option<f64>,
    ) -> Tally {
        let mut rows = self.rows();
        rows.push(Row {
            view: TaskView {
                source,
                profile: profile.map(str::to_string),
                account: account.to_string(),
                region: region.to_string(),
                state: TaskState::Running,
                requests: 0,
                throttled: 0,
                records: 0,
                records_per_second: 0.0,
                ceiling_per_second,
                objects_done: 0,
                objects_skipped: 0,
                objects_total: None,
                fraction_done: None,
                eta_seconds: None,
                elapsed_seconds: 0.0,
                retrying: None,
            },
            started: Instant::now(),
            finished: None,
        });
        Tally {
            board: self.clone(),
            index: rows.len() - 1,
        }
    }

    /// Every row as it is now, with rates and estimates worked out.
    pub fn snapshot(&self) -> Vec<TaskView> {
        let now = Instant::now();
        self.rows()
            .iter()
            .map(|row| {
                let mut v = row.view.clone();
                let secs = row
                    .finished
                    .unwrap_or(now)
                    .duration_since(row.started)
                    .as_secs_f64();
                v.elapsed_seconds = secs;
                v.records_per_second = if secs > 0.0 {
                    v.records as f64 / secs
                } else {
                    0.0
                };
                if let Some(total) = v.objects_total.filter(|t| *t > 0) {
                    v.fraction_done =
                        Some(((v.objects_done + v.objects_skipped) as f64 / total as f64).min(1.0));
                }
                v.eta_seconds = match (v.state == TaskState::Running, v.fraction_done) {
                    (true, Some(f)) if f > 0.0 => Some(secs * (1.0 - f) / f),
                    _ => None,
                };
                v
            })
            .collect()
    }
}

/// A task's handle on its row.
#[derive(Clone)]
pub struct Tally {
    board: Board,
    index: usize,
}

impl Tally {
    fn with(&self, f: impl FnOnce(&mut Row)) {
        if let Some(row) = self.board.rows().get_mut(self.index) {
            f(row);
        }
    }

    pub fn request(&self) {
        self.with(|r| r.view.requests += 1);
    }

    pub fn throttled(&self) {
        self.with(|r| r.view.throttled += 1);
    }

    /// A transient failure is being retried: `what` says which attempt is next and why.
    pub fn retrying(&self, what: String) {
        self.with(|r| r.view.retrying = Some(what));
    }

    /// A request went through: no retry is pending.
    pub fn answered(&self) {
        self.with(|r| r.view.retrying = None);
    }

    pub fn records(&self, n: u64) {
        self.with(|r| r.view.records += n);
    }

    pub fn objects_total(&self, n: u64) {
        self.with(|r| r.view.objects_total = Some(n));
    }

    pub fn object_done(&self) {
        self.with(|r| r.view.objects_done += 1);
    }

    pub fn object_skipped(&self) {
        self.with(|r| r.view.objects_skipped += 1);
    }

    /// Fraction of the work done (time paged back through, for `LookupEvents`).
    pub fn fraction(&self, f: f64) {
        self.with(|r| r.view.fraction_done = Some(f.clamp(0.0, 1.0)));
    }

    /// The task ended.
    pub fn finish(&self, state: TaskState) {
        self.with(|r| {
            r.view.state = state;
            r.finished = Some(Instant::now());
        });
    }
}
