//! `findings` / `finding ID`: GuardDuty findings with their default scope (first → last seen,
//! snapped outward to whole hours) and the actor resolved to its role session and chain.

use rusqlite::Connection;
use serde::Serialize;

use super::Result;
use super::assumer::target_of_origin;
use super::chain::chain_of_actor;
use super::scope::finding_scope;
use super::sessions::load_session;
use crate::model::{Chain, FindingId, InstanceId, RoleSession, Scope, Target, rfc3339};
use crate::store;

/// A finding as the CLI and the finding pane show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingView {
    pub finding_id: String,
    #[serde(rename = "type")]
    pub finding_type: String,
    pub severity: f64,
    pub title: Option<String>,
    pub account_id: Option<String>,
    pub region: Option<String>,
    #[serde(serialize_with = "rfc3339::opt")]
    pub first_seen: Option<i64>,
    #[serde(serialize_with = "rfc3339::opt")]
    pub last_seen: Option<i64>,
    pub count: i64,
    pub resource_type: Option<String>,
    pub api: Option<String>,
    pub caller_ip: Option<String>,
    /// The actor as GuardDuty named it.
    pub access_key_id: Option<String>,
    pub principal_id: Option<String>,
    pub user_name: Option<String>,
    pub user_type: Option<String>,
    pub instance_id: Option<String>,
    /// The default scope.
    pub scope: Scope,
    /// The actor's role session, when the actor is one and the cache has its calls.
    pub session: Option<RoleSession>,
    /// The actor's chain, when the cache knows the actor.
    pub chain: Option<Chain>,
    pub target: Target,
    /// What Enter on the actor opens: its role session, else the user or instance named.
    pub actor: Option<Target>,
}

fn view(conn: &Connection, f: crate::model::Finding) -> Result<FindingView> {
    let scope = finding_scope(&f);
    let at = f.last_seen_ms.unwrap_or(f.updated_ms);
    let chain = if f.access_key_id.is_some() || f.principal_id.is_some() {
        chain_of_actor(
            conn,
            &f.finding_id,
            f.access_key_id.as_deref(),
            f.principal_id.as_deref(),
            at,
        )?
    } else {
        None
    };
    let principal = chain
        .as_ref()
        .and_then(|c| c.hops.last())
        .and_then(|h| h.principal_id.clone())
        .or_else(|| f.principal_id.clone());
    let session = match principal {
        Some(p) => load_session(conn, &p)?,
        None => None,
    };
    let actor = session
        .as_ref()
        .map(|s| s.target.clone())
        .or_else(|| chain.as_ref().and_then(|c| target_of_origin(&c.origin)))
        .or_else(|| {
            f.instance_id.as_deref().map(|i| Target::Ec2Instance {
                id: InstanceId::new(i),
            })
        });
    Ok(FindingView {
        target: Target::Finding {
            id: FindingId::new(f.finding_id.as_str()),
        },
        actor,
        finding_id: f.finding_id,
        finding_type: f.finding_type,
        severity: f.severity,
        title: f.title,
        account_id: f.account_id,
        region: f.region,
        first_seen: f.first_seen_ms,
        last_seen: f.last_seen_ms,
        count: f.count,
        resource_type: f.resource_type,
        api: f.api,
        caller_ip: f.caller_ip,
        access_key_id: f.access_key_id,
        principal_id: f.principal_id,
        user_name: f.user_name,
        user_type: f.user_type,
        instance_id: f.instance_id,
        scope,
        session,
        chain,
    })
}

/// The latest revision of every finding (most recently seen first, at most `limit`).
pub fn build_findings(conn: &Connection, limit: i64) -> Result<Vec<FindingView>> {
    store::load_findings(conn, limit)?
        .into_iter()
        .map(|f| view(conn, f))
        .collect()
}

/// One finding, or `None` when it is not cached.
pub fn build_finding(conn: &Connection, finding_id: &str) -> Result<Option<FindingView>> {
    store::load_finding(conn, finding_id)?
        .map(|f| view(conn, f))
        .transpose()
}

/// Findings whose actor is this role session (by principal ID, or by one of the session's
/// access keys), latest revision of each, most recently seen first.
pub fn build_findings_of(
    conn: &Connection,
    target: &Target,
    limit: i64,
) -> Result<Vec<FindingView>> {
    let Target::RoleSession { principal_id } = target else {
        return Ok(Vec::new());
    };
    let keys: Vec<String> = store::load_session_keys(conn, principal_id.as_str())?
        .into_iter()
        .filter_map(|k| k.access_key)
        .collect();
    store::load_findings_of(conn, principal_id.as_str(), &keys, limit)?
        .into_iter()
        .map(|f| view(conn, f))
        .collect()
}
