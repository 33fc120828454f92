//! `rolecall db info`, `db rejects` (read-only, like every read command) and `db refresh` (opens
//! for writing: migrates an older schema, derives what the last ingests left behind).

use std::process::ExitCode;

use anyhow::Context;

use super::Ctx;
use super::layout::{Col, Shrink, Table, print_table, stamp};
use super::open::{command, open_existing_for_writing, open_read_only};
use crate::model::format_ms;
use crate::store::{
    CacheInfo, Freshness, FutureRecords, Store, latest_schema_version, load_freshness,
    load_future_records, load_info,
};
use crate::text::sanitize;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: DbCommand,
}

#[derive(Debug, clap::Subcommand)]
enum DbCommand {
    /// Schema version, path and size, counts, coverage per account and region, how far
    /// derivation has got, and records dated in the future.
    Info {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Records and files that could not be ingested, with where and why.
    Rejects {
        /// Only this ingest run (default: all).
        #[arg(long)]
        run: Option<i64>,
    },
    /// Derive issuances, role sessions and chain links from the events cached since the last
    /// derivation (every ingest does this when it ends), upgrading an older cache first.
    Refresh {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        DbCommand::Info { json } => info(ctx, json),
        DbCommand::Rejects { run } => {
            let store = open_read_only(ctx)?;
            let lines = match run {
                Some(run) => crate::store::load_rejects(store.conn(), run, i64::MAX)?,
                None => crate::store::load_all_rejects(store.conn())?,
            };
            for line in lines {
                outln!("{}", sanitize(&line))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        DbCommand::Refresh { json } => refresh(ctx, json),
    }
}

/// What `db refresh` did.
#[derive(Debug, serde::Serialize)]
struct RefreshOutput {
    schema_version: i64,
    /// The version the cache was upgraded from, when it was.
    migrated_from: Option<i64>,
    #[serde(flatten)]
    derived: crate::analysis::RefreshReport,
    elapsed_ms: u64,
}

fn refresh(ctx: &Ctx, json: bool) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let mut store = open_existing_for_writing(ctx)?;
    let derived = crate::analysis::refresh(&mut store).context("deriving attribution")?;
    let out = RefreshOutput {
        schema_version: latest_schema_version(),
        migrated_from: store.migrated_from(),
        derived,
        elapsed_ms: started.elapsed().as_millis() as u64,
    };
    if json {
        outln!("{}", serde_json::to_string_pretty(&out)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(from) = out.migrated_from {
        outln!(
            "schema:   upgraded from version {from} to {}",
            out.schema_version
        )?;
    }
    let d = &out.derived;
    if d.events == 0 {
        outln!("derived:  nothing new, already up to date")?;
    } else {
        outln!(
            "derived:  {} events ({} issuing STS calls, {} chain links found) in {:.2} s",
            d.events,
            d.sts_copies,
            d.links_observed,
            out.elapsed_ms as f64 / 1000.0
        )?;
    }
    outln!("cache:    {}", ctx.db.display())?;
    Ok(ExitCode::SUCCESS)
}

fn info(ctx: &Ctx, json: bool) -> anyhow::Result<ExitCode> {
    let store = open_read_only(ctx)?;
    // One snapshot: the counts below agree with each other while an ingest writes.
    store.hold_snapshot().context("reading the cache")?;
    let conn = store.conn();
    let info = load_info(conn).context("reading the cache")?;
    let fresh = load_freshness(conn).context("reading the cache")?;
    let future = load_future_records(conn, ctx.now_ms).context("reading the cache")?;
    let size = size_on_disk(&store);
    if json {
        let mut v = serde_json::to_value(&info)?;
        v["path"] = ctx.db.display().to_string().into();
        v["size_bytes"] = size.into();
        v["derived"] = serde_json::json!({
            "derived_upto": fresh.derived_upto,
            "newest": fresh.newest,
            "behind": fresh.behind(),
        });
        v["future"] = serde_json::to_value(&future)?;
        outln!("{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    print_info(ctx, &info, size, &fresh, &future)?;
    Ok(ExitCode::SUCCESS)
}

/// The cache file and its write-ahead log, in bytes.
fn size_on_disk(store: &Store) -> u64 {
    let Some(path) = store.path() else { return 0 };
    ["", "-wal"]
        .iter()
        .filter_map(|suffix| {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            std::fs::metadata(p).ok().map(|m| m.len())
        })
        .sum()
}

fn print_info(
    ctx: &Ctx,
    info: &CacheInfo,
    size: u64,
    fresh: &Freshness,
    future: &FutureRecords,
) -> anyhow::Result<()> {
    outln!("cache:     {}", sanitize(&ctx.db.display().to_string()))?;
    outln!("size:      {:.1} MB", size as f64 / 1e6)?;
    outln!("schema:    version {}", info.schema_version)?;
    outln!("events:    {}", info.events)?;
    outln!(
        "findings:  {} ({} revisions)",
        info.findings,
        info.finding_revisions
    )?;
    outln!("flows:     {}", info.flows)?;
    outln!("rejects:   {}", info.rejects)?;
    outln!(
        "ingests:   {} (last {})",
        info.ingest_runs,
        info.last_ingest_ms.map_or("never".into(), format_ms)
    )?;
    if fresh.behind() == 0 {
        outln!("derived:   up to date")?;
    } else {
        outln!(
            "derived:   {} events behind: `{}` derives them",
            fresh.behind(),
            sanitize(&command(ctx, "db refresh"))
        )?;
    }
    if future.events > 0 || future.findings > 0 {
        let mut parts = Vec::new();
        if future.events > 0 {
            let span = match (future.first_ms, future.last_ms) {
                (Some(a), Some(b)) if a != b => format!(" ({} .. {})", format_ms(a), format_ms(b)),
                (Some(a), _) => format!(" ({})", format_ms(a)),
                _ => String::new(),
            };
            parts.push(format!("{} events{span}", future.events));
        }
        if future.findings > 0 {
            parts.push(format!("{} findings", future.findings));
        }
        outln!(
            "future:    {} dated more than a day past this machine's clock: left out of default scopes",
            parts.join(" and ")
        )?;
    }
    if !info.coverage.is_empty() {
        outln!()?;
        // Columns sized to their contents (region names run from `us-east-1` to
        // `ap-southeast-5` and beyond), fitted to a terminal like every table.
        let mut t = Table::new(&[
            Col::keep("ACCOUNT"),
            Col::shrink("REGION", Shrink::Middle, 9),
            Col::keep("FIRST"),
            Col::keep("LAST"),
            Col::keep("DAYS"),
            Col::keep("EVENTS"),
        ]);
        for c in &info.coverage {
            t.row(vec![
                c.account.clone(),
                c.region.clone(),
                stamp(ctx.width, c.first_ms),
                stamp(ctx.width, c.last_ms),
                c.days.to_string(),
                c.events.to_string(),
            ]);
        }
        print_table(&t, ctx.width, "")?;
    }
    Ok(())
}
