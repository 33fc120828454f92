//! The generated organisation: a deterministic generator of realistic CloudTrail, GuardDuty and
//! VPC flow files, with the ground truth of who really acted (`truth.json`). It serves the demo
//! (`rolecall demo`), attribution tests, and benchmarks ([`generate`] is the entry point).
//!
//! Same options, same bytes: dates are fixed (the window ends 2026-11-27), random numbers come
//! from a hand-written SplitMix64, and events stream to files in time order, so memory stays
//! flat at any size. This module writes files only; it never touches the cache or the ingest
//! code (the CLI ingests what it wrote through the normal path).
//!
//! Output layout under the chosen directory:
//! - `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/…json.gz` — the trails;
//! - `AWSLogs/<account>/vpcflowlogs/us-east-1/YYYY/MM/DD/…log.gz` — flow logs;
//! - `guardduty/get-findings.json`, `guardduty/eventbridge/*.json` — findings;
//! - `geo/ip-ranges.csv` — geolocation and AS organisation of every address used;
//! - `truth.json` — ground truth (format in [`truth`]).
//!
//! Ingest `AWSLogs/` and `guardduty/`; `geo/` and `truth.json` are not logs.

mod actors;
mod apis;
mod clock;
mod creds;
mod files;
mod geo;
mod guardduty;
mod issue;
mod json;
mod machines;
mod org;
mod params;
mod people;
mod record;
mod rng;
mod sim;
mod sts;
pub mod truth;
mod truth_behavior;
mod ua;
mod vpcflow;
mod walkthrough;

use std::path::{Path, PathBuf};

pub use guardduty::{EXFIL_FINDING_ID, WALKTHROUGH_FINDING_ID};

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// The output directory (created; must be empty if it exists).
    pub out: PathBuf,
    pub seed: u64,
    /// About this many CloudTrail events in total. The walkthrough, the credential issuances
    /// and the workloads' background are always there, so tiny targets overshoot.
    pub events: u64,
    /// Accounts in the organisation, at least 5 (management, security, prod, dev, vendor).
    pub accounts: usize,
    /// Months of history before 2026-11-27 (30-day months), 2 to 24.
    pub months: u32,
    /// Minutes per CloudTrail file and stream (CloudTrail delivers about every 5).
    pub file_minutes: u32,
}

impl GenerateOptions {
    /// The defaults for `out`: seed 1, 300 000 events, 5 accounts, 4 months, 5-minute files.
    pub fn new(out: impl Into<PathBuf>) -> GenerateOptions {
        GenerateOptions {
            out: out.into(),
            seed: 1,
            events: 300_000,
            accounts: 5,
            months: 4,
            file_minutes: 5,
        }
    }
}

impl GenerateOptions {
    /// What `rolecall demo` generates: a few hundred thousand events over four months, in
    /// hour-long files (the S3 layout, far fewer files to ingest than CloudTrail's 5 minutes).
    pub fn demo(out: impl Into<PathBuf>) -> GenerateOptions {
        GenerateOptions {
            seed: 2026,
            events: 300_000,
            file_minutes: 60,
            ..GenerateOptions::new(out)
        }
    }
}

