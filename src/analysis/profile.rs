//! The pivots every table invites: an IAM user, a federated user, a SAML or web-identity user,
//! an EC2 instance, an account, an IP address — who it is, the sessions it started or ran, who
//! used it, its calls by API in the scope, first and last seen.
//!
//! Every count comes from the roll-ups: a user's or an instance's sessions and calls, an
//! account's and an IP's callers, APIs (and an account's IPs), first and last seen.

use rusqlite::Connection;
use serde::Serialize;

use super::Result;
use super::activity::BreakdownLine;
use super::breakdown::{LINES, breakdowns};
use super::link::session_name_of;
use super::resolve::target_of_principal;
use crate::model::{Federation, Scope, Target, UserType, rfc3339};
use crate::present::safe;
use crate::store::{self, Counts, Dim, Entity, EntityKind, PrincipalRow, lookup_string};

/// Someone who used the entity (a principal calling from an IP, in an account…).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallerLine {
    pub target: Option<Target>,
    /// The principal ID as logged (raw: sanitise before display).
    pub label: String,
    pub ok: i64,
    pub failed: i64,
}

/// A session the entity started or ran.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileSession {
    pub target: Target,
    pub principal_id: String,
    pub session_name: String,
    pub role_arn: Option<String>,
    pub role: Option<Target>,
    #[serde(serialize_with = "rfc3339::ms")]
    pub first_ms: i64,
    #[serde(serialize_with = "rfc3339::ms")]
    pub last_ms: i64,
    /// Calls in the scope.
    pub ok: i64,
    pub failed: i64,
}

/// One pivot pane.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    pub target: Target,
    /// `IAM user bob`, `EC2 instance i-0abc…` (sanitised).
    pub title: String,
    /// What is known about it, label and value (values sanitised).
    pub facts: Vec<(&'static str, String)>,
    #[serde(serialize_with = "rfc3339::opt")]
    pub first_seen: Option<i64>,
    #[serde(serialize_with = "rfc3339::opt")]
    pub last_seen: Option<i64>,
    pub scope: Scope,
    pub sessions: Vec<ProfileSession>,
    /// Who used it in the scope (an account's and an IP's principals).
    pub callers: Vec<CallerLine>,
    /// Its calls in the scope, by API.
    pub by_api: Vec<BreakdownLine>,
    /// Its calls in the scope, by source IP.
    pub by_source_ip: Vec<BreakdownLine>,
    pub note: Option<String>,
}

/// Sessions listed per profile.
const SESSIONS: usize = 200;

