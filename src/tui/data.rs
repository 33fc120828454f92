//! What the worker loads for each pane: the analysis answers a page is drawn from, gathered
//! so one request fills a page (every tab of it: switching tabs never waits). Built only from
//! `crate::analysis`; the tui never runs SQL.

use std::cell::RefCell;
use std::rc::Rc;

use rusqlite::Connection;

use super::view::View;
use crate::analysis::{
    self, Activity, Behavior, ChainView, EventCursor, EventFilter, EventPage, EventRow,
    FindingView, Home, Profile, RoleInteraction, SessionIssuance, StartedLine, Volume,
};
use crate::geo::{Geo, GeoConfig, Range};
use crate::model::{HOUR_MS, RoleSession, Scope, Target};
use crate::present::safe;

/// Buckets in the volume chart (one column each at 80 columns).
pub const CHART_BUCKETS: usize = 72;
/// Events per page of the events list.
pub const EVENTS_PAGE: usize = 200;

/// The loaded data of one page.
#[derive(Debug, Clone, PartialEq)]
pub enum PageData {
    Home(Box<Home>),
    Finding(Box<FindingData>),
    Session(Box<SessionData>),
    Role(Box<RoleData>),
    Profile(Box<Profile>),
    Events(Box<EventsData>),
    Event(Box<EventRecord>),
}

/// A finding and the calls that are its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingData {
    pub finding: FindingView,
    /// The actor's calls of the finding's API in the finding's window.
    pub evidence: Vec<EventRow>,
}

/// A role session, every tab of it.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionData {
    pub session: RoleSession,
    /// Issuances issued in the scope or signing calls in it.
    pub issuances: Vec<SessionIssuance>,
    /// Calls in scope by API, IP and key.
    pub activity: Option<Activity>,
    pub volume: Option<Volume>,
    pub chain: Option<ChainView>,
    /// Sessions started from it and attempts, all time.
    pub started: Vec<StartedLine>,
    pub findings: Vec<FindingView>,
    /// New behavior in the scope (see [`load_behavior`]).
    pub behavior: Result<Option<Behavior>, String>,
}

/// A role, every tab of it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleData {
    pub arn: String,
    pub interaction: RoleInteraction,
    pub activity: Option<Activity>,
    pub volume: Option<Volume>,
    /// New behavior in the scope (see [`load_behavior`]).
    pub behavior: Result<Option<Behavior>, String>,
}

/// Loaded pages of an events list.
#[derive(Debug, Clone, PartialEq)]
pub struct EventsData {
    pub rows: Vec<EventRow>,
    pub next: Option<EventCursor>,
}

/// One event's record, as lines to draw (sanitised).
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    pub event_id: String,
    pub lines: Vec<String>,
}

/// Loads what `view` shows in `scope`. `Ok(None)`: the cache does not know it.
pub fn load(
    conn: &Connection,
    view: &View,
    scope: Scope,
    now_ms: i64,
) -> analysis::Result<Option<PageData>> {
    Ok(match view {
        View::Home => Some(PageData::Home(Box::new(analysis::build_home(
            conn, now_ms,
        )?))),
        View::Finding(id) => load_finding(conn, id)?,
        View::Session(p) => load_session(conn, p, scope)?,
        View::Role(arn) => load_role(conn, arn, scope)?,
        View::Profile(t) => {
            analysis::build_profile(conn, t, scope)?.map(|p| PageData::Profile(Box::new(p)))
        }
        View::Events { of, filter } => load_events(conn, of, scope, filter, None)?.map(|p| {
            PageData::Events(Box::new(EventsData {
                rows: p.rows,
                next: p.next,
            }))
        }),
        View::Event(id) => analysis::load_event_record(conn, id)?.map(|json| {
            PageData::Event(Box::new(EventRecord {
                event_id: id.clone(),
                lines: json.lines().map(safe).collect(),
            }))
        }),
    })
}

/// The next page of an events list.
pub fn load_events(
    conn: &Connection,
    of: &Target,
    scope: Scope,
    filter: &EventFilter,
    after: Option<EventCursor>,
) -> analysis::Result<Option<EventPage>> {
    analysis::build_events(conn, of, scope, filter, after, EVENTS_PAGE)
}

