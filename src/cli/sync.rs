//! `rolecall sync [cloudtrail|s3|guardduty …]`: builds a `SyncPlan` from the arguments (or the
//! sources file when no source is named), runs `ingest::aws::sync`, draws one progress line per
//! task on a terminal, prints a summary (or `--json`), and derives attribution at the end. Ctrl-C
//! stops cleanly (a second one ends the process at once). Exit status: 0, 2 when records were
//! rejected, 3 credentials, 4 access denied, 5 a region or bucket problem, 6 throttling or the
//! network, 130 stopped, 1 anything else.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Context;

use super::Ctx;
use crate::ingest::aws::{
    self, CloudTrailSource, GuardDutySource, Lookup, Regions, S3Source, Source, SyncPlan,
    SyncProgress, SyncReport, TaskState, TaskView, parse_window,
};
use crate::text::sanitize;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A source to sync; none: the sources file's (`--print-config` shows them).
    #[command(subcommand)]
    source: Option<SourceArgs>,
    /// An AWS profile (repeat for several accounts; SSO profiles need `aws sso login` first).
    /// Default: the standard chain (`AWS_PROFILE`, environment, instance role…).
    #[arg(long = "profile", value_name = "PROFILE", global = true)]
    profiles: Vec<String>,
    /// Send requests here instead of AWS (an S3-compatible store, a local test server).
    #[arg(long, value_name = "URL", global = true)]
    endpoint_url: Option<String>,
    /// Show what would run, and from which sources file, then stop.
    #[arg(long)]
    print_config: bool,
    /// Print the summary as JSON.
    #[arg(long, global = true)]
    json: bool,
    /// Attempts at one request before throttling or a network failure ends the sync.
    #[arg(long, value_name = "N", default_value_t = aws::Limits::default().attempts, global = true, hide = true)]
    attempts: u32,
    /// Records per transaction (what is redone after a crash).
    #[arg(long, value_name = "RECORDS", default_value_t = aws::Limits::default().commit_every, global = true, hide = true)]
    commit_every: u64,
}

#[derive(Debug, clap::Subcommand)]
enum SourceArgs {
    /// The CloudTrail API (LookupEvents: management events of the last 90 days).
    Cloudtrail {
        /// A region (repeatable; default: the profile's).
        #[arg(long = "region", value_name = "REGION", conflicts_with = "all_regions")]
        regions: Vec<String>,
        /// Every region enabled for the account.
        #[arg(long)]
        all_regions: bool,
        #[command(flatten)]
        window: WindowArgs,
        /// One lookup attribute: Username=sara, AccessKeyId=ASIA…, EventName=…, EventSource=…,
        /// ResourceName=…, ResourceType=…, ReadOnly=…, EventId=…
        #[arg(long, value_name = "KEY=VALUE", value_parser = Lookup::parse)]
        lookup: Option<Lookup>,
    },
    /// A CloudTrail trail bucket: AWSLogs/[o-…/]<account>/CloudTrail/<region>/YYYY/MM/DD/.
    S3 {
        #[arg(long)]
        bucket: String,
        /// The trail's key prefix, before AWSLogs/.
        #[arg(long)]
        prefix: Option<String>,
        /// Accounts to read, comma-separated (default: every account in the bucket).
        #[arg(long, value_delimiter = ',')]
        accounts: Vec<String>,
        /// Log regions to read, comma-separated (default: every region found).
        #[arg(long, value_delimiter = ',')]
        regions: Vec<String>,
        #[command(flatten)]
        window: WindowArgs,
    },
    /// GuardDuty: every detector's findings (every revision kept).
    Guardduty {
        /// A region (repeatable; default: the profile's).
        #[arg(long = "region", value_name = "REGION", conflicts_with = "all_regions")]
        regions: Vec<String>,
        /// Every region enabled for the account.
        #[arg(long)]
        all_regions: bool,
    },
}

