//! Reading cached events back as `model::Event` (without the original record): the interned
//! columns resolved to text. Used by attribution and the analyses that show single calls.

use rusqlite::{Connection, OptionalExtension, Row};

use super::{Result, event_id_hash};
use crate::model::{Event, Identity, UserType};

/// Every normalised column of `events e`, interned strings resolved, in the order
/// `event_from_row` reads them.
macro_rules! event_columns {
    () => {
        "e.id, e.event_id, e.time_ms,
    (SELECT s FROM strings WHERE id = e.account),
    (SELECT s FROM strings WHERE id = e.region),
    (SELECT s FROM strings WHERE id = e.source),
    (SELECT s FROM strings WHERE id = e.name),
    (SELECT s FROM strings WHERE id = e.error_code),
    e.read_only,
    (SELECT s FROM strings WHERE id = e.user_type),
    (SELECT s FROM strings WHERE id = e.principal),
    (SELECT s FROM strings WHERE id = e.arn),
    (SELECT s FROM strings WHERE id = e.caller_account),
    (SELECT s FROM strings WHERE id = e.access_key),
    (SELECT s FROM strings WHERE id = e.user_name),
    (SELECT s FROM strings WHERE id = e.issuer_arn),
    e.session_created_ms,
    (SELECT s FROM strings WHERE id = e.source_identity),
    (SELECT s FROM strings WHERE id = e.invoked_by),
    (SELECT s FROM strings WHERE id = e.source_ip),
    (SELECT s FROM strings WHERE id = e.user_agent),
    e.shared_event_id"
    };
}
pub(crate) use event_columns;

/// `SELECT` of every event column `FROM events e`. Append `WHERE …` to it.
pub(crate) const EVENT_SELECT: &str = concat!("SELECT ", event_columns!(), " FROM events e");

/// Number of columns `EVENT_SELECT` yields (callers append their own after it), counted from
/// the column list itself so the two cannot drift apart.
pub(crate) const EVENT_COLUMNS: usize = count_columns(event_columns!());

/// Columns in a `SELECT` list: commas outside parentheses, plus one.
const fn count_columns(list: &str) -> usize {
    let bytes = list.as_bytes();
    let (mut n, mut depth, mut i) = (1, 0i32, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b',' if depth == 0 => n += 1,
            _ => {}
        }
        i += 1;
    }
    n
}

/// One cached event: its row id and the normalised record (`raw` left empty, `sts` unset).
#[derive(Debug, Clone, PartialEq)]
pub struct CachedEvent {
    /// `events.id`: insertion order, the derivation watermark's unit.
    pub row: i64,
    pub event: Event,
}

/// A `userIdentity.type` read back from the cache.
pub(crate) fn user_type(s: Option<String>) -> Option<UserType> {
    s.as_deref().map(UserType::parse)
}

pub(crate) fn event_from_row(r: &Row<'_>) -> rusqlite::Result<CachedEvent> {
    Ok(CachedEvent {
        row: r.get(0)?,
        event: Event {
            event_id: r.get(1)?,
            time_ms: r.get(2)?,
            event_version: None,
            account_id: r.get(3)?,
            region: r.get(4)?,
            event_source: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
            event_name: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
            error_code: r.get(7)?,
            read_only: r.get(8)?,
            identity: Identity {
                user_type: user_type(r.get(9)?),
                principal_id: r.get(10)?,
                arn: r.get(11)?,
                account_id: r.get(12)?,
                access_key_id: r.get(13)?,
                user_name: r.get(14)?,
                identity_provider: None,
                issuer_arn: r.get(15)?,
                issuer_principal_id: None,
                session_created_ms: r.get(16)?,
                mfa_authenticated: None,
                source_identity: r.get(17)?,
                invoked_by: r.get(18)?,
            },
            source_ip: r.get(19)?,
            user_agent: r.get(20)?,
            shared_event_id: r.get(21)?,
            sts: None,
            raw: String::new(),
        },
    })
}

/// The cached event with this `eventID`, if any.
pub fn load_event(conn: &Connection, event_id: &str) -> Result<Option<CachedEvent>> {
    let sql = format!("{EVENT_SELECT} WHERE e.id_hash = ?1");
    let found = conn
        .prepare_cached(&sql)?
        .query_row([event_id_hash(event_id)], event_from_row)
        .optional()?;
    // The hash is 64 bits: check the text too.
    Ok(found.filter(|c| c.event.event_id == event_id))
}

/// The latest call signed with this access key (any principal), if any.
pub fn load_latest_call_by_key(conn: &Connection, key: &str) -> Result<Option<CachedEvent>> {
    load_latest_call(conn, "access_key", key)
}

/// The latest call signed by this principal ID, if any.
pub fn load_latest_call_by_principal(
    conn: &Connection,
    principal: &str,
) -> Result<Option<CachedEvent>> {
    load_latest_call(conn, "principal", principal)
}

/// `column` is `access_key` or `principal` (both indexed with `time_ms`).
fn load_latest_call(conn: &Connection, column: &str, value: &str) -> Result<Option<CachedEvent>> {
    let Some(id) = super::lookup_string(conn, value)? else {
        return Ok(None);
    };
    let sql = format!("{EVENT_SELECT} WHERE e.{column} = ?1 ORDER BY e.time_ms DESC LIMIT 1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], event_from_row)
        .optional()?)
}

/// The call signed with this access key nearest to `time_ms` — the latest at or before it,
/// else the first after — and, when `principal` is given, by that principal only. Temporary
/// keys repeat: a key names one session only together with a time and a role.
pub fn load_call_by_key_near(
    conn: &Connection,
    key: &str,
    principal: Option<&str>,
    time_ms: i64,
) -> Result<Option<CachedEvent>> {
    let Some(key) = super::lookup_string(conn, key)? else {
        return Ok(None);
    };
    let principal = match principal {
        Some(p) => match super::lookup_string(conn, p)? {
            Some(id) => Some(id),
            None => return Ok(None),
        },
        None => None,
    };
    load_call_near(conn, "access_key", key, principal, time_ms)
}

/// The call signed by this principal ID nearest to `time_ms` (as [`load_call_by_key_near`]):
/// a role session's name repeats with every issuance.
pub fn load_call_by_principal_near(
    conn: &Connection,
    principal: &str,
    time_ms: i64,
) -> Result<Option<CachedEvent>> {
    let Some(p) = super::lookup_string(conn, principal)? else {
        return Ok(None);
    };
    load_call_near(conn, "principal", p, None, time_ms)
}

/// `column` is `access_key` or `principal` (both indexed with `time_ms`).
fn load_call_near(
    conn: &Connection,
    column: &str,
    value: i64,
    principal: Option<i64>,
    time_ms: i64,
) -> Result<Option<CachedEvent>> {
    for order in [
        "e.time_ms <= ?3 ORDER BY e.time_ms DESC",
        "e.time_ms > ?3 ORDER BY e.time_ms",
    ] {
        let sql = format!(
            "{EVENT_SELECT} WHERE e.{column} = ?1 AND (?2 IS NULL OR e.principal = ?2)
             AND {order} LIMIT 1"
        );
        let found = conn
            .prepare_cached(&sql)?
            .query_row(rusqlite::params![value, principal, time_ms], event_from_row)
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// The time of the latest event in the cache (index-backed).
pub fn load_latest_event_ms(conn: &Connection) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT MAX(time_ms) FROM events")?
        .query_row([], |r| r.get(0))?)
}

/// The highest `events.id` (insertion order).
pub fn load_max_event_row(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT COALESCE(MAX(id), 0) FROM events")?
        .query_row([], |r| r.get(0))?)
}
