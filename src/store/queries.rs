//! Read queries behind the analyses: role sessions and principals (with their calls in a scope,
//! from the hourly roll-up), a role's issuances grouped by assumer, findings. Every query is
//! backed by an index; none scans `events`. (Breakdowns of calls are `rollup`'s.)

use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

use super::{Result, lookup_string};
use crate::model::{DAY_MS, Finding, HOUR_MS, Scope, UserType};

/// One row of `principals`, strings resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalRow {
    pub principal: String,
    pub user_type: Option<UserType>,
    pub arn: Option<String>,
    /// The role, for a role session.
    pub issuer_arn: Option<String>,
    pub account: Option<String>,
    pub first_ms: i64,
    pub last_ms: i64,
    /// Calls (all time, or in the scope asked for).
    pub events: i64,
    pub failed: i64,
}

pub(crate) const PRINCIPAL_COLUMNS: &str = "(SELECT s FROM strings WHERE id = p.principal),
    (SELECT s FROM strings WHERE id = p.user_type), (SELECT s FROM strings WHERE id = p.arn),
    (SELECT s FROM strings WHERE id = p.issuer_arn), (SELECT s FROM strings WHERE id = p.account),
    p.first_ms, p.last_ms";

pub(crate) fn principal_from_row(r: &Row<'_>) -> rusqlite::Result<PrincipalRow> {
    Ok(PrincipalRow {
        principal: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
        user_type: super::events_read::user_type(r.get(1)?),
        arn: r.get(2)?,
        issuer_arn: r.get(3)?,
        account: r.get(4)?,
        first_ms: r.get(5)?,
        last_ms: r.get(6)?,
        events: r.get(7)?,
        failed: r.get(8)?,
    })
}

/// The principal whose ARN (assumed-role ARN, user ARN) is `arn`, latest active first.
pub fn load_principal_by_arn(conn: &Connection, arn: &str) -> Result<Option<String>> {
    let Some(id) = lookup_string(conn, arn)? else {
        return Ok(None);
    };
    Ok(conn
        .prepare_cached(
            "SELECT (SELECT s FROM strings WHERE id = principal) FROM principals
             WHERE arn = ?1 ORDER BY last_ms DESC LIMIT 1",
        )?
        .query_row([id], |r| r.get(0))
        .optional()?
        .flatten())
}

/// One principal by its principal ID, with all-time counts.
pub fn load_principal(conn: &Connection, principal: &str) -> Result<Option<PrincipalRow>> {
    let Some(id) = lookup_string(conn, principal)? else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT {PRINCIPAL_COLUMNS}, p.events, p.failed FROM principals p WHERE p.principal = ?1"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], principal_from_row)
        .optional()?)
}

/// Scopes up to this long find their sessions through the roll-ups' hour index.
const INDEXED_SCOPE_MS: i64 = 7 * DAY_MS;

/// Role sessions, latest observed first, optionally only those of the given roles (ARNs), with
/// all-time counts; or, with a scope, those that made calls in it, with the scope's counts.
pub fn load_role_sessions(
    conn: &Connection,
    roles: Option<&[String]>,
    scope: Option<Scope>,
    limit: i64,
) -> Result<Vec<PrincipalRow>> {
    let Some(assumed) = lookup_string(conn, "AssumedRole")? else {
        return Ok(Vec::new());
    };
    let mut role_ids = Vec::new();
    if let Some(roles) = roles {
        for r in roles {
            if let Some(id) = lookup_string(conn, r)? {
                role_ids.push(id);
            }
        }
        if role_ids.is_empty() {
            return Ok(Vec::new());
        }
    }
    let role_filter = if roles.is_some() {
        let marks = vec!["?"; role_ids.len()].join(", ");
        format!("AND p.issuer_arn IN ({marks})")
    } else {
        String::new()
    };
    // Plain `?` placeholders, bound in text order.
    let mut values: Vec<i64> = Vec::new();
    let sql = match scope {
        None => format!(
            "SELECT {PRINCIPAL_COLUMNS}, p.events, p.failed FROM principals p
             WHERE p.user_type = ? {role_filter} ORDER BY p.last_ms DESC LIMIT ?"
        ),
        // One role's sessions: from the role's principals to their own hours (the roll-ups'
        // key), not every principal's hours in the scope (a year of a whole cache's hours
        // took 150 ms at 10 M events to find one role's few sessions). A principal's key is
        // `id * 4` (`rollup::key_of` with `EntityKind::Principal`).
        Some(s) if roles.is_some() => {
            values.push(s.start_ms / HOUR_MS);
            values.push(s.end_ms / HOUR_MS);
            format!(
                "SELECT {PRINCIPAL_COLUMNS}, SUM(h.ok) + SUM(h.failed), SUM(h.failed)
                 FROM principals p JOIN rollup_hours h
                   ON h.entity = p.principal * 4 AND h.hour >= ? AND h.hour < ?
                 WHERE p.user_type = ? {role_filter}
                 GROUP BY p.principal HAVING SUM(h.ok) + SUM(h.failed) > 0
                 ORDER BY p.last_ms DESC LIMIT ?"
            )
        }
        // Every session's hours in the scope. Through the hour index for a short scope; for a
        // long one, one pass over the table in key order (already grouped by entity) beats
        // sorting most of the table's rows out of the index into a temporary B-tree: a year at
        // 10 M events took 165 ms through the index, 14 ms by the table (`+hour` keeps the
        // planner off the index).
        Some(s) => {
            values.push(s.start_ms / HOUR_MS);
            values.push(s.end_ms / HOUR_MS);
            let hour = if s.len_ms() <= INDEXED_SCOPE_MS {
                "hour"
            } else {
                "+hour"
            };
            format!(
                "SELECT {PRINCIPAL_COLUMNS}, a.ok + a.failed, a.failed
                 FROM principals p JOIN (
                    SELECT entity / 4 AS principal, SUM(ok) AS ok, SUM(failed) AS failed
                    FROM rollup_hours WHERE {hour} >= ? AND {hour} < ? AND entity % 4 = 0
                    GROUP BY entity) a ON a.principal = p.principal
                 WHERE p.user_type = ? {role_filter} AND a.ok + a.failed > 0
                 ORDER BY p.last_ms DESC LIMIT ?"
            )
        }
    };
    values.push(assumed);
    values.extend(role_ids);
    values.push(limit);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(values), principal_from_row)?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Role ARNs in the cache that `input` names: the ARN itself, and the same role name in the
