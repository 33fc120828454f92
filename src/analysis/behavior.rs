//! `behavior`: is the scope normal for this identity? The scope against its baseline (the 45
//! days before it, or as asked): newly observed geolocations, autonomous-system organisations,
//! user agents, API calls, regions and source IPs, and API calls with increased volume — for a
//! role session, a role, an IAM or federated user, a SAML / Identity Center / web-identity
//! user, an EC2 instance or an account. Each item says when it was first seen in the scope, its
//! calls and failures there, and whether it is new for the whole account too.
//!
//! Honest answers: "new" only when the baseline holds no call with that value; when the
//! entity's own history, or the cache's coverage of its account, holds less than two weeks of
//! the baseline, nothing is called new and `history` says why. Everything comes from the
//! roll-ups (`probe` says how little else is read). Geolocation and AS organisation come from
//! the caller's [`Geo`]: the organisation's ranges (see [`org_ranges`]) and the databases it
//! opened; service names and private addresses are never placed.

mod agent;
mod members;
mod places;
mod probe;
mod window;

use std::collections::{BTreeMap, HashSet};

use rusqlite::Connection;
use serde::Serialize;

use super::Result;
use crate::geo::{Geo, GeoSource, Located, Place, Range, how_to_add, parse_ranges};
use crate::model::{DAY_MS, Scope, Target, rfc3339};
use crate::store::{self, Counts, Dim, api_parts, load_string};
use places::{Addresses, PlaceKey, aso_key, place_key};
use probe::{DIMS, Probe};

pub use agent::tool_of;
pub use window::{
    DEFAULT_BASELINE_DAYS, History, MIN_HISTORY_DAYS, MIN_SPIKE_CALLS, SPIKE_FACTOR, Window,
    is_spike, spike_threshold,
};

/// Items listed per panel (the busiest first).
pub const ITEMS: usize = 200;
/// Addresses listed under one geolocation or organisation.
const ADDRESSES: usize = 20;

/// What the behavior is of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BehaviorEntity {
    /// `session`, `role`, `iam_user`, `federated_user`, `external_user`, `instance` or
    /// `account`.
    pub kind: &'static str,
    /// The principal ID, role ARN, user ARN, user name, instance ID or account ID.
    pub id: String,
    /// What a person calls it.
    pub name: String,
    pub target: Target,
    /// The accounts its calls are made in ("new for the account" is judged against them).
    pub accounts: Vec<String>,
    /// How many principals (roles, accounts) its calls are counted from.
    pub members: usize,
}

/// The baseline window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineWindow {
    #[serde(serialize_with = "rfc3339::ms")]
    pub start: i64,
    #[serde(serialize_with = "rfc3339::ms")]
    pub end: i64,
    pub days: i64,
}

/// What geolocation could do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GeoStatus {
    /// A MaxMind-format database (City or ASN) is open.
    pub database: bool,
    /// The organisation's ranges in use (from the cache and the configuration).
    pub ranges: usize,
    /// Addresses looked at (scope and baseline) that no source could place.
    pub unplaced: usize,
    /// How to add a database, when none is open.
    pub note: Option<String>,
}

/// What every item says about the scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InScope {
    /// Its first call in the scope.
    #[serde(serialize_with = "rfc3339::opt")]
    pub first_seen: Option<i64>,
    pub ok: i64,
    pub failed: i64,
    /// Whether its account (every account the entity's calls are made in) has not seen it in
    /// the baseline either; `None` when the entity is an account.
    pub new_for_account: Option<bool>,
}

/// A geolocation seen in the baseline (for the map: known against new).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KnownGeolocation {
    #[serde(flatten)]
    pub place: Place,
    /// `Bellevue, WA, US`.
    pub label: String,
    /// Also seen in the scope.
    pub in_scope: bool,
}

/// A geolocation seen in the scope and not in the baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewGeolocation {
    #[serde(flatten)]
    pub place: Place,
    pub label: String,
    /// Which source placed it.
    pub source: GeoSource,
    /// The scope's addresses there.
    pub source_ips: Vec<String>,
    #[serde(flatten)]
    pub seen: InScope,
}

/// An autonomous-system organisation seen in the scope and not in the baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewAso {
    pub organisation: Option<String>,
    pub asn: Option<u32>,
    pub source_ips: Vec<String>,
    #[serde(flatten)]
    pub seen: InScope,
}

