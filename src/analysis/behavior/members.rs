//! What a target's behavior is made of: the rolled-up entities whose calls are its calls, and
//! the accounts whose logs hold them. A role session, an IAM or federated user: its principal;
//! a role: its sessions as one (every spelling of its ARN the calls show); an EC2 instance: the
//! role sessions named by its ID; a SAML, Identity Center or web-identity user: the sessions it
//! started (observed issuances) and its own sign-in calls; an account: its calls.

use rusqlite::Connection;

use super::super::Result;
use crate::model::{IssuanceRef, Target, UserType, arn_account};
use crate::store::{self, Entity, EntityKind, PrincipalRow, lookup_string};

/// Issuances read to find the sessions an external user started (newest first; sessions repeat
/// their principal ID, so this is many more sessions than principals).
const STARTED: i64 = 2_000;

/// A target's calls, as roll-up entities.
#[derive(Debug, Clone, PartialEq)]
pub struct Members {
    /// `session`, `role`, `iam_user`, `federated_user`, `external_user`, `instance`, `account`.
    pub kind: &'static str,
    /// The principal ID, ARN, name, instance or account ID.
    pub id: String,
    /// What a person calls it.
    pub name: String,
    pub target: Target,
    pub entities: Vec<Entity>,
    /// The accounts its calls are made in (IDs), sorted.
    pub accounts: Vec<String>,
    /// Their roll-up entities; empty when the target is an account itself.
    pub account_entities: Vec<Entity>,
}

/// The members of `target`; `None` when it is not something that calls (a finding, an event,
/// an IP address) or the cache holds no call of it.
pub fn members_of(conn: &Connection, target: &Target) -> Result<Option<Members>> {
    let mut m = Members {
        kind: "",
        id: target.id_text(),
        name: target.id_text(),
        target: target.clone(),
        entities: Vec::new(),
        accounts: Vec::new(),
        account_entities: Vec::new(),
    };
    let mut rows: Vec<PrincipalRow> = Vec::new();
    match target {
        Target::RoleSession { principal_id }
        | Target::Issuance(IssuanceRef {
            principal_id: Some(principal_id),
            ..
        }) => {
            m.kind = "session";
            m.id = principal_id.to_string();
            m.name = principal_id
                .session_name()
                .unwrap_or(principal_id.as_str())
                .to_string();
            m.target = Target::session(principal_id.clone());
            rows.extend(store::load_principal(conn, principal_id.as_str())?);
        }
        Target::Role { arn } => {
            m.kind = "role";
            m.name = arn.name().to_string();
            for spelling in store::load_role_arns(conn, arn.as_str())? {
                if let Some(id) = lookup_string(conn, &spelling)? {
                    let e = Entity {
                        kind: EntityKind::Role,
                        id,
                    };
                    if store::load_rollup_last_hour(conn, e)?.is_some() {
                        m.entities.push(e);
                    }
                }
            }
            m.accounts.extend(arn.account().map(str::to_string));
        }
        Target::IamUser { arn } | Target::FederatedUser { arn } => {
            m.kind = if matches!(target, Target::IamUser { .. }) {
                "iam_user"
            } else {
                "federated_user"
            };
            m.name = arn.name().to_string();
            rows = store::load_principals_by_arn(conn, arn.as_str())?;
            m.accounts.extend(arn.account().map(str::to_string));
        }
        Target::ExternalUser { name, .. } => {
            m.kind = "external_user";
            m.name = name.clone();
            let mut seen: Vec<String> = Vec::new();
            for i in store::load_issuances_by_caller_name(conn, name, STARTED)? {
                if let Some(p) = i.principal_id {
                    if !seen.contains(&p) {
                        seen.push(p);
                    }
                }
            }
            for p in seen {
                rows.extend(store::load_principal(conn, &p)?);
            }
            // Their own calls: the sign-ins (`AssumeRoleWithSAML` …) signed as the user.
            rows.extend(store::load_external_user_principals(conn, name)?);
        }
        Target::Ec2Instance { id } => {
            m.kind = "instance";
            rows = store::load_principals_named(conn, id.as_str())?
                .into_iter()
                .filter(|r| r.user_type == Some(UserType::AssumedRole))
                .collect();
        }
        Target::Account { id } => {
            m.kind = "account";
            if let Some(sid) = lookup_string(conn, id.as_str())? {
                let e = Entity {
                    kind: EntityKind::Account,
                    id: sid,
                };
                if store::load_rollup_last_hour(conn, e)?.is_some() {
                    m.entities.push(e);
                }
            }
            m.accounts.push(id.to_string());
        }
        Target::Issuance(_)
        | Target::Finding { .. }
        | Target::Event { .. }
        | Target::IpAddress { .. } => return Ok(None),
    }
    for r in &rows {
        if let Some(id) = lookup_string(conn, &r.principal)? {
            let e = Entity {
                kind: EntityKind::Principal,
                id,
            };
            if !m.entities.contains(&e) {
                m.entities.push(e);
            }
        }
        // A session's account is its role's; a SAML user's sign-ins name none (the role's
        // account received them, and its sessions name it).
        let account = r.account.clone().or_else(|| {
            r.issuer_arn
                .as_deref()
                .and_then(arn_account)
                .map(String::from)
        });
        m.accounts.extend(account);
    }
    m.accounts.sort();
    m.accounts.dedup();
    if m.entities.is_empty() {
        return Ok(None);
    }
    if m.kind != "account" {
        for a in &m.accounts {
            if let Some(id) = lookup_string(conn, a)? {
                m.account_entities.push(Entity {
                    kind: EntityKind::Account,
                    id,
                });
            }
        }
    }
    Ok(Some(m))
}
