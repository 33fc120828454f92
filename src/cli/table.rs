//! What every analysis command shares: opening the cache for reading (in `open.rs`, re-exported
//! here), printing JSON. (Tables are `layout`'s.)

use std::process::ExitCode;

// Opening the cache lives in `open.rs`; the commands import it from here.
pub use super::open::open_for_analysis;

/// Prints `value` as pretty JSON (log strings stay as they were, JSON-escaped).
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<ExitCode> {
    outln!("{}", serde_json::to_string_pretty(value)?)?;
    Ok(ExitCode::SUCCESS)
}