/// A user agent (tool) seen in the scope and not in the baseline (see [`tool_of`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewUserAgent {
    /// The agent, its per-call parts dropped (raw log text: sanitise before display).
    pub user_agent: String,
    /// How many distinct raw agents it stands for in the scope.
    pub variants: usize,
    #[serde(flatten)]
    pub seen: InScope,
}

/// An API seen in the scope and not in the baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewApiCall {
    pub api: String,
    /// The event source (`cloudtrail.amazonaws.com`).
    pub service: String,
    #[serde(flatten)]
    pub seen: InScope,
}

/// A region seen in the scope and not in the baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewRegion {
    pub region: String,
    #[serde(flatten)]
    pub seen: InScope,
}

/// A source address (or service name) seen in the scope and not in the baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewSourceIp {
    pub source_ip: String,
    /// The IP address, when it is one (a service name is not).
    pub target: Option<Target>,
    pub location: Located,
    #[serde(flatten)]
    pub seen: InScope,
}

/// An API called in the scope well above its baseline rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncreasedVolume {
    pub api: String,
    pub service: String,
    #[serde(serialize_with = "rfc3339::opt")]
    pub first_seen: Option<i64>,
    pub ok: i64,
    pub failed: i64,
    /// The scope's calls per hour.
    pub scope_per_hour: f64,
    /// The baseline's mean calls per hour (its whole covered days).
    pub baseline_per_hour: f64,
    pub baseline_calls: i64,
    /// Fewer calls than this in a scope are never a spike.
    pub min_count: i64,
    /// The calls this scope needed to be called increased ([`SPIKE_FACTOR`] times the mean).
    pub threshold: Option<i64>,
}

/// The scope against the baseline for one entity: `rolecall behavior ID --json`, and the
/// console's New behavior tabs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Behavior {
    pub query: String,
    pub entity: BehaviorEntity,
    pub scope: Scope,
    pub baseline: BaselineWindow,
    /// Whether anything can be called new; when not, every panel is empty and this says why.
    pub history: History,
    pub geo: GeoStatus,
    /// Places seen in the baseline.
    pub known_geolocations: Vec<KnownGeolocation>,
    pub new_geolocations: Vec<NewGeolocation>,
    pub new_asos: Vec<NewAso>,
    pub new_user_agents: Vec<NewUserAgent>,
    pub new_api_calls: Vec<NewApiCall>,
    pub increased_volume: Vec<IncreasedVolume>,
    pub new_regions: Vec<NewRegion>,
    pub new_source_ips: Vec<NewSourceIp>,
}

/// The organisation's address ranges kept in the cache (ingested from their CSV), to add to
/// the caller's [`Geo`]: `Geo::open(&GeoConfig::from_env()?)?.with_ranges(org_ranges(conn)?)`.
/// A file the cache holds that no longer parses (it was validated when ingested) is skipped.
pub fn org_ranges(conn: &Connection) -> Result<Vec<Range>> {
    let mut out = Vec::new();
    for row in store::load_ip_ranges(conn)? {
        match parse_ranges(&row.text) {
            Ok(ranges) => out.extend(ranges),
            Err((line, reason)) => {
                tracing::warn!(file = row.name, line, reason, "cached IP ranges skipped");
            }
        }
    }
    Ok(out)
}

