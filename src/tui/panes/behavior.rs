//! The New behavior tab of a role session and of a role: the scope against its baseline from
//! `analysis::build_behavior` — a world map of the known and the new geolocations (each with
//! its own mark, not only its colour), then one table per panel. Enter on an item lists its
//! calls in the scope (filtered by its API or address when the events list can filter by it).
//! Geolocation comes from the worker (`data`); this pane only says what it was given.

use crate::analysis::{Behavior, EventFilter, InScope};
use crate::model::Target;
use crate::present::{date, located_text, safe, wrap};

use super::super::doc::{Class, Col, Doc, Focus, MapPart, MapPoint, Part, Row, Seg, seg};
use super::super::view::View;
use super::common::{failed_cell, when};

/// Columns the notes are wrapped at (the narrowest console is 80).
const WRAP: usize = 76;

/// The tab, from what the worker loaded: the behavior, `Ok(None)` when the entity made no call
/// the cache holds, or why geolocation could not be opened.
pub fn doc(doc: &mut Doc, loaded: &Result<Option<Behavior>, String>) {
    let b = match loaded {
        Ok(Some(b)) => b,
        Ok(None) => {
            doc.heading("New behavior", "");
            doc.text("No calls of this identity in the cache.", Class::Dim);
            return;
        }
        Err(e) => {
            doc.heading("New behavior", "");
            doc.text("Geolocation could not be opened:", Class::Failed);
            for line in wrap(&safe(e), WRAP) {
                doc.text(line, Class::Failed);
            }
            return;
        }
    };
    doc.heading(
        "New behavior",
        format!(
            "against the {} days before ({} – {})",
            b.baseline.days,
            date(b.baseline.start),
            date(b.baseline.end - 1)
        ),
    );
    if let Some(reason) = &b.history.reason {
        doc.text(
            format!("Not enough history: {}.", safe(reason)),
            Class::Warn,
        );
        doc.text(
            "Nothing is called new; - widens the scope, or ingest more days.",
            Class::Dim,
        );
    } else {
        doc.line(summary(b));
    }
    geo_note(doc, b);
    map(doc, b);
    let of = &b.entity.target;
    if b.history.reason.is_some() {
        known(doc, b);
        return;
    }
    doc.heading("New geolocations", "");
    let rows = b
        .new_geolocations
        .iter()
        .map(|g| {
            let mut cells = vec![
                seg(format!("✚ {}", safe(&g.label)), Class::Warn),
                seg(safe(&g.source_ips.join(" ")), Class::Plain),
            ];
            cells.extend(in_scope_cells(&g.seen));
            Row {
                cells,
                focus: addresses_focus(of, &g.source_ips, &g.label),
            }
        })
        .collect();
    doc.table(
        place_cols("geolocation"),
        rows,
        "None: every address is in a place seen before.",
    );
    doc.heading("New AS organisations", "");
    let rows = b
        .new_asos
        .iter()
        .map(|a| {
            let name = a.organisation.as_deref().map_or_else(|| "-".into(), safe);
            let asn = a.asn.map_or_else(String::new, |n| format!(" AS{n}"));
            let mut cells = vec![
                seg(format!("{name}{asn}"), Class::Plain),
                seg(safe(&a.source_ips.join(" ")), Class::Plain),
            ];
            cells.extend(in_scope_cells(&a.seen));
            Row {
                cells,
                focus: addresses_focus(of, &a.source_ips, &name),
            }
        })
        .collect();
    doc.table(
        place_cols("organisation"),
        rows,
        "None: every address is routed by an organisation seen before.",
    );
    doc.heading("New user agents", "per-call parts dropped");
    let rows = b
        .new_user_agents
        .iter()
        .map(|u| {
            let mut cells = vec![seg(safe(&u.user_agent), Class::Plain)];
            cells.extend(in_scope_cells(&u.seen));
            // The events list cannot filter by user agent: Enter lists every call in scope.
            Row {
                cells,
                focus: Focus::to(events(of, EventFilter::default()), u.user_agent.clone()),
            }
        })
        .collect();
    doc.table(item_cols("user agent"), rows, "None.");
    doc.heading("New API calls", "");
    let rows = b
        .new_api_calls
        .iter()
        .map(|a| {
            let mut cells = vec![seg(api_text(&a.api, &a.service), Class::Plain)];
            cells.extend(in_scope_cells(&a.seen));
            Row {
                cells,
                focus: Focus::to(events(of, api_filter(&a.api)), a.api.clone()),
            }
        })
        .collect();
    doc.table(item_cols("API method"), rows, "None.");
    doc.heading("Increased volume", "≥ 3× the baseline's hourly mean");
    let rows = b
        .increased_volume
        .iter()
        .map(|v| Row {
            cells: vec![
                seg(api_text(&v.api, &v.service), Class::Plain),
                seg((v.ok + v.failed).to_string(), Class::Ok),
                seg(format!("{:.1}", v.scope_per_hour), Class::Plain),
                seg(format!("{:.2}", v.baseline_per_hour), Class::Dim),
                seg(
                    v.threshold.map_or_else(|| "-".into(), |n| n.to_string()),
                    Class::Dim,
                ),
            ],
            focus: Focus::to(events(of, api_filter(&v.api)), v.api.clone()),
        })
        .collect();
    doc.table(
        vec![
            Col::flex("API method", 12),
            Col::num("calls"),
            Col::num("/hour"),
            Col::num("baseline/h"),
            Col::num("needed"),
        ],
        rows,
        format!(
            "None (a spike needs at least {} calls).",
            crate::analysis::MIN_SPIKE_CALLS
        ),
    );
    doc.heading("New regions", "");
    let rows = b
        .new_regions
        .iter()
        .map(|r| {
            let mut cells = vec![seg(safe(&r.region), Class::Plain)];
            cells.extend(in_scope_cells(&r.seen));
            // No region filter in the events list: every call in scope.
            Row {
                cells,
                focus: Focus::to(events(of, EventFilter::default()), r.region.clone()),
            }
        })
        .collect();
    doc.table(item_cols("region"), rows, "None.");
    doc.heading("New source IPs", "");
    let rows = b
        .new_source_ips
        .iter()
        .map(|s| {
            let mut cells = vec![
                seg(safe(&s.source_ip), Class::Plain),
                seg(located_text(&s.location), Class::Dim),
            ];
            cells.extend(in_scope_cells(&s.seen));
            Row {
                cells,
                focus: Focus::to(events(of, ip_filter(&s.source_ip)), s.source_ip.clone()),
            }
        })
        .collect();
    doc.table(
        vec![
            Col::id("source IP", 12),
            Col::flex("where", 10),
            Col::num("ok"),
            Col::num("failed"),
            Col::fixed("first seen"),
            Col::fixed("account"),
        ],
        rows,
        "None.",
    );
    known(doc, b);
}

