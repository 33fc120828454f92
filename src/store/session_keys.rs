//! Writes and loads of `session_keys`: the credentials (access key + session creation date) seen
//! signing each session's calls, folded from `events`, and their links to observed issuances.
//! The linking rule itself is `analysis::link`'s; this file only moves rows.

use rusqlite::{Connection, Row, params};

use super::attribution::{issuance_columns, issuance_from_row_at};
use super::{Result, lookup_string};
use crate::model::Issuance;

/// One row of `session_keys`, strings resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionKey {
    pub id: i64,
    pub principal: String,
    pub access_key: Option<String>,
    /// `sessionContext.attributes.creationDate`, when the calls carried it.
    pub created_ms: Option<i64>,
    /// The session issuer (the role, or the IAM user behind a federation token).
    pub role: Option<String>,
    pub first_ms: i64,
    pub last_ms: i64,
    pub events: i64,
    pub failed: i64,
    /// The observed issuance, once linked.
    pub issuance: Option<i64>,
}

impl SessionKey {
    /// When these credentials were issued: the creation date the calls carried, else the
    /// first call made with them.
    pub fn issued_ms(&self) -> i64 {
        self.created_ms.unwrap_or(self.first_ms)
    }
}

const COLUMNS: &str = "k.id, (SELECT s FROM strings WHERE id = k.principal),
    (SELECT s FROM strings WHERE id = k.access_key), k.created_ms,
    (SELECT s FROM strings WHERE id = k.role), k.first_ms, k.last_ms, k.events, k.failed,
    k.issuance";
const N_COLUMNS: usize = 10;

fn from_row(r: &Row<'_>) -> rusqlite::Result<SessionKey> {
    Ok(SessionKey {
        id: r.get(0)?,
        principal: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
        access_key: r.get(2)?,
        created_ms: r.get::<_, i64>(3).map(|c| (c >= 0).then_some(c))?,
        role: r.get(4)?,
        first_ms: r.get(5)?,
        last_ms: r.get(6)?,
        events: r.get(7)?,
        failed: r.get(8)?,
        issuance: r.get(9)?,
    })
}

/// Unlinked rows that the refresh folding `after < events.id` changed, each with the successful
/// issuances of its access key issued before its first call (latest first, at most 16): what the
/// access-key rule needs, in one pass instead of a query per row.
pub fn load_changed_unlinked_with_key_candidates(
    conn: &Connection,
    after: i64,
) -> Result<Vec<(SessionKey, Vec<Issuance>)>> {
    let sql = format!(
        "SELECT {COLUMNS}, {} FROM session_keys k
         LEFT JOIN strings ks ON ks.id = k.access_key
         LEFT JOIN issuances i ON i.issued_key = ks.s AND i.failed = 0
            AND i.issued_ms <= k.first_ms + 1000
         WHERE k.folded_upto > ?1 AND k.issuance IS NULL
         ORDER BY k.id, i.issued_ms DESC",
        issuance_columns("i.")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([after])?;
    let mut out: Vec<(SessionKey, Vec<Issuance>)> = Vec::new();
    while let Some(r) = rows.next()? {
        let key = from_row(r)?;
        let candidate = match r.get::<_, Option<i64>>(N_COLUMNS)? {
            Some(_) => Some(issuance_from_row_at(r, N_COLUMNS)?),
            None => None,
        };
        match out.last_mut() {
            Some((last, candidates)) if last.id == key.id => {
                if candidates.len() < 16 {
                    candidates.extend(candidate);
                }
            }
            _ => out.push((key, candidate.into_iter().collect())),
        }
    }
    Ok(out)
}

/// Unlinked rows an issuance of `key` / `principal` issued at `issued_ms` may claim: those
/// signed with its key, and those of its session created within a few seconds of it (the
/// creation-date rule). Bounded by the issue time, so a session with thousands of unlinked
/// credentials is not read whole for each of its issuances.
pub fn load_unlinked_session_keys_near(
    conn: &Connection,
    key: Option<&str>,
    principal: Option<&str>,
    issued_ms: i64,
) -> Result<Vec<SessionKey>> {
    let mut out = Vec::new();
    let key = key.map(|k| lookup_string(conn, k)).transpose()?.flatten();
    if let Some(k) = key {
        let sql = format!(
            "SELECT {COLUMNS} FROM session_keys k WHERE k.access_key = ?1 AND k.issuance IS NULL"
        );
        out.extend(
            conn.prepare_cached(&sql)?
                .query_map([k], from_row)?
                .collect::<std::result::Result<Vec<_>, _>>()?,
        );
    }
    let principal = principal
        .map(|p| lookup_string(conn, p))
        .transpose()?
        .flatten();
    if let Some(p) = principal {
        let sql = format!(
            "SELECT {COLUMNS} FROM session_keys k
             WHERE k.principal = ?1 AND k.issuance IS NULL AND k.issued_ms BETWEEN ?2 AND ?3"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![p, issued_ms - 2000, issued_ms + 2000], from_row)?;
        for row in rows {
            let row = row?;
            if !out.iter().any(|o| o.id == row.id) {
                out.push(row);
            }
        }
    }
    Ok(out)
}

/// Records the observed issuance a row's credentials came from and the rule that found it.
pub fn insert_session_key_link(
    conn: &Connection,
    id: i64,
    issuance: i64,
    link: &str,
) -> Result<()> {
    conn.prepare_cached("UPDATE session_keys SET issuance = ?2, link = ?3 WHERE id = ?1")?
        .execute(params![id, issuance, link])?;
    Ok(())
}

/// The rows of one session whose credentials were issued before `to_ms` and used at or after
/// `from_ms` (all of them with the widest bounds), the latest issued first, at most `limit`.
pub fn load_session_keys(
    conn: &Connection,
    principal: &str,
    from_ms: i64,
    to_ms: i64,
    limit: i64,
) -> Result<Vec<SessionKey>> {
    let Some(p) = lookup_string(conn, principal)? else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM session_keys k
         WHERE k.principal = ?1 AND k.issued_ms < ?3 AND k.last_ms >= ?2
         ORDER BY k.issued_ms DESC LIMIT ?4"
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params![p, from_ms, to_ms, limit], from_row)?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The latest issued of a session's credentials known only from its calls (no issuing call
/// linked), through the partial index: a session may hold thousands of rows.
/// Issued before `before_ms`, when given.
pub fn load_latest_unlinked_session_key(
    conn: &Connection,
    principal: &str,
    before_ms: Option<i64>,
) -> Result<Option<SessionKey>> {
    let Some(p) = lookup_string(conn, principal)? else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM session_keys k
         WHERE k.principal = ?1 AND k.issuance IS NULL AND k.issued_ms < ?2
         ORDER BY k.issued_ms DESC LIMIT 1"
    );
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![p, before_ms.unwrap_or(i64::MAX)], from_row)
        .optional()?)
}

