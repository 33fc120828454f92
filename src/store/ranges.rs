//! The organisation's address ranges kept in the cache (`0007_ip_ranges.sql`): the CSV text as
//! ingested, one row per input name. Parsing and look-ups are `geo`'s; this file only keeps
//! and hands back the text.

use rusqlite::{Connection, params};

use super::Result;

/// One ingested ranges file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangesRow {
    /// The input's name as ingested (a path, or the name a source gave it).
    pub name: String,
    /// The CSV text (validated when it was ingested).
    pub text: String,
    /// How many ranges it holds.
    pub ranges: i64,
}

/// Keeps (or replaces) the ranges file `name`.
pub(crate) fn insert_ip_ranges(
    conn: &Connection,
    run_id: i64,
    name: &str,
    text: &str,
    ranges: usize,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO ip_ranges (name, text, ranges, run_id) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![name, text, ranges as i64, run_id])?;
    Ok(())
}

/// Every ranges file in the cache, in the order they were (last) ingested: on ties between
/// equally specific ranges, the later file is meant to win.
pub fn load_ip_ranges(conn: &Connection) -> Result<Vec<RangesRow>> {
    let mut stmt =
        conn.prepare_cached("SELECT name, text, ranges FROM ip_ranges ORDER BY rowid")?;
    let rows = stmt.query_map([], |r| {
        Ok(RangesRow {
            name: r.get(0)?,
            text: r.get(1)?,
            ranges: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}
