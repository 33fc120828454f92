//! The one resolver: what a user typed (an ARN, an access key, a principal ID, a session or user
//! name, an IP address, an account, an instance, an event ID or a finding ID) → the `Target` it
//! names, or the candidates when it names several. Every command and the console's `/` jump go
//! through it, so one input means one thing everywhere.
//!
//! Keys and principal IDs repeat over time; DESIGN says they name their latest issuance, so they
//! resolve to one target. Names (`sara`) are ambiguous by nature and list their candidates.

use std::net::IpAddr;

use rusqlite::Connection;

use super::Result;
use super::link::is_instance_id;
use crate::model::{
    AccessKeyId, Arn, EventId, Federation, FindingId, InstanceId, IssuanceRef, PrincipalId, Target,
    UserType,
};
use crate::store::{self, IssuanceLookup, PrincipalRow};

/// What an input names.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution {
    Found(Target),
    /// Several entities answer to the input: the user picks.
    Ambiguous(Vec<Candidate>),
    NotFound,
}

/// One entity an ambiguous input may mean.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Candidate {
    pub target: Target,
    /// What to show beside the kind: the role of a session, the provider of a SAML user…
    /// (log text: sanitise before display).
    pub context: Option<String>,
    pub last_seen_ms: Option<i64>,
}

/// Resolves `input`. Never guesses beyond the cache: an ID the cache has not seen is `NotFound`.
pub fn resolve(conn: &Connection, input: &str) -> Result<Resolution> {
    let q = input.trim();
    if q.is_empty() {
        return Ok(Resolution::NotFound);
    }
    // Exact identifiers first: an event or finding ID can look like anything.
    if store::load_event(conn, q)?.is_some() {
        return found(Target::Event {
            id: EventId::new(q),
        });
    }
    if store::load_finding(conn, q)?.is_some() {
        return found(Target::Finding {
            id: FindingId::new(q),
        });
    }
    if q.starts_with("arn:") {
        return resolve_arn(conn, q);
    }
    if is_access_key(q) {
        return resolve_key(conn, q);
    }
    if let Ok(ip) = q.parse::<IpAddr>() {
        return Ok(if store::load_ip_is_known(conn, q)? {
            Resolution::Found(Target::IpAddress { ip })
        } else {
            Resolution::NotFound
        });
    }
    if q.len() == 12 && q.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(if store::load_account_is_known(conn, q)? {
            Resolution::Found(Target::account(q))
        } else {
            Resolution::NotFound
        });
    }
    if is_instance_id(q) {
        let sessions = store::load_principals_named(conn, q)?;
        return Ok(if sessions.is_empty() {
            Resolution::NotFound
        } else {
            Resolution::Found(Target::Ec2Instance {
                id: InstanceId::new(q),
            })
        });
    }
    if let Some(row) = store::load_principal(conn, q)? {
        if let Some(t) = target_of_principal(&row) {
            return found(t);
        }
    }
    // A session issued but never seen signing a call still has its issuance.
    if q.contains(':') {
        if let Some(i) = store::load_latest_issuance(conn, IssuanceLookup::Principal, q, None)? {
            if let Some(p) = i.principal_id {
                return found(Target::session(p));
            }
        }
    }
    resolve_name(conn, q)
}

fn found(t: Target) -> Result<Resolution> {
    Ok(Resolution::Found(t))
}

