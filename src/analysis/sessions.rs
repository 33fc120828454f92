//! `sessions`: role sessions (role ID + session name, as Amazon Detective keys them) with who
//! assumed them, how, and on what evidence.

use rusqlite::Connection;

use super::Result;
use super::chain::issuing_event_id;
use super::link::{arn_account, infer_origin, origin_of_caller, session_name_of};
use crate::model::{Assumer, Evidence, RoleSession, Scope, UserType};
use crate::store::{self, PrincipalRow};

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
        Some(r) if r.user_type == Some(UserType::AssumedRole) => {
            Ok(Some(session_of_row(conn, &r)?))
        }
        _ => Ok(None),
    }
}

fn session_of_row(conn: &Connection, r: &PrincipalRow) -> Result<RoleSession> {
    let (issuances, _) = store::load_session_issuances(conn, &r.principal)?;
    let account = r
        .issuer_arn
        .as_deref()
        .and_then(arn_account)
        .map(str::to_string)
        .or_else(|| r.account.clone());
    Ok(RoleSession {
        principal_id: r.principal.clone(),
        role_arn: r.issuer_arn.clone(),
        account_id: account,
        session_name: session_name_of(&r.principal).unwrap_or("").to_string(),
        first_observed: r.first_ms,
        last_observed: r.last_ms,
        issuances,
        assumed_by: assumer_of_session(conn, r)?,
        events: r.events,
        failed: r.failed,
    })
}

/// Who assumed a role session: the caller of its latest issuance (observed), else what its own
/// calls let us infer.
pub fn assumer_of_session(conn: &Connection, r: &PrincipalRow) -> Result<Assumer> {
    let (_, latest) = store::load_session_issuances(conn, &r.principal)?;
    if let Some(i) = latest
        .map(|id| store::load_issuance(conn, id))
        .transpose()?
        .flatten()
    {
        return Ok(assumer_of_issuance(&i));
    }
    let source_identity = store::load_latest_call_by_principal(conn, &r.principal)?
        .and_then(|c| c.event.identity.source_identity);
    let account = r
        .issuer_arn
        .as_deref()
        .and_then(arn_account)
        .or(r.account.as_deref());
    let o = infer_origin(
        r.issuer_arn.as_deref(),
        account,
        session_name_of(&r.principal),
        source_identity.as_deref(),
    );
    Ok(Assumer {
        kind: o.kind.as_str().to_string(),
        name: o.name,
        arn: o.arn,
        account_id: o.account_id,
        via: None,
        evidence: Evidence::Inferred,
        event_id: None,
    })
}

/// The direct assumer named by an issuance's caller: a principal, or a parent role session.
pub fn assumer_of_issuance(i: &crate::model::Issuance) -> Assumer {
    let (kind, name, arn, account) = match origin_of_caller(i) {
        Some(o) => (o.kind.as_str().to_string(), o.name, o.arn, o.account_id),
        None => {
            let c = &i.caller;
            // Role chaining: the parent session, named `role/session` as its ARN ends.
            let name = c
                .arn
                .as_deref()
                .and_then(|a| a.split_once("assumed-role/"))
                .map(|(_, n)| n.to_string());
            (
                "AssumedRole".to_string(),
                name.or_else(|| c.principal_id.clone()),
                c.arn.clone(),
                c.account_id.clone(),
            )
        }
    };
    Assumer {
        kind,
        name,
        arn,
        account_id: account,
        via: Some(i.via.clone()),
        evidence: Evidence::Observed,
        event_id: Some(issuing_event_id(i).to_string()),
    }
}