#[derive(Debug, clap::Args)]
struct WindowArgs {
    /// How far back: 90m, 24h, 7d, 2w (default: 7d for cloudtrail, 30d for s3).
    #[arg(long, value_name = "DURATION")]
    since: Option<String>,
    /// From this time (RFC 3339, or a UTC day YYYY-MM-DD).
    #[arg(long, value_name = "TIME")]
    from: Option<String>,
    /// Up to this time (default: now).
    #[arg(long, value_name = "TIME")]
    to: Option<String>,
}

impl WindowArgs {
    fn window(&self, default_ms: i64) -> anyhow::Result<aws::Window> {
        parse_window(
            self.since.as_deref(),
            self.from.as_deref(),
            self.to.as_deref(),
            default_ms,
        )
        .map_err(anyhow::Error::msg)
    }
}

fn regions(list: Vec<String>, all: bool) -> Regions {
    if all {
        Regions::All
    } else if list.is_empty() {
        Regions::Default
    } else {
        Regions::List(list)
    }
}

/// The plan the arguments ask for.
fn plan(args: &Args) -> anyhow::Result<(SyncPlan, Option<std::path::PathBuf>)> {
    let Some(source) = &args.source else {
        let path = aws::sources_path();
        let mut plan = aws::load_sources(&path).map_err(anyhow::Error::msg)?;
        if args.endpoint_url.is_some() {
            plan.endpoint_url = args.endpoint_url.clone();
        }
        return Ok((plan, Some(path)));
    };
    let profiles = args.profiles.clone();
    let source = match source {
        SourceArgs::Cloudtrail {
            regions: r,
            all_regions,
            window,
            lookup,
        } => Source::CloudTrail(CloudTrailSource {
            profiles,
            regions: regions(r.clone(), *all_regions),
            window: window.window(aws::config::CLOUDTRAIL_DEFAULT_SINCE_MS)?,
            lookup: lookup.clone(),
        }),
        SourceArgs::S3 {
            bucket,
            prefix,
            accounts,
            regions,
            window,
        } => {
            if profiles.len() > 1 {
                anyhow::bail!("a bucket is read with one profile (the log archive account's)");
            }
            Source::S3(S3Source {
                profile: profiles.first().cloned(),
                bucket: bucket.clone(),
                prefix: prefix.clone(),
                accounts: accounts.clone(),
                regions: regions.clone(),
                window: window.window(aws::config::S3_DEFAULT_SINCE_MS)?,
            })
        }
        SourceArgs::Guardduty {
            regions: r,
            all_regions,
        } => Source::GuardDuty(GuardDutySource {
            profiles,
            regions: regions(r.clone(), *all_regions),
        }),
    };
    Ok((
        SyncPlan {
            sources: vec![source],
            endpoint_url: args.endpoint_url.clone(),
            ..SyncPlan::default()
        },
        None,
    ))
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let (mut plan, from_file) = plan(&args)?;
    plan.limits.attempts = args.attempts.max(1);
    plan.limits.commit_every = args.commit_every.max(1);
    if args.print_config {
        if let Some(p) = &from_file {
            println!("sources file: {}", p.display());
        }
        for line in aws::describe(&plan) {
            println!("{}", sanitize(&line));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut store = super::open::open_for_writing(ctx)?;
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // A second Ctrl-C ends the process at once; the first asks for a clean stop.
        signal_hook::flag::register_conditional_shutdown(signal, 130, stop.clone())
            .context("installing the Ctrl-C handler")?;
        signal_hook::flag::register(signal, stop.clone())
            .context("installing the Ctrl-C handler")?;
    }
    let mut lines = Lines::new(!args.json);
    let result = aws::sync(
        &mut store,
        &plan,
        ctx.now_ms,
        &mut |p| lines.update(p),
        stop,
    );
    lines.finish();
    let report = result.context("sync")?;
    // What was committed is derived even after an error or a stop.
    crate::analysis::refresh(&mut store).context("deriving attribution after the sync")?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_summary(&report)?;
    }
    for e in &report.errors {
        eprintln!("rolecall: {}", sanitize(&e.to_string()));
    }
    if report.stopped {
        eprintln!("rolecall: stopped; what was fetched is kept, run the same command to resume");
    }
    Ok(ExitCode::from(report.exit_status()))
}