/// same account under any path (`requestParameters.roleArn` carries the path, an assumed-role
/// ARN does not). An assumed-role ARN names its role.
pub fn load_role_arns(conn: &Connection, input: &str) -> Result<Vec<String>> {
    let parts: Vec<&str> = input.splitn(6, ':').collect();
    let [_, partition, _, _, account, resource] = parts.as_slice() else {
        return Ok(Vec::new());
    };
    let name = if let Some(rest) = resource.strip_prefix("assumed-role/") {
        rest.split('/').next().unwrap_or_default()
    } else if let Some(rest) = resource.strip_prefix("role/") {
        rest.rsplit('/').next().unwrap_or_default()
    } else {
        return Ok(Vec::new());
    };
    if name.is_empty() {
        return Ok(Vec::new());
    }
    // Range scan on the unique index of `strings.s`: every role ARN of that account.
    let prefix = format!("arn:{partition}:iam::{account}:role/");
    let upper = format!("arn:{partition}:iam::{account}:role0");
    let mut stmt = conn.prepare_cached("SELECT s FROM strings WHERE s >= ?1 AND s < ?2")?;
    let mut out = Vec::new();
    for s in stmt.query_map(params![prefix, upper], |r| r.get::<_, String>(0))? {
        let s = s?;
        if s.rsplit('/').next() == Some(name) {
            out.push(s);
        }
    }
    Ok(out)
}

/// A group of issuances of one role by one assumer (or into one role by one caller role).
#[derive(Debug, Clone, PartialEq)]
pub struct IssuanceGroup {
    /// A representative issuance (the latest) carrying the assumer's identity.
    pub latest_id: i64,
    pub first_ms: i64,
    pub last_ms: i64,
    pub count: i64,
    pub failed: i64,
}

