//! `chain`: from an event ID, a temporary access key, a principal ID or an assumed-role ARN to
//! the whole chain of role sessions back to the origin, each hop with its evidence.
//!
//! An STS issuing event belongs to its *caller*: `chain EVENT_ID` of an `AssumeRole` call gives
//! the chain of the session that made the call (for the role account's copy of a cross-account
//! call, the caller named by the stitched caller-account copy), not of the session it created —
//! that one is reached through the issued key or the assumed-role ARN.

use std::collections::HashSet;

use rusqlite::Connection;

use super::link::{
    CallRef, arn_account, infer_origin, is_session, link_call, origin_of_caller,
    role_arn_of_assumed, session_name_of,
};
use super::resolve::{Resolution, resolve};
use super::sessions::{LatestIssuance, latest_issuance_before};
use super::{AnalysisError, Result};
use crate::model::{
    Chain, Evidence, Hop, Identity, Issuance, IssuanceRef, Origin, Target, UserType,
};
use crate::store;

/// Role chaining deeper than this is absurd (STS itself caps chained sessions at one hour, not
/// at a depth); stop and report the rest as unknown.
const MAX_DEPTH: usize = 32;

/// The chain behind `query` (through the one resolver), or `None` when the cache knows nothing
/// by that ID or the ID names something without a chain (a role, an IP). An input that names
/// several entities is an error listing them.
pub fn build_chain(conn: &Connection, query: &str) -> Result<Option<Chain>> {
    match resolve(conn, query)? {
        Resolution::Found(t) => chain_of_target(conn, query, &t),
        Resolution::Ambiguous(candidates) => Err(AnalysisError::Ambiguous {
            input: query.to_string(),
            candidates,
        }),
        Resolution::NotFound => Ok(None),
    }
}

/// The chain behind a target: an event (the session that made the call; for an issuing call,
/// its caller), an issuance, a role session or federated user (its latest issuance), an IAM
/// user (itself, no hops), a finding (its actor). `None` for targets without a chain.
pub fn chain_of_target(conn: &Connection, query: &str, target: &Target) -> Result<Option<Chain>> {
    match target {
        Target::Event { id } => {
            let Some(found) = store::load_event(conn, id.as_str())? else {
                return Ok(None);
            };
            let ev = found.event;
            // An issuing call: the stitched copy names the caller best.
            let identity = match store::load_issuance_by_event_id(conn, id.as_str())? {
                Some(i) => i.caller,
                None => ev.identity,
            };
            Ok(Some(chain_of_call(conn, query, &identity, ev.time_ms)?))
        }
        Target::Issuance(r) => chain_of_issuance_ref(conn, query, r),
        Target::RoleSession { principal_id } => {
            chain_of_session(conn, query, principal_id.as_str())
        }
        Target::FederatedUser { arn } => {
            match store::load_principals_by_arn(conn, arn.as_str())?.first() {
                Some(p) => chain_of_session(conn, query, &p.principal),
                None => Ok(None),
            }
        }
        Target::IamUser { arn } => {
            let identity = Identity {
                user_type: Some(if arn.as_str().ends_with(":root") {
                    UserType::Root
                } else {
                    UserType::IamUser
                }),
                arn: Some(arn.to_string()),
                account_id: arn.account().map(str::to_string),
                ..Identity::default()
            };
            Ok(Some(chain_of_call(conn, query, &identity, 0)?))
        }
        Target::Finding { id } => Ok(super::build_finding(conn, id.as_str())?
            .and_then(|f| f.chain)
            .map(|mut c| {
                c.query = query.to_string();
                c
            })),
        _ => Ok(None),
    }
}

/// The chain of one issuance: observed, from its issuing call; inferred, from a call signed
/// with its credentials.
pub fn chain_of_issuance_ref(
    conn: &Connection,
    query: &str,
    r: &IssuanceRef,
) -> Result<Option<Chain>> {
    if let Some(e) = &r.issuing_event {
        if let Some(i) = store::load_issuance_by_event_id(conn, e.as_str())? {
            return Ok(Some(chain_of_issuance(conn, query, i)?));
        }
    }
    let call = match (&r.access_key, &r.principal_id) {
        (Some(k), p) => store::load_call_by_key_near(
            conn,
            k.as_str(),
            p.as_ref().map(|p| p.as_str()),
            r.issued_ms,
        )?,
        (None, Some(p)) => store::load_call_by_principal_near(conn, p.as_str(), r.issued_ms)?,
        (None, None) => None,
    };
    call.map(|c| chain_of_call(conn, query, &c.event.identity, c.event.time_ms))
        .transpose()
}

