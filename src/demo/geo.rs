//! The address ranges the generated organisation uses, all from documentation (RFC 5737) and
//! private (RFC 1918) space, with a made-up geolocation and AS organisation each, and the CSV
//! rolecall reads them from.
//!
//! CSV columns (one header line, then one row per range):
//! `network,country,region,city,latitude,longitude,asn,as_org` — `network` in CIDR form,
//! `country` ISO 3166-1 alpha-2, `region` the subdivision code (`WA`, `VA`, `ENG`…), `asn` a
//! number. Private ranges have empty location columns.

use std::fmt::Write as _;

use super::rng::Rng;

/// One range: where its addresses are and who routes them.
#[derive(Debug, Clone, Copy)]
pub struct Range {
    pub base: [u8; 4],
    pub prefix: u8,
    pub country: &'static str,
    pub region: &'static str,
    pub city: &'static str,
    pub lat: f64,
    pub lon: f64,
    pub asn: u32,
    pub as_org: &'static str,
}

macro_rules! range {
    ($a:expr, $b:expr, $c:expr, $d:expr, $p:expr, $co:expr, $re:expr, $ci:expr, $lat:expr, $lon:expr, $asn:expr, $org:expr) => {
        Range {
            base: [$a, $b, $c, $d],
            prefix: $p,
            country: $co,
            region: $re,
            city: $ci,
            lat: $lat,
            lon: $lon,
            asn: $asn,
            as_org: $org,
        }
    };
}

/// Indices into [`RANGES`], named for what uses them.
pub const BELLEVUE_OFFICE: usize = 0;
pub const ASHBURN_CLOUD_DESKTOP: usize = 1;
/// Bellevue again, through a mobile carrier: sara's incident address (same place, new ASO).
pub const BELLEVUE_MOBILE: usize = 2;
pub const SAN_FRANCISCO: usize = 3;
pub const NEW_YORK: usize = 4;
pub const AUSTIN: usize = 5;
pub const LONDON: usize = 6;
pub const BERLIN_VENDOR: usize = 7;
pub const CI_RUNNERS: usize = 8;
/// Where the exfiltrated instance credentials are used from.
pub const AMSTERDAM_HOSTING: usize = 9;
pub const NAT_US_EAST_1: usize = 10;
pub const NAT_US_WEST_2: usize = 11;
pub const SINGAPORE: usize = 12;
pub const TORONTO: usize = 13;
// Index 14 is 10.0.0.0/8: the VPC's private addresses (flow logs), listed so every address
// in the data is covered by the CSV.

/// Every range the generator draws addresses from.
pub const RANGES: [Range; 15] = [
    range!(
        198,
        51,
        100,
        0,
        27,
        "US",
        "WA",
        "Bellevue",
        47.6101,
        -122.2015,
        64500,
        "Example Corp"
    ),
    range!(
        203,
        0,
        113,
        0,
        27,
        "US",
        "VA",
        "Ashburn",
        39.0438,
        -77.4874,
        14618,
        "AMAZON-AES"
    ),
    range!(
        198,
        51,
        100,
        32,
        27,
        "US",
        "WA",
        "Bellevue",
        47.6101,
        -122.2015,
        64510,
        "Example Wireless"
    ),
    range!(
        198,
        51,
        100,
        64,
        27,
        "US",
        "CA",
        "San Francisco",
        37.7749,
        -122.4194,
        64511,
        "Example Broadband"
    ),
    range!(
        198,
        51,
        100,
        96,
        27,
        "US",
        "NY",
        "New York",
        40.7128,
        -74.006,
        64512,
        "Example Fiber"
    ),
    range!(
        198,
        51,
        100,
        128,
        27,
        "US",
        "TX",
        "Austin",
        30.2672,
        -97.7431,
        64511,
        "Example Broadband"
    ),
    range!(
        203,
        0,
        113,
        32,
        27,
        "GB",
        "ENG",
        "London",
        51.5074,
        -0.1278,
        64520,
        "Example Telecom UK"
    ),
    range!(
        203,
        0,
        113,
        64,
        27,
        "DE",
        "BE",
        "Berlin",
        52.52,
        13.405,
        64521,
        "Example Vendor GmbH"
    ),
    range!(
        192,
        0,
        2,
        0,
        26,
        "US",
        "VA",
        "Boydton",
        36.6676,
        -78.3875,
        64530,
        "Example Cloud Runners"
    ),
    range!(
        192,
        0,
        2,
        192,
        27,
        "NL",
        "NH",
        "Amsterdam",
        52.3676,
        4.9041,
        64540,
        "Example Hosting B.V."
    ),
    range!(
        203,
        0,
        113,
        128,
        27,
        "US",
        "VA",
        "Ashburn",
        39.0438,
        -77.4874,
        14618,
        "AMAZON-AES"
    ),
    range!(
        203,
        0,
        113,
        160,
        27,
        "US",
        "OR",
        "Boardman",
        45.8399,
        -119.7006,
        16509,
        "AMAZON-02"
    ),
    range!(
        192,
        0,
        2,
        64,
        27,
        "SG",
        "",
        "Singapore",
        1.3521,
        103.8198,
        64550,
        "Example Mobile Asia"
    ),
    range!(
        192,
        0,
        2,
        96,
        27,
        "CA",
        "ON",
        "Toronto",
        43.6532,
        -79.3832,
        64560,
        "Example Cable"
    ),
    range!(10, 0, 0, 0, 8, "", "", "", 0.0, 0.0, 0, ""),
];

/// An address inside range `i`, never the network or broadcast address.
pub fn address(rng: &mut Rng, i: usize) -> String {
    let r = &RANGES[i];
    let hosts = (1u64 << (32 - u32::from(r.prefix))) - 2;
    let base = u32::from_be_bytes(r.base);
    let ip = base + 1 + (rng.next_u64() % hosts.max(1)) as u32;
    std::net::Ipv4Addr::from(ip).to_string()
}

/// The CSV text for every range.
pub fn csv() -> String {
    let mut s = String::from("network,country,region,city,latitude,longitude,asn,as_org\n");
    for r in &RANGES {
        let [a, b, c, d] = r.base;
        if r.country.is_empty() {
            let _ = writeln!(s, "{a}.{b}.{c}.{d}/{},,,,,,,", r.prefix);
        } else {
            let _ = writeln!(
                s,
                "{a}.{b}.{c}.{d}/{},{},{},{},{:.4},{:.4},{},{}",
                r.prefix, r.country, r.region, r.city, r.lat, r.lon, r.asn, r.as_org
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_stay_inside_their_range() {
        let mut rng = Rng::new(1, 0);
        for (i, r) in RANGES.iter().enumerate() {
            for _ in 0..50 {
                let ip: std::net::Ipv4Addr = address(&mut rng, i).parse().expect("an IPv4");
                let mask = u32::MAX << (32 - u32::from(r.prefix));
                assert_eq!(u32::from(ip) & mask, u32::from_be_bytes(r.base));
            }
        }
    }

    #[test]
    fn the_csv_has_a_header_and_a_row_per_range() {
        let text = csv();
        assert_eq!(text.lines().count(), RANGES.len() + 1);
        assert!(text.contains("198.51.100.0/27,US,WA,Bellevue"));
        assert!(text.contains("203.0.113.0/27,US,VA,Ashburn"));
    }
}