/// `1 new ASO · 1 new user agent · …`, or that nothing is new.
fn summary(b: &Behavior) -> Vec<Seg> {
    let counts = [
        (
            b.new_geolocations.len(),
            "new geolocation",
            "new geolocations",
        ),
        (
            b.new_asos.len(),
            "new AS organisation",
            "new AS organisations",
        ),
        (b.new_user_agents.len(), "new user agent", "new user agents"),
        (b.new_api_calls.len(), "new API call", "new API calls"),
        (
            b.increased_volume.len(),
            "API up in volume",
            "APIs up in volume",
        ),
        (b.new_regions.len(), "new region", "new regions"),
        (b.new_source_ips.len(), "new source IP", "new source IPs"),
    ];
    let parts: Vec<String> = counts
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
        .collect();
    if parts.is_empty() {
        vec![seg("Nothing new against the baseline.", Class::Ok)]
    } else {
        vec![seg(parts.join(" · "), Class::Warn)]
    }
}

/// What placed the addresses; how to add a database when none is open and some address (or
/// every one: no ranges either) could not be placed.
fn geo_note(doc: &mut Doc, b: &Behavior) {
    let g = &b.geo;
    let ranges = match g.ranges {
        1 => "1 organisation range".to_string(),
        n => format!("{n} organisation ranges"),
    };
    let placed = match g.unplaced {
        0 => "every address placed".to_string(),
        n => format!("{n} addresses not placed"),
    };
    let sources = if g.database {
        format!("a database and {ranges}")
    } else {
        format!("{ranges}, no database")
    };
    doc.text(format!("Geolocation: {sources}; {placed}."), Class::Dim);
    if let Some(note) = g.note.as_ref().filter(|_| g.unplaced > 0 || g.ranges == 0) {
        for line in wrap(&safe(note), WRAP) {
            doc.text(line, Class::Warn);
        }
    }
}

