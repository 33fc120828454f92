//! The overall API call volume chart: successful and failed calls per bucket over a window that
//! holds the scope with history on both sides (more before than after: the question is "is
//! this normal", asked of the past), the baseline per bucket, and where the scope lies.

use rusqlite::Connection;
use serde::Serialize;

use super::Result;
use super::activity::{SeriesPoint, baseline_mean};
use super::events::events_of;
use crate::model::{HOUR_MS, Scope, Target, ceil_hour, floor_hour};
use crate::store::{self, Entity, EntityKind, EventsOf};

/// The chart's data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Volume {
    pub target: Target,
    pub scope: Scope,
    /// What the series covers: the scope and the history around it.
    pub window: Scope,
    pub bucket_ms: i64,
    pub series: Vec<SeriesPoint>,
    /// The 45-day baseline, per bucket; `None` with a note when there is too little history.
    pub baseline_per_bucket: Option<f64>,
    pub baseline_note: Option<String>,
}

/// The volume chart of `of` around `scope` in `buckets` buckets of whole hours, the scope about
/// a quarter of the width from the right. `None` for targets whose hourly volume is not rolled
/// up (external users) or that the cache does not know.
pub fn build_volume(
    conn: &Connection,
    of: &Target,
    scope: Scope,
    buckets: usize,
) -> Result<Option<Volume>> {
    let entity = |kind, ids: Vec<i64>| -> Vec<Entity> {
        ids.into_iter().map(|id| Entity { kind, id }).collect()
    };
    let entities = match events_of(conn, of)? {
        Some(EventsOf::Principals(ids)) if !ids.is_empty() => entity(EntityKind::Principal, ids),
        Some(EventsOf::Roles(ids)) if !ids.is_empty() => entity(EntityKind::Role, ids),
        Some(EventsOf::AccessKey {
            principal: Some(p), ..
        }) => entity(EntityKind::Principal, vec![p]),
        Some(EventsOf::Account(a)) => entity(EntityKind::Account, vec![a]),
        Some(EventsOf::SourceIp(ip)) => entity(EntityKind::Ip, vec![ip]),
        _ => return Ok(None),
    };
    let buckets = buckets.max(4) as i64;
    // The scope takes about an eighth of the chart, so the history around it shows.
    let bucket_ms = ceil_hour((scope.len_ms() * 8 + buckets - 1) / buckets).max(HOUR_MS);
    let window_ms = bucket_ms * buckets;
    let spare = (window_ms - scope.len_ms()).max(0);
    let start = floor_hour(scope.start_ms - spare * 3 / 4);
    // Aligned so that the scope starts on a bucket boundary.
    let start = start - (scope.start_ms - start).rem_euclid(bucket_ms);
    let window = Scope {
        start_ms: start,
        end_ms: start + window_ms,
    };
    let mut series: Vec<SeriesPoint> = (0..buckets)
        .map(|n| SeriesPoint {
            start: start + n * bucket_ms,
            ok: 0,
            failed: 0,
        })
        .collect();
    for &entity in &entities {
        for (hour, ok, failed) in store::load_rollup_hours(
            conn,
            entity,
            window.start_ms / HOUR_MS,
            window.end_ms / HOUR_MS,
        )? {
            let n = ((hour * HOUR_MS - start) / bucket_ms) as usize;
            if let Some(p) = series.get_mut(n) {
                p.ok += ok;
                p.failed += failed;
            }
        }
    }
    let baseline = baseline_mean(conn, &entities, scope, bucket_ms)?;
    Ok(Some(Volume {
        target: of.clone(),
        scope,
        window,
        bucket_ms,
        series,
        baseline_per_bucket: baseline.mean_per_bucket,
        baseline_note: baseline.note,
    }))
}
