//! `activity`: overall API call volume of a role session, a role or a user — successful and
//! failed calls per bucket, the baseline (mean per bucket over the 45 days before the scope),
//! and the scope's calls by API, by source IP and by access key.

use rusqlite::Connection;
use serde::Serialize;

use super::Result;
use crate::model::{DAY_MS, HOUR_MS, IssuanceRef, Scope, Target, rfc3339};
use crate::store::{self, Breakdown, EntityColumn};

/// The baseline window before the scope.
pub const BASELINE_MS: i64 = 45 * DAY_MS;
/// Less history than this and the baseline says "not enough history".
pub const MIN_HISTORY_MS: i64 = 14 * DAY_MS;

/// What the activity is of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityEntity {
    /// `session` (a principal ID), `role` (every session of a role) or `principal` (an IAM
    /// user, a federated user or another non-session caller).
    pub kind: &'static str,
    /// The principal ID or role ARN.
    pub id: String,
    /// What a person calls it: a user's or session's name, a role's name.
    pub name: String,
    pub target: Target,
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
    /// The entity the line names, when it is one (an IP address).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
}

/// API call volume of one entity in a scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
    pub query: String,
    pub entity: ActivityEntity,
    /// The entity's latest call in the cache (to point at a scope that shows it).
    #[serde(serialize_with = "rfc3339::opt")]
    pub last_active: Option<i64>,
    pub scope: Scope,
    pub bucket_seconds: i64,
    pub series: Vec<SeriesPoint>,
    pub total_ok: i64,
    pub total_failed: i64,
    pub baseline: Baseline,
    pub by_api: Vec<BreakdownLine>,
    pub by_source_ip: Vec<BreakdownLine>,
    pub by_access_key: Vec<BreakdownLine>,
    /// For a role: its sessions, as callers. Empty for a single principal.
    pub by_caller: Vec<BreakdownLine>,
}

/// An entity whose calls are counted: what it is, the events column and rollup key that count
/// it, and its latest call.
struct Counted {
    entity: ActivityEntity,
    column: EntityColumn,
    id: i64,
    last_active: Option<i64>,
}

/// The entity a target's activity is counted for: a role session (or federated user) by its
/// principal ID, a role by its ARN, an IAM user by its ARN. `None` for targets whose activity
/// is not rolled up yet (accounts, IP addresses, instances, external users).
fn entity_of(conn: &Connection, target: &Target) -> Result<Option<Counted>> {
    let principal_entity =
        |principal: &str, kind: &'static str, name: String, t: Target| -> Result<Option<Counted>> {
            let Some(row) = store::load_principal(conn, principal)? else {
                return Ok(None);
            };
            let Some(id) = store::lookup_string(conn, principal)? else {
                return Ok(None);
            };
            let entity = ActivityEntity {
                kind,
                id: principal.to_string(),
                name,
                target: t,
            };
            Ok(Some(Counted {
                entity,
                column: EntityColumn::Principal,
                id,
                last_active: Some(row.last_ms),
            }))
        };
    match target {
        Target::RoleSession { principal_id } => principal_entity(
            principal_id.as_str(),
            "session",
            principal_id
                .session_name()
                .unwrap_or(principal_id.as_str())
                .to_string(),
            target.clone(),
        ),
        Target::Issuance(IssuanceRef {
            principal_id: Some(p),
            ..
        }) => principal_entity(
            p.as_str(),
            "session",
            p.session_name().unwrap_or(p.as_str()).to_string(),
            Target::session(p.clone()),
        ),
        Target::IamUser { arn } | Target::FederatedUser { arn } => {
            match store::load_principals_by_arn(conn, arn.as_str())?.first() {
                Some(p) => principal_entity(
                    &p.principal,
                    "principal",
                    arn.name().to_string(),
                    target.clone(),
                ),
                None => Ok(None),
            }
        }
        Target::Role { arn } => {
            for spelling in store::load_role_arns(conn, arn.as_str())? {
                if let Some(id) = store::lookup_string(conn, &spelling)? {
                    let last = store::load_role_last_active(conn, id)?;
                    let entity = ActivityEntity {
                        kind: "role",
                        name: arn.name().to_string(),
                        id: spelling,
                        target: target.clone(),
                    };
                    return Ok(Some(Counted {
                        entity,
                        column: EntityColumn::Role,
                        id,
                        last_active: last,
                    }));
                }
            }
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// The activity of `target` in `scope` with buckets of `bucket_ms` (whole hours use the
/// hourly rollup; shorter buckets read the scope's events). `None` when the cache has no
/// activity for it (or does not roll up that kind of entity yet).
pub fn build_activity(
    conn: &Connection,
    target: &Target,
    scope: Scope,
    bucket_ms: i64,
) -> Result<Option<Activity>> {
    let Some(Counted {
        entity,
        column,
        id,
        last_active,
    }) = entity_of(conn, target)?
    else {
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
    let baseline = baseline_mean(conn, &[id], scope, bucket_ms)?;
    let breakdown = |by| -> Result<Vec<BreakdownLine>> {
        Ok(store::load_breakdown(conn, column, id, scope, by)?
            .into_iter()
            .map(|r| BreakdownLine {
                target: match by {
                    Breakdown::SourceIp => r.key.as_deref().and_then(Target::ip),
                    Breakdown::Caller => r.key.as_deref().map(Target::session),
                    _ => None,
                },
                key: r.key,
                service: r.service,
                ok: r.ok,
                failed: r.failed,
            })
            .collect())
    };
    Ok(Some(Activity {
        query: target.id_text(),
        entity,
        last_active: last_active.filter(|t| *t > 0),
        scope,
        bucket_seconds: bucket_ms / 1000,
        series,
        total_ok,
        total_failed,
        baseline,
        by_api: breakdown(Breakdown::Api)?,
        by_source_ip: breakdown(Breakdown::SourceIp)?,
        by_access_key: breakdown(Breakdown::AccessKey)?,
        by_caller: match column {
            EntityColumn::Principal => Vec::new(),
            _ => breakdown(Breakdown::Caller)?,
        },
    }))
}

/// Mean calls per bucket over the 45 days before the scope, counting only the part of that
/// window the cache has data for; "not enough history" under two weeks. `entities` are rollup
/// keys summed together (an instance's sessions, a role's spellings).
pub(crate) fn baseline_mean(
    conn: &Connection,
    entities: &[i64],
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
    let mut total = 0;
    for &entity in entities {
        total += store::load_hours(
            conn,
            entity,
            covered_from / HOUR_MS,
            scope.start_ms / HOUR_MS,
        )?
        .iter()
        .map(|(_, ok, failed)| ok + failed)
        .sum::<i64>();
    }
    let buckets = history_ms as f64 / bucket_ms as f64;
    Ok(Baseline {
        start,
        end: scope.start_ms,
        history_days,
        mean_per_bucket: Some(total as f64 / buckets),
        note: None,
    })
}
