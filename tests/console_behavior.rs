//! The console's New behavior tabs: on the demo, sara's session in the walkthrough hour maps
//! Bellevue (seen in scope) and Ashburn (baseline only) with their own marks, lists the hour's
//! new API call and new AS organisation and nothing new in place, and Enter on an item lists
//! its calls; on a cache with no ranges and no database, the tab says how to add one.

mod behavior_support;
mod console_support;

use behavior_support::{ACCOUNT, Call, at, cache, hour_scope, session};
use console_support::Harness;
use rolecall::demo::WALKTHROUGH_FINDING_ID;
use rolecall::geo::GeoConfig;
use rolecall::tui::data::PageData;
use rolecall::tui::{Action, View};

fn behavior_of(h: &Harness) -> rolecall::analysis::Behavior {
    let b = match &h.app.top().data {
        Some(PageData::Session(s)) => s.behavior.clone(),
        Some(PageData::Role(r)) => r.behavior.clone(),
        other => panic!("not a session or role pane: {other:?}"),
    };
    b.expect("geolocation opens")
        .expect("the entity made calls")
}

#[test]
fn saras_walkthrough_hour_is_in_known_places_and_lists_the_new_api_call() {
    let mut h = Harness::demo(View::Finding(WALKTHROUGH_FINDING_ID.into()));
    h.act(Action::Open);
    h.act(Action::Tab2);
    let b = behavior_of(&h);
    assert!(b.history.enough, "{:?}", b.history);
    assert!(b.new_geolocations.is_empty(), "{:#?}", b.new_geolocations);
    let mut known: Vec<(String, bool)> = b
        .known_geolocations
        .iter()
        .map(|k| (k.label.clone(), k.in_scope))
        .collect();
    known.sort();
    assert_eq!(
        known,
        [
            ("Ashburn, VA, US".to_string(), false),
            ("Bellevue, WA, US".to_string(), true)
        ]
    );
    let apis: Vec<&str> = b.new_api_calls.iter().map(|a| a.api.as_str()).collect();
    assert_eq!(apis, ["StopLogging"], "AssumeRole is what she always does");
    let screen = h.screen(80, 24);
    for want in ["◉", "●", "1 new API call", "Example Wireless"] {
        assert!(screen.contains(want), "{want}:\n{screen}");
    }
    assert_eq!(
        screen.matches('✚').count(),
        1,
        "no new place, only the legend's mark:\n{screen}"
    );

    // Enter on the new API call lists those calls, in the same scope.
    h.focus("StopLogging", |f| {
        matches!(&f.open, Some(View::Events { filter, .. }) if filter.api.as_deref() == Some("StopLogging"))
    });
    h.act(Action::Open);
    let Some(PageData::Events(ev)) = &h.app.top().data else {
        panic!("events list");
    };
    assert!(!ev.rows.is_empty());
    assert!(ev.rows.iter().all(|r| r.event_name == "StopLogging"));
    h.act(Action::Back);

    // The new organisation's one address: its calls.
    h.focus(
        "Example Wireless",
        |f| matches!(&f.open, Some(View::Events { filter, .. }) if filter.source_ip.is_some()),
    );
    h.act(Action::Open);
    let Some(PageData::Events(ev)) = &h.app.top().data else {
        panic!("events list");
    };
    assert!(!ev.rows.is_empty());
    let ips: std::collections::BTreeSet<_> = ev.rows.iter().map(|r| r.source_ip.clone()).collect();
    assert_eq!(ips.len(), 1, "{ips:?}");
}

#[test]
fn with_no_ranges_and_no_database_the_tab_says_how_to_add_one() {
    let (city, asn) = GeoConfig::from_env().expect("config").databases();
    if city.is_some() || asn.is_some() {
        eprintln!("SKIPPED: this machine has a MaxMind database ({city:?}, {asn:?})");
        return;
    }
    let role = format!("arn:aws:iam::{ACCOUNT}:role/ops");
    let s = session(&role, "AROAOPS", "kim");
    let mut calls: Vec<Call> = (0..60)
        .map(|d| Call::new(&s, at(d, 9, 0), "DescribeInstances").ip("203.0.113.7"))
        .collect();
    calls.push(Call::new(&s, at(60, 10, 5), "StopLogging").ip("192.0.2.99"));
    let store = cache(&calls);
    let mut h = Harness::on(
        store,
        View::Session("AROAOPS:kim".into()),
        Some(hour_scope(60, 10)),
    );
    h.act(Action::Tab2);
    let b = behavior_of(&h);
    assert!(!b.geo.database);
    let screen = h.screen(80, 24);
    assert!(screen.contains("no geolocation database"), "{screen}");
    assert!(screen.contains("No address of the scope"), "{screen}");
    let text = h.screen(160, 48);
    assert!(text.contains("ROLECALL_GEOIP_DIR"), "{text}");
    assert!(text.contains("StopLogging"), "{text}");
}
