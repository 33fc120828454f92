//! `rolecall demo [--no-tui]`: build the bundled demo cache (generate an organisation's logs,
//! ingest them through the normal ingest path) and open it; `rolecall demo generate …`: write a
//! generated organisation's logs for tests, benchmarks or exploring.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::Ctx;
use crate::demo::{GenerateOptions, GenerateReport, WALKTHROUGH_FINDING_ID, generate};
use crate::ingest::{IngestOptions, ingest_paths_with_progress};
use crate::store::Store;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// Build the cache and stop, without opening the console.
    #[arg(long)]
    no_tui: bool,
    #[command(subcommand)]
    command: Option<DemoCommand>,
}

#[derive(Debug, clap::Subcommand)]
enum DemoCommand {
    /// Write a generated organisation's CloudTrail, GuardDuty and VPC flow files, an IP-range
    /// CSV and truth.json. Same options, same bytes.
    Generate(GenerateArgs),
}

#[derive(Debug, clap::Args)]
struct GenerateArgs {
    /// Output directory (created; must be empty).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// About this many CloudTrail events (10 000 000 works: memory stays flat).
    #[arg(long, default_value_t = 300_000)]
    events: u64,
    /// Accounts, at least 5 (management, security, prod, dev, vendor).
    #[arg(long, default_value_t = 5)]
    accounts: usize,
    /// Months of history before 2026-11-27.
    #[arg(long, default_value_t = 4)]
    months: u32,
    /// Minutes per CloudTrail file (CloudTrail delivers about every 5).
    #[arg(long, default_value_t = 5)]
    file_minutes: u32,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Some(DemoCommand::Generate(g)) => run_generate(g),
        None => run_demo(ctx, args.no_tui),
    }
}

