//! New behavior on small synthetic histories: what is new and what is not at the baseline's
//! edges, values back after an absence, counts and first calls, "not enough history", the
//! volume rule, every kind of identity, and geolocation through the real MaxMind reader on
//! MaxMind's test databases (`../shared/geoip`) with the organisation's ranges first.

mod behavior_support;

use behavior_support::*;
use rolecall::analysis::{Behavior, build_behavior};
use rolecall::geo::{Geo, GeoConfig, Located, parse_ranges};
use rolecall::model::{Federation, InstanceId, Scope, Target};
use rolecall::store::Store;

fn behavior(store: &Store, geo: &Geo, target: &Target, scope: Scope) -> Behavior {
    build_behavior(store.conn(), geo, target, scope, 45)
        .expect("query")
        .expect("the entity is known")
}

fn alice() -> Target {
    Target::IamUser {
        arn: rolecall::model::Arn::new(format!("arn:aws:iam::{ACCOUNT}:user/alice")),
    }
}

fn names<T>(items: &[T], f: impl Fn(&T) -> String) -> Vec<String> {
    let mut v: Vec<String> = items.iter().map(f).collect();
    v.sort();
    v
}

fn nothing_new(b: &Behavior) -> bool {
    b.new_geolocations.is_empty()
        && b.new_asos.is_empty()
        && b.new_user_agents.is_empty()
        && b.new_api_calls.is_empty()
        && b.increased_volume.is_empty()
        && b.new_regions.is_empty()
        && b.new_source_ips.is_empty()
}

#[test]
fn an_identity_doing_what_it_always_does_has_nothing_new() {
    let a = iam_user(ACCOUNT, "alice");
    let mut calls = routine(&a, 0..60);
    calls.push(Call::new(&a, at(60, 10, 5), "DescribeInstances"));
    let store = cache(&calls);
    let b = behavior(&store, &Geo::none(), &alice(), hour_scope(60, 10));
    assert!(b.history.enough, "{:?}", b.history);
    assert_eq!(
        (b.history.entity_days, b.history.account_days),
        (45.0, 45.0)
    );
    assert!(nothing_new(&b), "{b:#?}");
    assert_eq!(b.entity.kind, "iam_user");
    assert_eq!(b.entity.accounts, vec![ACCOUNT.to_string()]);
}

#[test]
fn what_the_baseline_never_saw_is_new_with_its_calls_first_call_and_account_flag() {
    let a = iam_user(ACCOUNT, "alice");
    let bob = iam_user(ACCOUNT, "bob");
    let mut calls = routine(&a, 0..60);
    calls.extend(routine(&bob, 0..60));
    // bob ran instances in the baseline: new for alice, not for the account.
    calls.push(Call::new(&bob, at(50, 11, 0), "RunInstances"));
    calls.extend([
        Call::new(&a, at(60, 10, 5), "RunInstances").agent(&cli("ec2.run-instances")),
        Call::new(&a, at(60, 10, 10), "DescribeInstances").ip("203.0.113.50"),
        Call::new(&a, at(60, 10, 20), "RunInstances").failed(),
        Call::new(&a, at(60, 10, 30), "DescribeInstances").region("eu-west-1"),
        Call::new(&a, at(60, 10, 40), "DescribeInstances").agent("python-requests/2.32.3"),
    ]);
    let store = cache(&calls);
    let b = behavior(&store, &Geo::none(), &alice(), hour_scope(60, 10));
    assert_eq!(b.new_api_calls.len(), 1, "{:#?}", b.new_api_calls);
    let run = &b.new_api_calls[0];
    assert_eq!(
        (run.api.as_str(), run.service.as_str()),
        ("RunInstances", "ec2.amazonaws.com")
    );
    assert_eq!((run.seen.ok, run.seen.failed), (1, 1));
    assert_eq!(run.seen.first_seen, Some(at(60, 10, 5)));
    assert_eq!(run.seen.new_for_account, Some(false));
    // Another CLI command is the same tool; python-requests is new, for the account too.
    assert_eq!(
        names(&b.new_user_agents, |u| u.user_agent.clone()),
        vec!["python-requests/2.32.3"]
    );
    assert_eq!(b.new_user_agents[0].seen.new_for_account, Some(true));
    assert_eq!(
        names(&b.new_regions, |r| r.region.clone()),
        vec!["eu-west-1"]
    );
    assert_eq!(b.new_regions[0].seen.first_seen, Some(at(60, 10, 30)));
    let ip = &b.new_source_ips[..];
    assert_eq!(names(ip, |s| s.source_ip.clone()), vec!["203.0.113.50"]);
    assert_eq!(ip[0].target, Target::ip("203.0.113.50"));
    assert_eq!(ip[0].location, Located::NoDatabase);
    assert!(b.increased_volume.is_empty());
    assert!(
        b.geo
            .note
            .as_deref()
            .unwrap_or("")
            .contains("GeoLite2-City.mmdb")
    );
}

