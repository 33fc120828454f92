//! Geolocation through the real reader on MaxMind's own test databases (`../shared/geoip`), and
//! the organisation's ranges taking precedence.

use super::*;

fn shared(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/geoip")
        .join(name);
    if p.is_file() {
        Some(p)
    } else {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "../shared/geoip/{name} is missing under CI"
        );
        eprintln!("SKIPPED: ../shared/geoip/{name} not found");
        None
    }
}

use std::path::Path;

const CSV: &str = "network,country,region,city,latitude,longitude,asn,as_org
198.51.100.0/27,US,WA,Bellevue,47.6101,-122.2015,64500,Example Corp
198.51.100.0/24,US,,,,,64501,Example Wide
81.2.69.0/24,US,VA,Ashburn,39.0438,-77.4874,14618,AMAZON-AES
10.20.0.0/16,,,,,,,Office VPN
2001:db8::/32,DE,BE,Berlin,52.52,13.405,64502,Example Six
";

fn with_databases() -> Option<Geo> {
    let config = GeoConfig {
        city: Some(shared("GeoIP2-City-Test.mmdb")?),
        asn: Some(shared("GeoLite2-ASN-Test.mmdb")?),
        ..GeoConfig::default()
    };
    Some(Geo::open(&config).expect("the test databases open"))
}

fn place_of(l: &Located) -> Option<String> {
    match l {
        Located::Found { place, .. } => place.as_ref().map(Place::label),
        _ => None,
    }
}

#[test]
fn the_city_and_asn_test_databases_answer_through_the_real_reader() {
    let Some(geo) = with_databases() else { return };
    let london = geo.locate("81.2.69.142");
    assert_eq!(
        place_of(&london).as_deref(),
        Some("London, ENG, GB"),
        "{london:?}"
    );
    match geo.locate("1.0.0.1") {
        Located::Found {
            network: Some(n),
            source,
            ..
        } => {
            assert_eq!(n.asn, Some(15169));
            assert_eq!(n.organisation.as_deref(), Some("Google Inc."));
            assert_eq!(source, GeoSource::Database);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(geo.locate("192.0.2.200"), Located::Unknown);
}

#[test]
fn a_broken_database_is_an_error_naming_the_file() {
    let Some(path) = shared("GeoIP2-City-Test-Broken-Double-Format.mmdb") else {
        return;
    };
    let err = Geo::open(&GeoConfig {
        city: Some(path.clone()),
        ..GeoConfig::default()
    })
    .expect_err("a broken file does not open");
    let text = err.to_string();
    assert!(
        text.contains("GeoIP2-City-Test-Broken-Double-Format.mmdb"),
        "{text}"
    );
    let missing = Geo::open(&GeoConfig {
        city: Some(path.with_file_name("no-such.mmdb")),
        ..GeoConfig::default()
    })
    .expect_err("a missing file is an error");
    assert!(missing.to_string().contains("no-such.mmdb"));
}

#[test]
fn the_organisations_ranges_come_first_and_the_most_specific_wins() {
    let ranges = parse_ranges(CSV).expect("csv");
    let geo = match with_databases() {
        Some(g) => g.with_ranges(ranges),
        None => Geo::none().with_ranges(ranges),
    };
    // The database says London; the organisation says it is its Ashburn egress.
    assert_eq!(
        place_of(&geo.locate("81.2.69.142")).as_deref(),
        Some("Ashburn, VA, US")
    );
    assert_eq!(
        place_of(&geo.locate("198.51.100.7")).as_deref(),
        Some("Bellevue, WA, US")
    );
    match geo.locate("198.51.100.200") {
        Located::Found {
            place,
            network,
            source,
        } => {
            assert_eq!(source, GeoSource::Ranges);
            assert_eq!(place.map(|p| p.label()).as_deref(), Some("US"));
            assert_eq!(network.and_then(|n| n.asn), Some(64501));
        }
        other => panic!("{other:?}"),
    }
    // An organisation's private range is its own, named, and nowhere on a map.
    match geo.locate("10.20.3.4") {
        Located::Found { place, network, .. } => {
            assert_eq!(place, None);
            assert_eq!(
                network.and_then(|n| n.organisation).as_deref(),
                Some("Office VPN")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        place_of(&geo.locate("2001:db8::42")).as_deref(),
        Some("Berlin, BE, DE")
    );
}

#[test]
fn service_names_and_private_addresses_are_never_geolocated() {
    let geo = Geo::none();
    assert_eq!(geo.locate("ec2.amazonaws.com"), Located::Service);
    assert_eq!(geo.locate("AWS Internal"), Located::Service);
    for private in [
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "127.0.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "fd00::1",
        "fe80::1",
        "::1",
        "::ffff:10.0.0.1",
    ] {
        assert_eq!(geo.locate(private), Located::Private, "{private}");
    }
    assert_eq!(geo.locate("203.0.113.9"), Located::NoDatabase);
    assert_eq!(geo.locate("2001:db8::1"), Located::NoDatabase);
}

#[test]
fn a_bad_ranges_file_names_its_line() {
    assert!(parse_ranges("network,country\n").is_err());
    let bad = "network,country,region,city,latitude,longitude,asn,as_org\n10.0.0.0/8,,,,,,,ok\n10.0.0.0/99,,,,,,,x\n";
    assert_eq!(
        parse_ranges(bad).map(|r| r.len()).map_err(|(l, _)| l),
        Err(3)
    );
    let not_a_number =
        "network,country,region,city,latitude,longitude,asn,as_org\n10.0.0.0/8,,,,north,,,x\n";
    assert!(parse_ranges(not_a_number).is_err());
}
