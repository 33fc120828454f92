//! `rolecall ingest PATH…`: exit 0 when everything was read, 2 when anything was rejected or
//! could not be read, 1 on a fatal error (a missing path, a special file named alone, the cache).
//! Draws the progress bar from the `Progress` the ingest reports.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::Ctx;
use crate::ingest::{IngestOptions, IngestReport, Progress, ingest_paths_with_progress};
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or directories (read recursively). Formats are detected from content.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    /// Records per transaction (whole files). Smaller: less work redone after a crash, a
    /// smaller write-ahead log; larger: faster.
    #[arg(long, value_name = "RECORDS", default_value_t = crate::ingest::COMMIT_EVERY)]
    commit_every: u64,
    /// The largest record (or flow log line) read; larger ones are rejected and passed over.
    /// Bytes, or with a K, M or G suffix (powers of 1024).
    #[arg(long, value_name = "SIZE", default_value = "4M", value_parser = parse_size)]
    max_record_size: usize,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let mut store = super::open::open_for_writing(ctx)?;
    let mut bar = ProgressBar::new(!args.json);
    let opts = IngestOptions {
        commit_every: Some(args.commit_every),
        max_record_bytes: Some(args.max_record_size),
        measure_total: bar.is_some(),
    };
    let report = ingest_paths_with_progress(
        &mut store,
        &args.paths,
        &opts,
        &mut |p| bar.update(p),
        ctx.now_ms,
    );
    bar.finish();
    let report = report?;
    // Attribution (issuances, sessions, chain links) follows the new events right away.
    let t = std::time::Instant::now();
    crate::analysis::refresh(&mut store).context("deriving attribution after ingest")?;
    tracing::info!(seconds = t.elapsed().as_secs_f64(), "attribution refreshed");
    if args.json {
        let mut summary = serde_json::to_value(&report)?;
        // The process's own high-water mark (Linux), so that memory bounds can be checked.
        summary["peak_rss_bytes"] = peak_rss_bytes().into();
        outln!("{}", serde_json::to_string_pretty(&summary)?)?;
    } else {
        print_summary(&report, &store)?;
    }
    Ok(if report.totals.rejected > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// The process's peak resident memory (`VmHWM`), where the system says.
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// `4M`, `512K`, `1G`, `1048576`.
fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let (digits, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => t.split_at(i),
        None => (t, ""),
    };
    let n: usize = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a size (e.g. 4M, 512K, 1048576)"))?;
    let scale: usize = match unit
        .trim()
        .to_ascii_uppercase()
        .trim_end_matches(['B', 'I'])
    {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return Err(format!("{s:?}: unknown unit (use K, M or G)")),
    };
    n.checked_mul(scale)
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("{s:?} is not a usable size"))
}

/// An indicatif bar over the input's bytes (or inputs, when the byte total is unknown), drawn
/// only on a terminal.
pub struct ProgressBar(Option<indicatif::ProgressBar>);

impl ProgressBar {
    pub fn new(wanted: bool) -> ProgressBar {
        use std::io::IsTerminal;
        if !wanted || !std::io::stderr().is_terminal() {
            return ProgressBar(None);
        }
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            // `wide_msg` last: the file name is cut to what the terminal has left, so the
            // line never wraps (a wrapped line is redrawn as a new one at every tick).
            "{spinner} [{elapsed_precise}] {bar:16} {bytes}/{total_bytes} ({eta}) {wide_msg}",
        ) {
            bar.set_style(style);
        }
        ProgressBar(Some(bar))
    }

    pub fn is_some(&self) -> bool {
        self.0.is_some()
    }

    pub fn update(&mut self, p: &Progress) {
        let Some(bar) = &self.0 else { return };
        if let Some(total) = p.bytes_total {
            bar.set_length(total);
        }
        bar.set_position(p.bytes_done);
        let current = crate::text::sanitize(&p.current);
        let name = current.rsplit('/').next().unwrap_or_default();
        bar.set_message(format!(
            "{} events, {} rejected  {}",
            p.events_new,
            p.rejected,
            name.chars().take(40).collect::<String>()
        ));
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}

fn print_summary(r: &IngestReport, store: &Store) -> anyhow::Result<()> {
    let t = &r.totals;
    outln!(
        "files:    {} read ({} skipped: digests), {:.1} MB",
        t.files,
        r.files_skipped,
        r.bytes_read as f64 / 1e6
    )?;
    if r.special_skipped > 0 {
        outln!(
            "skipped:  {} special file{} (FIFO, socket or device; never opened):",
            r.special_skipped,
            if r.special_skipped == 1 { "" } else { "s" }
        )?;
        for name in &r.special_files {
            outln!("  {}", crate::text::sanitize(name))?;
        }
    }
    let dup_note = if t.events_new == 0 && t.events_dup > 0 {
        " — nothing new: already in the cache"
    } else {
        ""
    };
    outln!(
        "events:   {} new, {} duplicate{dup_note}",
        t.events_new,
        t.events_dup
    )?;
    outln!(
        "findings: {} new, {} duplicate",
        t.findings_new,
        t.findings_dup
    )?;
    outln!("flows:    {} new, {} duplicate", t.flows_new, t.flows_dup)?;
    outln!(
        "time:     {:.2} s, {:.0} events/s",
        r.elapsed_ms as f64 / 1000.0,
        r.events_per_second
    )?;
    if t.rejected > 0 {
        let known = if t.rejects_already_recorded > 0 {
            format!(
                ", {} of them recorded by an earlier run",
                t.rejects_already_recorded
            )
        } else {
            String::new()
        };
        outln!("rejected: {} (run {}{known}):", t.rejected, r.run_id)?;
        for line in crate::store::load_rejects(store.conn(), r.run_id, 10)? {
            outln!("  {}", crate::text::sanitize(&line))?;
        }
        if t.rejected > 10 {
            outln!("  … `rolecall db rejects` lists them all")?;
        }
    }
    if let Some(p) = store.path() {
        outln!("cache:    {}", p.display())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("4M"), Ok(4 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("0").is_err());
        assert!(parse_size("4X").is_err());
        assert!(parse_size("M").is_err());
    }
}