#[test]
fn the_baselines_edges_are_exact_to_the_hour() {
    let a = iam_user(ACCOUNT, "alice");
    let mut calls = routine(&a, 0..61);
    // The scope is day 60 14:00–15:00: the baseline runs from day 15 14:00 to day 60 14:00.
    // Each API was called long before, and once near an edge of the baseline.
    let edge = |api: &str, day: i64, hour: i64| {
        [
            Call::new(&a, at(2, 9, 0), api),
            Call::new(&a, at(day, hour, 30), api),
            Call::new(&a, at(60, 14, 10), api),
        ]
    };
    calls.extend(edge("GetRole", 15, 14)); // just inside the baseline's start: known
    calls.extend(edge("ListRoles", 15, 13)); // just before it: new
    calls.extend(edge("ListUsers", 60, 13)); // the hour before the scope: known
    calls.extend(edge("ListKeys", 60, 14)); // at 14:30, inside the scope only: new
    let store = cache(&calls);
    let b = behavior(&store, &Geo::none(), &alice(), hour_scope(60, 14));
    assert_eq!(
        names(&b.new_api_calls, |a| a.api.clone()),
        vec!["ListKeys", "ListRoles"]
    );
    // First seen is the first call in the scope, not the first call ever.
    for api in &b.new_api_calls {
        assert_eq!(api.seen.first_seen, Some(at(60, 14, 10)), "{api:?}");
    }
    let keys = b.new_api_calls.iter().find(|a| a.api == "ListKeys");
    assert_eq!(keys.map(|k| k.seen.ok), Some(2));
}

#[test]
fn a_value_back_after_more_than_the_baseline_is_new_again() {
    let a = iam_user(ACCOUNT, "alice");
    let mut calls = routine(&a, 0..61);
    calls.push(Call::new(&a, at(3, 10, 0), "GetBucketPolicy").ip("192.0.2.77"));
    calls.push(Call::new(&a, at(60, 10, 45), "GetBucketPolicy").ip("192.0.2.77"));
    let store = cache(&calls);
    let b = behavior(&store, &Geo::none(), &alice(), hour_scope(60, 10));
    assert_eq!(
        names(&b.new_api_calls, |a| a.api.clone()),
        vec!["GetBucketPolicy"]
    );
    assert_eq!(b.new_api_calls[0].seen.first_seen, Some(at(60, 10, 45)));
    assert_eq!(
        names(&b.new_source_ips, |s| s.source_ip.clone()),
        vec!["192.0.2.77"]
    );
    assert_eq!(b.new_source_ips[0].seen.first_seen, Some(at(60, 10, 45)));
    // The same for her account, whose first calls in a scope come from its hourly roll-up
    // (accounts have no events index) — over a day, to read more than one edge.
    let day = Scope {
        start_ms: at(60, 0, 0),
        end_ms: at(61, 0, 0),
    };
    let acct = behavior(&store, &Geo::none(), &Target::account(ACCOUNT), day);
    assert_eq!(
        names(&acct.new_api_calls, |a| a.api.clone()),
        vec!["GetBucketPolicy"]
    );
    assert_eq!(acct.new_api_calls[0].seen.first_seen, Some(at(60, 10, 45)));
    // With a 60-day baseline, day 3 is inside it: nothing is new.
    let long = build_behavior(store.conn(), &Geo::none(), &alice(), hour_scope(60, 10), 60)
        .expect("query")
        .expect("known");
    assert!(nothing_new(&long), "{long:#?}");
}

