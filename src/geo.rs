//! Where a source IP is and who routes it: the organisation's own ranges (a CSV of VPN egress,
//! offices, cloud desktops — checked first), then MaxMind-format databases (GeoLite2 / GeoIP2
//! City and ASN, through the `maxminddb` reader). Opening reads files; a look-up is pure.
//!
//! `sourceIPAddress` is not always an address: AWS writes a service name
//! (`ec2.amazonaws.com`) when a service called on the principal's behalf. Those, and private
//! addresses (RFC 1918, loopback, link-local, CGNAT, IPv6 ULA), are never geolocated; private
//! ones are labelled so. With no database at all, look-ups say so, and nothing else breaks.

mod find;
mod mmdb;
mod ranges;

use std::net::IpAddr;
use std::path::PathBuf;

use serde::Serialize;

pub use find::{GeoConfig, SEARCHED_DIRS, how_to_add};
pub use ranges::{Range, is_ranges_header, parse_ranges};

/// A place, as precise as the source knows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    pub city: Option<String>,
    /// The subdivision (state, province) code or name.
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

impl Place {
    /// `Bellevue, WA, US`; the parts that are known.
    pub fn label(&self) -> String {
        [&self.city, &self.region, &self.country]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Who routes an address: its autonomous system.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Network {
    pub asn: Option<u32>,
    /// The autonomous-system organisation (ASO).
    pub organisation: Option<String>,
}

/// Which source answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GeoSource {
    /// The organisation's own ranges.
    Ranges,
    /// A MaxMind-format database.
    Database,
}

/// What is known about one `sourceIPAddress`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Located {
    Found {
        place: Option<Place>,
        network: Option<Network>,
        source: GeoSource,
    },
    /// A private, loopback, link-local or shared address: inside some network, nowhere on a map.
    Private,
    /// Not an address: an AWS service name.
    Service,
    /// An address no source covers.
    Unknown,
    /// An address, and no source to look it up in.
    NoDatabase,
}

/// Why geolocation could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    #[error("{path}: not a usable MaxMind database: {reason}")]
    BrokenDatabase { path: PathBuf, reason: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}, line {line}: {reason}")]
    BadRanges {
        path: PathBuf,
        line: usize,
        reason: String,
    },
}

/// The open sources.
#[derive(Default)]
pub struct Geo {
    ranges: Vec<Range>,
    city: Option<mmdb::Db>,
    asn: Option<mmdb::Db>,
}

impl std::fmt::Debug for Geo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Geo")
            .field("ranges", &self.ranges.len())
            .field("city", &self.city.as_ref().map(|d| d.path.clone()))
            .field("asn", &self.asn.as_ref().map(|d| d.path.clone()))
            .finish()
    }
}

impl Geo {
    /// No source: every address is `NoDatabase`.
    pub fn none() -> Geo {
        Geo::default()
    }

    /// The sources `config` names or finds (see [`GeoConfig`]).
    pub fn open(config: &GeoConfig) -> Result<Geo, GeoError> {
        let mut geo = Geo::default();
        for path in &config.ranges {
            let text = std::fs::read_to_string(path).map_err(|source| GeoError::Io {
                path: path.clone(),
                source,
            })?;
            let parsed = parse_ranges(&text).map_err(|(line, reason)| GeoError::BadRanges {
                path: path.clone(),
                line,
                reason,
            })?;
            geo.ranges.extend(parsed);
        }
        let (city, asn) = config.databases();
        geo.city = city.map(|p| mmdb::Db::open(&p)).transpose()?;
        geo.asn = asn.map(|p| mmdb::Db::open(&p)).transpose()?;
        Ok(geo)
    }

    /// Adds ranges (the organisation's, e.g. kept in the cache); they take precedence over the
    /// databases, the most specific range first.
    pub fn with_ranges(mut self, ranges: Vec<Range>) -> Geo {
        self.ranges.extend(ranges);
        self
    }

    /// Whether any source can place a public address.
    pub fn has_source(&self) -> bool {
        !self.ranges.is_empty() || self.city.is_some() || self.asn.is_some()
    }

    /// Adds ranges that give way to those already there: on a tie between two equally specific
    /// ranges, the ones added earlier (e.g. named by the configuration) win over these (e.g.
    /// kept in the cache).
    pub fn with_fallback_ranges(mut self, mut ranges: Vec<Range>) -> Geo {
        ranges.append(&mut self.ranges);
        self.ranges = ranges;
        self
    }

    /// How many of the organisation's ranges are in use.
    pub fn range_count(&self) -> usize {
        self.ranges.len()
    }

    /// Whether a city database is open (the ranges alone cover only the organisation's own).
    pub fn has_database(&self) -> bool {
        self.city.is_some() || self.asn.is_some()
    }

    /// Where `source_ip` is.
    pub fn locate(&self, source_ip: &str) -> Located {
        let Ok(ip) = source_ip.trim().parse::<IpAddr>() else {
            return Located::Service;
        };
        if let Some(r) = ranges::most_specific(&self.ranges, ip) {
            return Located::Found {
                place: r.place(),
                network: r.network(),
                source: GeoSource::Ranges,
            };
        }
        if is_private(ip) {
            return Located::Private;
        }
        if !self.has_database() {
            return Located::NoDatabase;
        }
        let place = self.city.as_ref().and_then(|d| d.place(ip));
        let network = self.asn.as_ref().and_then(|d| d.network(ip));
        if place.is_none() && network.is_none() {
            return Located::Unknown;
        }
        Located::Found {
            place,
            network,
            source: GeoSource::Database,
        }
    }
}

/// Private, loopback, link-local, shared (CGNAT), unspecified or documentation-free local
/// addresses: never on a map.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                // 100.64.0.0/10, carrier-grade NAT.
                || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                // fc00::/7 unique local, fe80::/10 link-local.
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(|v4| is_private(IpAddr::V4(v4)))
        }
    }
}

#[cfg(test)]
mod tests;
