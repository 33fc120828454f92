//! `rolecall ingest PATH…`: exit 0 when everything was read, 2 when anything was rejected,
//! 1 on a fatal error.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::Ctx;
use crate::ingest::{IngestOptions, IngestReport, ingest_paths};
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or directories (read recursively). Formats are detected from content.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    /// Records per transaction (whole files). Smaller: less work redone after a crash, a
    /// smaller write-ahead log; larger: faster.
    #[arg(long, value_name = "RECORDS", default_value_t = crate::ingest::COMMIT_EVERY)]
    commit_every: u64,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let mut store = super::open::open_for_writing(ctx)?;
    let opts = IngestOptions {
        progress: !args.json,
        commit_every: Some(args.commit_every),
    };
    let report = ingest_paths(&mut store, &args.paths, &opts, ctx.now_ms)?;
    // Attribution (issuances, sessions, chain links) follows the new events right away.
    let t = std::time::Instant::now();
    crate::analysis::refresh(&mut store).context("deriving attribution after ingest")?;
    tracing::info!(seconds = t.elapsed().as_secs_f64(), "attribution refreshed");
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_summary(&report, &store)?;
    }
    Ok(if report.totals.rejected > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_summary(r: &IngestReport, store: &Store) -> anyhow::Result<()> {
    let t = &r.totals;
    println!(
        "files:    {} read ({} skipped: digests), {:.1} MB",
        t.files,
        r.files_skipped,
        r.bytes_read as f64 / 1e6
    );
    let dup_note = if t.events_new == 0 && t.events_dup > 0 {
        " — nothing new: already in the cache"
    } else {
        ""
    };
    println!(
        "events:   {} new, {} duplicate{dup_note}",
        t.events_new, t.events_dup
    );
    println!(
        "findings: {} new, {} duplicate",
        t.findings_new, t.findings_dup
    );
    println!("flows:    {} new, {} duplicate", t.flows_new, t.flows_dup);
    println!(
        "time:     {:.2} s, {:.0} events/s",
        r.elapsed_ms as f64 / 1000.0,
        r.events_per_second
    );
    if t.rejected > 0 {
        println!("rejected: {} (run {}):", t.rejected, r.run_id);
        for line in crate::store::load_rejects(store.conn(), r.run_id, 10)? {
            println!("  {}", crate::text::sanitize(&line));
        }
        if t.rejected > 10 {
            println!("  … `rolecall db rejects` lists them all");
        }
    }
    if let Some(p) = store.path() {
        println!("cache:    {}", p.display());
    }
    Ok(())
}
