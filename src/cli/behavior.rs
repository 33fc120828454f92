//! `rolecall behavior ID [--scope A..B] [--baseline-days N] [--json]`: is the scope normal for
//! this identity? New geolocations, AS organisations, user agents, API calls, regions and
//! source IPs against the baseline, and APIs with increased volume. Opens geolocation (the
//! configuration's databases and ranges, then the organisation's ranges kept in the cache).

use std::process::ExitCode;

use anyhow::Context;

use super::Ctx;
use super::layout::{Col, Shrink, Table, print_table, stamp};
use super::table::{open_for_analysis, print_json};
use super::target::{resolve_or_exit, wrong_kind};
use crate::analysis::{
    Behavior, InScope, build_behavior, build_finding, org_ranges, resolve_scope,
    target_of_principal,
};
use crate::geo::{Geo, GeoConfig};
use crate::model::{Scope, Target};
use crate::present::{located_text, safe, scope_text, wrap};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A role session (principal ID, assumed-role ARN, session name), a role, an IAM or
    /// federated user, a SAML or web-identity user (name), an EC2 instance, an account, an
    /// access key (its session), or an event or finding ID (its actor; the scope then defaults
    /// to the event's hour or the finding's window).
    #[arg(value_name = "ID")]
    id: String,
    /// `A..B` (RFC 3339), `last:24h`, `finding:ID`. Default: the last 24 hours of the data (an
    /// event's hour, a finding's window).
    #[arg(long, value_name = "SCOPE")]
    scope: Option<String>,
    /// Days of baseline before the scope.
    #[arg(long, value_name = "N", default_value_t = 45,
          value_parser = clap::value_parser!(i64).range(1..=366))]
    baseline_days: i64,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let store = open_for_analysis(ctx)?;
    let conn = store.conn();
    let target = match resolve_or_exit(conn, &args.id, "no identity")? {
        Ok(t) => t,
        Err(code) => return Ok(code),
    };
    let (target, own_scope) = match actor_of(conn, &target)? {
        Some(found) => found,
        None => (target, None),
    };
    let scope = match (&args.scope, own_scope) {
        (None, Some(s)) => s,
        (spec, _) => resolve_scope(conn, spec.as_deref(), ctx.now_ms)?,
    };
    let geo = open_geo(conn)?;
    let Some(b) = build_behavior(conn, &geo, &target, scope, args.baseline_days)? else {
        return Ok(wrong_kind(
            &args.id,
            &target,
            "a role session, a role, a user, an EC2 instance or an account that made calls",
        ));
    };
    if args.json {
        return print_json(&b);
    }
    print_behavior(ctx, &b)?;
    Ok(ExitCode::SUCCESS)
}

/// An event's or a finding's actor, with the scope it suggests (the event's hour, the
/// finding's window); `None` for other targets, or when the cache cannot name the actor.
fn actor_of(
    conn: &rusqlite::Connection,
    target: &Target,
) -> anyhow::Result<Option<(Target, Option<Scope>)>> {
    match target {
        Target::Finding { id } => {
            Ok(build_finding(conn, id.as_str())?.and_then(|f| f.actor.map(|a| (a, Some(f.scope)))))
        }
        Target::Event { id } => {
            let Some(e) = crate::store::load_event(conn, id.as_str())? else {
                return Ok(None);
            };
            let Some(principal) = e.event.identity.principal_id.as_deref() else {
                return Ok(None);
            };
            let actor = match crate::store::load_principal(conn, principal)? {
                Some(row) => target_of_principal(&row),
                None => None,
            };
            Ok(actor.map(|a| (a, Some(Scope::covering(e.event.time_ms, e.event.time_ms)))))
        }
        _ => Ok(None),
    }
}

/// Geolocation for a command: the databases and ranges the configuration names or the usual
/// places hold (a broken database is an error naming the file), then the organisation's ranges
/// kept in the cache (the configuration's win a tie).
pub fn open_geo(conn: &rusqlite::Connection) -> anyhow::Result<Geo> {
    let config = GeoConfig::from_env().map_err(anyhow::Error::msg)?;
    let geo = Geo::open(&config).context("opening geolocation")?;
    Ok(geo.with_fallback_ranges(org_ranges(conn)?))
}

