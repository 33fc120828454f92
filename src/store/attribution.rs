//! Writes and loads of the attribution tables (`issuances`, `principals`, `attribution_state`;
//! calls are counted into `principals` by `rollup::fold`). The rules that decide what goes in
//! them live in `analysis`; this file only moves rows.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::Result;
use super::events_read::{CachedEvent, event_columns, event_from_row};
use crate::model::{Identity, Issuance, StsCall, UserType};

/// The watermark key in `attribution_state`.
const WATERMARK: &str = "events_watermark";

/// One copy of an STS issuing call, as cached: the event and its STS columns.
#[derive(Debug, Clone, PartialEq)]
pub struct StsCopy {
    pub cached: CachedEvent,
    pub sts: StsCall,
    /// `userIdentity.identityProvider` of a SAML / web-identity caller.
    pub caller_provider: Option<String>,
}

/// The highest `events.id` already folded into the attribution tables.
pub fn load_watermark(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT value FROM attribution_state WHERE key = ?1")?
        .query_row([WATERMARK], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// Moves the watermark.
pub fn insert_watermark(conn: &Connection, value: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO attribution_state (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![WATERMARK, value])?;
    Ok(())
}

/// STS issuing calls with `after < events.id <= upto`, oldest row first, at most `limit`.
pub fn load_sts_copies(
    conn: &Connection,
    after: i64,
    upto: i64,
    limit: i64,
) -> Result<Vec<StsCopy>> {
    let sql = concat!(
        "SELECT ",
        event_columns!(),
        ", (SELECT s FROM strings WHERE id = c.role_arn), c.role_session_name, c.source_identity,
        (SELECT s FROM strings WHERE id = c.issued_key),
        (SELECT s FROM strings WHERE id = c.assumed_role_id),
        (SELECT s FROM strings WHERE id = c.assumed_role_arn),
        c.expires_ms, c.provider_arn, c.subject, c.caller_provider
        FROM sts_calls c JOIN events e ON e.id = c.event
        WHERE c.event > ?1 AND c.event <= ?2 ORDER BY c.event LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params![after, upto, limit], |r| {
        let n = super::events_read::EVENT_COLUMNS;
        Ok(StsCopy {
            cached: event_from_row(r)?,
            sts: StsCall {
                role_arn: r.get(n)?,
                role_session_name: r.get(n + 1)?,
                source_identity: r.get(n + 2)?,
                issued_access_key: r.get(n + 3)?,
                assumed_role_id: r.get(n + 4)?,
                assumed_role_arn: r.get(n + 5)?,
                expires_ms: r.get(n + 6)?,
                provider_arn: r.get(n + 7)?,
                subject: r.get(n + 8)?,
            },
            caller_provider: r.get(n + 9)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

const ISSUANCE_COLUMNS: &str = "id, dedup_key, event, event_id, other_event_id, shared_event_id,
    caller_event_id, via, failed, error_code, region, source_ip, role_arn, role_account,
    principal_id, session_name, assumed_role_arn, issued_key, issued_ms, expires_ms,
    source_identity, provider_arn, subject, caller_type, caller_principal, caller_arn,
    caller_account, caller_key, caller_user_name, caller_provider, caller_issuer,
    caller_created_ms, caller_source_identity, caller_invoked_by, parent, parent_link";

/// `ISSUANCE_COLUMNS` with each column prefixed (`i.` for a join).
pub(crate) fn issuance_columns(prefix: &str) -> String {
    ISSUANCE_COLUMNS
        .split(',')
        .map(|c| format!("{prefix}{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn issuance_from_row(r: &Row<'_>) -> rusqlite::Result<Issuance> {
    issuance_from_row_at(r, 0)
}

/// An issuance read from `ISSUANCE_COLUMNS` starting at column `at`.
pub(crate) fn issuance_from_row_at(r: &Row<'_>, at: usize) -> rusqlite::Result<Issuance> {
    Ok(Issuance {
        id: r.get(at)?,
        dedup_key: r.get(at + 1)?,
        event: r.get(at + 2)?,
        event_id: r.get(at + 3)?,
        other_event_id: r.get(at + 4)?,
        shared_event_id: r.get(at + 5)?,
        caller_event_id: r.get(at + 6)?,
        via: r.get(at + 7)?,
        failed: r.get(at + 8)?,
        error_code: r.get(at + 9)?,
        region: r.get(at + 10)?,
        source_ip: r.get(at + 11)?,
        role_arn: r.get(at + 12)?,
        role_account: r.get(at + 13)?,
        principal_id: r.get(at + 14)?,
        session_name: r.get(at + 15)?,
        assumed_role_arn: r.get(at + 16)?,
        issued_key: r.get(at + 17)?,
        issued_ms: r.get(at + 18)?,
        expires_ms: r.get(at + 19)?,
        source_identity: r.get(at + 20)?,
        provider_arn: r.get(at + 21)?,
        subject: r.get(at + 22)?,
        caller: Identity {
            user_type: super::events_read::user_type(r.get(at + 23)?),
            principal_id: r.get(at + 24)?,
            arn: r.get(at + 25)?,
            account_id: r.get(at + 26)?,
            access_key_id: r.get(at + 27)?,
            user_name: r.get(at + 28)?,
            identity_provider: r.get(at + 29)?,
            issuer_arn: r.get(at + 30)?,
            issuer_principal_id: None,
            session_created_ms: r.get(at + 31)?,
            mfa_authenticated: None,
            source_identity: r.get(at + 32)?,
            invoked_by: r.get(at + 33)?,
        },
        parent: r.get(at + 34)?,
        parent_link: r.get(at + 35)?,
    })
}

fn load_issuances(
    conn: &Connection,
    filter: &str,
    p: impl rusqlite::Params,
) -> Result<Vec<Issuance>> {
    let sql = format!("SELECT {ISSUANCE_COLUMNS} FROM issuances {filter}");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(p, issuance_from_row)?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// The issuance with this row id.
pub fn load_issuance(conn: &Connection, id: i64) -> Result<Option<Issuance>> {
    Ok(load_issuances(conn, "WHERE id = ?1", [id])?
        .into_iter()
        .next())
}

/// The issuance for one logical call (`sharedEventID`, else `eventID`).
pub fn load_issuance_by_dedup(conn: &Connection, key: &str) -> Result<Option<Issuance>> {
    Ok(load_issuances(conn, "WHERE dedup_key = ?1", [key])?
        .into_iter()
        .next())
}

/// The issuance one of whose copies is this event (caller copy, role-account copy).
pub fn load_issuance_by_event_id(conn: &Connection, event_id: &str) -> Result<Option<Issuance>> {
    // Both copies of a cross-account call carry the shared ID as `dedup_key`; the event's own
    // row tells us which shared ID (if any) it has.
    let shared: Option<Option<String>> = conn
        .prepare_cached("SELECT shared_event_id FROM events WHERE id_hash = ?1 AND event_id = ?2")?
        .query_row(params![super::event_id_hash(event_id), event_id], |r| {
            r.get(0)
        })
        .optional()?;
    let key = match shared {
        Some(Some(s)) => s,
        Some(None) => event_id.to_string(),
        None => return Ok(None),
    };
    load_issuance_by_dedup(conn, &key)
}

/// Successful issuances that could have issued the credentials of a call at `time_ms`: those of
/// this access key issued before the call, and those of this principal issued around the
/// session's creation date. Bounded: keys and principals repeat, but only so many times.
pub fn load_link_candidates(
    conn: &Connection,
    key: Option<&str>,
    principal: Option<&str>,
    created_ms: Option<i64>,
    time_ms: i64,
) -> Result<Vec<Issuance>> {
    let mut out = Vec::new();
    if let Some(key) = key {
        out.extend(load_issuances(
            conn,
            "WHERE issued_key = ?1 AND issued_ms <= ?2 AND failed = 0
             ORDER BY issued_ms DESC LIMIT 16",
            params![key, time_ms + 1000],
        )?);
    }
    if let (Some(principal), Some(created)) = (principal, created_ms) {
        for i in load_issuances(
            conn,
            "WHERE principal_id = ?1 AND issued_ms BETWEEN ?2 AND ?3 AND failed = 0
             ORDER BY issued_ms DESC LIMIT 16",
            params![principal, created - 2000, created + 2000],
        )? {
            if !out.iter().any(|o| o.id == i.id) {
                out.push(i);
            }
        }
    }
    Ok(out)
}

/// The latest successful issuance matching `column = value` (`issued_key`, `principal_id`,
/// `assumed_role_arn`), optionally no later than `before_ms`.
pub fn load_latest_issuance(
    conn: &Connection,
    column: IssuanceLookup,
    value: &str,
    before_ms: Option<i64>,
) -> Result<Option<Issuance>> {
    let col = match column {
        IssuanceLookup::Key => "issued_key",
        IssuanceLookup::Principal => "principal_id",
        IssuanceLookup::AssumedRoleArn => "assumed_role_arn",
    };
    let filter = format!(
        "WHERE {col} = ?1 AND failed = 0 AND issued_ms <= ?2 ORDER BY issued_ms DESC, id DESC LIMIT 1"
    );
    Ok(
        load_issuances(conn, &filter, params![value, before_ms.unwrap_or(i64::MAX)])?
            .into_iter()
            .next(),
    )
}

/// The successful issuances of a session (`principal_id`) issued in `[from_ms, to_ms)`, latest
/// issued first, at most `limit`.
pub fn load_session_issuance_rows(
    conn: &Connection,
    principal: &str,
    from_ms: i64,
    to_ms: i64,
    limit: i64,
) -> Result<Vec<Issuance>> {
    load_issuances(
        conn,
        "WHERE principal_id = ?1 AND failed = 0 AND issued_ms >= ?2 AND issued_ms < ?3
         ORDER BY issued_ms DESC, id DESC LIMIT ?4",
        params![principal, from_ms, to_ms, limit],
    )
}

/// Issuances (and failed attempts) whose caller is this principal, issued in `[from, to)`,
/// latest first, at most `limit`: the sessions a session started, and what it tried to.
pub fn load_issuances_by_caller(
    conn: &Connection,
    principal: &str,
    from_ms: i64,
    to_ms: i64,
    limit: i64,
) -> Result<Vec<Issuance>> {
    load_issuances(
        conn,
        "WHERE caller_principal = ?1 AND issued_ms >= ?2 AND issued_ms < ?3
         ORDER BY issued_ms DESC LIMIT ?4",
        params![principal, from_ms, to_ms, limit],
    )
}

/// Successful issuances whose caller is the federated user `name` (a SAML or web-identity
/// `userName`, or the token subject), latest first, at most `limit`.
pub fn load_issuances_by_caller_name(
    conn: &Connection,
    name: &str,
    limit: i64,
) -> Result<Vec<Issuance>> {
    load_issuances(
        conn,
        "WHERE (caller_user_name = ?1 OR subject = ?1) AND failed = 0
            AND caller_type IN ('SAMLUser', 'WebIdentityUser', 'IdentityCenterUser')
         ORDER BY issued_ms DESC LIMIT ?2",
        params![name, limit],
    )
}

/// Which column `load_latest_issuance` looks up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssuanceLookup {
    Key,
    Principal,
    AssumedRoleArn,
}

/// Issuances whose caller is still unlinked and signed with this key or principal: the ones a
/// newly cached issuance may upgrade from inferred to observed.
pub fn load_unlinked_callers_of(
    conn: &Connection,
    key: Option<&str>,
    principal: Option<&str>,
) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    let mut collect = |sql: &str, v: &str| -> Result<()> {
        let mut stmt = conn.prepare_cached(sql)?;
        for id in stmt.query_map([v], |r| r.get::<_, i64>(0))? {
            out.push(id?);
        }
        Ok(())
    };
    if let Some(k) = key {
        collect(
            "SELECT id FROM issuances WHERE caller_key = ?1 AND parent IS NULL",
            k,
        )?;
    }
    if let Some(p) = principal {
        collect(
            "SELECT id FROM issuances WHERE caller_principal = ?1 AND parent IS NULL",
            p,
        )?;
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Inserts a new issuance (`id == 0`) or rewrites an existing one; returns its id.
pub fn insert_issuance(conn: &Connection, i: &Issuance) -> Result<i64> {
    let c = &i.caller;
    let values = params![
        i.dedup_key,
        i.event,
        i.event_id,
        i.other_event_id,
        i.shared_event_id,
        i.caller_event_id,
        i.via,
        i.failed,
        i.error_code,
        i.region,
        i.source_ip,
        i.role_arn,
        i.role_account,
        i.principal_id,
        i.session_name,
        i.assumed_role_arn,
        i.issued_key,
        i.issued_ms,
        i.expires_ms,
        i.source_identity,
        i.provider_arn,
        i.subject,
        c.user_type.as_ref().map(UserType::as_str),
        c.principal_id,
        c.arn,
        c.account_id,
        c.access_key_id,
        c.user_name,
        c.identity_provider,
        c.issuer_arn,
        c.session_created_ms,
        c.source_identity,
        c.invoked_by,
        i.parent,
        i.parent_link,
    ];
    let cols = ISSUANCE_COLUMNS.trim_start_matches("id, ");
    let n_cols = cols.split(',').count();
    if i.id == 0 {
        let marks: Vec<String> = (1..=n_cols).map(|n| format!("?{n}")).collect();
        let sql = format!(
            "INSERT INTO issuances ({cols}) VALUES ({})",
            marks.join(", ")
        );
        conn.prepare_cached(&sql)?.execute(values)?;
        Ok(conn.last_insert_rowid())
    } else {
        let sets: Vec<String> = cols
            .split(',')
            .enumerate()
            .map(|(n, c)| format!("{} = ?{}", c.trim(), n + 1))
            .collect();
        let sql = format!(
            "UPDATE issuances SET {} WHERE id = ?{}",
            sets.join(", "),
            n_cols + 1
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut all: Vec<&dyn rusqlite::ToSql> = values.to_vec();
        all.push(&i.id);
        stmt.execute(all.as_slice())?;
        Ok(i.id)
    }
}

/// Names the session an issuance created when its response did not (an instance profile's
/// `AssumeRole` by ec2.amazonaws.com can come without `assumedRoleUser`): read from a call
/// signed with its key.
pub fn insert_issuance_principal(conn: &Connection, id: i64, principal: &str) -> Result<()> {
    let session = principal.split_once(':').map(|(_, n)| n);
    conn.prepare_cached(
        "UPDATE issuances SET principal_id = ?2, session_name = COALESCE(session_name, ?3)
         WHERE id = ?1 AND principal_id IS NULL",
    )?
    .execute(params![id, principal, session])?;
    Ok(())
}

/// Records the parent of an issuance (role chaining) and the rule that found it.
pub fn insert_parent_link(conn: &Connection, id: i64, parent: i64, link: &str) -> Result<()> {
    conn.prepare_cached("UPDATE issuances SET parent = ?2, parent_link = ?3 WHERE id = ?1")?
        .execute(params![id, parent, link])?;
    Ok(())
}

/// The `strings.id` of `s`, adding it when new.
fn intern(conn: &Connection, s: &str) -> Result<i64> {
    conn.prepare_cached("INSERT INTO strings (s) VALUES (?1) ON CONFLICT (s) DO NOTHING")?
        .execute([s])?;
    super::lookup_string(conn, s)?
        .ok_or_else(|| super::StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
}

/// Makes sure a session known from an issuance (a role session, or the federated user of a
/// `GetFederationToken`) has a `principals` row, even before (or without) any call signed by
/// it, and widens its first/last observed to the issue time.
pub fn insert_session_from_issuance(conn: &Connection, i: &Issuance) -> Result<()> {
    let Some(principal) = i.principal_id.as_deref() else {
        return Ok(());
    };
    let p = intern(conn, principal)?;
    // A federation token makes a federated user, whose calls name the IAM user who asked for
    // it as their session issuer; everything else here makes a role session.
    let (user_type, issuer) = if i.via == "GetFederationToken" {
        (UserType::FederatedUser, i.caller.arn.as_deref())
    } else {
        (UserType::AssumedRole, i.role_arn.as_deref())
    };
    let user_type = intern(conn, user_type.as_str())?;
    let arn = i
        .assumed_role_arn
        .as_deref()
        .map(|a| intern(conn, a))
        .transpose()?;
    let role = issuer.map(|a| intern(conn, a)).transpose()?;
    let account = i
        .role_account
        .as_deref()
        .map(|a| intern(conn, a))
        .transpose()?;
    conn.prepare_cached(
        "INSERT INTO principals (principal, user_type, arn, issuer_arn, account, first_ms,
            last_ms, events, failed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, 0, 0)
         ON CONFLICT (principal) DO UPDATE SET
            arn = COALESCE(arn, excluded.arn),
            issuer_arn = COALESCE(issuer_arn, excluded.issuer_arn),
            account = COALESCE(account, excluded.account),
            first_ms = MIN(first_ms, excluded.first_ms),
            last_ms = MAX(last_ms, excluded.last_ms)",
    )?
    .execute(params![p, user_type, arn, role, account, i.issued_ms])?;
    Ok(())
}
