//! `activity`: overall API call volume of a role session, a role or a user — successful and
//! failed calls per bucket, the baseline (mean per bucket over the 45 days before the scope),
//! and the scope's calls by API, by source IP and by access key.

use rusqlite::Connection;
use serde::Serialize;

use super::Result;
use crate::model::{DAY_MS, HOUR_MS, Scope, UserType, rfc3339};
use crate::store::{self, Breakdown, EntityColumn};

/// The baseline window before the scope.
pub const BASELINE_MS: i64 = 45 * DAY_MS;
/// Less history than this and the baseline says "not enough history".
pub const MIN_HISTORY_MS: i64 = 14 * DAY_MS;

/// What the activity is of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityEntity {
    /// `session` (a principal ID), `role` (every session of a role) or `principal` (an IAM
    /// user or another non-session caller).
    pub kind: &'static str,
    /// The principal ID or role ARN.
    pub id: String,
}

/// Calls in one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SeriesPoint {
    #[serde(serialize_with = "rfc3339::ms")]
    pub start: i64,
    pub ok: i64,
    pub failed: i64,
}

/// The baseline: mean calls per bucket over the history before the scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Baseline {
    #[serde(serialize_with = "rfc3339::ms")]
    pub start: i64,
    #[serde(serialize_with = "rfc3339::ms")]
    pub end: i64,
    /// Days of cached history the baseline covers.
    pub history_days: f64,
    /// `None` with `note` when there is less than two weeks of history.
    pub mean_per_bucket: Option<f64>,
    pub note: Option<String>,
}

/// One line of a breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakdownLine {
    pub key: Option<String>,
    /// The event source, for API lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    pub ok: i64,
    pub failed: i64,
}

/// API call volume of one entity in a scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
    pub query: String,
    pub entity: ActivityEntity,
    pub scope: Scope,
    pub bucket_seconds: i64,
    pub series: Vec<SeriesPoint>,
    pub total_ok: i64,
    pub total_failed: i64,
    pub baseline: Baseline,
    pub by_api: Vec<BreakdownLine>,
    pub by_source_ip: Vec<BreakdownLine>,
    pub by_access_key: Vec<BreakdownLine>,
}

/// Which entity `query` names: a role (role ARN), a role session (principal ID or assumed-role
/// ARN), or another principal (user ARN or principal ID).
fn resolve(conn: &Connection, query: &str) -> Result<Option<(ActivityEntity, EntityColumn, i64)>> {
    let q = query.trim();
    if q.starts_with("arn:") && q.contains(":role/") {
        for arn in store::load_role_arns(conn, q)? {
            if let Some(id) = store::load_string_id(conn, &arn)? {
                let entity = ActivityEntity {
                    kind: "role",
                    id: arn,
                };
                return Ok(Some((entity, EntityColumn::Role, id)));
            }
        }
        return Ok(None);
    }
    let principal = if q.starts_with("arn:") {
        store::load_principal_by_arn(conn, q)?
    } else {
        Some(q.to_string())
    };
    let Some(principal) = principal else {
        return Ok(None);
    };
    let Some(row) = store::load_principal(conn, &principal)? else {
        return Ok(None);
    };
    let Some(id) = store::load_string_id(conn, &principal)? else {
        return Ok(None);
    };
    let kind = if row.user_type == Some(UserType::AssumedRole) {
        "session"
    } else {
        "principal"
    };
    Ok(Some((
        ActivityEntity {
            kind,
            id: principal,
        },
        EntityColumn::Principal,
        id,
    )))
}

/// The activity of `query` in `scope` with buckets of `bucket_ms` (whole hours use the hourly
/// rollup; shorter buckets read the scope's events). `None` when the ID is unknown.
pub fn build_activity(
    conn: &Connection,
    query: &str,
    scope: Scope,
    bucket_ms: i64,
) -> Result<Option<Activity>> {
    let Some((entity, column, id)) = resolve(conn, query)? else {
        return Ok(None);
    };
    let bucket_ms = bucket_ms.clamp(60_000, scope.len_ms());
    let n_buckets = ((scope.len_ms() + bucket_ms - 1) / bucket_ms) as usize;
    let mut series: Vec<SeriesPoint> = (0..n_buckets)
        .map(|n| SeriesPoint {
            start: scope.start_ms + n as i64 * bucket_ms,
            ok: 0,
            failed: 0,
        })
        .collect();
    let raw = if bucket_ms % HOUR_MS == 0 {
        store::load_hours(conn, id, scope.start_ms / HOUR_MS, scope.end_ms / HOUR_MS)?
            .into_iter()
            .map(|(h, ok, failed)| (h * HOUR_MS, ok, failed))
            .collect()
    } else {
        store::load_fine_series(conn, column, id, scope, bucket_ms)?
    };
    for (t, ok, failed) in raw {
        let n = ((t - scope.start_ms) / bucket_ms) as usize;
        if let Some(p) = series.get_mut(n) {
            p.ok += ok;
            p.failed += failed;
        }
    }
    let total_ok = series.iter().map(|p| p.ok).sum();
    let total_failed = series.iter().map(|p| p.failed).sum();
    let baseline = build_baseline(conn, id, scope, bucket_ms)?;
    let breakdown = |by| -> Result<Vec<BreakdownLine>> {
        Ok(store::load_breakdown(conn, column, id, scope, by)?
            .into_iter()
            .map(|r| BreakdownLine {
                key: r.key,
                service: r.service,
                ok: r.ok,
                failed: r.failed,
            })
            .collect())
    };
    Ok(Some(Activity {
        query: query.to_string(),
        entity,
        scope,
        bucket_seconds: bucket_ms / 1000,
        series,
        total_ok,
        total_failed,
        baseline,
        by_api: breakdown(Breakdown::Api)?,
        by_source_ip: breakdown(Breakdown::SourceIp)?,
        by_access_key: breakdown(Breakdown::AccessKey)?,
    }))
}

/// Mean calls per bucket over the 45 days before the scope, counting only the part of that
/// window the cache has data for; "not enough history" under two weeks.
fn build_baseline(
    conn: &Connection,
    entity: i64,
    scope: Scope,
    bucket_ms: i64,
) -> Result<Baseline> {
    let start = scope.start_ms - BASELINE_MS;
    let earliest = store::load_earliest_event_ms(conn)?.unwrap_or(scope.start_ms);
    let covered_from = start.max(earliest.div_euclid(HOUR_MS) * HOUR_MS);
    let history_ms = (scope.start_ms - covered_from).max(0);
    let history_days = history_ms as f64 / DAY_MS as f64;
    if history_ms < MIN_HISTORY_MS {
        return Ok(Baseline {
            start,
            end: scope.start_ms,
            history_days,
            mean_per_bucket: None,
            note: Some(format!(
                "not enough history: {history_days:.1} days before the scope, 14 needed"
            )),
        });
    }
    let total: i64 = store::load_hours(
        conn,
        entity,
        covered_from / HOUR_MS,
        scope.start_ms / HOUR_MS,
    )?
    .iter()
    .map(|(_, ok, failed)| ok + failed)
    .sum();
    let buckets = history_ms as f64 / bucket_ms as f64;
    Ok(Baseline {
        start,
        end: scope.start_ms,
        history_days,
        mean_per_bucket: Some(total as f64 / buckets),
        note: None,
    })
}
