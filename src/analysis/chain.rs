//! `chain`: from an event ID, a temporary access key, a principal ID or an assumed-role ARN to
//! the whole chain of role sessions back to the origin, each hop with its evidence.
//!
//! An STS issuing event belongs to its *caller*: `chain EVENT_ID` of an `AssumeRole` call gives
//! the chain of the session that made the call (for the role account's copy of a cross-account
//! call, the caller named by the stitched caller-account copy), not of the session it created —
//! that one is reached through the issued key or the assumed-role ARN.

use std::collections::HashSet;

use rusqlite::Connection;

use super::Result;
use super::link::{
    CallRef, arn_account, infer_origin, is_role_session, link_call, origin_of_caller,
    role_arn_of_assumed, session_name_of,
};
use crate::model::{Chain, Evidence, Hop, Identity, Issuance, Origin, UserType};
use crate::store::{self, IssuanceLookup};

/// Role chaining deeper than this is absurd (STS itself caps chained sessions at one hour, not
/// at a depth); stop and report the rest as unknown.
const MAX_DEPTH: usize = 32;

/// The chain behind `query`, or `None` when the cache knows nothing by that ID.
pub fn build_chain(conn: &Connection, query: &str) -> Result<Option<Chain>> {
    let q = query.trim();
    if q.is_empty() {
        return Ok(None);
    }
    if let Some(found) = store::load_event(conn, q)? {
        let ev = found.event;
        // An issuing call: the stitched copy names the caller best.
        let identity = match store::load_issuance_by_event_id(conn, q)? {
            Some(i) => i.caller,
            None => ev.identity,
        };
        return Ok(Some(chain_of_call(conn, query, &identity, ev.time_ms)?));
    }
    // A key, a principal ID or an assumed-role ARN names a role session; keys and sessions
    // repeat, so the answer is the latest session by that name, whether its issuing call is
    // cached (an issuance) or it is only seen signing calls (inferred from the latest call).
    for lookup in [
        IssuanceLookup::Key,
        IssuanceLookup::Principal,
        IssuanceLookup::AssumedRoleArn,
    ] {
        let issuance = store::load_latest_issuance(conn, lookup, q, None)?;
        let call = match lookup {
            IssuanceLookup::Key => store::load_latest_call_by_key(conn, q)?,
            IssuanceLookup::Principal => store::load_latest_call_by_principal(conn, q)?,
            IssuanceLookup::AssumedRoleArn => match store::load_principal_by_arn(conn, q)? {
                Some(p) => store::load_latest_call_by_principal(conn, &p)?,
                None => None,
            },
        };
        if let Some(chain) = latest_session(conn, query, issuance, call)? {
            return Ok(Some(chain));
        }
    }
    Ok(None)
}

/// The later of two sessions found by the same name: the latest issuance, and the session that
/// signed the latest call. They are one and the same unless the name was reused (a repeated
/// access key, a session name used again) by a session whose issuing call is not cached.
fn latest_session(
    conn: &Connection,
    query: &str,
    issuance: Option<Issuance>,
    call: Option<store::CachedEvent>,
) -> Result<Option<Chain>> {
    let by_call = match call {
        // A call that is not a role session's (an IAM user's `GetSessionToken` key) is the
        // answer only when no issuance names the ID.
        Some(c) if issuance.is_none() || is_role_session(&c.event.identity) => {
            let chain = chain_of_call(conn, query, &c.event.identity, c.event.time_ms)?;
            Some((chain, c.event.time_ms))
        }
        _ => None,
    };
    Ok(match (issuance, by_call) {
        (Some(i), Some((chain, at))) => {
            // The call's session started at its issue time (observed, or its creation date);
            // without either, at the call itself.
            let started = chain.hops.last().and_then(|h| h.issued_at).unwrap_or(at);
            if started > i.issued_ms {
                Some(chain)
            } else {
                Some(chain_of_issuance(conn, query, i)?)
            }
        }
        (Some(i), None) => Some(chain_of_issuance(conn, query, i)?),
        (None, Some((chain, _))) => Some(chain),
        (None, None) => None,
    })
}

/// The chain of the session that signed a call (or of a non-session caller: no hops).
pub fn chain_of_call(
    conn: &Connection,
    query: &str,
    identity: &Identity,
    time_ms: i64,
) -> Result<Chain> {
    if !is_role_session(identity) {
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
    let role_arn = c
        .issuer_arn
        .clone()
        .or_else(|| c.arn.as_deref().and_then(role_arn_of_assumed));
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
        role_arn.as_deref(),
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