/// The behavior of `target` in `scope` against the `baseline_days` before it, placing
/// addresses with `geo`. `None` when the target is not something that calls (a finding, an
/// event, an IP address) or the cache holds no call of it.
pub fn build_behavior(
    conn: &Connection,
    geo: &Geo,
    target: &Target,
    scope: Scope,
    baseline_days: i64,
) -> Result<Option<Behavior>> {
    let Some(m) = members::members_of(conn, target)? else {
        return Ok(None);
    };
    let window = Window::new(scope, baseline_days);
    let base = window.baseline();
    let mut entity_first: Option<i64> = None;
    for e in &m.entities {
        if let Some(t) = store::load_entity_first_ms(conn, *e)? {
            entity_first = Some(entity_first.map_or(t, |f| f.min(t)));
        }
    }
    let covered = store::load_coverage_days(
        conn,
        &m.accounts,
        base.start_ms.div_euclid(DAY_MS),
        base.end_ms.div_euclid(DAY_MS) + 1,
    )?;
    let account_first = store::load_coverage_first(conn, &m.accounts)?;
    let history = window::history(&window, entity_first, account_first, &covered);
    let mut b = Behavior {
        query: target.id_text(),
        entity: BehaviorEntity {
            kind: m.kind,
            id: m.id.clone(),
            name: m.name.clone(),
            target: m.target.clone(),
            accounts: m.accounts.clone(),
            members: m.entities.len(),
        },
        scope,
        baseline: BaselineWindow {
            start: base.start_ms,
            end: base.end_ms,
            days: window.days,
        },
        history,
        geo: GeoStatus {
            database: geo.has_database(),
            ranges: geo.range_count(),
            unplaced: 0,
            note: (!geo.has_database()).then(how_to_add),
        },
        known_geolocations: Vec::new(),
        new_geolocations: Vec::new(),
        new_asos: Vec::new(),
        new_user_agents: Vec::new(),
        new_api_calls: Vec::new(),
        increased_volume: Vec::new(),
        new_regions: Vec::new(),
        new_source_ips: Vec::new(),
    };
    let mut run = Run {
        conn,
        window,
        probe: Probe::new(conn, m.entities.clone(), window),
        account: (!m.account_entities.is_empty())
            .then(|| Probe::new(conn, m.account_entities.clone(), window)),
        addresses: Addresses::new(geo),
        in_scope: DIMS.iter().map(|_| BTreeMap::new()).collect(),
    };
    for e in &m.entities {
        let counts = store::load_scope_counts(conn, *e, scope, &DIMS)?;
        for (n, rows) in counts.into_iter().enumerate() {
            for (value, c) in rows {
                run.in_scope[n].entry(value).or_default().add(c);
            }
        }
    }
    let enough = b.history.enough;
    run.places(&mut b, enough)?;
    if enough {
        let volume_ms = window::volume_ms(&window, entity_first, account_first, &covered);
        run.apis(&mut b, volume_ms)?;
        run.regions(&mut b)?;
        run.agents(&mut b)?;
    }
    b.geo.unplaced = run.addresses.unplaced();
    sort_by_calls(&mut b.new_geolocations, |i| (&i.seen, i.label.clone()));
    sort_by_calls(&mut b.new_asos, |i| (&i.seen, i.organisation.clone()));
    sort_by_calls(&mut b.new_user_agents, |i| (&i.seen, i.user_agent.clone()));
    sort_by_calls(&mut b.new_api_calls, |i| (&i.seen, i.api.clone()));
    sort_by_calls(&mut b.new_regions, |i| (&i.seen, i.region.clone()));
    sort_by_calls(&mut b.new_source_ips, |i| (&i.seen, i.source_ip.clone()));
    b.increased_volume.sort_by(|a, c| {
        (c.ok + c.failed)
            .cmp(&(a.ok + a.failed))
            .then_with(|| a.api.cmp(&c.api))
    });
    b.increased_volume.truncate(ITEMS);
    Ok(Some(b))
}

/// Busiest first, then by key; at most [`ITEMS`].
fn sort_by_calls<T, K: Ord>(items: &mut Vec<T>, key: impl Fn(&T) -> (&InScope, K)) {
    items.sort_by(|a, b| {
        let (sa, ka) = key(a);
        let (sb, kb) = key(b);
        (sb.ok + sb.failed)
            .cmp(&(sa.ok + sa.failed))
            .then_with(|| ka.cmp(&kb))
    });
    items.truncate(ITEMS);
}

/// One build's state: the probes of the entity and of its accounts, and the scope's counts.
struct Run<'c, 'g> {
    conn: &'c Connection,
    window: Window,
    probe: Probe<'c>,
    account: Option<Probe<'c>>,
    addresses: Addresses<'g>,
    /// The scope's calls per value, by dimension (`DIMS` order).
    in_scope: Vec<BTreeMap<i64, Counts>>,
}

impl Run<'_, '_> {
    fn scope_values(&self, dim: Dim) -> Vec<(i64, Counts)> {
        let n = DIMS.iter().position(|d| *d == dim).unwrap_or(0);
        self.in_scope[n]
            .iter()
            .filter(|(v, c)| **v != 0 && c.total() > 0)
            .map(|(v, c)| (*v, *c))
            .collect()
    }

    /// Whether the entity's accounts had no call with the value in the baseline.
    fn new_for_account(&mut self, dim: Dim, value: i64) -> Result<Option<bool>> {
        match &mut self.account {
            Some(p) => Ok(Some(!p.in_baseline(dim, value)?)),
            None => Ok(None),
        }
    }

    fn seen(&mut self, dim: Dim, value: i64, c: Counts) -> Result<InScope> {
        Ok(InScope {
            first_seen: self.probe.first_in_scope(dim, value)?,
            ok: c.ok,
            failed: c.failed,
            new_for_account: self.new_for_account(dim, value)?,
        })
    }