/// `AKIA…` (an IAM user's long-term key), `ASIA…` (temporary credentials) and the other key
/// prefixes AWS documents: four letters, then upper-case letters and digits.
fn is_access_key(s: &str) -> bool {
    let prefixed = ["AKIA", "ASIA", "ABIA", "ACCA"]
        .iter()
        .any(|p| s.starts_with(p));
    prefixed
        && (8..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The target a `principals` row names.
pub fn target_of_principal(row: &PrincipalRow) -> Option<Target> {
    let arn = row.arn.as_deref().map(Arn::new);
    match row.user_type.as_ref()? {
        UserType::AssumedRole => Some(Target::session(row.principal.as_str())),
        UserType::IamUser | UserType::Root => arn.map(|arn| Target::IamUser { arn }),
        UserType::FederatedUser => arn.map(|arn| Target::FederatedUser { arn }),
        UserType::SamlUser | UserType::IdentityCenterUser => Some(Target::ExternalUser {
            federation: Federation::Saml,
            name: external_name(&row.principal).into(),
            provider: None,
        }),
        UserType::WebIdentityUser => Some(Target::ExternalUser {
            federation: Federation::WebIdentity,
            name: external_name(&row.principal).into(),
            provider: None,
        }),
        UserType::AwsAccount => row.account.as_deref().map(Target::account),
        UserType::AwsService | UserType::Unknown | UserType::Other(_) => None,
    }
}

/// The user's name in a SAML or web-identity principal ID (`<provider hash>:<name>`).
fn external_name(principal: &str) -> &str {
    principal.split_once(':').map_or(principal, |(_, n)| n)
}

fn resolve_arn(conn: &Connection, arn: &str) -> Result<Resolution> {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
    if resource.starts_with("role/") {
        let spellings = store::load_role_arns(conn, arn)?;
        // The spelling with the path is the role's full name; every analysis accepts any.
        return Ok(
            match spellings
                .iter()
                .find(|s| s.as_str() == arn)
                .or_else(|| spellings.iter().max_by_key(|s| s.len()))
            {
                Some(s) => Resolution::Found(Target::role(s.as_str())),
                None => Resolution::NotFound,
            },
        );
    }
    let rows = store::load_principals_by_arn(conn, arn)?;
    let targets: Vec<(Target, &PrincipalRow)> = rows
        .iter()
        .filter_map(|r| target_of_principal(r).map(|t| (t, r)))
        .collect();
    match targets.len() {
        1 => return found(targets[0].0.clone()),
        n if n > 1 => {
            return Ok(Resolution::Ambiguous(
                targets
                    .into_iter()
                    .map(|(t, r)| Candidate {
                        target: t,
                        context: r.issuer_arn.clone(),
                        last_seen_ms: Some(r.last_ms),
                    })
                    .collect(),
            ));
        }
        _ => {}
    }
    if resource.starts_with("assumed-role/") {
        // Issued but never used: the issuing call names the session.
        if let Some(i) =
            store::load_latest_issuance(conn, IssuanceLookup::AssumedRoleArn, arn, None)?
        {
            if let Some(p) = i.principal_id {
                return found(Target::session(p));
            }
        }
    }
    Ok(Resolution::NotFound)
}

fn resolve_key(conn: &Connection, key: &str) -> Result<Resolution> {
    // The latest issuance of the key, observed or known from the calls signed with it.
    let observed = store::load_latest_issuance(conn, IssuanceLookup::Key, key, None)?;
    let call = store::load_latest_call_by_key(conn, key)?;
    let inferred = match &call {
        Some(c) if c.event.identity.principal_id.is_some() => {
            let id = &c.event.identity;
            store::load_session_key_of_call(
                conn,
                id.principal_id.as_deref().unwrap_or_default(),
                Some(key),
                id.session_created_ms,
            )?
        }
        _ => None,
    };
    let from_calls = inferred
        .filter(|k| k.issuance.is_none())
        .map(|k| IssuanceRef {
            access_key: Some(AccessKeyId::new(key)),
            principal_id: Some(PrincipalId::new(k.principal.as_str())),
            issued_ms: k.issued_ms(),
            issuing_event: None,
        });
    let from_issuance = observed.map(|i| IssuanceRef {
        access_key: Some(AccessKeyId::new(key)),
        principal_id: i.principal_id.as_deref().map(PrincipalId::new),
        issued_ms: i.issued_ms,
        issuing_event: Some(EventId::new(i.caller_event_id.as_str())),
    });
    let latest = match (from_issuance, from_calls) {
        (Some(a), Some(b)) => Some(if b.issued_ms > a.issued_ms { b } else { a }),
        (a, b) => a.or(b),
    };
    if let Some(r) = latest {
        return found(Target::Issuance(r));
    }
    // A key no STS call issued in the cache and no session signed with: an IAM user's own key,
    // or a `GetSessionToken` key, named by the calls it signed.
    if let Some(c) = call {
        if let Some(arn) = c.event.identity.arn {
            return found(Target::IamUser { arn: Arn::new(arn) });
        }
    }
    Ok(Resolution::NotFound)
}

/// A bare name: sessions, IAM and federated users, SAML and web-identity users, roles.
fn resolve_name(conn: &Connection, name: &str) -> Result<Resolution> {
    let mut out: Vec<Candidate> = Vec::new();
    let mut push = |c: Candidate| {
        if !out.iter().any(|o| o.target == c.target) {
            out.push(c);
        }
    };
    for r in store::load_principals_named(conn, name)? {
        if let Some(t) = target_of_principal(&r) {
            push(Candidate {
                target: t,
                context: r.issuer_arn.clone().or_else(|| r.account.clone()),
                last_seen_ms: Some(r.last_ms),
            });
        }
    }
    for u in store::load_external_users_named(conn, name)? {
        let federation = if u.user_type == UserType::WebIdentityUser.as_str() {
            Federation::WebIdentity
        } else {
            Federation::Saml
        };
        push(Candidate {
            target: Target::ExternalUser {
                federation,
                name: u.name,
                provider: None,
            },
            context: u.provider,
            last_seen_ms: Some(u.last_ms),
        });
    }
    for arn in store::load_roles_named(conn, name)? {
        push(Candidate {
            target: Target::role(arn.as_str()),
            context: crate::model::arn_account(&arn).map(str::to_string),
            last_seen_ms: None,
        });
    }
    Ok(match out.len() {
        0 => Resolution::NotFound,
        1 => Resolution::Found(out.remove(0).target),
        _ => {
            out.sort_by_key(|c| std::cmp::Reverse(c.last_seen_ms));
            Resolution::Ambiguous(out)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_keys_are_recognised_by_prefix_and_alphabet() {
        for k in ["ASIAVJISRALFL3OSLYLV", "AKIAIOSFODNN7EXAMPLE"] {
            assert!(is_access_key(k), "{k}");
        }
        for k in [
            "ASIA",
            "asiavjisralfl3oslylv",
            "ASIAVJISRALFL3OSLYL-",
            "AROAEXAMPLE:sara",
        ] {
            assert!(!is_access_key(k), "{k}");
        }
    }
}