/// One indicatif line per task, on a terminal only.
struct Lines {
    multi: Option<indicatif::MultiProgress>,
    bars: HashMap<usize, indicatif::ProgressBar>,
}

impl Lines {
    fn new(wanted: bool) -> Lines {
        use std::io::IsTerminal;
        let multi = (wanted && std::io::stderr().is_terminal()).then(indicatif::MultiProgress::new);
        Lines {
            multi,
            bars: HashMap::new(),
        }
    }

    fn update(&mut self, p: &SyncProgress) {
        let Some(multi) = &self.multi else { return };
        for (i, t) in p.tasks.iter().enumerate() {
            let bar = self.bars.entry(i).or_insert_with(|| {
                let bar = multi.add(indicatif::ProgressBar::new_spinner());
                if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg}") {
                    bar.set_style(style);
                }
                bar
            });
            bar.set_message(task_line(t));
            bar.tick();
        }
    }

    fn finish(&mut self) {
        for bar in self.bars.values() {
            bar.finish_and_clear();
        }
    }
}

/// `cloudtrail 111122223333 us-east-1  running  1234 events  87.3/s of 100/s  ETA 3m 10s`.
fn task_line(t: &TaskView) -> String {
    let state = match &t.state {
        TaskState::Running => "running".to_string(),
        TaskState::Done => "done".to_string(),
        TaskState::Stopped => "stopped".to_string(),
        TaskState::Skipped(why) => format!("skipped ({why})"),
        TaskState::Failed(_) => "failed".to_string(),
    };
    let mut line = format!(
        "{:<10} {:<14} {:<14} {:<8}",
        t.source,
        sanitize(&t.account),
        sanitize(&t.region),
        state
    );
    if t.source == "s3" {
        let total = t
            .objects_total
            .map_or_else(|| "?".to_string(), |n| n.to_string());
        line.push_str(&format!(
            "  {}/{total} objects ({} already synced)",
            t.objects_done, t.objects_skipped
        ));
    } else {
        let what = if t.source == "guardduty" {
            "findings"
        } else {
            "events"
        };
        line.push_str(&format!(
            "  {} {what}  {:.1}/s",
            t.records, t.records_per_second
        ));
        if let Some(c) = t.ceiling_per_second {
            line.push_str(&format!(" of {c:.0}/s"));
        }
    }
    if t.throttled > 0 {
        line.push_str(&format!("  {} throttled", t.throttled));
    }
    if let Some(eta) = t.eta_seconds {
        let s = eta.round() as u64;
        line.push_str(&format!("  ETA {}m {:02}s", s / 60, s % 60));
    }
    if let (TaskState::Running, Some(why)) = (&t.state, &t.retrying) {
        line.push_str(&format!("  {}", sanitize(why)));
    }
    line
}

fn print_summary(r: &SyncReport) -> anyhow::Result<()> {
    for t in &r.tasks {
        println!("{}", task_line(t));
        if let TaskState::Failed(why) = &t.state {
            println!("  {}", sanitize(why));
        }
    }
    let t = &r.ingest.totals;
    let dup_note = if t.events_new == 0 && t.events_dup > 0 {
        " — nothing new: already in the cache"
    } else {
        ""
    };
    println!(
        "events:   {} new, {} duplicate{dup_note}",
        t.events_new, t.events_dup
    );
    println!(
        "findings: {} new, {} duplicate",
        t.findings_new, t.findings_dup
    );
    if t.rejected > 0 {
        println!(
            "rejected: {} (`rolecall db rejects --run {}` lists them)",
            t.rejected, r.ingest.run_id
        );
    }
    println!("time:     {:.2} s", r.elapsed_ms as f64 / 1000.0);
    Ok(())
}