/// The chain of a session's latest issuance (DESIGN: a principal ID names its latest
/// issuance; the last hop says which, by its key and issue time).
pub fn chain_of_session(conn: &Connection, query: &str, principal: &str) -> Result<Option<Chain>> {
    chain_of_session_before(conn, query, principal, None)
}

/// The chain of a session as it was before `before_ms` (a scope's end): its latest issuance
/// then, so a scope in the past shows the assumption that was live in it.
pub fn chain_of_session_before(
    conn: &Connection,
    query: &str,
    principal: &str,
    before_ms: Option<i64>,
) -> Result<Option<Chain>> {
    match latest_issuance_before(conn, principal, before_ms)? {
        Some(LatestIssuance::Observed(i)) => Ok(Some(chain_of_issuance(conn, query, *i)?)),
        Some(l @ LatestIssuance::Inferred(_)) => chain_of_issuance_ref(conn, query, &l.reference()),
        None => store::load_latest_call_by_principal(conn, principal)?
            .map(|c| chain_of_call(conn, query, &c.event.identity, c.event.time_ms))
            .transpose(),
    }
}

/// The chain of the session that signed a call (or of a non-session caller: no hops).
pub fn chain_of_call(
    conn: &Connection,
    query: &str,
    identity: &Identity,
    time_ms: i64,
) -> Result<Chain> {
    if !is_session(identity) {
        let probe = Issuance {
            caller: identity.clone(),
            ..Issuance::default()
        };
        return Ok(Chain {
            query: query.to_string(),
            origin: origin_of_caller(&probe).unwrap_or_else(Origin::unknown),
            hops: Vec::new(),
        });
    }
    match link_identity(conn, identity, time_ms, None)? {
        Some(i) => chain_of_issuance(conn, query, i),
        None => {
            let (hop, origin) = inferred_hop(identity);
            Ok(finish(query, origin, vec![hop]))
        }
    }
}

/// The chain of the session an access key (and optionally a principal ID) signed for at
/// `time_ms`: how a finding's actor is resolved. `None` when nothing matches.
pub fn chain_of_actor(
    conn: &Connection,
    query: &str,
    key: Option<&str>,
    principal: Option<&str>,
    time_ms: i64,
) -> Result<Option<Chain>> {
    let probe = Identity {
        user_type: Some(UserType::AssumedRole),
        access_key_id: key.map(str::to_string),
        principal_id: principal.map(str::to_string),
        ..Identity::default()
    };
    if let Some(i) = link_identity(conn, &probe, time_ms, None)? {
        return Ok(Some(chain_of_issuance(conn, query, i)?));
    }
    // A call signed with the key (or by the principal) carries what inference needs: the one
    // nearest the actor's time, since keys repeat.
    let call = match key {
        Some(k) => store::load_call_by_key_near(conn, k, principal, time_ms)?,
        None => None,
    };
    let call = match (call, principal) {
        (Some(c), _) => Some(c),
        (None, Some(p)) => store::load_call_by_principal_near(conn, p, time_ms)?,
        (None, None) => None,
    };
    match call {
        Some(c) => Ok(Some(chain_of_call(
            conn,
            query,
            &c.event.identity,
            c.event.time_ms,
        )?)),
        None => Ok(None),
    }
}

/// Finds the issuance of the credentials `identity` signed with at `time_ms`.
fn link_identity(
    conn: &Connection,
    identity: &Identity,
    time_ms: i64,
    exclude: Option<i64>,
) -> Result<Option<Issuance>> {
    let call = CallRef::of(identity, time_ms);
    let mut candidates = store::load_link_candidates(
        conn,
        call.access_key,
        call.principal_id,
        call.session_created_ms,
        time_ms,
    )?;
    candidates.retain(|c| Some(c.id) != exclude);
    Ok(link_call(&call, &candidates).map(|(n, _)| candidates.swap_remove(n)))
}

