//! `activity`: overall API call volume of a role session, a role, a user or an account —
//! successful and failed calls per bucket, the baseline (mean per bucket over the 45 days before
//! the scope), and the scope's calls by API, source IP, access key, user agent, region and
//! caller. Everything comes from the roll-ups, so any scope from an hour to a year answers at
//! the speed of one hour; only buckets under an hour read the scope's events.

use rusqlite::Connection;
use serde::Serialize;

use super::Result;
use super::breakdown::breakdowns;
use super::resolve::target_of_principal;
use crate::model::{DAY_MS, HOUR_MS, IssuanceRef, Scope, Target, rfc3339};
use crate::store::{self, Dim, Entity, EntityKind};

/// The baseline window before the scope.
pub const BASELINE_MS: i64 = 45 * DAY_MS;
/// Less history than this and the baseline says "not enough history".
pub const MIN_HISTORY_MS: i64 = 14 * DAY_MS;

/// What the activity is of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityEntity {
    /// `session` (a principal ID), `role` (every session of a role), `principal` (an IAM
    /// user, a federated user or another non-session caller), `account` (every call its
    /// principals made) or `ip` (every call from the address).
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
    /// Empty for an account or an IP (keys are rolled up per principal and role).
    pub by_access_key: Vec<BreakdownLine>,
    pub by_user_agent: Vec<BreakdownLine>,
    pub by_region: Vec<BreakdownLine>,
    /// For a role: its sessions, as callers; for an account or an IP, its principals. Empty for
    /// a single principal.
    pub by_caller: Vec<BreakdownLine>,
}

/// The bucket an activity chart uses when none is asked for: hours up to three days, six
/// hours up to three weeks, days beyond, so a chart of any scope fits a screen.
pub fn default_bucket_ms(scope: Scope) -> i64 {
    match scope.len_ms() {
        n if n <= 3 * DAY_MS => HOUR_MS,
        n if n <= 21 * DAY_MS => 6 * HOUR_MS,
        _ => DAY_MS,
    }
}

/// An entity whose calls are counted: what it is, its roll-up key, and its latest call.
struct Counted {
    entity: ActivityEntity,
    key: Entity,
    last_active: Option<i64>,
}

/// The entity a target's activity is counted for: a role session (or federated user) by its
/// principal ID, a role by its ARN, an IAM user by its principal, an account or an IP address.
/// `None` for targets that are not rolled up (instances, external users) or that the cache does
/// not know.
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
                key: Entity {
                    kind: EntityKind::Principal,
                    id,
                },
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
                        key: Entity {
                            kind: EntityKind::Role,
                            id,
                        },
                        last_active: last,
                    }));
                }
            }
            Ok(None)
        }
        Target::Account { id } => {
            by_hour_entity(conn, id.as_str(), EntityKind::Account, "account", target)
        }
        Target::IpAddress { ip } => {
            by_hour_entity(conn, &ip.to_string(), EntityKind::Ip, "ip", target)
        }
        _ => Ok(None),
    }
}

/// An account or an IP address as an activity entity, when it made calls.
fn by_hour_entity(
    conn: &Connection,
    text: &str,
    kind: EntityKind,
    label: &'static str,
    target: &Target,
) -> Result<Option<Counted>> {
    let Some(id) = store::lookup_string(conn, text)? else {
        return Ok(None);
    };
    let key = Entity { kind, id };
    let Some(last) = store::load_rollup_last_hour(conn, key)? else {
        return Ok(None);
    };
    Ok(Some(Counted {
        entity: ActivityEntity {
            kind: label,
            id: text.to_string(),
            name: text.to_string(),
            target: target.clone(),
        },
        key,
        // The hour of its latest call: enough to point at a scope that shows it.
        last_active: Some(last * HOUR_MS),
    }))
}

/// The activity of `target` in `scope` with buckets of `bucket_ms` (whole hours use the
/// hourly roll-up; shorter buckets read the scope's events). `None` when the cache has no
/// activity for it (or does not roll up that kind of entity).
pub fn build_activity(
    conn: &Connection,
    target: &Target,
    scope: Scope,
    bucket_ms: i64,
) -> Result<Option<Activity>> {
    let Some(Counted {
        entity,
        key,
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
        let (from, to) = store::hours_of(scope);
        store::load_rollup_hours(conn, key, from, to)?
            .into_iter()
            .map(|(h, ok, failed)| (h * HOUR_MS, ok, failed))
            .collect()
    } else {
        store::load_fine_series(conn, key, scope, bucket_ms)?
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
    let baseline = baseline_mean(conn, &[key], scope, bucket_ms)?;
    let dims: Vec<Dim> = Dim::ALL
        .into_iter()
        .filter(|d| d.kept_for(key.kind))
        .collect();
    let mut lines = breakdowns(conn, key, scope, &dims)?;
    let mut take = |dim: Dim| -> Vec<BreakdownLine> {
        match dims.iter().position(|d| *d == dim) {
            Some(n) => std::mem::take(&mut lines[n]),
            None => Vec::new(),
        }
    };
    let by_api = take(Dim::Api);
    let by_source_ip = take(Dim::SourceIp);
    let by_access_key = take(Dim::AccessKey);
    let by_user_agent = take(Dim::UserAgent);
    let by_region = take(Dim::Region);
    let mut by_caller = take(Dim::Caller);
    for line in &mut by_caller {
        line.target = match (key.kind, line.key.as_deref()) {
            (EntityKind::Account | EntityKind::Ip, Some(p)) => {
                match store::load_principal(conn, p)? {
                    Some(row) => target_of_principal(&row),
                    None => None,
                }
            }
            (_, Some(p)) => Some(Target::session(p)),
            (_, None) => None,
        };
    }
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
        by_api,
        by_source_ip,
        by_access_key,
        by_user_agent,
        by_region,
        by_caller,
    }))
}

/// Mean calls per bucket over the 45 days before the scope, counting only the part of that
/// window the cache has data for; "not enough history" under two weeks. `entities` are summed
/// together (an instance's sessions, a role's spellings).
pub(crate) fn baseline_mean(
    conn: &Connection,
    entities: &[Entity],
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
        let before = Scope {
            start_ms: covered_from,
            end_ms: scope.start_ms,
        };
        total += store::load_scope_total(conn, entity, before)?.total();
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
