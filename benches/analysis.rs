//! Analysis benchmark: `cargo bench --bench analysis` (env `ROLECALL_BENCH_EVENTS`, default
//! 1 000 000; `ROLECALL_BENCH_DIR` as for the ingest benchmark, whose generated data it reuses).
//!
//! Builds a cache from the generated organisation in two steps — everything but the last day,
//! then the last day — and times attribution (`analysis::refresh`) after each: the full
//! derivation, then the incremental one for one day of new data. Then it times every analysis
//! the CLI and the console use, in process (p50 / p99 / max over sampled IDs), and whole
//! `rolecall … --json` processes (start-up, open, query, print) against the 100 ms budget —
//! among them `activity` of the busiest session, its role and its account for scopes of an hour
//! to a year (`ROLECALL_BENCH_RUNS` runs each, default 30), and `behavior` of the busiest
//! session, its role and its account. Prints the cache's size per event
//! and what the roll-ups take of it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use rolecall::analysis;
use rolecall::ingest::{IngestOptions, ingest_paths};
use rolecall::model::Target;
use rolecall::store::Store;

const BUDGET_MS: f64 = 100.0;

fn main() -> Result<()> {
    let events: u64 = std::env::var("ROLECALL_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = std::env::var_os("ROLECALL_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("rolecall-bench"));
    std::fs::create_dir_all(&dir)?;
    let org = dir.join(format!("org-{events}-5m"));
    generate(&org, events)?;

    let (history, last_day) = split_last_day(&org.join("AWSLogs"))?;
    let db = dir.join(format!("analysis-{events}.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let mut store = Store::open(&db)?;
    let now = 0;
    let t = Instant::now();
    let day_files = last_day.len();
    let mut first = history;
    first.push(org.join("guardduty"));
    // The organisation's ranges CSV: behavior places its addresses from the cache.
    first.push(org.join("geo"));
    let r = ingest_paths(&mut store, &first, &IngestOptions::default(), now)?;
    println!(
        "ingest all but one day: {} events in {:.1} s",
        r.totals.events_new,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let full = analysis::refresh(&mut store)?;
    println!(
        "attribution, full derivation: {:.2} s for {} events",
        t.elapsed().as_secs_f64(),
        full.events
    );
    let t = Instant::now();
    let r = ingest_paths(&mut store, &last_day, &IngestOptions::default(), now)?;
    let ingest_day = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let inc = analysis::refresh(&mut store)?;
    println!(
        "one more day ({day_files} files): ingest {} events in {:.2} s, attribution {:.3} s",
        r.totals.events_new,
        ingest_day,
        t.elapsed().as_secs_f64()
    );
    let _ = inc;
    drop(store);
    report_size(&db, full.events + inc.events)?;

    let store = Store::open_read_only(&db)?;
    let conn = store.conn();
    let ids = sample_ids(conn)?;
    println!(
        "sampled: {} event IDs, {} access keys, {} principals, {} roles, {} findings",
        ids.events.len(),
        ids.keys.len(),
        ids.principals.len(),
        ids.roles.len(),
        ids.findings.len()
    );
    println!();
    println!(
        "{:<34} {:>9} {:>9} {:>9} {:>6}",
        "analysis (in process)", "p50 ms", "p99 ms", "max ms", "runs"
    );
    let scope = analysis::resolve_scope(conn, None, chrono::Utc::now().timestamp_millis())?;
    let mut worst: f64 = 0.0;
    let mut report = |name: &str, times: Vec<f64>| {
        let (p50, p99, max) = stats(times.clone());
        worst = worst.max(p99);
        println!(
            "{name:<34} {p50:>9.2} {p99:>9.2} {max:>9.2} {:>6}",
            times.len()
        );
    };
    report(
        "chain <event ID>",
        time_each(&ids.events, |q| analysis::build_chain(conn, q).map(|_| ()))?,
    );
    report(
        "resolve <principal ID>",
        time_each(&ids.principals, |q| analysis::resolve(conn, q).map(|_| ()))?,
    );
    report(
        "chain <access key>",
        time_each(&ids.keys, |q| analysis::build_chain(conn, q).map(|_| ()))?,
    );
    report(
        "chain <principal ID>",
        time_each(&ids.principals, |q| {
            analysis::build_chain(conn, q).map(|_| ())
        })?,
    );
    report(
        "sessions --role <role>",
        time_each(&ids.roles, |q| {
            analysis::build_sessions(conn, Some(q), None, 500).map(|_| ())
        })?,
    );
    report(
        "sessions --scope (last 24 h)",
        time_each(&ids.roles[..1], |_| {
            analysis::build_sessions(conn, None, Some(scope), 500).map(|_| ())
        })?,
    );
    report(
        "role <role>",
        time_each(&ids.roles, |q| {
            analysis::build_role(conn, q, None).map(|_| ())
        })?,
    );
    report(
        "activity <principal> (24 h, 1 h)",
        time_each(&ids.principals, |q| {
            analysis::build_activity(conn, &Target::session(q), scope, 3_600_000).map(|_| ())
        })?,
    );
    report(
        "activity <role> (24 h, 1 h)",
        time_each(&ids.roles, |q| {
            analysis::build_activity(conn, &Target::role(q), scope, 3_600_000).map(|_| ())
        })?,
    );
    report(
        "findings",
        time_each(&ids.findings[..1.min(ids.findings.len())], |_| {
            analysis::build_findings(conn, 500).map(|_| ())
        })?,
    );
    report(
        "finding <id>",
        time_each(&ids.findings, |q| {
            analysis::build_finding(conn, q).map(|_| ())
        })?,
    );
    let busiest = busiest_session(conn)?;
    println!(
        "busiest session {} ({} calls), role {}, account {}",
        busiest.0, busiest.3, busiest.1, busiest.2
    );
    let ip = busiest_ip(conn)?;
    println!("busiest IP address {ip}");
    for span in ["24h", "30d"] {
        let scope = analysis::resolve_scope(
            conn,
            Some(&format!("last:{span}")),
            chrono::Utc::now().timestamp_millis(),
        )?;
        for (label, target) in [
            ("account", Target::account(busiest.2.as_str())),
            ("ip", Target::ip(&ip).context("an address")?),
        ] {
            report(
                &format!("profile <{label}> (last {span})"),
                time_each(&ids.roles[..1], |_| {
                    analysis::build_profile(conn, &target, scope).map(|_| ())
                })?,
            );
        }
    }
    // New behavior of the busiest session, its role and its account, the addresses placed by
    // the organisation's ranges kept in the cache (as `rolecall behavior` does with no
    // database).
    let geo = rolecall::geo::Geo::none().with_ranges(analysis::org_ranges(conn)?);
    for span in ["1h", "24h", "7d"] {
        let scope = analysis::resolve_scope(
            conn,
            Some(&format!("last:{span}")),
            chrono::Utc::now().timestamp_millis(),
        )?;
        for (label, target) in [
            ("session", Target::session(busiest.0.as_str())),
            ("role", Target::role(busiest.1.as_str())),
            ("account", Target::account(busiest.2.as_str())),
        ] {
            report(
                &format!("behavior <{label}> (last {span})"),
                time_each(&vec![String::new(); 10], |_| {
                    analysis::build_behavior(conn, &geo, &target, scope, 45).map(|_| ())
                })?,
            );
        }
    }
    report(
        "behavior <role> (24 h, sampled)",
        time_each(&ids.roles, |q| {
            analysis::build_behavior(conn, &geo, &Target::role(q), scope, 45).map(|_| ())
        })?,
    );
    println!();
    let bin = env!("CARGO_BIN_EXE_rolecall");
    let mut cli: Vec<(String, Vec<String>)> = Vec::new();
    if let Some(e) = ids.events.first() {
        cli.push((
            "rolecall chain <event> --json".into(),
            vec!["chain".into(), e.clone()],
        ));
    }
    if let Some(r) = ids.roles.first() {
        cli.push((
            "rolecall role <role> --json".into(),
            vec!["role".into(), r.clone()],
        ));
    }
    if let Some(p) = ids.principals.first() {
        cli.push((
            "rolecall activity <principal> --json".into(),
            vec!["activity".into(), p.clone()],
        ));
    }
    cli.push(("rolecall findings --json".into(), vec!["findings".into()]));
    // The busiest session, its role, its account and the busiest IP over scopes from an hour
    // to a year, ending at the end of the data (not on a midnight: the edges are the costly
    // part).
    for (label, id) in [
        ("session", &busiest.0),
        ("role", &busiest.1),
        ("account", &busiest.2),
        ("ip", &ip),
    ] {
        for span in ["1h", "24h", "7d", "30d", "90d", "365d"] {
            cli.push((
                format!("activity <{label}> last:{span}"),
                vec![
                    "activity".into(),
                    id.clone(),
                    "--scope".into(),
                    format!("last:{span}"),
                ],
            ));
        }
    }
    for (label, id) in [("session", &busiest.0), ("role", &busiest.1)] {
        for span in ["1h", "24h"] {
            cli.push((
                format!("behavior <{label}> last:{span}"),
                vec![
                    "behavior".into(),
                    id.clone(),
                    "--scope".into(),
                    format!("last:{span}"),
                ],
            ));
        }
    }
    println!(
        "{:<34} {:>9} {:>9} {:>9} {:>6}",
        "whole process", "p50 ms", "p99 ms", "max ms", "runs"
    );
    let runs: usize = std::env::var("ROLECALL_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    for (name, args) in cli {
        let mut times = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let out = Command::new(bin)
                .arg("--db")
                .arg(&db)
                .args(&args)
                .arg("--json")
                .output()?;
            if !out.status.success() {
                bail!("{name}: {}", String::from_utf8_lossy(&out.stderr));
            }
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let (p50, p99, max) = stats(times);
        worst = worst.max(p99);
        println!("{name:<34} {p50:>9.2} {p99:>9.2} {max:>9.2} {runs:>6}");
    }
    println!();
    println!(
        "worst p99: {worst:.1} ms against the {BUDGET_MS:.0} ms budget: {}",
        if worst < BUDGET_MS { "within" } else { "OVER" }
    );
    Ok(())
}

/// The role session with the most calls: its principal ID, role ARN, account and calls.
fn busiest_session(conn: &rusqlite::Connection) -> Result<(String, String, String, i64)> {
    Ok(conn.query_row(
        "SELECT (SELECT s FROM strings WHERE id = p.principal),
            (SELECT s FROM strings WHERE id = p.issuer_arn),
            (SELECT s FROM strings WHERE id = p.account), p.events
         FROM principals p
         WHERE p.user_type = (SELECT id FROM strings WHERE s = 'AssumedRole')
            AND p.issuer_arn IS NOT NULL AND p.account IS NOT NULL
         ORDER BY p.events DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?)
}

/// The source IP address (not a service name) with the most calls.
fn busiest_ip(conn: &rusqlite::Connection) -> Result<String> {
    let mut stmt = conn.prepare(
        "SELECT (SELECT s FROM strings WHERE id = entity / 4) FROM rollup_hours
         WHERE entity % 4 = 3 GROUP BY entity ORDER BY SUM(ok + failed) DESC LIMIT 20",
    )?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    for ip in rows {
        let ip = ip?;
        if ip.parse::<std::net::IpAddr>().is_ok() {
            return Ok(ip);
        }
    }
    bail!("no IP address in the cache")
}

/// The cache's size per event, and what the roll-ups take of it.
fn report_size(db: &Path, events: i64) -> Result<()> {
    let conn = rusqlite::Connection::open(db)?;
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    let bytes = std::fs::metadata(db)?.len() as f64;
    let per_event = |b: f64| b / events.max(1) as f64;
    println!(
        "cache: {:.0} MB, {:.0} B/event",
        bytes / 1e6,
        per_event(bytes)
    );
    let mut stmt = conn.prepare(
        "SELECT name, SUM(pgsize) FROM dbstat
         WHERE name LIKE 'rollup%' OR name LIKE 'activity_hours%' OR name IN
            ('principals', 'session_keys')
         GROUP BY name ORDER BY name",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (name, size) = row?;
        println!(
            "  {name:<28} {:>8.1} MB {:>6.1} B/event",
            size as f64 / 1e6,
            per_event(size as f64)
        );
    }
    Ok(())
}

fn generate(org: &Path, events: u64) -> Result<()> {
    let marker = org.join(".bench-complete");
    if marker.exists() {
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(org);
    let t = Instant::now();
    let mut opts = rolecall::demo::GenerateOptions::new(org);
    opts.seed = 42;
    opts.events = events;
    rolecall::demo::generate(&opts).context("generating the organisation")?;
    println!(
        "generated {events} events in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    std::fs::write(marker, b"")?;
    Ok(())
}

/// CloudTrail files split into (all but one day, that day), by the S3 layout's `YYYY/MM/DD`
/// folders. The day is the last complete one (the very last folder is the partial day the
/// data ends in).
fn split_last_day(root: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for e in walkdir::WalkDir::new(root) {
        let e = e?;
        if !e.file_type().is_file() {
            continue;
        }
        let parts: Vec<String> = e
            .path()
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let n = parts.len();
        if n < 4 {
            continue;
        }
        let day = format!("{}/{}/{}", parts[n - 4], parts[n - 3], parts[n - 2]);
        files.push((day, e.into_path()));
    }
    let mut days: Vec<&String> = files.iter().map(|(d, _)| d).collect();
    days.sort();
    days.dedup();
    let Some(last) = days
        .iter()
        .rev()
        .nth(1)
        .or(days.last())
        .map(|d| (*d).clone())
    else {
        bail!("no files under {}", root.display());
    };
    let (day, rest): (Vec<_>, Vec<_>) = files.into_iter().partition(|(d, _)| *d == last);
    Ok((
        rest.into_iter().map(|(_, p)| p).collect(),
        day.into_iter().map(|(_, p)| p).collect(),
    ))
}

struct Ids {
    events: Vec<String>,
    keys: Vec<String>,
    principals: Vec<String>,
    roles: Vec<String>,
    findings: Vec<String>,
}

/// IDs spread evenly over the cache (deterministic): events by row, sessions and roles by their
/// activity.
fn sample_ids(conn: &rusqlite::Connection) -> Result<Ids> {
    let strings = |sql: &str| -> Result<Vec<String>> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    Ok(Ids {
        events: strings(
            "SELECT event_id FROM events
             WHERE id % (SELECT MAX(id) / 200 + 1 FROM events) = 0 AND principal IS NOT NULL LIMIT 200",
        )?,
        keys: strings(
            "SELECT s.s FROM sts_calls c JOIN strings s ON s.id = c.issued_key
             WHERE c.event % 37 = 0 LIMIT 100",
        )?,
        principals: strings(
            "SELECT s.s FROM (SELECT DISTINCT principal FROM events WHERE id % 997 = 0) p
             JOIN strings s ON s.id = p.principal WHERE s.s LIKE 'AROA%' LIMIT 100",
        )?,
        roles: strings(
            "SELECT s.s FROM (SELECT DISTINCT role_arn FROM sts_calls WHERE role_arn IS NOT NULL) r
             JOIN strings s ON s.id = r.role_arn LIMIT 50",
        )?,
        findings: strings("SELECT DISTINCT finding_id FROM findings")?,
    })
}

fn time_each(ids: &[String], mut f: impl FnMut(&str) -> analysis::Result<()>) -> Result<Vec<f64>> {
    let mut out = Vec::with_capacity(ids.len() * 3);
    for _round in 0..3 {
        for id in ids {
            let t = Instant::now();
            f(id)?;
            out.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    Ok(out)
}

fn stats(mut times: Vec<f64>) -> (f64, f64, f64) {
    if times.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    times.sort_by(f64::total_cmp);
    let p99 = ((times.len() as f64 * 0.99) as usize).min(times.len() - 1);
    (times[times.len() / 2], times[p99], times[times.len() - 1])
}
