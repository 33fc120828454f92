//! The Home pane: what a responder sees first — the findings, the busiest and the most failing
//! role sessions of the last day of the data, and what the cache covers.

use rusqlite::Connection;
use serde::Serialize;

use super::Result;
use super::findings::{FindingView, build_findings};
use super::scope::resolve_scope;
use super::sessions::session_of_row;
use crate::model::{RoleSession, Scope, rfc3339};
use crate::store::{self, CoverageRow, TopBy};

/// What the cache covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    pub events: i64,
    pub findings: i64,
    pub accounts: usize,
    pub regions: usize,
    /// Days (UTC) with any event.
    pub days: i64,
    #[serde(serialize_with = "rfc3339::opt")]
    pub first_ms: Option<i64>,
    #[serde(serialize_with = "rfc3339::opt")]
    pub last_ms: Option<i64>,
    #[serde(serialize_with = "rfc3339::opt")]
    pub last_ingest_ms: Option<i64>,
    /// Per account and region.
    pub rows: Vec<CoverageRow>,
}

/// The Home pane's data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Home {
    /// The last 24 hours of the data (`None`: the cache holds no events).
    pub scope: Option<Scope>,
    pub findings: Vec<FindingView>,
    /// Role sessions with the most calls in `scope`, counted there.
    pub busiest: Vec<RoleSession>,
    /// Role sessions with the most failed calls in `scope`.
    pub failing: Vec<RoleSession>,
    pub coverage: Coverage,
}

/// Sessions listed per Home table.
const TOP: i64 = 10;

/// The Home pane of the cache; `now_ms` keeps records dated in the future out of the default
/// scope.
pub fn build_home(conn: &Connection, now_ms: i64) -> Result<Home> {
    let info = store::load_info(conn)?;
    let scope = match store::load_latest_event_ms(conn)? {
        // The default scope: the last 24 hours of the data.
        Some(_) => Some(resolve_scope(conn, None, now_ms)?),
        None => None,
    };
    let (busiest, failing) = match scope {
        Some(s) => {
            let top = |by| -> Result<Vec<RoleSession>> {
                store::load_top_sessions(conn, s, by, TOP)?
                    .iter()
                    .map(|r| session_of_row(conn, r))
                    .collect()
            };
            (top(TopBy::Calls)?, top(TopBy::Failures)?)
        }
        None => (Vec::new(), Vec::new()),
    };
    let mut accounts: Vec<&str> = info.coverage.iter().map(|c| c.account.as_str()).collect();
    accounts.sort_unstable();
    accounts.dedup();
    let mut regions: Vec<&str> = info.coverage.iter().map(|c| c.region.as_str()).collect();
    regions.sort_unstable();
    regions.dedup();
    let coverage = Coverage {
        events: info.events,
        findings: info.findings,
        accounts: accounts.len(),
        regions: regions.len(),
        days: store::load_days_with_data(conn, i64::MIN / 2, i64::MAX / 2)?,
        first_ms: info.coverage.iter().map(|c| c.first_ms).min(),
        last_ms: info.coverage.iter().map(|c| c.last_ms).max(),
        last_ingest_ms: info.last_ingest_ms,
        rows: info.coverage.clone(),
    };
    Ok(Home {
        scope,
        findings: build_findings(conn, 50)?,
        busiest,
        failing,
        coverage,
    })
}
