//! Ground truth for new behavior (`truth_behavior.json`), and the change planted for it to find.
//!
//! The planted change: on 2026-11-25 between 03:00 and 04:00 UTC — hours in which it never
//! works — the `backup-bot` IAM user's key is used from Singapore (a country it never called
//! from) with the Python requests library (a user agent it never used), calling
//! `ListBackupJobs` (an API it calls every working day) [`PLANT_CALLS`] times: a burst. It runs
//! on its own random stream and only in the real pass (never in the counting pass), so the
//! rest of the generated data is byte for byte what it was without it.
//!
//! The truth: every call of the watched IAM users (`backup-bot`, `terraform-legacy`: each
//! call of theirs goes through [`Sim::call`], so the generator sees all of them) is recorded
//! as written; for each watched identity and each sampled scope the file lists, from those
//! records alone, the values seen in the scope and not in the 45 days before it — APIs,
//! source IPs, user agents, regions, places and AS organisations (from the ranges the
//! addresses were drawn from) — and the APIs whose count reaches the documented spike rule
//! (at least 10 calls and 3× the baseline's hourly rate). Nothing here comes from rolecall.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::net::Ipv4Addr;
use std::path::Path;

use serde::Serialize;

use super::apis::api;
use super::clock::{DAY, HOUR, utc};
use super::geo::{RANGES, SINGAPORE};
use super::org::{Login, Org, REGIONS};
use super::rng::Rng;
use super::sim::{CallSpec, Caller, Sim, Task};
use super::ua::Ua;

/// The baseline's length (rolecall's default).
const BASELINE_DAYS: i64 = 45;
/// The spike rule as documented: at least this many calls …
const SPIKE_MIN: i64 = 10;
/// … and this many times the baseline's hourly rate.
const SPIKE_FACTOR: i64 = 3;

/// Who is planted on.
pub const PLANT_USER: &str = "backup-bot";
/// The planted hour's start.
pub fn plant_start() -> i64 {
    utc(2026, 11, 25, 3, 0, 0)
}
/// Calls in the burst.
pub const PLANT_CALLS: usize = 60;
const PLANT_API: &str = "ListBackupJobs";
/// IAM users whose every call the truth records.
const WATCHED: [&str; 2] = ["backup-bot", "terraform-legacy"];

/// One recorded call.
#[derive(Debug, Clone)]
struct Rec {
    time: i64,
    api: String,
    ip: String,
    ua: String,
    region: &'static str,
}

/// The watched identities' calls, and the planted stream.
#[derive(Debug)]
pub struct Watch {
    /// Person index → its calls, in time order.
    calls: BTreeMap<usize, Vec<Rec>>,
    rng: Rng,
    plant_ip: String,
}

impl Watch {
    pub fn new(org: &Org, seed: u64) -> Watch {
        let mut rng = Rng::new(seed ^ 0xBE4A_710A, 11);
        let plant_ip = super::geo::address(&mut rng, SINGAPORE);
        let calls = WATCHED
            .iter()
            .filter_map(|n| org.people.iter().position(|p| p.name == *n))
            .map(|p| (p, Vec::new()))
            .collect();
        Watch {
            calls,
            rng,
            plant_ip,
        }
    }

    /// Records a written call of an IAM user, when it is watched.
    pub fn record(&mut self, p: usize, time: i64, api: &str, ip: &str, ua: &str, region: usize) {
        if let Some(v) = self.calls.get_mut(&p) {
            v.push(Rec {
                time,
                api: api.to_string(),
                ip: ip.to_string(),
                ua: ua.to_string(),
                region: REGIONS[region],
            });
        }
    }
}

/// Queues the planted calls (real pass only: the counting pass must not see them).
pub fn schedule(sim: &mut Sim) {
    if sim.out.trail.is_none() {
        return;
    }
    let start = plant_start() + 4 * 60_000;
    for i in 0..PLANT_CALLS {
        // A call every 50 seconds: 50 minutes of a script looping over backup jobs.
        sim.at(start + i as i64 * 50_000, Task::Plant);
    }
}

/// One planted call, on the plant's own random stream.
pub fn plant_step(sim: &mut Sim) -> io::Result<()> {
    let p = sim.org.person(PLANT_USER);
    let ip = sim.watch.plant_ip.clone();
    std::mem::swap(&mut sim.rng, &mut sim.watch.rng);
    let result = sim.call(
        Caller::IamUser(p),
        CallSpec {
            api: api(PLANT_API),
            region: sim.org.people[p].region,
            ip: &ip,
            ua: Ua::PythonRequests,
            request: None,
            fail: Some(false),
            force_truth: false,
            scaled: false,
        },
    );
    std::mem::swap(&mut sim.rng, &mut sim.watch.rng);
    result.map(|_| ())
}

