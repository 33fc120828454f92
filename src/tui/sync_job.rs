//! The console's sync key: the configured sources (the sources file `rolecall sync` with no
//! arguments runs) through `ingest::aws::sync`, on a thread of its own with a writing
//! connection, then the refresh — progress as one status line at a time. It never touches the
//! terminal; setting the stop flag ends it cleanly (what was committed stays, the next sync
//! resumes).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::analysis;
use crate::ingest::aws::{self, SyncPlan, SyncProgress, SyncReport, TaskState};
use crate::store::Store;
use crate::text::sanitize;

/// Runs the configured sources into the cache at `db`, then derives what they brought; the
/// summary line, or why it could not run (no sources file, the cache). A source that fails is
/// in the summary, not an error: the others ran.
pub fn run(
    db: &Path,
    stop: Arc<AtomicBool>,
    progress: &mut dyn FnMut(String),
) -> Result<String, String> {
    let path = aws::sources_path();
    if !path.exists() {
        // The status line is one line: the command line's longer advice is in the README.
        return Err(format!(
            "no sources file at {} (README: \"Pulling from AWS\")",
            path.display()
        ));
    }
    let plan = aws::load_sources(&path)?;
    let now_ms = chrono::Utc::now().timestamp_millis();
    run_plan(db, &plan, now_ms, stop, progress).map(|r| summary(&r))
}

/// `run` with the plan given: the sync, then the refresh; the report.
pub fn run_plan(
    db: &Path,
    plan: &SyncPlan,
    now_ms: i64,
    stop: Arc<AtomicBool>,
    progress: &mut dyn FnMut(String),
) -> Result<SyncReport, String> {
    let mut store = Store::open(db).map_err(|e| format!("{}: {e}", db.display()))?;
    let report = aws::sync(&mut store, plan, now_ms, &mut |p| progress(line(p)), stop)
        .map_err(|e| e.to_string())?;
    progress("deriving sessions and chains".into());
    // Derive what was committed, even after a failed source or a stop.
    analysis::refresh(&mut store).map_err(|e| format!("refresh: {e}"))?;
    Ok(report)
}

/// One line for the status bar: sources running, records fetched, events new so far.
pub fn line(p: &SyncProgress) -> String {
    let running = p
        .tasks
        .iter()
        .filter(|t| t.state == TaskState::Running)
        .count();
    let records: u64 = p.tasks.iter().map(|t| t.records).sum();
    let mut s = format!(
        "{running}/{} running, {records} fetched, {} new",
        p.tasks.len(),
        p.ingest.events_new
    );
    // A task backing off after a network failure says so: otherwise a minute of waiting
    // looks like a hang.
    if let Some((t, why)) = p
        .tasks
        .iter()
        .filter(|t| t.state == TaskState::Running)
        .find_map(|t| t.retrying.as_ref().map(|w| (t, w)))
    {
        s.push_str(&format!("; {} {}: {why}", t.source, t.region));
    }
    sanitize(&s).into_owned()
}

/// The status line after a sync: a failure first (the line is cut at the screen's width, and
/// why a source failed is what the user must read), then what it added and whether it was
/// stopped.
pub fn summary(r: &SyncReport) -> String {
    let t = &r.ingest.totals;
    let mut added = format!(
        "{} new events, {} new findings",
        t.events_new, t.findings_new
    );
    if t.rejected > 0 {
        added.push_str(&format!(", {} rejected (rolecall db rejects)", t.rejected));
    }
    let state = if r.stopped { "stopped" } else { "done" };
    let s = match r.errors.as_slice() {
        [] => format!("sync {state}: {added}"),
        [e] if r.tasks.len() <= 1 => format!("sync failed: {e}; {added}"),
        [e, ..] => format!(
            "sync {state}, {} of {} sources failed, first: {e}; {added}",
            r.errors.len(),
            r.tasks.len().max(r.errors.len())
        ),
    };
    sanitize(&s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::aws::TaskView;

    fn task(region: &str, retrying: Option<&str>) -> TaskView {
        TaskView {
            source: "cloudtrail",
            profile: None,
            account: "111122223333".into(),
            region: region.into(),
            state: TaskState::Running,
            requests: 3,
            throttled: 0,
            records: 50,
            records_per_second: 0.0,
            ceiling_per_second: Some(100.0),
            objects_done: 0,
            objects_skipped: 0,
            objects_total: None,
            fraction_done: None,
            eta_seconds: None,
            elapsed_seconds: 1.0,
            retrying: retrying.map(str::to_string),
        }
    }

    fn report(tasks: usize, errors: Vec<crate::ingest::aws::SyncError>) -> SyncReport {
        SyncReport {
            ingest: crate::ingest::IngestReport {
                run_id: 1,
                totals: crate::store::RunTotals {
                    events_new: 120,
                    ..Default::default()
                },
                files_skipped: 0,
                special_skipped: 0,
                special_files: Vec::new(),
                bytes_read: 0,
                elapsed_ms: 0,
                events_per_second: 0.0,
            },
            tasks: (0..tasks).map(|_| task("us-east-1", None)).collect(),
            errors,
            stopped: false,
            elapsed_ms: 0,
        }
    }

    #[test]
    fn after_a_sync_the_status_line_puts_why_a_source_failed_first() {
        use crate::ingest::aws::SyncError;
        let network = || SyncError::Network {
            action: "sts:GetCallerIdentity".into(),
            region: "us-east-1".into(),
            attempts: 1,
            detail: "connection refused".into(),
        };
        assert_eq!(
            summary(&report(1, Vec::new())),
            "sync done: 120 new events, 0 new findings"
        );
        let one = summary(&report(1, vec![network()]));
        assert!(
            one.starts_with("sync failed: sts:GetCallerIdentity in us-east-1: network failure"),
            "{one}"
        );
        assert!(one.ends_with("; 120 new events, 0 new findings"), "{one}");
        let some = summary(&report(3, vec![network(), network()]));
        assert!(
            some.starts_with("sync done, 2 of 3 sources failed, first: sts:GetCallerIdentity"),
            "{some}"
        );
    }

    #[test]
    fn the_status_line_says_when_a_task_is_backing_off_after_a_network_failure() {
        let mut p = SyncProgress {
            tasks: vec![task("us-east-1", None), task("eu-west-1", None)],
            ..SyncProgress::default()
        };
        assert_eq!(line(&p), "2/2 running, 100 fetched, 0 new");
        p.tasks[1].retrying = Some("retrying (2 of 8): dispatch failure".into());
        assert_eq!(
            line(&p),
            "2/2 running, 100 fetched, 0 new; cloudtrail eu-west-1: retrying (2 of 8): dispatch \
             failure"
        );
    }
}