#[test]
fn too_little_history_says_so_instead_of_calling_everything_new() {
    let carol = iam_user(ACCOUNT, "carol");
    let old = iam_user(ACCOUNT, "old");
    let mut calls = routine(&old, 0..61);
    calls.extend(routine(&carol, 55..60));
    calls.push(Call::new(&carol, at(60, 10, 5), "RunInstances").ip("203.0.113.9"));
    // In another account the data has a gap: a month of nothing before the last five days.
    let dave = iam_user(OTHER, "dave");
    calls.extend(routine(&dave, 0..5));
    calls.extend(routine(&dave, 55..60));
    calls.push(Call::new(&dave, at(60, 10, 5), "RunInstances"));
    let store = cache(&calls);
    let carol_t = Target::IamUser {
        arn: rolecall::model::Arn::new(format!("arn:aws:iam::{ACCOUNT}:user/carol")),
    };
    let b = behavior(&store, &Geo::none(), &carol_t, hour_scope(60, 10));
    assert!(!b.history.enough);
    assert_eq!(b.history.entity_days, 5.0);
    let reason = b.history.reason.clone().unwrap_or_default();
    assert!(
        reason.contains("not enough history") && reason.contains("5.0 days"),
        "{reason}"
    );
    assert!(nothing_new(&b), "{b:#?}");
    let dave_t = Target::IamUser {
        arn: rolecall::model::Arn::new(format!("arn:aws:iam::{OTHER}:user/dave")),
    };
    let d = behavior(&store, &Geo::none(), &dave_t, hour_scope(60, 10));
    assert_eq!(d.history.entity_days, 45.0);
    assert!(d.history.account_days < 6.0, "{:?}", d.history);
    assert!(!d.history.enough);
    assert!(
        d.history
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("the cache covers"),
        "{:?}",
        d.history
    );
    assert!(nothing_new(&d));
}

#[test]
fn a_burst_of_a_known_api_is_increased_volume_and_a_few_calls_are_not() {
    let a = iam_user(ACCOUNT, "alice");
    let mut calls = routine(&a, 0..60);
    for d in 0..60 {
        calls.push(Call::new(&a, at(d, 11, 0), "DescribeVolumes"));
    }
    for m in 0..12 {
        calls.push(Call::new(&a, at(60, 10, m), "DescribeInstances"));
    }
    for m in 0..9 {
        calls.push(Call::new(&a, at(60, 10, 20 + m), "DescribeVolumes"));
    }
    let store = cache(&calls);
    let b = behavior(&store, &Geo::none(), &alice(), hour_scope(60, 10));
    assert_eq!(b.increased_volume.len(), 1, "{:#?}", b.increased_volume);
    let v = &b.increased_volume[0];
    assert_eq!(v.api, "DescribeInstances");
    assert_eq!(v.ok, 12);
    // Whole days 16..59 of the baseline: 44 calls over 44 days.
    assert_eq!(v.baseline_calls, 44);
    assert!((v.baseline_per_hour - 1.0 / 24.0).abs() < 1e-9, "{v:?}");
    assert_eq!(v.scope_per_hour, 12.0);
    assert_eq!((v.min_count, v.threshold), (10, Some(10)));
    assert_eq!(v.first_seen, Some(at(60, 10, 0)));
    assert!(b.new_api_calls.is_empty());
}