    fn apis(&mut self, b: &mut Behavior, volume_ms: i64) -> Result<()> {
        let values = self.scope_values(Dim::Api);
        if values.is_empty() {
            return Ok(());
        }
        let day_counts = self.probe.whole_day_counts(Dim::Api)?;
        let scope_ms = self.window.scope.len_ms();
        for (value, c) in values {
            let (source, name) = api_parts(value);
            let api = load_string(self.conn, name)?.unwrap_or_default();
            let service = load_string(self.conn, source)?.unwrap_or_default();
            if !self.probe.in_baseline(Dim::Api, value)? {
                let seen = self.seen(Dim::Api, value, c)?;
                b.new_api_calls.push(NewApiCall { api, service, seen });
                continue;
            }
            let baseline_calls = day_counts.get(&value).copied().unwrap_or(0);
            if is_spike(c.total(), scope_ms, baseline_calls, volume_ms) {
                b.increased_volume.push(IncreasedVolume {
                    api,
                    service,
                    first_seen: self.probe.first_in_scope(Dim::Api, value)?,
                    ok: c.ok,
                    failed: c.failed,
                    scope_per_hour: window::per_hour(c.total(), scope_ms),
                    baseline_per_hour: window::per_hour(baseline_calls, volume_ms),
                    baseline_calls,
                    min_count: MIN_SPIKE_CALLS,
                    threshold: spike_threshold(scope_ms, baseline_calls, volume_ms),
                });
            }
        }
        Ok(())
    }

    fn regions(&mut self, b: &mut Behavior) -> Result<()> {
        for (value, c) in self.scope_values(Dim::Region) {
            if self.probe.in_baseline(Dim::Region, value)? {
                continue;
            }
            let region = load_string(self.conn, value)?.unwrap_or_default();
            let seen = self.seen(Dim::Region, value, c)?;
            b.new_regions.push(NewRegion { region, seen });
        }
        Ok(())
    }

    /// User agents compared as tools: a scope's agent is new when no agent of the baseline is
    /// the same tool.
    fn agents(&mut self, b: &mut Behavior) -> Result<()> {
        let mut groups: BTreeMap<String, (Vec<i64>, Counts)> = BTreeMap::new();
        for (value, c) in self.scope_values(Dim::UserAgent) {
            let text = load_string(self.conn, value)?.unwrap_or_default();
            let g = groups.entry(tool_of(&text)).or_default();
            g.0.push(value);
            g.1.add(c);
        }
        if groups.is_empty() {
            return Ok(());
        }
        let known = tools(self.conn, self.probe.baseline_values(Dim::UserAgent)?)?;
        let mut account_known: Option<HashSet<String>> = None;
        for (tool, (values, c)) in groups {
            if known.contains(&tool) {
                continue;
            }
            let mut first: Option<i64> = None;
            for v in &values {
                if let Some(t) = self.probe.first_in_scope(Dim::UserAgent, *v)? {
                    first = Some(first.map_or(t, |f| f.min(t)));
                }
            }
            let new_for_account = match &mut self.account {
                Some(p) => {
                    if account_known.is_none() {
                        account_known = Some(tools(self.conn, p.baseline_values(Dim::UserAgent)?)?);
                    }
                    Some(!account_known.as_ref().is_some_and(|k| k.contains(&tool)))
                }
                None => None,
            };
            b.new_user_agents.push(NewUserAgent {
                user_agent: tool,
                variants: values.len(),
                seen: InScope {
                    first_seen: first,
                    ok: c.ok,
                    failed: c.failed,
                    new_for_account,
                },
            });
        }
        Ok(())
    }

