//! Ingest benchmark: `cargo bench --bench ingest` (env `ROLECALL_BENCH_EVENTS`, default 600000;
//! `ROLECALL_BENCH_DIR`, default a folder in the system temp dir, reused between runs).
//!
//! On the generated organisation's `.json.gz` CloudTrail files it measures, in one run on one
//! machine: gunzip alone, gunzip + a bare typed JSON parse (the limit), gunzip + rolecall's own
//! normaliser (no database), then `rolecall ingest` end to end (events/s, peak RSS, bytes per
//! event), a re-ingest (must add nothing), two indexed look-ups, and the same files and look-ups
//! through DuckDB (`read_json`, installed in a venv by this benchmark). Prints ratios.

#[path = "support/bare.rs"]
mod bare;
use bare::bare_parse;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

fn main() -> Result<()> {
    let events: u64 = std::env::var("ROLECALL_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600_000);
    let dir = std::env::var_os("ROLECALL_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("rolecall-bench"));
    std::fs::create_dir_all(&dir)?;
    let bin = env!("CARGO_BIN_EXE_rolecall");
    // Minutes per CloudTrail file: 5 is what CloudTrail does (many small files); 60 gives denser
    // files and isolates the per-record cost.
    let file_minutes: u32 = std::env::var("ROLECALL_BENCH_FILE_MINUTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let org = dir.join(format!("org-{events}-{file_minutes}m"));
    generate(bin, &org, events, file_minutes)?;
    let files = cloudtrail_files(&org.join("AWSLogs"))?;
    let bytes: u64 = files
        .iter()
        .map(|f| f.metadata().map(|m| m.len()).unwrap_or(0))
        .sum();
    println!(
        "machine: {} cores; data: {} CloudTrail .json.gz files ({file_minutes}-minute), {:.1} MB compressed, {:.0} events per file",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        files.len(),
        bytes as f64 / 1e6,
        events as f64 / files.len() as f64
    );

    let (n, gunzip_s, plain_bytes) = time_files(&files, |_| Ok(0))?;
    println!(
        "gunzip only:              {:>8.2} s  ({:.1} MB plain, {:.0} B/event)",
        gunzip_s,
        plain_bytes as f64 / 1e6,
        plain_bytes as f64 / events as f64
    );
    let _ = n;
    let (bare_n, bare_s, _) = time_files(&files, bare_parse)?;
    let bare_rate = bare_n as f64 / bare_s;
    println!(
        "gunzip + bare typed parse: {bare_s:>7.2} s  {bare_rate:>9.0} events/s  ({bare_n} events)"
    );
    let (norm_n, norm_s, _) = time_files(&files, rolecall_parse)?;
    let norm_rate = norm_n as f64 / norm_s;
    println!(
        "gunzip + rolecall parse:  {norm_s:>8.2} s  {norm_rate:>9.0} events/s  ({norm_n} events)"
    );

    let db = dir.join("bench.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let (report, wall, peak_kb) = ingest(bin, &db, &org.join("AWSLogs"))?;
    let new = report["events_new"].as_u64().unwrap_or(0);
    // The ingest proper (read, parse, dedup, write, index), as the command reports it; the
    // process also derives attribution afterwards, shown separately.
    let ingest_s = report["elapsed_ms"].as_f64().unwrap_or(wall * 1000.0) / 1000.0;
    let ingest_rate = new as f64 / ingest_s;
    let size = db_size(&db);
    println!(
        "rolecall ingest:          {ingest_s:>8.2} s  {ingest_rate:>9.0} events/s  ({new} new), peak RSS {:.0} MB, cache {:.1} MB = {:.0} B/event",
        peak_kb as f64 / 1024.0,
        size as f64 / 1e6,
        size as f64 / new.max(1) as f64
    );
    println!(
        "  + attribution:          {:>8.2} s  (whole process {wall:.2} s, {:.0} events/s)",
        wall - ingest_s,
        new as f64 / wall
    );
    let (again, again_wall, _) = ingest(bin, &db, &org.join("AWSLogs"))?;
    println!(
        "re-ingest:                {again_wall:>8.2} s  new {} duplicate {}",
        again["events_new"], again["events_dup"]
    );
    if again["events_new"].as_u64() != Some(0) {
        bail!("re-ingest added events: not idempotent");
    }

    let look = lookups(&db)?;
    println!(
        "look-ups (rolecall): key+window p50 {:.3} ms p99 {:.3} ms ({} rows); principal by API p50 {:.3} ms p99 {:.3} ms ({} rows)",
        look.key.0, look.key.1, look.key.2, look.principal.0, look.principal.1, look.principal.2
    );

    match duckdb(&dir, &org, &look) {
        Ok(d) => {
            let cols = d["load_columns"]["events_per_s"].as_f64().unwrap_or(0.0);
            let raw = d["load_with_raw"]["events_per_s"].as_f64().unwrap_or(0.0);
            let raw_bytes = d["load_with_raw"]["bytes"].as_f64().unwrap_or(0.0);
            println!(
                "duckdb read_json:         {cols:>9.0} events/s without originals, {raw:>9.0} with ({:.0} B/event with)",
                raw_bytes / new.max(1) as f64
            );
            let dk = &d["q_key_window"];
            let dp = &d["q_principal_by_api"];
            println!(
                "look-ups (duckdb):   key+window p50 {:.3} ms p99 {:.3} ms ({} rows); principal by API p50 {:.3} ms p99 {:.3} ms ({} rows)",
                dk["p50_ms"].as_f64().unwrap_or(0.0),
                dk["p99_ms"].as_f64().unwrap_or(0.0),
                dk["rows"],
                dp["p50_ms"].as_f64().unwrap_or(0.0),
                dp["p99_ms"].as_f64().unwrap_or(0.0),
                dp["rows"]
            );
            println!();
            println!("ratios:");
            println!(
                "  ingest / bare parse             {:.2}",
                ingest_rate / bare_rate
            );
            println!(
                "  ingest / duckdb (no originals)  {:.2}",
                ingest_rate / cols
            );
            println!(
                "  ingest / duckdb (with originals) {:.2}",
                ingest_rate / raw
            );
            println!(
                "  look-up p99 duckdb / rolecall   key {:.2}x, principal {:.2}x",
                dk["p99_ms"].as_f64().unwrap_or(0.0) / look.key.1,
                dp["p99_ms"].as_f64().unwrap_or(0.0) / look.principal.1
            );
        }
        Err(e) => {
            println!("duckdb reference: not run ({e:#})");
            println!("ratios:");
            println!(
                "  ingest / bare parse             {:.2}",
                ingest_rate / bare_rate
            );
        }
    }
    Ok(())
}

/// Generates the organisation once per size; a marker says the set is complete.
fn generate(bin: &str, org: &Path, events: u64, file_minutes: u32) -> Result<()> {
    let marker = org.join(".bench-complete");
    if marker.exists() {
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(org);
    let t = Instant::now();
    let status = Command::new(bin)
        .args(["demo", "generate", "--seed", "42", "--events"])
        .arg(events.to_string())
        .arg("--file-minutes")
        .arg(file_minutes.to_string())
        .arg("--out")
        .arg(org)
        .stdout(std::process::Stdio::null())
        .status()
        .context("running the generator")?;
    if !status.success() {
        bail!("generator failed: {status}");
    }
    println!(
        "generated {events} events in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    std::fs::write(marker, b"")?;
    Ok(())
}

fn cloudtrail_files(root: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(root).sort_by_file_name() {
        let e = e?;
        let name = e.file_name().to_string_lossy();
        if e.file_type().is_file()
            && name.ends_with(".json.gz")
            && !e.path().to_string_lossy().contains("CloudTrail-Digest")
        {
            out.push(e.into_path());
        }
    }
    if out.is_empty() {
        bail!("no CloudTrail files under {}", root.display());
    }
    Ok(out)
}

/// Gunzips every file and applies `parse`; returns (records, seconds, plain bytes).
fn time_files(files: &[PathBuf], parse: fn(&[u8]) -> Result<u64>) -> Result<(u64, f64, u64)> {
    let t = Instant::now();
    let mut n = 0;
    let mut plain = 0;
    let mut buf = Vec::new();
    for f in files {
        let raw = std::fs::read(f)?;
        buf.clear();
        flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut buf)?;
        plain += buf.len() as u64;
        n += parse(&buf)?;
    }
    Ok((n, t.elapsed().as_secs_f64(), plain))
}

fn rolecall_parse(data: &[u8]) -> Result<u64> {
    let Some(kind) = rolecall::ingest::json::detect(data) else {
        bail!("not recognised as JSON");
    };
    let mut n = 0u64;
    let mut sink = |item: Result<rolecall::ingest::Record, rolecall::ingest::Bad>| {
        if item.is_ok() {
            n += 1;
        }
        Ok(())
    };
    rolecall::ingest::json::parse(data, kind, &mut sink)?;
    Ok(n)
}

/// Runs `rolecall ingest --json` under GNU time; returns (report, wall seconds, peak RSS KiB).
fn ingest(bin: &str, db: &Path, input: &Path) -> Result<(serde_json::Value, f64, u64)> {
    let t = Instant::now();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "peak_rss_kb=%M", bin, "--db"])
        .arg(db)
        .arg("ingest")
        .arg(input)
        .arg("--json")
        .output()
        .context("running rolecall ingest under /usr/bin/time (apt-get install time)")?;
    let wall = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let peak = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("peak_rss_kb="))
        .filter_map(|v| v.trim().parse().ok())
        .next_back()
        .unwrap_or(0);
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).with_context(|| format!("ingest output: {stderr}"))?;
    Ok((report, wall, peak))
}

fn db_size(db: &Path) -> u64 {
    ["", "-wal"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", db.display())).ok())
        .map(|m| m.len())
        .sum()
}

/// The look-up targets and rolecall's timings: (p50 ms, p99 ms, rows).
struct Lookups {
    access_key: String,
    principal_id: String,
    window: (i64, i64),
    key: (f64, f64, usize),
    principal: (f64, f64, usize),
}

const REPS: usize = 200;

fn percentiles(mut times: Vec<f64>) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    let p99 = ((times.len() as f64 * 0.99) as usize).min(times.len() - 1);
    (times[times.len() / 2], times[p99])
}

/// Picks the busiest temporary key and principal, then times the two look-ups on rolecall's
/// schema: every event of one access key in its time window, and counts by API for one principal.
fn lookups(db: &Path) -> Result<Lookups> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let (access_key, first, last): (String, i64, i64) = conn.query_row(
        "SELECT s.s, MIN(e.time_ms), MAX(e.time_ms) FROM events e JOIN strings s ON s.id = e.access_key
         WHERE s.s LIKE 'ASIA%' GROUP BY e.access_key ORDER BY COUNT(*) DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let principal_id: String = conn.query_row(
        "SELECT s.s FROM events e JOIN strings s ON s.id = e.principal
         WHERE s.s LIKE 'AROA%' GROUP BY e.principal ORDER BY COUNT(*) DESC LIMIT 1",
        [],
        |r| r.get(0),
    )?;
    let window = (first, last + 1);
    let mut key_times = Vec::with_capacity(REPS);
    let mut key_rows = 0;
    for _ in 0..REPS {
        let t = Instant::now();
        let mut stmt = conn.prepare_cached(
            "SELECT e.event_id, e.time_ms, n.s FROM events e JOIN strings n ON n.id = e.name
             WHERE e.access_key = (SELECT id FROM strings WHERE s = ?1)
               AND e.time_ms >= ?2 AND e.time_ms < ?3 ORDER BY e.time_ms",
        )?;
        let rows: Vec<(String, i64, String)> = stmt
            .query_map(rusqlite::params![access_key, window.0, window.1], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        key_times.push(t.elapsed().as_secs_f64() * 1000.0);
        key_rows = rows.len();
    }
    let mut p_times = Vec::with_capacity(REPS);
    let mut p_rows = 0;
    for _ in 0..REPS {
        let t = Instant::now();
        let mut stmt = conn.prepare_cached(
            "SELECT src.s, n.s, COUNT(*) FROM events e
             JOIN strings src ON src.id = e.source JOIN strings n ON n.id = e.name
             WHERE e.principal = (SELECT id FROM strings WHERE s = ?1)
             GROUP BY e.source, e.name ORDER BY 3 DESC",
        )?;
        let rows: Vec<(String, String, i64)> = stmt
            .query_map([&principal_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        p_times.push(t.elapsed().as_secs_f64() * 1000.0);
        p_rows = rows.len();
    }
    let (k50, k99) = percentiles(key_times);
    let (p50, p99) = percentiles(p_times);
    Ok(Lookups {
        access_key,
        principal_id,
        window,
        key: (k50, k99, key_rows),
        principal: (p50, p99, p_rows),
    })
}

/// Runs `benches/duckdb_ref.py` in a venv (created, with duckdb installed, on first use).
fn duckdb(dir: &Path, org: &Path, look: &Lookups) -> Result<serde_json::Value> {
    let venv = dir.join("venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        let ok = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv)
            .status()?
            .success()
            && Command::new(&python)
                .args(["-m", "pip", "install", "--quiet", "duckdb"])
                .status()?
                .success();
        if !ok {
            let _ = std::fs::remove_dir_all(&venv);
            bail!("could not create a venv with duckdb");
        }
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/duckdb_ref.py");
    // One `**` only (DuckDB's limit): AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/file.
    let glob = org.join("AWSLogs/*/CloudTrail/**/*.json.gz");
    let iso = |ms: i64| {
        rolecall::model::format_ms(ms)
            .replace('T', " ")
            .replace('Z', "")
    };
    let out = Command::new(&python)
        .arg(script)
        .arg(glob)
        .arg(dir)
        .arg(&look.access_key)
        .arg(&look.principal_id)
        .arg(iso(look.window.0))
        .arg(iso(look.window.1))
        .output()?;
    if !out.status.success() {
        bail!(
            "duckdb script failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}
