//! Reading generated demo files back the way any tool would: gunzip, parse JSON. The demo
//! tests check the files, never the generator's internals.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Read;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Every file under `dir`, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    out.sort();
    out
}

pub fn gunzip(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).expect("read");
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&raw[..])
        .read_to_end(&mut out)
        .expect("gunzip");
    out
}

/// Every CloudTrail record in the trail files, with the file it came from.
pub fn records(dir: &Path) -> Vec<Value> {
    let mut out = Vec::new();
    for f in files(&dir.join("AWSLogs")) {
        let name = f.to_string_lossy();
        if !name.contains("/CloudTrail/") {
            continue;
        }
        let v: Value = serde_json::from_slice(&gunzip(&f)).expect("trail file is JSON");
        let Value::Array(recs) = v["Records"].clone() else {
            panic!("{name}: no Records array");
        };
        out.extend(recs);
    }
    out
}

/// `truth.json`, parsed.
pub fn truth(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("truth.json")).expect("truth.json"))
        .expect("truth.json is one JSON document")
}

/// Records by `eventID`.
pub fn by_id(records: &[Value]) -> HashMap<String, &Value> {
    records
        .iter()
        .map(|r| (r["eventID"].as_str().unwrap_or_default().to_string(), r))
        .collect()
}

/// The IP-range CSV: `(network, prefix, city, as_org)`.
pub fn ranges(dir: &Path) -> Vec<(Ipv4Addr, u8, String, String)> {
    let text = std::fs::read_to_string(dir.join("geo/ip-ranges.csv")).expect("csv");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("network,country,region,city,latitude,longitude,asn,as_org")
    );
    lines
        .map(|l| {
            let cols: Vec<&str> = l.split(',').collect();
            let (net, prefix) = cols[0].split_once('/').expect("CIDR");
            (
                net.parse().expect("network"),
                prefix.parse().expect("prefix"),
                cols[3].to_string(),
                cols[7].to_string(),
            )
        })
        .collect()
}

/// The city and AS organisation of `ip` from the CSV.
pub fn locate(ranges: &[(Ipv4Addr, u8, String, String)], ip: &str) -> Option<(String, String)> {
    let ip: Ipv4Addr = ip.parse().ok()?;
    ranges
        .iter()
        .find(|(net, prefix, _, _)| {
            let mask = u32::MAX.checked_shl(32 - u32::from(*prefix)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(*net)
        })
        .map(|(_, _, city, org)| (city.clone(), org.clone()))
}

pub fn s<'a>(v: &'a Value, path: &str) -> &'a str {
    v.pointer(path).and_then(Value::as_str).unwrap_or_default()
}
