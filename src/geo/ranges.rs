//! The organisation's own address ranges: a CSV with one header line
//! (`network,country,region,city,latitude,longitude,asn,as_org`) and one range per line, in CIDR
//! form (IPv4 or IPv6). Empty location columns mean "ours, but nowhere on a map" (a private or
//! VPN range).

use std::net::IpAddr;

use super::{Network, Place};

/// One range and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    pub network: IpAddr,
    pub prefix: u8,
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub asn: Option<u32>,
    pub as_org: Option<String>,
}

impl Range {
    fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let shift = 32 - u32::from(self.prefix.min(32));
                let mask = if shift == 32 { 0 } else { u32::MAX << shift };
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let shift = 128 - u32::from(self.prefix.min(128));
                let mask = if shift == 128 { 0 } else { u128::MAX << shift };
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }

    pub(super) fn place(&self) -> Option<Place> {
        let any = self.city.is_some() || self.country.is_some() || self.latitude.is_some();
        any.then(|| Place {
            city: self.city.clone(),
            region: self.region.clone(),
            country: self.country.clone(),
            latitude: self.latitude,
            longitude: self.longitude,
        })
    }

    pub(super) fn network(&self) -> Option<Network> {
        (self.asn.is_some() || self.as_org.is_some()).then(|| Network {
            asn: self.asn,
            organisation: self.as_org.clone(),
        })
    }
}

/// The most specific range holding `ip`.
pub(super) fn most_specific(ranges: &[Range], ip: IpAddr) -> Option<&Range> {
    ranges
        .iter()
        .filter(|r| r.contains(ip))
        .max_by_key(|r| r.prefix)
}

const HEADER: [&str; 8] = [
    "network",
    "country",
    "region",
    "city",
    "latitude",
    "longitude",
    "asn",
    "as_org",
];

/// Whether `line` is the CSV's header: how an input is recognised as a ranges file.
pub fn is_ranges_header(line: &str) -> bool {
    let line = line.trim_start_matches('\u{feff}');
    line.split(',').map(str::trim).eq(HEADER)
}

/// Parses the CSV; on error, the 1-based line and why.
pub fn parse_ranges(text: &str) -> Result<Vec<Range>, (usize, String)> {
    // A byte-order mark is what spreadsheet programs put before the header.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Ok(Vec::new());
    };
    let names: Vec<&str> = header.split(',').map(str::trim).collect();
    if names != HEADER {
        return Err((1, format!("the header must be {}", HEADER.join(","))));
    }
    let mut out = Vec::new();
    for (n, line) in lines {
        let line_no = n + 1;
        let cols: Vec<&str> = line.splitn(8, ',').map(str::trim).collect();
        if cols.len() != 8 {
            return Err((line_no, format!("expected 8 columns, found {}", cols.len())));
        }
        let text = |i: usize| (!cols[i].is_empty()).then(|| cols[i].to_string());
        let number = |i: usize| -> Result<Option<f64>, (usize, String)> {
            match cols[i] {
                "" => Ok(None),
                v => v
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .map(Some)
                    .ok_or((line_no, format!("{}: not a number: {v}", HEADER[i]))),
            }
        };
        let (addr, prefix) = cols[0].split_once('/').ok_or((
            line_no,
            format!("network {:?}: expected CIDR (a.b.c.d/n)", cols[0]),
        ))?;
        let network: IpAddr = addr
            .parse()
            .map_err(|_| (line_no, format!("network {:?}: not an address", cols[0])))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix: u8 = prefix
            .parse()
            .ok()
            .filter(|p| *p <= max)
            .ok_or((line_no, format!("network {:?}: bad prefix length", cols[0])))?;
        let asn = match cols[6] {
            "" => None,
            v => Some(
                v.trim_start_matches("AS")
                    .parse::<u32>()
                    .map_err(|_| (line_no, format!("asn: not a number: {v}")))?,
            ),
        };
        out.push(Range {
            network,
            prefix,
            country: text(1),
            region: text(2),
            city: text(3),
            latitude: number(4)?,
            longitude: number(5)?,
            asn,
            as_org: text(7),
        });
    }
    Ok(out)
}