/// Walks from an issuance up through its callers' sessions to the origin.
pub fn chain_of_issuance(conn: &Connection, query: &str, first: Issuance) -> Result<Chain> {
    let mut hops = Vec::new();
    let mut seen = HashSet::new();
    let mut cur = first;
    let origin = loop {
        seen.insert(cur.id);
        hops.push(observed_hop(&cur));
        if let Some(origin) = origin_of_caller(&cur) {
            break origin;
        }
        if hops.len() >= MAX_DEPTH {
            break Origin::unknown();
        }
        let parent = match cur.parent {
            Some(p) => store::load_issuance(conn, p)?,
            // Not linked at refresh time: try once more (cheap, index-backed).
            None => link_identity(conn, &cur.caller, cur.issued_ms, Some(cur.id))?,
        };
        match parent {
            Some(p) if !seen.contains(&p.id) => cur = p,
            Some(_) => break Origin::unknown(),
            None => {
                let (hop, origin) = inferred_hop(&cur.caller);
                hops.push(hop);
                break origin;
            }
        }
    };
    hops.reverse();
    Ok(finish(query, origin, hops))
}

/// Sets each hop's `cross_account`: its role's account differs from the assumer's (the origin
/// for the first hop, the previous hop's role after that).
fn finish(query: &str, origin: Origin, mut hops: Vec<Hop>) -> Chain {
    let mut assumer = origin.account_id.clone();
    for hop in &mut hops {
        hop.cross_account = matches!((&assumer, &hop.account_id), (Some(a), Some(b)) if a != b);
        assumer = hop.account_id.clone();
    }
    Chain {
        query: query.to_string(),
        origin,
        hops,
    }
}

/// The copy of an issuing call that the chain cites: the richer one (DESIGN: "stitch the two
/// by sharedEventID and use the richer one"). Of a cross-account call that is the caller
/// account's copy, which names the caller in full; the role account's copy when it is the only
/// one cached.
pub fn issuing_event_id(i: &Issuance) -> &str {
    &i.caller_event_id
}

fn observed_hop(i: &Issuance) -> Hop {
    Hop {
        role_arn: i.role_arn.clone(),
        account_id: i.role_account.clone(),
        session_name: i.session_name.clone(),
        principal_id: i.principal_id.clone(),
        access_key_id: i.issued_key.clone(),
        issued_at: Some(i.issued_ms),
        expires_at: i.expires_ms,
        via: Some(i.via.clone()),
        cross_account: false,
        // A source identity set once stays with every session chained from it.
        source_identity: i
            .source_identity
            .clone()
            .or_else(|| i.caller.source_identity.clone()),
        evidence: Evidence::Observed,
        issuing_event_id: Some(issuing_event_id(i).to_string()),
    }
}

/// A hop read from a role session's own call when its issuing call is not cached, and the
/// origin that can be inferred from it.
fn inferred_hop(c: &Identity) -> (Hop, Origin) {
    // A federated user's session issuer is the IAM user behind it, not a role.
    let federated = c.user_type == Some(UserType::FederatedUser);
    let issuer = c.issuer_arn.clone();
    let role_arn = if federated {
        None
    } else {
        issuer
            .clone()
            .or_else(|| c.arn.as_deref().and_then(role_arn_of_assumed))
    };
    let account = role_arn
        .as_deref()
        .and_then(arn_account)
        .map(str::to_string)
        .or_else(|| c.account_id.clone());
    let session_name = c
        .principal_id
        .as_deref()
        .and_then(session_name_of)
        .or_else(|| c.arn.as_deref().and_then(|a| a.rsplit('/').next()))
        .map(str::to_string);
    let origin = infer_origin(
        if federated {
            issuer.as_deref()
        } else {
            role_arn.as_deref()
        },
        account.as_deref(),
        session_name.as_deref(),
        c.source_identity.as_deref(),
    );
    let hop = Hop {
        role_arn,
        account_id: account,
        session_name,
        principal_id: c.principal_id.clone(),
        access_key_id: c.access_key_id.clone(),
        // `sessionContext.attributes.creationDate` is the issue time, when the call carried it.
        issued_at: c.session_created_ms,
        expires_at: None,
        via: None,
        cross_account: false,
        source_identity: c.source_identity.clone(),
        evidence: Evidence::Inferred,
        issuing_event_id: None,
    };
    (hop, origin)
}
