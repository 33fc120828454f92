//! Running a plan: a thread with a single-threaded tokio runtime fetches (every source, profile
//! and region as its own task, concurrently), the pipeline ingests on a second thread, and the
//! calling thread hands progress snapshots to the caller. A stop flag (Ctrl-C, the console's
//! key) ends the fetching; the pipeline then commits what it has, the marks its commits cover
//! are recorded, and the next sync resumes from there.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use super::client::{self, ALL_REGIONS, Profile, Transport, in_region, load_profile};
use super::cloudtrail::lookup_region;
use super::error::SyncError;
use super::feed::{Feed, Item, Marks, Pending};
use super::guardduty;
use super::plan::{Limits, Regions, Source, SyncPlan};
use super::progress::{Board, SyncProgress, Tally, TaskState, TaskView};
use super::s3::sync_bucket;
use crate::ingest::{IngestOptions, IngestReport, Progress, ingest_inputs};
use crate::store::{self, Store, SyncSpan};

/// Inputs waiting between the fetching tasks and the pipeline: enough to keep the pipeline
/// busy, few enough that memory stays a few objects' worth.
const CHANNEL: usize = 16;

/// The caller hears of progress at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// What a sync did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SyncReport {
    /// What the pipeline wrote (new and duplicate events, findings, rejects).
    pub ingest: IngestReport,
    pub tasks: Vec<TaskView>,
    /// Tasks that failed, each as the one-line message a user reads.
    pub errors: Vec<SyncError>,
    /// Stopped before the end (Ctrl-C, the console): what was committed stays.
    pub stopped: bool,
    pub elapsed_ms: u64,
}

impl SyncReport {
    /// The exit status for the command line: the first error's (the README lists them), 130
    /// when stopped, 2 when records were rejected, else 0.
    pub fn exit_status(&self) -> u8 {
        if let Some(e) = self.errors.first() {
            return e.exit_status();
        }
        if self.stopped {
            return 130;
        }
        if self.ingest.totals.rejected > 0 {
            return 2;
        }
        0
    }
}

impl serde::Serialize for SyncError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// What the tasks know of earlier syncs: spans and cursors read before they start (a few rows
/// per account and region); S3 objects done looked up one day's folder at a time, through a
/// read-only connection of their own (a bucket's history can hold millions).
#[derive(Debug, Default)]
pub struct Remembered {
    spans: HashMap<(String, String, String), Vec<SyncSpan>>,
    cursors: HashMap<(String, String, String, String), i64>,
    /// The cache file, for the S3 look-ups.
    cache: Option<std::path::PathBuf>,
    /// An in-memory cache (tests) has no file to open again: its objects are read up front.
    objects: HashMap<String, Arc<HashSet<(String, String)>>>,
}

/// The S3 objects already ingested, looked up by folder.
pub enum DoneObjects {
    Cache(Store),
    Loaded(Arc<HashSet<(String, String)>>),
}

impl DoneObjects {
    /// The (key, ETag) pairs of `bucket` under `prefix`.
    pub fn under(
        &self,
        bucket: &str,
        prefix: &str,
    ) -> Result<HashSet<(String, String)>, SyncError> {
        match self {
            DoneObjects::Cache(store) => {
                Ok(store::load_sync_objects(store.conn(), bucket, prefix)?)
            }
            DoneObjects::Loaded(all) => Ok(all
                .iter()
                .filter(|(k, _)| k.starts_with(prefix))
                .cloned()
                .collect()),
        }
    }
}

impl Remembered {
    fn load(store: &Store, plan: &SyncPlan) -> Result<Remembered, SyncError> {
        let conn = store.conn();
        let mut r = Remembered::default();
        for (account, region, filter, span) in store::load_all_sync_spans(conn)? {
            r.spans
                .entry((account, region, filter))
                .or_default()
                .push(span);
        }
        for (source, account, region, key, value) in store::load_all_sync_cursors(conn)? {
            r.cursors.insert((source, account, region, key), value);
        }
        r.cache = store.path().map(std::path::Path::to_path_buf);
        if r.cache.is_none() {
            for source in &plan.sources {
                if let Source::S3(s) = source {
                    let done = store::load_sync_objects(conn, &s.bucket, "")?;
                    r.objects.insert(s.bucket.clone(), Arc::new(done));
                }
            }
        }
        Ok(r)
    }