    /// Source IPs, and the places and organisations they stand for; the known places (for the
    /// map) whatever the history, the new ones only when there is enough of it.
    fn places(&mut self, b: &mut Behavior, enough: bool) -> Result<()> {
        let base_ips = self.probe.baseline_values(Dim::SourceIp)?;
        let mut known_places: BTreeMap<PlaceKey, Place> = BTreeMap::new();
        let mut known_asos: HashSet<String> = HashSet::new();
        for &v in &base_ips {
            if let Some(a) = self.addresses.get(self.conn, v)? {
                if let Some(p) = a.place() {
                    known_places
                        .entry(place_key(p))
                        .or_insert_with(|| p.clone());
                }
                known_asos.extend(a.network().and_then(aso_key));
            }
        }
        let mut scope: Vec<(i64, Counts, places::Address)> = Vec::new();
        for (value, c) in self.scope_values(Dim::SourceIp) {
            if let Some(a) = self.addresses.get(self.conn, value)? {
                scope.push((value, c, a.clone()));
            }
        }
        let scope_places: HashSet<PlaceKey> = scope
            .iter()
            .filter_map(|(_, _, a)| a.place().map(place_key))
            .collect();
        b.known_geolocations = known_places
            .iter()
            .map(|(key, place)| KnownGeolocation {
                label: place.label(),
                in_scope: scope_places.contains(key),
                place: place.clone(),
            })
            .collect();
        if !enough {
            return Ok(());
        }
        let mut new_places: BTreeMap<PlaceKey, NewGeolocation> = BTreeMap::new();
        let mut new_asos: BTreeMap<String, NewAso> = BTreeMap::new();
        for (value, c, a) in scope {
            let new_place = a
                .place()
                .filter(|p| !known_places.contains_key(&place_key(p)));
            let new_aso = a
                .network()
                .and_then(|n| aso_key(n).map(|k| (k, n)))
                .filter(|(k, _)| !known_asos.contains(k));
            let new_ip = !base_ips.contains(&value);
            if new_place.is_none() && new_aso.is_none() && !new_ip {
                continue;
            }
            let first = self.probe.first_in_scope(Dim::SourceIp, value)?;
            let empty = InScope {
                first_seen: first,
                ok: 0,
                failed: 0,
                new_for_account: None,
            };
            if let Some(p) = new_place {
                let source = match &a.located {
                    Located::Found { source, .. } => *source,
                    _ => GeoSource::Database,
                };
                let item = new_places
                    .entry(place_key(p))
                    .or_insert_with(|| NewGeolocation {
                        label: p.label(),
                        place: p.clone(),
                        source,
                        source_ips: Vec::new(),
                        seen: empty.clone(),
                    });
                add_address(&mut item.source_ips, &mut item.seen, &a.text, first, c);
            }
            if let Some((key, n)) = new_aso {
                let item = new_asos.entry(key).or_insert_with(|| NewAso {
                    organisation: n.organisation.clone(),
                    asn: n.asn,
                    source_ips: Vec::new(),
                    seen: empty.clone(),
                });
                add_address(&mut item.source_ips, &mut item.seen, &a.text, first, c);
            }
            if new_ip {
                b.new_source_ips.push(NewSourceIp {
                    target: Target::ip(&a.text),
                    source_ip: a.text.clone(),
                    location: a.located.clone(),
                    seen: InScope {
                        first_seen: first,
                        ok: c.ok,
                        failed: c.failed,
                        new_for_account: self.new_for_account(Dim::SourceIp, value)?,
                    },
                });
            }
        }
        if (!new_places.is_empty() || !new_asos.is_empty()) && self.account.is_some() {
            let (places, asos) = self.account_places()?;
            for (key, item) in &mut new_places {
                item.seen.new_for_account = Some(!places.contains(key));
            }
            for (key, item) in &mut new_asos {
                item.seen.new_for_account = Some(!asos.contains(key));
            }
        }
        b.new_geolocations = new_places.into_values().collect();
        b.new_asos = new_asos.into_values().collect();
        Ok(())
    }

    /// The places and organisations of the accounts' baseline addresses.
    fn account_places(&mut self) -> Result<(HashSet<PlaceKey>, HashSet<String>)> {
        let mut places = HashSet::new();
        let mut asos = HashSet::new();
        let Some(p) = &mut self.account else {
            return Ok((places, asos));
        };
        for v in p.baseline_values(Dim::SourceIp)? {
            if let Some(a) = self.addresses.get(self.conn, v)? {
                places.extend(a.place().map(place_key));
                asos.extend(a.network().and_then(aso_key));
            }
        }
        Ok((places, asos))
    }
}

/// One more scope address under a place or organisation.
fn add_address(ips: &mut Vec<String>, seen: &mut InScope, ip: &str, first: Option<i64>, c: Counts) {
    if ips.len() < ADDRESSES {
        ips.push(ip.to_string());
    }
    seen.ok += c.ok;
    seen.failed += c.failed;
    seen.first_seen = match (seen.first_seen, first) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
}

/// The tools (see [`tool_of`]) of user-agent values.
fn tools(conn: &Connection, values: HashSet<i64>) -> Result<HashSet<String>> {
    let mut out = HashSet::new();
    for v in values {
        if let Some(text) = load_string(conn, v)? {
            out.insert(tool_of(&text));
        }
    }
    Ok(out)
}
