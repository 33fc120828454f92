//! `sessions`: role sessions (role ID + session name, as Amazon Detective keys them) with who
//! assumed them, how, and on what evidence; and one session's issuances.
//!
//! A session's issuances are the observed ones (issuing call cached) and the inferred ones
//! (credentials seen signing its calls, no issuing call linked). "Assumed by" is the assumer of
//! the latest issuance, the same one `chain <principal ID>` follows.

use rusqlite::Connection;
use serde::Serialize;

use super::Result;
use super::assumer::{assumer_of_issuance, assumer_of_key, issuance_ref, issuance_ref_of_key};
use super::link::{arn_account, session_name_of};
use crate::model::{Assumer, Evidence, Issuance, IssuanceRef, RoleSession, Scope, Target, rfc3339};
use crate::store::{self, IssuanceLookup, PrincipalRow, SessionKey};

/// Role sessions, latest observed first: all of them, or those of one role (any ARN spelling
/// `store::load_role_arns` accepts); with a scope, those that made calls in it, counted there.
pub fn build_sessions(
    conn: &Connection,
    role: Option<&str>,
    scope: Option<Scope>,
    limit: i64,
) -> Result<Vec<RoleSession>> {
    let roles = match role {
        Some(r) => Some(store::load_role_arns(conn, r)?),
        None => None,
    };
    let rows = store::load_role_sessions(conn, roles.as_deref(), scope, limit)?;
    rows.iter().map(|r| session_of_row(conn, r)).collect()
}

/// One role session by principal ID (`AROA…:name`), all-time counts.
pub fn load_session(conn: &Connection, principal: &str) -> Result<Option<RoleSession>> {
    match store::load_principal(conn, principal)? {
        Some(r) if r.user_type == Some(crate::model::UserType::AssumedRole) => {
            Ok(Some(session_of_row(conn, &r)?))
        }
        _ => Ok(None),
    }
}

pub(crate) fn session_of_row(conn: &Connection, r: &PrincipalRow) -> Result<RoleSession> {
    let (observed, _) = store::load_session_issuances(conn, &r.principal)?;
    let inferred = store::load_unlinked_session_key_count(conn, &r.principal)?;
    let account = account_of(r);
    Ok(RoleSession {
        principal_id: r.principal.clone(),
        role_arn: r.issuer_arn.clone(),
        account_id: account,
        session_name: session_name_of(&r.principal).unwrap_or("").to_string(),
        first_observed: r.first_ms,
        last_observed: r.last_ms,
        issuances: observed + inferred,
        issuances_inferred: inferred,
        assumed_by: assumer_of_session(conn, r)?,
        events: r.events,
        failed: r.failed,
        target: Target::session(r.principal.as_str()),
        role: r.issuer_arn.as_deref().map(Target::role),
    })
}

fn account_of(r: &PrincipalRow) -> Option<String> {
    r.issuer_arn
        .as_deref()
        .and_then(arn_account)
        .map(str::to_string)
        .or_else(|| r.account.clone())
}

/// The latest issuance of a session: observed (its issuing call is cached) or inferred (its
/// credentials seen signing calls), whichever was issued last.
#[derive(Debug, Clone, PartialEq)]
pub enum LatestIssuance {
    Observed(Box<Issuance>),
    Inferred(SessionKey),
}

impl LatestIssuance {
    /// Its reference.
    pub fn reference(&self) -> IssuanceRef {
        match self {
            LatestIssuance::Observed(i) => issuance_ref(i),
            LatestIssuance::Inferred(k) => issuance_ref_of_key(k),
        }
    }
}

/// The issuance a session was created with last (DESIGN: a principal ID names its latest
/// issuance).
pub fn latest_issuance(conn: &Connection, principal: &str) -> Result<Option<LatestIssuance>> {
    latest_issuance_before(conn, principal, None)
}

/// The issuance a session was created with last before `before_ms` (the end of a scope: the
/// session as it was then), or ever.
pub fn latest_issuance_before(
    conn: &Connection,
    principal: &str,
    before_ms: Option<i64>,
) -> Result<Option<LatestIssuance>> {
    // `load_latest_issuance` bounds inclusively.
    let observed = store::load_latest_issuance(
        conn,
        IssuanceLookup::Principal,
        principal,
        before_ms.map(|b| b - 1),
    )?;
    let inferred = store::load_latest_unlinked_session_key(conn, principal, before_ms)?;
    Ok(match (observed, inferred) {
        (Some(i), Some(k)) if k.issued_ms() > i.issued_ms + 1000 => {
            Some(LatestIssuance::Inferred(k))
        }
        (Some(i), _) => Some(LatestIssuance::Observed(Box::new(i))),
        (None, Some(k)) => Some(LatestIssuance::Inferred(k)),
        (None, None) => None,
    })
}

