//! The calls behind any count: an entity's events in a scope, newest first, filtered by API,
//! result, IP or key, paged; and one event's original record for the viewer. Counts stay exact
//! here: these read `events`, never a roll-up.

use rusqlite::Connection;
use serde::Serialize;

use super::Result;
use crate::model::{EventId, Scope, Target, rfc3339};
use crate::store::{self, EventsFilter, EventsOf, PrincipalRow, lookup_string};

/// What to keep of an entity's events (raw strings as the user typed or picked them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// API name (`eventName`).
    pub api: Option<String>,
    /// `Some(true)`: failed calls only; `Some(false)`: successful only.
    pub failed: Option<bool>,
    pub source_ip: Option<String>,
    pub access_key: Option<String>,
}

/// Where the next page starts: strictly older than this event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EventCursor {
    pub time_ms: i64,
    pub row: i64,
}

/// One call, as the events list shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRow {
    pub event_id: String,
    #[serde(serialize_with = "rfc3339::ms")]
    pub time_ms: i64,
    pub event_source: String,
    pub event_name: String,
    pub error_code: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub region: Option<String>,
    pub account_id: Option<String>,
    pub principal_id: Option<String>,
    pub access_key_id: Option<String>,
    pub target: Target,
    /// The source IP as an entity, when it is an address (not a service name).
    pub ip: Option<Target>,
}

/// One page of events, and where the next one starts (`None`: this was the last).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventPage {
    pub rows: Vec<EventRow>,
    pub next: Option<EventCursor>,
}

/// Whose calls a target stands for, as the store finds them. `None` for targets without calls
/// of their own (a finding, an event).
pub(crate) fn events_of(conn: &Connection, target: &Target) -> Result<Option<EventsOf>> {
    let ids = |rows: Vec<PrincipalRow>| -> Result<Vec<i64>> {
        let mut out = Vec::new();
        for r in rows {
            out.extend(lookup_string(conn, &r.principal)?);
        }
        Ok(out)
    };
    Ok(Some(match target {
        Target::RoleSession { principal_id } => EventsOf::Principals(
            lookup_string(conn, principal_id.as_str())?
                .into_iter()
                .collect(),
        ),
        Target::Issuance(r) => {
            let Some(key) = r.access_key.as_ref() else {
                return Ok(r.principal_id.as_ref().map(|p| {
                    EventsOf::Principals(
                        lookup_string(conn, p.as_str())
                            .ok()
                            .flatten()
                            .into_iter()
                            .collect(),
                    )
                }));
            };
            let Some(key) = lookup_string(conn, key.as_str())? else {
                return Ok(Some(EventsOf::Principals(Vec::new())));
            };
            let principal = match &r.principal_id {
                Some(p) => lookup_string(conn, p.as_str())?,
                None => None,
            };
            EventsOf::AccessKey { key, principal }
        }
        Target::Role { arn } => {
            let mut roles = Vec::new();
            for spelling in store::load_role_arns(conn, arn.as_str())? {
                roles.extend(lookup_string(conn, &spelling)?);
            }
            EventsOf::Roles(roles)
        }
        Target::IamUser { arn } | Target::FederatedUser { arn } => {
            EventsOf::Principals(ids(store::load_principals_by_arn(conn, arn.as_str())?)?)
        }
        Target::Ec2Instance { id } => {
            EventsOf::Principals(ids(store::load_principals_named(conn, id.as_str())?)?)
        }
        Target::ExternalUser { name, .. } => {
            // The federated user's own calls: the `AssumeRoleWith*` calls signed as them.
            let rows = store::load_external_user_principals(conn, name)?;
            EventsOf::Principals(ids(rows)?)
        }
        Target::Account { id } => match lookup_string(conn, id.as_str())? {
            Some(a) => EventsOf::Account(a),
            None => EventsOf::Principals(Vec::new()),
        },
        Target::IpAddress { ip } => match lookup_string(conn, &ip.to_string())? {
            Some(a) => EventsOf::SourceIp(a),
            None => EventsOf::Principals(Vec::new()),
        },
        Target::Finding { .. } | Target::Event { .. } => return Ok(None),
    }))
}

/// A page of `of`'s calls in `scope`, newest first, after `after`. `None` when the target has no
/// calls of its own. A filter value the cache has never seen matches nothing.
pub fn build_events(
    conn: &Connection,
    of: &Target,
    scope: Scope,
    filter: &EventFilter,
    after: Option<EventCursor>,
    limit: usize,
) -> Result<Option<EventPage>> {
    let Some(who) = events_of(conn, of)? else {
        return Ok(None);
    };
    let empty = || {
        Ok(Some(EventPage {
            rows: Vec::new(),
            next: None,
        }))
    };
    let id = |s: &Option<String>| -> Result<Option<Option<i64>>> {
        match s {
            None => Ok(Some(None)),
            Some(v) => Ok(lookup_string(conn, v)?.map(Some)),
        }
    };
    let (Some(name), Some(source_ip), Some(access_key)) = (
        id(&filter.api)?,
        id(&filter.source_ip)?,
        id(&filter.access_key)?,
    ) else {
        return empty();
    };
    let f = EventsFilter {
        name,
        failed: filter.failed,
        source_ip,
        access_key,
    };
    // One more than asked says whether another page follows.
    let mut rows = store::load_events_page(
        conn,
        &who,
        scope,
        &f,
        after.map(|c| (c.time_ms, c.row)),
        limit + 1,
    )?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = if more {
        rows.last().map(|c| EventCursor {
            time_ms: c.event.time_ms,
            row: c.row,
        })
    } else {
        None
    };
    let rows = rows
        .into_iter()
        .map(|c| {
            let e = c.event;
            EventRow {
                target: Target::Event {
                    id: EventId::new(e.event_id.as_str()),
                },
                ip: e.source_ip.as_deref().and_then(Target::ip),
                event_id: e.event_id,
                time_ms: e.time_ms,
                event_source: e.event_source,
                event_name: e.event_name,
                error_code: e.error_code,
                source_ip: e.source_ip,
                user_agent: e.user_agent,
                region: e.region,
                account_id: e.account_id,
                principal_id: e.identity.principal_id,
                access_key_id: e.identity.access_key_id,
            }
        })
        .collect();
    Ok(Some(EventPage { rows, next }))
}

/// One event's original record as pretty JSON (as stored: session tokens and secrets already
/// redacted at ingest), or `None` when the cache does not hold it.
pub fn load_event_record(conn: &Connection, event_id: &str) -> Result<Option<String>> {
    let Some(raw) = store::load_event_raw(conn, event_id)? else {
        return Ok(None);
    };
    Ok(Some(pretty_json(&raw).unwrap_or(raw)))
}

/// `raw` re-indented, keys in the record's own order (a `serde_json::Value` would sort them).
/// `None` when it is not JSON after all: then it is shown as it came.
fn pretty_json(raw: &str) -> Option<String> {
    let mut out = Vec::with_capacity(raw.len() * 2);
    let mut de = serde_json::Deserializer::from_str(raw);
    let mut ser = serde_json::Serializer::pretty(&mut out);
    serde_transcode::transcode(&mut de, &mut ser).ok()?;
    de.end().ok()?;
    String::from_utf8(out).ok()
}
