//! `rolecall db info` and `rolecall db rejects`.

use std::process::ExitCode;

use anyhow::Context;

use super::Ctx;
use crate::model::format_ms;
use crate::store::{Store, load_info};
use crate::text::sanitize;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: DbCommand,
}

#[derive(Debug, clap::Subcommand)]
enum DbCommand {
    /// Schema version, path and size, counts, and coverage per account and region.
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
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let store = Store::open_read_only(&ctx.db)?;
    match args.command {
        DbCommand::Info { json } => info(ctx, &store, json),
        DbCommand::Rejects { run } => {
            let lines = match run {
                Some(run) => crate::store::load_rejects(store.conn(), run, i64::MAX)?,
                None => crate::store::load_all_rejects(store.conn())?,
            };
            for line in lines {
                println!("{}", sanitize(&line));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn info(ctx: &Ctx, store: &Store, json: bool) -> anyhow::Result<ExitCode> {
    let info = load_info(store.conn()).context("reading the cache")?;
    let size: u64 = ["", "-wal"]
        .iter()
        .filter_map(|suffix| {
            let mut p = ctx.db.clone().into_os_string();
            p.push(suffix);
            std::fs::metadata(p).ok().map(|m| m.len())
        })
        .sum();
    if json {
        let mut v = serde_json::to_value(&info)?;
        v["path"] = ctx.db.display().to_string().into();
        v["size_bytes"] = size.into();
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("cache:     {}", ctx.db.display());
    println!("size:      {:.1} MB", size as f64 / 1e6);
    println!("schema:    version {}", info.schema_version);
    println!("events:    {}", info.events);
    println!(
        "findings:  {} ({} revisions)",
        info.findings, info.finding_revisions
    );
    println!("flows:     {}", info.flows);
    println!("rejects:   {}", info.rejects);
    println!(
        "ingests:   {} (last {})",
        info.ingest_runs,
        info.last_ingest_ms.map_or("never".into(), format_ms)
    );
    if !info.coverage.is_empty() {
        println!();
        println!(
            "{:<14} {:<16} {:<20} {:<20} {:>5} {:>10}",
            "ACCOUNT", "REGION", "FIRST", "LAST", "DAYS", "EVENTS"
        );
        for c in &info.coverage {
            println!(
                "{:<14} {:<16} {:<20} {:<20} {:>5} {:>10}",
                sanitize(&c.account),
                sanitize(&c.region),
                format_ms(c.first_ms),
                format_ms(c.last_ms),
                c.days,
                c.events
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