/// How many of a session's credentials are known only from its calls (no issuing call linked).
pub fn load_unlinked_session_key_count(conn: &Connection, principal: &str) -> Result<i64> {
    let Some(p) = lookup_string(conn, principal)? else {
        return Ok(0);
    };
    Ok(conn
        .prepare_cached(
            "SELECT COUNT(*) FROM session_keys WHERE principal = ?1 AND issuance IS NULL",
        )?
        .query_row([p], |r| r.get(0))?)
}

/// The session row whose credentials signed a call: its principal, key and creation date.
pub fn load_session_key_of_call(
    conn: &Connection,
    principal: &str,
    access_key: Option<&str>,
    created_ms: Option<i64>,
) -> Result<Option<SessionKey>> {
    let Some(p) = lookup_string(conn, principal)? else {
        return Ok(None);
    };
    let key = match access_key {
        Some(k) => match lookup_string(conn, k)? {
            Some(id) => id,
            None => return Ok(None),
        },
        None => 0,
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM session_keys k
         WHERE k.principal = ?1 AND k.access_key = ?2 AND k.created_ms = ?3"
    );
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![p, key, created_ms.unwrap_or(-1)], from_row)
        .optional()?)
}

/// A role's credentials known only from calls, latest used first (at most 5 000). With a scope,
/// those issued in it.
pub fn load_unlinked_keys_of_roles(
    conn: &Connection,
    roles: &[String],
    scope: Option<crate::model::Scope>,
) -> Result<Vec<SessionKey>> {
    let mut ids = Vec::new();
    for r in roles {
        ids.extend(lookup_string(conn, r)?);
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let (a, b) = scope.map_or((i64::MIN, i64::MAX), |s| (s.start_ms, s.end_ms));
    let marks = vec!["?"; ids.len()].join(", ");
    let sql = format!(
        "SELECT {COLUMNS} FROM session_keys k
         WHERE k.role IN ({marks}) AND k.issuance IS NULL AND k.issued_ms >= ? AND k.issued_ms < ?
         ORDER BY k.last_ms DESC LIMIT 5000"
    );
    let mut values: Vec<i64> = ids;
    values.push(a);
    values.push(b);
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(rusqlite::params_from_iter(values), from_row)?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}