/// The pivot pane of `target` in `scope`; `None` for targets that have their own panes
/// (sessions, roles, findings, events) or that the cache does not know.
pub fn build_profile(conn: &Connection, target: &Target, scope: Scope) -> Result<Option<Profile>> {
    let mut p = Profile {
        target: target.clone(),
        title: format!("{} {}", target.kind().label(), safe(&target.id_text())),
        facts: Vec::new(),
        first_seen: None,
        last_seen: None,
        scope,
        sessions: Vec::new(),
        callers: Vec::new(),
        by_api: Vec::new(),
        by_source_ip: Vec::new(),
        note: None,
    };
    match target {
        Target::IamUser { arn } | Target::FederatedUser { arn } => {
            let rows = store::load_principals_by_arn(conn, arn.as_str())?;
            if rows.is_empty() {
                return Ok(None);
            }
            p.title = format!("{} {}", target.kind().label(), safe(arn.name()));
            p.facts.push(("ARN", safe(arn.as_str())));
            if let Some(a) = arn.account() {
                p.facts.push(("account", safe(a)));
            }
            for r in &rows {
                p.facts.push(("principal ID", safe(&r.principal)));
            }
            seen(&mut p, &rows);
            for r in &rows {
                p.sessions.extend(started_by(conn, &r.principal, scope)?);
            }
            calls_of(conn, &mut p, &rows, scope)?;
        }
        Target::ExternalUser {
            federation, name, ..
        } => {
            let started = store::load_issuances_by_caller_name(conn, name, SESSIONS as i64)?;
            let own: Vec<PrincipalRow> = store::load_external_user_principals(conn, name)?;
            if started.is_empty() && own.is_empty() {
                return Ok(None);
            }
            let kind = match federation {
                Federation::Saml => "SAML / Identity Center user",
                Federation::WebIdentity => "web identity",
            };
            p.title = format!("{kind} {}", safe(name));
            let mut providers: Vec<String> = started
                .iter()
                .filter_map(|i| {
                    i.provider_arn
                        .clone()
                        .or_else(|| i.caller.identity_provider.clone())
                })
                .collect();
            providers.sort();
            providers.dedup();
            for provider in providers {
                p.facts.push(("identity provider", safe(&provider)));
            }
            p.first_seen = started.iter().map(|i| i.issued_ms).min();
            p.last_seen = started.iter().map(|i| i.issued_ms).max();
            let mut principals: Vec<String> = Vec::new();
            for i in &started {
                if let Some(pr) = &i.principal_id {
                    if !principals.contains(pr) {
                        principals.push(pr.clone());
                    }
                }
            }
            let mut rows = Vec::new();
            for pr in principals {
                if let Some(r) = store::load_principal(conn, &pr)? {
                    rows.push(r);
                }
            }
            for r in &rows {
                p.sessions.push(session_line(conn, r, scope)?);
            }
            if let Some(i) = started.first() {
                p.facts
                    .push(("latest sign-in event", safe(&i.caller_event_id)));
            }
            // What they did: the calls of the sessions they started.
            calls_of(conn, &mut p, &rows, scope)?;
        }
        Target::Ec2Instance { id } => {
            let rows: Vec<PrincipalRow> = store::load_principals_named(conn, id.as_str())?
                .into_iter()
                .filter(|r| r.user_type == Some(UserType::AssumedRole))
                .collect();
            if rows.is_empty() {
                return Ok(None);
            }
            let mut roles: Vec<String> = rows.iter().filter_map(|r| r.issuer_arn.clone()).collect();
            roles.sort();
            roles.dedup();
            for r in roles {
                p.facts.push(("instance profile role", safe(&r)));
            }
            seen(&mut p, &rows);
            for r in &rows {
                p.sessions.push(session_line(conn, r, scope)?);
            }
            calls_of(conn, &mut p, &rows, scope)?;
        }
        Target::Account { id } => {
            let Some(key) = lookup_string(conn, id.as_str())? else {
                return Ok(None);
            };
            account(conn, &mut p, key, scope)?;
        }
        Target::IpAddress { ip } => {
            let Some(key) = lookup_string(conn, &ip.to_string())? else {
                return Ok(None);
            };
            address(conn, &mut p, key, scope)?;
        }
        Target::RoleSession { .. }
        | Target::Issuance(_)
        | Target::Role { .. }
        | Target::Finding { .. }
        | Target::Event { .. } => return Ok(None),
    }
    p.sessions.sort_by_key(|s| std::cmp::Reverse(s.last_ms));
    p.sessions.truncate(SESSIONS);
    Ok(Some(p))
}

fn seen(p: &mut Profile, rows: &[PrincipalRow]) {
    p.first_seen = rows.iter().map(|r| r.first_ms).min();
    p.last_seen = rows.iter().map(|r| r.last_ms).max();
}

/// A session with its calls in the scope.
fn session_line(conn: &Connection, r: &PrincipalRow, scope: Scope) -> Result<ProfileSession> {
    let Counts { ok, failed } = match lookup_string(conn, &r.principal)? {
        Some(id) => store::load_scope_total(conn, principal_entity(id), scope)?,
        None => Counts::default(),
    };
    Ok(ProfileSession {
        target: Target::session(r.principal.as_str()),
        principal_id: r.principal.clone(),
        session_name: session_name_of(&r.principal)
            .unwrap_or(&r.principal)
            .to_string(),
        role_arn: r.issuer_arn.clone(),
        role: r.issuer_arn.as_deref().map(Target::role),
        first_ms: r.first_ms,
        last_ms: r.last_ms,
        ok,
        failed,
    })
}

fn principal_entity(id: i64) -> Entity {
    Entity {
        kind: EntityKind::Principal,
        id,
    }
}

