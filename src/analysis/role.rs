//! `role`: a role's resource interaction, as Detective's role profile shows it — resources that
//! assumed the role, roles it assumed, and the sessions involved. One assumer per issuance:
//! an issuance whose issuing call is cached counts for its observed caller; credentials known
//! only from their calls count for the assumer inferred from them.

use rusqlite::Connection;
use serde::Serialize;

use super::Result;
use super::assumer::assumer_of_key;
use super::link::{arn_account, session_name_of};
use super::sessions::{assumer_of_session, load_session, observed_assumer};
use crate::model::{Assumer, Scope, Target, rfc3339};
use crate::store;

/// A principal that assumed the role (or tried to).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssumerLine {
    /// The assumer of the latest issuance of the group.
    pub assumer: Assumer,
    #[serde(serialize_with = "rfc3339::ms")]
    pub first_seen: i64,
    #[serde(serialize_with = "rfc3339::ms")]
    pub last_seen: i64,
    /// Successful assumptions whose issuing call is cached.
    pub assumptions: i64,
    /// Credentials of the role seen only in calls, inferred to come from this assumer.
    pub inferred: i64,
    /// Failed `AssumeRole*` calls: attempts, never hops.
    pub attempts: i64,
}

/// A role that sessions of this role assumed (role chaining).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssumedRoleLine {
    pub role_arn: Option<String>,
    pub account_id: Option<String>,
    #[serde(serialize_with = "rfc3339::ms")]
    pub first_seen: i64,
    #[serde(serialize_with = "rfc3339::ms")]
    pub last_seen: i64,
    pub assumptions: i64,
    pub attempts: i64,
    pub target: Option<Target>,
}

/// A session of the role, or one started from a session of the role.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionLine {
    pub session_name: Option<String>,
    pub principal_id: Option<String>,
    pub assumed_role: Option<String>,
    pub assumed_by: Assumer,
    pub account_id: Option<String>,
    #[serde(serialize_with = "rfc3339::ms")]
    pub start: i64,
    #[serde(serialize_with = "rfc3339::ms")]
    pub end: i64,
    /// Whether the session is of this role (`false`: started from one of its sessions).
    pub own: bool,
    pub target: Option<Target>,
    pub role: Option<Target>,
}

/// Resource interaction of one role.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleInteraction {
    pub query: String,
    /// Every ARN spelling of the role in the cache (with and without a path).
    pub role_arns: Vec<String>,
    pub scope: Option<Scope>,
    pub assumed_by: Vec<AssumerLine>,
    pub roles_assumed: Vec<AssumedRoleLine>,
    pub sessions: Vec<SessionLine>,
}

/// Whether two assumer lines name the same principal (the evidence may differ).
fn same_assumer(a: &Assumer, b: &Assumer) -> bool {
    a.kind == b.kind && a.name == b.name && a.arn == b.arn && a.account_id == b.account_id
}

/// The resource interaction of the role `query` names (role or assumed-role ARN), in `scope`
/// (or all time). `None` when the cache has never seen the role.
pub fn build_role(
    conn: &Connection,
    query: &str,
    scope: Option<Scope>,
) -> Result<Option<RoleInteraction>> {
    let roles = store::load_role_arns(conn, query)?;
    if roles.is_empty() {
        return Ok(None);
    }
    let mut assumed_by: Vec<AssumerLine> = Vec::new();
    for g in store::load_assumers_of(conn, &roles, scope)? {
        if let Some(i) = store::load_issuance(conn, g.latest_id)? {
            assumed_by.push(AssumerLine {
                assumer: observed_assumer(conn, &i)?,
                first_seen: g.first_ms,
                last_seen: g.last_ms,
                assumptions: g.count - g.failed,
                inferred: 0,
                attempts: g.failed,
            });
        }
    }
    for k in store::load_unlinked_keys_of_roles(conn, &roles, scope)? {
        let account = k.role.as_deref().and_then(arn_account);
        let a = assumer_of_key(&k, account, session_name_of(&k.principal), None);
        let issued = k.issued_ms();
        match assumed_by.iter_mut().find(|l| same_assumer(&l.assumer, &a)) {
            Some(line) => {
                line.inferred += 1;
                line.first_seen = line.first_seen.min(issued);
                line.last_seen = line.last_seen.max(issued);
            }
            None => assumed_by.push(AssumerLine {
                assumer: a,
                first_seen: issued,
                last_seen: issued,
                assumptions: 0,
                inferred: 1,
                attempts: 0,
            }),
        }
    }
    assumed_by.sort_by_key(|l| std::cmp::Reverse(l.last_seen));

    let mut sessions = Vec::new();
    for r in store::load_role_sessions(conn, Some(&roles), scope, 500)? {
        sessions.push(SessionLine {
            session_name: session_name_of(&r.principal).map(str::to_string),
            principal_id: Some(r.principal.clone()),
            assumed_role: r.issuer_arn.clone(),
            assumed_by: assumer_of_session(conn, &r)?,
            account_id: r
                .issuer_arn
                .as_deref()
                .and_then(arn_account)
                .map(str::to_string),
            start: r.first_ms,
            end: r.last_ms,
            own: true,
            target: Some(Target::session(r.principal.as_str())),
            role: r.issuer_arn.as_deref().map(Target::role),
        });
    }
    let mut roles_assumed = Vec::new();
    for g in store::load_roles_assumed_by(conn, &roles, scope)? {
        if let Some(i) = store::load_issuance(conn, g.latest_id)? {
            roles_assumed.push(AssumedRoleLine {
                target: i.role_arn.as_deref().map(Target::role),
                role_arn: i.role_arn.clone(),
                account_id: i.role_account.clone(),
                first_seen: g.first_ms,
                last_seen: g.last_ms,
                assumptions: g.count - g.failed,
                attempts: g.failed,
            });
        }
    }
    for g in store::load_sessions_started_by(conn, &roles, scope)? {
        let Some(i) = store::load_issuance(conn, g.latest_id)? else {
            continue;
        };
        let known = i
            .principal_id
            .as_deref()
            .map(|p| load_session(conn, p))
            .transpose()?
            .flatten();
        let (start, end) = known.as_ref().map_or((g.first_ms, g.last_ms), |s| {
            (s.first_observed, s.last_observed)
        });
        sessions.push(SessionLine {
            session_name: i.session_name.clone(),
            principal_id: i.principal_id.clone(),
            assumed_role: i.role_arn.clone(),
            assumed_by: observed_assumer(conn, &i)?,
            account_id: i.role_account.clone(),
            start,
            end,
            own: false,
            target: i.principal_id.as_deref().map(Target::session),
            role: i.role_arn.as_deref().map(Target::role),
        });
    }
    Ok(Some(RoleInteraction {
        query: query.to_string(),
        role_arns: roles,
        scope,
        assumed_by,
        roles_assumed,
        sessions,
    }))
}