#[test]
fn a_role_an_instance_a_saml_user_and_an_account_are_their_sessions_calls() {
    let role = "arn:aws:iam::111122223333:role/app/web-app-role";
    let i1 = session(role, "AROAWEB", "i-0123456789abcdef0");
    let i2 = session(role, "AROAWEB", "i-0fedcba9876543210");
    let sso =
        "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123";
    let dana = session(sso, "AROASSO", "dana");
    let mut calls = Vec::new();
    for d in 0..60 {
        calls.push(Call::new(&i1, at(d, 1, 0), "GetParameter"));
        calls.push(Call::new(&i2, at(d, 2, 0), "Decrypt"));
        calls.push(saml_sign_in("dana", at(d, 9, 0), sso, "AROASSO").ip("198.51.100.40"));
        calls.push(Call::new(&dana, at(d, 9, 5), "DescribeInstances").ip("198.51.100.40"));
    }
    calls.extend([
        // The first instance decrypts, as the second always does.
        Call::new(&i1, at(60, 10, 1), "Decrypt"),
        Call::new(&dana, at(60, 10, 2), "StopLogging")
            .source("cloudtrail.amazonaws.com")
            .ip("198.51.100.40"),
        saml_sign_in("dana", at(60, 10, 0), sso, "AROASSO").ip("203.0.113.66"),
    ]);
    let store = cache(&calls);
    let scope = hour_scope(60, 10);
    let geo = Geo::none();
    let inst = behavior(
        &store,
        &geo,
        &Target::Ec2Instance {
            id: InstanceId::new("i-0123456789abcdef0"),
        },
        scope,
    );
    assert_eq!(inst.entity.kind, "instance");
    assert_eq!(
        names(&inst.new_api_calls, |a| a.api.clone()),
        vec!["Decrypt"]
    );
    assert_eq!(inst.new_api_calls[0].seen.new_for_account, Some(false));
    let r = behavior(&store, &geo, &Target::role(role), scope);
    assert_eq!(r.entity.kind, "role");
    assert!(
        r.new_api_calls.is_empty(),
        "the role's sessions decrypt: {r:#?}"
    );
    let user = Target::ExternalUser {
        federation: Federation::Saml,
        name: "dana".into(),
        provider: None,
    };
    let u = behavior(&store, &geo, &user, scope);
    assert_eq!(u.entity.kind, "external_user");
    assert_eq!(u.entity.members, 2, "her session and her own sign-ins");
    assert_eq!(
        names(&u.new_api_calls, |a| a.api.clone()),
        vec!["StopLogging"]
    );
    assert_eq!(
        names(&u.new_source_ips, |s| s.source_ip.clone()),
        vec!["203.0.113.66"]
    );
    let acct = behavior(&store, &geo, &Target::account(ACCOUNT), scope);
    assert_eq!(acct.entity.kind, "account");
    assert_eq!(
        names(&acct.new_api_calls, |a| a.api.clone()),
        vec!["StopLogging"]
    );
    assert_eq!(acct.new_api_calls[0].seen.new_for_account, None);
    // Not something that calls.
    assert!(
        build_behavior(
            store.conn(),
            &geo,
            &Target::ip("198.51.100.40").expect("ip"),
            scope,
            45
        )
        .expect("query")
        .is_none()
    );
}

fn shared(name: &str) -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/geoip")
        .join(name);
    if p.is_file() {
        return Some(p);
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "../shared/geoip/{name} is missing under CI"
    );
    eprintln!("SKIPPED: ../shared/geoip/{name} not found");
    None
}

fn databases() -> Option<Geo> {
    let config = GeoConfig {
        city: Some(shared("GeoIP2-City-Test.mmdb")?),
        asn: Some(shared("GeoLite2-ASN-Test.mmdb")?),
        ..GeoConfig::default()
    };
    Some(Geo::open(&config).expect("MaxMind's test databases open"))
}

/// alice usually calls from Milton, WA (216.160.83.56 in the test database).
fn travelling_alice() -> Store {
    let a = iam_user(ACCOUNT, "alice");
    let mut calls: Vec<Call> = routine(&a, 0..60)
        .into_iter()
        .map(|c| c.ip("216.160.83.56"))
        .collect();
    calls.extend([
        Call::new(&a, at(60, 10, 1), "DescribeInstances").ip("216.160.83.56"),
        Call::new(&a, at(60, 10, 2), "DescribeInstances").ip("81.2.69.142"),
        Call::new(&a, at(60, 10, 3), "DescribeInstances").ip("1.0.0.1"),
        Call::new(&a, at(60, 10, 4), "DescribeInstances").ip("10.1.2.3"),
        Call::new(&a, at(60, 10, 5), "DescribeInstances").ip("ec2.amazonaws.com"),
        Call::new(&a, at(60, 10, 6), "DescribeInstances").ip("2001:db8::5"),
    ]);
    cache(&calls)
}

