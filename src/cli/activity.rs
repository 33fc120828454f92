//! `rolecall activity ID [--scope A..B] [--bucket 1h]`: API call volume against the baseline.

use std::process::ExitCode;

use super::Ctx;
use super::layout::{Col, Shrink, Table, print_table, stamp};
use super::table::{open_for_analysis, print_json};
use super::target::{resolve_or_exit, wrong_kind};
use crate::analysis::{BreakdownLine, build_activity, resolve_scope};
use crate::model::{HOUR_MS, Scope, ceil_hour, floor_hour, format_ms, parse_duration_ms};
use crate::present::{date_time, safe, scope_text};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A role session (principal ID, assumed-role ARN, session name), a role (ARN or name), an
    /// IAM or federated user (ARN), or an access key (its session).
    #[arg(value_name = "ID")]
    id: String,
    /// `A..B` (RFC 3339), `last:24h`, `finding:ID`. Default: the last 24 hours of the data.
    #[arg(long, value_name = "SCOPE")]
    scope: Option<String>,
    /// Bucket width: `5m`, `1h`, `1d`, …
    #[arg(long, default_value = "1h")]
    bucket: String,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let Some(bucket_ms) = parse_duration_ms(&args.bucket) else {
        anyhow::bail!(
            "bucket {:?}: expected a duration such as 5m, 1h or 1d",
            args.bucket
        );
    };
    let store = open_for_analysis(ctx)?;
    let conn = store.conn();
    let target = match resolve_or_exit(conn, &args.id, "no session, role or principal")? {
        Ok(t) => t,
        Err(code) => return Ok(code),
    };
    let scope = resolve_scope(conn, args.scope.as_deref(), ctx.now_ms)?;
    let Some(a) = build_activity(conn, &target, scope, bucket_ms)? else {
        return Ok(wrong_kind(
            &args.id,
            &target,
            "a role session, a role or a user (other entities come with the roll-ups)",
        ));
    };
    if args.json {
        return print_json(&a);
    }
    sayln!(
        ctx.width,
        "{} {}  ({})",
        a.entity.kind,
        safe(&a.entity.name),
        safe(&a.entity.id)
    )?;
    outln!(
        "scope: {}  ({} ok, {} failed)",
        scope_text(&scope),
        a.total_ok,
        a.total_failed
    )?;
    if args.scope.is_none() && a.total_ok + a.total_failed == 0 {
        if let Some(last) = a.last_active {
            let around = Scope {
                start_ms: floor_hour(last) - 23 * HOUR_MS,
                end_ms: ceil_hour(last + 1),
            };
            outln!(
                "no calls in the last 24 hours of the data; last active {} UTC\n\
                 --scope {}..{} shows its last day",
                date_time(last),
                format_ms(around.start_ms),
                format_ms(around.end_ms)
            )?;
        }
    }
    match (a.baseline.mean_per_bucket, &a.baseline.note) {
        (Some(m), _) => outln!(
            "baseline: {m:.2} calls per {} bucket over {:.1} days before the scope",
            args.bucket,
            a.baseline.history_days
        )?,
        (None, Some(note)) => outln!("baseline: {note}")?,
        (None, None) => outln!("baseline: -")?,
    }
    outln!()?;
    let mut t = Table::new(&[Col::keep("BUCKET"), Col::keep("OK"), Col::keep("FAILED")]);
    for p in a.series.iter().filter(|p| p.ok + p.failed > 0) {
        t.row(vec![
            stamp(ctx.width, p.start),
            p.ok.to_string(),
            p.failed.to_string(),
        ]);
    }
    section(ctx, "Calls per bucket (empty buckets left out)", &t)?;
    section(ctx, "By API method", &lines(&a.by_api, "API"))?;
    section(ctx, "By source IP", &lines(&a.by_source_ip, "SOURCE IP"))?;
    section(ctx, "By access key", &lines(&a.by_access_key, "ACCESS KEY"))?;
    if !a.by_caller.is_empty() {
        section(ctx, "By session", &lines(&a.by_caller, "SESSION"))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A breakdown as a table; a SERVICE column when its lines have one (APIs).
fn lines(rows: &[BreakdownLine], title: &'static str) -> Table {
    let service = rows.iter().any(|r| r.service.is_some());
    let mut cols = vec![Col::shrink(title, Shrink::Middle, 16)];
    if service {
        cols.push(Col::shrink("SERVICE", Shrink::End, 10));
    }
    cols.extend([Col::keep("OK"), Col::keep("FAILED")]);
    let mut t = Table::new(&cols);
    for r in rows {
        let mut cells = vec![r.key.clone().unwrap_or_else(|| "-".into())];
        if service {
            cells.push(r.service.clone().unwrap_or_else(|| "-".into()));
        }
        cells.push(r.ok.to_string());
        cells.push(r.failed.to_string());
        t.row(cells);
    }
    t
}

fn section(ctx: &Ctx, title: &str, t: &Table) -> anyhow::Result<()> {
    outln!("{title}")?;
    print_table(t, ctx.width, "  (none)")?;
    outln!()?;
    Ok(())
}