fn in_list(n: usize, first: usize) -> String {
    (first..first + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Issuances whose `column` is one of `roles`, issued in `scope`, grouped: `rest` adds any
/// further condition and the `GROUP BY`. Newest group first, at most 500.
fn issuance_groups(
    conn: &Connection,
    column: &str,
    roles: &[String],
    scope: Option<Scope>,
    rest: &str,
) -> Result<Vec<IssuanceGroup>> {
    if roles.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT MAX(id), MIN(issued_ms), MAX(issued_ms), COUNT(*), SUM(failed) FROM issuances
         WHERE {column} IN ({}) AND issued_ms >= ?1 AND issued_ms < ?2 {rest}
         ORDER BY MAX(issued_ms) DESC LIMIT 500",
        in_list(roles.len(), 3)
    );
    let (a, b) = scope.map_or((i64::MIN, i64::MAX), |s| (s.start_ms, s.end_ms));
    let mut values: Vec<rusqlite::types::Value> = vec![a.into(), b.into()];
    values.extend(roles.iter().map(|r| r.clone().into()));
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(values), |r| {
        Ok(IssuanceGroup {
            latest_id: r.get(0)?,
            first_ms: r.get(1)?,
            last_ms: r.get(2)?,
            count: r.get(3)?,
            failed: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Who assumed these roles (including failed attempts), one group per assumer: the caller's
/// type and identity, and for EC2 the instance (session name).
pub fn load_assumers_of(
    conn: &Connection,
    roles: &[String],
    scope: Option<Scope>,
) -> Result<Vec<IssuanceGroup>> {
    issuance_groups(
        conn,
        "role_arn",
        roles,
        scope,
        "GROUP BY caller_type, caller_arn, caller_principal, caller_user_name, caller_account,
            caller_invoked_by, caller_issuer,
            CASE WHEN caller_invoked_by = 'ec2.amazonaws.com' THEN session_name END",
    )
}

/// Roles that sessions of these roles assumed, one group per target role.
pub fn load_roles_assumed_by(
    conn: &Connection,
    roles: &[String],
    scope: Option<Scope>,
) -> Result<Vec<IssuanceGroup>> {
    issuance_groups(conn, "caller_issuer", roles, scope, "GROUP BY role_arn")
}

/// Sessions started from sessions of these roles (role chaining), one group per session.
pub fn load_sessions_started_by(
    conn: &Connection,
    roles: &[String],
    scope: Option<Scope>,
) -> Result<Vec<IssuanceGroup>> {
    issuance_groups(
        conn,
        "caller_issuer",
        roles,
        scope,
        "AND failed = 0 GROUP BY principal_id",
    )
}

/// Successful issuances of a role session (`principal_id`), and the latest one's id.
pub fn load_session_issuances(conn: &Connection, principal: &str) -> Result<(i64, Option<i64>)> {
    Ok(conn
        .prepare_cached(
            "SELECT COUNT(*), MAX(id) FROM issuances WHERE principal_id = ?1 AND failed = 0",
        )?
        .query_row([principal], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// The latest call of any session of a role (`strings.id` of the role ARN).
pub fn load_role_last_active(conn: &Connection, role: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT MAX(last_ms) FROM principals WHERE issuer_arn = ?1")?
        .query_row([role], |r| r.get(0))?)
}

/// The time of the earliest event in the cache (index-backed).
pub fn load_earliest_event_ms(conn: &Connection) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT MIN(time_ms) FROM events")?
        .query_row([], |r| r.get(0))?)
}

/// Days (UTC) in `[from_ms, to_ms)` with any cached event, from the coverage table.
pub fn load_days_with_data(conn: &Connection, from_ms: i64, to_ms: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT COUNT(DISTINCT day) FROM coverage WHERE day >= ?1 AND day < ?2")?
        .query_row(
            params![from_ms.div_euclid(DAY_MS), to_ms.div_euclid(DAY_MS)],
            |r| r.get(0),
        )?)
}

const FINDING_COLUMNS: &str = "finding_id, type, severity, title, description, account, region,
    created_ms, updated_ms, first_seen_ms, last_seen_ms, count, resource_type, access_key,
    principal_id, user_name, user_type, instance_id, api, service_name, caller_ip";

fn finding_from_row(r: &Row<'_>) -> rusqlite::Result<Finding> {
    Ok(Finding {
        finding_id: r.get(0)?,
        finding_type: r.get(1)?,
        severity: r.get(2)?,
        title: r.get(3)?,
        description: r.get(4)?,
        account_id: r.get(5)?,
        region: r.get(6)?,
        created_ms: r.get(7)?,
        updated_ms: r.get(8)?,
        first_seen_ms: r.get(9)?,
        last_seen_ms: r.get(10)?,
        count: r.get(11)?,
        resource_type: r.get(12)?,
        access_key_id: r.get(13)?,
        principal_id: r.get(14)?,
        user_name: r.get(15)?,
        user_type: r.get(16)?,
        instance_id: r.get(17)?,
        api: r.get(18)?,
        service_name: r.get(19)?,
        caller_ip: r.get(20)?,
        raw: String::new(),
    })
}

/// The latest revision of every finding, most recently seen first.
pub fn load_findings(conn: &Connection, limit: i64) -> Result<Vec<Finding>> {
    // SQLite's bare-column rule: with MAX(), the other columns come from the row holding it.
    let sql = format!(
        "SELECT {FINDING_COLUMNS} FROM (SELECT *, MAX(updated_ms * 1000000 + count) FROM findings
         GROUP BY finding_id) ORDER BY COALESCE(last_seen_ms, updated_ms) DESC LIMIT ?1"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([limit], finding_from_row)?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// The latest revision of one finding.
pub fn load_finding(conn: &Connection, finding_id: &str) -> Result<Option<Finding>> {
    let sql = format!(
        "SELECT {FINDING_COLUMNS} FROM findings WHERE finding_id = ?1
         ORDER BY updated_ms DESC, count DESC LIMIT 1"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([finding_id], finding_from_row)
        .optional()?)
}

/// The latest revision of every finding whose actor is `principal` or one of the access keys
/// seen signing its calls, most recently seen first. Findings are few: a scan of them, with the
/// session's keys (possibly thousands) looked up through `session_keys`.
pub fn load_findings_of(conn: &Connection, principal: &str, limit: i64) -> Result<Vec<Finding>> {
    let sql = format!(
        "SELECT {FINDING_COLUMNS} FROM (SELECT *, MAX(updated_ms * 1000000 + count) FROM findings
         WHERE principal_id = ?1 OR access_key IN (
            SELECT s.s FROM session_keys k JOIN strings s ON s.id = k.access_key
            WHERE k.principal = (SELECT id FROM strings WHERE s = ?1))
         GROUP BY finding_id)
         ORDER BY COALESCE(last_seen_ms, updated_ms) DESC LIMIT ?2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![principal, limit], finding_from_row)?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}
