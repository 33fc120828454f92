//! Breakdowns from the roll-ups: an entity's calls in a scope by API, source IP, access key,
//! user agent, region or caller, as lines with names — busiest first, ties by name, at most
//! `LINES`. Only the lines shown have their strings looked up.

use rusqlite::Connection;

use super::Result;
use super::activity::BreakdownLine;
use crate::model::{Scope, Target};
use crate::store::{self, Counts, Dim, Entity, api_parts, load_string};

/// Lines per breakdown.
pub const LINES: usize = 200;

/// An entity's calls in `scope` broken down by each of `dims`, in `dims`' order.
pub fn breakdowns(
    conn: &Connection,
    entity: Entity,
    scope: Scope,
    dims: &[Dim],
) -> Result<Vec<Vec<BreakdownLine>>> {
    let counts = store::load_scope_counts(conn, entity, scope, dims)?;
    dims.iter()
        .zip(counts)
        .map(|(&dim, rows)| lines_of(conn, dim, rows))
        .collect()
}

/// The busiest `LINES` values as lines, names resolved. Values tied with the last line shown
/// are named too, so the cut falls on the same names whatever order the counts came in.
pub fn lines_of(
    conn: &Connection,
    dim: Dim,
    mut rows: Vec<(i64, Counts)>,
) -> Result<Vec<BreakdownLine>> {
    rows.sort_unstable_by_key(|(v, c)| (std::cmp::Reverse(c.total()), *v));
    if let Some(cut) = rows.get(LINES - 1).map(|(_, c)| c.total()) {
        rows.retain(|(_, c)| c.total() >= cut);
    }
    let name = |id: i64| -> Result<Option<String>> {
        Ok(if id == 0 {
            None
        } else {
            load_string(conn, id)?
        })
    };
    let mut lines = Vec::with_capacity(rows.len());
    for (value, c) in rows {
        let (key, service) = match dim {
            Dim::Api => {
                let (source, api) = api_parts(value);
                (name(api)?, name(source)?)
            }
            _ => (name(value)?, None),
        };
        let target = match dim {
            Dim::SourceIp => key.as_deref().and_then(Target::ip),
            _ => None,
        };
        lines.push(BreakdownLine {
            key,
            service,
            ok: c.ok,
            failed: c.failed,
            target,
        });
    }
    lines.sort_by(|a, b| {
        (b.ok + b.failed)
            .cmp(&(a.ok + a.failed))
            .then_with(|| a.key.cmp(&b.key))
            .then_with(|| a.service.cmp(&b.service))
    });
    lines.truncate(LINES);
    Ok(lines)
}