#[test]
fn geolocations_come_through_the_real_reader_on_maxminds_test_databases() {
    let Some(geo) = databases() else { return };
    let store = travelling_alice();
    let b = behavior(&store, &geo, &alice(), hour_scope(60, 10));
    assert!(b.geo.database && b.geo.note.is_none());
    assert_eq!(
        names(&b.known_geolocations, |k| format!(
            "{} {}",
            k.label, k.in_scope
        )),
        vec!["Milton, WA, US true"]
    );
    assert_eq!(
        names(&b.new_geolocations, |g| g.label.clone()),
        vec!["London, ENG, GB"]
    );
    let london = &b.new_geolocations[0];
    assert_eq!(london.source_ips, vec!["81.2.69.142"]);
    assert_eq!(london.seen.first_seen, Some(at(60, 10, 2)));
    assert!(london.place.latitude.is_some() && london.place.longitude.is_some());
    assert_eq!(london.seen.new_for_account, Some(true));
    // 1.0.0.1 is only in the ASN database: an organisation, no place.
    assert!(
        b.new_asos
            .iter()
            .any(|a| a.asn == Some(15169) && a.organisation.as_deref() == Some("Google Inc.")),
        "{:#?}",
        b.new_asos
    );
    // Private addresses and service names are new sources, labelled, never placed.
    let where_ = |ip: &str| {
        b.new_source_ips
            .iter()
            .find(|s| s.source_ip == ip)
            .map(|s| (s.location.clone(), s.target.is_some()))
    };
    assert_eq!(where_("10.1.2.3"), Some((Located::Private, true)));
    assert_eq!(where_("ec2.amazonaws.com"), Some((Located::Service, false)));
    // Documentation IPv6 space is in no database.
    assert_eq!(where_("2001:db8::5"), Some((Located::Unknown, true)));
    assert_eq!(b.geo.unplaced, 1);
}

#[test]
fn the_organisations_ranges_come_before_the_databases_ipv6_included() {
    let Some(geo) = databases() else { return };
    let csv = "network,country,region,city,latitude,longitude,asn,as_org
81.2.69.0/24,US,VA,Ashburn,39.0438,-77.4874,14618,AMAZON-AES
2001:db8::/32,DE,BE,Berlin,52.52,13.405,64502,Example Six
10.0.0.0/8,,,,,,,Office VPN
";
    let geo = geo.with_fallback_ranges(parse_ranges(csv).expect("csv"));
    let store = travelling_alice();
    let b = behavior(&store, &geo, &alice(), hour_scope(60, 10));
    assert_eq!(
        names(&b.new_geolocations, |g| g.label.clone()),
        vec!["Ashburn, VA, US", "Berlin, BE, DE"]
    );
    let orgs = names(&b.new_asos, |a| a.organisation.clone().unwrap_or_default());
    assert!(
        orgs.contains(&"Office VPN".to_string()) && orgs.contains(&"AMAZON-AES".to_string()),
        "{orgs:?}"
    );
    assert_eq!(b.geo.ranges, 3);
    assert_eq!(b.geo.unplaced, 0);
}

#[test]
fn without_any_database_geolocation_says_how_to_add_one_and_the_rest_works() {
    let store = travelling_alice();
    let b = behavior(&store, &Geo::none(), &alice(), hour_scope(60, 10));
    assert!(!b.geo.database);
    assert!(
        b.geo
            .note
            .as_deref()
            .unwrap_or("")
            .contains("ROLECALL_GEOIP_DIR")
    );
    assert!(b.known_geolocations.is_empty() && b.new_geolocations.is_empty());
    assert_eq!(b.new_source_ips.len(), 5, "{:#?}", b.new_source_ips);
    assert_eq!(
        b.geo.unplaced, 4,
        "81.2.69.142, 1.0.0.1, 2001:db8::5, 216.160.83.56"
    );
}