fn run_generate(g: GenerateArgs) -> anyhow::Result<ExitCode> {
    let opts = GenerateOptions {
        out: g.out,
        seed: g.seed,
        events: g.events,
        accounts: g.accounts,
        months: g.months,
        file_minutes: g.file_minutes,
    };
    let started = std::time::Instant::now();
    let report = generate(&opts)?;
    if g.json {
        outln!("{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        print_report(&report, started.elapsed().as_secs_f64())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_report(r: &GenerateReport, secs: f64) -> anyhow::Result<()> {
    outln!("wrote:    {}", r.out.display())?;
    outln!(
        "events:   {} ({} in files), {} trail files, {:.1} MB of JSON",
        r.events,
        r.events_written,
        r.trail_files,
        r.trail_bytes as f64 / 1e6
    )?;
    outln!(
        "truth:    {} entries ({} issuances)",
        r.truth_entries,
        r.issuances
    )?;
    outln!(
        "also:     {} GuardDuty files, {} flow log files, geo/ip-ranges.csv",
        r.finding_files,
        r.flow_files
    )?;
    outln!("time:     {secs:.1} s")?;
    Ok(())
}

/// The demo cache and its generated files: `--db` when given, else `demo.db` next to the
/// default cache; the files in `demo/` beside it.
fn demo_paths(ctx: &Ctx) -> (PathBuf, PathBuf) {
    let db = if ctx.db == super::default_db_path() {
        ctx.db.with_file_name("demo.db")
    } else {
        ctx.db.clone()
    };
    let data = db.parent().unwrap_or(Path::new(".")).join("demo");
    (db, data)
}

fn marker_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(".demo-complete");
    PathBuf::from(p)
}

fn run_demo(ctx: &Ctx, no_tui: bool) -> anyhow::Result<ExitCode> {
    let (db, data) = demo_paths(ctx);
    let marker = marker_path(&db);
    let started = std::time::Instant::now();
    let stop_logging = if marker.exists() && db.exists() {
        let text = std::fs::read_to_string(&marker).context("reading the demo marker")?;
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        outln!("Reusing the demo cache built earlier.")?;
        v["stop_logging_event_id"].as_str().map(String::from)
    } else {
        build(ctx, &db, &data, &marker)?
    };
    if !no_tui {
        // The console opens on the walkthrough finding, its actor focused: Enter goes to
        // sara's role session with the finding's hour as the scope.
        crate::tui::run(crate::tui::Options {
            db: db.clone(),
            finding: Some(WALKTHROUGH_FINDING_ID.to_string()),
            ..crate::tui::Options::default()
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!()?;
    outln!("Demo cache:  {}", db.display())?;
    outln!("Its logs:    {}", data.display())?;
    outln!("Built in:    {:.1} s", started.elapsed().as_secs_f64())?;
    outln!()?;
    outln!("The walkthrough starts from GuardDuty finding {WALKTHROUGH_FINDING_ID}:")?;
    outln!(
        "  Stealth:IAMUser/CloudTrailLoggingDisabled, trail demo-trail-2, 2026-11-18 14:00-15:00 UTC,"
    )?;
    outln!("  actor AWSReservedSSO_AdministratorAccess_598c5f73f8b2b4e5 (session sara).")?;
    outln!()?;
    outln!("Open it in the console:")?;
    let db_arg = format!("--db '{}'", db.display());
    outln!("  rolecall {db_arg} tui --finding {WALKTHROUGH_FINDING_ID}")?;
    outln!("Or try:")?;
    outln!("  rolecall {db_arg} findings")?;
    if let Some(id) = stop_logging {
        outln!("  rolecall {db_arg} chain {id} --json")?;
    }
    outln!("  rolecall {db_arg} db info")?;
    Ok(ExitCode::SUCCESS)
}

/// Generates the demo files and ingests them. Writes the marker only when ingest read
/// everything, so an interrupted or partial build is redone next time.
fn build(ctx: &Ctx, db: &Path, data: &Path, marker: &Path) -> anyhow::Result<Option<String>> {
    if data.exists() {
        // Only ever delete a folder that is recognisably a previous, unfinished demo build.
        let ours = data.join("truth.json").exists()
            || std::fs::read_dir(data)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
        if !ours {
            anyhow::bail!(
                "{} exists and is not a demo build: move it away or use --db elsewhere",
                data.display()
            );
        }
        std::fs::remove_dir_all(data).with_context(|| format!("removing {}", data.display()))?;
    }
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::store::create_dir_owner_only(dir)?;
    }
    let opts = GenerateOptions::demo(data);
    let report = with_clock(
        &format!(
            "Generating the demo organisation's logs into {}",
            data.display()
        ),
        || generate(&opts),
    )?;
    eprintln!(
        "Ingesting {} events into {} …",
        report.events_written,
        db.display()
    );
    let mut store =
        Store::open(db).with_context(|| format!("cannot open the cache {}", db.display()))?;
    // The organisation's ranges CSV too: ingest keeps it in the cache, so the demo places its
    // addresses (sara in Bellevue and Ashburn) with no database and no configuration.
    let paths = [
        data.join("AWSLogs"),
        data.join("guardduty"),
        data.join("geo"),
    ];
    let mut bar = super::ingest::ProgressBar::new(true);
    let ingested = ingest_paths_with_progress(
        &mut store,
        &paths,
        &IngestOptions {
            measure_total: bar.is_some(),
            ..IngestOptions::default()
        },
        &mut |p| bar.update(p),
        ctx.now_ms,
    );
    bar.finish();
    let ingested = ingested?;
    // Reading never derives: the demo's sessions and chains are derived here, like any ingest's.
    crate::analysis::refresh(&mut store).context("deriving attribution after ingest")?;
    let t = &ingested.totals;
    outln!(
        "Ingested {} events, {} findings, {} flows ({} rejected).",
        t.events_new,
        t.findings_new,
        t.flows_new,
        t.rejected
    )?;
    if t.rejected > 0 {
        outln!(
            "Some files were not read (`rolecall --db '{}' db rejects`): the cache will be rebuilt next time.",
            db.display()
        )?;
    } else {
        let v = serde_json::json!({
            "generator": "rolecall-demo/1",
            "seed": opts.seed,
            "events": report.events_written,
            "walkthrough_finding_id": WALKTHROUGH_FINDING_ID,
            "stop_logging_event_id": report.stop_logging_event_id,
        });
        std::fs::write(marker, v.to_string())
            .with_context(|| format!("writing {}", marker.display()))?;
    }
    Ok(report.stop_logging_event_id)
}

/// Runs `work` under a line that says what is happening; on a terminal the line counts the
/// seconds, so a first run's quiet generation (tens of seconds) does not look like a hang.
fn with_clock<T>(what: &str, work: impl FnOnce() -> T) -> T {
    use std::sync::atomic::{AtomicBool, Ordering};
    let what = crate::text::sanitize(what);
    if !std::io::stderr().is_terminal() {
        eprintln!("{what} …");
        return work();
    }
    // The message (a path of any length) goes on a line of its own; only the short counter
    // below it is rewritten: `\r` cannot return over a line the terminal has wrapped.
    eprintln!("{what} …");
    let started = std::time::Instant::now();
    let done = AtomicBool::new(false);
    let out = std::thread::scope(|s| {
        s.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                eprint!("\r  {} s", started.elapsed().as_secs());
                std::thread::sleep(std::time::Duration::from_millis(250));
            }
        });
        let out = work();
        done.store(true, Ordering::Relaxed);
        out
    });
    eprintln!("\r  done in {} s", started.elapsed().as_secs());
    out
}
