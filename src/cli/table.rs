//! What every analysis command shares: opening the cache for reading, printing JSON. (Tables
//! are `layout`'s.)

use std::process::ExitCode;

use anyhow::Context;

use super::Ctx;
use crate::store::Store;

/// Prints `value` as pretty JSON (log strings stay as they were, JSON-escaped).
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<ExitCode> {
    outln!("{}", serde_json::to_string_pretty(value)?)?;
    Ok(ExitCode::SUCCESS)
}

/// Opens the cache for an analysis and brings attribution up to date when an ingest left it
/// behind (a no-op otherwise).
pub fn open_for_analysis(ctx: &Ctx) -> anyhow::Result<Store> {
    if !ctx.db.exists() {
        anyhow::bail!(
            "no cache at {} (run `rolecall ingest` or `rolecall demo` first)",
            ctx.db.display()
        );
    }
    let mut store = Store::open(&ctx.db)
        .with_context(|| format!("cannot open the cache {}", ctx.db.display()))?;
    crate::analysis::refresh(&mut store).context("deriving attribution")?;
    Ok(store)
}