fn load_finding(conn: &Connection, id: &str) -> analysis::Result<Option<PageData>> {
    let Some(finding) = analysis::build_finding(conn, id)? else {
        return Ok(None);
    };
    let evidence = match (&finding.actor, &finding.api) {
        (Some(actor @ Target::RoleSession { .. }), Some(api)) => {
            let filter = EventFilter {
                api: Some(api.clone()),
                ..EventFilter::default()
            };
            analysis::build_events(conn, actor, finding.scope, &filter, None, 20)?
                .map(|p| p.rows)
                .unwrap_or_default()
        }
        _ => Vec::new(),
    };
    Ok(Some(PageData::Finding(Box::new(FindingData {
        finding,
        evidence,
    }))))
}

fn load_session(
    conn: &Connection,
    principal: &str,
    scope: Scope,
) -> analysis::Result<Option<PageData>> {
    let Some(session) = analysis::load_session(conn, principal)? else {
        return Ok(None);
    };
    let target = session.target.clone();
    Ok(Some(PageData::Session(Box::new(SessionData {
        issuances: analysis::build_session_issuances(conn, principal, Some(scope), 50)?,
        activity: analysis::build_activity(conn, &target, scope, scope.len_ms().max(HOUR_MS))?,
        volume: analysis::build_volume(conn, &target, scope, CHART_BUCKETS)?,
        chain: analysis::build_chain_view(conn, principal, scope)?,
        started: analysis::build_started_from(conn, principal, None, 200)?,
        findings: analysis::build_findings_of(conn, &target, 20)?,
        behavior: load_behavior(conn, &target, scope)?,
        session,
    }))))
}

fn load_role(conn: &Connection, arn: &str, scope: Scope) -> analysis::Result<Option<PageData>> {
    let Some(interaction) = analysis::build_role(conn, arn, Some(scope))? else {
        return Ok(None);
    };
    let target = Target::role(arn);
    Ok(Some(PageData::Role(Box::new(RoleData {
        arn: arn.to_string(),
        interaction,
        activity: analysis::build_activity(conn, &target, scope, scope.len_ms().max(HOUR_MS))?,
        volume: analysis::build_volume(conn, &target, scope, CHART_BUCKETS)?,
        behavior: load_behavior(conn, &target, scope)?,
    }))))
}

thread_local! {
    /// The worker's geolocation, opened once (a City database is tens of megabytes) and again
    /// only when the organisation's ranges kept in the cache change.
    static GEO: RefCell<Option<(Vec<Range>, Rc<Geo>)>> = const { RefCell::new(None) };
}

/// Geolocation as the command line opens it: the configuration's databases and ranges, then
/// the organisation's ranges kept in the cache. `Err`: why it could not be opened (a broken
/// database names its file), for the tab to say.
fn geo(conn: &Connection) -> analysis::Result<Result<Rc<Geo>, String>> {
    let ranges = analysis::org_ranges(conn)?;
    if let Some(geo) = GEO.with_borrow(|g| {
        g.as_ref()
            .filter(|(r, _)| *r == ranges)
            .map(|(_, geo)| Rc::clone(geo))
    }) {
        return Ok(Ok(geo));
    }
    let opened = GeoConfig::from_env()
        .and_then(|c| Geo::open(&c).map_err(|e| e.to_string()))
        .map(|g| Rc::new(g.with_fallback_ranges(ranges.clone())));
    if let Ok(geo) = &opened {
        GEO.set(Some((ranges, Rc::clone(geo))));
    }
    Ok(opened)
}

/// The New behavior tab of `target` in `scope` against the default baseline.
fn load_behavior(
    conn: &Connection,
    target: &Target,
    scope: Scope,
) -> analysis::Result<Result<Option<Behavior>, String>> {
    Ok(match geo(conn)? {
        Ok(geo) => Ok(analysis::build_behavior(
            conn,
            &geo,
            target,
            scope,
            analysis::DEFAULT_BASELINE_DAYS,
        )?),
        Err(e) => Err(e),
    })
}