/// Sessions a principal started (its successful issuing calls), one line per session.
fn started_by(conn: &Connection, principal: &str, scope: Scope) -> Result<Vec<ProfileSession>> {
    let mut out: Vec<ProfileSession> = Vec::new();
    for i in store::load_issuances_by_caller(conn, principal, i64::MIN, i64::MAX, SESSIONS as i64)?
    {
        let Some(pr) = i.principal_id.as_deref() else {
            continue;
        };
        if i.failed || out.iter().any(|s| s.principal_id == pr) {
            continue;
        }
        if let Some(r) = store::load_principal(conn, pr)? {
            out.push(session_line(conn, &r, scope)?);
        }
    }
    Ok(out)
}

/// The scope's calls of these principals, by API and by source IP, summed (roll-ups).
fn calls_of(conn: &Connection, p: &mut Profile, rows: &[PrincipalRow], scope: Scope) -> Result<()> {
    for r in rows {
        let Some(id) = lookup_string(conn, &r.principal)? else {
            continue;
        };
        let mut lines = breakdowns(
            conn,
            principal_entity(id),
            scope,
            &[Dim::Api, Dim::SourceIp],
        )?;
        merge(&mut p.by_source_ip, lines.pop().unwrap_or_default());
        merge(&mut p.by_api, lines.pop().unwrap_or_default());
    }
    sort_lines(p);
    Ok(())
}

/// An account's calls in the scope, from its roll-ups: who made them, which APIs, from where;
/// first and last seen.
fn account(conn: &Connection, p: &mut Profile, id: i64, scope: Scope) -> Result<()> {
    let entity = Entity {
        kind: EntityKind::Account,
        id,
    };
    let seen = store::load_rollup_seen(conn, entity, Dim::Region)?;
    p.first_seen = seen.iter().map(|s| s.first_ms).min();
    p.last_seen = seen.iter().map(|s| s.last_ms).max();
    let mut lines = breakdowns(conn, entity, scope, &[Dim::Caller, Dim::Api, Dim::SourceIp])?;
    merge(&mut p.by_source_ip, lines.pop().unwrap_or_default());
    merge(&mut p.by_api, lines.pop().unwrap_or_default());
    callers(conn, p, lines.pop().unwrap_or_default())?;
    sort_lines(p);
    Ok(())
}

/// An IP address (or a service name in its place): who used it in the scope, which APIs, and
/// when it was first and last seen, from its roll-ups.
fn address(conn: &Connection, p: &mut Profile, id: i64, scope: Scope) -> Result<()> {
    let entity = Entity {
        kind: EntityKind::Ip,
        id,
    };
    let seen = store::load_rollup_seen(conn, entity, Dim::Caller)?;
    p.first_seen = seen.iter().map(|s| s.first_ms).min();
    p.last_seen = seen.iter().map(|s| s.last_ms).max();
    let mut lines = breakdowns(conn, entity, scope, &[Dim::Caller, Dim::Api])?;
    merge(&mut p.by_api, lines.pop().unwrap_or_default());
    callers(conn, p, lines.pop().unwrap_or_default())?;
    sort_lines(p);
    Ok(())
}

/// Breakdown lines by caller as the profile's callers, each with the entity it names.
fn callers(conn: &Connection, p: &mut Profile, lines: Vec<BreakdownLine>) -> Result<()> {
    for line in lines {
        let principal = line.key.unwrap_or_default();
        let target = match store::load_principal(conn, &principal)? {
            Some(r) => target_of_principal(&r),
            None => None,
        };
        p.callers.push(CallerLine {
            target,
            label: principal,
            ok: line.ok,
            failed: line.failed,
        });
    }
    Ok(())
}

fn sort_lines(p: &mut Profile) {
    for lines in [&mut p.by_api, &mut p.by_source_ip] {
        lines.sort_by(|a, b| {
            (b.ok + b.failed)
                .cmp(&(a.ok + a.failed))
                .then_with(|| a.key.cmp(&b.key))
                .then_with(|| a.service.cmp(&b.service))
        });
        lines.truncate(LINES);
    }
}

/// Adds lines to the profile's, summing lines with the same key.
fn merge(into: &mut Vec<BreakdownLine>, lines: Vec<BreakdownLine>) {
    for r in lines {
        match into
            .iter_mut()
            .find(|l| l.key == r.key && l.service == r.service)
        {
            Some(l) => {
                l.ok += r.ok;
                l.failed += r.failed;
            }
            None => into.push(r),
        }
    }
}