fn print_behavior(ctx: &Ctx, b: &Behavior) -> anyhow::Result<()> {
    let w = ctx.width;
    sayln!(
        w,
        "New behavior of {} {}  ({})",
        b.entity.target.kind().label(),
        safe(&b.entity.name),
        safe(&b.entity.id)
    )?;
    sayln!(
        w,
        "scope: {}, against the {} days before it",
        scope_text(&b.scope),
        b.baseline.days
    )?;
    let h = &b.history;
    sayln!(
        w,
        "history: {:.1} days of its own, {:.1} of its account's data ({:.0} needed)",
        h.entity_days,
        h.account_days,
        h.required_days
    )?;
    let ranges = match b.geo.ranges {
        1 => "1 range of the organisation".to_string(),
        n => format!("{n} ranges of the organisation"),
    };
    let sources = if b.geo.database {
        format!("MaxMind database, {ranges}")
    } else {
        format!("{ranges}, no MaxMind database")
    };
    let unplaced = match b.geo.unplaced {
        0 => "every address placed".to_string(),
        n => format!("{n} addresses not placed"),
    };
    sayln!(w, "geolocation: {sources}; {unplaced}")?;
    if let Some(note) = &b.geo.note {
        if b.geo.unplaced > 0 || b.geo.ranges == 0 {
            for line in wrap(
                &safe(note),
                w.unwrap_or(usize::MAX).max(40).saturating_sub(2),
            ) {
                outln!("  {line}")?;
            }
        }
    }
    outln!()?;
    let mut known = Table::new(&[
        Col::shrink("KNOWN GEOLOCATION", Shrink::End, 20),
        Col::keep("LAT"),
        Col::keep("LON"),
        Col::keep("IN SCOPE"),
    ]);
    for k in &b.known_geolocations {
        known.row(vec![
            k.label.clone(),
            coordinate(k.place.latitude),
            coordinate(k.place.longitude),
            if k.in_scope { "yes" } else { "no" }.into(),
        ]);
    }
    section("Known geolocations (the baseline)", &known, w)?;
    if let Some(reason) = &h.reason {
        sayln!(w, "{}: nothing is called new", safe(reason))?;
        return Ok(());
    }
    let mut t = items(&[
        Col::shrink("NEW GEOLOCATION", Shrink::End, 16),
        Col::shrink("ADDRESSES", Shrink::End, 9).droppable(1),
    ]);
    for g in &b.new_geolocations {
        t.row(cells(
            vec![g.label.clone(), g.source_ips.join(" ")],
            &g.seen,
            w,
        ));
    }
    section("New geolocations", &t, w)?;
    let mut t = items(&[
        Col::shrink("NEW AS ORGANISATION", Shrink::End, 16),
        Col::keep("ASN"),
    ]);
    for a in &b.new_asos {
        t.row(cells(
            vec![
                a.organisation.clone().unwrap_or_else(|| "-".into()),
                a.asn.map_or_else(|| "-".into(), |n| n.to_string()),
            ],
            &a.seen,
            w,
        ));
    }
    section("New autonomous-system organisations", &t, w)?;
    let mut t = items(&[Col::shrink("NEW USER AGENT", Shrink::End, 20)]);
    for u in &b.new_user_agents {
        t.row(cells(vec![u.user_agent.clone()], &u.seen, w));
    }
    section("New user agents (per-call parts dropped)", &t, w)?;
    let mut t = items(&[
        Col::shrink("NEW API CALL", Shrink::End, 14),
        Col::shrink("SERVICE", Shrink::End, 10),
    ]);
    for a in &b.new_api_calls {
        t.row(cells(vec![a.api.clone(), a.service.clone()], &a.seen, w));
    }
    section("New API calls", &t, w)?;
    let mut t = Table::new(&[
        Col::shrink("API", Shrink::End, 14),
        Col::shrink("SERVICE", Shrink::End, 8).droppable(2),
        Col::keep("CALLS"),
        Col::keep("PER HOUR"),
        Col::keep("BASELINE/H"),
        Col::keep("NEEDED"),
        Col::keep("FIRST SEEN").droppable(1),
    ]);
    for v in &b.increased_volume {
        t.row(vec![
            v.api.clone(),
            v.service.clone(),
            (v.ok + v.failed).to_string(),
            format!("{:.2}", v.scope_per_hour),
            format!("{:.3}", v.baseline_per_hour),
            v.threshold.map_or_else(|| "-".into(), |n| n.to_string()),
            v.first_seen.map_or_else(|| "-".into(), |t| stamp(w, t)),
        ]);
    }
    section("Increased volume", &t, w)?;
    let mut t = items(&[Col::shrink("NEW REGION", Shrink::End, 10)]);
    for r in &b.new_regions {
        t.row(cells(vec![r.region.clone()], &r.seen, w));
    }
    section("New regions", &t, w)?;
    let mut t = items(&[
        Col::shrink("NEW SOURCE IP", Shrink::Middle, 13),
        Col::shrink("WHERE", Shrink::End, 10),
    ]);
    for s in &b.new_source_ips {
        t.row(cells(
            vec![s.source_ip.clone(), located_text(&s.location)],
            &s.seen,
            w,
        ));
    }
    section("New source IPs", &t, w)?;
    Ok(())
}

/// A table of items: the given columns, then calls, failures, first seen, and whether the
/// account has not seen it either.
fn items(first: &[Col]) -> Table {
    let mut cols = first.to_vec();
    cols.extend([
        Col::keep("OK"),
        Col::keep("FAILED"),
        Col::keep("FIRST SEEN").droppable(2),
        Col::keep("ACCOUNT").droppable(3),
    ]);
    Table::new(&cols)
}

fn cells(mut first: Vec<String>, s: &InScope, w: Option<usize>) -> Vec<String> {
    first.extend([
        s.ok.to_string(),
        s.failed.to_string(),
        s.first_seen.map_or_else(|| "-".into(), |t| stamp(w, t)),
        match s.new_for_account {
            Some(true) => "new".into(),
            Some(false) => "known".into(),
            None => "-".into(),
        },
    ]);
    first
}

fn coordinate(c: Option<f64>) -> String {
    c.map_or_else(|| "-".into(), |v| format!("{v:.2}"))
}

fn section(title: &str, t: &Table, w: Option<usize>) -> anyhow::Result<()> {
    outln!("{title}")?;
    print_table(t, w, "  (none)")?;
    outln!()?;
    Ok(())
}