/// What a run wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GenerateReport {
    pub out: PathBuf,
    /// CloudTrail events generated (including the vendor account's, which are not written).
    pub events: u64,
    /// CloudTrail events written to files.
    pub events_written: u64,
    pub trail_files: u64,
    /// Uncompressed JSON bytes of the trail files.
    pub trail_bytes: u64,
    pub issuances: u64,
    pub truth_entries: u64,
    pub finding_files: u64,
    pub flow_files: u64,
    /// The call-volume multiplier chosen to reach the event target.
    pub scale: f64,
    pub walkthrough_finding_id: String,
    /// sara's `StopLogging` on `demo-trail-2`: the event to start a chain from.
    pub stop_logging_event_id: Option<String>,
    pub exfil_finding_id: String,
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("{0}")]
    Invalid(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io_at(path: &Path) -> impl FnOnce(std::io::Error) -> DemoError + '_ {
    move |source| DemoError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Ceiling on truth entries for sampled calls, so `truth.json` stays a manageable size.
const MAX_SAMPLED_CALLS: f64 = 50_000.0;

/// Generates an organisation's logs into `opts.out`. Deterministic: the same options give the
/// same bytes.
pub fn generate(opts: &GenerateOptions) -> Result<GenerateReport, DemoError> {
    validate(opts)?;
    let org = org::build(&mut rng::Rng::new(opts.seed, 1), opts.accounts);
    let start = clock::window_start(opts.months);
    let end = clock::WINDOW_END_MS;
    // A counting pass at scale 1 measures what the organisation does at its base rates; the
    // real pass scales the call volume to reach the target.
    let mut probe = sim::Out::default();
    sim::Sim::new(org.clone(), opts.seed, &mut probe, 1.0, start, end, 0.0)
        .run()
        .map_err(io_at(&opts.out))?;
    let fixed = probe.events.saturating_sub(probe.scaled) as f64;
    let scale = ((opts.events as f64 - fixed) / probe.scaled.max(1) as f64).clamp(0.002, 10_000.0);
    let expected_calls = probe.scaled as f64 * scale;
    let truth_rate = (MAX_SAMPLED_CALLS / expected_calls.max(1.0)).min(0.01);

    let out_dir = &opts.out;
    std::fs::create_dir_all(out_dir).map_err(io_at(out_dir))?;
    let truth_path = out_dir.join("truth.json");
    let mut out = sim::Out {
        trail: Some(files::TrailFiles::new(
            out_dir,
            opts.file_minutes,
            opts.seed,
        )),
        truth: Some(
            truth::TruthWriter::create(&truth_path, opts.seed, start, end)
                .map_err(io_at(&truth_path))?,
        ),
        ..sim::Out::default()
    };
    let mut run = sim::Sim::new(org, opts.seed, &mut out, scale, start, end, truth_rate);
    run.run().map_err(io_at(out_dir))?;
    let behavior_path = out_dir.join("truth_behavior.json");
    truth_behavior::write(&behavior_path, &run.org, &run.watch, end)
        .map_err(io_at(&behavior_path))?;
    let facts = run.facts.clone();
    let org = run.org.clone();
    drop(run);
    let (trail_files, trail_bytes) = match out.trail.as_mut() {
        Some(t) => {
            t.finish().map_err(io_at(out_dir))?;
            (t.files, t.bytes)
        }
        None => (0, 0),
    };
    let truth_entries = match out.truth.take() {
        Some(t) => {
            let n = t.entries;
            t.finish().map_err(io_at(&truth_path))?;
            n
        }
        None => 0,
    };
    let finding_files = guardduty::write(out_dir, &facts).map_err(io_at(out_dir))?;
    let exfil_ip = facts.exfil.as_ref().map(|s| s.ip.as_str());
    let flow_files = vpcflow::write(out_dir, &org, opts.seed, exfil_ip).map_err(io_at(out_dir))?;
    let csv = out_dir.join("geo/ip-ranges.csv");
    files::write_text(&csv, &geo::csv()).map_err(io_at(&csv))?;
    Ok(GenerateReport {
        out: out_dir.clone(),
        events: out.events,
        events_written: out.written,
        trail_files,
        trail_bytes,
        issuances: out.issuances,
        truth_entries,
        finding_files,
        flow_files,
        scale,
        walkthrough_finding_id: WALKTHROUGH_FINDING_ID.into(),
        stop_logging_event_id: facts.stop_logging.map(|s| s.event_id),
        exfil_finding_id: EXFIL_FINDING_ID.into(),
    })
}

fn validate(opts: &GenerateOptions) -> Result<(), DemoError> {
    if opts.accounts < 5 {
        return Err(DemoError::Invalid(
            "--accounts must be at least 5 (management, security, prod, dev, vendor)".into(),
        ));
    }
    if !(2..=24).contains(&opts.months) {
        return Err(DemoError::Invalid(
            "--months must be 2 to 24 (the walkthrough starts in October 2026)".into(),
        ));
    }
    if opts.events == 0 {
        return Err(DemoError::Invalid("--events must be at least 1".into()));
    }
    if let Ok(mut entries) = std::fs::read_dir(&opts.out) {
        if entries.next().is_some() {
            return Err(DemoError::Invalid(format!(
                "{} is not empty: choose a new directory",
                opts.out.display()
            )));
        }
    }
    Ok(())
}