/// Who assumed a role session: the assumer of its latest issuance.
pub fn assumer_of_session(conn: &Connection, r: &PrincipalRow) -> Result<Assumer> {
    match latest_issuance(conn, &r.principal)? {
        Some(LatestIssuance::Observed(i)) => observed_assumer(conn, &i),
        Some(LatestIssuance::Inferred(k)) => inferred_assumer(conn, r, &k),
        None => {
            // Seen only in another account's copy of its calls: nothing signed, nothing issued.
            let o = super::link::infer_origin(
                r.issuer_arn.as_deref(),
                account_of(r).as_deref(),
                session_name_of(&r.principal),
                None,
            );
            Ok(Assumer {
                kind: o.kind.into(),
                target: super::assumer::target_of_origin(&o),
                name: o.name,
                arn: o.arn,
                account_id: o.account_id,
                via: None,
                evidence: Evidence::Inferred,
                event_id: None,
                parent: None,
                issuance: None,
            })
        }
    }
}

/// The assumer of an observed issuance, with the exact parent issuance when chained.
pub fn observed_assumer(conn: &Connection, i: &Issuance) -> Result<Assumer> {
    let parent = match i.parent {
        Some(p) => store::load_issuance(conn, p)?,
        None => None,
    };
    Ok(assumer_of_issuance(i, parent.as_ref()))
}

fn inferred_assumer(conn: &Connection, r: &PrincipalRow, k: &SessionKey) -> Result<Assumer> {
    // The source identity travels in every call's `sessionContext`.
    let source_identity = match k.access_key.as_deref() {
        Some(key) => store::load_call_by_key_near(conn, key, Some(&k.principal), k.first_ms)?,
        None => store::load_call_by_principal_near(conn, &k.principal, k.first_ms)?,
    }
    .and_then(|c| c.event.identity.source_identity);
    Ok(assumer_of_key(
        k,
        account_of(r).as_deref(),
        session_name_of(&r.principal),
        source_identity.as_deref(),
    ))
}

/// One issuance of a session, as its Overview lists them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionIssuance {
    pub issuance: IssuanceRef,
    #[serde(serialize_with = "rfc3339::opt")]
    pub expires_at: Option<i64>,
    /// The issuing call's source IP, when observed.
    pub source_ip: Option<String>,
    pub assumed_by: Assumer,
    pub evidence: Evidence,
    /// Calls signed with these credentials (all time).
    pub calls: i64,
    pub failed: i64,
}

/// A session's issuances, latest first, at most `limit`; with a scope, those issued in it or
/// whose credentials signed calls in it.
pub fn build_session_issuances(
    conn: &Connection,
    principal: &str,
    scope: Option<Scope>,
    limit: usize,
) -> Result<Vec<SessionIssuance>> {
    let Some(row) = store::load_principal(conn, principal)? else {
        return Ok(Vec::new());
    };
    let (from, to) = scope.map_or((i64::MIN, i64::MAX), |s| (s.start_ms, s.end_ms));
    let n = limit as i64;
    let keys = store::load_session_keys(conn, principal, from, to, n)?;
    // Issued in the scope, or before it with credentials still signing calls in it.
    let lifetime = super::link::MAX_LIFETIME_MS;
    let mut out = Vec::new();
    for i in
        store::load_session_issuance_rows(conn, principal, from.saturating_sub(lifetime), to, n)?
    {
        let linked: Vec<&SessionKey> = keys.iter().filter(|k| k.issuance == Some(i.id)).collect();
        if i.issued_ms < from && linked.is_empty() {
            continue;
        }
        out.push(SessionIssuance {
            issuance: issuance_ref(&i),
            expires_at: i.expires_ms,
            source_ip: i.source_ip.clone(),
            assumed_by: observed_assumer(conn, &i)?,
            evidence: Evidence::Observed,
            calls: linked.iter().map(|k| k.events).sum(),
            failed: linked.iter().map(|k| k.failed).sum(),
        });
    }
    for k in keys.iter().filter(|k| k.issuance.is_none()) {
        out.push(SessionIssuance {
            issuance: issuance_ref_of_key(k),
            expires_at: None,
            source_ip: None,
            assumed_by: inferred_assumer(conn, &row, k)?,
            evidence: Evidence::Inferred,
            calls: k.events,
            failed: k.failed,
        });
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.issuance.issued_ms));
    out.truncate(limit);
    Ok(out)
}