/// The map and its legend; the known places listed under it by `known`.
fn map(doc: &mut Doc, b: &Behavior) {
    let mut points = Vec::new();
    for k in &b.known_geolocations {
        if let (Some(lat), Some(lon)) = (k.place.latitude, k.place.longitude) {
            points.push(MapPoint {
                lat,
                lon,
                new: false,
                in_scope: k.in_scope,
            });
        }
    }
    for g in &b.new_geolocations {
        if let (Some(lat), Some(lon)) = (g.place.latitude, g.place.longitude) {
            points.push(MapPoint {
                lat,
                lon,
                new: true,
                in_scope: true,
            });
        }
    }
    let placed = points.len();
    let unplaced = if b.geo.unplaced > 0 {
        format!(" · {} not placed", b.geo.unplaced)
    } else {
        String::new()
    };
    doc.heading(
        "Where",
        format!("● known  ◉ known, in scope  ✚ new{unplaced}"),
    );
    if placed == 0 {
        doc.text(
            "No address of the scope or the baseline could be placed.",
            Class::Dim,
        );
        return;
    }
    doc.parts.push(Part::Map(Box::new(MapPart { points })));
}

/// The places of the baseline, named (the map cannot label them at 80 columns).
fn known(doc: &mut Doc, b: &Behavior) {
    doc.heading("Known geolocations", "the baseline");
    let rows = b
        .known_geolocations
        .iter()
        .map(|k| Row {
            cells: vec![
                seg(
                    format!("{} {}", if k.in_scope { "◉" } else { "●" }, safe(&k.label)),
                    Class::Plain,
                ),
                seg(
                    if k.in_scope {
                        "in scope too"
                    } else {
                        "baseline only"
                    },
                    Class::Dim,
                ),
            ],
            focus: None,
        })
        .collect();
    doc.table(
        vec![Col::flex("geolocation", 16), Col::fixed("seen")],
        rows,
        "None placed.",
    );
}

fn events(of: &Target, filter: EventFilter) -> View {
    View::Events {
        of: of.clone(),
        filter,
    }
}

fn api_filter(api: &str) -> EventFilter {
    EventFilter {
        api: Some(api.to_string()),
        ..EventFilter::default()
    }
}

fn ip_filter(ip: &str) -> EventFilter {
    EventFilter {
        source_ip: Some(ip.to_string()),
        ..EventFilter::default()
    }
}

/// A place's or organisation's calls: by its address when it has one in the scope, else every
/// call in the scope (the events list filters by one address only).
fn addresses_focus(of: &Target, ips: &[String], copy: &str) -> Option<Focus> {
    let filter = match ips {
        [one] => ip_filter(one),
        _ => EventFilter::default(),
    };
    Focus::to(events(of, filter), copy)
}

fn api_text(api: &str, service: &str) -> String {
    let svc = service.trim_end_matches(".amazonaws.com");
    if svc.is_empty() {
        safe(api)
    } else {
        format!("{} ({})", safe(api), safe(svc))
    }
}

/// ok, failed, first seen in scope, and new for the account too.
fn in_scope_cells(s: &InScope) -> Vec<Seg> {
    vec![
        seg(s.ok.to_string(), Class::Ok),
        failed_cell(s.failed),
        seg(s.first_seen.map_or_else(|| "-".into(), when), Class::Dim),
        match s.new_for_account {
            Some(true) => seg("new", Class::Warn),
            Some(false) => seg("known", Class::Dim),
            None => seg("-", Class::Dim),
        },
    ]
}

fn item_cols(head: &'static str) -> Vec<Col> {
    vec![
        Col::flex(head, 12),
        Col::num("ok"),
        Col::num("failed"),
        Col::fixed("first seen"),
        Col::fixed("account"),
    ]
}

fn place_cols(head: &'static str) -> Vec<Col> {
    vec![
        Col::flex(head, 12),
        Col::id("addresses", 8),
        Col::num("ok"),
        Col::num("failed"),
        Col::fixed("first seen"),
        Col::fixed("account"),
    ]
}