    /// The complete spans of an account, region and filter, oldest first.
    pub fn spans(&self, account: &str, region: &str, filter: &str) -> Vec<SyncSpan> {
        self.spans
            .get(&(account.into(), region.into(), filter.into()))
            .cloned()
            .unwrap_or_default()
    }

    pub fn cursor(&self, source: &str, account: &str, region: &str, key: &str) -> Option<i64> {
        self.cursors
            .get(&(source.into(), account.into(), region.into(), key.into()))
            .copied()
    }

    /// The objects of `bucket` already ingested, to look up folder by folder.
    pub fn objects(&self, bucket: &str) -> Result<DoneObjects, SyncError> {
        match &self.cache {
            Some(path) => Ok(DoneObjects::Cache(Store::open_read_only(path)?)),
            None => Ok(DoneObjects::Loaded(
                self.objects.get(bucket).cloned().unwrap_or_default(),
            )),
        }
    }
}

/// What every fetching task shares.
pub struct TaskCtx {
    pub limits: Limits,
    pub endpoint_url: Option<String>,
    pub transport: Transport,
    pub now_ms: i64,
    pub remembered: Remembered,
    tx: tokio::sync::mpsc::Sender<Item>,
}

impl TaskCtx {
    /// Hands an input or a mark to the pipeline (waiting while it is busy).
    pub async fn send(&self, item: Item) -> Result<(), SyncError> {
        self.tx
            .send(item)
            .await
            .map_err(|_| SyncError::Store("the ingest pipeline stopped".into()))
    }
}

