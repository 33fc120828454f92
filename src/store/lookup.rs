//! Look-ups the resolver runs: principals by ARN or by name, federated users by name, roles by
//! name, whether an account, an IP or a session credential is known. What the input *means* is
//! decided in `analysis::resolve`; this file only finds rows.

use rusqlite::{Connection, params};

use super::queries::{PRINCIPAL_COLUMNS, PrincipalRow, principal_from_row};
use super::{Result, lookup_string};

/// Every principal whose ARN is `arn` (an assumed-role ARN names one session per role ID: a
/// role deleted and created again under the same name has a new ID), latest active first.
pub fn load_principals_by_arn(conn: &Connection, arn: &str) -> Result<Vec<PrincipalRow>> {
    let Some(id) = lookup_string(conn, arn)? else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT {PRINCIPAL_COLUMNS}, p.events, p.failed FROM principals p WHERE p.arn = ?1
         ORDER BY p.last_ms DESC LIMIT 50"
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map([id], principal_from_row)?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Principals a bare name may mean: sessions named `name` (principal IDs ending `:name`) and
/// users whose ARN ends `/name` (IAM users, federated users). A scan of `principals`, which
/// holds one row per identity, not per call.
pub fn load_principals_named(conn: &Connection, name: &str) -> Result<Vec<PrincipalRow>> {
    let session = format!(":{name}");
    let user = format!("/{name}");
    let sql = format!(
        "SELECT {PRINCIPAL_COLUMNS}, p.events, p.failed FROM principals p
         JOIN strings ps ON ps.id = p.principal
         LEFT JOIN strings pa ON pa.id = p.arn
         WHERE substr(ps.s, -length(?1)) = ?1 OR substr(pa.s, -length(?2)) = ?2
         ORDER BY p.last_ms DESC LIMIT 50"
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params![session, user], principal_from_row)?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// A user from outside AWS's own principals named `name`: the `AssumeRoleWith*` sign-ins signed
/// as a SAML, web-identity or Identity Center user (their sessions are other principals).
pub fn load_external_user_principals(conn: &Connection, name: &str) -> Result<Vec<PrincipalRow>> {
    use crate::model::UserType;
    Ok(load_principals_named(conn, name)?
        .into_iter()
        .filter(|r| {
            matches!(
                r.user_type,
                Some(UserType::SamlUser | UserType::WebIdentityUser | UserType::IdentityCenterUser)
            )
        })
        .collect())
}

/// A federated user from outside AWS (SAML, Identity Center, web identity) as the issuing calls
/// name it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalUserRow {
    /// `userIdentity.type` of the issuing calls (`SAMLUser`, `WebIdentityUser`, …).
    pub user_type: String,
    pub name: String,
    pub provider: Option<String>,
    pub first_ms: i64,
    pub last_ms: i64,
    pub issuances: i64,
}

/// Federated users named `name` (the `userName` of a SAML or web-identity caller, or the
/// token subject), one row per type and identity provider.
pub fn load_external_users_named(conn: &Connection, name: &str) -> Result<Vec<ExternalUserRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT caller_type, COALESCE(caller_user_name, subject), COALESCE(provider_arn, caller_provider),
            MIN(issued_ms), MAX(issued_ms), COUNT(*)
         FROM issuances
         WHERE (caller_user_name = ?1 OR subject = ?1)
            AND caller_type IN ('SAMLUser', 'WebIdentityUser', 'IdentityCenterUser')
         GROUP BY 1, 2, 3 ORDER BY 5 DESC LIMIT 50",
    )?;
    let rows = stmt
        .query_map([name], |r| {
            Ok(ExternalUserRow {
                user_type: r.get(0)?,
                name: r.get(1)?,
                provider: r.get(2)?,
                first_ms: r.get(3)?,
                last_ms: r.get(4)?,
                issuances: r.get(5)?,
            })
        })?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Every role ARN the cache knows (session issuers of calls, roles of issuing calls) whose name,
/// path dropped, is `name`.
pub fn load_roles_named(conn: &Connection, name: &str) -> Result<Vec<String>> {
    let suffix = format!("/{name}");
    let mut out: Vec<String> = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT s FROM strings WHERE id IN (SELECT DISTINCT issuer_arn FROM principals)
            AND substr(s, -length(?1)) = ?1 AND s LIKE 'arn:%:iam::%:role/%'
         UNION SELECT DISTINCT role_arn FROM issuances
            WHERE substr(role_arn, -length(?1)) = ?1",
    )?;
    for s in stmt.query_map([suffix], |r| r.get::<_, Option<String>>(0))? {
        if let Some(s) = s? {
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    Ok(out)
}

/// Whether any call came from this source IP (or service name).
pub fn load_ip_is_known(conn: &Connection, ip: &str) -> Result<bool> {
    Ok(lookup_string(conn, ip)?.is_some())
}

/// Whether the cache holds any event, finding or issuance of this account.
pub fn load_account_is_known(conn: &Connection, account: &str) -> Result<bool> {
    let covered: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM coverage WHERE account = ?1)")?
        .query_row([account], |r| r.get(0))?;
    Ok(covered || lookup_string(conn, account)?.is_some())
}
