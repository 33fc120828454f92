//! VPC flow logs (default version 2 format, with its header line) for the production web
//! instances over the day around the exfiltration: ordinary traffic, rejected internet scans,
//! and the compromised instance's outbound connection to the attacker's address.

use std::fmt::Write as _;
use std::path::Path;

use super::clock::{HOUR, parts, utc};
use super::files::write_gz;
use super::geo;
use super::org::{Org, PROD};
use super::rng::Rng;
use super::walkthrough::EXFIL_INSTANCE;

const HEADER: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";

/// Writes one gzipped flow log file per hour from 2026-11-23 12:00 to 2026-11-24 12:00 UTC.
/// Returns the number of files.
pub fn write(root: &Path, org: &Org, seed: u64, exfil_ip: Option<&str>) -> std::io::Result<u64> {
    let mut rng = Rng::new(seed, 9);
    let account = org.account_id(PROD);
    let instances: Vec<_> = org
        .instances
        .iter()
        .enumerate()
        .filter(|(_, i)| org.roles[i.role].account == PROD && i.region == 0)
        .collect();
    let flow_log = format!("fl-0{}", rng.hex(16));
    let first = utc(2026, 11, 23, 12, 0, 0);
    let mut files = 0;
    for h in 0..24 {
        let start = first + h * HOUR;
        let mut text = String::from(HEADER);
        text.push('\n');
        for (idx, inst) in &instances {
            for _ in 0..12 {
                let t = (start + rng.range(0, HOUR)) / 1000;
                let (src, dst, sport, dport, proto, action) = match rng.index(4) {
                    // The load balancer to the app port.
                    0 => (
                        format!("10.0.{}.{}", rng.range(0, 4), rng.range(4, 250)),
                        inst.private_ip.clone(),
                        rng.range(1024, 65535),
                        8080,
                        6,
                        "ACCEPT",
                    ),
                    // Out to AWS APIs through the NAT gateway.
                    1 => (
                        inst.private_ip.clone(),
                        geo::address(&mut rng, geo::NAT_US_EAST_1),
                        rng.range(32768, 61000),
                        443,
                        6,
                        "ACCEPT",
                    ),
                    // DNS to the VPC resolver.
                    2 => (
                        inst.private_ip.clone(),
                        "10.0.0.2".to_string(),
                        rng.range(32768, 61000),
                        53,
                        17,
                        "ACCEPT",
                    ),
                    // Internet scanners knocking on SSH.
                    _ => (
                        geo::address(
                            &mut rng,
                            [geo::LONDON, geo::SINGAPORE, geo::TORONTO][t as usize % 3],
                        ),
                        inst.private_ip.clone(),
                        rng.range(1024, 65535),
                        22,
                        6,
                        "REJECT",
                    ),
                };
                let packets = rng.range(1, 40);
                let _ = writeln!(
                    text,
                    "2 {account} {} {src} {dst} {sport} {dport} {proto} {packets} {} {t} {} {action} OK",
                    inst.eni,
                    packets * rng.range(60, 1400),
                    t + rng.range(1, 60)
                );
            }
            // The reverse shell: the 15th hour of the series is 02:00–03:00 on the 24th, when the
            // compromised instance calls out to the attacker twelve minutes before its keys are used.
            if *idx == EXFIL_INSTANCE && h == 14 {
                if let Some(ip) = exfil_ip {
                    for m in 0..6 {
                        let t = utc(2026, 11, 24, 2, 58 + m / 3, 0) / 1000 + i64::from(m % 3) * 20;
                        let _ = writeln!(
                            text,
                            "2 {account} {} {} {ip} 48872 4444 6 {} {} {t} {} ACCEPT OK",
                            inst.eni,
                            inst.private_ip,
                            rng.range(20, 200),
                            rng.range(4_000, 90_000),
                            t + 55
                        );
                    }
                }
            }
        }
        let p = parts(start + HOUR);
        let path = root.join(format!(
            "AWSLogs/{account}/vpcflowlogs/us-east-1/{:04}/{:02}/{:02}/{account}_vpcflowlogs_us-east-1_{flow_log}_{:04}{:02}{:02}T{:02}{:02}Z_{}.log.gz",
            p.year, p.month, p.day, p.year, p.month, p.day, p.hour, p.minute, rng.hex(8)
        ));
        write_gz(&path, &text)?;
        files += 1;
    }
    Ok(files)
}