/// Runs `plan` into `store`: fetches every source, ingests through the normal pipeline,
/// remembers what is done, and tells `on_progress` how it goes (on the calling thread, a few
/// times a second). Setting `stop` ends it cleanly: the pipeline commits what it has and the
/// next sync resumes. Per-source failures are in the report (`errors`); an `Err` means the
/// cache itself failed. The caller refreshes the derived tables afterwards
/// (`analysis::refresh`), as after any ingest.
pub fn sync(
    store: &mut Store,
    plan: &SyncPlan,
    now_ms: i64,
    on_progress: &mut dyn FnMut(&SyncProgress),
    stop: Arc<AtomicBool>,
) -> Result<SyncReport, SyncError> {
    let started = Instant::now();
    let remembered = Remembered::load(store, plan)?;
    let board = Board::default();
    let (tx, rx) = tokio::sync::mpsc::channel::<Item>(CHANNEL);
    let pending = Pending::default();
    let feed = Feed::new(rx, pending.clone());
    let mut marks = Marks::new(pending, store, now_ms);
    let opts = IngestOptions {
        commit_every: Some(plan.limits.commit_every.max(1)),
        ..IngestOptions::default()
    };
    let ctx = Arc::new(TaskCtx {
        limits: plan.limits.clone(),
        endpoint_url: plan.endpoint_url.clone(),
        transport: plan.transport.clone(),
        now_ms,
        remembered,
        tx,
    });
    let (fetched, ingested) = std::thread::scope(|s| {
        let fetch = {
            let (board, stop) = (board.clone(), stop.clone());
            s.spawn(move || fetch_all(ctx, &plan.sources, board, stop))
        };
        let (progress_tx, progress_rx) = std::sync::mpsc::channel::<Progress>();
        let ingest = s.spawn(move || {
            let mut committed = 0u64;
            let report = ingest_inputs(
                store,
                feed,
                &opts,
                &mut |p| {
                    if p.inputs_committed > committed {
                        committed = p.inputs_committed;
                        marks.committed(committed);
                    }
                    let _ = progress_tx.send(p.clone());
                },
                now_ms,
            );
            // Ended cleanly: every input is committed, so every mark holds.
            let upto = if report.is_ok() { u64::MAX } else { committed };
            let recorded = marks.finish(store, upto);
            (report, recorded)
        });
        let mut latest = Progress::default();
        let mut told = Instant::now() - PROGRESS_EVERY;
        loop {
            let ended = match progress_rx.recv_timeout(PROGRESS_EVERY) {
                Ok(p) => {
                    latest = p;
                    false
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => false,
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => true,
            };
            if ended || told.elapsed() >= PROGRESS_EVERY {
                told = Instant::now();
                on_progress(&SyncProgress {
                    tasks: board.snapshot(),
                    ingest: latest.clone(),
                    elapsed_seconds: started.elapsed().as_secs_f64(),
                });
            }
            if ended {
                break;
            }
        }
        (fetch.join(), ingest.join())
    });
    let errors = fetched.unwrap_or_else(|_| vec![SyncError::Config("fetching panicked".into())]);
    let (report, recorded) =
        ingested.map_err(|_| SyncError::Store("the ingest pipeline panicked".into()))?;
    let ingest = report.map_err(|e| SyncError::Store(e.to_string()))?;
    recorded?;
    let tasks = board.snapshot();
    let stopped = tasks.iter().any(|t| t.state == TaskState::Stopped);
    Ok(SyncReport {
        ingest,
        tasks,
        errors,
        stopped,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

/// The fetching thread: every source and profile concurrently on one runtime. Returns the
/// tasks' errors.
fn fetch_all(
    ctx: Arc<TaskCtx>,
    sources: &[Source],
    board: Board,
    stop: Arc<AtomicBool>,
) -> Vec<SyncError> {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return vec![SyncError::Config(format!("cannot start the runtime: {e}"))],
    };
    let errors = rt.block_on(async move {
        let mut set = JoinSet::new();
        for source in sources {
            let profiles: Vec<Option<String>> = if source.profiles().is_empty() {
                vec![None]
            } else {
                source.profiles().iter().cloned().map(Some).collect()
            };
            for profile in profiles {
                set.spawn(run_source(
                    ctx.clone(),
                    source.clone(),
                    profile,
                    board.clone(),
                    stop.clone(),
                ));
            }
        }
        // The channel closes when the last task lets go of it.
        drop(ctx);
        let mut errors = Vec::new();
        while let Some(r) = set.join_next().await {
            match r {
                Ok(mut e) => errors.append(&mut e),
                Err(e) => errors.push(SyncError::Config(format!("a sync task failed: {e}"))),
            }
        }
        errors
    });
    rt.shutdown_timeout(Duration::from_secs(1));
    errors
}

/// One source read with one profile: its regions as tasks of their own.
async fn run_source(
    ctx: Arc<TaskCtx>,
    source: Source,
    profile: Option<String>,
    board: Board,
    stop: Arc<AtomicBool>,
) -> Vec<SyncError> {
    let prof = load_profile(
        profile.as_deref(),
        ctx.endpoint_url.as_deref(),
        &ctx.transport,
        &ctx.limits,
    )
    .await;
    let kind = source.kind();
    let name = profile.as_deref();
    match source {
        Source::S3(s) => {
            let tally = board.task(kind, name, &s.bucket, &prof.region(), None);
            let r = until_stopped(&stop, sync_bucket(ctx.clone(), &prof, &s, &tally)).await;
            finish(&tally, r, false).into_iter().collect()
        }
        Source::CloudTrail(s) => {
            let account = match client::caller_account(&prof).await {
                Ok(a) => a,
                Err(e) => return failed(&prof, &board, kind, e),
            };
            let all = s.regions == Regions::All;
            let mut set = JoinSet::new();
            for region in regions(&s.regions, &prof) {
                // 2 requests a second of 50 events: the most LookupEvents can give.
                let ceiling = ctx.limits.lookup_per_second * 50.0;
                let tally = board.task(kind, name, &account, &region, Some(ceiling));
                let (ctx, s, prof, stop, account) = (
                    ctx.clone(),
                    s.clone(),
                    prof.clone(),
                    stop.clone(),
                    account.clone(),
                );
                set.spawn(async move {
                    let client = aws_sdk_cloudtrail::Client::new(&in_region(&prof, &region));
                    let work = lookup_region(
                        &ctx,
                        &client,
                        &s,
                        prof.name.as_deref(),
                        &account,
                        &region,
                        &tally,
                    );
                    finish(&tally, until_stopped(&stop, work).await, all)
                });
            }
            joined(set).await
        }
        Source::GuardDuty(s) => {
            let account = match client::caller_account(&prof).await {
                Ok(a) => a,
                Err(e) => return failed(&prof, &board, kind, e),
            };
            let all = s.regions == Regions::All;
            let mut set = JoinSet::new();
            for region in regions(&s.regions, &prof) {
                let tally = board.task(kind, name, &account, &region, None);
                let (ctx, prof, stop, account) =
                    (ctx.clone(), prof.clone(), stop.clone(), account.clone());
                set.spawn(async move {
                    let keep = guardduty::KeepBody::default();
                    let client = guardduty::client(&in_region(&prof, &region), &keep);
                    let work = guardduty::findings_region(
                        &ctx,
                        &client,
                        &keep,
                        prof.name.as_deref(),
                        &account,
                        &region,
                        &tally,
                    );
                    finish(&tally, until_stopped(&stop, work).await, all)
                });
            }
            joined(set).await
        }
    }
}

/// A source that could not start (the caller's identity was refused): one failed row.
fn failed(prof: &Profile, board: &Board, kind: &'static str, e: SyncError) -> Vec<SyncError> {
    let tally = board.task(kind, prof.name.as_deref(), "?", &prof.region(), None);
    tally.finish(TaskState::Failed(e.to_string()));
    vec![e]
}

async fn joined(mut set: JoinSet<Option<SyncError>>) -> Vec<SyncError> {
    let mut errors = Vec::new();
    while let Some(r) = set.join_next().await {
        match r {
            Ok(Some(e)) => errors.push(e),
            Ok(None) => {}
            Err(e) => errors.push(SyncError::Config(format!("a sync task failed: {e}"))),
        }
    }
    errors
}

/// The regions a source asks for, with the profile's own as the default.
fn regions(r: &Regions, prof: &Profile) -> Vec<String> {
    match r {
        Regions::Default => vec![prof.region()],
        Regions::List(list) => list.clone(),
        Regions::All => ALL_REGIONS.iter().map(|r| r.to_string()).collect(),
    }
}

/// Runs `work` unless `stop` is set first (`None`: stopped).
async fn until_stopped<T>(
    stop: &AtomicBool,
    work: impl Future<Output = Result<T, SyncError>>,
) -> Option<Result<T, SyncError>> {
    tokio::select! {
        r = work => Some(r),
        _ = stopped(stop) => None,
    }
}

async fn stopped(stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Records how a task ended; returns its error, if it is one. A region that is not enabled is
/// skipped, not an error, when every region was asked for.
fn finish(
    tally: &Tally,
    outcome: Option<Result<(), SyncError>>,
    all_regions: bool,
) -> Option<SyncError> {
    match outcome {
        None => {
            tally.finish(TaskState::Stopped);
            None
        }
        Some(Ok(())) => {
            tally.finish(TaskState::Done);
            None
        }
        Some(Err(SyncError::RegionNotEnabled { .. })) if all_regions => {
            tally.finish(TaskState::Skipped("not enabled for this account".into()));
            None
        }
        Some(Err(e)) => {
            tally.finish(TaskState::Failed(e.to_string()));
            Some(e)
        }
    }
}