/// What one identity did new in one scope.
#[derive(Debug, Serialize)]
pub struct Expected {
    /// `arn:aws:iam::ACCOUNT:user/NAME`.
    pub identity: String,
    pub scope_start_ms: i64,
    pub scope_end_ms: i64,
    pub baseline_days: i64,
    /// Whether this is the planted change.
    pub planted: bool,
    pub calls_in_scope: usize,
    pub new_api_calls: BTreeSet<String>,
    pub new_source_ips: BTreeSet<String>,
    pub new_user_agents: BTreeSet<String>,
    pub new_regions: BTreeSet<String>,
    /// `City, REGION, CC` (the ranges' columns, as a map labels them).
    pub new_geolocations: BTreeSet<String>,
    pub new_asos: BTreeSet<String>,
    pub increased_volume: BTreeSet<String>,
}

/// Writes `truth_behavior.json`: the planted scope and, for every watched identity, the scope
/// of each of the window's last 7 whole days and the planted hour.
pub fn write(path: &Path, org: &Org, watch: &Watch, end_ms: i64) -> io::Result<()> {
    let last_day = end_ms.div_euclid(DAY) * DAY;
    let mut out = Vec::new();
    for (&p, calls) in &watch.calls {
        let person = &org.people[p];
        let Login::IamUser { account, .. } = &person.login else {
            continue;
        };
        let identity = format!(
            "arn:aws:iam::{}:user/{}",
            org.account_id(*account),
            person.name
        );
        let mut scopes: Vec<(i64, i64, bool)> = (1..=7)
            .map(|d| (last_day - d * DAY, last_day - (d - 1) * DAY, false))
            .collect();
        scopes.push((
            plant_start(),
            plant_start() + HOUR,
            person.name == PLANT_USER,
        ));
        for (start, end, planted) in scopes {
            out.push(expected(&identity, calls, start, end, planted));
        }
    }
    let text = serde_json::to_string_pretty(&serde_json::json!({
        "generator": "rolecall-demo/1",
        "what": "new behavior of watched identities, computed from the calls the generator wrote",
        "scopes": out,
    }))
    .map_err(io::Error::other)?;
    super::files::write_text(path, &text)
}

fn expected(identity: &str, calls: &[Rec], start: i64, end: i64, planted: bool) -> Expected {
    let base_start = start - BASELINE_DAYS * DAY;
    let base: Vec<&Rec> = calls
        .iter()
        .filter(|c| c.time >= base_start && c.time < start)
        .collect();
    let scope: Vec<&Rec> = calls
        .iter()
        .filter(|c| c.time >= start && c.time < end)
        .collect();
    let new = |f: &dyn Fn(&Rec) -> Option<String>| -> BTreeSet<String> {
        let known: BTreeSet<String> = base.iter().filter_map(|c| f(c)).collect();
        scope
            .iter()
            .filter_map(|c| f(c))
            .filter(|v| !known.contains(v))
            .collect()
    };
    let mut base_count: BTreeMap<&str, i64> = BTreeMap::new();
    for c in &base {
        *base_count.entry(c.api.as_str()).or_default() += 1;
    }
    let mut scope_count: BTreeMap<&str, i64> = BTreeMap::new();
    for c in &scope {
        *scope_count.entry(c.api.as_str()).or_default() += 1;
    }
    // The watched users call from the window's first day on, and every day of the window
    // has data: the baseline spans all of its 45 days.
    let base_ms = BASELINE_DAYS * DAY;
    let increased_volume = scope_count
        .iter()
        .filter(|(api, n)| {
            let b = base_count.get(*api).copied().unwrap_or(0);
            b > 0
                && **n >= SPIKE_MIN
                && i128::from(**n) * i128::from(base_ms)
                    >= i128::from(SPIKE_FACTOR) * i128::from(b) * i128::from(end - start)
        })
        .map(|(api, _)| api.to_string())
        .collect();
    Expected {
        identity: identity.to_string(),
        scope_start_ms: start,
        scope_end_ms: end,
        baseline_days: BASELINE_DAYS,
        planted,
        calls_in_scope: scope.len(),
        new_api_calls: new(&|c| Some(c.api.clone())),
        new_source_ips: new(&|c| Some(c.ip.clone())),
        new_user_agents: new(&|c| Some(c.ua.clone())),
        new_regions: new(&|c| Some(c.region.to_string())),
        new_geolocations: new(&|c| range_of(&c.ip).map(place_label)),
        new_asos: new(&|c| range_of(&c.ip).map(|r| r.as_org.to_string())),
        increased_volume,
    }
}

/// The range an address was drawn from (the most specific).
fn range_of(ip: &str) -> Option<&'static super::geo::Range> {
    let ip: Ipv4Addr = ip.parse().ok()?;
    let ip = u32::from(ip);
    RANGES
        .iter()
        .filter(|r| !r.country.is_empty())
        .filter(|r| {
            let mask = if r.prefix == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(r.prefix))
            };
            ip & mask == u32::from_be_bytes(r.base) & mask
        })
        .max_by_key(|r| r.prefix)
}

fn place_label(r: &super::geo::Range) -> String {
    [r.city, r.region, r.country]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}
